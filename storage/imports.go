package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"portal/forms"
)

// Importing past series (forms/imports.go). An upload's rows are copied
// into import_upload_rows as read (COPY, so 500,000 rows never sit in the
// portal's memory); the dry run and the confirmation classify them in
// one statement, against the mappings, the areas, the figures imports
// hold and those accepted submissions give.

// StageImport stores the rows that rows puts (calling put for each) as an
// upload, and returns its token. rows's error stops the staging, which
// stores nothing then. Uploads older than a day are deleted.
func (s *Store) StageImport(ctx context.Context, fileName, checksum, by string, rows func(put func(forms.ImportRow) error) error) (string, error) {
	token := rand.Text()
	err := s.withTx(ctx, nil, "stage import", func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM import_uploads WHERE uploaded_at < now() - interval '1 day'`); err != nil {
			return classify(fmt.Errorf("storage: stage import: %w", err))
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO import_uploads (token, file_name, checksum, rows_read, uploaded_by) VALUES ($1, $2, $3, 0, $4) RETURNING id`,
			token, fileName, checksum, by).Scan(&id); err != nil {
			return classify(fmt.Errorf("storage: stage import: %w", err))
		}
		stmt, err := tx.PrepareContext(ctx, `COPY import_upload_rows (upload_id, line, area, area_name, indicator,
			dimension, category, sex, age, unit, year, value, estimate, source, problem) FROM STDIN`)
		if err != nil {
			return classify(fmt.Errorf("storage: stage import: %w", err))
		}
		defer stmt.Close()
		n := 0
		err = rows(func(r forms.ImportRow) error {
			var year, value any
			if r.Year != 0 {
				year = r.Year
			}
			if r.Value != "" {
				value = r.Value
			}
			if _, err := stmt.ExecContext(ctx, id, r.Line, r.Area, r.AreaName, r.Indicator, r.Dimension, r.Category, r.Sex, r.Age,
				r.Unit, year, value, r.Estimate, r.Source, r.Problem); err != nil {
				return classify(fmt.Errorf("storage: stage import, line %d: %w", r.Line, err))
			}
			n++
			return nil
		})
		if err != nil {
			return err
		}
		if _, err := stmt.ExecContext(ctx); err != nil {
			return classify(fmt.Errorf("storage: stage import: %w", err))
		}
		if _, err = tx.ExecContext(ctx, `UPDATE import_uploads SET rows_read = $2 WHERE id = $1`, id, n); err != nil {
			return classify(fmt.Errorf("storage: stage import: %w", err))
		}
		// The dry run and the confirmation join these rows: let the planner
		// know how many there are now (autovacuum would, later).
		_, err = tx.ExecContext(ctx, `ANALYZE import_upload_rows`)
		return classify(err)
	})
	return token, err
}

