package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"portal/forms"
)

// latestCounted is the SQL of a common table expression "latest": the
// latest version of each counted submission to a call ($1 the call, $2 the
// states counted: countedStates), with its receipt, number, time and
// checksum, and its organization and state. Only the organizations the
// call asks count: one the Office has since left out of the call's
// audience is left out of its figures too.
const latestCounted = `latest AS (
	    SELECT v.id, v.reference, v.number, v.submitted_at, v.checksum, d.organization_id, d.state FROM drafts d
	    JOIN submission_versions v ON v.draft_id = d.id AND v.number = d.submitted_versions
	    WHERE d.call_id = $1 AND d.state = ANY($2) AND d.organization_id IN (` + askedBy + `))`

// latestValues is the SQL of the figures of some indicators in the latest
// version of each counted submission to a call, with the population of
// each State for the same year: the one it reported, else the one in the
// Office's population table (source says which). $1 call, $2 states
// counted, $3 tables and $4 rows (the indicators, pairwise), $5 column.
const latestValues = `
	WITH ` + latestCounted + `,
	inds AS (SELECT q, r, n FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS u(q, r, n)),
	vals AS (
	    SELECT i.n, l.organization_id, c.question, c.row_key, c.year, c.value FROM latest l
	    JOIN submission_cells c ON c.version_id = l.id
	    JOIN inds i ON i.q = c.question AND i.r = c.row_key
	    WHERE c.category = $5 AND c.state = 1),
	pop AS (
	    SELECT COALESCE(r.organization_id, o.organization_id) AS organization_id, COALESCE(r.year, o.year) AS year,
	           COALESCE(r.population, o.population) AS population,
	           CASE WHEN r.population IS NOT NULL THEN 'reported' ELSE 'office' END AS source
	    FROM (SELECT l.organization_id, c.year, c.value AS population FROM latest l
	          JOIN submission_cells c ON c.version_id = l.id
	          WHERE c.question = 'population_by_year' AND c.row_key = 'population' AND c.category = 'total'
	            AND c.state = 1 AND c.value > 0) r
	    FULL JOIN populations o ON o.organization_id = r.organization_id AND o.year = r.year)`

func countedStates(includeSubmitted bool) pq.StringArray {
	if includeSubmitted {
		return pq.StringArray{string(forms.Accepted), string(forms.Submitted)}
	}
	return pq.StringArray{string(forms.Accepted)}
}

// Series returns every State's figure of an indicator, by State and year,
// with the population it reported for that year.
func (s *Store) Series(ctx context.Context, call forms.Call, ind forms.Series, includeSubmitted bool) ([]forms.SeriesValue, error) {
	all, err := seriesOf(ctx, s.db, call, []forms.Series{ind}, includeSubmitted)
	return all[ind], err
}

// seriesOf is Series for several indicators of one column at once.
func seriesOf(ctx context.Context, db sqlx.QueryerContext, call forms.Call, inds []forms.Series, includeSubmitted bool) (map[forms.Series][]forms.SeriesValue, error) {
	questions, rowKeys, category := indicatorArrays(inds)
	rows, err := db.QueryContext(ctx, latestValues+`
,
		groups AS (SELECT organization_id, string_agg(group_code, ' ' ORDER BY group_code) AS codes FROM regional_group_members GROUP BY organization_id)
		SELECT vals.question, vals.row_key, o.code, o.name_en, o.name_fr, o.name_es, o.name_ru, o.name_ar, o.name_zh,
		       COALESCE(g.codes, ''), vals.year, vals.value, COALESCE(pop.population, 0), COALESCE(pop.source, '')
		FROM vals JOIN organizations o ON o.id = vals.organization_id
		LEFT JOIN groups g ON g.organization_id = o.id
		LEFT JOIN pop ON pop.organization_id = vals.organization_id AND pop.year = vals.year
		ORDER BY vals.n, o.code COLLATE "C", vals.year`,
		call.ID, countedStates(includeSubmitted), questions, rowKeys, category)
	if err != nil {
		return nil, classify(fmt.Errorf("storage: series of %s: %w", call.Key, err))
	}
	defer rows.Close()
	out := map[forms.Series][]forms.SeriesValue{}
	orgs := map[string]forms.Organization{} // one copy of each State's names
	for rows.Next() {
		var v forms.SeriesValue
		var n names
		var groups, code string
		ind := forms.Series{Category: category}
		if err := rows.Scan(&ind.Question, &ind.Row, &code, &n.En, &n.Fr, &n.Es, &n.Ru, &n.Ar, &n.Zh, &groups, &v.Year, &v.Value, &v.Population, &v.PopulationSource); err != nil {
			return nil, classify(fmt.Errorf("storage: series: %w", err))
		}
		o, ok := orgs[code]
		if !ok {
			o = forms.Organization{Code: code, Name: n.forms(), RegionalGroups: strings.Fields(groups)}
			orgs[code] = o
		}
		v.Organization = o
		out[ind] = append(out[ind], v)
	}
	return out, classify(rows.Err())
}

