package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"portal/forms"
	"portal/forms/demo"
	"portal/storage"
	"portal/storage/storagetest"
)

// TestTwoPortals: two `portal serve` processes on one database, as two
// replicas, with a relay on this machine. The periodic work runs once: a
// call past its deadline is closed once, the views call's reminder round
// that is due when they start is sent once (each focal point reminded
// once), the chores are inserted once; every message reaches the relay
// once.
func TestTwoPortals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := storagetest.NewDatabase(t)
	store, err := storage.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	// Twenty Member States with two focal points each, and a call whose
	// deadline has passed.
	states, err := store.Organizations(ctx, forms.MemberState)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	seedFocalPoints(t, store, states[:20], now)
	past, err := store.SaveCall(ctx, forms.Call{Key: "past-deadline", Title: forms.Text{forms.English: "Past"}, Questionnaire: "tourism-views", Version: 1,
		State: forms.CallOpen, Deadline: now.Add(time.Hour), TimeZone: "UTC", Audience: forms.Audience{Organizations: []string{"EU"}}}, forms.Actor{Label: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE calls SET deadline = now() - interval '1 hour' WHERE id = $1`, past.ID); err != nil {
		t.Fatal(err)
	}

	rl := newRelay(t)
	for range 2 {
		addr := freeAddr(t)
		p := startBinary(t, portalBin, []string{"PORTAL_DATABASE_URL=" + dbURL, "PORTAL_ADDR=" + addr, "PORTAL_LOG_LEVEL=warn",
			"PORTAL_SMTP_URL=" + rl.url(), "PORTAL_MAIL_FROM=portal@localhost"}, "serve")
		waitReady(t, p, addr, 90*time.Second)
	}

	views := demo.Calls(now)[0].Key // its first reminder's day is past
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := db.QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for end := time.Now().Add(90 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		rounds := count(`SELECT count(*) FROM reminder_rounds r JOIN calls c ON c.id = r.call_id WHERE c.key = $1`, views)
		closed := count(`SELECT count(*) FROM calls WHERE id = $1 AND state = 'closed'`, past.ID)
		queued := count(`SELECT count(*) FROM mail WHERE state = 'queued'`)
		if rounds > 0 && closed == 1 && queued == 0 {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("after 90 s: %d rounds, call closed %d, %d messages queued", rounds, closed, queued)
		}
	}
	time.Sleep(3 * time.Second) // time for a second replica to do it again, if it would

	if n := count(`SELECT count(*) FROM audit_events WHERE action = 'call.closed' AND target = $1`, past.Key); n != 1 {
		t.Errorf("the call past its deadline was closed %d times", n)
	}
	if n := count(`SELECT count(*) FROM reminder_rounds r JOIN calls c ON c.id = r.call_id WHERE c.key = $1`, views); n != 1 {
		t.Errorf("%d reminder rounds of the views call", n)
	}
	// Of the twenty, those the demo has not answered for are reminded.
	vc, err := store.CallByKey(ctx, views)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := store.Responses(ctx, vc)
	if err != nil {
		t.Fatal(err)
	}
	ours := map[string]bool{}
	for _, o := range states[:20] {
		ours[o.Code] = true
	}
	want := 0
	for _, o := range forms.RemindWhom(rs) {
		if ours[o.Code] {
			want += 2
		}
	}
	reminders := count(`SELECT count(*) FROM mail m JOIN calls c ON c.id = m.call_id WHERE c.key = $1 AND m.kind = 'reminder'`, views)
	if reminders != want || want < 30 {
		t.Errorf("%d reminders, want one to each of the %d focal points of the twenty States that have not answered", reminders, want)
	}
	for _, kind := range []string{storage.KindCloseCalls, storage.KindReminders} {
		if n := count(`SELECT count(*) FROM river_job WHERE kind = $1`, kind); n != 1 {
			t.Errorf("%s inserted %d times by two replicas in their first minute, want once", kind, n)
		}
	}
	sent := count(`SELECT count(*) FROM mail WHERE state = 'sent'`)
	if got := len(rl.received()); got != sent {
		t.Errorf("the relay received %d messages for %d sent", got, sent)
	}
	ids := map[string]bool{}
	for _, r := range rl.received() {
		m := parseMessage(t, r.Data)
		id := m.Header.Get("Message-ID")
		if ids[id] {
			t.Errorf("message %s received twice", id)
		}
		ids[id] = true
	}
	t.Logf("%d messages sent once each (%d reminders)", sent, reminders)
}

// seedFocalPoints gives each organization two focal points, invited and
// signed in once: fp1@<code>.example.org and fp2@….
func seedFocalPoints(t testing.TB, store *storage.Store, orgs []forms.Organization, now time.Time) {
	t.Helper()
	ctx := context.Background()
	for _, o := range orgs {
		ref := forms.OrganizationRef{ID: o.ID, Code: o.Code, Name: o.Name}
		for i := range 2 {
			a := fmt.Sprintf("fp%d@%s.example.org", i+1, strings.ToLower(o.Code))
			inv, err := forms.NewInvitation(a, forms.FocalPoint, ref, now, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := store.CreateInvitation(ctx, inv, forms.Actor{Label: "test"}); err != nil {
				t.Fatal(err)
			}
			if _, err := store.SignIn(ctx, forms.Identity{Issuer: "https://idp.example.org", Subject: a, Email: a, EmailVerified: true, Name: a}, forms.Actor{Label: "test"}); err != nil {
				t.Fatal(err)
			}
		}
	}
}
