package storage

import (
	"context"
	"fmt"

	"github.com/lib/pq"

	"portal/forms"
)

// LastSaves says, for each of fields of the organization's draft for the
// call, who last saved it and when, from the saves' record of changes
// (draft_saves). A field never saved is missing from the result.
func (s *Store) LastSaves(ctx context.Context, call forms.Call, org forms.OrganizationRef, fields []string) (map[string]forms.FieldSave, error) {
	out := map[string]forms.FieldSave{}
	if len(fields) == 0 {
		return out, nil
	}
	rows, err := s.db.QueryxContext(ctx, lastSavesSQL, call.ID, org.ID, pq.Array(fields))
	if err != nil {
		return nil, classify(fmt.Errorf("storage: last saves of %s/%s: %w", call.Key, org.Code, err))
	}
	defer rows.Close()
	for rows.Next() {
		var f string
		var fs forms.FieldSave
		if err := rows.Scan(&f, &fs.By, &fs.At); err != nil {
			return nil, classify(fmt.Errorf("storage: last saves of %s/%s: %w", call.Key, org.Code, err))
		}
		out[f] = fs
	}
	if err := rows.Err(); err != nil {
		return nil, classify(fmt.Errorf("storage: last saves of %s/%s: %w", call.Key, org.Code, err))
	}
	return out, nil
}

const lastSavesSQL = `SELECT DISTINCT ON (c.key) c.key, s.saved_by, s.saved_at
FROM drafts d JOIN draft_saves s ON s.draft_id = d.id, jsonb_each(s.changes) AS c
WHERE d.call_id = $1 AND d.organization_id = $2 AND c.key = ANY($3)
ORDER BY c.key, s.version DESC`

// FieldsAt returns, for each of fields changed in the organization's draft
// for the call since version, its content at version (as
// forms.Answers.Field encodes it): the base a stale edit (a workbook
// filled at version) is merged against. A field not changed since is
// missing: it is as it was.
func (s *Store) FieldsAt(ctx context.Context, call forms.Call, org forms.OrganizationRef, version int, fields []string) (map[string]string, error) {
	out := map[string]string{}
	if len(fields) == 0 {
		return out, nil
	}
	rows, err := s.db.QueryxContext(ctx, fieldsAtVersionSQL, call.ID, org.ID, version, pq.Array(fields))
	if err != nil {
		return nil, classify(fmt.Errorf("storage: fields of %s/%s at version %d: %w", call.Key, org.Code, version, err))
	}
	defer rows.Close()
	for rows.Next() {
		var f, old string
		if err := rows.Scan(&f, &old); err != nil {
			return nil, classify(fmt.Errorf("storage: fields of %s/%s at version %d: %w", call.Key, org.Code, version, err))
		}
		out[f] = old
	}
	if err := rows.Err(); err != nil {
		return nil, classify(fmt.Errorf("storage: fields of %s/%s at version %d: %w", call.Key, org.Code, version, err))
	}
	return out, nil
}

// fieldsAtVersionSQL: the first change of each field after the version
// holds, as its old content, the content at that version.
const fieldsAtVersionSQL = `SELECT DISTINCT ON (c.key) c.key, coalesce(c.value->>0, '')
FROM drafts d JOIN draft_saves s ON s.draft_id = d.id, jsonb_each(s.changes) AS c
WHERE d.call_id = $1 AND d.organization_id = $2 AND s.version > $3 AND c.key = ANY($4)
ORDER BY c.key, s.version`
