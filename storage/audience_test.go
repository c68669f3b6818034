package storage_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"portal/forms"
	"portal/storage"
)

// TestCallAsksInSQL holds the store's rule of who a call asks (in SQL) to
// forms.Call.Asks on every organization of the directory, for audiences of
// every shape: the organizations a call's tracking lists are exactly
// those the forms rule says it asks.
func TestCallAsksInSQL(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	orgs, err := s.Organizations(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range []forms.Audience{
		{AllMemberStates: true},
		{Groups: []string{"WEOG"}},
		{Groups: []string{"AFRICAN", "APG"}},
		{Groups: []string{"AFRICAN", "APG", "EEG", "GRULAC", "WEOG"}},
		{Groups: []string{"EEG"}, Organizations: []string{"KEN", "EU", "PSE", "UNTOURISM"}},
		{AllMemberStates: true, Organizations: []string{"UNTOURISM", "VAT"}},
		{Organizations: []string{"PSE"}},
		{Organizations: []string{"AUT", "INTERPOL"}},
	} {
		call, err := s.SaveCall(ctx, forms.Call{Key: fmt.Sprintf("audience-%d", i), Title: forms.Text{forms.English: "A"},
			Questionnaire: "small", Version: 1, State: forms.CallOpen, Deadline: time.Now().Add(time.Hour), TimeZone: "UTC",
			Audience: a}, forms.Actor{Label: "t"})
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, o := range orgs {
			if call.Asks(o) {
				want = append(want, o.Code)
			}
		}
		rs, err := s.Responses(ctx, call)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rs {
			got = append(got, r.Organization.Code)
		}
		slices.Sort(want)
		slices.Sort(got)
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("%+v: the store asks %d organizations, forms %d:\nstore %v\nforms %v", a, len(got), len(want), got, want)
		}
	}
}

