package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"portal/forms"
	"portal/forms/definition"
	"portal/forms/demo"
	"portal/forms/synthetic"
	"portal/storage"
)

const demoUsage = `Usage:
  portal demo generate [--states N] [--years Y]
  portal demo long-format [--states AUT,DEU,...] [--from YEAR] [--to YEAR] [--revise PERCENT] > FILE.csv

generate fills the database with synthetic crime statistics for tests,
benchmarks and demonstrations: a call "uncts-synthetic-Y" for the Y years
before this one, and for the first N Member States (by code) a full answer,
every cell, consistent with every rule, submitted and accepted; and a call
of views, "tourism-views-synthetic", answered by the same States, each in
one of the six languages, accepted. Running it again leaves the States
already done as they are. It uses the database as
the portal does (PORTAL_DATABASE_URL, or the private cluster).

long-format writes synthetic past series (not real data) in the long format
the Office publishes its data in, to try the import of past series
(/office/imports): counts of the series the demo's history covers and rates
of intentional homicide, for the States (default AUT,DEU,KEN,MEX,JPN) and
years given (default 1985-2024). The figures are those the demo's history
holds for the same years; --revise raises every count by that percentage,
as a revised edition would, so that the dry run shows changes to the
figures held as well as new ones. It needs no database.
`

