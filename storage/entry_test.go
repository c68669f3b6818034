package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"portal/forms"
)

// The Office's entry on an organization's behalf: refused to its focal
// point's Submit right and to anyone but the Office, recorded on the
// version and in the responses, audited with the analyst as the actor.
func TestEntryOnBehalf(t *testing.T) {
	s, _ := storeWithDB(t)
	ctx := context.Background()
	aut := orgRef(t, s, "AUT")
	now := time.Now()
	c := openCall(t, s, now.Add(time.Hour))
	if _, err := saveViews(t, s, c, aut, 0, "Views sent by e-mail."); err != nil {
		t.Fatal(err)
	}
	analyst := &forms.User{ID: 0, Email: "analyst@example.org", Memberships: []forms.Membership{{Role: forms.Analyst}}}
	entry := &forms.OfficeEntry{Channel: forms.ChannelEmail, ReceivedOn: time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC), ReceivedFrom: " Ministry of Interior "}
	req := forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: aut, Transition: forms.TransitionSubmit,
		At: now, Entry: entry, Actor: forms.Actor{Label: "analyst@example.org"}}

	// A focal point submits for their organization, not as the Office.
	req.User = focalPoint(aut)
	if _, err := s.Transition(ctx, req); forms.KindOf(err) != forms.KindForbidden {
		t.Fatalf("a focal point's entry on behalf: %v, want forbidden", err)
	}
	// Nor does the Office submit as the organization.
	plain := req
	plain.User, plain.Entry = analyst, nil
	if _, err := s.Transition(ctx, plain); forms.KindOf(err) != forms.KindForbidden {
		t.Fatalf("the Office's plain submission: %v, want forbidden", err)
	}
	// An entry that does not say how it came is refused, and nothing is submitted.
	bad := req
	bad.User, bad.Entry = analyst, &forms.OfficeEntry{Channel: "pigeon", ReceivedOn: now.Add(48 * time.Hour)}
	if _, err := s.Transition(ctx, bad); forms.KindOf(err) != forms.KindInvalid {
		t.Fatalf("an entry without channel, day and sender: %v, want invalid", err)
	}
	req.User = analyst
	sub, err := s.Transition(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := sub.Latest()
	want := &forms.OfficeEntry{Channel: forms.ChannelEmail, ReceivedOn: entry.ReceivedOn, ReceivedFrom: "Ministry of Interior"}
	if sub.State != forms.Submitted || len(sub.Versions) != 1 || v.SubmittedBy != "analyst@example.org" {
		t.Fatalf("after the entry: %s, %d versions, by %q", sub.State, len(sub.Versions), v.SubmittedBy)
	}
	if diff := cmp.Diff(want, v.Entry); diff != "" {
		t.Errorf("the version's entry (-want +got):\n%s", diff)
	}
	full, err := s.SubmissionVersion(ctx, c, aut, 1)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, full.Entry); diff != "" {
		t.Errorf("SubmissionVersion's entry (-want +got):\n%s", diff)
	}
	rs, err := s.Responses(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		switch {
		case r.Organization.Code == "AUT" && cmp.Diff(want, r.Entry) != "":
			t.Errorf("AUT's response: entry %+v, want %+v", r.Entry, want)
		case r.Organization.Code != "AUT" && r.Entry != nil:
			t.Errorf("%s's response: entry %+v, want none", r.Organization.Code, r.Entry)
		}
	}
	evs, err := s.AuditEvents(ctx, forms.AuditFilter{Action: "submission.submit"})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 {
		t.Fatalf("%d submission events, want 1", len(evs))
	}
	ev := evs[0]
	if ev.Actor.Label != "analyst@example.org" || ev.Organization.Code != "AUT" {
		t.Errorf("the event's actor %q, organization %q", ev.Actor.Label, ev.Organization.Code)
	}
	for k, w := range map[string]string{"on_behalf_of": "AUT", "channel": "email", "received_on": "2026-03-12", "received_from": "Ministry of Interior"} {
		if ev.Details[k] != w {
			t.Errorf("the event's %s = %q, want %q", k, ev.Details[k], w)
		}
	}

	// Returned, the organization's focal point answers as after any submission.
	if _, err := s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: aut, User: analyst,
		Transition: forms.TransitionReturn, At: now, Message: "Please check the views.", Actor: forms.Actor{Label: "analyst@example.org"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := saveViews(t, s, c, aut, 1, "Views, checked."); err != nil {
		t.Fatal(err)
	}
	sub, err = s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: aut, User: focalPoint(aut),
		Transition: forms.TransitionSubmit, At: now, Actor: forms.Actor{Label: "fp"}})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := sub.Latest(); v.Number != 2 || v.Entry != nil || sub.Versions[0].Entry == nil {
		t.Errorf("after the focal point's resubmission: version %d entry %+v, first %+v", v.Number, v.Entry, sub.Versions[0].Entry)
	}
}
