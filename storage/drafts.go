package storage

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
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

type draftRow struct {
	ID        int64        `db:"id"`
	CallID    int64        `db:"call_id"`
	Version   int          `db:"version"`
	UpdatedAt sql.NullTime `db:"updated_at"`
	UpdatedBy string       `db:"updated_by"`
}

// DraftsOf returns the drafts an organization has started, by call id,
// without their answers.
func (s *Store) DraftsOf(ctx context.Context, orgID int64) (map[int64]forms.Draft, error) {
	var rows []draftRow
	if err := sqlx.SelectContext(ctx, s.db, &rows, `
		SELECT id, call_id, version, updated_at, updated_by FROM drafts WHERE organization_id = $1`, orgID); err != nil {
		return nil, classify(fmt.Errorf("storage: drafts of %d: %w", orgID, err))
	}
	out := make(map[int64]forms.Draft, len(rows))
	for _, r := range rows {
		out[r.CallID] = forms.Draft{ID: r.ID, Call: forms.Call{ID: r.CallID}, Organization: forms.OrganizationRef{ID: orgID},
			Version: r.Version, UpdatedAt: r.UpdatedAt.Time, UpdatedBy: r.UpdatedBy}
	}
	return out, nil
}

const draftSQL = `SELECT id, call_id, version, updated_at, updated_by FROM drafts WHERE call_id = $1 AND organization_id = $2`

// Draft returns the organization's draft for the call with all its answers
// and the attachments' descriptions, read in one snapshot so that the
// version and the content agree. A draft nobody has saved yet comes back
// empty, with ID and Version 0.
func (s *Store) Draft(ctx context.Context, call forms.Call, org forms.OrganizationRef) (forms.Draft, error) {
	d := forms.Draft{Call: call, Organization: org}
	what := "draft " + call.Key + "/" + org.Code
	err := s.withTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}, what, func(tx *sqlx.Tx) error {
		d = forms.Draft{Call: call, Organization: org} // as if new, should withTx run this again
		var r draftRow
		err := sqlx.GetContext(ctx, tx, &r, draftSQL, call.ID, org.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return classify(fmt.Errorf("storage: %s: %w", what, err))
		}
		d.ID, d.Version, d.UpdatedAt, d.UpdatedBy = r.ID, r.Version, r.UpdatedAt.Time, r.UpdatedBy
		if d.Answers, err = loadAnswers(ctx, tx, d.ID); err != nil {
			return fmt.Errorf("storage: %s: %w", what, err)
		}
		if d.Files, err = loadFiles(ctx, tx, d.ID); err != nil {
			return fmt.Errorf("storage: %s: %w", what, err)
		}
		return nil
	})
	return d, err
}

// cellColumns selects a cell of c (draft_cells or submission_cells) as
// loadAnswersFrom reads it: its key in one column, "question/row/year/
// category" (no key holds a "/": each was read from a field key), then
// its content. One string a cell rather than three: the driver makes a
// string of each text column of each row, and a draft has hundreds of cells.
const cellColumns = `c.question || '/' || c.row_key || '/' || c.year || '/' || c.category, c.state, c.value, c.note, c.flags`

// cellRefOf parses the key cellColumns selects; its parts share the key's memory.
func cellRefOf(key string) (forms.CellRef, error) {
	q, rest, _ := strings.Cut(key, "/")
	r, rest, _ := strings.Cut(rest, "/")
	y, c, ok := strings.Cut(rest, "/")
	year, err := strconv.Atoi(y)
	if !ok || err != nil {
		return forms.CellRef{}, fmt.Errorf("a cell's key %q", key)
	}
	return forms.CellRef{Question: q, Row: r, Year: year, Category: c}, nil
}

// The statements that read a draft's answers, cells and explanations,
// and a submitted version's.
const (
	draftAnswersSQL        = `SELECT question, answer FROM draft_answers WHERE draft_id = $1`
	draftCellsSQL          = `SELECT ` + cellColumns + ` FROM draft_cells c WHERE c.draft_id = $1`
	draftExplanationsSQL   = `SELECT finding, explanation FROM draft_explanations WHERE draft_id = $1`
	versionAnswersSQL      = `SELECT question, answer FROM submission_answers WHERE version_id = $1`
	versionCellsSQL        = `SELECT ` + cellColumns + ` FROM submission_cells c WHERE c.version_id = $1`
	versionExplanationsSQL = `SELECT finding, explanation FROM submission_explanations WHERE version_id = $1`
)

