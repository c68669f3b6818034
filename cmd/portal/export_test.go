package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"portal/forms/definition"
	"portal/forms/demo"
	"portal/storage"
	"portal/storage/storagetest"
)

// TestDemoGenerateAndExport: portal demo generate fills a database with
// accepted synthetic statistics, again without doubling them, and portal
// export writes them, one row per value, as XLSX and CSV; then, with past
// series imported, the figures the imports give where no submission does,
// as the export on the web writes them.
func TestDemoGenerateAndExport(t *testing.T) {
	dbURL := storagetest.NewDatabase(t)
	getenv := func(k string) string {
		if k == "PORTAL_DATABASE_URL" {
			return dbURL
		}
		return ""
	}
	var out, errb bytes.Buffer
	for range 2 { // the second run finds the States done
		out.Reset()
		if code := run([]string{"demo", "generate", "--states", "2", "--years", "2"}, getenv, &out, &errb); code != 0 {
			t.Fatalf("generate: exit %d\n%s%s", code, out.String(), errb.String())
		}
	}
	if !strings.Contains(out.String(), "2 States answered, 764 values") || !strings.Contains(out.String(), "2 States gave their views") {
		t.Errorf("generate said %q", out.String())
	}
	dir := t.TempDir()
	xlsx, csvFile := filepath.Join(dir, "s.xlsx"), filepath.Join(dir, "s.csv")
	if code := run([]string{"export", "--call", "uncts-synthetic-2", "--format", "xlsx", "-o", xlsx}, getenv, &out, &errb); code != 0 {
		t.Fatalf("export: exit %d\n%s", code, errb.String())
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("Data")
	if err != nil || len(rows) != 765 || rows[1][0] != "AFG" || rows[1][18] != "accepted" {
		t.Fatalf("XLSX: %v, %d rows, first %v", err, len(rows), rows[1])
	}
	if code := run([]string{"export", "--call", "uncts-synthetic-2", "--format", "csv", "--bom", "-o", csvFile}, getenv, &out, &errb); code != 0 {
		t.Fatalf("export csv: exit %d", code)
	}
	for _, args := range [][]string{{"export"}, {"export", "--call", "x", "--format", "pdf", "-o", "x"}, {"demo", "generate", "--states", "0"}, {"demo", "frob"}} {
		if code := run(args, getenv, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code := run([]string{"export", "--call", "no-such-call", "-o", filepath.Join(dir, "x.xlsx")}, getenv, &out, &errb); code != 1 {
		t.Errorf("an unknown call: exit %d, want 1", code)
	}

	// Thirty years of past series for every Member State, up to the call's
	// last year (the demo's history, as if made two years from now).
	ctx := context.Background()
	s, err := storage.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	lib, err := definition.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.EnsureHistory(ctx, s, lib, time.Now().AddDate(2, 0, 0)); err != nil {
		t.Fatal(err)
	}
	imps, err := s.Imports(ctx)
	s.Close()
	if err != nil || len(imps) != 1 {
		t.Fatalf("imports: %v, %v", imps, err)
	}
	if code := run([]string{"export", "--call", "uncts-synthetic-2", "--format", "xlsx", "-o", xlsx}, getenv, &out, &errb); code != 0 {
		t.Fatalf("export with imports: exit %d\n%s", code, errb.String())
	}
	if f, err = excelize.OpenFile(xlsx); err != nil {
		t.Fatal(err)
	}
	if rows, err = f.GetRows("Data"); err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	states := map[string]int{} // by submission state
	importedOf := map[string]bool{}
	cells := map[string]string{} // the state of each State's cell and year: one row each
	for _, r := range rows[1:] {
		state := r[col["submission_state"]]
		states[state]++
		cell := strings.Join([]string{r[col["iso3"]], r[col["table"]], r[col["indicator_key"]], r[col["year"]], r[col["category"]]}, " ")
		if cells[cell] != "" {
			t.Errorf("%s: %s and %s rows", cell, cells[cell], state)
		}
		cells[cell] = state
		if state == "imported" {
			importedOf[r[col["iso3"]]] = true
			if r[col["reference"]] != imps[0].Reference || !strings.Contains(r[col["note"]], "not real data") {
				t.Fatalf("an imported row: %v", r)
			}
		}
	}
	if states["accepted"] != 764 || len(importedOf) != 191 {
		t.Errorf("rows by state %v; imported for %d States: want 764 accepted, and imports for the 191 others", states, len(importedOf))
	}
}