// indicatorArrays gives the indicators' tables and rows as parallel
// arrays, and their column (one for all).
func indicatorArrays(inds []forms.Series) (pq.StringArray, pq.StringArray, string) {
	questions, rowKeys := make(pq.StringArray, len(inds)), make(pq.StringArray, len(inds))
	for i, ind := range inds {
		questions[i], rowKeys[i] = ind.Question, ind.Row
	}
	category := forms.TotalCategory
	if len(inds) > 0 {
		category = inds[0].Category
	}
	return questions, rowKeys, category
}

// Aggregates sums an indicator over each UN regional group and over the
// world, year by year, computed by PostgreSQL from the submissions as they
// are (nothing precomputed): how many States reported it out of those the
// call asked, the sum, and the median rate per 100,000 of the States that
// reported a population. A State in two groups counts in each. Groups come
// in their usual order, the world (Group "") last.
func (s *Store) Aggregates(ctx context.Context, call forms.Call, ind forms.Series, includeSubmitted bool) ([]forms.Aggregate, error) {
	all, err := aggregatesOf(ctx, s.db, call, []forms.Series{ind}, includeSubmitted)
	return all[ind], err
}

// aggregatesOf is Aggregates for several indicators of one column at once.
func aggregatesOf(ctx context.Context, db sqlx.QueryerContext, call forms.Call, inds []forms.Series, includeSubmitted bool) (map[forms.Series][]forms.Aggregate, error) {
	questions, rowKeys, category := indicatorArrays(inds)
	rows, err := db.QueryContext(ctx, latestValues+`,
	asked AS ( -- the Member States the call asks: the groups' aggregates are of States
	    SELECT o.id FROM organizations o, calls c
	    WHERE c.id = $1 AND o.kind = 'member_state' AND `+callAsks+`),
	member AS (
	    SELECT m.group_code, m.organization_id FROM regional_group_members m JOIN asked a ON a.id = m.organization_id
	    UNION ALL SELECT '', id FROM asked),
	years AS (SELECT unnest($6::int[]) AS year),
	rated AS (
	    SELECT vals.n, vals.organization_id, vals.year, vals.value, pop.population
	    FROM vals LEFT JOIN pop ON pop.organization_id = vals.organization_id AND pop.year = vals.year)
	-- Keys are integers where they can be: sorting text by collation costs.
	SELECT min(i.q), min(i.r), mb.group_code, y.year,
	       count(v.value) AS reporting, count(*) AS asked, -- one line per State asked: at most one figure each
	       COALESCE(sum(v.value), 0) AS total,
	       COALESCE(percentile_cont(0.5) WITHIN GROUP (ORDER BY v.value * 100000.0 / v.population)
	                FILTER (WHERE v.population > 0), 0) AS median_rate,
	       count(*) FILTER (WHERE v.population > 0) AS rated
	FROM inds i CROSS JOIN member mb CROSS JOIN years y
	LEFT JOIN rated v ON v.n = i.n AND v.organization_id = mb.organization_id AND v.year = y.year
	LEFT JOIN regional_groups rg ON rg.code = mb.group_code
	GROUP BY i.n, rg.position, mb.group_code, y.year
	ORDER BY i.n, rg.position NULLS LAST, y.year`,
		call.ID, countedStates(includeSubmitted), questions, rowKeys, category, pq.Array(call.Years))
	if err != nil {
		return nil, classify(fmt.Errorf("storage: aggregates of %s: %w", call.Key, err))
	}
	defer rows.Close()
	out := map[forms.Series][]forms.Aggregate{}
	for rows.Next() {
		var a forms.Aggregate
		var median sql.NullFloat64
		ind := forms.Series{Category: category}
		if err := rows.Scan(&ind.Question, &ind.Row, &a.Group, &a.Year, &a.Reporting, &a.Asked, &a.Sum, &median, &a.Rated); err != nil {
			return nil, classify(fmt.Errorf("storage: aggregates: %w", err))
		}
		a.MedianRate = median.Float64
		out[ind] = append(out[ind], a)
	}
	return out, classify(rows.Err())
}