// loadAnswers reads every answer, cell and explanation of a draft.
func loadAnswers(ctx context.Context, q sqlx.QueryerContext, draftID int64) (forms.Answers, error) {
	return loadAnswersFrom(ctx, q, answersQueries{draftAnswersSQL, draftCellsSQL, draftExplanationsSQL}, draftID)
}

// answersQueries are three statements that read answers, cells and
// explanations, in the columns of draftAnswersSQL, draftCellsSQL and
// draftExplanationsSQL, with the same arguments.
type answersQueries struct{ answers, cells, explanations string }

// loadAnswersFrom reads the answers, cells and explanations the queries
// select with args; a query left empty reads none.
func loadAnswersFrom(ctx context.Context, q sqlx.QueryerContext, queries answersQueries, args ...any) (forms.Answers, error) {
	a := forms.Answers{Values: map[string]forms.Answer{}, Cells: map[forms.CellRef]forms.Cell{}, Explanations: map[string]string{}}
	if queries.answers != "" {
		rows, err := q.QueryxContext(ctx, queries.answers, args...)
		if err != nil {
			return a, classify(fmt.Errorf("answers: %w", err))
		}
		for rows.Next() {
			var key string
			var raw []byte
			if err := rows.Scan(&key, &raw); err != nil {
				rows.Close()
				return a, classify(fmt.Errorf("answers: %w", err))
			}
			var ans forms.Answer
			if err := json.Unmarshal(raw, &ans); err != nil {
				rows.Close()
				return a, fmt.Errorf("answer %s: %w", key, err)
			}
			a.Values[key] = ans
		}
		if err := rows.Close(); err != nil {
			return a, classify(fmt.Errorf("answers: %w", err))
		}
		if err := rows.Err(); err != nil {
			return a, classify(fmt.Errorf("answers: %w", err))
		}
	}

	if queries.cells != "" {
		crows, err := q.QueryxContext(ctx, queries.cells, args...)
		if err != nil {
			return a, classify(fmt.Errorf("cells: %w", err))
		}
		var (
			key, note    string
			state, flags int64
			value        sql.NullInt64
		)
		for crows.Next() {
			if err := crows.Scan(&key, &state, &value, &note, &flags); err != nil {
				crows.Close()
				return a, classify(fmt.Errorf("cells: %w", err))
			}
			ref, err := cellRefOf(key)
			if err != nil {
				crows.Close()
				return a, fmt.Errorf("cells: %w", err)
			}
			a.Cells[ref] = forms.Cell{State: forms.CellState(state), Value: value.Int64, Note: note, Flags: forms.CellFlags(flags)}
		}
		if err := crows.Close(); err != nil {
			return a, classify(fmt.Errorf("cells: %w", err))
		}
		if err := crows.Err(); err != nil {
			return a, classify(fmt.Errorf("cells: %w", err))
		}
	}

	if queries.explanations != "" {
		var exps []struct {
			Finding     string `db:"finding"`
			Explanation string `db:"explanation"`
		}
		if err := sqlx.SelectContext(ctx, q, &exps, queries.explanations, args...); err != nil {
			return a, classify(fmt.Errorf("explanations: %w", err))
		}
		for _, e := range exps {
			a.Explanations[e.Finding] = e.Explanation
		}
	}
	return a, nil
}

// The statements that read some fields of a draft ($1): the answers to
// the questions $2, the cells ($2, $3, $4, $5: question, row, year and
// category of each), the explanations of the findings $2.
const (
	draftAnswersOfSQL = `SELECT question, answer FROM draft_answers WHERE draft_id = $1 AND question = ANY($2::text[])`
	draftCellsOfSQL   = `SELECT ` + cellColumns + `
		FROM unnest($2::text[], $3::text[], $4::int[], $5::text[]) AS u (q, r, y, c)
		JOIN draft_cells c ON c.draft_id = $1 AND c.question = u.q AND c.row_key = u.r AND c.year = u.y AND c.category = u.c`
	draftExplanationsOfSQL = `SELECT finding, explanation FROM draft_explanations WHERE draft_id = $1 AND finding = ANY($2::text[])`
)

