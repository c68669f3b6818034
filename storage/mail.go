package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/riverqueue/river"

	"portal/forms"
)

// Mail is recorded a row per recipient in the transaction of the change
// that causes it, with the job that sends it (MailArgs): a submission and
// its receipts commit together or not at all. The job writes the words at
// sending time, in the recipient's language, and records how it went.

// KindMail is the kind of the job that sends a message.
const KindMail = "mail"

// MailArgs is the job that sends the message Mail (its row's id).
type MailArgs struct {
	Mail int64 `json:"mail"`
}

// Kind is the job's kind.
func (MailArgs) Kind() string { return KindMail }

// InsertOpts: a relay down for hours is waited for (River's backoff over
// 12 attempts spans about a day) before the message is marked failed.
func (MailArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 12} }

// mailAbout is what a message is about beyond its call and organization.
type mailAbout struct {
	Version    int        `json:"version,omitempty"`
	Invitation int64      `json:"invitation,omitempty"`
	Comment    int64      `json:"comment,omitempty"`
	Day        int        `json:"day,omitempty"`
	Since      *time.Time `json:"since,omitempty"`
	Until      *time.Time `json:"until,omitempty"`
}

// recipient is someone a message goes to.
type recipient struct {
	UserID int64  `db:"user_id"`
	Email  string `db:"email"`
}

// focalPoints returns, by organization, the focal points of the
// organizations orgIDs who have an address: one statement however many.
func focalPoints(ctx context.Context, tx *sqlx.Tx, orgIDs ...int64) (map[int64][]recipient, error) {
	var rows []struct {
		OrgID int64 `db:"organization_id"`
		recipient
	}
	if err := sqlx.SelectContext(ctx, tx, &rows, `
		SELECT m.organization_id, u.id AS user_id, u.email FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.organization_id = ANY($1) AND m.role = 'focal_point' AND u.email <> ''
		ORDER BY m.organization_id, u.id`, pq.Array(orgIDs)); err != nil {
		return nil, classify(fmt.Errorf("storage: focal points of %d organizations: %w", len(orgIDs), err))
	}
	out := make(map[int64][]recipient, len(orgIDs))
	for _, r := range rows {
		out[r.OrgID] = append(out[r.OrgID], r.recipient)
	}
	return out, nil
}

// mailTo makes the messages of kind k, about m, to each recipient once
// (by address, in any case).
func mailTo(m forms.Mail, rs ...recipient) []forms.Mail {
	seen := map[string]bool{}
	var out []forms.Mail
	for _, r := range rs {
		addr := strings.ToLower(strings.TrimSpace(r.Email))
		if addr == "" || seen[addr] {
			continue
		}
		seen[addr] = true
		m.Recipient, m.UserID = r.Email, r.UserID
		out = append(out, m)
	}
	return out
}

// queueMail records messages and inserts their jobs, in tx.
func (s *Store) queueMail(ctx context.Context, tx *sqlx.Tx, ms ...forms.Mail) error {
	if len(ms) == 0 {
		return nil
	}
	kinds, recipients, abouts, calls := make([]string, len(ms)), make([]string, len(ms)), make([]string, len(ms)), make([]string, len(ms))
	users, orgs := make([]int64, len(ms)), make([]int64, len(ms))
	for i, m := range ms {
		a := mailAbout{Version: m.Version, Invitation: m.Invitation, Comment: m.Comment, Day: m.Day}
		if !m.Since.IsZero() {
			a.Since, a.Until = &m.Since, &m.Until
		}
		about, err := json.Marshal(a)
		if err != nil {
			return fmt.Errorf("storage: mail: %w", err)
		}
		// Addresses kept in lower case, as the rate per recipient counts them.
		kinds[i], recipients[i], abouts[i], calls[i] = string(m.Kind), strings.ToLower(strings.TrimSpace(m.Recipient)), string(about), m.Call
		users[i], orgs[i] = m.UserID, m.Organization.ID
	}
	var ids []int64
	if err := sqlx.SelectContext(ctx, tx, &ids, `
		INSERT INTO mail (kind, recipient, user_id, organization_id, call_id, about)
		SELECT m.kind, m.recipient, NULLIF(m.user_id, 0), NULLIF(m.org_id, 0), c.id, m.about::jsonb
		FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[])
		     WITH ORDINALITY AS m(kind, recipient, user_id, org_id, call_key, about, n)
		LEFT JOIN calls c ON c.key = m.call_key
		ORDER BY m.n
		RETURNING id`, pq.Array(kinds), pq.Array(recipients), pq.Array(users), pq.Array(orgs), pq.Array(calls), pq.Array(abouts)); err != nil {
		return classify(fmt.Errorf("storage: mail: %w", err))
	}
	jobs := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		jobs[i] = river.InsertManyParams{Args: MailArgs{Mail: id}}
	}
	return s.enqueue(ctx, tx, jobs...)
}