// Explanations returns what the States explained, in the latest counted
// version of their submissions to the call, of the findings named: by
// State's code, then by finding key.
func (s *Store) Explanations(ctx context.Context, call forms.Call, findings []string, includeSubmitted bool) (map[string]map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `
		WITH `+latestCounted+`
		SELECT o.code, e.finding, e.explanation FROM latest l
		JOIN submission_explanations e ON e.version_id = l.id
		JOIN organizations o ON o.id = l.organization_id
		WHERE e.finding = ANY($3)`,
		call.ID, countedStates(includeSubmitted), pq.StringArray(findings))
	if err != nil {
		return nil, classify(fmt.Errorf("storage: explanations to %s: %w", call.Key, err))
	}
	defer rows.Close()
	out := map[string]map[string]string{}
	for rows.Next() {
		var code, finding, text string
		if err := rows.Scan(&code, &finding, &text); err != nil {
			return nil, classify(fmt.Errorf("storage: explanations: %w", err))
		}
		if out[code] == nil {
			out[code] = map[string]string{}
		}
		out[code][finding] = text
	}
	return out, classify(rows.Err())
}

// Coverage returns, for the latest counted version of each submission to
// the call, how many cells of each table hold a figure and how many are
// marked not available or not applicable (counted when the version was
// frozen: submission_table_counts); by the respondent's English name.
func (s *Store) Coverage(ctx context.Context, call forms.Call, includeSubmitted bool) ([]forms.CoverageRow, error) {
	rows, err := s.db.QueryContext(ctx, `
		WITH `+latestCounted+`
		SELECT `+orgColumns+`, l.reference, l.state, COALESCE(k.question, ''), COALESCE(k.figures, 0), COALESCE(k.marked, 0)
		FROM latest l JOIN organizations o ON o.id = l.organization_id
		LEFT JOIN submission_table_counts k ON k.version_id = l.id
		ORDER BY o.name_en, k.question`, call.ID, countedStates(includeSubmitted))
	if err != nil {
		return nil, classify(fmt.Errorf("storage: coverage of %s: %w", call.Key, err))
	}
	defer rows.Close()
	var out []forms.CoverageRow
	for rows.Next() {
		var r orgRow
		var ref, state, question string
		var figures, marked int
		if err := rows.Scan(&r.ID, &r.Code, &r.Kind, &r.M49, &r.En, &r.Fr, &r.Es, &r.Ru, &r.Ar, &r.Zh, &r.Groups, &ref, &state, &question, &figures, &marked); err != nil {
			return nil, classify(fmt.Errorf("storage: coverage: %w", err))
		}
		if n := len(out); n == 0 || out[n-1].Organization.Code != r.Code {
			out = append(out, forms.CoverageRow{Organization: r.organization(), State: forms.SubmissionState(state), Reference: ref,
				Figures: map[string]int{}, Marked: map[string]int{}})
		}
		if question != "" {
			out[len(out)-1].Figures[question], out[len(out)-1].Marked[question] = figures, marked
		}
	}
	return out, classify(rows.Err())
}
