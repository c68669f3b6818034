package demo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"portal/forms"
	"portal/forms/definition"
	"portal/forms/synthetic"
)

// seedStore is a Store in memory that judges what the demo does as the
// database would: each transition by forms.Decide at its own time, and a
// submission only when forms.Check finds nothing that blocks it.
type seedStore struct {
	lib    Questionnaires
	orgs   map[string]forms.Organization
	calls  map[string]forms.Call
	subs   map[string]*seedSub // by call key and organization code
	events []seedEvent
}

type seedSub struct {
	state   forms.SubmissionState
	version int
	answers forms.Answers
}

type seedEvent struct {
	call, org  string
	transition forms.Transition
	at         time.Time
}

func newSeedStore(lib Questionnaires) *seedStore {
	s := &seedStore{lib: lib, orgs: map[string]forms.Organization{}, calls: map[string]forms.Call{}, subs: map[string]*seedSub{}}
	add := func(code string, kind forms.OrganizationKind) {
		s.orgs[code] = forms.Organization{ID: int64(len(s.orgs) + 1), Code: code, Kind: kind, Name: forms.Names{En: "State " + code}}
	}
	for _, st := range synthetic.References() {
		kind := forms.MemberState
		if st.Code == "PSE" {
			kind = forms.ObserverState
		}
		add(st.Code, kind)
	}
	add("VAT", forms.ObserverState)
	for _, code := range []string{"EU", "UNTOURISM", "INTERPOL"} {
		add(code, forms.Intergovernmental)
	}
	return s
}

func (s *seedStore) Organizations(_ context.Context, kind forms.OrganizationKind) ([]forms.Organization, error) {
	var out []forms.Organization
	for _, o := range s.orgs {
		if o.Kind == kind {
			out = append(out, o)
		}
	}
	return out, nil
}

func (s *seedStore) OrganizationByCode(_ context.Context, code string) (forms.Organization, error) {
	if o, ok := s.orgs[code]; ok {
		return o, nil
	}
	return forms.Organization{}, forms.Errorf(forms.KindNotFound, "no organization %s", code)
}

func (s *seedStore) EnsureCall(_ context.Context, c forms.Call) (forms.Call, error) {
	if stored, ok := s.calls[c.Key]; ok {
		return stored, nil
	}
	c.ID = int64(len(s.calls) + 1)
	s.calls[c.Key] = c
	return c, nil
}

func (s *seedStore) Represent(context.Context, forms.Call, string, []string, forms.Actor) error {
	return nil
}

func (s *seedStore) sub(call forms.Call, code string) *seedSub {
	k := call.Key + "/" + code
	if s.subs[k] == nil {
		s.subs[k] = &seedSub{state: forms.NotStarted}
	}
	return s.subs[k]
}

func (s *seedStore) Submission(_ context.Context, call forms.Call, org forms.OrganizationRef) (forms.Submission, error) {
	sub := s.sub(call, org.Code)
	return forms.Submission{State: sub.state, DraftVersion: sub.version}, nil
}

func (s *seedStore) SaveDraft(_ context.Context, call forms.Call, org forms.OrganizationRef, e forms.Edit, _ forms.Actor) (forms.SaveResult, error) {
	sub := s.sub(call, org.Code)
	if !sub.state.Editable() || e.Base != sub.version {
		return forms.SaveResult{}, forms.Errorf(forms.KindConflict, "%s: %s at version %d, edit from %d", org.Code, sub.state, sub.version, e.Base)
	}
	sub.answers = e.Answers
	sub.version++
	if sub.state == forms.NotStarted {
		sub.state = forms.InDraft
	}
	return forms.SaveResult{Version: sub.version}, nil
}

func (s *seedStore) Transition(_ context.Context, r forms.TransitionRequest) (forms.Submission, error) {
	sub := s.sub(r.Call, r.Organization.Code)
	to, err := forms.Decide(r.User, s.orgs[r.Organization.Code], r.Call, sub.state, r.Transition, r.At)
	if err != nil {
		return forms.Submission{}, err
	}
	if err := r.Validate(); err != nil {
		return forms.Submission{}, err
	}
	if r.Transition == forms.TransitionSubmit {
		q, _ := s.lib.Version(r.Call.Questionnaire, r.Call.Version)
		if b := forms.Blocking(forms.Check(q, sub.answers, r.Call.Years), sub.answers); len(b) > 0 {
			return forms.Submission{}, forms.Errorf(forms.KindInvalid, "%s: %d problems stop the submission, the first %s", r.Organization.Code, len(b), b[0].Key)
		}
	}
	sub.state = to
	s.events = append(s.events, seedEvent{r.Call.Key, r.Organization.Code, r.Transition, r.At})
	return forms.Submission{State: to, DraftVersion: sub.version}, nil
}