// planSQL classifies each row of an upload ($8) into its fate: the
// sources of every series ($1-$6, as figuresSQL) find the figures accepted
// submissions give ($7 the states counted).
const planSQL = `
	WITH cells AS (
	    SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[])
	        AS c (qkey, qver, question, row_key, category, series)),
	r AS (
	    SELECT u.*, m.series, m.indicator IS NOT NULL AS mapped, lower(u.unit) LIKE 'count%' AS is_count,
	           COALESCE(o.code, a.code) IS NOT NULL AS known
	    FROM import_upload_rows u
	    LEFT JOIN series_mappings m ON (m.indicator, m.dimension, m.category, m.sex, m.age) = (u.indicator, u.dimension, u.category, u.sex, u.age)
	    LEFT JOIN organizations o ON o.code = u.area
	    LEFT JOIN areas a ON a.code = u.area
	    WHERE u.upload_id = $8),
	c AS (
	    SELECT r.*, CASE
	        WHEN problem <> '' THEN 'refused'
	        WHEN NOT is_count THEN 'rate'
	        WHEN NOT mapped THEN 'refused'
	        WHEN series IS NULL THEN 'ignored'
	        WHEN NOT known THEN 'refused'
	        ELSE 'taken' END AS fate,
	        CASE WHEN problem <> '' THEN problem WHEN is_count AND NOT mapped THEN 'unmapped'
	             WHEN is_count AND series IS NOT NULL AND NOT known THEN 'area' ELSE '' END AS reason
	    FROM r),
	t AS (
	    SELECT c.*, row_number() OVER w AS nth, first_value(line) OVER w AS first_line, first_value(value) OVER w AS first_value
	    FROM c WHERE fate = 'taken'
	    WINDOW w AS (PARTITION BY series, area, year ORDER BY line)),
	held AS (
	    SELECT DISTINCT ON (f.series, f.area, f.year) f.series, f.area, f.year, f.value, f.source, f.estimate
	    FROM imported_figures f JOIN series_imports i ON i.id = f.import_id AND i.withdrawn_at IS NULL
	    WHERE f.series IN (SELECT DISTINCT series FROM t)
	    ORDER BY f.series, f.area, f.year, i.imported_at DESC, i.id DESC),
	sub AS (
	    SELECT DISTINCT ON (cl.series, o.code, sc.year) cl.series, o.code AS area, sc.year, sc.value::numeric AS value
	    FROM drafts d
	    JOIN organizations o ON o.id = d.organization_id
	    JOIN submission_versions v ON v.draft_id = d.id AND v.number = d.submitted_versions
	    JOIN cells cl ON cl.qkey = v.questionnaire_key AND cl.qver = v.questionnaire_version
	    JOIN submission_cells sc ON sc.version_id = v.id AND sc.question = cl.question
	         AND sc.row_key = cl.row_key AND sc.category = cl.category AND sc.state = 1
	    WHERE d.state = ANY($7) AND cl.series IN (SELECT DISTINCT series FROM t)
	    ORDER BY cl.series, o.code, sc.year, d.state_changed_at DESC NULLS LAST),
	fated AS (
	    SELECT t.line, t.series,
	        CASE WHEN t.nth > 1 AND t.value = t.first_value THEN 'repeat'
	             WHEN t.nth > 1 THEN 'refused'
	             WHEN h.value = t.value AND h.source = t.source AND h.estimate = t.estimate THEN 'unchanged'
	             WHEN s.value IS NOT NULL THEN 'behind'
	             WHEN h.value IS NOT NULL THEN 'changes'
	             ELSE 'new' END AS fate,
	        CASE WHEN t.nth > 1 AND t.value <> t.first_value THEN 'contradicts' ELSE '' END AS reason,
	        CASE WHEN t.nth > 1 THEN t.first_line ELSE 0 END AS first_line,
	        COALESCE(s.value::text, h.value::text, '') AS before
	    FROM t LEFT JOIN held h ON (h.series, h.area, h.year) = (t.series, t.area, t.year)
	    LEFT JOIN sub s ON (s.series, s.area, s.year) = (t.series, t.area, t.year)
	    UNION ALL
	    SELECT line, COALESCE(series, ''), fate, reason, 0, '' FROM c WHERE fate <> 'taken')
	`

// upload finds an upload by its token; p.Imported is the reference of
// the import it was confirmed as, if it was.
func upload(ctx context.Context, q sqlx.QueryerContext, token string) (id int64, p forms.ImportPlan, err error) {
	p.Token = token
	err = q.QueryRowxContext(ctx, `
		SELECT u.id, u.file_name, u.checksum, u.rows_read, u.uploaded_at, u.uploaded_by, COALESCE(i.reference, '')
		FROM import_uploads u LEFT JOIN series_imports i ON i.id = u.import_id WHERE u.token = $1`, token).
		Scan(&id, &p.FileName, &p.Checksum, &p.Read, &p.UploadedAt, &p.UploadedBy, &p.Imported)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, p, forms.Errorf(forms.KindNotFound, "no upload %s (uploads are kept a day)", token)
	}
	p.UploadedAt = p.UploadedAt.UTC()
	return id, p, classify(err)
}

