package storage_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"portal/forms"
	"portal/storage"
)

// smallQuestionnaire has one required narrative question.
var smallQuestionnaire = &forms.Questionnaire{Key: "small", Version: 1, Title: forms.Text{forms.English: "Small"},
	Sections: []forms.Section{{Key: "s", Title: forms.Text{forms.English: "S"}, Questions: []forms.Question{
		{Key: "views", Kind: forms.Narrative, Required: true, Label: forms.Text{forms.English: "Views"}},
	}}}}

func openCall(t *testing.T, s *storage.Store, deadline time.Time) forms.Call {
	t.Helper()
	c, err := s.SaveCall(context.Background(), forms.Call{Key: "small-call", Reference: "CCPCJ22-P4", Title: forms.Text{forms.English: "Small call"},
		Questionnaire: "small", Version: 1, State: forms.CallOpen, Deadline: deadline, TimeZone: "Europe/Vienna",
		Audience: forms.Audience{Groups: []string{"WEOG"}, Organizations: []string{"EU"}}}, forms.Actor{Label: "analyst"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func focalPoint(org forms.OrganizationRef) *forms.User {
	return &forms.User{ID: 0, Email: "fp@" + strings.ToLower(org.Code), Memberships: []forms.Membership{{Role: forms.FocalPoint, Organization: org}}}
}

var analyst = &forms.User{Email: "analyst@unodc.org", Memberships: []forms.Membership{{Role: forms.Analyst}}}

func saveViews(t *testing.T, s *storage.Store, c forms.Call, org forms.OrganizationRef, base int, text string) (forms.SaveResult, error) {
	t.Helper()
	return s.SaveDraft(context.Background(), c, org, forms.Edit{Base: base, Fields: []string{"q/views"},
		Answers: forms.Answers{Values: map[string]forms.Answer{"views": {Text: text}}}}, forms.Actor{Label: "fp"})
}

func TestSubmissionLife(t *testing.T) {
	s, db := storeWithDB(t)
	ctx := context.Background()
	aut := orgRef(t, s, "AUT")
	now := time.Now()
	c := openCall(t, s, now.Add(24*time.Hour))
	fp := focalPoint(aut)
	act := forms.Actor{Label: "fp@aut"}

	// Nothing answered: the required question stops it.
	_, err := s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: aut, User: fp, Transition: forms.TransitionSubmit, At: now, Actor: act})
	wantKind(t, "submitting nothing", err, forms.KindInvalid)

	if _, err := saveViews(t, s, c, aut, 0, "First views."); err != nil {
		t.Fatal(err)
	}
	sub, err := s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: aut, User: fp, Transition: forms.TransitionSubmit, At: now, Actor: act})
	if err != nil {
		t.Fatal(err)
	}
	v1, _ := sub.Latest()
	if sub.State != forms.Submitted || v1.Reference != "CCPCJ22-P4-AUT-1" || len(v1.Checksum) != 64 || v1.Late {
		t.Fatalf("after submitting: %+v", sub)
	}
	// Frozen: the draft cannot change, by any route of the store.
	_, err = saveViews(t, s, c, aut, 1, "Changed after submitting.")
	wantKind(t, "saving a submitted draft", err, forms.KindConflict)
	if !errors.Is(err, forms.ErrSubmitted) {
		t.Errorf("saving a submitted draft: %v, not forms.ErrSubmitted", err)
	}
	for _, sql := range []string{`UPDATE submission_answers SET answer = '{}'`, `DELETE FROM submission_versions`,
		`UPDATE submission_versions SET checksum = repeat('0', 64)`, `TRUNCATE submission_versions CASCADE`} {
		if _, err := db.ExecContext(ctx, sql); err == nil || !strings.Contains(err.Error(), "cannot be changed") {
			t.Errorf("%s: %v", sql, err)
		}
	}

	// The Office returns it with a comment on the answer; it is editable again.
	if err := s.AddComment(ctx, c, aut, "q/views", "Please say which ministries take part.", true, forms.Actor{Label: "analyst"}); err != nil {
		t.Fatal(err)
	}
	if sub, err = s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: aut, User: analyst, Transition: forms.TransitionReturn, At: now, Message: "See the comment on your views.", Actor: forms.Actor{Label: "analyst"}}); err != nil || sub.State != forms.Returned {
		t.Fatalf("returning: %+v %v", sub, err)
	}
	comments, err := s.Comments(ctx, c, aut)
	if err != nil || len(comments) != 2 || comments[0].Field != "q/views" || !comments[0].Office || comments[1].Field != "" {
		t.Fatalf("comments: %+v %v", comments, err)
	}
	if _, err := saveViews(t, s, c, aut, 1, "Revised views: the ministries of tourism and interior."); err != nil {
		t.Fatal(err)
	}
	if sub, err = s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: aut, User: fp, Transition: forms.TransitionSubmit, At: now, Actor: act}); err != nil {
		t.Fatal(err)
	}
	v2, _ := sub.Latest()
	if v2.Number != 2 || v2.Reference != "CCPCJ22-P4-AUT-2" || v2.Checksum == v1.Checksum {
		t.Fatalf("second version: %+v", v2)
	}
	first, err := s.SubmissionVersion(ctx, c, aut, 1)
	if err != nil {
		t.Fatal(err)
	}
	second, _ := s.SubmissionVersion(ctx, c, aut, 2)
	if d := forms.Diff(first.Answers, second.Answers); len(d) != 1 || d[0].Field != "q/views" {
		t.Errorf("diff between versions: %+v", d)
	}
	if forms.Checksum(first.Answers, first.Files) != v1.Checksum {
		t.Error("the stored checksum is not the content's")
	}
	// Accepted: nothing more to do but read.
	if sub, err = s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: aut, User: analyst, Transition: forms.TransitionAccept, At: now, Actor: forms.Actor{Label: "analyst"}}); err != nil || sub.State != forms.Accepted {
		t.Fatalf("accepting: %+v %v", sub, err)
	}
	_, err = s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: aut, User: fp, Transition: forms.TransitionWithdraw, At: now, Actor: act})
	wantKind(t, "withdrawing an accepted submission", err, forms.KindConflict)
	if got := actionsAndTargets(t, s, forms.AuditFilter{Action: "submission."}); len(got) != 4 {
		t.Errorf("audited transitions: %v", got)
	}

	// Late: taken only where the call allows, and marked.
	ken := orgRef(t, s, "NLD")
	if _, err := saveViews(t, s, c, ken, 0, "Late views."); err != nil {
		t.Fatal(err)
	}
	late := now.Add(48 * time.Hour)
	_, err = s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: ken, User: focalPoint(ken), Transition: forms.TransitionSubmit, At: late, Actor: act})
	wantKind(t, "a late submission where none is taken", err, forms.KindConflict)
	c.LateAllowed = true
	sub, err = s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: ken, User: focalPoint(ken), Transition: forms.TransitionSubmit, At: late, Actor: act})
	if v, _ := sub.Latest(); err != nil || !v.Late {
		t.Errorf("a late submission: %+v %v", sub, err)
	}
}

