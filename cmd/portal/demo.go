package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"portal/forms"
	"portal/forms/definition"
	"portal/forms/synthetic"
	"portal/handlers"
	"portal/storage"
)

const demoUsage = `Usage:
  portal demo generate [--states N] [--years Y]

generate fills the database with synthetic crime statistics for tests,
benchmarks and demonstrations: a call "uncts-synthetic-Y" for the Y years
before this one, and for the first N Member States (by code) a full answer,
every cell, consistent with every rule, submitted and accepted; and a call
of views, "tourism-views-synthetic", answered by the same States, each in
one of the six languages, accepted. Running it again leaves the States
already done as they are. It uses the database as
the portal does (PORTAL_DATABASE_URL, or the private cluster).
`

// demoCommand runs "portal demo ..." and returns the exit code.
func demoCommand(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, demoUsage)
		return 0
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
	views, err := handlers.GenerateViews(ctx, db.Store, lib, *states, time.Now())
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
