package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestWorkbookCommand: portal workbook blank writes a workbook that check
// finds clean; a filled one with mistakes is reported cell by cell with
// exit 1; bad arguments exit 2. No database is involved.
func TestWorkbookCommand(t *testing.T) {
	dir := t.TempDir()
	blank := filepath.Join(dir, "blank.xlsx")
	var out, errb bytes.Buffer
	if code := run([]string{"workbook", "blank", "--questionnaire", "crime-statistics", "--lang", "fr", "--org", "aut", "--years", "2022-2025", "-o", blank}, os.Getenv, &out, &errb); code != 0 {
		t.Fatalf("blank: exit %d\n%s%s", code, out.String(), errb.String())
	}
	out.Reset()
	if code := run([]string{"workbook", "check", blank}, os.Getenv, &out, &errb); code != 0 || !strings.Contains(out.String(), "ok (crime-statistics v1, AUT") {
		t.Fatalf("check of a blank workbook: exit %d\n%s", code, out.String())
	}

	f, err := excelize.OpenFile(blank)
	if err != nil {
		t.Fatal(err)
	}
	var police string
	for _, s := range f.GetSheetList() {
		if strings.HasPrefix(s, "Infractions") {
			police = s
		}
	}
	// Homicide's first two years: the police table begins on row 8,
	// under the question whether wildlife trafficking is an offence.
	f.SetCellStr(police, "C8", "douze")
	f.SetCellFormula(police, "D8", "1+1")
	filled := filepath.Join(dir, "filled.xlsx")
	if err := f.SaveAs(filled); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	code := run([]string{"workbook", "check", "--lang", "en", filled}, os.Getenv, &out, &errb)
	if code != 1 || !strings.Contains(out.String(), "cell C8") || !strings.Contains(out.String(), "“douze” is not a whole number") || !strings.Contains(out.String(), "formula (=1+1)") {
		t.Errorf("check of a filled workbook with mistakes: exit %d\n%s", code, out.String())
	}
	for _, args := range [][]string{
		{"workbook", "blank", "--questionnaire", "crime-statistics"},             // no -o
		{"workbook", "blank", "--questionnaire", "x", "--lang", "de", "-o", "x"}, // not a UN language
		{"workbook", "blank", "--questionnaire", "crime-statistics", "--years", "soon", "-o", filepath.Join(dir, "y.xlsx")},
		{"workbook", "check"},
		{"workbook", "frobnicate"},
	} {
		if code := run(args, os.Getenv, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code := run([]string{"workbook", "blank", "--questionnaire", "no-such", "-o", filepath.Join(dir, "z.xlsx")}, os.Getenv, &out, &errb); code != 1 {
		t.Errorf("an unknown questionnaire: exit %d, want 1", code)
	}
}
