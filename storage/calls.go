package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"portal/forms"
)

type callRow struct {
	ID          int64          `db:"id"`
	Key         string         `db:"key"`
	Title       []byte         `db:"title"`
	QKey        string         `db:"questionnaire_key"`
	QVersion    int            `db:"questionnaire_version"`
	Years       pq.Int64Array  `db:"reporting_years"`
	Reference   string         `db:"reference"`
	Mandate     []byte         `db:"mandate"`
	Body        []byte         `db:"body"`
	State       string         `db:"state"`
	OpensAt     sql.NullTime   `db:"opens_at"`
	Deadline    sql.NullTime   `db:"deadline"`
	TimeZone    string         `db:"time_zone"`
	LateAllowed bool           `db:"late_allowed"`
	AllMS       bool           `db:"all_member_states"`
	Reminders   pq.Int64Array  `db:"reminders"`
	Groups      pq.StringArray `db:"groups"`
	Orgs        pq.StringArray `db:"orgs"`
}

const callColumns = `c.id, c.key, c.title, c.questionnaire_key, c.questionnaire_version, c.reporting_years,
	c.reference, c.mandate, c.body, c.state, c.opens_at, c.deadline, c.time_zone, c.late_allowed, c.all_member_states,
	c.reminders,
	array(SELECT g.group_code FROM call_groups g WHERE g.call_id = c.id ORDER BY g.group_code) AS groups,
	array(SELECT o.code FROM call_organizations co JOIN organizations o ON o.id = co.organization_id
	      WHERE co.call_id = c.id ORDER BY o.code) AS orgs`

// callAsks is forms.Call.Asks in SQL: whether the call c (a row of calls)
// asks the organization o (a row of organizations). Every statement that
// lists or counts a call's respondents applies it, so that an organization
// the call does not ask is in none of them; TestCallAsksInSQL holds it to
// forms on every organization of the directory.
const callAsks = `((c.all_member_states AND o.kind = 'member_state')
	OR EXISTS (SELECT 1 FROM call_organizations co WHERE co.call_id = c.id AND co.organization_id = o.id)
	OR (o.kind = 'member_state' AND EXISTS (
	    SELECT 1 FROM regional_group_members m JOIN call_groups g ON g.group_code = m.group_code
	    WHERE g.call_id = c.id AND m.organization_id = o.id)))`

// askedBy is the SQL of the ids of the organizations the call $1 asks.
const askedBy = `SELECT o.id FROM organizations o, calls c WHERE c.id = $1 AND ` + callAsks

func (r callRow) call() (forms.Call, error) {
	c := forms.Call{ID: r.ID, Key: r.Key, Questionnaire: r.QKey, Version: r.QVersion, Reference: r.Reference,
		State: forms.CallState(r.State), Opens: r.OpensAt.Time, Deadline: r.Deadline.Time, TimeZone: r.TimeZone,
		LateAllowed: r.LateAllowed,
		Audience:    forms.Audience{AllMemberStates: r.AllMS, Groups: r.Groups, Organizations: r.Orgs}}
	for name, t := range map[string]struct {
		raw []byte
		to  *forms.Text
	}{"title": {r.Title, &c.Title}, "mandate": {r.Mandate, &c.Mandate}, "body": {r.Body, &c.Body}} {
		if err := json.Unmarshal(t.raw, t.to); err != nil {
			return forms.Call{}, fmt.Errorf("storage: call %s: %s: %w", r.Key, name, err)
		}
	}
	for _, y := range r.Years {
		c.Years = append(c.Years, int(y))
	}
	for _, d := range r.Reminders {
		c.Reminders = append(c.Reminders, int(d))
	}
	return c, nil
}

// EnsureCall stores c unless a call with its key exists, and returns the
// stored call (the existing one, unchanged, when there was one).
func (s *Store) EnsureCall(ctx context.Context, c forms.Call) (forms.Call, error) {
	err := s.withTx(ctx, nil, "ensure call "+c.Key, func(tx *sqlx.Tx) error {
		var exists bool
		if err := tx.QueryRowxContext(ctx, `SELECT EXISTS (SELECT 1 FROM calls WHERE key = $1)`, c.Key).Scan(&exists); err != nil {
			return classify(fmt.Errorf("storage: ensure call %s: %w", c.Key, err))
		}
		if exists {
			return nil
		}
		_, err := writeCall(ctx, tx, c)
		return err
	})
	if err != nil {
		return forms.Call{}, err
	}
	return s.CallByKey(ctx, c.Key)
}

