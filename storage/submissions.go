package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"portal/forms"
)

// Submission returns where an organization's answer to a call stands, with
// its submitted versions (without their answers). An organization that has
// saved nothing is NotStarted.
func (s *Store) Submission(ctx context.Context, call forms.Call, org forms.OrganizationRef) (forms.Submission, error) {
	return findSubmission(ctx, s.db, call.ID, org.ID, false)
}

// The statements findSubmission runs: the draft's row, locked or not,
// then its versions.
const (
	submissionSQL = `SELECT ` + submissionColumns + ` FROM drafts WHERE call_id = $1 AND organization_id = $2`
	versionsSQL   = `SELECT ` + versionColumns + ` FROM submission_versions v WHERE v.draft_id = $1 ORDER BY v.number`
)

func findSubmission(ctx context.Context, q sqlx.QueryerContext, callID, orgID int64, lock bool) (forms.Submission, error) {
	var r submissionRow
	query := submissionSQL
	if lock {
		query += ` FOR UPDATE`
	}
	err := sqlx.GetContext(ctx, q, &r, query, callID, orgID)
	if errors.Is(err, sql.ErrNoRows) {
		return forms.Submission{State: forms.NotStarted}, nil
	}
	if err != nil {
		return forms.Submission{}, classify(fmt.Errorf("storage: submission of %d to call %d: %w", orgID, callID, err))
	}
	sub := r.submission()
	var vs []versionRow
	if err := sqlx.SelectContext(ctx, q, &vs, versionsSQL, r.ID); err != nil {
		return forms.Submission{}, classify(fmt.Errorf("storage: versions of draft %d: %w", r.ID, err))
	}
	for _, v := range vs {
		sub.Versions = append(sub.Versions, v.version())
	}
	return sub, nil
}

// The statements of SubmissionsOf: the organization's drafts, then their versions.
const (
	submissionsOfSQL = `SELECT ` + submissionColumns + ` FROM drafts WHERE organization_id = $1`
	versionsOfSQL    = `SELECT v.draft_id, ` + versionColumns + ` FROM submission_versions v
		WHERE v.draft_id = ANY($1) ORDER BY v.draft_id, v.number`
)

// SubmissionsOf returns the organization's submission to each call it has
// a draft for, by call ID, as Submission would: in two statements, however
// many calls.
func (s *Store) SubmissionsOf(ctx context.Context, org forms.OrganizationRef) (map[int64]forms.Submission, error) {
	var rows []submissionRow
	if err := sqlx.SelectContext(ctx, s.db, &rows, submissionsOfSQL, org.ID); err != nil {
		return nil, classify(fmt.Errorf("storage: submissions of %s: %w", org.Code, err))
	}
	out := make(map[int64]forms.Submission, len(rows))
	callOf := make(map[int64]int64, len(rows)) // draft → call
	ids := make(pq.Int64Array, len(rows))
	for i, r := range rows {
		out[r.CallID], callOf[r.ID], ids[i] = r.submission(), r.CallID, r.ID
	}
	var vs []struct {
		DraftID int64 `db:"draft_id"`
		versionRow
	}
	if err := sqlx.SelectContext(ctx, s.db, &vs, versionsOfSQL, ids); err != nil {
		return nil, classify(fmt.Errorf("storage: versions of %s: %w", org.Code, err))
	}
	for _, v := range vs {
		sub := out[callOf[v.DraftID]]
		sub.Versions = append(sub.Versions, v.version())
		out[callOf[v.DraftID]] = sub
	}
	return out, nil
}

// submissionRow is a draft's row as a submission sees it.
type submissionRow struct {
	ID             int64        `db:"id"`
	CallID         int64        `db:"call_id"`
	Version        int          `db:"version"`
	State          string       `db:"state"`
	UpdatedAt      sql.NullTime `db:"updated_at"`
	UpdatedBy      string       `db:"updated_by"`
	StateChangedAt sql.NullTime `db:"state_changed_at"`
}

const submissionColumns = `id, call_id, version, state, updated_at, updated_by, state_changed_at`