// TestSubmitRaces: two submit clicks give one version; a save racing a
// submission either lands in the draft before the freeze (and so in the
// version) or is refused, never lost silently.
func TestSubmitRaces(t *testing.T) {
	s, _ := storeWithDB(t)
	ctx := context.Background()
	aut := orgRef(t, s, "AUT")
	now := time.Now()
	c := openCall(t, s, now.Add(time.Hour))
	fp := focalPoint(aut)
	if _, err := saveViews(t, s, c, aut, 0, "Views."); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: aut, User: fp, Transition: forms.TransitionSubmit, At: now, Actor: forms.Actor{Label: "fp"}})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if forms.KindOf(err) != forms.KindConflict {
			t.Errorf("the second click: %v, want a conflict", err)
		}
	}
	sub, _ := s.Submission(ctx, c, aut)
	if ok != 1 || len(sub.Versions) != 1 {
		t.Fatalf("two clicks: %d succeeded, %d versions", ok, len(sub.Versions))
	}

	// Withdraw, then race a save against a submission, many times.
	for i := range 10 {
		if _, err := s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: aut, User: fp, Transition: forms.TransitionWithdraw, At: now, Actor: forms.Actor{Label: "fp"}}); err != nil {
			t.Fatal(err)
		}
		d, _ := s.Draft(ctx, c, aut)
		text := "Views, take " + string(rune('a'+i))
		var saveErr, submitErr error
		wg.Go(func() { _, saveErr = saveViews(t, s, c, aut, d.Version, text) })
		wg.Go(func() {
			_, submitErr = s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: aut, User: fp, Transition: forms.TransitionSubmit, At: now, Actor: forms.Actor{Label: "fp"}})
		})
		wg.Wait()
		if submitErr != nil {
			t.Fatal(submitErr)
		}
		sub, _ := s.Submission(ctx, c, aut)
		latest, _ := sub.Latest()
		v, err := s.SubmissionVersion(ctx, c, aut, latest.Number)
		if err != nil {
			t.Fatal(err)
		}
		got := v.Answers.Values["views"].Text
		switch {
		case saveErr == nil && got != text:
			t.Errorf("take %d: the save succeeded but the version holds %q", i, got)
		case saveErr != nil && (forms.KindOf(saveErr) != forms.KindConflict || got == text):
			t.Errorf("take %d: the save was refused (%v) but the version holds %q", i, saveErr, got)
		}
	}
}