// mailRow is a message as the mail table and its joins hold it.
type mailRow struct {
	ID        int64          `db:"id"`
	Kind      string         `db:"kind"`
	Recipient string         `db:"recipient"`
	UserID    sql.NullInt64  `db:"user_id"`
	Language  string         `db:"language"`
	Name      string         `db:"recipient_name"`
	Off       bool           `db:"off"`
	OrgID     sql.NullInt64  `db:"org_id"`
	OrgCode   sql.NullString `db:"org_code"`
	CallKey   sql.NullString `db:"call_key"`
	About     string         `db:"about"`
	State     string         `db:"state"`
	MessageID string         `db:"message_id"`
	Error     string         `db:"error"`
	CreatedAt time.Time      `db:"created_at"`
	SentAt    sql.NullTime   `db:"sent_at"`
	names
}

const mailColumns = `m.id, m.kind, m.recipient, m.user_id,
		COALESCE(NULLIF(u.language, ''), NULLIF(o.language, ''), 'en') AS language,
		COALESCE(u.display_name, '') AS recipient_name, COALESCE(m.kind = ANY(u.mail_off), false) AS off,
		o.id AS org_id, o.code AS org_code, c.key AS call_key, m.about::text AS about, m.state, m.message_id, m.error,
		m.created_at, m.sent_at,
		COALESCE(o.name_en, '') AS name_en, COALESCE(o.name_fr, '') AS name_fr, COALESCE(o.name_es, '') AS name_es,
		COALESCE(o.name_ru, '') AS name_ru, COALESCE(o.name_ar, '') AS name_ar, COALESCE(o.name_zh, '') AS name_zh`

const mailFrom = ` FROM mail m LEFT JOIN users u ON u.id = m.user_id
		LEFT JOIN organizations o ON o.id = m.organization_id LEFT JOIN calls c ON c.id = m.call_id`

func (r mailRow) mail() (forms.Mail, error) {
	var about mailAbout
	if err := json.Unmarshal([]byte(r.About), &about); err != nil {
		return forms.Mail{}, fmt.Errorf("storage: mail %d: %w", r.ID, err)
	}
	lang, _ := forms.ParseLanguage(r.Language)
	m := forms.Mail{ID: r.ID, Kind: forms.MailKind(r.Kind), Recipient: r.Recipient, UserID: r.UserID.Int64, Language: lang,
		RecipientName: r.Name, TurnedOff: r.Off && forms.MailKind(r.Kind).Optional(),
		Call: r.CallKey.String, Version: about.Version, Invitation: about.Invitation, Comment: about.Comment, Day: about.Day,
		State: forms.MailState(r.State), MessageID: r.MessageID, Error: r.Error, CreatedAt: r.CreatedAt, SentAt: r.SentAt.Time}
	if r.OrgID.Valid {
		m.Organization = forms.OrganizationRef{ID: r.OrgID.Int64, Code: r.OrgCode.String, Name: r.names.forms()}
	}
	if about.Since != nil && about.Until != nil {
		m.Since, m.Until = *about.Since, *about.Until
	}
	return m, nil
}

// Mail returns the message with the id; KindNotFound when there is none.
func (s *Store) Mail(ctx context.Context, id int64) (forms.Mail, error) {
	var r mailRow
	if err := sqlx.GetContext(ctx, s.db, &r, `SELECT `+mailColumns+mailFrom+` WHERE m.id = $1`, id); err != nil {
		return forms.Mail{}, classify(fmt.Errorf("storage: mail %d: %w", id, err))
	}
	return r.mail()
}

// MailDone records how sending the message went: sent (with its
// Message-ID), failed (with the error) or skipped.
func (s *Store) MailDone(ctx context.Context, id int64, state forms.MailState, messageID, errText string) error {
	if _, err := s.db.ExecContext(ctx, `
		UPDATE mail SET state = $2, message_id = $3, error = $4,
		       sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END
		WHERE id = $1`, id, string(state), messageID, errText); err != nil {
		return classify(fmt.Errorf("storage: mail %d: %w", id, err))
	}
	return nil
}