// fieldsRead is how many fields a save may name for loadFields to read
// them one by one; a save of more (a whole section saved with the button)
// reads the whole draft, which then costs about as much.
const fieldsRead = 200

// loadFields reads what the draft holds in the fields: what forms.Merge
// compares a save with. A field of another kind than 'q', 'c' or 'x', or
// a cell's key that does not parse, names nothing, so nothing is read for
// it. The draft's other fields may be read too.
func loadFields(ctx context.Context, q sqlx.QueryerContext, draftID int64, fields []string) (forms.Answers, error) {
	if len(fields) > fieldsRead {
		return loadAnswers(ctx, q, draftID)
	}
	var questions, findings, cq, cr, cc []string
	var cy []int64
	for _, f := range fields {
		switch forms.FieldKind(f) {
		case 'q':
			questions = append(questions, f[2:])
		case 'x':
			findings = append(findings, f[2:])
		case 'c':
			if ref, ok := forms.ParseCellField(f); ok {
				cq, cr, cy, cc = append(cq, ref.Question), append(cr, ref.Row), append(cy, int64(ref.Year)), append(cc, ref.Category)
			}
		}
	}
	a := forms.Answers{Values: map[string]forms.Answer{}, Cells: map[forms.CellRef]forms.Cell{}, Explanations: map[string]string{}}
	if len(questions) > 0 {
		got, err := loadAnswersFrom(ctx, q, answersQueries{answers: draftAnswersOfSQL}, draftID, pq.Array(questions))
		if err != nil {
			return a, err
		}
		a.Values = got.Values
	}
	if len(cq) > 0 {
		got, err := loadAnswersFrom(ctx, q, answersQueries{cells: draftCellsOfSQL}, draftID, pq.Array(cq), pq.Array(cr), pq.Array(cy), pq.Array(cc))
		if err != nil {
			return a, err
		}
		a.Cells = got.Cells
	}
	if len(findings) > 0 {
		got, err := loadAnswersFrom(ctx, q, answersQueries{explanations: draftExplanationsOfSQL}, draftID, pq.Array(findings))
		if err != nil {
			return a, err
		}
		a.Explanations = got.Explanations
	}
	return a, nil
}

type fileRow struct {
	ID          int64     `db:"id"`
	Question    string    `db:"question"`
	Name        string    `db:"file_name"`
	ContentType string    `db:"content_type"`
	Size        int64     `db:"size"`
	SHA256      string    `db:"sha256"`
	UploadedAt  time.Time `db:"uploaded_at"`
	UploadedBy  string    `db:"uploaded_by"`
}

func (r fileRow) info() forms.FileInfo {
	return forms.FileInfo{ID: r.ID, Question: r.Question, Name: r.Name, ContentType: r.ContentType, Size: r.Size,
		SHA256: r.SHA256, UploadedAt: r.UploadedAt, UploadedBy: r.UploadedBy}
}

const (
	fileColumns = `id, question, file_name, content_type, size, sha256, uploaded_at, uploaded_by`
	filesSQL    = `SELECT ` + fileColumns + ` FROM attachments WHERE draft_id = $1`
)

func loadFiles(ctx context.Context, q sqlx.QueryerContext, draftID int64) (map[int64]forms.FileInfo, error) {
	var rows []fileRow
	if err := sqlx.SelectContext(ctx, q, &rows, filesSQL, draftID); err != nil {
		return nil, classify(fmt.Errorf("attachments: %w", err))
	}
	out := make(map[int64]forms.FileInfo, len(rows))
	for _, r := range rows {
		out[r.ID] = r.info()
	}
	return out, nil
}

