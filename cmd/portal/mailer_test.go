package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/riverqueue/river/rivertype"

	"portal/forms"
	"portal/forms/definition"
	"portal/forms/demo"
	"portal/storage"
	"portal/storage/storagetest"
)

// mailRig is a fresh database, and a queue (not started) with the mail
// worker as env configures it: the pieces a mail test works with.
type mailRig struct {
	store *storage.Store
	db    *sql.DB
	cfg   Config
	lib   *definition.Library
	queue *storage.Queue
}

// newMailRig makes the rig; qc sets the queue's retry policy and chores.
func newMailRig(t *testing.T, env map[string]string, qc storage.QueueConfig) mailRig {
	t.Helper()
	ctx := context.Background()
	var r mailRig
	var err error
	if r.lib, err = definition.Builtin(); err != nil {
		t.Fatal(err)
	}
	url := storagetest.NewDatabase(t)
	if r.store, err = storage.Open(ctx, url); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.store.Close() })
	if r.db, err = sql.Open("postgres", url); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.db.Close() })
	if r.cfg, err = LoadConfig(fakeEnv(env)); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	workers, _, err := mailWorkers(r.cfg, r.store, r.lib, log)
	if err != nil {
		t.Fatal(err)
	}
	qc.Workers, qc.Log, qc.Poll = workers, log, 50*time.Millisecond
	if r.queue, err = r.store.NewQueue(qc); err != nil {
		t.Fatal(err)
	}
	return r
}

// soon retries a failed job a moment later, not minutes: the test's relay
// is down for seconds, not an hour.
type soon struct{}

func (soon) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(300 * time.Millisecond) }

// message is a message as the relay received it: its headers, and its two
// parts decoded.
type message struct {
	Header     mail.Header
	Subject    string
	Text, HTML string
}

func parseMessage(t *testing.T, data []byte) message {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	out := message{Header: m.Header, Subject: subject}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = p
		if p.Header.Get("Content-Transfer-Encoding") == "base64" {
			r = base64.NewDecoder(base64.StdEncoding, p)
		}
		// multipart decodes quoted-printable itself and drops the header.
		if p.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
			r = quotedprintable.NewReader(p)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
			out.HTML = string(b)
		} else {
			out.Text = string(b)
		}
	}
	return out
}