// SaveCall creates the call (ID 0) or updates the one with c.ID, with its
// audience, audited with the state it is in and, for each field the save
// changes (forms.CallChanges), its value before ("<field>.from") and after
// ("<field>.to"). KindConflict for a key another call has, and, with the
// fields named (forms.CheckAnsweredCallEdit), for a change of
// questionnaire or years once an organization has answered the call;
// KindInvalid for a group or organization code that does not exist.
func (s *Store) SaveCall(ctx context.Context, c forms.Call, actor forms.Actor) (forms.Call, error) {
	err := s.withTx(ctx, nil, "save call "+c.Key, func(tx *sqlx.Tx) error {
		var before forms.Call
		if c.ID != 0 {
			// Locked, so that two edits are audited against what each changed.
			var r callRow
			err := sqlx.GetContext(ctx, tx, &r, `SELECT `+callColumns+` FROM calls c WHERE c.id = $1 FOR UPDATE`, c.ID)
			if err != nil {
				return classify(fmt.Errorf("storage: save call %s: %w", c.Key, err))
			}
			if before, err = r.call(); err != nil {
				return err
			}
			if forms.CheckAnsweredCallEdit(before, c) != nil {
				// A save in progress holds its draft's row: wait for it, and
				// hold later ones (a new draft's row waits on the call's).
				if _, err := tx.ExecContext(ctx, `SELECT id FROM drafts WHERE call_id = $1 FOR SHARE`, c.ID); err != nil {
					return classify(fmt.Errorf("storage: save call %s: %w", c.Key, err))
				}
				answered, err := callAnswered(ctx, tx, c.ID)
				if err != nil {
					return err
				}
				if answered {
					return forms.CheckAnsweredCallEdit(before, c)
				}
			}
		}
		id, err := writeCall(ctx, tx, c)
		if err != nil {
			return err
		}
		c.ID = id
		// Opened now: each asked organization's focal points hear of it, in
		// the save's transaction.
		if c.State == forms.CallOpen && before.State != forms.CallOpen {
			if err := s.queueCallOpened(ctx, tx, c); err != nil {
				return err
			}
		}
		details := map[string]string{"state": string(c.State)}
		for _, ch := range forms.CallChanges(before, c) {
			details[ch.Field+".from"], details[ch.Field+".to"] = ch.Old, ch.New
		}
		return insertAuditEvents(ctx, tx, forms.AuditEvent{Actor: actor, Action: forms.AuditCallSaved, Target: c.Key, Details: details})
	})
	if err != nil {
		return forms.Call{}, err
	}
	return s.CallByKey(ctx, c.Key)
}

// CallAnswered reports whether an organization has answered the call: a
// draft with an answer, a cell or an explanation, or a submitted version.
// Its questionnaire and years may then no longer change.
func (s *Store) CallAnswered(ctx context.Context, call forms.Call) (bool, error) {
	return callAnswered(ctx, s.db, call.ID)
}

func callAnswered(ctx context.Context, q sqlx.QueryerContext, callID int64) (bool, error) {
	var answered bool
	err := sqlx.GetContext(ctx, q, &answered, `
		SELECT EXISTS (SELECT 1 FROM drafts d WHERE d.call_id = $1 AND (d.submitted_versions > 0
		    OR EXISTS (SELECT 1 FROM draft_answers a WHERE a.draft_id = d.id)
		    OR EXISTS (SELECT 1 FROM draft_cells c WHERE c.draft_id = d.id)
		    OR EXISTS (SELECT 1 FROM draft_explanations e WHERE e.draft_id = d.id)))`, callID)
	if err != nil {
		return false, classify(fmt.Errorf("storage: is call %d answered: %w", callID, err))
	}
	return answered, nil
}

// writeCall inserts or updates a call and replaces its audience.
func writeCall(ctx context.Context, tx *sqlx.Tx, c forms.Call) (int64, error) {
	texts := make([]string, 3)
	for i, t := range []forms.Text{c.Title, c.Mandate, c.Body} {
		if t == nil {
			t = forms.Text{}
		}
		b, err := json.Marshal(t)
		if err != nil {
			return 0, fmt.Errorf("storage: call %s: %w", c.Key, err)
		}
		texts[i] = string(b)
	}
	years := make(pq.Int64Array, len(c.Years))
	for i, y := range c.Years {
		years[i] = int64(y)
	}
	state := c.State
	if state == "" {
		state = forms.CallDraft
	}
	reminders := make(pq.Int64Array, len(c.Reminders))
	for i, d := range c.Reminders {
		reminders[i] = int64(d)
	}
	args := []any{c.Key, texts[0], c.Questionnaire, c.Version, years, c.Reference, texts[1], texts[2], string(state),
		nullTime(c.Opens), nullTime(c.Deadline), c.TimeZone, c.LateAllowed, c.Audience.AllMemberStates, reminders}
	var id int64
	var err error
	if c.ID == 0 {
		err = tx.QueryRowxContext(ctx, `
			INSERT INTO calls (key, title, questionnaire_key, questionnaire_version, reporting_years, reference, mandate, body,
			                   state, opens_at, deadline, time_zone, late_allowed, all_member_states, reminders)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`, args...).Scan(&id)
	} else {
		err = tx.QueryRowxContext(ctx, `
			UPDATE calls SET key = $1, title = $2, questionnaire_key = $3, questionnaire_version = $4, reporting_years = $5,
			       reference = $6, mandate = $7, body = $8, state = $9, opens_at = $10, deadline = $11, time_zone = $12,
			       late_allowed = $13, all_member_states = $14, reminders = $15, updated_at = now()
			WHERE id = $16 RETURNING id`, append(args, c.ID)...).Scan(&id)
	}
	if err != nil {
		return 0, classify(fmt.Errorf("storage: save call %s: %w", c.Key, err))
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM call_groups WHERE call_id = $1`, id); err != nil {
		return 0, classify(fmt.Errorf("storage: save call %s: %w", c.Key, err))
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM call_organizations WHERE call_id = $1`, id); err != nil {
		return 0, classify(fmt.Errorf("storage: save call %s: %w", c.Key, err))
	}
	if len(c.Audience.Groups) > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO call_groups (call_id, group_code) SELECT $1, unnest($2::text[])`,
			id, pq.Array(c.Audience.Groups)); err != nil {
			return 0, classify(fmt.Errorf("storage: save call %s: groups: %w", c.Key, err))
		}
	}
	if len(c.Audience.Organizations) > 0 {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO call_organizations (call_id, organization_id)
			SELECT $1, o.id FROM organizations o WHERE o.code = ANY($2)`, id, pq.Array(c.Audience.Organizations))
		if err != nil {
			return 0, classify(fmt.Errorf("storage: save call %s: organizations: %w", c.Key, err))
		}
		if n, _ := res.RowsAffected(); int(n) != len(c.Audience.Organizations) {
			return 0, forms.Errorf(forms.KindInvalid, "an organization code of call %s does not exist", c.Key)
		}
	}
	return id, nil
}

