package storage_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"portal/forms"
	"portal/storage"
)

// mailJobs counts the messages of kind and, of their jobs, how many there
// are in all and the most one message has.
func mailJobs(t *testing.T, db *sql.DB, kind forms.MailKind) (messages, jobs, most int) {
	t.Helper()
	if err := db.QueryRow(`
		SELECT count(DISTINCT m.id), count(j.id), COALESCE(max(n.jobs), 0)
		FROM mail m
		LEFT JOIN river_job j ON j.kind = $2 AND (j.args->>'mail')::bigint = m.id
		LEFT JOIN LATERAL (SELECT count(*) AS jobs FROM river_job k WHERE k.kind = $2 AND (k.args->>'mail')::bigint = m.id) n ON true
		WHERE m.kind = $1`, string(kind), storage.KindMail).Scan(&messages, &jobs, &most); err != nil {
		t.Fatal(err)
	}
	return
}

// TestMailInTransaction: a receipt and its job commit with the submission
// or not at all. A submission that fails after its receipts were recorded
// (here the audit log refuses it) leaves no message and no job; one that
// commits leaves exactly one message per recipient (the submitter and the
// focal points, each once), each with exactly one job. Invitations, returns
// and the Office's comments are recorded the same way.
func TestMailInTransaction(t *testing.T) {
	s, db := storeWithDB(t)
	ctx := context.Background()
	c := openCall(t, s, time.Now().Add(time.Hour))
	aut := orgRef(t, s, "AUT")
	now := time.Now()
	invite(t, s, "fp1@aut.example.org", forms.FocalPoint, aut, now)
	invite(t, s, "fp2@aut.example.org", forms.FocalPoint, aut, now)
	if m, j, most := mailJobs(t, db, forms.MailInvitation); m != 2 || j != 2 || most != 1 {
		t.Fatalf("invitations: %d messages, %d jobs (at most %d a message), want 2, 2, 1", m, j, most)
	}
	fp1 := signIn(t, s, "fp1@aut.example.org", true)
	signIn(t, s, "fp2@aut.example.org", true)
	fp1, err := s.UserByID(ctx, fp1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := saveViews(t, s, c, aut, 0, "Views."); err != nil {
		t.Fatal(err)
	}
	submit := forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: aut, User: fp1,
		Transition: forms.TransitionSubmit, At: now, Actor: forms.Actor{UserID: fp1.ID, Label: fp1.Email}}

	// The audit log refuses the submission's entry: the transaction, receipts
	// recorded already, rolls back.
	for _, q := range []string{
		`CREATE FUNCTION refuse_submit() RETURNS trigger LANGUAGE plpgsql AS $$
		 BEGIN IF NEW.action = 'submission.submit' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`,
		`CREATE TRIGGER refuse_submit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_submit()`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Transition(ctx, submit); err == nil {
		t.Fatal("the submission went through the refusing audit log")
	}
	if m, j, _ := mailJobs(t, db, forms.MailReceipt); m != 0 || j != 0 {
		t.Fatalf("after a failed submission: %d receipts, %d jobs; want none", m, j)
	}
	if _, err := db.Exec(`DROP TRIGGER refuse_submit ON audit_events`); err != nil {
		t.Fatal(err)
	}

	if _, err := s.Transition(ctx, submit); err != nil {
		t.Fatal(err)
	}
	if m, j, most := mailJobs(t, db, forms.MailReceipt); m != 2 || j != 2 || most != 1 {
		t.Fatalf("after the submission: %d receipts, %d jobs (at most %d a receipt); want 2 (the submitter, a focal point too, and the other focal point), 2, 1", m, j, most)
	}

	ret := forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: aut, User: analyst,
		Transition: forms.TransitionReturn, At: now, Message: "Which ministries?", Actor: forms.Actor{Label: "analyst"}}
	if _, err := s.Transition(ctx, ret); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := db.QueryRow(`SELECT min(id) FROM mail WHERE kind = 'returned'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	m, err := s.Mail(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != forms.MailReturned || m.Call != c.Key || m.Organization.Code != "AUT" || m.Version != 1 || m.Comment == 0 ||
		m.Language != forms.English || m.State != forms.MailQueued || m.UserID == 0 {
		t.Errorf("the return's message: %+v", m)
	}
	if err := s.AddComment(ctx, c, aut, "", "A question on the figures.", true, forms.Actor{Label: "analyst"}); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := mailJobs(t, db, forms.MailComment); n != 2 {
		t.Errorf("the Office's comment: %d messages, want one to each focal point", n)
	}
	// A call opened: each asked organization's focal points hear of it,
	// once (saving it again, open, sends nothing).
	draft := c
	draft.ID, draft.Key, draft.State = 0, "opened-later", forms.CallDraft
	if draft, err = s.SaveCall(ctx, draft, forms.Actor{Label: "analyst"}); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := mailJobs(t, db, forms.MailCallOpened); n != 0 {
		t.Errorf("a call in preparation: %d notices", n)
	}
	draft.State = forms.CallOpen
	for range 2 {
		if draft, err = s.SaveCall(ctx, draft, forms.Actor{Label: "analyst"}); err != nil {
			t.Fatal(err)
		}
	}
	if n, j, most := mailJobs(t, db, forms.MailCallOpened); n != 2 || j != 2 || most != 1 {
		t.Errorf("the call opened: %d notices, %d jobs; want one to each of Austria's focal points", n, j)
	}
	if err := s.MailDone(ctx, id, forms.MailSent, "abc@portal", ""); err != nil {
		t.Fatal(err)
	}
	if m, _ = s.Mail(ctx, id); m.State != forms.MailSent || m.SentAt.IsZero() || m.MessageID != "abc@portal" {
		t.Errorf("after sending: %+v", m)
	}
}
