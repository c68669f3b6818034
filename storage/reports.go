package storage

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"portal/forms"
)

// ReportDraft returns what the analysts have written for the call's
// report, and a zero ReportDraft (no title) when nothing yet.
func (s *Store) ReportDraft(ctx context.Context, call forms.Call) (forms.ReportDraft, error) {
	d, _, err := reportDraft(ctx, s.db, call)
	return d, err
}

// reportDraft reads the call's report draft, and false when there is none.
func reportDraft(ctx context.Context, q sqlx.QueryerContext, call forms.Call) (forms.ReportDraft, bool, error) {
	var r struct {
		Title        string    `db:"title"`
		Introduction string    `db:"introduction"`
		Summaries    []byte    `db:"summaries"`
		Language     string    `db:"language"`
		Translations []byte    `db:"translations"`
		UpdatedAt    time.Time `db:"updated_at"`
		UpdatedBy    string    `db:"updated_by"`
	}
	err := sqlx.GetContext(ctx, q, &r, `SELECT title, introduction, summaries, language, translations, updated_at, updated_by FROM report_drafts WHERE call_id = $1`, call.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return forms.ReportDraft{}, false, nil
	}
	if err != nil {
		return forms.ReportDraft{}, false, classify(fmt.Errorf("storage: report of %s: %w", call.Key, err))
	}
	d := forms.ReportDraft{ReportText: forms.ReportText{Title: r.Title, Introduction: r.Introduction}, Language: forms.Language(r.Language),
		UpdatedAt: r.UpdatedAt, UpdatedBy: r.UpdatedBy}
	if err := json.Unmarshal(r.Summaries, &d.Summaries); err != nil {
		return forms.ReportDraft{}, false, fmt.Errorf("storage: report of %s: summaries: %w", call.Key, err)
	}
	if err := json.Unmarshal(r.Translations, &d.Translations); err != nil {
		return forms.ReportDraft{}, false, fmt.Errorf("storage: report of %s: translations: %w", call.Key, err)
	}
	return d, true, nil
}

