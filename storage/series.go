package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"portal/forms"
)

// Figures across calls and imports (forms/figures.go): every submission's
// cells that hold the series asked for (found through the questionnaire
// versions the submissions were made with: forms.SeriesSources) and every
// figure of every import not withdrawn, ranked per area and year: the
// latest accepted submission first, then the latest submitted one (when
// counted), then the latest import.

const figuresSQL = `
	WITH cells AS (
	    SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[])
	        AS c (qkey, qver, question, row_key, category, series)),
	sub AS (
	    SELECT cl.series, o.code AS area, sc.year, sc.value::numeric AS value, false AS estimate,
	           CASE d.state WHEN 'accepted' THEN 1 ELSE 2 END AS class, d.state,
	           COALESCE(d.state_changed_at, v.submitted_at) AS at, v.reference, k.key AS call_key, '' AS source
	    FROM drafts d
	    JOIN calls k ON k.id = d.call_id
	    JOIN organizations o ON o.id = d.organization_id
	    JOIN submission_versions v ON v.draft_id = d.id AND v.number = d.submitted_versions
	    JOIN cells cl ON cl.qkey = v.questionnaire_key AND cl.qver = v.questionnaire_version
	    JOIN submission_cells sc ON sc.version_id = v.id AND sc.question = cl.question
	         AND sc.row_key = cl.row_key AND sc.category = cl.category AND sc.state = 1
	    WHERE d.state = ANY($7) AND ($9::text[] IS NULL OR o.code = ANY($9))
	      AND ($11::int[] IS NULL OR sc.year = ANY($11)) AND k.key <> $12),
	imp AS (
	    SELECT f.series, f.area, f.year, f.value, f.estimate, 3 AS class, 'imported' AS state,
	           i.imported_at AS at, i.reference, '' AS call_key, f.source
	    FROM imported_figures f JOIN series_imports i ON i.id = f.import_id AND i.withdrawn_at IS NULL
	    WHERE f.series = ANY($8) AND ($9::text[] IS NULL OR f.area = ANY($9))
	      AND ($11::int[] IS NULL OR f.year = ANY($11))),
	ranked AS (
	    SELECT a.*, row_number() OVER (PARTITION BY a.series, a.area, a.year ORDER BY a.class, a.at DESC, a.reference DESC) AS rank
	    FROM (SELECT * FROM sub UNION ALL SELECT * FROM imp) a)
	SELECT series, area, year, value::float8, value::text, estimate, state, at, reference, call_key, source, rank = 1
	FROM ranked WHERE $10 OR rank = 1
	ORDER BY series, area, year, rank`

// EachFigure calls fn with each figure the query selects, ordered by
// series, area, year and rank (the current first), streamed from the
// database. Sums of parts are not made here (forms.SumParts).
func (s *Store) EachFigure(ctx context.Context, q forms.SeriesQuery, fn func(forms.Figure) error) error {
	return eachFigure(ctx, s.db, q, fn)
}

func eachFigure(ctx context.Context, db sqlx.QueryerContext, q forms.SeriesQuery, fn func(forms.Figure) error) error {
	var areas any // NULL: every area
	if q.Areas != nil {
		areas = pq.StringArray(q.Areas)
	}
	var years any // NULL: every year
	if q.Years != nil {
		years = pq.Array(q.Years)
	}
	args := append(sourceArrays(q.Sources), countedStates(q.IncludeSubmitted), pq.StringArray(q.Codes), areas, q.History, years, q.ExceptCall)
	rows, err := db.QueryContext(ctx, figuresSQL, args...)
	if err != nil {
		return classify(fmt.Errorf("storage: figures of %s: %w", strings.Join(q.Codes, ", "), err))
	}
	defer rows.Close()
	for rows.Next() {
		var f forms.Figure
		var state string
		if err := rows.Scan(&f.Series, &f.Area, &f.Year, &f.Value, &f.Exact, &f.Estimate, &state, &f.At, &f.Reference, &f.Call, &f.Source, &f.Current); err != nil {
			return classify(fmt.Errorf("storage: figures: %w", err))
		}
		f.Origin = forms.Origin(state)
		f.At = f.At.UTC()
		if err := fn(f); err != nil {
			return err
		}
	}
	return classify(rows.Err())
}

// Figures is EachFigure into a slice, with the sums of parts.
func (s *Store) Figures(ctx context.Context, q forms.SeriesQuery, areas map[string]forms.Area) ([]forms.Figure, error) {
	return figuresOf(ctx, s.db, q, areas)
}

func figuresOf(ctx context.Context, db sqlx.QueryerContext, q forms.SeriesQuery, areas map[string]forms.Area) ([]forms.Figure, error) {
	var out []forms.Figure
	if err := eachFigure(ctx, db, q, func(f forms.Figure) error {
		out = append(out, f)
		return nil
	}); err != nil {
		return nil, err
	}
	return forms.SumParts(out, areas), nil
}