func (r submissionRow) submission() forms.Submission {
	sub := forms.Submission{DraftID: r.ID, DraftVersion: r.Version, State: forms.SubmissionState(r.State),
		UpdatedAt: r.UpdatedAt.Time, UpdatedBy: r.UpdatedBy, StateChangedAt: r.StateChangedAt.Time}
	if sub.State == forms.InDraft && r.Version == 0 {
		sub.State = forms.NotStarted
	}
	return sub
}

type versionRow struct {
	ID          int64          `db:"id"`
	Number      int            `db:"number"`
	Reference   string         `db:"reference"`
	SubmittedAt time.Time      `db:"submitted_at"`
	SubmittedBy string         `db:"submitted_by"`
	Late        bool           `db:"late"`
	Checksum    string         `db:"checksum"`
	OnBehalfOf  pq.StringArray `db:"on_behalf_of_codes"`
	QKey        string         `db:"questionnaire_key"`
	QVersion    int            `db:"questionnaire_version"`
	Years       pq.Int64Array  `db:"reporting_years"`
	entryRow
}

// entryRow is how a version records the Office's entry on the organization's behalf.
type entryRow struct {
	Entered      bool           `db:"entered_by_office"`
	Channel      sql.NullString `db:"entry_channel"`
	ReceivedOn   sql.NullTime   `db:"received_on"`
	ReceivedFrom sql.NullString `db:"received_from"`
}

func (r entryRow) entry() *forms.OfficeEntry {
	if !r.Entered {
		return nil
	}
	d := r.ReceivedOn.Time
	return &forms.OfficeEntry{Channel: r.Channel.String, ReceivedOn: time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC),
		ReceivedFrom: r.ReceivedFrom.String}
}

const versionColumns = `v.id, v.number, v.reference, v.submitted_at, v.submitted_by, v.late, v.checksum,
	v.questionnaire_key, v.questionnaire_version, v.reporting_years,
	v.entered_by_office, v.entry_channel, v.received_on, v.received_from,
	array(SELECT o.code FROM organizations o WHERE o.id = ANY(v.on_behalf_of) ORDER BY o.code) AS on_behalf_of_codes`

func (r versionRow) version() forms.SubmissionVersion {
	v := forms.SubmissionVersion{Number: r.Number, Reference: r.Reference, SubmittedAt: r.SubmittedAt,
		SubmittedBy: r.SubmittedBy, Late: r.Late, Checksum: r.Checksum, OnBehalfOf: r.OnBehalfOf,
		Questionnaire: r.QKey, QuestionnaireVersion: r.QVersion, Entry: r.entry()}
	for _, y := range r.Years {
		v.Years = append(v.Years, int(y))
	}
	return v
}

// SubmissionVersion returns version n of an organization's submission to a
// call with its frozen answers and files; KindNotFound when there is none.
func (s *Store) SubmissionVersion(ctx context.Context, call forms.Call, org forms.OrganizationRef, n int) (forms.SubmissionVersion, error) {
	var out forms.SubmissionVersion
	what := fmt.Sprintf("version %d of %s/%s", n, call.Key, org.Code)
	err := s.withTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}, what, func(tx *sqlx.Tx) error {
		var r versionRow
		err := sqlx.GetContext(ctx, tx, &r, `SELECT `+versionColumns+` FROM submission_versions v JOIN drafts d ON d.id = v.draft_id
			WHERE d.call_id = $1 AND d.organization_id = $2 AND v.number = $3`, call.ID, org.ID, n)
		if err != nil {
			return classify(fmt.Errorf("storage: %s: %w", what, err))
		}
		out = r.version()
		if out.Answers, err = loadFrozen(ctx, tx, r.ID); err != nil {
			return fmt.Errorf("storage: %s: %w", what, err)
		}
		var files []fileRow
		if err := sqlx.SelectContext(ctx, tx, &files, `SELECT a.id, a.question, a.file_name, a.content_type, a.size, a.sha256, a.uploaded_at, a.uploaded_by
			FROM submission_files f JOIN attachments a ON a.id = f.attachment_id WHERE f.version_id = $1`, r.ID); err != nil {
			return classify(fmt.Errorf("storage: %s: files: %w", what, err))
		}
		out.Files = make(map[int64]forms.FileInfo, len(files))
		for _, f := range files {
			out.Files[f.ID] = f.info()
		}
		return nil
	})
	return out, err
}

