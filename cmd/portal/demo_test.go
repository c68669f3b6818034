package main

import (
	"context"
	"testing"
	"time"

	"portal/forms"
	"portal/forms/definition"
	"portal/forms/demo"
	"portal/forms/synthetic"
	"portal/storage/storagetest"
)

// TestSeedPlausible seeds the demo into PostgreSQL as `portal serve` does
// and reads it back: every answer passes the questionnaire's checker (no
// error; a warning only where the demo shows one on purpose, explained:
// Germany's break in burglaries), the statistics keep the relations
// between tables and each State's order of magnitude, and the answers
// were submitted over the weeks the calls have been open, none late.
func TestSeedPlausible(t *testing.T) {
	ctx := context.Background()
	lib, err := definition.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	store := storagetest.NewStore(t)
	now := time.Now()
	if err := demo.EnsureCalls(ctx, store, lib, now); err != nil {
		t.Fatal(err)
	}
	var orgs []forms.Organization
	for _, kind := range []forms.OrganizationKind{forms.MemberState, forms.ObserverState, forms.Intergovernmental} {
		os, err := store.Organizations(ctx, kind)
		if err != nil {
			t.Fatal(err)
		}
		orgs = append(orgs, os...)
	}
	seeded, days := 0, map[int]bool{}
	for _, c := range demo.Calls(now) {
		call, err := store.CallByKey(ctx, c.Key)
		if err != nil {
			t.Fatal(err)
		}
		q, _ := lib.Version(call.Questionnaire, call.Version)
		for _, o := range orgs {
			ref := forms.OrganizationRef{ID: o.ID, Code: o.Code, Name: o.Name}
			sub, err := store.Submission(ctx, call, ref)
			if err != nil {
				t.Fatal(err)
			}
			if sub.State == forms.NotStarted {
				continue
			}
			seeded++
			d, err := store.Draft(ctx, call, ref)
			if err != nil {
				t.Fatal(err)
			}
			k := call.Key + "/" + o.Code
			for _, f := range forms.Check(q, d.Answers, call.Years) {
				switch {
				case f.Severity != forms.SeverityWarning:
					t.Errorf("%s: %s", k, f.Key)
				case d.Answers.Explanations[f.Key] == "":
					t.Errorf("%s: unexplained warning %s", k, f.Key)
				case o.Code != "DEU" || f.Question != "police_offences" || f.Row != "burglary":
					t.Errorf("%s: a warning the demo does not mean to show: %s", k, f.Key)
				}
			}
			if call.Questionnaire == "crime-statistics" {
				for _, bad := range synthetic.Implausible(q, d.Answers, call.Years, o.Code) {
					t.Errorf("%s: %s", k, bad)
				}
			}
			var prev time.Time
			for _, v := range sub.Versions {
				if v.SubmittedAt.Before(call.Opens) || v.SubmittedAt.After(now) || v.Late {
					t.Errorf("%s version %d submitted at %v: outside %v to %v, or late", k, v.Number, v.SubmittedAt, call.Opens, now)
				}
				if !v.SubmittedAt.After(prev) {
					t.Errorf("%s version %d at %v, not after the one before (%v)", k, v.Number, v.SubmittedAt, prev)
				}
				prev = v.SubmittedAt
				days[int(now.Sub(v.SubmittedAt).Hours()/24)] = true
			}
		}
	}
	if seeded != 11 {
		t.Errorf("%d answers seeded, want 11", seeded)
	}
	if len(days) < 5 {
		t.Errorf("the submissions fall on %d different days, want variety: %v", len(days), days)
	}
}

// TestGenerateViewsAll: the views of every Member State, as portal demo
// generate makes them, pass the checker and are submitted and accepted.
func TestGenerateViewsAll(t *testing.T) {
	ctx := context.Background()
	lib, err := definition.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	store := storagetest.NewStore(t)
	call, err := demo.GenerateViews(ctx, store, lib, 193, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	q, _ := lib.Version(call.Questionnaire, call.Version)
	states, err := store.Organizations(ctx, forms.MemberState)
	if err != nil {
		t.Fatal(err)
	}
	accepted := 0
	for _, o := range states {
		ref := forms.OrganizationRef{ID: o.ID, Code: o.Code, Name: o.Name}
		sub, err := store.Submission(ctx, call, ref)
		if err != nil {
			t.Fatal(err)
		}
		if sub.State == forms.Accepted {
			accepted++
		}
		d, err := store.Draft(ctx, call, ref)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range forms.Check(q, d.Answers, nil) {
			t.Errorf("%s: %s", o.Code, f.Key)
		}
	}
	if accepted != 193 {
		t.Errorf("%d of %d Member States accepted, want 193", accepted, len(states))
	}
}
