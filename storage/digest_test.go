package storage_test

import (
	"context"
	"testing"
	"time"

	"portal/forms"
)

// TestDigests: the day's digest goes to each analyst when something was
// submitted over the 24 hours before, listing new submissions apart from
// answers to returns; nothing submitted, no digest.
func TestDigests(t *testing.T) {
	s, db := storeWithDB(t)
	ctx := context.Background()
	now := time.Now()
	c := openCall(t, s, now.Add(time.Hour))
	invite(t, s, "mei@unodc.example.org", forms.Analyst, forms.OrganizationRef{}, now)
	signIn(t, s, "mei@unodc.example.org", true)
	if n, err := s.SendDigests(ctx, now); err != nil || n != 0 {
		t.Fatalf("nothing submitted: %d digests, %v", n, err)
	}
	aut, fra := orgRef(t, s, "AUT"), orgRef(t, s, "FRA")
	act := forms.Actor{Label: "t"}
	for _, org := range []forms.OrganizationRef{aut, fra} {
		if _, err := saveViews(t, s, c, org, 0, "Views."); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: org, User: focalPoint(org), Transition: forms.TransitionSubmit, At: now, Actor: act}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: aut, User: analyst, Transition: forms.TransitionReturn, At: now, Message: "Which ministries?", Actor: act}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: aut, User: focalPoint(aut), Transition: forms.TransitionSubmit, At: now, Actor: act}); err != nil {
		t.Fatal(err)
	}
	later := time.Now()
	items, err := s.SubmittedBetween(ctx, later.Add(-24*time.Hour), later)
	if err != nil {
		t.Fatal(err)
	}
	var answers, news int
	for _, it := range items {
		if it.Call != c.Key || it.CallTitle[forms.English] != "Small call" {
			t.Errorf("item %+v", it)
		}
		if it.Answer {
			answers++
			if it.Organization.Code != "AUT" {
				t.Errorf("an answer to a return from %s", it.Organization.Code)
			}
		} else {
			news++
		}
	}
	if news != 2 || answers != 1 {
		t.Errorf("%d new submissions and %d answers to returns, want 2 and 1", news, answers)
	}
	if n, err := s.SendDigests(ctx, later); err != nil || n != 1 {
		t.Fatalf("digests: %d, %v; want one, to the analyst", n, err)
	}
	var id int64
	if err := db.QueryRow(`SELECT id FROM mail WHERE kind = 'digest'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	m, err := s.Mail(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if m.Recipient != "mei@unodc.example.org" || !m.Until.Equal(later.Truncate(time.Microsecond)) && m.Until.Sub(later).Abs() > time.Millisecond || m.Until.Sub(m.Since) != 24*time.Hour {
		t.Errorf("the digest: %+v", m)
	}
}