// sourceArrays gives the sources of series as planSQL's first six
// parameters.
func sourceArrays(sources []forms.SeriesSource) []any {
	n := len(sources)
	qkeys, qvers, questions, rowKeys, cats, codes := make(pq.StringArray, n), make(pq.Int64Array, n), make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n)
	for i, c := range sources {
		qkeys[i], qvers[i], questions[i], rowKeys[i], cats[i], codes[i] = c.Questionnaire, int64(c.Version), c.Question, c.Row, c.Category, c.Code
	}
	return []any{qkeys, qvers, questions, rowKeys, cats, codes}
}

// PlanImport is the dry run of an upload: what confirming it would do,
// with up to examples rows of each fate. sources are the questionnaire
// cells of every series (forms.SeriesSources); cells label the
// suggestions for descriptions not mapped yet. Nothing is stored.
func (s *Store) PlanImport(ctx context.Context, token string, sources []forms.SeriesSource, cells []forms.SeriesCell, examples int) (forms.ImportPlan, error) {
	id, p, err := upload(ctx, s.db, token)
	if err != nil || p.Imported != "" {
		return p, err
	}
	p.Fates, p.Refused, p.Examples = map[string]int{}, map[string]int{}, map[string][]forms.PlanRow{}
	args := append(sourceArrays(sources), countedStates(false), id, examples)
	rows, err := s.db.QueryContext(ctx, planSQL+`,
		counted AS (SELECT fate, reason, count(*) AS n FROM fated GROUP BY fate, reason),
		sample AS (
		    SELECT f.*, row_number() OVER (PARTITION BY f.fate ORDER BY f.line) AS k FROM fated f)
		SELECT fate, reason, n, 0, '', '', '', '', '', '', '', '', 0, '', false, '', '', 0, '' FROM counted
		UNION ALL
		SELECT x.fate, x.reason, 0, u.line, u.area, u.area_name, u.indicator, u.dimension, u.category, u.sex, u.age, u.unit,
		       COALESCE(u.year, 0), COALESCE(u.value::text, ''), u.estimate, u.source, x.series, x.first_line, x.before
		FROM sample x JOIN import_upload_rows u ON u.upload_id = $8 AND u.line = x.line
		WHERE x.k <= $9
		ORDER BY 4`, args...)
	if err != nil {
		return p, classify(fmt.Errorf("storage: plan import: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		var r forms.PlanRow
		var n int
		if err := rows.Scan(&r.Fate, &r.Reason, &n, &r.Line, &r.Area, &r.AreaName, &r.Indicator, &r.Dimension, &r.Category, &r.Sex, &r.Age,
			&r.Unit, &r.Year, &r.Value, &r.Estimate, &r.Source, &r.Series, &r.FirstLine, &r.Before); err != nil {
			return p, classify(fmt.Errorf("storage: plan import: %w", err))
		}
		if r.Line == 0 {
			p.Fates[r.Fate] += n
			if r.Fate == forms.FateRefused {
				p.Refused[r.Reason] += n
			}
			continue
		}
		p.Examples[r.Fate] = append(p.Examples[r.Fate], r)
	}
	if err := rows.Err(); err != nil {
		return p, classify(fmt.Errorf("storage: plan import: %w", err))
	}
	if p.Unmapped, err = s.unmapped(ctx, id, cells); err != nil {
		return p, err
	}
	p.RateChecks, err = s.checkRates(ctx, id, examples)
	return p, err
}

// unmapped lists the descriptions of an upload's counts that no mapping
// covers, the most frequent first, with a suggestion each.
func (s *Store) unmapped(ctx context.Context, id int64, cells []forms.SeriesCell) ([]forms.UnmappedDescription, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT u.indicator, u.dimension, u.category, u.sex, u.age, count(*) FROM import_upload_rows u
		WHERE u.upload_id = $1 AND u.problem = '' AND lower(u.unit) LIKE 'count%'
		  AND NOT EXISTS (SELECT FROM series_mappings m
		                  WHERE (m.indicator, m.dimension, m.category, m.sex, m.age) = (u.indicator, u.dimension, u.category, u.sex, u.age))
		GROUP BY 1, 2, 3, 4, 5 ORDER BY 6 DESC, 1, 2, 3, 4, 5 LIMIT 500`, id)
	if err != nil {
		return nil, classify(fmt.Errorf("storage: unmapped descriptions: %w", err))
	}
	defer rows.Close()
	var out []forms.UnmappedDescription
	for rows.Next() {
		var d forms.UnmappedDescription
		if err := rows.Scan(&d.Indicator, &d.Dimension, &d.Category, &d.Sex, &d.Age, &d.Rows); err != nil {
			return nil, classify(fmt.Errorf("storage: unmapped descriptions: %w", err))
		}
		d.Suggested = forms.SuggestSeries(d.Description, cells)
		out = append(out, d)
	}
	return out, classify(rows.Err())
}

// checkRates compares the file's rates with the rates its counts give
// over the population the portal holds (the Office's table), for the same
// description, area and year.
func (s *Store) checkRates(ctx context.Context, id int64, examples int) (forms.RateCheck, error) {
	var rc forms.RateCheck
	rows, err := s.db.QueryContext(ctx, `
		WITH pairs AS (
		    SELECT r.line, r.area, r.year, r.value::float8 AS given, c.value::float8 * 100000 / p.population AS computed, p.population
		    FROM import_upload_rows r
		    JOIN LATERAL (
		        SELECT c.value FROM import_upload_rows c
		        WHERE c.upload_id = r.upload_id AND lower(c.unit) LIKE 'count%' AND c.problem = ''
		          AND (c.area, c.year, c.indicator, c.dimension, c.category, c.sex, c.age) = (r.area, r.year, r.indicator, r.dimension, r.category, r.sex, r.age)
		        ORDER BY c.line LIMIT 1) c ON true
		    JOIN organizations o ON o.code = r.area
		    JOIN populations p ON p.organization_id = o.id AND p.year = r.year
		    WHERE r.upload_id = $1 AND r.problem = '' AND lower(r.unit) LIKE 'rate%')
		SELECT count(*) OVER (), count(*) FILTER (WHERE abs(given - computed) > 0.01 * greatest(abs(computed), 0.01)) OVER (),
		       line, area, year, given, computed, population
		FROM pairs ORDER BY abs(given - computed) > 0.01 * greatest(abs(computed), 0.01) DESC, line LIMIT $2`, id, max(examples, 1))
	if err != nil {
		return rc, classify(fmt.Errorf("storage: check rates: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		var d forms.RateDifference
		if err := rows.Scan(&rc.Checked, &rc.Differ, &d.Line, &d.Area, &d.Year, &d.Given, &d.Computed, &d.Population); err != nil {
			return rc, classify(fmt.Errorf("storage: check rates: %w", err))
		}
		if len(rc.Examples) < rc.Differ {
			rc.Examples = append(rc.Examples, d)
		}
	}
	return rc, classify(rows.Err())
}

// ConfirmImport makes an upload an import: its new and changed figures
// are stored under a new reference, the upload is deleted, and the
// confirmation is audited, in one transaction. An upload that would
// change nothing is refused (KindConflict) and nothing is stored.
func (s *Store) ConfirmImport(ctx context.Context, token string, sources []forms.SeriesSource, actor forms.Actor) (forms.SeriesImport, error) {
	var imp forms.SeriesImport
	err := s.withTx(ctx, nil, "confirm import", func(tx *sqlx.Tx) error {
		// One import at a time: each compares with the figures the others hold.
		if _, err := tx.ExecContext(ctx, `LOCK TABLE series_imports IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return classify(fmt.Errorf("storage: confirm import: %w", err))
		}
		id, p, err := upload(ctx, tx, token)
		if err != nil {
			return err
		}
		if p.Imported != "" { // a second click
			imp = forms.SeriesImport{Reference: p.Imported, FileName: p.FileName, Already: true}
			return nil
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) + 1 FROM series_imports WHERE imported_at >= date_trunc('year', now())`).Scan(&n); err != nil {
			return classify(fmt.Errorf("storage: confirm import: %w", err))
		}
		imp = forms.SeriesImport{Reference: fmt.Sprintf("IMP-%d-%04d", time.Now().UTC().Year(), n), FileName: p.FileName, Checksum: p.Checksum,
			Read: p.Read, ImportedBy: actor.Label}
		var importID int64
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO series_imports (reference, file_name, checksum, rows_read, rows_taken, rows_refused, imported_by)
			VALUES ($1, $2, $3, $4, 0, 0, $5) RETURNING id, imported_at`, imp.Reference, p.FileName, p.Checksum, p.Read, actor.Label).
			Scan(&importID, &imp.ImportedAt); err != nil {
			return classify(fmt.Errorf("storage: confirm import: %w", err))
		}
		args := append(sourceArrays(sources), countedStates(false), id, importID)
		if err := tx.QueryRowContext(ctx, planSQL+`,
			stored AS (
			    INSERT INTO imported_figures (import_id, series, area, organization_id, year, value, estimate, source, line)
			    SELECT $9, f.series, u.area, COALESCE(o.id, a.state_id), u.year, u.value, u.estimate, u.source, u.line
			    FROM fated f JOIN import_upload_rows u ON u.upload_id = $8 AND u.line = f.line
			    LEFT JOIN organizations o ON o.code = u.area
			    LEFT JOIN areas a ON a.code = u.area
			    WHERE f.fate IN ('new', 'changes', 'behind')
			    RETURNING 1)
			SELECT (SELECT count(*) FROM stored),
			       (SELECT count(*) FROM fated WHERE fate IN ('new', 'changes', 'behind', 'unchanged', 'repeat')),
			       (SELECT count(*) FROM fated WHERE fate = 'refused')`, args...).Scan(&imp.Figures, &imp.Taken, &imp.Refused); err != nil {
			return classify(fmt.Errorf("storage: confirm import: %w", err))
		}
		if imp.Figures == 0 {
			return forms.Errorf(forms.KindConflict, "nothing to import: the portal holds every figure of %s already", p.FileName)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE series_imports SET rows_taken = $2, rows_refused = $3 WHERE id = $1`,
			importID, imp.Taken, imp.Refused); err != nil {
			return classify(fmt.Errorf("storage: confirm import: %w", err))
		}
		if _, err := tx.ExecContext(ctx, `
			WITH gone AS (DELETE FROM import_upload_rows WHERE upload_id = $1)
			UPDATE import_uploads SET import_id = $2 WHERE id = $1`, id, importID); err != nil {
			return classify(fmt.Errorf("storage: confirm import: %w", err))
		}
		imp.ImportedAt = imp.ImportedAt.UTC()
		return insertAuditEvents(ctx, tx, forms.AuditEvent{Actor: actor, Action: forms.AuditSeriesImported, Target: imp.Reference,
			Details: map[string]string{"file": p.FileName, "figures": strconv.Itoa(imp.Figures), "read": strconv.Itoa(p.Read)}})
	})
	return imp, err
}

// WithdrawImport withdraws an import: its figures count no more (the
// earlier ones count again); they are kept. Audited. Withdrawing it again
// does nothing and says so (already true).
func (s *Store) WithdrawImport(ctx context.Context, reference string, actor forms.Actor) (already bool, err error) {
	err = s.withTx(ctx, nil, "withdraw import", func(tx *sqlx.Tx) error {
		var withdrawn sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT withdrawn_at FROM series_imports WHERE reference = $1 FOR UPDATE`, reference).Scan(&withdrawn)
		if errors.Is(err, sql.ErrNoRows) {
			return forms.Errorf(forms.KindNotFound, "no import %s", reference)
		}
		if err != nil {
			return classify(fmt.Errorf("storage: withdraw import: %w", err))
		}
		if already = withdrawn.Valid; already {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE series_imports SET withdrawn_at = now(), withdrawn_by = $2 WHERE reference = $1`, reference, actor.Label); err != nil {
			return classify(fmt.Errorf("storage: withdraw import: %w", err))
		}
		return insertAuditEvents(ctx, tx, forms.AuditEvent{Actor: actor, Action: forms.AuditSeriesWithdrawn, Target: reference})
	})
	return already, err
}

// Imports lists the imports, the latest first.
func (s *Store) Imports(ctx context.Context) ([]forms.SeriesImport, error) {
	return s.imports(ctx, "")
}

// imports lists the imports, the latest first: the one with the
// reference, or all with "".
func (s *Store) imports(ctx context.Context, reference string) ([]forms.SeriesImport, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT i.reference, i.file_name, i.checksum, i.rows_read, i.rows_taken, i.rows_refused,
		       (SELECT count(*) FROM imported_figures f WHERE f.import_id = i.id), i.imported_at, i.imported_by,
		       i.withdrawn_at, COALESCE(i.withdrawn_by, '')
		FROM series_imports i WHERE $1 = '' OR i.reference = $1 ORDER BY i.imported_at DESC, i.id DESC`, reference)
	if err != nil {
		return nil, classify(fmt.Errorf("storage: imports: %w", err))
	}
	defer rows.Close()
	var out []forms.SeriesImport
	for rows.Next() {
		var i forms.SeriesImport
		var w sql.NullTime
		if err := rows.Scan(&i.Reference, &i.FileName, &i.Checksum, &i.Read, &i.Taken, &i.Refused, &i.Figures, &i.ImportedAt, &i.ImportedBy, &w, &i.WithdrawnBy); err != nil {
			return nil, classify(fmt.Errorf("storage: imports: %w", err))
		}
		i.ImportedAt, i.WithdrawnAt = i.ImportedAt.UTC(), w.Time.UTC()
		if !w.Valid {
			i.WithdrawnAt = time.Time{}
		}
		out = append(out, i)
	}
	return out, classify(rows.Err())
}