// TestCountedOnlyAsked: Kenya and UN Tourism submitted statistics while
// the call asked them, and the Office then narrowed the call to WEOG.
// Their figures are still in the database, and in nothing the Office
// counts: series, aggregates, coverage, the long dataset, tracking, the
// report. Neither may change its submission's state any more.
func TestCountedOnlyAsked(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	years := []int{2021, 2022}
	call, q := crimeStatsCall(t, s, "asked-only", years)
	call.Audience.Organizations = []string{"UNTOURISM"}
	call, err := s.SaveCall(ctx, call, forms.Actor{Label: "t"})
	if err != nil {
		t.Fatal(err)
	}
	acceptSynthetic(t, s, call, q, "AUT", "KEN", "UNTOURISM")
	call.Audience = forms.Audience{Groups: []string{"WEOG"}}
	if call, err = s.SaveCall(ctx, call, forms.Actor{Label: "t"}); err != nil {
		t.Fatal(err)
	}
	only := []string{"AUT"}

	ind := forms.ReportSeries(q)[0]
	for _, inc := range []bool{false, true} {
		what := fmt.Sprintf("(with submitted %v)", inc)
		values, err := s.Series(ctx, call, ind, inc)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, v := range values {
			codes = append(codes, v.Organization.Code)
		}
		if codes = slices.Compact(codes); !slices.Equal(codes, only) {
			t.Errorf("series %s: %v, want %v", what, codes, only)
		}
		aggs, err := s.Aggregates(ctx, call, ind, inc)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range aggs {
			if a.Group == "" && a.Reporting != 1 {
				t.Errorf("world aggregate of %d %s: %d reporting, want 1", a.Year, what, a.Reporting)
			}
		}
		cov, err := s.Coverage(ctx, call, inc)
		if err != nil {
			t.Fatal(err)
		}
		codes = nil
		for _, r := range cov {
			codes = append(codes, r.Organization.Code)
		}
		if !slices.Equal(codes, only) {
			t.Errorf("coverage %s: %v, want %v", what, codes, only)
		}
		seen := map[string]int{}
		if err := s.StatisticsRows(ctx, call, inc, func(r forms.StatRow) error {
			seen[r.Organization.Code]++
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(seen) != 1 || seen["AUT"] == 0 {
			t.Errorf("long dataset %s: rows by organization %v, want AUT's only", what, seen)
		}
	}
	rs, err := s.Responses(ctx, call)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Organization.Code == "KEN" || r.Organization.Code == "UNTOURISM" {
			t.Errorf("tracking lists %s", r.Organization.Code)
		}
	}
	rep, err := s.PreviewReport(ctx, call, q, library(t))
	if err != nil {
		t.Fatal(err)
	}
	var sources []string
	for _, src := range rep.Sources {
		sources = append(sources, src.Organization.Code)
	}
	if !slices.Equal(sources, only) || rep.Call.Asked != len(rs) {
		t.Errorf("report: sources %v, asked %d; want %v, %d", sources, rep.Call.Asked, only, len(rs))
	}
	for _, code := range []string{"KEN", "UNTOURISM"} {
		org := orgRef(t, s, code)
		for _, tr := range []struct {
			u *forms.User
			t forms.Transition
		}{{focalPoint(org), forms.TransitionWithdraw}, {analyst, forms.TransitionReturn}} {
			if _, err := s.Transition(ctx, forms.TransitionRequest{Call: call, Questionnaire: q, Organization: org, User: tr.u, Transition: tr.t, At: time.Now(), Actor: forms.Actor{Label: "t"}}); forms.KindOf(err) != forms.KindNotFound {
				t.Errorf("%s of %s's submission to a call that does not ask it: %v, want not found", tr.t, code, err)
			}
		}
		if sub, err := s.Submission(ctx, call, org); err != nil || sub.State != forms.Accepted {
			t.Errorf("%s's submission: %s, %v; want accepted, unchanged", code, sub.State, err)
		}
	}
}

// TestViewsOnlyAsked: the answers of an organization the call no longer
// asks are not in the compiled views.
func TestViewsOnlyAsked(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	c := openCall(t, s, time.Now().Add(time.Hour)) // WEOG and the EU
	for _, code := range []string{"AUT", "EU"} {
		org := orgRef(t, s, code)
		submitAndAccept(t, s, c, smallQuestionnaire, org, forms.Edit{Fields: []string{"q/views"},
			Answers: forms.Answers{Values: map[string]forms.Answer{"views": {Text: "Views of " + code}}}})
	}
	c.Audience.Organizations = nil
	c, err := s.SaveCall(ctx, c, forms.Actor{Label: "t"})
	if err != nil {
		t.Fatal(err)
	}
	for _, inc := range []bool{false, true} {
		answers, err := s.ViewAnswers(ctx, c, inc, "")
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, a := range answers {
			codes = append(codes, a.Organization.Code)
		}
		if !slices.Equal(codes, []string{"AUT"}) {
			t.Errorf("views (with submitted %v): %v, want AUT's only", inc, codes)
		}
	}
}

// TestNoWithdrawalOnceClosed: once the Office closes the call, a
// submission stays submitted: withdrawing it is refused, and it is still
// counted.
func TestNoWithdrawalOnceClosed(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	c := openCall(t, s, time.Now().Add(time.Hour))
	aut := orgRef(t, s, "AUT")
	if _, err := saveViews(t, s, c, aut, 0, "Views."); err != nil {
		t.Fatal(err)
	}
	act := forms.Actor{Label: "t"}
	if _, err := s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: aut, User: focalPoint(aut), Transition: forms.TransitionSubmit, At: time.Now(), Actor: act}); err != nil {
		t.Fatal(err)
	}
	c.State = forms.CallClosed
	c, err := s.SaveCall(ctx, c, act)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: aut, User: focalPoint(aut), Transition: forms.TransitionWithdraw, At: time.Now(), Actor: act}); forms.KindOf(err) != forms.KindConflict {
		t.Errorf("withdrawing from a closed call: %v, want refused", err)
	}
	answers, err := s.ViewAnswers(ctx, c, true, "")
	if err != nil {
		t.Fatal(err)
	}
	if sub, err := s.Submission(ctx, c, aut); err != nil || sub.State != forms.Submitted || len(answers) != 1 {
		t.Errorf("after the refusal: %s, %d answers counted, %v; want submitted and counted", sub.State, len(answers), err)
	}
}

// newStore is a store on a fresh database of its own.
func newStore(t *testing.T) *storage.Store {
	t.Helper()
	s, _ := storeWithDB(t)
	return s
}