// Areas returns every area a figure may be of, by code: the directory's
// States and organizations (with their M49 region and sub-region and
// their UN regional groups), the parts of States and the territories.
func (s *Store) Areas(ctx context.Context) (map[string]forms.Area, error) {
	return areasOf(ctx, s.db)
}

func areasOf(ctx context.Context, db sqlx.QueryerContext) (map[string]forms.Area, error) {
	rows, err := db.QueryContext(ctx, `
		SELECT o.code, CASE WHEN o.kind = 'organization' THEN 'organization' ELSE 'state' END, o.kind = 'member_state',
		       o.name_en, o.name_fr, o.name_es, o.name_ru, o.name_ar, o.name_zh, '', false, o.region_code, o.subregion_code,
		       COALESCE((SELECT string_agg(m.group_code, ' ' ORDER BY g.position) FROM regional_group_members m
		                 JOIN regional_groups g ON g.code = m.group_code WHERE m.organization_id = o.id), '')
		FROM organizations o
		UNION ALL
		SELECT a.code, a.kind, false, a.name_en, a.name_fr, a.name_es, a.name_ru, a.name_ar, a.name_zh,
		       COALESCE(s.code, ''), a.covers, a.region_code, a.subregion_code, ''
		FROM areas a LEFT JOIN organizations s ON s.id = a.state_id`)
	if err != nil {
		return nil, classify(fmt.Errorf("storage: areas: %w", err))
	}
	defer rows.Close()
	out := map[string]forms.Area{}
	for rows.Next() {
		var a forms.Area
		var n names
		var kind, groups string
		if err := rows.Scan(&a.Code, &kind, &a.Member, &n.En, &n.Fr, &n.Es, &n.Ru, &n.Ar, &n.Zh, &a.State, &a.Covers, &a.Region, &a.Subregion, &groups); err != nil {
			return nil, classify(fmt.Errorf("storage: areas: %w", err))
		}
		a.Kind, a.Name, a.Groups = forms.AreaKind(kind), n.forms(), strings.Fields(groups)
		out[a.Code] = a
	}
	return out, classify(rows.Err())
}

// Regions returns the M49 regions and sub-regions, in their order.
func (s *Store) Regions(ctx context.Context) ([]forms.Region, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT code, parent, name_en, name_fr, name_es, name_ru, name_ar, name_zh FROM m49_regions ORDER BY position`)
	if err != nil {
		return nil, classify(fmt.Errorf("storage: regions: %w", err))
	}
	defer rows.Close()
	var out []forms.Region
	for rows.Next() {
		var r forms.Region
		var parent sql.NullString
		var n names
		if err := rows.Scan(&r.Code, &parent, &n.En, &n.Fr, &n.Es, &n.Ru, &n.Ar, &n.Zh); err != nil {
			return nil, classify(fmt.Errorf("storage: regions: %w", err))
		}
		r.Parent, r.Name = parent.String, n.forms()
		out = append(out, r)
	}
	return out, classify(rows.Err())
}

// FirstSubmissions returns when each organization the call asks first
// submitted its answer to it, in order: the response rate over time.
func (s *Store) FirstSubmissions(ctx context.Context, call forms.Call) ([]time.Time, error) {
	var out []time.Time
	err := s.db.SelectContext(ctx, &out, `
		SELECT min(v.submitted_at) FROM drafts d JOIN submission_versions v ON v.draft_id = d.id
		WHERE d.call_id = $1 AND d.organization_id IN (`+askedBy+`)
		GROUP BY d.organization_id ORDER BY 1`, call.ID)
	if err != nil {
		return nil, classify(fmt.Errorf("storage: first submissions to %s: %w", call.Key, err))
	}
	for i := range out {
		out[i] = out[i].UTC()
	}
	return out, nil
}

// ExplanationsOf returns what the submission versions with the receipts
// explained of the findings named: by receipt, then by finding key.
func (s *Store) ExplanationsOf(ctx context.Context, references, findings []string) (map[string]map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT v.reference, e.finding, e.explanation FROM submission_versions v
		JOIN submission_explanations e ON e.version_id = v.id
		WHERE v.reference = ANY($1) AND e.finding = ANY($2)`, pq.StringArray(references), pq.StringArray(findings))
	if err != nil {
		return nil, classify(fmt.Errorf("storage: explanations: %w", err))
	}
	defer rows.Close()
	out := map[string]map[string]string{}
	for rows.Next() {
		var ref, finding, text string
		if err := rows.Scan(&ref, &finding, &text); err != nil {
			return nil, classify(fmt.Errorf("storage: explanations: %w", err))
		}
		if out[ref] == nil {
			out[ref] = map[string]string{}
		}
		out[ref][finding] = text
	}
	return out, classify(rows.Err())
}