// TestMailThroughRelay: what the portal causes (the demo accounts'
// invitations, Austria's submission read in Arabic, an invitation to an
// address the relay refuses) is sent through a real SMTP relay on this
// machine that is down when the work starts. The jobs retry until it is
// back, then deliver each message once: nothing lost, nothing sent twice.
// The address refused for good is marked failed and not tried again. The
// receipt arrives as its reader reads: Arabic, with its link, threaded.
func TestMailThroughRelay(t *testing.T) {
	ctx := context.Background()
	rl := newRelay(t)
	rl.refuse["nobody@refused.example.org"] = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	rl.stop() // down when the work starts
	r := newMailRig(t, map[string]string{"PORTAL_SMTP_URL": rl.url(), "PORTAL_MAIL_FROM": "Submissions portal <portal@localhost>",
		"PORTAL_BASE_URL": "https://portal.example.org"}, storage.QueueConfig{Retry: soon{}})
	store, db, lib, queue := r.store, r.db, r.lib, r.queue

	now := time.Now()
	if err := demo.EnsureCalls(ctx, store, lib, now); err != nil {
		t.Fatal(err)
	}
	if err := demo.InviteAccounts(ctx, store); err != nil {
		t.Fatal(err)
	}
	u, err := store.SignIn(ctx, forms.Identity{Issuer: "https://idp.example.org", Subject: "anna", Email: "focal.point@austria.example.org", EmailVerified: true, Name: "Anna Gruber"}, forms.Actor{Label: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SetLanguage(ctx, u.ID, forms.Arabic); err != nil {
		t.Fatal(err)
	}
	views, err := store.CallByKey(ctx, demo.Calls(now)[0].Key)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := lib.Version(views.Questionnaire, views.Version)
	aut := u.Memberships[0].Organization
	answers := demo.Answers(q, "Austria")
	if _, err := store.SaveDraft(ctx, views, aut, forms.Edit{Fields: answers.Fields(), Answers: answers}, forms.Actor{UserID: u.ID, Label: u.Email}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Transition(ctx, forms.TransitionRequest{Call: views, Questionnaire: q, Organization: aut, User: u,
		Transition: forms.TransitionSubmit, At: now, Actor: forms.Actor{UserID: u.ID, Label: u.Email}}); err != nil {
		t.Fatal(err)
	}
	inv, err := forms.NewInvitation("nobody@refused.example.org", forms.Contributor, aut, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateInvitation(ctx, inv, forms.Actor{Label: "t"}); err != nil {
		t.Fatal(err)
	}
	var total int
	if err := db.QueryRow(`SELECT count(*) FROM mail`).Scan(&total); err != nil || total < 5 {
		t.Fatalf("%d messages recorded (%v)", total, err)
	}

	if err := queue.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		queue.Stop(stop)
	})
	time.Sleep(2 * time.Second) // attempts fail: the relay is down
	var retrying int
	if err := db.QueryRow(`SELECT count(*) FROM river_job WHERE kind = 'mail' AND state <> 'completed' AND array_length(errors, 1) >= 1`).Scan(&retrying); err != nil {
		t.Fatal(err)
	}
	if retrying == 0 || len(rl.received()) != 0 {
		t.Fatalf("while the relay is down: %d jobs failed an attempt and wait to retry, %d received", retrying, len(rl.received()))
	}
	rl.start()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var queued int
		if err := db.QueryRow(`SELECT count(*) FROM mail WHERE state = 'queued'`).Scan(&queued); err != nil {
			t.Fatal(err)
		}
		if queued == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages still queued 30 s after the relay came back", queued)
		}
		time.Sleep(100 * time.Millisecond)
	}

	var sent, failed int
	if err := db.QueryRow(`SELECT count(*) FILTER (WHERE state = 'sent'), count(*) FILTER (WHERE state = 'failed') FROM mail`).Scan(&sent, &failed); err != nil {
		t.Fatal(err)
	}
	got := rl.received()
	if failed != 1 {
		rows, _ := db.Query(`SELECT recipient, kind, error FROM mail WHERE state = 'failed'`)
		for rows.Next() {
			var r, k, e string
			rows.Scan(&r, &k, &e)
			t.Logf("failed: %s %s: %s", r, k, e)
		}
		rows.Close()
	}
	if failed != 1 || sent != total-1 || len(got) != sent {
		t.Errorf("%d recorded: %d sent, %d failed; the relay received %d (want each sent one once, the refused one failed)", total, sent, failed, len(got))
	}
	seen := map[string]int{}
	var receipt *message
	for _, r := range got {
		m := parseMessage(t, r.Data)
		seen[m.Header.Get("Message-ID")]++
		if m.Header.Get("Auto-Submitted") != "auto-generated" || len(r.To) != 1 {
			t.Errorf("message %s: Auto-Submitted %q, to %v", m.Header.Get("Message-ID"), m.Header.Get("Auto-Submitted"), r.To)
		}
		if r.To[0] == "focal.point@austria.example.org" && strings.Contains(m.Text, "/receipts/1") {
			receipt = &m
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("message %s received %d times", id, n)
		}
	}
	if receipt == nil {
		t.Fatal("Austria's focal point got no receipt")
	}
	link := "https://portal.example.org/orgs/AUT/calls/" + views.Key + "/receipts/1"
	if receipt.Header.Get("Content-Language") != "ar" || !strings.ContainsRune(receipt.Subject, 'إ') && !strings.ContainsAny(receipt.Subject, "ابتثجحخدذرزسشصضطظعغفقكلمنهوي") ||
		!strings.Contains(receipt.Text, link) || !strings.Contains(receipt.HTML, `href="`+link+`"`) || !strings.Contains(receipt.HTML, `dir="rtl"`) ||
		receipt.Header.Get("Message-ID") != "<submission."+views.Key+".aut@portal.example.org>" {
		t.Errorf("the receipt: subject %q, language %q, id %q\n%s", receipt.Subject, receipt.Header.Get("Content-Language"), receipt.Header.Get("Message-ID"), receipt.Text)
	}
	var state, errText string
	if err := db.QueryRow(`SELECT m.state, m.error FROM mail m WHERE m.recipient = 'nobody@refused.example.org'`).Scan(&state, &errText); err != nil {
		t.Fatal(err)
	}
	var attempts int
	if err := db.QueryRow(`SELECT max(j.attempt) FROM river_job j JOIN mail m ON (j.args->>'mail')::bigint = m.id WHERE m.recipient = 'nobody@refused.example.org'`).Scan(&attempts); err != nil {
		t.Fatal(err)
	}
	if state != "failed" || !strings.Contains(errText, "550") {
		t.Errorf("the refused address: %s (%s)", state, errText)
	}
	t.Logf("the refused address was tried %d times (the relay's refusal is final: no retry after it)", attempts)
}

