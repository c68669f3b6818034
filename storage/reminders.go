package storage

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/riverqueue/river"

	"portal/forms"
)

// KindReminders is the periodic job that sends the reminders due.
const KindReminders = "reminders"

type remindersArgs struct{}

func (remindersArgs) Kind() string { return KindReminders }

type remindersWorker struct {
	river.WorkerDefaults[remindersArgs]
	s *Store
}

func (w *remindersWorker) Work(ctx context.Context, _ *river.Job[remindersArgs]) error {
	_, err := w.s.SendDueReminders(ctx, time.Now())
	return err
}

// ReminderRound is a reminder a call has done: its day, when, and how many
// organizations it reminded (none when superseded).
type ReminderRound struct {
	Day           int
	DoneAt        time.Time
	Superseded    bool
	Organizations int
}

// SendDueReminders sends, for every open call, the reminder due at now
// (forms.Call.DueReminder) to the focal points of the organizations that
// have not answered, and returns how many organizations each call
// reminded. Each round is recorded (call, day) in the transaction of its
// messages: a round another replica recorded already is not sent again,
// and earlier rounds a later one supersedes are recorded unsent.
func (s *Store) SendDueReminders(ctx context.Context, now time.Time) (map[string]int, error) {
	calls, err := s.Calls(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, c := range calls {
		if c.State != forms.CallOpen || len(c.Reminders) == 0 {
			continue
		}
		rounds, err := s.ReminderRounds(ctx, c)
		if err != nil {
			return out, err
		}
		done := map[int]bool{}
		for _, r := range rounds {
			done[r.Day] = true
		}
		day, superseded, ok := c.DueReminder(now, done)
		if !ok {
			continue
		}
		responses, err := s.Responses(ctx, c)
		if err != nil {
			return out, err
		}
		orgs := forms.RemindWhom(responses)
		err = s.withTx(ctx, nil, "remind "+c.Key, func(tx *sqlx.Tx) error {
			if len(superseded) > 0 {
				if _, err := tx.ExecContext(ctx, `
					INSERT INTO reminder_rounds (call_id, day, superseded) SELECT $1, unnest($2::integer[]), true
					ON CONFLICT DO NOTHING`, c.ID, pq.Array(superseded)); err != nil {
					return classify(fmt.Errorf("storage: remind %s: %w", c.Key, err))
				}
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO reminder_rounds (call_id, day, organizations) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
				c.ID, day, len(orgs))
			if err != nil {
				return classify(fmt.Errorf("storage: remind %s: %w", c.Key, err))
			}
			if n, _ := res.RowsAffected(); n == 0 {
				orgs = nil // another replica did this round
				return nil
			}
			_, err = s.remind(ctx, tx, c, orgs, day, forms.Actor{Label: "the portal (reminder " + strconv.Itoa(day) + ")"})
			return err
		})
		if err != nil {
			return out, err
		}
		if len(orgs) > 0 {
			out[c.Key] = len(orgs)
		}
	}
	return out, nil
}

// remind records a reminder of day to the focal points of orgs, in tx,
// audited, and returns how many messages that makes.
func (s *Store) remind(ctx context.Context, tx *sqlx.Tx, c forms.Call, orgs []forms.Organization, day int, actor forms.Actor) (int, error) {
	ids := make([]int64, len(orgs))
	for i, o := range orgs {
		ids[i] = o.ID
	}
	fps, err := focalPoints(ctx, tx, ids...)
	if err != nil {
		return 0, err
	}
	var ms []forms.Mail
	codes := make([]string, 0, len(orgs))
	for _, o := range orgs {
		ref := forms.OrganizationRef{ID: o.ID, Code: o.Code, Name: o.Name}
		ms = append(ms, mailTo(forms.Mail{Kind: forms.MailReminder, Organization: ref, Call: c.Key, Day: day}, fps[o.ID]...)...)
		codes = append(codes, o.Code)
	}
	if err := s.queueMail(ctx, tx, ms...); err != nil {
		return 0, err
	}
	return len(ms), insertAuditEvents(ctx, tx, forms.AuditEvent{Actor: actor, Action: forms.AuditReminderSent, Target: c.Key,
		Details: map[string]string{"day": strconv.Itoa(day), "organizations": strings.Join(codes, " "), "messages": strconv.Itoa(len(ms))}})
}

// RemindNow reminds, at once, the focal points of the organizations with
// the codes (among those the call asks), and returns how many messages
// that makes. The day the messages give is the days left before the
// deadline at now (negative once past).
func (s *Store) RemindNow(ctx context.Context, c forms.Call, codes []string, now time.Time, actor forms.Actor) (int, error) {
	day := 0
	if !c.Deadline.IsZero() {
		day = int(math.Ceil(c.Deadline.Sub(now).Hours() / 24))
	}
	var n int
	err := s.withTx(ctx, nil, "remind "+c.Key+" now", func(tx *sqlx.Tx) error {
		var rows []orgRow
		if err := sqlx.SelectContext(ctx, tx, &rows, `SELECT `+orgColumns+` FROM organizations o, calls c
			WHERE c.id = $1 AND o.code = ANY($2) AND `+callAsks+` ORDER BY o.code`, c.ID, pq.Array(codes)); err != nil {
			return classify(fmt.Errorf("storage: remind %s now: %w", c.Key, err))
		}
		if len(rows) != len(codes) {
			return forms.Errorf(forms.KindInvalid, "an organization to remind is not one the call asks")
		}
		orgs := make([]forms.Organization, len(rows))
		for i, r := range rows {
			orgs[i] = r.organization()
		}
		var err error
		n, err = s.remind(ctx, tx, c, orgs, day, actor)
		return err
	})
	return n, err
}

// ReminderRounds returns the reminders the call has done, by day.
func (s *Store) ReminderRounds(ctx context.Context, c forms.Call) ([]ReminderRound, error) {
	var rows []struct {
		Day           int       `db:"day"`
		DoneAt        time.Time `db:"done_at"`
		Superseded    bool      `db:"superseded"`
		Organizations int       `db:"organizations"`
	}
	if err := sqlx.SelectContext(ctx, s.db, &rows, `
		SELECT day, done_at, superseded, organizations FROM reminder_rounds WHERE call_id = $1 ORDER BY day DESC`, c.ID); err != nil {
		return nil, classify(fmt.Errorf("storage: reminder rounds of %s: %w", c.Key, err))
	}
	out := make([]ReminderRound, len(rows))
	for i, r := range rows {
		out[i] = ReminderRound(r)
	}
	return out, nil
}

// CallContacts returns, by organization ID, the focal points and
// contributors of the organizations the call asks: focal points first,
// then by name.
func (s *Store) CallContacts(ctx context.Context, c forms.Call) (map[int64][]forms.Contact, error) {
	var rows []struct {
		OrgID      int64        `db:"organization_id"`
		Name       string       `db:"display_name"`
		Email      string       `db:"email"`
		Role       string       `db:"role"`
		LastSignIn sql.NullTime `db:"last_sign_in_at"`
		Language   string       `db:"language"`
	}
	if err := sqlx.SelectContext(ctx, s.db, &rows, `
		SELECT m.organization_id, u.display_name, u.email, m.role::text AS role, u.last_sign_in_at,
		       COALESCE(NULLIF(u.language, ''), NULLIF(o.language, ''), 'en') AS language
		FROM memberships m JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.organization_id
		WHERE m.organization_id IN (`+askedBy+`) AND m.role IN ('focal_point', 'contributor')
		ORDER BY m.organization_id, m.role = 'focal_point' DESC, lower(u.display_name), u.email`, c.ID); err != nil {
		return nil, classify(fmt.Errorf("storage: contacts of %s: %w", c.Key, err))
	}
	out := map[int64][]forms.Contact{}
	for _, r := range rows {
		lang, _ := forms.ParseLanguage(r.Language)
		out[r.OrgID] = append(out[r.OrgID], forms.Contact{Name: r.Name, Email: r.Email, Role: forms.Role(r.Role), LastSignIn: r.LastSignIn.Time, Language: lang})
	}
	return out, nil
}

// CallReminded returns, by organization ID, the last reminder each
// organization the call reminded got, with how its messages went.
func (s *Store) CallReminded(ctx context.Context, c forms.Call) (map[int64]forms.Reminded, error) {
	var rows []struct {
		OrgID  int64     `db:"organization_id"`
		At     time.Time `db:"at"`
		Day    int       `db:"day"`
		Sent   int       `db:"sent"`
		Queued int       `db:"queued"`
		Failed int       `db:"failed"`
	}
	if err := sqlx.SelectContext(ctx, s.db, &rows, `
		WITH last AS (
		    SELECT organization_id, max(created_at) AS at FROM mail
		    WHERE call_id = $1 AND kind = 'reminder' GROUP BY organization_id
		)
		SELECT m.organization_id, last.at, COALESCE(max((m.about->>'day')::int), 0) AS day,
		       count(*) FILTER (WHERE m.state = 'sent') AS sent,
		       count(*) FILTER (WHERE m.state = 'queued') AS queued,
		       count(*) FILTER (WHERE m.state IN ('failed', 'skipped')) AS failed
		FROM mail m JOIN last ON last.organization_id = m.organization_id AND m.created_at = last.at
		WHERE m.call_id = $1 AND m.kind = 'reminder'
		GROUP BY m.organization_id, last.at`, c.ID); err != nil {
		return nil, classify(fmt.Errorf("storage: reminders of %s: %w", c.Key, err))
	}
	out := make(map[int64]forms.Reminded, len(rows))
	for _, r := range rows {
		out[r.OrgID] = forms.Reminded{At: r.At, Day: r.Day, Sent: r.Sent, Queued: r.Queued, Failed: r.Failed}
	}
	return out, nil
}
