package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"portal/storage/storagetest"
)

// TestDemoGenerateAndExport: portal demo generate fills a database with
// accepted synthetic statistics, again without doubling them, and portal
// export writes them, one row per value, as XLSX and CSV.
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
}