// Calls lists every call, oldest first.
func (s *Store) Calls(ctx context.Context) ([]forms.Call, error) {
	var rows []callRow
	if err := sqlx.SelectContext(ctx, s.db, &rows, callsSQL); err != nil {
		return nil, classify(fmt.Errorf("storage: calls: %w", err))
	}
	out := make([]forms.Call, 0, len(rows))
	for _, r := range rows {
		c, err := r.call()
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

const (
	callsSQL     = `SELECT ` + callColumns + ` FROM calls c ORDER BY c.id`
	callByKeySQL = `SELECT ` + callColumns + ` FROM calls c WHERE c.key = $1`
)

// CallByKey returns the call with the key; forms.KindNotFound when there is none.
func (s *Store) CallByKey(ctx context.Context, key string) (forms.Call, error) {
	var r callRow
	err := sqlx.GetContext(ctx, s.db, &r, callByKeySQL, key)
	if err != nil {
		return forms.Call{}, classify(fmt.Errorf("storage: call %q: %w", key, err))
	}
	return r.call()
}

// CloseCallsPastDeadline closes the open calls whose deadline is before now
// and that take no late submissions, audited as done by actor, and returns
// their keys. Any number of portal processes may run it: a call closes
// once. A submission returned for clarification may still be answered in a
// closed call (forms.Decide).
func (s *Store) CloseCallsPastDeadline(ctx context.Context, now time.Time, actor forms.Actor) ([]string, error) {
	var keys []string
	err := s.withTx(ctx, nil, "close calls past their deadline", func(tx *sqlx.Tx) error {
		if err := sqlx.SelectContext(ctx, tx, &keys, `
			UPDATE calls SET state = 'closed', updated_at = now()
			WHERE state = 'open' AND NOT late_allowed AND deadline < $1
			RETURNING key`, now); err != nil {
			return classify(fmt.Errorf("storage: close calls past their deadline: %w", err))
		}
		evs := make([]forms.AuditEvent, len(keys))
		for i, k := range keys {
			evs[i] = forms.AuditEvent{Actor: actor, Action: forms.AuditCallClosed, Target: k, Details: map[string]string{"reason": "deadline"}}
		}
		return insertAuditEvents(ctx, tx, evs...)
	})
	return keys, err
}

// queueCallOpened records the notice of call c to the focal points of every
// organization it asks.
func (s *Store) queueCallOpened(ctx context.Context, tx *sqlx.Tx, c forms.Call) error {
	var rows []struct {
		OrgID  int64  `db:"organization_id"`
		Code   string `db:"code"`
		UserID int64  `db:"user_id"`
		Email  string `db:"email"`
	}
	if err := sqlx.SelectContext(ctx, tx, &rows, `
		SELECT m.organization_id, o.code, u.id AS user_id, u.email
		FROM memberships m JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.organization_id
		WHERE m.organization_id IN (`+askedBy+`) AND m.role = 'focal_point' AND u.email <> ''
		ORDER BY o.code, u.id`, c.ID); err != nil {
		return classify(fmt.Errorf("storage: call %s opened: %w", c.Key, err))
	}
	ms := make([]forms.Mail, 0, len(rows))
	for _, r := range rows {
		ms = append(ms, forms.Mail{Kind: forms.MailCallOpened, Recipient: r.Email, UserID: r.UserID,
			Organization: forms.OrganizationRef{ID: r.OrgID, Code: r.Code}, Call: c.Key})
	}
	return s.queueMail(ctx, tx, ms...)
}