// TestMailKeptInDevelopment: without a relay, a development portal keeps
// what it would send, for /dev-mail, with its headers and both parts.
func TestMailKeptInDevelopment(t *testing.T) {
	ctx := context.Background()
	r := newMailRig(t, map[string]string{}, storage.QueueConfig{})
	store, cfg, queue := r.store, r.cfg, r.queue
	if err := demo.InviteAccounts(ctx, store); err != nil {
		t.Fatal(err)
	}
	if err := queue.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer queue.Stop(context.Background())
	deadline := time.Now().Add(20 * time.Second)
	for {
		kept, err := store.DevMails(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(kept) > 0 {
			m := kept[0]
			if !strings.Contains(m.Text, cfg.BaseURL.String()+"/signin") || m.HTML == "" || m.Headers["Message-ID"] == "" || !strings.Contains(m.Subject, "nvit") {
				t.Errorf("kept: %+v", m)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("nothing kept after 20 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestMailOptionalAndRate: a comment notice to someone who turned them off
// is not sent (skipped, said so); receipts go whatever the preferences; an
// address that got its hour's share waits for the next hour.
func TestMailOptionalAndRate(t *testing.T) {
	ctx := context.Background()
	r := newMailRig(t, map[string]string{}, storage.QueueConfig{Chores: time.Hour})
	store, db, lib, queue := r.store, r.db, r.lib, r.queue
	now := time.Now()
	if err := demo.EnsureCalls(ctx, store, lib, now); err != nil {
		t.Fatal(err)
	}
	if err := demo.InviteAccounts(ctx, store); err != nil {
		t.Fatal(err)
	}
	u, err := store.SignIn(ctx, forms.Identity{Issuer: "https://idp.example.org", Subject: "anna", Email: "focal.point@austria.example.org", EmailVerified: true, Name: "Anna Gruber"}, forms.Actor{Label: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SetMailPreferences(ctx, u.ID, []forms.MailKind{forms.MailComment}); err != nil {
		t.Fatal(err)
	}
	if err := store.SetMailPreferences(ctx, u.ID, []forms.MailKind{forms.MailReceipt}); forms.KindOf(err) != forms.KindInvalid {
		t.Errorf("turning receipts off: %v", err)
	}
	views, err := store.CallByKey(ctx, demo.Calls(now)[0].Key)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := lib.Version(views.Questionnaire, views.Version)
	aut := u.Memberships[0].Organization
	answers := demo.Answers(q, "Austria")
	if _, err := store.SaveDraft(ctx, views, aut, forms.Edit{Fields: answers.Fields(), Answers: answers}, forms.Actor{UserID: u.ID, Label: u.Email}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Transition(ctx, forms.TransitionRequest{Call: views, Questionnaire: q, Organization: aut, User: u,
		Transition: forms.TransitionSubmit, At: now, Actor: forms.Actor{UserID: u.ID, Label: u.Email}}); err != nil {
		t.Fatal(err)
	}
	if err := store.AddComment(ctx, views, aut, "", "Which ministries?", true, forms.Actor{Label: "analyst"}); err != nil {
		t.Fatal(err)
	}
	// The analyst's digest lists Austria's submission.
	if _, err := store.SignIn(ctx, forms.Identity{Issuer: "https://idp.example.org", Subject: "mei", Email: "analyst@unodc.example.org", EmailVerified: true, Name: "Mei Chen"}, forms.Actor{Label: "t"}); err != nil {
		t.Fatal(err)
	}
	if n, err := store.SendDigests(ctx, time.Now()); err != nil || n != 1 {
		t.Fatalf("digests: %d, %v", n, err)
	}
	// Austria's contributor has had their hour's share already.
	if _, err := db.Exec(`INSERT INTO mail (kind, recipient, state, sent_at) SELECT 'reminder', 'contributor@austria.example.org', 'sent', now() FROM generate_series(1, $1)`, maxPerHour); err != nil {
		t.Fatal(err)
	}
	if err := queue.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer queue.Stop(context.Background())
	state := func(kind forms.MailKind, to string) (string, string) {
		var st, e string
		if err := db.QueryRow(`SELECT state, error FROM mail WHERE kind = $1 AND recipient = $2 ORDER BY id DESC LIMIT 1`, string(kind), to).Scan(&st, &e); err != nil {
			t.Fatal(err)
		}
		return st, e
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		receipt, _ := state(forms.MailReceipt, u.Email)
		comment, _ := state(forms.MailComment, u.Email)
		if receipt != "queued" && comment != "queued" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20 s: receipt %s, comment %s", receipt, comment)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if st, _ := state(forms.MailReceipt, u.Email); st != "sent" {
		t.Errorf("the receipt: %s, want sent (receipts cannot be turned off)", st)
	}
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if st, _ := state(forms.MailDigest, "analyst@unodc.example.org"); st != "queued" || time.Now().After(end) {
			break
		}
	}
	if st, e := state(forms.MailDigest, "analyst@unodc.example.org"); st != "sent" {
		t.Errorf("the digest: %s (%s)", st, e)
	}
	kept, err := store.DevMails(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	digest := false
	for _, m := range kept {
		digest = digest || strings.Contains(m.Text, "/office/calls/"+views.Key+"/orgs/AUT")
	}
	if !digest {
		t.Error("no digest links Austria's submission")
	}
	if st, e := state(forms.MailComment, u.Email); st != "skipped" || !strings.Contains(e, "turned off") {
		t.Errorf("the comment notice: %s (%s), want skipped, turned off", st, e)
	}
	var snoozed int
	for end := time.Now().Add(15 * time.Second); snoozed == 0 && time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if err := db.QueryRow(`SELECT count(*) FROM river_job j JOIN mail m ON (j.args->>'mail')::bigint = m.id
			WHERE m.recipient = 'contributor@austria.example.org' AND m.kind = 'invitation' AND j.state = 'scheduled' AND j.scheduled_at > now() + interval '50 minutes'`).Scan(&snoozed); err != nil {
			t.Fatal(err)
		}
	}
	if snoozed != 1 {
		t.Errorf("the contributor's invitation, over the hour's share: %d jobs waiting for the next hour, want 1", snoozed)
	}
}