func TestResponses(t *testing.T) {
	s, _ := storeWithDB(t)
	ctx := context.Background()
	now := time.Now()
	c := openCall(t, s, now.Add(time.Hour))
	aut, eu, deu := orgRef(t, s, "AUT"), orgRef(t, s, "EU"), orgRef(t, s, "DEU")
	if _, err := saveViews(t, s, c, aut, 0, "Draft views."); err != nil {
		t.Fatal(err)
	}
	if _, err := saveViews(t, s, c, eu, 0, "Views of the Union."); err != nil {
		t.Fatal(err)
	}
	euFP := focalPoint(eu)
	if err := s.Represent(ctx, c, "EU", []string{"DEU", "FRA"}, forms.Actor{Label: "analyst"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: eu, User: euFP, Transition: forms.TransitionSubmit, At: now, OnBehalfOf: []string{"DEU", "FRA"}, Actor: forms.Actor{Label: "eu"}}); err != nil {
		t.Fatal(err)
	}
	rs, err := s.Responses(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]forms.Response{}
	for _, r := range rs {
		by[r.Organization.Code] = r
	}
	// WEOG's Member States and the EU: 28 + 1 (Türkiye sits in WEOG too).
	if len(rs) < 25 || by["KEN"].Organization.Code != "" {
		t.Errorf("%d organizations asked; Kenya asked: %v", len(rs), by["KEN"].Organization.Code != "")
	}
	if by["AUT"].State != forms.InDraft || by["EU"].State != forms.Submitted || by["EU"].Reference != "CCPCJ22-P4-EU-1" {
		t.Errorf("states: AUT %s, EU %s %s", by["AUT"].State, by["EU"].State, by["EU"].Reference)
	}
	if by[deu.Code].CoveredBy != "EU" || !by[deu.Code].Answered() || by["ITA"].Answered() {
		t.Errorf("joint submission: DEU covered by %q, ITA answered %v", by[deu.Code].CoveredBy, by["ITA"].Answered())
	}
	// Several calls in one statement answer as each alone: a second call,
	// asking every Member State, where Austria has a draft.
	all, err := s.SaveCall(ctx, forms.Call{Key: "all-states", Title: forms.Text{forms.English: "All"}, Questionnaire: "small", Version: 1,
		State: forms.CallOpen, Deadline: now.Add(time.Hour), TimeZone: "UTC", Audience: forms.Audience{AllMemberStates: true}}, forms.Actor{Label: "analyst"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := saveViews(t, s, all, aut, 0, "Views to all."); err != nil {
		t.Fatal(err)
	}
	both, err := s.ResponsesTo(ctx, []forms.Call{c, all})
	if err != nil {
		t.Fatal(err)
	}
	for _, call := range []forms.Call{c, all} {
		one, err := s.Responses(ctx, call)
		if err != nil || !reflect.DeepEqual(one, both[call.ID]) {
			t.Errorf("%s: %d responses alone, %d among two calls (%v)", call.Key, len(one), len(both[call.ID]), err)
		}
	}
	if n := len(both[all.ID]); n < 190 {
		t.Errorf("a call to every Member State asks %d", n)
	}
	// An organization's submissions to every call at once, likewise.
	for _, org := range []forms.OrganizationRef{aut, eu} {
		subs, err := s.SubmissionsOf(ctx, org)
		if err != nil {
			t.Fatal(err)
		}
		for _, call := range []forms.Call{c, all} {
			one, err := s.Submission(ctx, call, org)
			if got, ok := subs[call.ID]; err != nil || ok != (one.DraftID != 0) || (ok && !reflect.DeepEqual(one, got)) {
				t.Errorf("%s to %s: alone %+v, among all %+v (%v)", org.Code, call.Key, one, got, err)
			}
		}
	}
}

// TestAnswerAfterDeadline: the Office returns a submission for
// clarification after the deadline of a call that takes no late
// submissions; the focal point's answer is taken, and not marked late.
// A first submission after the deadline is still refused.
func TestAnswerAfterDeadline(t *testing.T) {
	s, _ := storeWithDB(t)
	ctx := context.Background()
	now := time.Now()
	c := openCall(t, s, now.Add(time.Hour))
	aut, deu := orgRef(t, s, "AUT"), orgRef(t, s, "DEU")
	for _, org := range []forms.OrganizationRef{aut, deu} {
		if _, err := saveViews(t, s, c, org, 0, "Views of "+org.Code); err != nil {
			t.Fatal(err)
		}
	}
	act := forms.Actor{Label: "t"}
	if _, err := s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: aut, User: focalPoint(aut), Transition: forms.TransitionSubmit, At: now, Actor: act}); err != nil {
		t.Fatal(err)
	}
	after := now.Add(48 * time.Hour)
	if _, err := s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: aut, User: analyst, Transition: forms.TransitionReturn, At: after, Message: "Which ministries?", Actor: act}); err != nil {
		t.Fatal(err)
	}
	sub, err := s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: aut, User: focalPoint(aut), Transition: forms.TransitionSubmit, At: after.Add(time.Hour), Actor: act})
	if err != nil {
		t.Fatalf("answering the Office after the deadline: %v", err)
	}
	if v, _ := sub.Latest(); v.Number != 2 || v.Late {
		t.Errorf("the answer: version %d, late %v; want 2, not late", v.Number, v.Late)
	}
	if _, err := s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: deu, User: focalPoint(deu), Transition: forms.TransitionSubmit, At: after, Actor: act}); forms.KindOf(err) != forms.KindConflict {
		t.Errorf("a first submission after the deadline: %v, want refused", err)
	}
}