// Attachment returns an attachment of one of the organization's drafts,
// with its content; forms.KindNotFound for an id that is not the
// organization's, so that nobody learns of another's files.
func (s *Store) Attachment(ctx context.Context, orgID, id int64) (forms.FileInfo, []byte, error) {
	var r struct {
		fileRow
		Data []byte `db:"data"`
	}
	err := sqlx.GetContext(ctx, s.db, &r, `
		SELECT a.id, a.question, a.file_name, a.content_type, a.size, a.sha256, a.uploaded_at, a.uploaded_by, a.data
		FROM attachments a JOIN drafts d ON d.id = a.draft_id
		WHERE a.id = $1 AND d.organization_id = $2`, id, orgID)
	if err != nil {
		return forms.FileInfo{}, nil, classify(fmt.Errorf("storage: attachment %d: %w", id, err))
	}
	return r.info(), r.Data, nil
}

// SaveDraft saves an edit of the organization's draft for the call, in one
// transaction: it stores the edit's uploads, merges the edit with what
// others saved since the version it started from (forms.Merge), writes the
// fields that merge decides in one batch of statements per table, records
// each change, numbers the new version and audits the save. Conflicting
// fields are left as they are and come back in the result for the user to
// decide. A save that changes nothing writes nothing but its uploads.
//
// Errors: forms.KindInvalid when e.Base is a version the draft never had or
// the edit names a file that is not the draft's; forms.ErrSubmitted when
// the answers are submitted or accepted and so cannot change;
// forms.ErrFileQuota when the uploads would take the draft's files beyond
// e.FileQuota; KindUnavailable when the database is down.
func (s *Store) SaveDraft(ctx context.Context, call forms.Call, org forms.OrganizationRef, e forms.Edit, actor forms.Actor) (forms.SaveResult, error) {
	var res forms.SaveResult
	what := "save draft " + call.Key + "/" + org.Code
	edit := e
	err := s.withTx(ctx, nil, what, func(tx *sqlx.Tx) error {
		res, e = forms.SaveResult{}, edit // as they came, should withTx run this again
		if _, err := tx.ExecContext(ctx, ensureDraftSQL, call.ID, org.ID); err != nil {
			return classify(fmt.Errorf("storage: %s: %w", what, err))
		}
		var draftID int64
		var version int
		var state string
		if err := tx.QueryRowxContext(ctx, lockDraftSQL, call.ID, org.ID).Scan(&draftID, &version, &state); err != nil {
			return classify(fmt.Errorf("storage: %s: %w", what, err))
		}
		res.Version = version
		if !forms.SubmissionState(state).Editable() {
			return fmt.Errorf("storage: %s: draft %d is %s: %w", what, draftID, state, forms.ErrSubmitted)
		}
		if e.Base < 0 || e.Base > version {
			return forms.Errorf(forms.KindInvalid, "the form is of version %d; the draft is at version %d", e.Base, version)
		}
		for f, b := range e.FieldBases {
			if b < 0 || b > version {
				return forms.Errorf(forms.KindInvalid, "field %s is of version %d; the draft is at version %d", f, b, version)
			}
		}
		files, err := storeUploads(ctx, tx, draftID, e.Uploads, actor)
		if err != nil {
			return fmt.Errorf("storage: %s: %w", what, err)
		}
		res.Files = files
		e = withUploads(e, files)
		// Merge compares the fields of the edit only: only they are read.
		current, err := loadFields(ctx, tx, draftID, e.Fields)
		if err != nil {
			return fmt.Errorf("storage: %s: %w", what, err)
		}
		base, err := basesOf(ctx, tx, draftID, version, e)
		if err != nil {
			return fmt.Errorf("storage: %s: %w", what, err)
		}
		res.Changes, res.Conflicts = forms.Merge(e, current, base)
		if err := checkFiles(ctx, tx, draftID, e, res.Changes); err != nil {
			return err
		}
		if len(res.Changes) > 0 {
			res.Version = version + 1
			if err := writeChanges(ctx, tx, draftID, res.Version, res.Changes, e.Answers, actor); err != nil {
				return fmt.Errorf("storage: %s: %w", what, err)
			}
			if err := deleteUnusedFiles(ctx, tx, draftID, current); err != nil {
				return fmt.Errorf("storage: %s: %w", what, err)
			}
		}
		if len(files) > 0 && e.FileQuota > 0 {
			var total int64
			if err := tx.QueryRowxContext(ctx, `SELECT coalesce(sum(size), 0) FROM attachments WHERE draft_id = $1`, draftID).Scan(&total); err != nil {
				return classify(fmt.Errorf("storage: %s: file quota: %w", what, err))
			}
			if total > e.FileQuota {
				return fmt.Errorf("storage: %s: draft %d would hold %d bytes of files, above %d: %w", what, draftID, total, e.FileQuota, forms.ErrFileQuota)
			}
		}
		if len(res.Changes) == 0 && len(res.Conflicts) == 0 && len(files) == 0 {
			return nil
		}
		return insertAuditEvents(ctx, tx, saveEvent(call, org, res, actor))
	})
	if err != nil {
		return forms.SaveResult{}, err
	}
	return res, nil
}

