package storage_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"portal/forms"
	"portal/forms/published"
	"portal/forms/synthetic"
	"portal/internal/heapwatch"
)

// BenchmarkImport500k imports a long-format CSV of 500,000 rows (193
// States, 30 years, 87 series) from disk as the import page does (read,
// staged by COPY, the dry run, the confirmation), and, in the same run,
// COPYs the same rows as text into a bare table: the import's time as a
// ratio to that floor, and the portal's peak heap growth.
//
//	go test -run '^$' -bench Import500k -benchtime 1x ./storage/
func BenchmarkImport500k(b *testing.B) {
	s, db := storeWithDB(b)
	ctx := context.Background()
	sources, cells := allSources(b)
	var picked []forms.SeriesCell
	seen := map[string]bool{}
	for _, c := range cells {
		if !c.Repeat && !seen[c.Code] && len(picked) < 87 {
			seen[c.Code] = true
			picked = append(picked, c)
		}
	}
	var ms []forms.SeriesMapping
	for _, c := range picked {
		ms = append(ms, forms.SeriesMapping{Description: synthetic.Describe(c), Series: c.Code})
	}
	if err := s.SaveMappings(ctx, ms, forms.Actor{Label: "bench"}); err != nil {
		b.Fatal(err)
	}
	states, err := s.Organizations(ctx, forms.MemberState)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "long.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	bw := bufio.NewWriter(f)
	w := csv.NewWriter(bw)
	w.Write([]string{"Iso3_code", "Country", "Region", "Subregion", "Indicator", "Dimension", "Category", "Sex", "Age", "Year", "Unit of measurement", "VALUE", "Source"})
	rng := rand.New(rand.NewPCG(1, 2))
	n := 0
	for _, o := range states {
		for y := 1995; y < 2025; y++ {
			for _, c := range picked {
				d := synthetic.Describe(c)
				w.Write([]string{o.Code, o.Name.En, "", "", d.Indicator, d.Dimension, d.Category, d.Sex, d.Age, strconv.Itoa(y), "Counts",
					strconv.Itoa(rng.IntN(100000)), "CTS"})
				n++
			}
		}
	}
	w.Flush()
	bw.Flush()
	f.Close()
	info, _ := os.Stat(path)
	b.Logf("%d rows, %.1f MB", n, float64(info.Size())/1e6)
	if _, err := db.Exec(`CREATE TABLE bare (a text, b text, c text, d text, e text, f text, g text, h text, i text, j int, k text, l numeric, m text)`); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		// The floor: COPY of the same rows, as text, into a bare table.
		start := time.Now()
		copyBare(b, db, path)
		floor := time.Since(start)
		if _, err := db.Exec(`TRUNCATE bare`); err != nil {
			b.Fatal(err)
		}
		var imp forms.SeriesImport
		var read, planned time.Duration
		start = time.Now()
		peak := heapwatch.Measure(func() {
			in, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			defer in.Close()
			token, err := s.StageImport(ctx, "long.csv", strings.Repeat("b", 64), "bench", func(put func(forms.ImportRow) error) error {
				_, err := published.ReadLongFormat(in, published.Limits{}, func(r published.Row) error {
					return put(forms.ImportRow{Line: r.Line, Area: r.Area, AreaName: r.Country, Indicator: r.Indicator, Dimension: r.Dimension,
						Category: r.Category, Sex: r.Sex, Age: r.Age, Unit: r.Unit, Year: r.Year, Value: r.Value, Source: r.Source})
				})
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
			read = time.Since(start)
			p, err := s.PlanImport(ctx, token, sources, cells, 20)
			if err != nil {
				b.Fatal(err)
			}
			planned = time.Since(start)
			if p.Changes() != n {
				b.Fatalf("%d changes of %d rows: %v", p.Changes(), n, p.Fates)
			}
			if imp, err = s.ConfirmImport(ctx, token, sources, forms.Actor{Label: "bench"}); err != nil {
				b.Fatal(err)
			}
		})
		total := time.Since(start)
		if imp.Figures != n {
			b.Fatalf("%d figures", imp.Figures)
		}
		b.ReportMetric(floor.Seconds(), "copy-s")
		b.ReportMetric(read.Seconds(), "staged-s")
		b.ReportMetric((planned - read).Seconds(), "dryrun-s")
		b.ReportMetric((total - planned).Seconds(), "confirm-s")
		b.ReportMetric(total.Seconds()/floor.Seconds(), "x-copy")
		b.ReportMetric(float64(peak.Inuse)/(1<<20), "peak-heap-MB")
		if _, err := s.WithdrawImport(ctx, imp.Reference, forms.Actor{Label: "bench"}); err != nil {
			b.Fatal(err)
		}
		if _, err := db.Exec(`DELETE FROM imported_figures; DELETE FROM import_uploads; DELETE FROM series_imports`); err != nil {
			b.Fatal(err)
		}
	}
}

// copyBare COPYs the CSV's rows, as encoding/csv reads them, into bare.
func copyBare(b *testing.B, db *sql.DB, path string) {
	b.Helper()
	in, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	stmt, err := tx.Prepare(`COPY bare (a, b, c, d, e, f, g, h, i, j, k, l, m) FROM STDIN`)
	if err != nil {
		b.Fatal(err)
	}
	r := csv.NewReader(bufio.NewReader(in))
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil { // the header
		b.Fatal(err)
	}
	args := make([]any, 13)
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		for i, v := range rec {
			args[i] = v
		}
		if _, err := stmt.Exec(args...); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := stmt.Exec(); err != nil {
		b.Fatal(err)
	}
	stmt.Close()
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}
