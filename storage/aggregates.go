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

// latestValues is the SQL of the figures of one indicator in the latest
// version of each counted submission to a call, with the population of
// each State for the same year: the one it reported, else the one in the
// Office's population table (source says which) ($1 call, $2 states counted, $3 table,
// $4 row, $5 column).
const latestValues = `
	WITH latest AS (
	    SELECT v.id, d.organization_id FROM drafts d
	    JOIN submission_versions v ON v.draft_id = d.id AND v.number = d.submitted_versions
	    WHERE d.call_id = $1 AND d.state = ANY($2)),
	vals AS (
	    SELECT l.organization_id, c.year, c.value FROM latest l
	    JOIN submission_cells c ON c.version_id = l.id
	    WHERE c.question = $3 AND c.row_key = $4 AND c.category = $5 AND c.state = 1),
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
	return series(ctx, s.db, call, ind, includeSubmitted)
}

func series(ctx context.Context, db sqlx.QueryerContext, call forms.Call, ind forms.Series, includeSubmitted bool) ([]forms.SeriesValue, error) {
	rows, err := db.QueryContext(ctx, latestValues+`
		SELECT o.code, o.name_en, o.name_fr, o.name_es, o.name_ru, o.name_ar, o.name_zh,
		       COALESCE((SELECT string_agg(m.group_code, ' ' ORDER BY m.group_code) FROM regional_group_members m WHERE m.organization_id = o.id), ''),
		       vals.year, vals.value, COALESCE(pop.population, 0), COALESCE(pop.source, '')
		FROM vals JOIN organizations o ON o.id = vals.organization_id
		LEFT JOIN pop ON pop.organization_id = vals.organization_id AND pop.year = vals.year
		ORDER BY o.code, vals.year`,
		call.ID, countedStates(includeSubmitted), ind.Question, ind.Row, ind.Category)
	if err != nil {
		return nil, classify(fmt.Errorf("storage: series %v of %s: %w", ind, call.Key, err))
	}
	defer rows.Close()
	var out []forms.SeriesValue
	for rows.Next() {
		var v forms.SeriesValue
		var n names
		var groups string
		if err := rows.Scan(&v.Organization.Code, &n.En, &n.Fr, &n.Es, &n.Ru, &n.Ar, &n.Zh, &groups, &v.Year, &v.Value, &v.Population, &v.PopulationSource); err != nil {
			return nil, classify(fmt.Errorf("storage: series: %w", err))
		}
		v.Organization.Name, v.Organization.RegionalGroups = n.forms(), strings.Fields(groups)
		out = append(out, v)
	}
	return out, classify(rows.Err())
}

// Aggregates sums an indicator over each UN regional group and over the
// world, year by year, computed by PostgreSQL from the submissions as they
// are (nothing precomputed): how many States reported it out of those the
// call asked, the sum, and the median rate per 100,000 of the States that
// reported a population. A State in two groups counts in each. Groups come
// in their usual order, the world (Group "") last.
func (s *Store) Aggregates(ctx context.Context, call forms.Call, ind forms.Series, includeSubmitted bool) ([]forms.Aggregate, error) {
	return aggregates(ctx, s.db, call, ind, includeSubmitted)
}

func aggregates(ctx context.Context, db sqlx.QueryerContext, call forms.Call, ind forms.Series, includeSubmitted bool) ([]forms.Aggregate, error) {
	rows, err := db.QueryContext(ctx, latestValues+`,
	asked AS (
	    SELECT o.id FROM organizations o, calls c
	    WHERE c.id = $1 AND o.kind = 'member_state' AND (
	        c.all_member_states
	        OR o.id IN (SELECT organization_id FROM call_organizations WHERE call_id = $1)
	        OR o.id IN (SELECT m.organization_id FROM regional_group_members m JOIN call_groups g ON g.group_code = m.group_code WHERE g.call_id = $1))),
	member AS (
	    SELECT m.group_code, m.organization_id FROM regional_group_members m JOIN asked a ON a.id = m.organization_id
	    UNION ALL SELECT '', id FROM asked),
	years AS (SELECT unnest($6::int[]) AS year)
	SELECT mb.group_code, y.year,
	       count(vals.value) AS reporting, count(DISTINCT mb.organization_id) AS asked,
	       COALESCE(sum(vals.value), 0) AS total,
	       COALESCE(percentile_cont(0.5) WITHIN GROUP (ORDER BY vals.value * 100000.0 / pop.population)
	                FILTER (WHERE pop.population > 0), 0) AS median_rate,
	       count(pop.population) FILTER (WHERE pop.population > 0 AND vals.value IS NOT NULL) AS rated
	FROM member mb CROSS JOIN years y
	LEFT JOIN vals ON vals.organization_id = mb.organization_id AND vals.year = y.year
	LEFT JOIN pop ON pop.organization_id = mb.organization_id AND pop.year = y.year AND vals.value IS NOT NULL
	LEFT JOIN regional_groups rg ON rg.code = mb.group_code
	GROUP BY mb.group_code, rg.position, y.year
	ORDER BY rg.position NULLS LAST, y.year`,
		call.ID, countedStates(includeSubmitted), ind.Question, ind.Row, ind.Category, pq.Array(call.Years))
	if err != nil {
		return nil, classify(fmt.Errorf("storage: aggregates %v of %s: %w", ind, call.Key, err))
	}
	defer rows.Close()
	var out []forms.Aggregate
	for rows.Next() {
		var a forms.Aggregate
		var median sql.NullFloat64
		if err := rows.Scan(&a.Group, &a.Year, &a.Reporting, &a.Asked, &a.Sum, &median, &a.Rated); err != nil {
			return nil, classify(fmt.Errorf("storage: aggregates: %w", err))
		}
		a.MedianRate = median.Float64
		out = append(out, a)
	}
	return out, classify(rows.Err())
}

// Explanations returns what the States explained, in the latest counted
// version of their submissions to the call, of the findings named: by
// State's code, then by finding key.
func (s *Store) Explanations(ctx context.Context, call forms.Call, findings []string, includeSubmitted bool) (map[string]map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT o.code, e.finding, e.explanation FROM drafts d
		JOIN submission_versions v ON v.draft_id = d.id AND v.number = d.submitted_versions
		JOIN submission_explanations e ON e.version_id = v.id
		JOIN organizations o ON o.id = d.organization_id
		WHERE d.call_id = $1 AND d.state = ANY($2) AND e.finding = ANY($3)`,
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
		WITH latest AS (
		    SELECT v.id, v.reference, d.organization_id, d.state FROM drafts d
		    JOIN submission_versions v ON v.draft_id = d.id AND v.number = d.submitted_versions
		    WHERE d.call_id = $1 AND d.state = ANY($2))
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