// demoCommand runs "portal demo ..." and returns the exit code.
func demoCommand(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, demoUsage)
		return 0
	}
	if args[0] == "long-format" {
		return longFormatCommand(args[1:], stdout, stderr)
	}
	if args[0] != "generate" {
		fmt.Fprintf(stderr, "portal demo: unknown command %q\n\n%s", args[0], demoUsage)
		return 2
	}
	fs := flag.NewFlagSet("portal demo generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	states := fs.Int("states", 193, "Member States")
	years := fs.Int("years", 20, "reporting years")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() > 0 || *states < 1 || *states > 193 || *years < 1 || *years > 30 {
		fmt.Fprintf(stderr, "portal demo generate: --states from 1 to 193, --years from 1 to 30\n\n%s", demoUsage)
		return 2
	}
	ctx := context.Background()
	db, log, ok := openForCommand(ctx, getenv, stderr)
	if !ok {
		return 1
	}
	defer db.Close(log)
	n, values, err := generate(ctx, db.Store, *states, *years, time.Now(), stdout)
	if err != nil {
		fmt.Fprintf(stderr, "portal demo generate: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%d States answered, %d values in all\n", n, values)
	lib, err := definition.Builtin()
	if err != nil {
		fmt.Fprintf(stderr, "portal demo generate: %v\n", err)
		return 1
	}
	views, err := demo.GenerateViews(ctx, db.Store, lib, *states, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "portal demo generate: views: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%d States gave their views in six languages (call %s)\n", *states, views.Key)
	if err := db.Store.Analyze(ctx); err != nil {
		fmt.Fprintf(stderr, "portal demo generate: %v\n", err)
		return 1
	}
	return 0
}

// generate makes the synthetic call and its answers; it returns how many
// States have answered and how many values they hold.
func generate(ctx context.Context, s *storage.Store, states, years int, now time.Time, progress io.Writer) (int, int, error) {
	lib, err := definition.Builtin()
	if err != nil {
		return 0, 0, err
	}
	q, _ := lib.Latest("crime-statistics")
	ys := make([]int, years)
	for i := range ys {
		ys[i] = now.Year() - years + i
	}
	key := "uncts-synthetic-" + strconv.Itoa(years)
	call, err := s.EnsureCall(ctx, forms.Call{Key: key, Reference: "UNCTS-SYN" + strconv.Itoa(years),
		Title:         forms.Text{forms.English: fmt.Sprintf("Crime and criminal justice statistics, %d–%d (synthetic)", ys[0], ys[len(ys)-1])},
		Questionnaire: q.Key, Version: q.Version, Years: ys, State: forms.CallOpen, TimeZone: "UTC",
		Deadline: now.AddDate(0, 1, 0), Audience: forms.Audience{AllMemberStates: true}})
	if err != nil {
		return 0, 0, err
	}
	orgs, err := s.Organizations(ctx, forms.MemberState)
	if err != nil {
		return 0, 0, err
	}
	slices.SortFunc(orgs, func(a, b forms.Organization) int { return strings.Compare(a.Code, b.Code) })
	office := &forms.User{Memberships: []forms.Membership{{Role: forms.Analyst}}}
	actor := forms.Actor{Label: "demo generate"}
	values := 0
	for i, o := range orgs[:states] {
		ref := forms.OrganizationRef{ID: o.ID, Code: o.Code, Name: o.Name}
		sub, err := s.Submission(ctx, call, ref)
		if err != nil {
			return i, values, err
		}
		a := synthetic.Statistics(q, ys, o.Code)
		values += len(a.Cells)
		if sub.State == forms.Accepted {
			continue
		}
		if sub.State.Editable() {
			if _, err := s.SaveDraft(ctx, call, ref, forms.Edit{Base: sub.DraftVersion, Fields: a.Fields(), Answers: a}, actor); err != nil {
				return i, values, fmt.Errorf("%s: %w", o.Code, err)
			}
			fp := &forms.User{Memberships: []forms.Membership{{Role: forms.FocalPoint, Organization: ref}}}
			if _, err := s.Transition(ctx, forms.TransitionRequest{Call: call, Questionnaire: q, Organization: ref, User: fp, Transition: forms.TransitionSubmit, At: now, Actor: actor}); err != nil {
				return i, values, fmt.Errorf("%s: %w", o.Code, err)
			}
		}
		if _, err := s.Transition(ctx, forms.TransitionRequest{Call: call, Questionnaire: q, Organization: ref, User: office, Transition: forms.TransitionAccept, At: now, Actor: actor}); err != nil {
			return i, values, fmt.Errorf("%s: %w", o.Code, err)
		}
		if (i+1)%20 == 0 {
			fmt.Fprintf(progress, "%d States...\n", i+1)
		}
	}
	return states, values, nil
}

// longFormatCommand writes synthetic past series in the long format.
func longFormatCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("portal demo long-format", flag.ContinueOnError)
	fs.SetOutput(stderr)
	states := fs.String("states", "AUT,DEU,KEN,MEX,JPN", "ISO 3166-1 alpha-3 codes, comma-separated")
	from := fs.Int("from", 1985, "first year")
	to := fs.Int("to", 2024, "last year")
	revise := fs.Float64("revise", 0, "percentage to raise every count by (a revised edition)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 || *from < 1900 || *to > 2100 || *from > *to || *revise < -100 || *revise > 1000 {
		fmt.Fprintf(stderr, "portal demo long-format: years from 1900 to 2100, --from not after --to, --revise from -100 to 1000\n\n%s", demoUsage)
		return 2
	}
	lib, err := definition.Builtin()
	if err != nil {
		fmt.Fprintf(stderr, "portal demo long-format: %v\n", err)
		return 1
	}
	q, _ := lib.Latest("crime-statistics")
	var years []int
	for y := *from; y <= *to; y++ {
		years = append(years, y)
	}
	w := csv.NewWriter(stdout)
	_ = w.Write([]string{"Iso3_code", "Country", "Region", "Subregion", "Indicator", "Dimension", "Category", "Sex", "Age", "Year", "Unit of measurement", "VALUE", "Source"})
	for _, code := range strings.Split(*states, ",") {
		code = strings.ToUpper(strings.TrimSpace(code))
		if code == "" {
			continue
		}
		_, err := synthetic.History(q, synthetic.HistorySeries, years, code, code, func(r forms.ImportRow) error {
			if *revise != 0 {
				v, err := strconv.ParseFloat(r.Value, 64)
				if err != nil {
					return err
				}
				v *= 1 + *revise/100
				if r.Unit == synthetic.UnitCounts {
					r.Value = strconv.FormatFloat(math.Round(v), 'f', 0, 64)
				} else {
					r.Value = strconv.FormatFloat(v, 'f', 2, 64)
				}
			}
			return w.Write([]string{r.Area, r.AreaName, "", "", r.Indicator, r.Dimension, r.Category, r.Sex, r.Age, strconv.Itoa(r.Year), r.Unit, r.Value,
				"Synthetic demonstration series (not real data)"})
		})
		if err != nil {
			fmt.Fprintf(stderr, "portal demo long-format: %v\n", err)
			return 1
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		fmt.Fprintf(stderr, "portal demo long-format: %v\n", err)
		return 1
	}
	return 0
}