// TestCloseCallsPastDeadline: an open call past its deadline closes, once
// and audited, unless it takes late submissions; a returned submission in
// it may still be answered.
func TestCloseCallsPastDeadline(t *testing.T) {
	s, db := storeWithDB(t)
	ctx := context.Background()
	now := time.Now()
	c := openCall(t, s, now.Add(time.Hour))
	late, err := s.SaveCall(ctx, forms.Call{Key: "late-ok", Title: forms.Text{forms.English: "Late"}, Questionnaire: "small", Version: 1,
		State: forms.CallOpen, Deadline: now.Add(time.Hour), TimeZone: "UTC", LateAllowed: true, Audience: forms.Audience{AllMemberStates: true}}, forms.Actor{Label: "t"})
	if err != nil {
		t.Fatal(err)
	}
	aut := orgRef(t, s, "AUT")
	if _, err := saveViews(t, s, c, aut, 0, "Views."); err != nil {
		t.Fatal(err)
	}
	act := forms.Actor{Label: "t"}
	if _, err := s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: aut, User: focalPoint(aut), Transition: forms.TransitionSubmit, At: now, Actor: act}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: aut, User: analyst, Transition: forms.TransitionReturn, At: now, Message: "Which ministries?", Actor: act}); err != nil {
		t.Fatal(err)
	}
	portal := forms.Actor{Label: "the portal"}
	if keys, err := s.CloseCallsPastDeadline(ctx, now, portal); err != nil || len(keys) != 0 {
		t.Fatalf("before the deadline: %v, %v", keys, err)
	}
	after := now.Add(2 * time.Hour)
	keys, err := s.CloseCallsPastDeadline(ctx, after, portal)
	if err != nil || len(keys) != 1 || keys[0] != c.Key {
		t.Fatalf("after the deadline: %v, %v; want %s alone (%s takes late submissions)", keys, err, c.Key, late.Key)
	}
	if again, err := s.CloseCallsPastDeadline(ctx, after, portal); err != nil || len(again) != 0 {
		t.Errorf("closing again: %v, %v", again, err)
	}
	closed, err := s.CallByKey(ctx, c.Key)
	if err != nil || closed.State != forms.CallClosed {
		t.Fatalf("the call: %s, %v", closed.State, err)
	}
	var audited int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE action = 'call.closed' AND target = $1 AND actor = 'the portal'`, c.Key).Scan(&audited); err != nil || audited != 1 {
		t.Errorf("audit entries: %d, %v", audited, err)
	}
	if _, err := s.Transition(ctx, forms.TransitionRequest{Call: closed, Questionnaire: smallQuestionnaire, Organization: aut, User: focalPoint(aut), Transition: forms.TransitionSubmit, At: after, Actor: act}); err != nil {
		t.Errorf("answering the Office in the closed call: %v", err)
	}
}

// TestHiddenAnswersNotSubmitted: an answer to a question that an earlier
// answer hides stays in the draft (changing the answer back restores it)
// but is not in the submitted version, nor in its checksum.
func TestHiddenAnswersNotSubmitted(t *testing.T) {
	s, _ := storeWithDB(t)
	ctx := context.Background()
	now := time.Now()
	c := openCall(t, s, now.Add(time.Hour))
	aut := orgRef(t, s, "AUT")
	q := &forms.Questionnaire{Key: "small", Version: 1, Title: forms.Text{forms.English: "Small"},
		Sections: []forms.Section{{Key: "s", Title: forms.Text{forms.English: "S"}, Questions: []forms.Question{
			{Key: "exists", Kind: forms.YesNo, Required: true, Label: forms.Text{forms.English: "Partnerships?"}},
			{Key: "views", Kind: forms.Narrative, Required: true, Label: forms.Text{forms.English: "Partners"},
				Relevant: &forms.Condition{Question: "exists", Answers: []string{forms.AnswerYes}}},
			{Key: "bodies", Kind: forms.MultipleChoice, Label: forms.Text{forms.English: "Bodies"}, Options: []forms.Option{
				{Key: "police", Label: forms.Text{forms.English: "Police"}},
				{Key: "joint_unit", Label: forms.Text{forms.English: "A joint unit"}, Relevant: &forms.Condition{Question: "exists", Answers: []string{forms.AnswerYes}}},
			}},
		}}}}
	no := false
	if _, err := s.SaveDraft(ctx, c, aut, forms.Edit{Fields: []string{"q/exists", "q/views", "q/bodies"}, Answers: forms.Answers{Values: map[string]forms.Answer{
		"exists": {Bool: &no}, "views": {Text: "Hotels"}, "bodies": {Choices: []string{"police", "joint_unit"}}}}}, forms.Actor{Label: "fp"}); err != nil {
		t.Fatal(err)
	}
	sub, err := s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: q, Organization: aut, User: focalPoint(aut), Transition: forms.TransitionSubmit, At: now, Actor: forms.Actor{Label: "fp"}})
	if err != nil {
		t.Fatalf("submitting with the required question hidden: %v", err)
	}
	v, err := s.SubmissionVersion(ctx, c, aut, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := v.Answers.Values["views"]; ok || len(v.Answers.Values) != 2 || strings.Join(v.Answers.Values["bodies"].Choices, ",") != "police" {
		t.Errorf("submitted answers: %+v, want exists and bodies without the joint unit", v.Answers.Values)
	}
	if latest, _ := sub.Latest(); latest.Checksum != forms.Checksum(v.Answers, v.Files) {
		t.Error("the checksum is not the submitted content's")
	}
	// The compiled views (and the report, which reads them) count what
	// was submitted: the hidden answer is not among them.
	compiled, err := s.ViewAnswers(ctx, c, true, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, va := range compiled {
		if va.Question == "views" {
			t.Errorf("the compiled views hold the hidden answer of %s: %+v", va.Organization.Code, va.Answer)
		}
	}
	if len(compiled) != 2 {
		t.Errorf("compiled views: %d answers, want 2 (exists, bodies)", len(compiled))
	}
	d, err := s.Draft(ctx, c, aut)
	if err != nil {
		t.Fatal(err)
	}
	if d.Answers.Values["views"].Text != "Hotels" || len(d.Answers.Values["bodies"].Choices) != 2 {
		t.Errorf("the draft lost the hidden answer: %+v", d.Answers.Values)
	}
}

// TestHiddenRowsNotSubmitted: where wildlife trafficking is no offence,
// the figures typed in its row, and the explanation of a finding on them,
// stay in the draft but are not in the submitted version, its checksum or
// its count of figures; the other rows are.
func TestHiddenRowsNotSubmitted(t *testing.T) {
	s, db := storeWithDB(t)
	ctx := context.Background()
	now := time.Now()
	c, err := s.SaveCall(ctx, forms.Call{Key: "stats-call", Reference: "CCPCJ22-S1", Title: forms.Text{forms.English: "Statistics"},
		Questionnaire: "small", Version: 1, State: forms.CallOpen, Deadline: now.Add(time.Hour), TimeZone: "Europe/Vienna", Years: []int{2022, 2023},
		Audience: forms.Audience{Groups: []string{"WEOG"}}}, forms.Actor{Label: "analyst"})
	if err != nil {
		t.Fatal(err)
	}
	aut := orgRef(t, s, "AUT")
	label := forms.Text{forms.English: "L"}
	q := &forms.Questionnaire{Key: "small", Version: 1, Title: label,
		Sections: []forms.Section{{Key: "s", Title: label, Questions: []forms.Question{
			{Key: "law", Kind: forms.YesNo, Label: label},
			{Key: "police", Kind: forms.StatTable, Label: label, Required: true, Table: &forms.Table{Rows: []forms.Indicator{
				{Key: "theft", Label: label},
				{Key: "wildlife", Label: label, Relevant: &forms.Condition{Question: "law", Answers: []string{forms.AnswerYes}}},
			}}},
		}}},
		Rules: []forms.Rule{{Key: "police_change", Kind: forms.RuleYearChange, Severity: forms.SeverityWarning, Question: "police", MaxShare: 0.5}}}
	cell := func(row string, y int) forms.CellRef {
		return forms.CellRef{Question: "police", Row: row, Year: y, Category: forms.TotalCategory}
	}
	no := false
	typed := forms.Answers{Values: map[string]forms.Answer{"law": {Bool: &no}},
		Cells: map[forms.CellRef]forms.Cell{
			cell("theft", 2023):    {State: forms.CellValue, Value: 900},
			cell("wildlife", 2022): {State: forms.CellValue, Value: 3},
			cell("wildlife", 2023): {State: forms.CellNotAvailable},
		},
		Explanations: map[string]string{"police_change/wildlife/2023/total": "a new unit"}}
	if _, err := s.SaveDraft(ctx, c, aut, forms.Edit{Fields: typed.Fields(), Answers: typed}, forms.Actor{Label: "fp"}); err != nil {
		t.Fatal(err)
	}
	sub, err := s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: q, Organization: aut, User: focalPoint(aut), Transition: forms.TransitionSubmit, At: now, Actor: forms.Actor{Label: "fp"}})
	if err != nil {
		t.Fatalf("submitting: %v", err)
	}
	v, err := s.SubmissionVersion(ctx, c, aut, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := map[forms.CellRef]forms.Cell{cell("theft", 2023): {State: forms.CellValue, Value: 900}}
	if diff := cmp.Diff(want, v.Answers.Cells); diff != "" {
		t.Errorf("submitted cells (-want +got):\n%s", diff)
	}
	if len(v.Answers.Explanations) != 0 {
		t.Errorf("submitted explanations: %v, want none (the finding is on a hidden row)", v.Answers.Explanations)
	}
	if latest, _ := sub.Latest(); latest.Checksum != forms.Checksum(v.Answers, v.Files) {
		t.Error("the checksum is not the submitted content's")
	}
	var figures, marked int
	if err := db.QueryRowContext(ctx, `SELECT figures, marked FROM submission_table_counts k JOIN submission_versions v ON v.id = k.version_id
		WHERE v.reference = $1 AND k.question = 'police'`, v.Reference).Scan(&figures, &marked); err != nil || figures != 1 || marked != 0 {
		t.Errorf("counted: %d figures, %d marked (%v); want 1 and 0", figures, marked, err)
	}
	d, err := s.Draft(ctx, c, aut)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Answers.Cells) != 3 || d.Answers.Explanations["police_change/wildlife/2023/total"] == "" {
		t.Errorf("the draft lost what the hidden row held: %+v, %v", d.Answers.Cells, d.Answers.Explanations)
	}
}