const (
	ensureDraftSQL = `INSERT INTO drafts (call_id, organization_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`
	lockDraftSQL   = `SELECT id, version, state FROM drafts WHERE call_id = $1 AND organization_id = $2 FOR UPDATE`
)

// saveEvent is the audit log's record of a save: who, which draft, the
// version made, and which fields changed (the first hundred, by key).
func saveEvent(call forms.Call, org forms.OrganizationRef, res forms.SaveResult, actor forms.Actor) forms.AuditEvent {
	fields := make([]string, 0, min(len(res.Changes), 100))
	for _, c := range res.Changes[:min(len(res.Changes), 100)] {
		fields = append(fields, c.Field)
	}
	fj, _ := json.Marshal(fields) // a []string always marshals
	d := map[string]string{
		"call":    call.Key,
		"version": strconv.Itoa(res.Version),
		"changed": strconv.Itoa(len(res.Changes)),
		"fields":  string(fj),
	}
	if len(res.Conflicts) > 0 {
		d["conflicts"] = strconv.Itoa(len(res.Conflicts))
	}
	if len(res.Files) > 0 {
		d["files"] = strconv.Itoa(len(res.Files))
	}
	return forms.AuditEvent{Actor: actor, Action: forms.AuditDraftSaved, Organization: org, Target: call.Key, Details: d}
}

// storeUploads inserts the uploads as attachments of the draft, in one statement.
func storeUploads(ctx context.Context, tx *sqlx.Tx, draftID int64, ups []forms.Upload, actor forms.Actor) ([]forms.FileInfo, error) {
	if len(ups) == 0 {
		return nil, nil
	}
	n := len(ups)
	qs, names, types, sums := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	data := make([][]byte, n)
	for i, u := range ups {
		sum := sha256.Sum256(u.Data)
		qs[i], names[i], types[i], sums[i], data[i] = u.Question, u.Name, u.ContentType, hex.EncodeToString(sum[:]), u.Data
	}
	var rows []fileRow
	err := sqlx.SelectContext(ctx, tx, &rows, `
		INSERT INTO attachments (draft_id, question, file_name, content_type, size, sha256, data, uploaded_by_user_id, uploaded_by)
		SELECT $1, u.question, u.name, u.type, octet_length(u.data), u.sum, u.data, NULLIF($7, 0), $8
		FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bytea[]) WITH ORDINALITY AS u (question, name, type, sum, data, n)
		ORDER BY u.n
		RETURNING `+fileColumns,
		draftID, pq.Array(qs), pq.Array(names), pq.Array(types), pq.Array(sums), pq.ByteaArray(data), actor.UserID, actor.Label)
	if err != nil {
		return nil, classify(fmt.Errorf("attachments: %w", err))
	}
	out := make([]forms.FileInfo, len(rows))
	for i, r := range rows {
		out[i] = r.info()
	}
	slices.SortFunc(out, func(a, b forms.FileInfo) int { return int(a.ID - b.ID) })
	return out, nil
}

