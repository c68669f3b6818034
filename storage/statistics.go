package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/lib/pq"

	"portal/forms"
)

// StatisticsRows calls fn with every value of the latest version of each
// accepted submission to the call (and of each submitted one too, when
// includeSubmitted), ordered by organization, table, row, year and
// column. Rows are streamed from the database one by one, so memory does
// not grow with their number; fn's error stops the reading and is returned.
func (s *Store) StatisticsRows(ctx context.Context, call forms.Call, includeSubmitted bool, fn func(forms.StatRow) error) error {
	states := []string{string(forms.Accepted)}
	if includeSubmitted {
		states = append(states, string(forms.Submitted))
	}
	rows, err := s.db.QueryContext(ctx, `
		WITH g AS (
		    SELECT organization_id, string_agg(group_code, ' ' ORDER BY group_code) AS groups
		    FROM regional_group_members GROUP BY organization_id)
		SELECT o.code, COALESCE(o.m49, ''), COALESCE(o.iso2, ''), o.name_en, o.name_fr, o.name_es, o.name_ru, o.name_ar, o.name_zh,
		       o.region_name, COALESCE(g.groups, ''), d.state,
		       c.question, c.row_key, c.year, c.category, c.state, c.value, c.flags, c.note, v.reference, v.number
		FROM drafts d
		JOIN organizations o ON o.id = d.organization_id
		LEFT JOIN g ON g.organization_id = o.id
		JOIN submission_versions v ON v.draft_id = d.id AND v.number = d.submitted_versions
		JOIN submission_cells c ON c.version_id = v.id
		WHERE d.call_id = $1 AND d.state = ANY($2) AND d.organization_id IN (`+askedBy+`)
		ORDER BY o.code, c.question, c.row_key, c.year, c.category`, call.ID, pq.Array(states))
	if err != nil {
		return classify(fmt.Errorf("storage: statistics of %s: %w", call.Key, err))
	}
	defer rows.Close()
	var (
		r      forms.StatRow
		n      names
		groups string
		state  string
		cstate uint8
		value  sql.NullInt64
		flags  uint8
	)
	for rows.Next() {
		if err := rows.Scan(&r.Organization.Code, &r.Organization.M49, &r.ISO2, &n.En, &n.Fr, &n.Es, &n.Ru, &n.Ar, &n.Zh,
			&r.Region, &groups, &state, &r.Cell.Question, &r.Cell.Row, &r.Cell.Year, &r.Cell.Category,
			&cstate, &value, &flags, &r.Value.Note, &r.Reference, &r.Version); err != nil {
			return classify(fmt.Errorf("storage: statistics of %s: %w", call.Key, err))
		}
		r.Organization.Name = n.forms()
		r.Organization.RegionalGroups = strings.Fields(groups)
		r.State = forms.SubmissionState(state)
		r.Value.State, r.Value.Value, r.Value.Flags = forms.CellState(cstate), value.Int64, forms.CellFlags(flags)
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return classify(fmt.Errorf("storage: statistics of %s: %w", call.Key, err))
	}
	return nil
}

// CallStatisticsRows calls fn with every row of the call's long dataset:
// its counted submissions' values (StatisticsRows), then what imports of
// past series give of the cells of the call's questionnaire q where they
// give nothing (ImportedStatisticsRows).
func (s *Store) CallStatisticsRows(ctx context.Context, call forms.Call, q *forms.Questionnaire, includeSubmitted bool, fn func(forms.StatRow) error) error {
	if err := s.StatisticsRows(ctx, call, includeSubmitted, fn); err != nil {
		return err
	}
	var codes []string
	for _, cell := range q.SeriesCells() {
		codes = append(codes, cell.Code)
	}
	return s.ImportedStatisticsRows(ctx, call, forms.SeriesSources([]*forms.Questionnaire{q}, codes...), includeSubmitted, fn)
}