// SaveReportDraft stores what the analysts wrote for the call's report,
// original and translations (pruned to what the original says), audited.
// The caller has validated it (forms.ReportDraft.Validate, and
// ValidateTranslation for each translation).
func (s *Store) SaveReportDraft(ctx context.Context, call forms.Call, d forms.ReportDraft, actor forms.Actor) error {
	if d.Summaries == nil {
		d.Summaries = map[string]string{}
	}
	summaries, err := json.Marshal(d.Summaries)
	if err != nil {
		return fmt.Errorf("storage: report of %s: %w", call.Key, err)
	}
	translations, err := json.Marshal(d.Pruned())
	if err != nil {
		return fmt.Errorf("storage: report of %s: %w", call.Key, err)
	}
	return s.withTx(ctx, nil, "save report of "+call.Key, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO report_drafts (call_id, title, introduction, summaries, language, translations, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (call_id) DO UPDATE SET title = $2, introduction = $3, summaries = $4, language = $5, translations = $6,
			    updated_at = now(), updated_by = $7`,
			call.ID, d.Title, d.Introduction, string(summaries), string(d.Language), string(translations), actor.Label)
		if err != nil {
			return classify(fmt.Errorf("storage: save report of %s: %w", call.Key, err))
		}
		return insertAuditEvents(ctx, tx, forms.AuditEvent{Actor: actor, Action: forms.AuditReportSaved, Target: call.Key})
	})
}

// PreviewReport assembles the call's report from the submissions as they
// are now, without releasing it (its Number is 0). lib is every
// questionnaire (a series' figures across calls are in the cells of each).
func (s *Store) PreviewReport(ctx context.Context, call forms.Call, q *forms.Questionnaire, lib []*forms.Questionnaire) (forms.Report, error) {
	d, err := s.ReportDraft(ctx, call)
	if err != nil {
		return forms.Report{}, err
	}
	var rep forms.Report
	err = s.withTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}, "preview report of "+call.Key, func(tx *sqlx.Tx) error {
		in, err := reportInputs(ctx, tx, call, q, lib)
		if err != nil {
			return err
		}
		rep = forms.AssembleReport(call, q, d, in)
		return nil
	})
	return rep, err
}

// ReleaseReport assembles the call's report from its accepted submissions
// and the frame the analysts wrote, in one snapshot of the database, and
// stores it as the next numbered release, audited. A closed call becomes
// reported. KindInvalid when no frame has been written. lib is every
// questionnaire, as for PreviewReport.
func (s *Store) ReleaseReport(ctx context.Context, call forms.Call, q *forms.Questionnaire, lib []*forms.Questionnaire, actor forms.Actor) (forms.Report, error) {
	var rep forms.Report
	err := s.withTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead}, "release report of "+call.Key, func(tx *sqlx.Tx) error {
		// One release at a time per call: the number is the next one.
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM calls WHERE id = $1 FOR UPDATE`, call.ID); err != nil {
			return classify(fmt.Errorf("storage: release report of %s: lock: %w", call.Key, err))
		}
		draft, ok, err := reportDraft(ctx, tx, call)
		if err != nil {
			return err
		}
		if !ok {
			return forms.Errorf(forms.KindInvalid, "the report of %s has no title yet", call.Key)
		}
		in, err := reportInputs(ctx, tx, call, q, lib)
		if err != nil {
			return err
		}
		rep = forms.AssembleReport(call, q, draft, in)
		if err := tx.QueryRowxContext(ctx, `SELECT COALESCE(max(number), 0) + 1, now() FROM report_releases WHERE call_id = $1`, call.ID).
			Scan(&rep.Number, &rep.ReleasedAt); err != nil {
			return classify(fmt.Errorf("storage: release report of %s: number: %w", call.Key, err))
		}
		rep.ReleasedAt, rep.ReleasedBy = rep.ReleasedAt.UTC(), actor.Label
		content, err := json.Marshal(rep)
		if err != nil {
			return fmt.Errorf("storage: release report of %s: %w", call.Key, err)
		}
		sum := sha256.Sum256(content)
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO report_releases (call_id, number, title, released_at, released_by, sources, content, checksum)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			call.ID, rep.Number, rep.Title, rep.ReleasedAt, rep.ReleasedBy, len(rep.Sources), string(content), hex.EncodeToString(sum[:])); err != nil {
			return classify(fmt.Errorf("storage: release report of %s: %w", call.Key, err))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE calls SET state = 'reported', updated_at = now() WHERE id = $1 AND state = 'closed'`, call.ID); err != nil {
			return classify(fmt.Errorf("storage: release report of %s: call state: %w", call.Key, err))
		}
		return insertAuditEvents(ctx, tx, forms.AuditEvent{Actor: actor, Action: forms.AuditReportReleased, Target: call.Key,
			Details: map[string]string{"number": fmt.Sprint(rep.Number), "sources": fmt.Sprint(len(rep.Sources))}})
	})
	if err != nil {
		return forms.Report{}, err
	}
	return rep, nil
}

// Releases lists the released reports, newest first: of one call when
// callKey is set, else of every call.
func (s *Store) Releases(ctx context.Context, callKey string) ([]forms.ReportRelease, error) {
	var rows []struct {
		Key        string    `db:"key"`
		CallTitle  []byte    `db:"call_title"`
		Number     int       `db:"number"`
		Title      string    `db:"title"`
		ReleasedAt time.Time `db:"released_at"`
		ReleasedBy string    `db:"released_by"`
		Sources    int       `db:"sources"`
		Titles     []byte    `db:"titles"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT c.key, c.title AS call_title, r.number, r.title, r.released_at, r.released_by, r.sources,
		       COALESCE((SELECT jsonb_object_agg(t.lang, t.text->>'Title') FROM jsonb_each(r.content->'Translations') AS t (lang, text)
		                 WHERE t.text->>'Title' <> ''), '{}') AS titles
		FROM report_releases r JOIN calls c ON c.id = r.call_id
		WHERE $1 = '' OR c.key = $1
		ORDER BY r.released_at DESC, r.id DESC`, callKey)
	if err != nil {
		return nil, classify(fmt.Errorf("storage: releases: %w", err))
	}
	out := make([]forms.ReportRelease, len(rows))
	for i, r := range rows {
		out[i] = forms.ReportRelease{CallKey: r.Key, Number: r.Number, Title: r.Title, ReleasedAt: r.ReleasedAt.UTC(), ReleasedBy: r.ReleasedBy, Sources: r.Sources}
		if err := json.Unmarshal(r.CallTitle, &out[i].CallTitle); err != nil {
			return nil, fmt.Errorf("storage: releases: title of %s: %w", r.Key, err)
		}
		if err := json.Unmarshal(r.Titles, &out[i].Titles); err != nil {
			return nil, fmt.Errorf("storage: releases: translated titles of %s: %w", r.Key, err)
		}
	}
	return out, nil
}

// Release returns release number n of the call's report as it was
// released; KindNotFound when there is none.
func (s *Store) Release(ctx context.Context, callKey string, n int) (forms.Report, error) {
	var content []byte
	err := s.db.QueryRowxContext(ctx, `
		SELECT r.content FROM report_releases r JOIN calls c ON c.id = r.call_id
		WHERE c.key = $1 AND r.number = $2`, callKey, n).Scan(&content)
	if err != nil {
		return forms.Report{}, classify(fmt.Errorf("storage: release %d of %s: %w", n, callKey, err))
	}
	var rep forms.Report
	if err := json.Unmarshal(content, &rep); err != nil {
		return forms.Report{}, fmt.Errorf("storage: release %d of %s: %w", n, callKey, err)
	}
	if rep.Format != forms.ReportFormat {
		return forms.Report{}, fmt.Errorf("storage: release %d of %s is in format %d; this portal reads format %d", n, callKey, rep.Format, forms.ReportFormat)
	}
	return rep, nil
}

// reportInputs reads what a report is assembled from, within tx: the
// groups, how many the call asked, the latest accepted version of each
// respondent, their answers, and every indicator's figures as the call's
// statistics read them (callReader: imports' and other calls' where the
// call's submissions give none), with their aggregates.
func reportInputs(ctx context.Context, tx *sqlx.Tx, call forms.Call, q *forms.Questionnaire, lib []*forms.Questionnaire) (forms.ReportInputs, error) {
	var in forms.ReportInputs
	// Every indicator at once sorts and joins a few hundred thousand rows:
	// in memory rather than on disk, and without compiling the plan (JIT
	// costs more than it saves here). For this transaction only.
	if _, err := tx.ExecContext(ctx, `SET LOCAL work_mem = '64MB'; SET LOCAL jit = off`); err != nil {
		return in, classify(fmt.Errorf("storage: report of %s: settings: %w", call.Key, err))
	}
	var err error
	if in.Groups, err = regionalGroups(ctx, tx); err != nil {
		return in, err
	}
	if err := tx.QueryRowxContext(ctx, `
		SELECT count(*) FROM (`+askedBy+`) asked`,
		call.ID).Scan(&in.Asked); err != nil {
		return in, classify(fmt.Errorf("storage: report of %s: asked: %w", call.Key, err))
	}
	rows, err := tx.QueryContext(ctx, `
		WITH `+latestCounted+`
		SELECT `+orgColumns+`, l.reference, l.number, l.submitted_at, l.checksum
		FROM latest l JOIN organizations o ON o.id = l.organization_id
		ORDER BY o.name_en`, call.ID, countedStates(false))
	if err != nil {
		return in, classify(fmt.Errorf("storage: report of %s: sources: %w", call.Key, err))
	}
	defer rows.Close()
	for rows.Next() {
		var r orgRow
		var src forms.ReportSource
		if err := rows.Scan(&r.ID, &r.Code, &r.Kind, &r.M49, &r.En, &r.Fr, &r.Es, &r.Ru, &r.Ar, &r.Zh, &r.Groups,
			&src.Reference, &src.Version, &src.SubmittedAt, &src.Checksum); err != nil {
			return in, classify(fmt.Errorf("storage: report of %s: sources: %w", call.Key, err))
		}
		src.Organization, src.SubmittedAt = r.organization(), src.SubmittedAt.UTC()
		in.Sources = append(in.Sources, src)
	}
	if err := rows.Err(); err != nil {
		return in, classify(fmt.Errorf("storage: report of %s: sources: %w", call.Key, err))
	}
	if in.Answers, err = viewAnswers(ctx, tx, call, false, ""); err != nil {
		return in, err
	}
	inds := forms.ReportSeries(q)
	in.Figures = map[forms.Series]forms.ReportFigures{}
	if len(inds) == 0 {
		return in, nil
	}
	r, err := newCallReader(ctx, tx, call, q, lib, false)
	if err != nil {
		return in, err
	}
	// The aggregates by group in the groups' order, the world last.
	position := map[string]int{"": len(in.Groups)}
	for i, g := range in.Groups {
		position[g.Code] = i
	}
	err = byTable(inds, func(inds []forms.Series) error {
		figs, err := r.figures(ctx, inds)
		for ind, f := range figs {
			slices.SortFunc(f.Aggregates, func(a, b forms.Aggregate) int {
				return cmp.Or(cmp.Compare(position[a.Group], position[b.Group]), cmp.Compare(a.Year, b.Year))
			})
			in.Figures[ind] = f
		}
		return err
	})
	return in, err
}