// withUploads adds the stored files to the answers of their questions.
func withUploads(e forms.Edit, files []forms.FileInfo) forms.Edit {
	if len(files) == 0 {
		return e
	}
	vals := make(map[string]forms.Answer, len(e.Answers.Values)+1)
	for k, v := range e.Answers.Values {
		vals[k] = v
	}
	e.Answers.Values = vals
	for _, f := range files {
		ans := vals[f.Question]
		ans.Files = append(slices.Clone(ans.Files), f.ID)
		vals[f.Question] = ans
		if !slices.Contains(e.Fields, forms.AnswerField(f.Question)) {
			e.Fields = append(slices.Clone(e.Fields), forms.AnswerField(f.Question))
		}
	}
	return e
}

// checkFiles refuses an edit that would write into an answer files that
// are not the draft's. Only the answers the save writes are checked: a
// stale form may still name a file another person removed (and so
// deleted) since, in an answer this save leaves as it is.
func checkFiles(ctx context.Context, tx *sqlx.Tx, draftID int64, e forms.Edit, changes []forms.Change) error {
	var ids pq.Int64Array
	for _, c := range changes {
		if key, ok := strings.CutPrefix(c.Field, "q/"); ok {
			ids = append(ids, e.Answers.Values[key].Files...)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var found int
	if err := tx.QueryRowxContext(ctx, `
		SELECT count(*) FROM attachments WHERE draft_id = $1 AND id = ANY($2)`, draftID, ids).Scan(&found); err != nil {
		return classify(fmt.Errorf("storage: check files: %w", err))
	}
	slices.Sort(ids)
	if found != len(slices.Compact(ids)) {
		return forms.Errorf(forms.KindInvalid, "the edit names files that are not the draft's")
	}
	return nil
}

// unusedFileGrace is how long a file no answer names is kept unless a save
// took it out of an answer: a file uploaded by a save whose answer ended
// in a conflict waits that long for the user to choose.
const unusedFileGrace = "1 day"

// deleteUnusedFiles deletes the draft's files that neither an answer of
// the draft nor a submitted version names, among those the answers named
// before this save (before: at least the answers the save covered, the
// only ones it may have changed) and those older than unusedFileGrace. A
// file a submitted version names is never deleted (and its trigger refuses it).
func deleteUnusedFiles(ctx context.Context, tx *sqlx.Tx, draftID int64, before forms.Answers) error {
	var was pq.Int64Array
	for _, a := range before.Values {
		was = append(was, a.Files...)
	}
	_, err := tx.ExecContext(ctx, deleteUnusedFilesSQL, draftID, was, unusedFileGrace)
	if err != nil {
		return classify(fmt.Errorf("delete unused files: %w", err))
	}
	return nil
}

const deleteUnusedFilesSQL = `
		DELETE FROM attachments a
		WHERE a.draft_id = $1
		  AND (a.id = ANY($2) OR a.uploaded_at < now() - $3::interval)
		  AND NOT EXISTS (SELECT FROM submission_files f WHERE f.attachment_id = a.id)
		  AND NOT EXISTS (SELECT FROM draft_answers d, jsonb_array_elements_text(d.answer->'files') AS x (id)
		                  WHERE d.draft_id = $1 AND x.id::bigint = a.id)`

// basesOf returns what forms.Merge takes as the base of e: for each field
// of e changed since the version its content started from (e.Base, or its
// own in e.FieldBases), its content at that version: the old content of
// its first change since. version is the draft's; fields already at it
// need no look-up. One statement, whatever the fields and their versions.
func basesOf(ctx context.Context, tx *sqlx.Tx, draftID int64, version int, e forms.Edit) (map[string]string, error) {
	var fields []string
	var since []int64
	oldest := version
	for _, f := range e.Fields {
		b, ok := e.FieldBases[f]
		if !ok {
			b = e.Base
		}
		if b < version {
			fields, since = append(fields, f), append(since, int64(b))
			oldest = min(oldest, b)
		}
	}
	base := map[string]string{}
	if len(fields) == 0 {
		return base, nil
	}
	rows, err := tx.QueryxContext(ctx, fieldsAtSQL, draftID, oldest, pq.Array(fields), pq.Array(since))
	if err != nil {
		return nil, classify(fmt.Errorf("changes since %d: %w", oldest, err))
	}
	defer rows.Close()
	for rows.Next() {
		var f, old string
		if err := rows.Scan(&f, &old); err != nil {
			return nil, classify(fmt.Errorf("changes since %d: %w", oldest, err))
		}
		base[f] = old
	}
	if err := rows.Err(); err != nil {
		return nil, classify(fmt.Errorf("changes since %d: %w", oldest, err))
	}
	return base, nil
}

// fieldsAtSQL selects, for each field $3[i] changed after the version
// $4[i], its content then: the old content of its first change since, in
// the draft $1's record of changes, from the saves after $2 (the oldest
// of those versions) only.
const fieldsAtSQL = `
		SELECT DISTINCT ON (c.key) c.key, c.value->>0
		FROM draft_saves s, jsonb_each(s.changes) AS c, unnest($3::text[], $4::int[]) AS u (f, v)
		WHERE s.draft_id = $1 AND s.version > $2 AND c.key = u.f AND s.version > u.v
		ORDER BY c.key, s.version`

// The statements of writeChanges.
const (
	upsertAnswersSQL = `INSERT INTO draft_answers (draft_id, question, answer)
			SELECT $1, q, a::jsonb FROM unnest($2::text[], $3::text[]) AS u (q, a)
			ON CONFLICT (draft_id, question) DO UPDATE SET answer = EXCLUDED.answer`
	deleteAnswersSQL = `DELETE FROM draft_answers WHERE draft_id = $1 AND question = ANY($2)`
	upsertCellsSQL   = `INSERT INTO draft_cells (draft_id, question, row_key, year, category, state, value, note, flags)
			SELECT $1, u.q, u.r, u.y, u.c, u.s, u.v, u.n, u.f
			FROM unnest($2::text[], $3::text[], $4::int[], $5::text[], $6::smallint[], $7::bigint[], $8::text[], $9::smallint[])
			     AS u (q, r, y, c, s, v, n, f)
			ON CONFLICT (draft_id, question, row_key, year, category) DO UPDATE
			SET state = EXCLUDED.state, value = EXCLUDED.value, note = EXCLUDED.note, flags = EXCLUDED.flags`
	deleteCellsSQL = `DELETE FROM draft_cells d USING unnest($2::text[], $3::text[], $4::int[], $5::text[]) AS u (q, r, y, c)
			WHERE d.draft_id = $1 AND d.question = u.q AND d.row_key = u.r AND d.year = u.y AND d.category = u.c`
	upsertExplanationsSQL = `INSERT INTO draft_explanations (draft_id, finding, explanation)
			SELECT $1, f, t FROM unnest($2::text[], $3::text[]) AS u (f, t)
			ON CONFLICT (draft_id, finding) DO UPDATE SET explanation = EXCLUDED.explanation`
	deleteExplanationsSQL = `DELETE FROM draft_explanations WHERE draft_id = $1 AND finding = ANY($2)`
	recordSaveSQL         = `INSERT INTO draft_saves (draft_id, version, saved_by_user_id, saved_by, changes)
			VALUES ($1, $2, NULLIF($3, 0), $4, $5)`
	draftVersionSQL = `UPDATE drafts SET version = $2, updated_at = now(), updated_by = $3 WHERE id = $1`
)

// writeChanges writes the changes as version of the draft: one statement
// per table for what is set and one for what is cleared, whatever the
// number of fields, then the record of the changes and the draft's version.
func writeChanges(ctx context.Context, tx *sqlx.Tx, draftID int64, version int, changes []forms.Change, src forms.Answers, actor forms.Actor) error {
	// What each change writes is src's content of its field (Merge writes
	// the edit's own), taken from src rather than decoded again.
	next := forms.Answers{Values: map[string]forms.Answer{}, Cells: make(map[forms.CellRef]forms.Cell, len(changes)), Explanations: map[string]string{}}
	record := make(map[string][2]string, len(changes))
	var (
		delQ, delX          []string
		delCQ, delCR, delCC []string
		delCY               []int64
		ansQ, ansJ          []string
		cQ, cR, cC, cN      []string
		cY, cS, cF          []int64
		cV                  nullableInts
		expF, expT          []string
	)
	for _, ch := range changes {
		record[ch.Field] = [2]string{ch.Old, ch.New}
		if ch.New != "" {
			switch forms.FieldKind(ch.Field) {
			case 'q':
				next.Values[ch.Field[2:]] = src.Values[ch.Field[2:]]
			case 'x':
				next.Explanations[ch.Field[2:]] = src.Explanations[ch.Field[2:]]
			case 'c':
				ref, ok := forms.ParseCellField(ch.Field)
				if !ok {
					return forms.Errorf(forms.KindInvalid, "no such cell %q", ch.Field)
				}
				next.Cells[ref] = src.Cells[ref]
			}
			continue
		}
		switch forms.FieldKind(ch.Field) {
		case 'q':
			delQ = append(delQ, ch.Field[2:])
		case 'x':
			delX = append(delX, ch.Field[2:])
		case 'c':
			ref, _ := forms.ParseCellField(ch.Field) // SetField("") checked nothing: Merge only sees valid keys from Field
			delCQ, delCR, delCY, delCC = append(delCQ, ref.Question), append(delCR, ref.Row), append(delCY, int64(ref.Year)), append(delCC, ref.Category)
		}
	}
	for k, a := range next.Values {
		b, err := json.Marshal(a)
		if err != nil {
			return fmt.Errorf("answer %s: %w", k, err)
		}
		ansQ, ansJ = append(ansQ, k), append(ansJ, string(b))
	}
	for r, c := range next.Cells {
		var v *int64
		if c.State == forms.CellValue {
			v = &c.Value
		}
		cQ, cR, cY, cC = append(cQ, r.Question), append(cR, r.Row), append(cY, int64(r.Year)), append(cC, r.Category)
		cS, cV, cN, cF = append(cS, int64(c.State)), append(cV, v), append(cN, c.Note), append(cF, int64(c.Flags))
	}
	for k, t := range next.Explanations {
		expF, expT = append(expF, k), append(expT, t)
	}
	recordJSON, err := json.Marshal(record)
	if err != nil {
		return fmt.Errorf("record of changes: %w", err)
	}
	type stmt struct {
		n    int
		sql  string
		args []any
	}
	stmts := []stmt{
		{len(ansQ), upsertAnswersSQL, []any{draftID, pq.Array(ansQ), pq.Array(ansJ)}},
		{len(delQ), deleteAnswersSQL, []any{draftID, pq.Array(delQ)}},
		{len(cQ), upsertCellsSQL,
			[]any{draftID, pq.Array(cQ), pq.Array(cR), pq.Array(cY), pq.Array(cC), pq.Array(cS), cV, pq.Array(cN), pq.Array(cF)}},
		{len(delCQ), deleteCellsSQL, []any{draftID, pq.Array(delCQ), pq.Array(delCR), pq.Array(delCY), pq.Array(delCC)}},
		{len(expF), upsertExplanationsSQL, []any{draftID, pq.Array(expF), pq.Array(expT)}},
		{len(delX), deleteExplanationsSQL, []any{draftID, pq.Array(delX)}},
		{1, recordSaveSQL, []any{draftID, version, actor.UserID, actor.Label, string(recordJSON)}},
		{1, draftVersionSQL, []any{draftID, version, actor.Label}},
	}
	for _, st := range stmts {
		if st.n == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, st.sql, st.args...); err != nil {
			return classify(err)
		}
	}
	return nil
}

// nullableInts is a bigint[] with NULLs, which pq.Array cannot write.
type nullableInts []*int64

func (a nullableInts) Value() (driver.Value, error) {
	b := make([]byte, 0, 8*len(a)+2)
	b = append(b, '{')
	for i, v := range a {
		if i > 0 {
			b = append(b, ',')
		}
		if v == nil {
			b = append(b, "NULL"...)
		} else {
			b = strconv.AppendInt(b, *v, 10)
		}
	}
	return string(append(b, '}')), nil
}
