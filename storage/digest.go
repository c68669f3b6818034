package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/riverqueue/river"

	"portal/forms"
)

// The analysts' daily digest: each morning, to each analyst, what was
// submitted over the day before (new submissions and answers to returns),
// when anything was.

// KindDigests is the periodic job that sends the day's digests.
const KindDigests = "digests"

// DigestHour is when (UTC) the digests go.
const DigestHour = 6

type digestsArgs struct{}

func (digestsArgs) Kind() string { return KindDigests }

type digestsWorker struct {
	river.WorkerDefaults[digestsArgs]
	s *Store
}

func (w *digestsWorker) Work(ctx context.Context, _ *river.Job[digestsArgs]) error {
	_, err := w.s.SendDigests(ctx, time.Now())
	return err
}

// dailyAt is a schedule: every day at hour (UTC).
type dailyAt struct{ hour int }

func (d dailyAt) Next(t time.Time) time.Time {
	t = t.UTC()
	next := time.Date(t.Year(), t.Month(), t.Day(), d.hour, 0, 0, 0, time.UTC)
	if !next.After(t) {
		next = next.AddDate(0, 0, 1)
	}
	return next
}

// Submitted is a submission made in a period: who, to which call, whether
// it answered a return for clarification, whether late.
type Submitted struct {
	Organization forms.OrganizationRef
	Call         string
	CallTitle    forms.Text
	Answer, Late bool
	At           time.Time
}

// SubmittedBetween lists the submissions made after from and up to to, in
// order, from the audit log (a submission's entry says the state it left).
func (s *Store) SubmittedBetween(ctx context.Context, from, to time.Time) ([]Submitted, error) {
	var rows []struct {
		OrgID  int64     `db:"org_id"`
		Code   string    `db:"code"`
		Key    string    `db:"key"`
		Title  []byte    `db:"title"`
		Answer bool      `db:"answer"`
		Late   bool      `db:"late"`
		At     time.Time `db:"occurred_at"`
		names
	}
	if err := sqlx.SelectContext(ctx, s.db, &rows, `
		SELECT o.id AS org_id, o.code, o.name_en, o.name_fr, o.name_es, o.name_ru, o.name_ar, o.name_zh,
		       c.key, c.title, COALESCE(a.details->>'from', '') = 'returned' AS answer,
		       COALESCE(a.details->>'late', '') = 'true' AS late, a.occurred_at
		FROM audit_events a JOIN organizations o ON o.id = a.organization_id JOIN calls c ON c.key = a.target
		WHERE a.action = $1 AND a.occurred_at > $2 AND a.occurred_at <= $3
		ORDER BY a.occurred_at, a.id`, forms.AuditSubmission+string(forms.TransitionSubmit), from, to); err != nil {
		return nil, classify(fmt.Errorf("storage: submitted since %s: %w", from, err))
	}
	out := make([]Submitted, len(rows))
	for i, r := range rows {
		var title forms.Text
		if err := json.Unmarshal(r.Title, &title); err != nil {
			return nil, fmt.Errorf("storage: call %s: %w", r.Key, err)
		}
		out[i] = Submitted{Organization: forms.OrganizationRef{ID: r.OrgID, Code: r.Code, Name: r.names.forms()}, Call: r.Key,
			CallTitle: title, Answer: r.Answer, Late: r.Late, At: r.At}
	}
	return out, nil
}

// SendDigests records, when anything was submitted over the 24 hours
// before now, a digest to each analyst with an address, and returns how
// many.
func (s *Store) SendDigests(ctx context.Context, now time.Time) (int, error) {
	since := now.Add(-24 * time.Hour)
	items, err := s.SubmittedBetween(ctx, since, now)
	if err != nil || len(items) == 0 {
		return 0, err
	}
	var n int
	err = s.withTx(ctx, nil, "digests", func(tx *sqlx.Tx) error {
		var analysts []recipient
		if err := sqlx.SelectContext(ctx, tx, &analysts, `
			SELECT DISTINCT u.id AS user_id, u.email FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.role = 'analyst' AND u.email <> '' ORDER BY u.id`); err != nil {
			return classify(fmt.Errorf("storage: digests: %w", err))
		}
		ms := mailTo(forms.Mail{Kind: forms.MailDigest, Since: since, Until: now}, analysts...)
		n = len(ms)
		return s.queueMail(ctx, tx, ms...)
	})
	return n, err
}
