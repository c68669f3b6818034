package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"portal/forms"
	"portal/forms/definition"
	"portal/forms/export"
	"portal/storage"
)

const exportUsage = `Usage:
  portal export --call KEY --format xlsx|csv [--include submitted] [--bom] [--lang L] -o FILE

Writes the long dataset of a call's statistics, one row per value, with the
State, its codes, region and regional groups, the indicator and its ICCS
code, the year, the category, the value or its status, flags, note, and the
receipt of the version it comes from: accepted submissions, and submitted
ones too with --include submitted; then, where they give nothing, what
counts in the Office's series: an import's figure (submission_state
imported, with the import's reference and source), another call's
(call, with its receipt) or the sum of a State's parts (parts). Breaks and outliers are checked against
those figures and the year before the call's first, as on the web. --bom starts a CSV with the byte order
mark Excel needs. For scheduled jobs; it uses the database as the portal
does (PORTAL_DATABASE_URL, or the private cluster).
`

// exportCommand runs "portal export ..." and returns the exit code.
func exportCommand(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("portal export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, exportUsage) }
	key := fs.String("call", "", "call key")
	format := fs.String("format", "xlsx", "xlsx or csv")
	include := fs.String("include", "", "submitted: include submissions not yet accepted")
	bom := fs.Bool("bom", false, "start a CSV with a byte order mark")
	lang := fs.String("lang", "en", "language of labels")
	out := fs.String("o", "", "output file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	l, ok := forms.ParseLanguage(*lang)
	if fs.NArg() > 0 || *key == "" || *out == "" || (*format != "xlsx" && *format != "csv") || (*include != "" && *include != "submitted") || !ok {
		fmt.Fprint(stderr, exportUsage)
		return 2
	}
	ctx := context.Background()
	db, log, ok := openForCommand(ctx, getenv, stderr)
	if !ok {
		return 1
	}
	defer db.Close(log)
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintf(stderr, "portal export: %v\n", err)
		return 1
	}
	n, err := exportStatistics(ctx, db.Store, *key, *format, *include == "submitted", *bom, l, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(*out)
		fmt.Fprintf(stderr, "portal export: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: %d values\n", *out, n)
	return 0
}

// exportStatistics writes a call's long dataset to w and returns the number of values.
func exportStatistics(ctx context.Context, s *storage.Store, key, format string, includeSubmitted, bom bool, l forms.Language, w io.Writer) (int, error) {
	call, err := s.CallByKey(ctx, key)
	if err != nil {
		return 0, err
	}
	lib, err := definition.Builtin()
	if err != nil {
		return 0, err
	}
	q, ok := lib.Version(call.Questionnaire, call.Version)
	if !ok {
		return 0, fmt.Errorf("questionnaire %s v%d is not built in", call.Questionnaire, call.Version)
	}
	filters := "accepted submissions"
	if includeSubmitted {
		filters = "accepted and submitted submissions"
	}
	flagged, err := s.FlaggedFigures(ctx, call, q, lib.All(), includeSubmitted)
	if err != nil {
		return 0, err
	}
	meta := export.Meta{Call: call, Questionnaire: q, Extracted: time.Now(), Filters: filters, Lang: l, Flagged: flagged}
	bw := bufio.NewWriterSize(w, 1<<16)
	var ew *export.Writer
	if format == "csv" {
		ew, err = export.NewCSV(bw, meta, bom)
	} else {
		ew, err = export.NewXLSX(bw, meta)
	}
	if err != nil {
		return 0, err
	}
	if err := s.CallStatisticsRows(ctx, call, q, lib.All(), includeSubmitted, ew.Row); err != nil {
		return 0, err
	}
	if err := ew.Close(); err != nil {
		return 0, err
	}
	return ew.Rows(), bw.Flush()
}
