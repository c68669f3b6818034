package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"portal/forms"
)

// SavePopulations adds the figures to the Office's population table, or
// replaces the ones it has for the same State and year, in one
// statement, audited. The caller has checked them (forms.ParsePopulations).
func (s *Store) SavePopulations(ctx context.Context, rows []forms.Population, actor forms.Actor) error {
	codes, sources := make(pq.StringArray, len(rows)), make(pq.StringArray, len(rows))
	years, pops := make(pq.Int64Array, len(rows)), make(pq.Int64Array, len(rows))
	for i, r := range rows {
		codes[i], years[i], pops[i], sources[i] = r.Code, int64(r.Year), r.Population, r.Source
	}
	return s.withTx(ctx, nil, "save populations", func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO populations (organization_id, year, population, source, updated_by)
			SELECT o.id, r.year, r.population, r.source, $5
			FROM unnest($1::text[], $2::int[], $3::bigint[], $4::text[]) AS r(code, year, population, source)
			JOIN organizations o ON o.code = r.code
			ON CONFLICT (organization_id, year) DO UPDATE
			SET population = EXCLUDED.population, source = EXCLUDED.source, updated_at = now(), updated_by = EXCLUDED.updated_by`,
			codes, years, pops, sources, actor.Label)
		if err != nil {
			return classify(fmt.Errorf("storage: save populations: %w", err))
		}
		if n, _ := res.RowsAffected(); n != int64(len(rows)) {
			return forms.Errorf(forms.KindInvalid, "%d of %d populations name no known State", int64(len(rows))-n, len(rows))
		}
		return insertAuditEvents(ctx, tx, forms.AuditEvent{Actor: actor, Action: forms.AuditPopulationsSaved, Target: "populations",
			Details: map[string]string{"rows": strconv.Itoa(len(rows))}})
	})
}

// PopulationSummary describes the Office's population table.
func (s *Store) PopulationSummary(ctx context.Context) (forms.PopulationSummary, error) {
	var p forms.PopulationSummary
	var first, last sql.NullInt64
	var at sql.NullTime
	var by sql.NullString
	err := s.db.QueryRowxContext(ctx, `
		SELECT count(*), count(DISTINCT organization_id), min(year), max(year), max(updated_at),
		       (SELECT updated_by FROM populations ORDER BY updated_at DESC LIMIT 1)
		FROM populations`).Scan(&p.Rows, &p.States, &first, &last, &at, &by)
	if err != nil {
		return p, classify(fmt.Errorf("storage: population summary: %w", err))
	}
	p.FirstYear, p.LastYear, p.UpdatedAt, p.UpdatedBy = int(first.Int64), int(last.Int64), at.Time.UTC(), by.String
	return p, nil
}

// Populations returns the Office's population table by State and year.
func (s *Store) Populations(ctx context.Context) ([]forms.Population, error) {
	var out []forms.Population
	err := s.db.SelectContext(ctx, &out, `
		SELECT o.code, p.year, p.population, p.source FROM populations p JOIN organizations o ON o.id = p.organization_id
		ORDER BY o.code, p.year`)
	if err != nil {
		return nil, classify(fmt.Errorf("storage: populations: %w", err))
	}
	return out, nil
}
