package storage_test

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"portal/forms"
	"portal/forms/definition"
	"portal/forms/synthetic"
	"portal/storage"
)

// acceptSynthetic stores, submits and accepts synthetic statistics of the
// States for the call.
func acceptSynthetic(t testing.TB, s *storage.Store, call forms.Call, q *forms.Questionnaire, codes ...string) {
	t.Helper()
	for _, code := range codes {
		a := synthetic.Statistics(q, call.Years, code)
		submitAndAccept(t, s, call, q, orgRef(t, s, code), forms.Edit{Fields: a.Fields(), Answers: a})
	}
}

// submitAndAccept saves the edit as the organization's draft, submits it
// as its focal point and accepts it as the Office.
func submitAndAccept(t testing.TB, s *storage.Store, call forms.Call, q *forms.Questionnaire, org forms.OrganizationRef, e forms.Edit) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.SaveDraft(ctx, call, org, e, forms.Actor{Label: "t"}); err != nil {
		t.Fatal(err)
	}
	for _, tr := range []struct {
		u *forms.User
		t forms.Transition
	}{{focalPoint(org), forms.TransitionSubmit}, {analyst, forms.TransitionAccept}} {
		if _, err := s.Transition(ctx, forms.TransitionRequest{Call: call, Questionnaire: q, Organization: org, User: tr.u, Transition: tr.t, At: time.Now(), Actor: forms.Actor{Label: "t"}}); err != nil {
			t.Fatal(err)
		}
	}
}

// crimeStatsCall stores an open call for the built-in crime statistics
// questionnaire, asking every Member State for the years.
func crimeStatsCall(t testing.TB, s *storage.Store, key string, years []int) (forms.Call, *forms.Questionnaire) {
	t.Helper()
	lib, err := definition.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	q, _ := lib.Latest("crime-statistics")
	call, err := s.SaveCall(context.Background(), forms.Call{Key: key, Title: forms.Text{forms.English: key}, Questionnaire: q.Key, Version: q.Version,
		Years: years, State: forms.CallOpen, Deadline: time.Now().Add(time.Hour), TimeZone: "UTC",
		Audience: forms.Audience{AllMemberStates: true}}, forms.Actor{Label: "t"})
	if err != nil {
		t.Fatal(err)
	}
	return call, q
}

// TestAggregates: every regional and world aggregate, recomputed in Go
// from the figures the States reported, matches what PostgreSQL computes.
func TestAggregates(t *testing.T) {
	s, _ := storeWithDB(t)
	ctx := context.Background()
	call, q := crimeStatsCall(t, s, "agg", []int{2023, 2024, 2025})
	codes := []string{"AUT", "DEU", "KEN", "NGA", "TUR", "BRA", "CHN"}
	acceptSynthetic(t, s, call, q, codes...)
	ind := forms.Series{Question: "police_offences", Row: "homicide", Category: "total"}
	got, err := s.Aggregates(ctx, call, ind, false)
	if err != nil {
		t.Fatal(err)
	}
	states, err := s.Organizations(ctx, forms.MemberState)
	if err != nil {
		t.Fatal(err)
	}
	groups, _ := s.RegionalGroups(ctx)
	if len(got) != (len(groups)+1)*len(call.Years) {
		t.Fatalf("%d aggregates, want %d", len(got), (len(groups)+1)*len(call.Years))
	}
	for _, a := range got {
		var want forms.Aggregate
		var rates []float64
		for _, o := range states {
			if a.Group != "" && !slices.Contains(o.RegionalGroups, a.Group) {
				continue
			}
			want.Asked++
			if !slices.Contains(codes, o.Code) {
				continue
			}
			figures := synthetic.Statistics(q, call.Years, o.Code)
			v := figures.Cells[forms.CellRef{Question: ind.Question, Row: ind.Row, Year: a.Year, Category: ind.Category}].Value
			pop := figures.Cells[forms.CellRef{Question: "population_by_year", Row: "population", Year: a.Year, Category: "total"}].Value
			want.Reporting++
			want.Sum += v
			rates = append(rates, float64(v)*100000/float64(pop))
		}
		slices.Sort(rates)
		median := 0.0
		if n := len(rates); n > 0 {
			median = rates[n/2]
			if n%2 == 0 {
				median = (rates[n/2-1] + rates[n/2]) / 2
			}
		}
		if a.Asked != want.Asked || a.Reporting != want.Reporting || a.Sum != want.Sum || a.Rated != len(rates) ||
			math.Abs(a.MedianRate-median) > 1e-9*math.Max(1, median) {
			t.Errorf("group %q %d: %+v; recomputed asked %d, reporting %d, sum %d, median %v of %d", a.Group, a.Year, a,
				want.Asked, want.Reporting, want.Sum, median, len(rates))
		}
	}
	// Türkiye sits in two groups and counts in both.
	series, err := s.Series(ctx, call, ind, false)
	if err != nil || len(series) != len(codes)*len(call.Years) {
		t.Fatalf("series: %d values, %v", len(series), err)
	}
	for _, v := range series {
		if r, ok := v.Rate(); !ok || r <= 0 {
			t.Errorf("%s %d has no rate", v.Organization.Code, v.Year)
		}
	}
}

// TestFlaggedFigures: a jump in one State's homicides is a break, with the
// explanation the State gave when it submitted; every flagged figure is a
// break or an outlier by the questionnaire's own rule, recomputed here.
func TestFlaggedFigures(t *testing.T) {
	s, _ := storeWithDB(t)
	ctx := context.Background()
	years := []int{2021, 2022, 2023}
	call, q := crimeStatsCall(t, s, "flags", years)
	acceptSynthetic(t, s, call, q, "DEU", "FRA", "ITA", "ESP", "NLD")
	a := synthetic.Statistics(q, years, "AUT")
	ref := forms.CellRef{Question: "police_offences", Row: "homicide", Year: 2023, Category: forms.TotalCategory}
	prev := a.Cells[forms.CellRef{Question: ref.Question, Row: ref.Row, Year: 2022, Category: ref.Category}].Value
	c := a.Cells[ref]
	c.Value = max(prev, 30) * 3
	a.Cells[ref] = c
	if a.Explanations == nil {
		a.Explanations = map[string]string{}
	}
	for _, f := range forms.Check(q, a, years) {
		if f.Severity == forms.SeverityError {
			t.Fatalf("the planted jump breaks %s", f.Key)
		}
		a.Explanations[f.Key] = "A new recording system counts every victim."
	}
	submitAndAccept(t, s, call, q, orgRef(t, s, "AUT"), forms.Edit{Fields: a.Fields(), Answers: a})

	flagged, err := s.FlaggedFigures(ctx, call, q, library(t), false)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, f := range flagged {
		if f.Organization.Code == "AUT" && f.Series.Question == ref.Question && f.Series.Row == ref.Row && f.Year == 2023 {
			found = true
			if !f.Break || f.Explanation != "A new recording system counts every victim." {
				t.Errorf("the planted jump: %+v", f)
			}
		}
		if !f.Break && !f.Outlier {
			t.Errorf("flagged for nothing: %+v", f)
		}
		if f.Break && f.HasChange {
			rule := q.BreakRule(f.Series.Question)
			if math.Abs(f.Change) <= rule.MaxShare {
				t.Errorf("a break of %.2f under the rule's %.2f: %+v", f.Change, rule.MaxShare, f)
			}
		}
	}
	if !found {
		t.Errorf("the planted jump is not flagged among %d", len(flagged))
	}
}