// loadFrozen reads a submitted version's answers, cells and explanations.
func loadFrozen(ctx context.Context, q sqlx.QueryerContext, versionID int64) (forms.Answers, error) {
	return loadAnswersFrom(ctx, q, answersQueries{versionAnswersSQL, versionCellsSQL, versionExplanationsSQL}, versionID)
}

// Transition makes the request's transition on the organization's answer
// to the call, by its user at its time, in one transaction with the draft's row locked (so a
// save and a submission, or two submissions, are never interleaved):
// forms.Decide says whether it may happen. Submitting also checks the
// answers with the questionnaire: any error, or any warning without an explanation, refuses
// it (KindInvalid, with the number in the message); otherwise it freezes a
// new version of every answer, cell, explanation and file with its receipt
// number and checksum. The message, when not blank, is posted as a comment in
// the same transaction (the Office's reason for returning it). Every
// transition is audited with the state it left and the one it reached.
// OnBehalfOf (codes of States) makes a joint submission: each must be in
// the Office's record of the organization's joint answer to the call
// (forms.Call.CheckOnBehalfOf), else KindInvalid and nothing is submitted.
// An Entry is the Office's submission on the organization's behalf
// (forms.TransitionRequest.Decide): the version records it, and its audit
// event names the organization, the channel, the day and the sender.
func (s *Store) Transition(ctx context.Context, r forms.TransitionRequest) (forms.Submission, error) {
	call, q, org, u, t, now := r.Call, r.Questionnaire, r.Organization, r.User, r.Transition, r.At
	onBehalfOf, message, actor := r.OnBehalfOf, r.Message, r.Actor
	what := string(t) + " " + call.Key + "/" + org.Code
	err := s.withTx(ctx, nil, what, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO drafts (call_id, organization_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, call.ID, org.ID); err != nil {
			return classify(fmt.Errorf("storage: %s: %w", what, err))
		}
		sub, err := findSubmission(ctx, tx, call.ID, org.ID, true)
		if err != nil {
			return err
		}
		// Decide needs what the audience is made of: kind and groups.
		var o orgRow
		if err := sqlx.GetContext(ctx, tx, &o, `SELECT `+orgColumns+` FROM organizations o WHERE o.id = $1`, org.ID); err != nil {
			return classify(fmt.Errorf("storage: %s: organization: %w", what, err))
		}
		to, err := r.Decide(o.organization(), sub.State)
		if err != nil {
			return err
		}
		// What the transition carries is judged once who may make it is.
		if err := r.Validate(); err != nil {
			return err
		}
		details := map[string]string{"call": call.Key, "from": string(sub.State), "to": string(to)}
		version := len(sub.Versions) // the version the transition is about
		if t == forms.TransitionSubmit {
			if err := checkOnBehalfOf(ctx, tx, call, org, onBehalfOf); err != nil {
				return err
			}
			v, err := freeze(ctx, tx, call, q, org, sub, now, onBehalfOf, r.Entry, actor)
			if err != nil {
				return err
			}
			details["reference"], details["checksum"] = v.Reference, v.Checksum
			if e := r.Entry; e != nil {
				details["on_behalf_of"] = org.Code
				details["channel"], details["received_on"] = e.Channel, e.ReceivedOn.Format(time.DateOnly)
				details["received_from"] = strings.TrimSpace(e.ReceivedFrom)
			}
			version = v.Number
			if v.Late {
				details["late"] = "true"
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE drafts SET state = $2, state_changed_at = $3 WHERE id = $1`,
			sub.DraftID, dbState(to), now); err != nil {
			return classify(fmt.Errorf("storage: %s: %w", what, err))
		}
		var comment int64
		if message != "" {
			if comment, err = insertComment(ctx, tx, sub.DraftID, len(sub.Versions), "", message, u.Office(), actor); err != nil {
				return err
			}
		}
		if err := s.queueTransitionMail(ctx, tx, r, version, comment); err != nil {
			return err
		}
		return insertAuditEvents(ctx, tx, forms.AuditEvent{Actor: actor, Action: forms.AuditSubmission + string(t),
			Organization: org, Target: call.Key, Details: details})
	})
	if err != nil {
		return forms.Submission{}, err
	}
	return s.Submission(ctx, call, org)
}

// queueTransitionMail records the messages a transition sends, in its
// transaction: a submission's receipt to whoever submitted and the
// organization's focal points; a return (with the Office's message, the
// comment) or an acceptance to the focal points.
func (s *Store) queueTransitionMail(ctx context.Context, tx *sqlx.Tx, r forms.TransitionRequest, version int, comment int64) error {
	var kind forms.MailKind
	switch r.Transition {
	case forms.TransitionSubmit:
		kind = forms.MailReceipt
	case forms.TransitionReturn:
		kind = forms.MailReturned
	case forms.TransitionAccept:
		kind = forms.MailAccepted
	default:
		return nil
	}
	fps, err := focalPoints(ctx, tx, r.Organization.ID)
	if err != nil {
		return err
	}
	rs := fps[r.Organization.ID]
	// The submitter hears too, when they are a person with an account (not
	// the command line or the demo's seeding).
	if kind == forms.MailReceipt && r.User != nil && r.User.ID != 0 && r.User.Email != "" {
		rs = append([]recipient{{UserID: r.User.ID, Email: r.User.Email}}, rs...)
	}
	m := forms.Mail{Kind: kind, Organization: r.Organization, Call: r.Call.Key, Version: version, Comment: comment}
	return s.queueMail(ctx, tx, mailTo(m, rs...)...)
}

// dbState is a state as the drafts table keeps it: not started is a draft
// with nothing saved.
func dbState(s forms.SubmissionState) string {
	if s == forms.NotStarted {
		return string(forms.InDraft)
	}
	return string(s)
}

// freeze copies the draft into a new submitted version, once its answers
// are checked, and returns the version.
func freeze(ctx context.Context, tx *sqlx.Tx, call forms.Call, q *forms.Questionnaire, org forms.OrganizationRef,
	sub forms.Submission, now time.Time, onBehalfOf []string, entry *forms.OfficeEntry, actor forms.Actor) (forms.SubmissionVersion, error) {
	answers, err := loadAnswers(ctx, tx, sub.DraftID)
	if err != nil {
		return forms.SubmissionVersion{}, fmt.Errorf("storage: submit: %w", err)
	}
	findings := forms.Check(q, answers, call.Years)
	if blocking := forms.Blocking(findings, answers); len(blocking) > 0 {
		return forms.SubmissionVersion{}, forms.Errorf(forms.KindInvalid, "%d problems stop the submission", len(blocking))
	}
	// Hidden questions' answers are not submitted; the draft keeps them, so
	// that changing the earlier answer back restores them.
	hidden := append([]string{}, q.HiddenKeys(answers)...) // not nil: pq sends nil as NULL
	dropped := []string{}                                  // explanations of findings on hidden questions
	// Answers that ticked a hidden option are submitted without it (or
	// not at all when nothing else is left).
	var changed, rewritten, rewrittenJSON []string
	visible := q.Visible(answers)
	for k := range q.HiddenOptions(answers) {
		orig, had := answers.Values[k]
		v, ok := visible.Values[k]
		if !had || (ok && len(v.Choices) == len(orig.Choices)) {
			continue
		}
		changed = append(changed, k)
		if !ok {
			continue
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return forms.SubmissionVersion{}, fmt.Errorf("storage: submit: answer %s: %w", k, err)
		}
		rewritten, rewrittenJSON = append(rewritten, k), append(rewrittenJSON, string(raw))
	}
	for k := range answers.Explanations {
		if _, kept := visible.Explanations[k]; !kept {
			dropped = append(dropped, k)
		}
	}
	// Nor are the cells of hidden rows, by table and row.
	rowTables, rowKeys := []string{}, []string{}
	for table, rows := range q.HiddenRows(answers) {
		for row := range rows {
			rowTables, rowKeys = append(rowTables, table), append(rowKeys, row)
		}
	}
	answers = visible
	files, err := loadFiles(ctx, tx, sub.DraftID)
	if err != nil {
		return forms.SubmissionVersion{}, fmt.Errorf("storage: submit: %w", err)
	}
	used := map[int64]forms.FileInfo{}
	for _, a := range answers.Values {
		for _, id := range a.Files {
			if f, ok := files[id]; ok {
				used[id] = f
			}
		}
	}
	n := len(sub.Versions) + 1
	v := forms.SubmissionVersion{Number: n, Reference: forms.Reference(call, org.Code, n), SubmittedAt: now,
		// An answer to the Office's request for clarification is never late.
		SubmittedBy: actor.Label, Late: call.Late(now) && sub.State != forms.Returned, Checksum: forms.Checksum(answers, used),
		Questionnaire: q.Key, QuestionnaireVersion: q.Version, Years: call.Years, Entry: entry}
	var e entryRow
	if entry != nil {
		e = entryRow{Entered: true, Channel: sql.NullString{String: entry.Channel, Valid: true},
			ReceivedOn:   sql.NullTime{Time: entry.ReceivedOn, Valid: true},
			ReceivedFrom: sql.NullString{String: strings.TrimSpace(entry.ReceivedFrom), Valid: true}}
	}
	years := make(pq.Int64Array, len(call.Years))
	for i, y := range call.Years {
		years[i] = int64(y)
	}
	var versionID int64
	err = tx.QueryRowxContext(ctx, `
		INSERT INTO submission_versions (draft_id, number, reference, draft_version, submitted_at, submitted_by_user_id, submitted_by, late, checksum, on_behalf_of,
		                                 questionnaire_key, questionnaire_version, reporting_years,
		                                 entered_by_office, entry_channel, received_on, received_from)
		VALUES ($1, $2, $3, $4, $5, NULLIF($6, 0), $7, $8, $9, array(SELECT id FROM organizations WHERE code = ANY($10) ORDER BY id), $11, $12, $13,
		        $14, $15, $16, $17)
		RETURNING id`,
		sub.DraftID, n, v.Reference, sub.DraftVersion, now, actor.UserID, actor.Label, v.Late, v.Checksum, pq.Array(onBehalfOf),
		q.Key, q.Version, years, e.Entered, e.Channel, e.ReceivedOn, e.ReceivedFrom).Scan(&versionID)
	if err != nil {
		return v, classify(fmt.Errorf("storage: submit: %w", err))
	}
	ids := make(pq.Int64Array, 0, len(used))
	for id := range used {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	// A cell is kept unless its table is hidden ($3) or its row is ($4, $5).
	const shownCells = `question <> ALL($3) AND (question, row_key) NOT IN (SELECT * FROM unnest($4::text[], $5::text[]))`
	hiddenRows := []any{pq.Array(rowTables), pq.Array(rowKeys)}
	for _, st := range []struct {
		sql    string
		except []string
		more   []any
	}{
		{`INSERT INTO submission_answers (version_id, question, answer) SELECT $1, question, answer FROM draft_answers WHERE draft_id = $2 AND question <> ALL($3)`, append(slices.Clone(hidden), changed...), nil},
		{`INSERT INTO submission_cells (version_id, question, row_key, year, category, state, value, note, flags)
		  SELECT $1, question, row_key, year, category, state, value, note, flags FROM draft_cells WHERE draft_id = $2 AND ` + shownCells, hidden, hiddenRows},
		{`INSERT INTO submission_explanations (version_id, finding, explanation) SELECT $1, finding, explanation FROM draft_explanations WHERE draft_id = $2 AND finding <> ALL($3)`, dropped, nil},
		{`INSERT INTO submission_table_counts (version_id, question, figures, marked)
		  SELECT $1, question, count(*) FILTER (WHERE state = 1), count(*) FILTER (WHERE state IN (2, 3))
		  FROM draft_cells WHERE draft_id = $2 AND ` + shownCells + ` GROUP BY question`, hidden, hiddenRows},
	} {
		if _, err := tx.ExecContext(ctx, st.sql, append([]any{versionID, sub.DraftID, pq.Array(st.except)}, st.more...)...); err != nil {
			return v, classify(fmt.Errorf("storage: submit: %w", err))
		}
	}
	if len(rewritten) > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO submission_answers (version_id, question, answer) SELECT $1, unnest($2::text[]), unnest($3::jsonb[])`,
			versionID, pq.Array(rewritten), pq.Array(rewrittenJSON)); err != nil {
			return v, classify(fmt.Errorf("storage: submit: answers without hidden options: %w", err))
		}
	}
	if len(ids) > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO submission_files (version_id, attachment_id) SELECT $1, unnest($2::bigint[])`, versionID, ids); err != nil {
			return v, classify(fmt.Errorf("storage: submit: files: %w", err))
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE drafts SET submitted_versions = $2 WHERE id = $1`, sub.DraftID, n); err != nil {
		return v, classify(fmt.Errorf("storage: submit: %w", err))
	}
	return v, nil
}

