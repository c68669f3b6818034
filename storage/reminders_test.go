package storage_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"portal/forms"
	"portal/storage"
	"portal/storage/storagetest"
)

// reminded returns, by organization code, how many reminder messages of
// day there are.
func reminded(t *testing.T, db *sql.DB, day int) map[string]int {
	t.Helper()
	rows, err := db.Query(`SELECT o.code, count(*) FROM mail m JOIN organizations o ON o.id = m.organization_id
		WHERE m.kind = 'reminder' AND COALESCE((m.about->>'day')::int, 0) = $1 GROUP BY o.code`, day)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var code string
		var n int
		if err := rows.Scan(&code, &n); err != nil {
			t.Fatal(err)
		}
		out[code] = n
	}
	return out
}

// TestReminders: a call reminding 7 and 1 days before its deadline and 7
// after, on a fake clock. A reminder goes to the focal points of the
// organizations that have not answered (Austria's two), not to one that
// submitted (France), and an organization with no focal point (Belgium)
// gets nothing but is counted; each round is done once, by one of two
// replicas asking together; a round whose time passed while a later one's
// came is recorded unsent.
func TestReminders(t *testing.T) {
	url := storagetest.NewDatabase(t)
	ctx := context.Background()
	s, err := storage.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	db := rawDB(t, url)
	deadline := time.Now().Add(30 * 24 * time.Hour).Truncate(time.Minute)
	c := openCall(t, s, deadline)
	c.Reminders, c.LateAllowed = []int{7, 1, -7}, true
	c, err = s.SaveCall(ctx, c, forms.Actor{Label: "analyst"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	aut, fra := orgRef(t, s, "AUT"), orgRef(t, s, "FRA")
	for _, inv := range []struct {
		email string
		org   forms.OrganizationRef
	}{{"fp1@aut.example.org", aut}, {"fp2@aut.example.org", aut}, {"fp@fra.example.org", fra}} {
		invite(t, s, inv.email, forms.FocalPoint, inv.org, now)
		signIn(t, s, inv.email, true)
	}
	if _, err := saveViews(t, s, c, fra, 0, "Vues."); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: fra, User: focalPoint(fra),
		Transition: forms.TransitionSubmit, At: now, Actor: forms.Actor{Label: "fp"}}); err != nil {
		t.Fatal(err)
	}
	asked, err := s.Responses(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	unanswered := len(asked) - 1 // all but France

	if sent, err := s.SendDueReminders(ctx, deadline.Add(-8*24*time.Hour)); err != nil || len(sent) != 0 {
		t.Fatalf("eight days before: %v, %v; want nothing", sent, err)
	}
	at7 := deadline.Add(-7*24*time.Hour + time.Minute)
	sent, err := s.SendDueReminders(ctx, at7)
	if err != nil || sent[c.Key] != unanswered {
		t.Fatalf("seven days before: %v, %v; want %d organizations", sent, err, unanswered)
	}
	got := reminded(t, db, 7)
	if got["AUT"] != 2 || got["FRA"] != 0 || got["BEL"] != 0 {
		t.Errorf("reminders of day 7: %v; want two for Austria's focal points, none for France (submitted) or Belgium (no focal point)", got)
	}
	if sent, _ := s.SendDueReminders(ctx, at7.Add(time.Hour)); len(sent) != 0 {
		t.Errorf("asked again: %v; a round is done once", sent)
	}

	// Two replicas at once, a day before the deadline: one round.
	other, err := storage.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var wg sync.WaitGroup
	at1 := deadline.Add(-24*time.Hour + time.Minute)
	for _, st := range []*storage.Store{s, other} {
		wg.Go(func() {
			if _, err := st.SendDueReminders(ctx, at1); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := reminded(t, db, 1); got["AUT"] != 2 {
		t.Errorf("reminders of day 1 from two replicas: %v; want Austria's two, once", got)
	}

	// Set after their time: only the latest goes; the rounds it supersedes
	// are recorded, unsent.
	late := c
	late.ID, late.Key, late.Reminders = 0, "late-reminders", []int{30, 7, 1}
	if late, err = s.SaveCall(ctx, late, forms.Actor{Label: "analyst"}); err != nil {
		t.Fatal(err)
	}
	if sent, err := s.SendDueReminders(ctx, at1.Add(time.Hour)); err != nil || sent[late.Key] == 0 {
		t.Fatalf("reminders set late: %v, %v", sent, err)
	}
	rounds, err := s.ReminderRounds(ctx, late)
	if err != nil {
		t.Fatal(err)
	}
	if len(rounds) != 3 || !rounds[0].Superseded || !rounds[1].Superseded || rounds[2].Superseded || rounds[2].Day != 1 {
		t.Errorf("rounds of a call whose reminders were set late: %+v; want 30 and 7 superseded, 1 sent", rounds)
	}

	if n, err := s.RemindNow(ctx, c, []string{"AUT", "BEL"}, at1, forms.Actor{Label: "analyst"}); err != nil || n != 2 {
		t.Errorf("reminding Austria and Belgium now: %d messages, %v; want 2 (Belgium has no focal point)", n, err)
	}
	if _, err := s.RemindNow(ctx, c, []string{"CHN"}, at1, forms.Actor{Label: "analyst"}); forms.KindOf(err) != forms.KindInvalid {
		t.Errorf("reminding an organization the call does not ask: %v", err)
	}

	// The tracking page's view: contacts, and the last reminder each got.
	contacts, err := s.CallContacts(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if got := contacts[aut.ID]; len(got) != 2 || got[0].Role != forms.FocalPoint || got[0].Email != "fp1@aut.example.org" || got[0].LastSignIn.IsZero() {
		t.Errorf("Austria's contacts: %+v", got)
	}
	if got := contacts[orgRef(t, s, "BEL").ID]; len(got) != 0 {
		t.Errorf("Belgium's contacts: %+v, want none", got)
	}
	last, err := s.CallReminded(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if got := last[aut.ID]; got.Day != 1 || got.Queued != 2 || got.Sent != 0 || got.At.IsZero() {
		t.Errorf("Austria's last reminder: %+v, want day 1, two messages queued", got)
	}
	if _, ok := last[fra.ID]; ok {
		t.Error("France, which submitted, was reminded")
	}
}
