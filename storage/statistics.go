package storage

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
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
// its counted submissions' values (StatisticsRows), then what counts
// across calls and imports for the cells of the call's questionnaire q
// where they give nothing (pastStatisticsRows). lib is every
// questionnaire.
func (s *Store) CallStatisticsRows(ctx context.Context, call forms.Call, q *forms.Questionnaire, lib []*forms.Questionnaire, includeSubmitted bool, fn func(forms.StatRow) error) error {
	if err := s.StatisticsRows(ctx, call, includeSubmitted, fn); err != nil {
		return err
	}
	return s.pastStatisticsRows(ctx, call, q, lib, includeSubmitted, fn)
}

// pastStatisticsRows calls fn with the figures that count across calls and
// imports (as forms.CallSeries takes them for the statistics page and the
// report) for the call's cells and years where no counted submission to
// the call gives a figure, for the States the call asks: an import's
// (submission state "imported", the import's reference, its source as
// the note, an estimate flagged), another call's submission's ("call",
// its receipt), or the sum of a State's parts ("parts", the parts'
// references). A table at a time, ordered by State, row, year and column
// within it: only the figures other than the call's are held.
func (s *Store) pastStatisticsRows(ctx context.Context, call forms.Call, q *forms.Questionnaire, lib []*forms.Questionnaire, include bool, fn func(forms.StatRow) error) error {
	if len(call.Years) == 0 {
		return nil
	}
	var tables []string
	cells := map[string]forms.SeriesCell{} // by code
	codesOf := map[string][]string{}       // by table
	for _, c := range q.SeriesCells() {
		if c.Repeat {
			continue
		}
		if _, ok := codesOf[c.Question]; !ok {
			tables = append(tables, c.Question)
		}
		cells[c.Code] = c
		codesOf[c.Question] = append(codesOf[c.Question], c.Code)
	}
	if len(tables) == 0 {
		return nil
	}
	areas, err := areasOf(ctx, s.db)
	if err != nil {
		return err
	}
	orgs, err := s.statOrganizations(ctx)
	if err != nil {
		return err
	}
	for _, table := range tables {
		codes := codesOf[table]
		figs, err := figuresOf(ctx, s.db, forms.SeriesQuery{Codes: codes, Sources: forms.SeriesSources(lib, codes...), IncludeSubmitted: include,
			Years: call.Years, ExceptCall: call.Key}, areas)
		if err != nil {
			return err
		}
		var past []forms.StatRow
		for _, f := range figs {
			a, ok := areas[f.Area]
			if !f.Current || !ok || a.Kind != forms.AreaState || !call.Asks(a.Organization()) {
				continue
			}
			c := cells[f.Series]
			r := orgs[f.Area]
			r.Cell = forms.CellRef{Question: c.Question, Row: c.Row, Year: f.Year, Category: c.Category}
			r.Value = forms.Cell{State: forms.CellValue, Value: int64(math.Round(f.Value))}
			if f.Estimate {
				r.Value.Flags = forms.FlagEstimate
			}
			r.Reference, r.State = f.Reference, forms.SubmissionState(f.Origin)
			switch f.Origin {
			case forms.OriginImported:
				r.Value.Note = f.Source
			case forms.OriginAccepted, forms.OriginSubmitted:
				r.State = forms.SubmissionState(forms.OriginCall)
			}
			past = append(past, r)
		}
		given, err := s.givenCells(ctx, call, include, past)
		if err != nil {
			return err
		}
		slices.SortFunc(past, func(a, b forms.StatRow) int {
			return cmp.Or(cmp.Compare(a.Organization.Code, b.Organization.Code), cmp.Compare(a.Cell.Row, b.Cell.Row),
				cmp.Compare(a.Cell.Year, b.Cell.Year), cmp.Compare(a.Cell.Category, b.Cell.Category))
		})
		for _, r := range past {
			if given[statKey(r.Organization.Code, r.Cell)] {
				continue
			}
			if err := fn(r); err != nil {
				return err
			}
		}
	}
	return nil
}

func statKey(code string, c forms.CellRef) string {
	return code + "\x00" + c.Question + "\x00" + c.Row + "\x00" + c.Category + "\x00" + strconv.Itoa(c.Year)
}

// givenCells returns which of the rows' cells a counted submission to the
// call gives a figure of (statKey).
func (s *Store) givenCells(ctx context.Context, call forms.Call, include bool, rows []forms.StatRow) (map[string]bool, error) {
	out := map[string]bool{}
	if len(rows) == 0 {
		return out, nil
	}
	n := len(rows)
	codes, questions, rowKeys, categories, years := make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n), make(pq.Int64Array, n)
	for i, r := range rows {
		codes[i], questions[i], rowKeys[i], categories[i], years[i] = r.Organization.Code, r.Cell.Question, r.Cell.Row, r.Cell.Category, int64(r.Cell.Year)
	}
	q, err := s.db.QueryContext(ctx, `
		SELECT k.code, k.question, k.row_key, k.category, k.year
		FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::int[]) AS k (code, question, row_key, category, year)
		JOIN organizations o ON o.code = k.code
		JOIN drafts d ON d.organization_id = o.id AND d.call_id = $1 AND d.state = ANY($2)
		JOIN submission_versions v ON v.draft_id = d.id AND v.number = d.submitted_versions
		JOIN submission_cells c ON c.version_id = v.id AND c.question = k.question AND c.row_key = k.row_key
		     AND c.category = k.category AND c.year = k.year AND c.state = 1`,
		call.ID, countedStates(include), codes, questions, rowKeys, categories, years)
	if err != nil {
		return nil, classify(fmt.Errorf("storage: cells given to %s: %w", call.Key, err))
	}
	defer q.Close()
	for q.Next() {
		var code string
		var c forms.CellRef
		if err := q.Scan(&code, &c.Question, &c.Row, &c.Category, &c.Year); err != nil {
			return nil, classify(fmt.Errorf("storage: cells given to %s: %w", call.Key, err))
		}
		out[statKey(code, c)] = true
	}
	return out, classify(q.Err())
}

// statOrganizations returns what a row of the long dataset says of each
// organization, by code.
func (s *Store) statOrganizations(ctx context.Context) (map[string]forms.StatRow, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT o.code, COALESCE(o.m49, ''), COALESCE(o.iso2, ''), o.name_en, o.name_fr, o.name_es, o.name_ru, o.name_ar, o.name_zh,
		       o.region_name, COALESCE((SELECT string_agg(m.group_code, ' ' ORDER BY m.group_code) FROM regional_group_members m
		                                WHERE m.organization_id = o.id), '')
		FROM organizations o`)
	if err != nil {
		return nil, classify(fmt.Errorf("storage: organizations: %w", err))
	}
	defer rows.Close()
	out := map[string]forms.StatRow{}
	for rows.Next() {
		var r forms.StatRow
		var n names
		var groups string
		if err := rows.Scan(&r.Organization.Code, &r.Organization.M49, &r.ISO2, &n.En, &n.Fr, &n.Es, &n.Ru, &n.Ar, &n.Zh, &r.Region, &groups); err != nil {
			return nil, classify(fmt.Errorf("storage: organizations: %w", err))
		}
		r.Organization.Name, r.Organization.RegionalGroups = n.forms(), strings.Fields(groups)
		out[r.Organization.Code] = r
	}
	return out, classify(rows.Err())
}
