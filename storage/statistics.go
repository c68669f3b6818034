package storage

import (
	"context"
	"database/sql"
	"fmt"
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