func (s *seedStore) ReportDraft(context.Context, forms.Call) (forms.ReportDraft, error) {
	return forms.ReportDraft{}, nil
}

func (s *seedStore) SaveReportDraft(context.Context, forms.Call, forms.ReportDraft, forms.Actor) error {
	return nil
}

func (s *seedStore) ReleaseReport(context.Context, forms.Call, *forms.Questionnaire, forms.Actor) (forms.Report, error) {
	return forms.Report{}, nil
}

// TestSeedPlausible: every answer the demo seeds passes the questionnaire's
// checker (no error; a warning only where the demo shows one on purpose,
// explained: Germany's break in burglaries), its statistics keep the
// relations between tables and each State's order of magnitude, and the
// answers came in over the weeks the calls have been open, each
// organization's steps in order, none late.
func TestSeedPlausible(t *testing.T) {
	lib, err := definition.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	s := newSeedStore(lib)
	if err := EnsureCalls(context.Background(), s, lib, now); err != nil {
		t.Fatal(err)
	}
	if len(s.subs) != 11 {
		t.Errorf("%d answers seeded, want 11", len(s.subs))
	}
	for k, sub := range s.subs {
		callKey, code, _ := strings.Cut(k, "/")
		call := s.calls[callKey]
		q, _ := lib.Version(call.Questionnaire, call.Version)
		for _, f := range forms.Check(q, sub.answers, call.Years) {
			switch {
			case f.Severity != forms.SeverityWarning:
				t.Errorf("%s: %s", k, f.Key)
			case sub.answers.Explanations[f.Key] == "":
				t.Errorf("%s: unexplained warning %s", k, f.Key)
			case code != "DEU" || f.Question != "police_offences" || f.Row != "burglary":
				t.Errorf("%s: a warning the demo does not mean to show: %s", k, f.Key)
			}
		}
		if call.Questionnaire == "crime-statistics" {
			for _, bad := range synthetic.Implausible(q, sub.answers, call.Years, code) {
				t.Errorf("%s: %s", k, bad)
			}
		}
	}

	days := map[int]bool{}
	last := map[string]time.Time{}
	for _, e := range s.events {
		call := s.calls[e.call]
		if e.at.Before(call.Opens) || e.at.After(now) || call.Late(e.at) {
			t.Errorf("%s %s %s at %v: outside %v to %v", e.call, e.org, e.transition, e.at, call.Opens, now)
		}
		if prev, ok := last[e.call+e.org]; ok && !e.at.After(prev) {
			t.Errorf("%s %s: %s at %v, not after the step before (%v)", e.call, e.org, e.transition, e.at, prev)
		}
		last[e.call+e.org] = e.at
		days[int(now.Sub(e.at).Hours()/24)] = true
	}
	if len(days) < 8 {
		t.Errorf("the steps fall on %d different days, want variety: %v", len(days), days)
	}
}

// TestGenerateViewsAll: the views of every Member State, as portal demo
// generate makes them, pass the checker and are submitted and accepted.
func TestGenerateViewsAll(t *testing.T) {
	lib, err := definition.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	s := newSeedStore(lib)
	call, err := GenerateViews(context.Background(), s, lib, 193, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	q, _ := lib.Version(call.Questionnaire, call.Version)
	accepted := 0
	for k, sub := range s.subs {
		if sub.state == forms.Accepted {
			accepted++
		}
		for _, f := range forms.Check(q, sub.answers, nil) {
			t.Errorf("%s: %s", k, f.Key)
		}
	}
	codes := slices.Sorted(func(yield func(string) bool) {
		for k := range s.subs {
			if !yield(strings.TrimPrefix(k, call.Key+"/")) {
				return
			}
		}
	})
	if accepted != 193 || slices.Contains(codes, "PSE") {
		t.Errorf("%d accepted of %d: %s", accepted, len(codes), fmt.Sprint(codes[:min(5, len(codes))]))
	}
}
