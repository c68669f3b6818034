package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"portal/forms"
	"portal/forms/definition"
	"portal/forms/demo"
	"portal/mail"
	"portal/storage"
	"portal/storage/storagetest"
	"portal/templates/email"
	"portal/templates/words"
)

// BenchmarkReminderRound: a reminder to every Member State of a call, two
// focal points each (386 messages), through a real SMTP relay on this
// machine: the time to record the round (the messages and their jobs, one
// transaction), the time until the relay has them all, and, as the
// ceiling, the time to send the same messages from a plain loop (composed
// beforehand, one connection each, as the portal sends). Figures in
// docs/benchmarks.md.
//
//	go test -run '^$' -bench ReminderRound -benchtime 3x ./cmd/portal/
func BenchmarkReminderRound(b *testing.B) {
	ctx := context.Background()
	lib, err := definition.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	url := storagetest.NewDatabase(b)
	store, err := storage.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	db, err := sql.Open("postgres", url)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	rl := newRelay(b)
	cfg, err := LoadConfig(fakeEnv(map[string]string{"PORTAL_SMTP_URL": rl.url(), "PORTAL_MAIL_FROM": "portal@localhost",
		"PORTAL_BASE_URL": "https://portal.example.org"}))
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	now := time.Now()
	if err := demo.EnsureCalls(ctx, store, lib, now); err != nil {
		b.Fatal(err)
	}
	call, err := store.CallByKey(ctx, demo.Calls(now)[1].Key) // every Member State
	if err != nil {
		b.Fatal(err)
	}
	states, err := store.Organizations(ctx, forms.MemberState)
	if err != nil {
		b.Fatal(err)
	}
	seedFocalPoints(b, store, states, now)
	// The invitations' messages are not part of the round.
	if _, err := db.Exec(`UPDATE mail SET state = 'skipped'; DELETE FROM river_job`); err != nil {
		b.Fatal(err)
	}
	var codes []string
	for _, o := range states {
		codes = append(codes, o.Code)
	}
	workers, site, err := mailWorkers(cfg, store, lib, log)
	if err != nil {
		b.Fatal(err)
	}
	queue, err := store.NewQueue(storage.QueueConfig{Workers: workers, Poll: 50 * time.Millisecond, Log: log, Chores: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	if err := queue.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer queue.Stop(context.Background())

	// The ceiling: the same messages, composed beforehand, sent from a loop.
	cat, err := words.Load()
	if err != nil {
		b.Fatal(err)
	}
	smtp, err := mail.NewSMTP(*cfg.SMTP)
	if err != nil {
		b.Fatal(err)
	}
	var msgs []mail.Message
	for _, o := range states {
		for i := range 2 {
			m, err := site.Reminder(cat.Text(forms.English), email.Reminder{To: mail.Address{Addr: fmt.Sprintf("fp%d@%s.example.org", i+1, strings.ToLower(o.Code))},
				Call: email.CallOf(call), Organization: forms.OrganizationRef{ID: o.ID, Code: o.Code, Name: o.Name}, Now: now, Path: "/orgs/" + o.Code + "/calls/" + call.Key})
			if err != nil {
				b.Fatal(err)
			}
			msgs = append(msgs, m)
		}
	}

	var enqueue, deliver, direct time.Duration
	b.ResetTimer()
	for b.Loop() {
		before := len(rl.received())
		start := time.Now()
		n, err := store.RemindNow(ctx, call, codes, time.Now(), forms.Actor{Label: "bench"})
		if err != nil || n != 2*len(states) {
			b.Fatalf("%d messages, %v", n, err)
		}
		enqueue += time.Since(start)
		for len(rl.received()) < before+n {
			if time.Since(start) > 5*time.Minute {
				b.Fatalf("%d of %d delivered after 5 minutes", len(rl.received())-before, n)
			}
			time.Sleep(5 * time.Millisecond)
		}
		deliver += time.Since(start)

		start = time.Now()
		for _, m := range msgs {
			if err := smtp.Send(ctx, m); err != nil {
				b.Fatal(err)
			}
		}
		direct += time.Since(start)
	}
	runs := float64(b.N)
	b.ReportMetric(float64(enqueue.Milliseconds())/runs, "enqueue-ms")
	b.ReportMetric(float64(deliver.Milliseconds())/runs, "deliver-ms")
	b.ReportMetric(float64(direct.Milliseconds())/runs, "loop-ms")
	b.ReportMetric(float64(deliver)/float64(direct), "deliver/loop")
}
