package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

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

// populationOrder is the column and collation that order the States by
// their name in a language (ICU collations, which PostgreSQL's Debian
// packages and images carry): French "Égypte" among the E, Chinese names
// in pinyin order.
var populationOrder = map[forms.Language]string{
	forms.English: `st.name_en COLLATE "en-x-icu"`,
	forms.French:  `st.name_fr COLLATE "fr-x-icu"`,
	forms.Spanish: `st.name_es COLLATE "es-x-icu"`,
	forms.Russian: `st.name_ru COLLATE "ru-x-icu"`,
	forms.Arabic:  `st.name_ar COLLATE "ar-x-icu"`,
	forms.Chinese: `st.name_zh COLLATE "zh-x-icu"`,
}

// foldSearch writes the SQL that folds a text for searching: lower case,
// without accents (the combining marks that NFD separates, Arabic's short
// vowels and hamza marks among them), with typographic apostrophes as
// straight ones; so "cote d'ivoire" finds "Côte d’Ivoire" and "مصر" finds
// "مِصر". Lower case is ICU's, for every script: the database's own lower()
// folds only ASCII under the C locale of the portal's private cluster.
func foldSearch(expr string) string {
	return "regexp_replace(normalize(lower(translate(" + expr + ", '\u2019\u2018', '''''') COLLATE \"und-x-icu\"), NFD), " +
		"'[\u0300-\u036f\u064b-\u065f\u0670]', '', 'g')"
}

// maxPopulationSearch bounds the length of a search of the population table.
const maxPopulationSearch = 100

// FindPopulations returns the page of the Office's population table that f
// selects (see forms.PopulationFilter), filtered, ordered and paged by the
// database, with how many rows f selects in all.
func (s *Store) FindPopulations(ctx context.Context, f forms.PopulationFilter) (forms.PopulationPage, error) {
	order, ok := populationOrder[f.Lang]
	if !ok {
		order = populationOrder[forms.English]
	}
	limit := f.Limit
	if limit <= 0 || limit > forms.MaxPopulationPage {
		limit = forms.MaxPopulationPage
	}
	search := strings.TrimSpace(f.Search)
	if r := []rune(search); len(r) > maxPopulationSearch {
		search = string(r[:maxPopulationSearch])
	}
	var rows []struct {
		orgRefRow
		Year       int       `db:"year"`
		Population int64     `db:"population"`
		Source     string    `db:"source"`
		UpdatedAt  time.Time `db:"updated_at"`
		UpdatedBy  string    `db:"updated_by"`
		Total      int       `db:"total"`
	}
	// The States are matched first (a few hundred names), then their rows.
	err := s.db.SelectContext(ctx, &rows, `
		WITH st AS (
			SELECT o.id, o.code, o.name_en, o.name_fr, o.name_es, o.name_ru, o.name_ar, o.name_zh
			FROM organizations o
			WHERE $1 = '' OR strpos(`+foldSearch("concat_ws(' ', o.code, o.name_en, o.name_fr, o.name_es, o.name_ru, o.name_ar, o.name_zh)")+`,
			                        `+foldSearch("$1")+`) > 0
		)
		SELECT st.id AS organization_id, st.code AS organization_code,
		       st.name_en, st.name_fr, st.name_es, st.name_ru, st.name_ar, st.name_zh,
		       p.year, p.population, p.source, p.updated_at, p.updated_by, count(*) OVER () AS total
		FROM populations p JOIN st ON st.id = p.organization_id
		WHERE ($2::int = 0 OR p.year = $2)
		ORDER BY `+order+`, st.code, p.year
		LIMIT $3 OFFSET $4`,
		search, f.Year, limit, max(f.Offset, 0))
	if err != nil {
		return forms.PopulationPage{}, classify(fmt.Errorf("storage: find populations: %w", err))
	}
	page := forms.PopulationPage{Rows: make([]forms.PopulationRow, len(rows))}
	for i, r := range rows {
		page.Rows[i] = forms.PopulationRow{State: r.orgRefRow.ref(), Year: r.Year, Population: r.Population, Source: r.Source,
			UpdatedAt: r.UpdatedAt.UTC(), UpdatedBy: r.UpdatedBy}
		page.Total = r.Total
	}
	if len(rows) == 0 && f.Offset > 0 {
		// Past the last page: the window counted nothing, so count apart.
		err := s.db.GetContext(ctx, &page.Total, `
			SELECT count(*) FROM populations p JOIN organizations o ON o.id = p.organization_id
			WHERE ($1 = '' OR strpos(`+foldSearch("concat_ws(' ', o.code, o.name_en, o.name_fr, o.name_es, o.name_ru, o.name_ar, o.name_zh)")+`,
			                         `+foldSearch("$1")+`) > 0)
			  AND ($2::int = 0 OR p.year = $2)`, search, f.Year)
		if err != nil {
			return forms.PopulationPage{}, classify(fmt.Errorf("storage: count populations: %w", err))
		}
	}
	return page, nil
}
