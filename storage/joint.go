package storage

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"portal/forms"
)

// Joint answers: the Office's record, per call, of the organizations that
// answer on behalf of Member States (table representations), and what it
// allows a submission to say.

// Representations returns the call's records of joint answers, by the
// organization's code, each with its States by code.
func (s *Store) Representations(ctx context.Context, call forms.Call) ([]forms.Representation, error) {
	return findRepresentations(ctx, s.db, call.ID, 0)
}

// findRepresentations reads the records of a call, of one organization
// when orgID is not 0, in two statements.
func findRepresentations(ctx context.Context, q sqlx.QueryerContext, callID, orgID int64) ([]forms.Representation, error) {
	var rows []struct {
		orgRow
		OrgID      int64     `db:"organization_id"`
		RecordedBy string    `db:"recorded_by"`
		RecordedAt time.Time `db:"recorded_at"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, `
		SELECT `+orgColumns+`, r.organization_id, r.recorded_by, r.recorded_at
		FROM representations r JOIN organizations o ON o.id = r.state_id
		WHERE r.call_id = $1 AND ($2 = 0 OR r.organization_id = $2)
		ORDER BY r.organization_id, o.code`, callID, orgID); err != nil {
		return nil, classify(fmt.Errorf("storage: representations in call %d: %w", callID, err))
	}
	if len(rows) == 0 {
		return nil, nil
	}
	var ids pq.Int64Array
	for _, r := range rows {
		if !slices.Contains(ids, r.OrgID) {
			ids = append(ids, r.OrgID)
		}
	}
	var orgs []orgRow
	if err := sqlx.SelectContext(ctx, q, &orgs, `SELECT `+orgColumns+` FROM organizations o WHERE o.id = ANY($1)`, ids); err != nil {
		return nil, classify(fmt.Errorf("storage: representations in call %d: %w", callID, err))
	}
	out := make([]forms.Representation, len(ids))
	for i, id := range ids {
		j := slices.IndexFunc(orgs, func(o orgRow) bool { return o.ID == id })
		if j < 0 {
			return nil, fmt.Errorf("storage: representations in call %d: organization %d vanished", callID, id)
		}
		out[i].Organization = orgs[j].organization()
	}
	for _, r := range rows {
		rep := &out[slices.Index(ids, r.OrgID)]
		rep.States = append(rep.States, r.orgRow.organization())
		if r.RecordedAt.After(rep.RecordedAt) {
			rep.RecordedAt, rep.RecordedBy = r.RecordedAt, r.RecordedBy
		}
	}
	slices.SortFunc(out, func(a, b forms.Representation) int { return strings.Compare(a.Organization.Code, b.Organization.Code) })
	return out, nil
}

// representationOf is the record of one organization in a call (no States
// when there is none), with the organization itself.
func representationOf(ctx context.Context, q sqlx.QueryerContext, callID, orgID int64) (forms.Representation, error) {
	reps, err := findRepresentations(ctx, q, callID, orgID)
	if err != nil || len(reps) > 0 {
		return firstOr(reps), err
	}
	var r orgRow
	if err := sqlx.GetContext(ctx, q, &r, `SELECT `+orgColumns+` FROM organizations o WHERE o.id = $1`, orgID); err != nil {
		return forms.Representation{}, classify(fmt.Errorf("storage: organization %d: %w", orgID, err))
	}
	return forms.Representation{Organization: r.organization()}, nil
}

func firstOr(reps []forms.Representation) forms.Representation {
	if len(reps) == 0 {
		return forms.Representation{}
	}
	return reps[0]
}

// Represent records that the organization orgCode answers the call on
// behalf of the States stateCodes (added to what it has), audited as
// joint.recorded. It returns KindInvalid, with the Fields of
// forms.Call.CheckRepresentation, when any of it may not be recorded, and
// then records nothing.
func (s *Store) Represent(ctx context.Context, call forms.Call, orgCode string, stateCodes []string, actor forms.Actor) error {
	what := "record joint answer of " + orgCode + " to " + call.Key
	return s.withTx(ctx, nil, what, func(tx *sqlx.Tx) error {
		// One change of a call's records at a time: the check below sees
		// every record it must.
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM calls WHERE id = $1 FOR UPDATE`, call.ID); err != nil {
			return classify(fmt.Errorf("storage: %s: %w", what, err))
		}
		var found []orgRow
		if err := sqlx.SelectContext(ctx, tx, &found, `SELECT `+orgColumns+` FROM organizations o WHERE o.code = ANY($1)`,
			pq.Array(append([]string{orgCode}, stateCodes...))); err != nil {
			return classify(fmt.Errorf("storage: %s: %w", what, err))
		}
		byCode := map[string]forms.Organization{}
		for _, r := range found {
			byCode[r.Code] = r.organization()
		}
		org, ok := byCode[orgCode]
		if !ok {
			return &forms.Error{Kind: forms.KindInvalid, Message: "no organization " + orgCode,
				Fields: map[string]string{forms.JointFieldOrg: forms.JointNotOrganization}}
		}
		var states []forms.Organization
		var unknown []string
		for _, code := range stateCodes {
			if st, ok := byCode[code]; ok {
				states = append(states, st)
			} else {
				unknown = append(unknown, code)
			}
		}
		existing, err := findRepresentations(ctx, tx, call.ID, 0)
		if err != nil {
			return err
		}
		if err := call.CheckRepresentation(org, states, unknown, existing); err != nil {
			return err
		}
		ids := make(pq.Int64Array, len(states))
		for i, st := range states {
			ids[i] = st.ID
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO representations (call_id, state_id, organization_id, recorded_by)
			SELECT $1, unnest($2::bigint[]), $3, $4
			ON CONFLICT (call_id, state_id) DO NOTHING`, call.ID, ids, org.ID, actor.Label); err != nil {
			return classify(fmt.Errorf("storage: %s: %w", what, err))
		}
		return insertAuditEvents(ctx, tx, forms.AuditEvent{Actor: actor, Action: forms.AuditJointRecorded,
			Organization: forms.OrganizationRef{ID: org.ID, Code: org.Code, Name: org.Name}, Target: call.Key,
			Details: map[string]string{"states": strings.Join(stateCodes, " ")}})
	})
}

// Unrepresent removes the State stateCode from the organization orgCode's
// record for the call, audited as joint.removed: the organization's joint
// answer no longer counts for it. KindNotFound when the record does not
// name it.
func (s *Store) Unrepresent(ctx context.Context, call forms.Call, orgCode, stateCode string, actor forms.Actor) error {
	what := "remove " + stateCode + " from the joint answer of " + orgCode + " to " + call.Key
	return s.withTx(ctx, nil, what, func(tx *sqlx.Tx) error {
		var org orgRow
		err := sqlx.GetContext(ctx, tx, &org, `
			DELETE FROM representations r USING organizations s, organizations o
			WHERE r.call_id = $1 AND s.id = r.state_id AND s.code = $3 AND o.id = r.organization_id AND o.code = $2
			RETURNING `+orgColumns, call.ID, orgCode, stateCode)
		if err != nil {
			return classify(fmt.Errorf("storage: %s: %w", what, err))
		}
		return insertAuditEvents(ctx, tx, forms.AuditEvent{Actor: actor, Action: forms.AuditJointRemoved,
			Organization: forms.OrganizationRef{ID: org.ID, Code: org.Code, Name: org.names.forms()}, Target: call.Key,
			Details: map[string]string{"states": stateCode}})
	})
}

const coversOfSQL = `
		SELECT ` + orgColumns + `, r.call_id,
		       (SELECT v.reference FROM drafts d JOIN submission_versions v ON v.draft_id = d.id AND v.number = d.submitted_versions
		        WHERE d.call_id = r.call_id AND d.organization_id = r.organization_id
		          AND d.state IN ('submitted', 'accepted', 'returned') AND r.state_id = ANY(v.on_behalf_of)) AS reference
		FROM representations r JOIN organizations o ON o.id = r.organization_id
		WHERE r.state_id = $1`

// CoversOf returns, by call ID, the organization the Office records as
// answering on behalf of the State in each call that has such a record,
// with the receipt of that organization's latest version when it answers
// for the State.
func (s *Store) CoversOf(ctx context.Context, state forms.OrganizationRef) (map[int64]forms.Cover, error) {
	var rows []struct {
		orgRow
		CallID    int64          `db:"call_id"`
		Reference sql.NullString `db:"reference"`
	}
	if err := sqlx.SelectContext(ctx, s.db, &rows, coversOfSQL, state.ID); err != nil {
		return nil, classify(fmt.Errorf("storage: joint answers for %s: %w", state.Code, err))
	}
	out := make(map[int64]forms.Cover, len(rows))
	for _, r := range rows {
		out[r.CallID] = forms.Cover{Organization: r.orgRow.organization(), Reference: r.Reference.String}
	}
	return out, nil
}

// checkOnBehalfOf refuses a submission of org to the call that names
// States its record for the call does not (forms.Call.CheckOnBehalfOf).
func checkOnBehalfOf(ctx context.Context, tx *sqlx.Tx, call forms.Call, org forms.OrganizationRef, codes []string) error {
	if len(codes) == 0 {
		return nil
	}
	rec, err := representationOf(ctx, tx, call.ID, org.ID)
	if err != nil {
		return err
	}
	return call.CheckOnBehalfOf(rec, codes)
}
