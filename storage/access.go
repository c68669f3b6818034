package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"portal/forms"
)

// withTx runs fn in one transaction, committed when fn returns nil and
// rolled back otherwise. fn's error comes back as it is (fn wraps and
// classifies its own); what names the work for errors of BEGIN and COMMIT.
func (s *Store) withTx(ctx context.Context, opts *sql.TxOptions, what string, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, opts)
	if err != nil {
		return classify(fmt.Errorf("storage: %s: begin: %w", what, err))
	}
	if err := fn(tx); err != nil {
		// The rollback's own error adds nothing: the transaction is void either way.
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return classify(fmt.Errorf("storage: %s: commit: %w", what, err))
	}
	return nil
}

// readOnly is the isolation of methods that read with more than one query:
// every query sees the same snapshot.
var readOnly = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}

// orgRefRow is an organization reference read through a LEFT JOIN on
// organizations o; every column is empty when there is no organization.
type orgRefRow struct {
	OrgID   int64  `db:"organization_id"`
	OrgCode string `db:"organization_code"`
	names
}

// orgRefColumns selects an orgRefRow from organizations o.
const orgRefColumns = `COALESCE(o.id, 0) AS organization_id, COALESCE(o.code, '') AS organization_code,
		COALESCE(o.name_en, '') AS name_en, COALESCE(o.name_fr, '') AS name_fr,
		COALESCE(o.name_es, '') AS name_es, COALESCE(o.name_ru, '') AS name_ru,
		COALESCE(o.name_ar, '') AS name_ar, COALESCE(o.name_zh, '') AS name_zh`

func (r orgRefRow) ref() forms.OrganizationRef {
	if r.OrgID == 0 {
		return forms.OrganizationRef{}
	}
	return forms.OrganizationRef{ID: r.OrgID, Code: r.OrgCode, Name: r.names.forms()}
}

// OrganizationByCode returns the organization with the code, compared in
// upper case, with its regional groups. It returns a forms.KindNotFound
// error when there is none.
func (s *Store) OrganizationByCode(ctx context.Context, code string) (forms.Organization, error) {
	var r struct {
		ID     int64          `db:"id"`
		Code   string         `db:"code"`
		Kind   string         `db:"kind"`
		M49    sql.NullString `db:"m49"`
		Groups pq.StringArray `db:"groups"`
		names
	}
	err := s.db.QueryRowxContext(ctx, `
		SELECT o.id, o.code, o.kind, o.m49,
		       o.name_en, o.name_fr, o.name_es, o.name_ru, o.name_ar, o.name_zh,
		       array(SELECT m.group_code FROM regional_group_members m
		             JOIN regional_groups g ON g.code = m.group_code
		             WHERE m.organization_id = o.id ORDER BY g.position) AS groups
		FROM organizations o
		WHERE o.code = upper($1)`, strings.TrimSpace(code)).StructScan(&r)
	if errors.Is(err, sql.ErrNoRows) {
		return forms.Organization{}, forms.Wrap(forms.KindNotFound,
			fmt.Errorf("storage: organization %q: %w", code, err), "organization not found")
	}
	if err != nil {
		return forms.Organization{}, classify(fmt.Errorf("storage: organization %q: %w", code, err))
	}
	return forms.Organization{
		ID: r.ID, Code: r.Code, Kind: forms.OrganizationKind(r.Kind), M49: r.M49.String,
		Name: r.names.forms(), RegionalGroups: r.Groups,
	}, nil
}