// SaveMappings keeps mappings of descriptions to series (Series "" for
// rows not to take), replacing those of the same descriptions. Audited.
func (s *Store) SaveMappings(ctx context.Context, ms []forms.SeriesMapping, actor forms.Actor) error {
	if len(ms) == 0 {
		return nil
	}
	n := len(ms)
	ind, dim, cat, sex, age, series := make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n)
	for i, m := range ms {
		ind[i], dim[i], cat[i], sex[i], age[i], series[i] = m.Indicator, m.Dimension, m.Category, m.Sex, m.Age, m.Series
	}
	return s.withTx(ctx, nil, "save mappings", func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO series_mappings (indicator, dimension, category, sex, age, series, updated_by)
			SELECT i, d, c, s, a, NULLIF(x, ''), $7 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS m (i, d, c, s, a, x)
			ON CONFLICT (indicator, dimension, category, sex, age) DO UPDATE
			SET series = EXCLUDED.series, updated_at = now(), updated_by = EXCLUDED.updated_by`,
			ind, dim, cat, sex, age, series, actor.Label); err != nil {
			return classify(fmt.Errorf("storage: save mappings: %w", err))
		}
		return insertAuditEvents(ctx, tx, forms.AuditEvent{Actor: actor, Action: forms.AuditMappingsSaved, Target: "series_mappings",
			Details: map[string]string{"mappings": strconv.Itoa(n), "first": strings.Join([]string{ms[0].Indicator, ms[0].Category}, " · ")}})
	})
}

// Mappings lists the kept mappings.
func (s *Store) Mappings(ctx context.Context) ([]forms.SeriesMapping, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT indicator, dimension, category, sex, age, COALESCE(series, ''), updated_at, updated_by FROM series_mappings
		ORDER BY indicator, dimension, category, sex, age`)
	if err != nil {
		return nil, classify(fmt.Errorf("storage: mappings: %w", err))
	}
	defer rows.Close()
	var out []forms.SeriesMapping
	for rows.Next() {
		var m forms.SeriesMapping
		if err := rows.Scan(&m.Indicator, &m.Dimension, &m.Category, &m.Sex, &m.Age, &m.Series, &m.UpdatedAt, &m.UpdatedBy); err != nil {
			return nil, classify(fmt.Errorf("storage: mappings: %w", err))
		}
		m.UpdatedAt = m.UpdatedAt.UTC()
		out = append(out, m)
	}
	return out, classify(rows.Err())
}