// Comments returns the comments on an organization's submission to a call, oldest first.
func (s *Store) Comments(ctx context.Context, call forms.Call, org forms.OrganizationRef) ([]forms.Comment, error) {
	var rows []struct {
		ID      int64     `db:"id"`
		Version int       `db:"version_number"`
		Field   string    `db:"field"`
		Author  string    `db:"author"`
		Office  bool      `db:"office"`
		Body    string    `db:"body"`
		At      time.Time `db:"created_at"`
	}
	if err := sqlx.SelectContext(ctx, s.db, &rows, `
		SELECT c.id, c.version_number, c.field, c.author, c.office, c.body, c.created_at
		FROM review_comments c JOIN drafts d ON d.id = c.draft_id
		WHERE d.call_id = $1 AND d.organization_id = $2 ORDER BY c.id`, call.ID, org.ID); err != nil {
		return nil, classify(fmt.Errorf("storage: comments on %s/%s: %w", call.Key, org.Code, err))
	}
	out := make([]forms.Comment, len(rows))
	for i, r := range rows {
		out[i] = forms.Comment{ID: r.ID, Version: r.Version, Field: r.Field, Author: r.Author, Office: r.Office, Body: r.Body, At: r.At}
	}
	return out, nil
}

// AddComment posts a comment on an organization's submission to a call,
// about its latest version, audited. KindNotFound when nothing was submitted.
func (s *Store) AddComment(ctx context.Context, call forms.Call, org forms.OrganizationRef, field, body string, office bool, actor forms.Actor) error {
	return s.withTx(ctx, nil, "comment on "+call.Key+"/"+org.Code, func(tx *sqlx.Tx) error {
		sub, err := findSubmission(ctx, tx, call.ID, org.ID, false)
		if err != nil {
			return err
		}
		if len(sub.Versions) == 0 {
			return forms.Errorf(forms.KindNotFound, "nothing submitted to comment on")
		}
		id, err := insertComment(ctx, tx, sub.DraftID, len(sub.Versions), field, body, office, actor)
		if err != nil {
			return err
		}
		if office {
			// The organization hears of the Office's comment (not of its own).
			fps, err := focalPoints(ctx, tx, org.ID)
			if err != nil {
				return err
			}
			m := forms.Mail{Kind: forms.MailComment, Organization: org, Call: call.Key, Version: len(sub.Versions), Comment: id}
			if err := s.queueMail(ctx, tx, mailTo(m, fps[org.ID]...)...); err != nil {
				return err
			}
		}
		return insertAuditEvents(ctx, tx, forms.AuditEvent{Actor: actor, Action: forms.AuditCommentPosted, Organization: org,
			Target: call.Key, Details: map[string]string{"field": field, "version": strconv.Itoa(len(sub.Versions))}})
	})
}

