package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"portal/forms"
	"portal/forms/definition"
	"portal/forms/workbook"
	"portal/templates/words"
)

const workbookUsage = `Usage:
  portal workbook blank --questionnaire KEY [--version V] [--lang L] [--org CODE] [--years 2022-2025] -o FILE.xlsx
  portal workbook check [--lang L] FILE.xlsx...

blank writes an empty workbook of a built-in questionnaire (the latest
version unless --version), in language L (en, fr, es, ru, ar, zh; default
en), for the organization CODE if given, with the reporting years of a
statistics questionnaire (default: the four years before this one).

check reads each filled workbook as the portal would on upload and prints
every problem with its sheet and cell, in language L; it exits 1 if there is
any problem and 0 when every file is clean. Neither needs the database.
`

// workbookCommand runs "portal workbook ..." and returns the exit code.
func workbookCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, workbookUsage)
		return 0
	}
	lib, err := definition.Builtin()
	if err != nil {
		fmt.Fprintf(stderr, "portal workbook: the built-in questionnaires: %v\n", err)
		return 1
	}
	cat, err := words.Load()
	if err != nil {
		fmt.Fprintf(stderr, "portal workbook: %v\n", err)
		return 1
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("portal workbook "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, workbookUsage) }
	lang := fs.String("lang", "en", "language")
	switch sub {
	case "blank":
		key := fs.String("questionnaire", "", "questionnaire key")
		version := fs.Int("version", 0, "questionnaire version")
		org := fs.String("org", "", "organization code")
		years := fs.String("years", "", "reporting years")
		out := fs.String("o", "", "output file")
		if err := fs.Parse(args); err != nil {
			return 2
		}
		l, ok := forms.ParseLanguage(*lang)
		if !ok || *key == "" || *out == "" || fs.NArg() > 0 {
			fmt.Fprintf(stderr, "portal workbook blank: name the questionnaire, a language of en, fr, es, ru, ar, zh, and the output file\n\n%s", workbookUsage)
			return 2
		}
		q, ok := lib.Latest(*key)
		if *version > 0 {
			q, ok = lib.Version(*key, *version)
		}
		if !ok {
			fmt.Fprintf(stderr, "portal workbook blank: there is no questionnaire %s (version %d); see portal questionnaires list\n", *key, *version)
			return 1
		}
		ys, err := parseYears(*years, time.Now())
		if err != nil {
			fmt.Fprintf(stderr, "portal workbook blank: --years: %v\n", err)
			return 2
		}
		var buf bytes.Buffer
		if err := workbook.Write(&buf, workbook.Options{Questionnaire: q, Years: ys, Lang: l, Org: strings.ToUpper(*org), OrgName: strings.ToUpper(*org), Texts: cat.Text(l).T}); err != nil {
			fmt.Fprintf(stderr, "portal workbook blank: %v\n", err)
			return 1
		}
		if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
			fmt.Fprintf(stderr, "portal workbook blank: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s: %s v%d, %s, %d bytes\n", *out, q.Key, q.Version, l, buf.Len())
		return 0
	case "check":
		if err := fs.Parse(args); err != nil {
			return 2
		}
		l, ok := forms.ParseLanguage(*lang)
		if !ok || fs.NArg() == 0 {
			fmt.Fprintf(stderr, "portal workbook check: name at least one file, and a language of en, fr, es, ru, ar, zh\n\n%s", workbookUsage)
			return 2
		}
		code := 0
		for _, name := range fs.Args() {
			f, err := os.Open(name)
			if err != nil {
				fmt.Fprintf(stdout, "%s: %v\n", name, err)
				code = 1
				continue
			}
			res, problems, err := workbook.Read(f, workbook.ReadOptions{Limits: workbook.DefaultLimits, Questionnaire: lib.Version, Texts: func(l forms.Language) workbook.Texts { return cat.Text(l).T }})
			f.Close()
			if err != nil {
				fmt.Fprintf(stdout, "%s: %v\n", name, err)
				code = 1
				continue
			}
			for _, p := range problems {
				fmt.Fprintf(stdout, "%s: %s\n", name, p.Message(cat.Text(l).Tf))
				code = 1
			}
			if res != nil {
				org := res.Meta.Org
				if org == "" {
					org = "no organization"
				}
				fmt.Fprintf(stdout, "%s: ok (%s v%d, %s, %d answers and figures)\n", name, res.Meta.Questionnaire, res.Meta.Version, org, len(res.Edit.Answers.Fields()))
			}
		}
		return code
	default:
		fmt.Fprintf(stderr, "portal workbook: unknown command %q\n\n%s", sub, workbookUsage)
		return 2
	}
}

// parseYears reads "2022-2025" or "2022,2024"; empty is the four years before now's.
func parseYears(s string, now time.Time) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		y := now.Year()
		return []int{y - 4, y - 3, y - 2, y - 1}, nil
	}
	var out []int
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if a, b, ok := strings.Cut(part, "-"); ok {
			from, err1 := strconv.Atoi(a)
			to, err2 := strconv.Atoi(b)
			if err1 != nil || err2 != nil || to < from || to-from > 30 {
				return nil, fmt.Errorf("%q is not a range of years such as 2022-2025", part)
			}
			for y := from; y <= to; y++ {
				out = append(out, y)
			}
			continue
		}
		y, err := strconv.Atoi(part)
		if err != nil || y < 1950 || y > 2100 {
			return nil, fmt.Errorf("%q is not a year", part)
		}
		out = append(out, y)
	}
	return out, nil
}
