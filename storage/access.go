package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"portal/forms"
)

// withTx runs fn in one transaction, committed when fn returns nil and
// rolled back otherwise. fn's error comes back as it is (fn wraps and
// classifies its own); what names the work for errors of BEGIN and COMMIT.
//
// When a prepared statement of the transaction fails because a migration
// changed its result type (errPlanChanged), the transaction is run again,
// fn with it, on statements prepared again: fn must leave nothing behind
// but in the transaction, or set again whatever it sets. Each connection
// fails so once after a migration, so this ends: at worst once for each
// connection of the pool.
func (s *Store) withTx(ctx context.Context, opts *sql.TxOptions, what string, fn func(tx *sqlx.Tx) error) error {
	err := s.runTx(ctx, opts, what, fn)
	for range maxConns {
		if !errors.Is(err, errPlanChanged) {
			break
		}
		err = s.runTx(ctx, opts, what, fn)
	}
	return err
}

func (s *Store) runTx(ctx context.Context, opts *sql.TxOptions, what string, fn func(tx *sqlx.Tx) error) error {
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