// insertComment adds a comment and returns its id.
func insertComment(ctx context.Context, tx *sqlx.Tx, draftID int64, version int, field, body string, office bool, actor forms.Actor) (int64, error) {
	var id int64
	if err := tx.QueryRowxContext(ctx, `
		INSERT INTO review_comments (draft_id, version_number, field, author_user_id, author, office, body)
		VALUES ($1, $2, $3, NULLIF($4, 0), $5, $6, $7) RETURNING id`, draftID, version, field, actor.UserID, actor.Label, office, body).Scan(&id); err != nil {
		return 0, classify(fmt.Errorf("storage: comment: %w", err))
	}
	return id, nil
}

// Responses returns, for every organization the call asks, where its
// answer stands: by regional group order, then name. A State that a joint
// submission answers for is CoveredBy that organization, when the Office's
// record names the State for it (see Represent).
func (s *Store) Responses(ctx context.Context, call forms.Call) ([]forms.Response, error) {
	all, err := s.ResponsesTo(ctx, []forms.Call{call})
	return all[call.ID], err
}

// ResponsesTo is Responses for several calls in one statement, by call ID.
func (s *Store) ResponsesTo(ctx context.Context, calls []forms.Call) (map[int64][]forms.Response, error) {
	ids := make(pq.Int64Array, len(calls))
	for i, c := range calls {
		ids[i] = c.ID
	}
	var rows []struct {
		orgRow
		CallID       int64          `db:"call_id"`
		State        sql.NullString `db:"state"`
		Version      sql.NullInt64  `db:"version"`
		UpdatedAt    sql.NullTime   `db:"updated_at"`
		StateAt      sql.NullTime   `db:"state_changed_at"`
		Versions     int            `db:"versions"`
		Reference    sql.NullString `db:"reference"`
		Late         sql.NullBool   `db:"late"`
		CoveredBy    sql.NullString `db:"covered_by"`
		SinceChanges int            `db:"since_changes"`
		Entered      sql.NullBool   `db:"entered_by_office"`
		Channel      sql.NullString `db:"entry_channel"`
		ReceivedOn   sql.NullTime   `db:"received_on"`
		ReceivedFrom sql.NullString `db:"received_from"`
	}
	err := sqlx.SelectContext(ctx, s.db, &rows, `
		WITH asked AS (
		    SELECT c.id AS call_id, o.id FROM organizations o, calls c
		    WHERE c.id = ANY($1) AND `+callAsks+`
		)
		SELECT `+orgColumns+`, asked.call_id,
		       d.state, d.version, d.updated_at, d.state_changed_at, COALESCE(d.submitted_versions, 0) AS versions,
		       lv.reference, lv.late, lv.entered_by_office, lv.entry_channel, lv.received_on, lv.received_from,
		       (SELECT jo.code FROM representations r
		        JOIN drafts jd ON jd.call_id = r.call_id AND jd.organization_id = r.organization_id
		        JOIN submission_versions jv ON jv.draft_id = jd.id AND jv.number = jd.submitted_versions
		        JOIN organizations jo ON jo.id = r.organization_id
		        WHERE r.call_id = asked.call_id AND r.state_id = o.id
		          AND jd.state IN ('submitted', 'accepted', 'returned') AND o.id = ANY(jv.on_behalf_of)) AS covered_by,
		       COALESCE((SELECT count(DISTINCT k) FROM draft_saves ds, jsonb_object_keys(ds.changes) AS k
		                 WHERE ds.draft_id = d.id AND ds.version > COALESCE(lv.draft_version, 0)), 0) AS since_changes
		FROM organizations o
		JOIN asked ON asked.id = o.id
		LEFT JOIN drafts d ON d.organization_id = o.id AND d.call_id = asked.call_id
		LEFT JOIN submission_versions lv ON lv.draft_id = d.id AND lv.number = d.submitted_versions
		ORDER BY asked.call_id, o.name_en`, ids)
	if err != nil {
		return nil, classify(fmt.Errorf("storage: responses to %d calls: %w", len(calls), err))
	}
	out := make(map[int64][]forms.Response, len(calls))
	for _, r := range rows {
		resp := forms.Response{Organization: r.orgRow.organization(), State: forms.NotStarted, Versions: r.Versions,
			Reference: r.Reference.String, Late: r.Late.Bool, CoveredBy: r.CoveredBy.String, Changes: r.SinceChanges,
			Entry: entryRow{Entered: r.Entered.Bool, Channel: r.Channel, ReceivedOn: r.ReceivedOn, ReceivedFrom: r.ReceivedFrom}.entry()}
		if r.State.Valid && (r.State.String != string(forms.InDraft) || r.Version.Int64 > 0) {
			resp.State = forms.SubmissionState(r.State.String)
		}
		resp.LastActivity = r.UpdatedAt.Time
		if r.StateAt.Valid {
			resp.StateSince = r.StateAt.Time
		}
		if r.StateAt.Valid && r.StateAt.Time.After(resp.LastActivity) {
			resp.LastActivity = r.StateAt.Time
		}
		out[r.CallID] = append(out[r.CallID], resp)
	}
	return out, nil
}