// KeepDevMail keeps a message a development portal would have sent, and
// returns its id.
func (s *Store) KeepDevMail(ctx context.Context, m forms.DevMail) (int64, error) {
	headers, err := json.Marshal(m.Headers)
	if err != nil {
		return 0, fmt.Errorf("storage: keep mail: %w", err)
	}
	var id int64
	if err := s.db.QueryRowxContext(ctx, `
		INSERT INTO dev_mail (mail_id, recipients, subject, headers, text_body, html_body)
		VALUES (NULLIF($1, 0), $2, $3, $4::jsonb, $5, $6) RETURNING id`,
		m.MailID, m.Recipients, m.Subject, string(headers), m.Text, m.HTML).Scan(&id); err != nil {
		return 0, classify(fmt.Errorf("storage: keep mail: %w", err))
	}
	return id, nil
}

type devMailRow struct {
	ID         int64         `db:"id"`
	MailID     sql.NullInt64 `db:"mail_id"`
	KeptAt     time.Time     `db:"kept_at"`
	Recipients string        `db:"recipients"`
	Subject    string        `db:"subject"`
	Headers    string        `db:"headers"`
	Text       string        `db:"text_body"`
	HTML       string        `db:"html_body"`
}

func (r devMailRow) devMail() (forms.DevMail, error) {
	m := forms.DevMail{ID: r.ID, MailID: r.MailID.Int64, KeptAt: r.KeptAt, Recipients: r.Recipients, Subject: r.Subject, Text: r.Text, HTML: r.HTML}
	if err := json.Unmarshal([]byte(r.Headers), &m.Headers); err != nil {
		return forms.DevMail{}, fmt.Errorf("storage: kept mail %d: %w", r.ID, err)
	}
	return m, nil
}

// DevMails returns the newest kept messages, at most limit, newest first.
func (s *Store) DevMails(ctx context.Context, limit int) ([]forms.DevMail, error) {
	var rows []devMailRow
	if err := sqlx.SelectContext(ctx, s.db, &rows, `
		SELECT id, mail_id, kept_at, recipients, subject, headers::text AS headers, text_body, html_body
		FROM dev_mail ORDER BY id DESC LIMIT $1`, max(1, min(limit, 1000))); err != nil {
		return nil, classify(fmt.Errorf("storage: kept mail: %w", err))
	}
	out := make([]forms.DevMail, len(rows))
	for i, r := range rows {
		m, err := r.devMail()
		if err != nil {
			return nil, err
		}
		out[i] = m
	}
	return out, nil
}

// DevMail returns the kept message with the id; KindNotFound when none.
func (s *Store) DevMail(ctx context.Context, id int64) (forms.DevMail, error) {
	var r devMailRow
	if err := sqlx.GetContext(ctx, s.db, &r, `
		SELECT id, mail_id, kept_at, recipients, subject, headers::text AS headers, text_body, html_body
		FROM dev_mail WHERE id = $1`, id); err != nil {
		return forms.DevMail{}, classify(fmt.Errorf("storage: kept mail %d: %w", id, err))
	}
	return r.devMail()
}

// MailSentSince counts the messages sent to the address since the time:
// the recipient's rate.
func (s *Store) MailSentSince(ctx context.Context, recipient string, since time.Time) (int, error) {
	var n int
	if err := s.db.QueryRowxContext(ctx, `SELECT count(*) FROM mail WHERE recipient = lower($1) AND state = 'sent' AND sent_at >= $2`,
		recipient, since).Scan(&n); err != nil {
		return 0, classify(fmt.Errorf("storage: mail sent to %s: %w", recipient, err))
	}
	return n, nil
}

// MailPreferences returns the optional kinds of message the user turned off.
func (s *Store) MailPreferences(ctx context.Context, userID int64) ([]forms.MailKind, error) {
	var off pq.StringArray
	if err := s.db.QueryRowxContext(ctx, `SELECT mail_off FROM users WHERE id = $1`, userID).Scan(&off); err != nil {
		return nil, classify(fmt.Errorf("storage: mail preferences of %d: %w", userID, err))
	}
	out := make([]forms.MailKind, len(off))
	for i, k := range off {
		out[i] = forms.MailKind(k)
	}
	return out, nil
}

// SetMailPreferences records the optional kinds of message the user turns
// off; a kind that is not optional is refused (KindInvalid).
func (s *Store) SetMailPreferences(ctx context.Context, userID int64, off []forms.MailKind) error {
	kinds := make([]string, 0, len(off))
	for _, k := range off {
		if !k.Optional() {
			return forms.Errorf(forms.KindInvalid, "%s messages cannot be turned off", k)
		}
		kinds = append(kinds, string(k))
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE users SET mail_off = $2 WHERE id = $1`, userID, pq.Array(kinds)); err != nil {
		return classify(fmt.Errorf("storage: mail preferences of %d: %w", userID, err))
	}
	return nil
}