// ImportedStatisticsRows calls fn, after StatisticsRows, with the figures
// imports of past series give for the call's cells and years where no
// counted submission to the call gives a figure, for the organizations
// the call asks: the latest import's (not withdrawn), as a row of the
// long dataset whose submission state is "imported", its reference the
// import's, its note the import's source, an estimate flagged. sources
// are the call's questionnaire's cells with their series
// (forms.SeriesSources of its version alone).
func (s *Store) ImportedStatisticsRows(ctx context.Context, call forms.Call, sources []forms.SeriesSource, includeSubmitted bool, fn func(forms.StatRow) error) error {
	args := append(sourceArrays(sources), call.ID, countedStates(includeSubmitted), pq.Array(call.Years))
	rows, err := s.db.QueryContext(ctx, `
		WITH cells AS (
		    SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[])
		        AS c (qkey, qver, question, row_key, category, series)),
		g AS (
		    SELECT organization_id, string_agg(group_code, ' ' ORDER BY group_code) AS groups
		    FROM regional_group_members GROUP BY organization_id),
		latest AS (
		    SELECT DISTINCT ON (f.series, f.area, f.year) f.series, f.area, f.organization_id, f.year, f.value, f.estimate, f.source, i.reference
		    FROM imported_figures f JOIN series_imports i ON i.id = f.import_id AND i.withdrawn_at IS NULL
		    WHERE f.year = ANY($9) AND f.series IN (SELECT series FROM cells)
		    ORDER BY f.series, f.area, f.year, i.imported_at DESC, i.id DESC),
		counted AS (
		    SELECT c.question, c.row_key, c.category, c.year, d.organization_id FROM drafts d
		    JOIN submission_versions v ON v.draft_id = d.id AND v.number = d.submitted_versions
		    JOIN submission_cells c ON c.version_id = v.id AND c.state = 1
		    WHERE d.call_id = $7 AND d.state = ANY($8))
		SELECT o.code, COALESCE(o.m49, ''), COALESCE(o.iso2, ''), o.name_en, o.name_fr, o.name_es, o.name_ru, o.name_ar, o.name_zh,
		       o.region_name, COALESCE(g.groups, ''), cl.question, cl.row_key, l.year, cl.category,
		       round(l.value)::bigint, l.estimate, l.source, l.reference
		FROM latest l
		JOIN cells cl ON cl.series = l.series
		JOIN organizations o ON o.code = l.area
		LEFT JOIN g ON g.organization_id = o.id
		WHERE o.id IN (`+askedByAt(7)+`)
		  AND NOT EXISTS (SELECT FROM counted k WHERE (k.question, k.row_key, k.category, k.year, k.organization_id) = (cl.question, cl.row_key, cl.category, l.year, o.id))
		ORDER BY o.code, cl.question, cl.row_key, l.year, cl.category`, args...)
	if err != nil {
		return classify(fmt.Errorf("storage: imported statistics of %s: %w", call.Key, err))
	}
	defer rows.Close()
	var (
		r        forms.StatRow
		n        names
		groups   string
		estimate bool
	)
	for rows.Next() {
		if err := rows.Scan(&r.Organization.Code, &r.Organization.M49, &r.ISO2, &n.En, &n.Fr, &n.Es, &n.Ru, &n.Ar, &n.Zh,
			&r.Region, &groups, &r.Cell.Question, &r.Cell.Row, &r.Cell.Year, &r.Cell.Category,
			&r.Value.Value, &estimate, &r.Value.Note, &r.Reference); err != nil {
			return classify(fmt.Errorf("storage: imported statistics of %s: %w", call.Key, err))
		}
		r.Organization.Name = n.forms()
		r.Organization.RegionalGroups = strings.Fields(groups)
		r.State, r.Version = forms.SubmissionState("imported"), 0
		r.Value.State, r.Value.Flags = forms.CellValue, 0
		if estimate {
			r.Value.Flags = forms.FlagEstimate
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return classify(rows.Err())
}

// askedByAt is askedBy with the call as parameter $n.
func askedByAt(n int) string {
	return strings.ReplaceAll(askedBy, "$1", "$"+strconv.Itoa(n))
}
