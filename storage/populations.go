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
// replaces the ones it has for the same State and year, as one upload of
// the Office's own table without a file name (SavePopulationUpload).
func (s *Store) SavePopulations(ctx context.Context, rows []forms.Population, actor forms.Actor) error {
	_, err := s.SavePopulationUpload(ctx, forms.PopulationUpload{Kind: forms.PopulationUploadTable}, rows, actor, nil)
	return err
}

// SavePopulationUpload records an upload to the Office's population table
// (up's Kind and FileName; its Rows are len(rows)) and adds its figures,
// or replaces the ones the table has for the same State and year, each
// marked with the upload, in one transaction, audited with details beside
// the kind, file and rows. A replaced figure goes to the table's history
// (migration 00017's trigger). The caller has checked the figures
// (forms.ParsePopulations, forms.WPPFigures); a code that names no
// organization is an error of kind forms.KindInvalid, and nothing is
// stored. It returns the upload's ID.
func (s *Store) SavePopulationUpload(ctx context.Context, up forms.PopulationUpload, rows []forms.Population, actor forms.Actor, details map[string]string) (int64, error) {
	if up.Kind != forms.PopulationUploadTable && up.Kind != forms.PopulationUploadWPP {
		return 0, forms.Errorf(forms.KindInvalid, "population upload of kind %q", up.Kind)
	}
	codes, sources := make(pq.StringArray, len(rows)), make(pq.StringArray, len(rows))
	years, pops := make(pq.Int64Array, len(rows)), make(pq.Int64Array, len(rows))
	for i, r := range rows {
		codes[i], years[i], pops[i], sources[i] = r.Code, int64(r.Year), r.Population, r.Source
	}
	var id int64
	err := s.withTx(ctx, nil, "save populations", func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &id, `
			INSERT INTO population_uploads (kind, file_name, rows, uploaded_by) VALUES ($1, $2, $3, $4) RETURNING id`,
			up.Kind, up.FileName, len(rows), actor.Label); err != nil {
			return classify(fmt.Errorf("storage: record population upload: %w", err))
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO populations (organization_id, year, population, source, updated_by, upload_id)
			SELECT o.id, r.year, r.population, r.source, $5, $6
			FROM unnest($1::text[], $2::int[], $3::bigint[], $4::text[]) AS r(code, year, population, source)
			JOIN organizations o ON o.code = r.code
			ON CONFLICT (organization_id, year) DO UPDATE
			SET population = EXCLUDED.population, source = EXCLUDED.source, updated_at = now(), updated_by = EXCLUDED.updated_by,
			    upload_id = EXCLUDED.upload_id`,
			codes, years, pops, sources, actor.Label, id)
		if err != nil {
			return classify(fmt.Errorf("storage: save populations: %w", err))
		}
		if n, _ := res.RowsAffected(); n != int64(len(rows)) {
			return forms.Errorf(forms.KindInvalid, "%d of %d populations name no known State", int64(len(rows))-n, len(rows))
		}
		d := map[string]string{}
		for k, v := range details {
			d[k] = v
		}
		d["rows"], d["kind"], d["upload"] = strconv.Itoa(len(rows)), up.Kind, strconv.FormatInt(id, 10)
		if up.FileName != "" {
			d["file"] = up.FileName
		}
		return insertAuditEvents(ctx, tx, forms.AuditEvent{Actor: actor, Action: forms.AuditPopulationsSaved, Target: "populations", Details: d})
	})
	if err != nil {
		return 0, err
	}
	return id, nil
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
	return populationsOf(ctx, s.db)
}

func populationsOf(ctx context.Context, db sqlx.QueryerContext) ([]forms.Population, error) {
	var out []forms.Population
	err := sqlx.SelectContext(ctx, db, &out, `
		SELECT o.code, p.year, p.population, p.source, COALESCE(u.kind, '') AS uploadkind, COALESCE(u.file_name, '') AS filename
		FROM populations p JOIN organizations o ON o.id = p.organization_id
		LEFT JOIN population_uploads u ON u.id = p.upload_id
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
		uploadRow
		Replaced int `db:"replaced"`
		Total    int `db:"total"`
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
		       p.year, p.population, p.source, p.updated_at, p.updated_by, `+uploadColumns+`,
		       (SELECT count(*) FROM population_history h WHERE h.organization_id = p.organization_id AND h.year = p.year) AS replaced,
		       count(*) OVER () AS total
		FROM populations p JOIN st ON st.id = p.organization_id
		LEFT JOIN population_uploads u ON u.id = p.upload_id
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
			UpdatedAt: r.UpdatedAt.UTC(), UpdatedBy: r.UpdatedBy, Upload: r.uploadRow.upload(), Replaced: r.Replaced}
		page.Total = r.Total
	}
	if err := s.populationHistory(ctx, page.Rows); err != nil {
		return forms.PopulationPage{}, err
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

// uploadRow is a population upload read through a LEFT JOIN on
// population_uploads u (uploadColumns); ID 0 when there is none.
type uploadRow struct {
	UploadID   int64     `db:"upload_id"`
	UploadKind string    `db:"upload_kind"`
	UploadFile string    `db:"upload_file"`
	UploadRows int       `db:"upload_rows"`
	UploadedAt time.Time `db:"uploaded_at"`
	UploadedBy string    `db:"uploaded_by"`
}

const uploadColumns = `COALESCE(u.id, 0) AS upload_id, COALESCE(u.kind, '') AS upload_kind, COALESCE(u.file_name, '') AS upload_file,
		       COALESCE(u.rows, 0) AS upload_rows, COALESCE(u.uploaded_at, 'epoch') AS uploaded_at, COALESCE(u.uploaded_by, '') AS uploaded_by`

func (u uploadRow) upload() forms.PopulationUpload {
	if u.UploadID == 0 {
		return forms.PopulationUpload{}
	}
	return forms.PopulationUpload{ID: u.UploadID, Kind: u.UploadKind, FileName: u.UploadFile, Rows: u.UploadRows,
		UploadedAt: u.UploadedAt.UTC(), UploadedBy: u.UploadedBy}
}

// populationHistory fills the History of the rows that replaced earlier
// figures: the latest forms.MaxPopulationHistory of each, in one query.
func (s *Store) populationHistory(ctx context.Context, rows []forms.PopulationRow) error {
	var orgs, years pq.Int64Array
	at := map[[2]int64]int{}
	for i, r := range rows {
		if r.Replaced > 0 {
			orgs, years = append(orgs, r.State.ID), append(years, int64(r.Year))
			at[[2]int64{r.State.ID, int64(r.Year)}] = i
		}
	}
	if len(orgs) == 0 {
		return nil
	}
	var hist []struct {
		OrgID      int64     `db:"organization_id"`
		Year       int64     `db:"year"`
		Population int64     `db:"population"`
		Source     string    `db:"source"`
		UpdatedAt  time.Time `db:"updated_at"`
		UpdatedBy  string    `db:"updated_by"`
		ReplacedAt time.Time `db:"replaced_at"`
		uploadRow
	}
	err := s.db.SelectContext(ctx, &hist, `
		SELECT h.organization_id, h.year, h.population, h.source, h.updated_at, h.updated_by, h.replaced_at, `+uploadColumns+`
		FROM (SELECT h.*, row_number() OVER (PARTITION BY h.organization_id, h.year ORDER BY h.replaced_at DESC, h.updated_at DESC) AS n
		      FROM population_history h
		      JOIN unnest($1::bigint[], $2::int[]) AS k(organization_id, year) ON k.organization_id = h.organization_id AND k.year = h.year) h
		LEFT JOIN population_uploads u ON u.id = h.upload_id
		WHERE h.n <= $3
		ORDER BY h.organization_id, h.year, h.n`, orgs, years, forms.MaxPopulationHistory)
	if err != nil {
		return classify(fmt.Errorf("storage: population history: %w", err))
	}
	for _, h := range hist {
		i := at[[2]int64{h.OrgID, h.Year}]
		rows[i].History = append(rows[i].History, forms.PopulationHistory{Population: h.Population, Source: h.Source,
			Upload: h.uploadRow.upload(), UpdatedAt: h.UpdatedAt.UTC(), UpdatedBy: h.UpdatedBy, ReplacedAt: h.ReplacedAt.UTC()})
	}
	return nil
}
