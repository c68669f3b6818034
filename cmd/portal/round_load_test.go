package main

import (
	"context"
	"database/sql"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"portal/forms"
	"portal/storage"
	"portal/storage/storagetest"
)

// TestReminderRoundLoad: is the portal responsive while it delivers a
// reminder round? A `portal serve` process with a real relay on this
// machine; eight signed-in clients ask for Austria's organization page in a
// loop for five seconds with nothing to deliver (the baseline), then while
// the portal delivers a round to every Member State's two focal points (386
// messages); the p50 and p99 of each, and how long the round took. Run with
//
//	go test -run TestReminderRoundLoad -load -v ./cmd/portal/
//
// (figures in docs/benchmarks.md).
func TestReminderRoundLoad(t *testing.T) {
	if !*loadRun {
		t.Skip("a load run: go test -run TestReminderRoundLoad -load ./cmd/portal/")
	}
	ctx := context.Background()
	dbURL := storagetest.NewDatabase(t)
	rl := newRelay(t)
	addr := freeAddr(t)
	p := startBinary(t, portalBin, []string{"PORTAL_DATABASE_URL=" + dbURL, "PORTAL_ADDR=" + addr, "PORTAL_LOG_LEVEL=warn",
		"PORTAL_SMTP_URL=" + rl.url(), "PORTAL_MAIL_FROM=portal@localhost"}, "serve")
	waitReady(t, p, addr, 90*time.Second)
	base := "http://" + addr

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
	states, err := store.Organizations(ctx, forms.MemberState)
	if err != nil {
		t.Fatal(err)
	}
	seedFocalPoints(t, store, states, time.Now())
	// Let the invitations go first: the round is measured alone.
	waitDelivered(t, db)
	calls, err := store.Calls(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(calls, func(c forms.Call) bool { return c.Audience.AllMemberStates && c.Questionnaire == "crime-statistics" })
	if i < 0 {
		t.Fatal("no call to every Member State")
	}
	call := calls[i]
	clients := make([]*http.Client, 8)
	for i := range clients {
		local := &net.TCPAddr{IP: net.IPv4(127, 0, 2, byte(1+i))}
		clients[i] = devSignInVia(t, base, "demo-fp-aut", &http.Transport{DialContext: (&net.Dialer{LocalAddr: local}).DialContext})
	}
	page := base + "/orgs/AUT"
	measure := func(until func() bool) []time.Duration {
		var mu sync.Mutex
		var times []time.Duration
		var wg sync.WaitGroup
		for _, c := range clients {
			wg.Go(func() {
				for !until() {
					start := time.Now()
					r, err := c.Get(page)
					if err != nil {
						t.Error(err)
						return
					}
					r.Body.Close()
					if r.StatusCode != http.StatusOK {
						t.Errorf("GET %s: %d", page, r.StatusCode)
						return
					}
					mu.Lock()
					times = append(times, time.Since(start))
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		slices.Sort(times)
		return times
	}
	pct := func(ts []time.Duration, q float64) time.Duration { return ts[int(q*float64(len(ts)-1))] }

	end := time.Now().Add(5 * time.Second)
	idle := measure(func() bool { return time.Now().After(end) })

	before := len(rl.received())
	start := time.Now()
	n, err := store.RemindNow(ctx, call, func() []string {
		var codes []string
		for _, o := range states {
			codes = append(codes, o.Code)
		}
		return codes
	}(), time.Now(), forms.Actor{Label: "load"})
	if err != nil || n < 2*len(states) { // Austria's demo focal point signed in too
		t.Fatalf("%d messages, %v", n, err)
	}
	var took time.Duration
	during := measure(func() bool {
		if len(rl.received()) >= before+n {
			if took == 0 {
				took = time.Since(start)
			}
			return true
		}
		return time.Since(start) > 5*time.Minute
	})
	if len(rl.received()) < before+n {
		t.Fatalf("%d of %d delivered after 5 minutes", len(rl.received())-before, n)
	}
	t.Logf("organization page, 8 clients: idle p50 %v p99 %v (%d pages); during the round p50 %v p99 %v (%d pages), p99 ratio %.2f",
		pct(idle, 0.5).Round(time.Millisecond), pct(idle, 0.99).Round(time.Millisecond), len(idle),
		pct(during, 0.5).Round(time.Millisecond), pct(during, 0.99).Round(time.Millisecond), len(during),
		float64(pct(during, 0.99))/float64(pct(idle, 0.99)))
	t.Logf("the round: %d messages delivered in %v", n, took.Round(time.Millisecond))
}

// waitDelivered waits until no message is left queued.
func waitDelivered(t *testing.T, db *sql.DB) {
	t.Helper()
	for end := time.Now().Add(3 * time.Minute); ; time.Sleep(200 * time.Millisecond) {
		var queued int
		if err := db.QueryRow(`SELECT count(*) FROM mail WHERE state = 'queued'`).Scan(&queued); err != nil {
			t.Fatal(err)
		}
		if queued == 0 {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("%d messages still queued", queued)
		}
	}
}
