package export

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"portal/forms"
	"portal/forms/definition"
)

// resave opens each file in LibreOffice Calc (headless) and saves it
// again as XLSX, returning what it wrote, by file name.
func resave(t *testing.T, files map[string][]byte) map[string]*excelize.File {
	t.Helper()
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Fatal("LibreOffice is missing: install it (on Debian: apt-get install libreoffice-calc-nogui; make test does this when run as root)")
	}
	dir := t.TempDir()
	args := []string{"--headless", "--norestore", "-env:UserInstallation=file://" + filepath.Join(dir, "profile"),
		"--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", filepath.Join(dir, "out")}
	for name, data := range files {
		in := filepath.Join(dir, "in", name)
		os.MkdirAll(filepath.Dir(in), 0o755)
		if err := os.WriteFile(in, data, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, in)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, soffice, args...)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	got := map[string]*excelize.File{}
	for name := range files {
		f, err := excelize.OpenFile(filepath.Join(dir, "out", name))
		if err != nil {
			t.Fatalf("LibreOffice did not save %s: %v", name, err)
		}
		t.Cleanup(func() { f.Close() })
		got[name] = f
	}
	return got
}

// TestLibreOfficeOpensExports: the statistics workbook (data, pivots) and
// a report's annex open in LibreOffice Calc and, saved again, hold the
// same sheets and values, a formula-like note still text.
func TestLibreOfficeOpensExports(t *testing.T) {
	lib, err := definition.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	q, _ := lib.Latest("crime-statistics")
	m := Meta{Call: forms.Call{Key: "c", Title: forms.Text{forms.English: "Call"}, Years: []int{2023, 2024}}, Questionnaire: q, Extracted: time.Now(), Lang: forms.English}
	var stats bytes.Buffer
	w, err := NewXLSX(&stats, m)
	if err != nil {
		t.Fatal(err)
	}
	aut := forms.Organization{Code: "AUT", Name: forms.Names{En: "Austria"}, RegionalGroups: []string{"WEOG"}}
	for _, y := range []int{2023, 2024} {
		if err := w.Row(forms.StatRow{Organization: aut, Cell: forms.CellRef{Question: "police_offences", Row: "robbery", Year: y, Category: "total"},
			Value: forms.Cell{State: forms.CellValue, Value: int64(1000 + y), Note: `=HYPERLINK("http://example.org")`}, Reference: "R-AUT-1", Version: 1, State: forms.Accepted}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rep := &forms.Report{Number: 1, Title: "Report", Call: forms.ReportCall{Key: "c", Reference: "R", Title: forms.Text{forms.English: "Call"}},
		Sources: []forms.ReportSource{{Organization: aut, Reference: "R-AUT-1", Version: 1, Checksum: "00"}},
		Questions: []forms.ReportQuestion{{Question: forms.Question{Key: "views", Kind: forms.Narrative, Label: forms.Text{forms.English: "Views"}},
			Answers: []forms.ReportAnswer{{Source: "AUT", Answer: forms.Answer{Text: "=1+1"}}}}}}
	var annex bytes.Buffer
	if err := Annex(&annex, rep, forms.English, func(_ *forms.Question, a forms.Answer) string { return a.Text }); err != nil {
		t.Fatal(err)
	}
	got := resave(t, map[string][]byte{"stats.xlsx": stats.Bytes(), "annex.xlsx": annex.Bytes()})

	s := got["stats.xlsx"]
	if sheets := s.GetSheetList(); len(sheets) != 5 || sheets[0] != "About" || sheets[1] != "Data" || sheets[2] != "Coverage" || sheets[3] != "Checks" {
		t.Errorf("statistics sheets after LibreOffice: %v", sheets)
	}
	rows, _ := s.GetRows("Data")
	if len(rows) != 3 || rows[1][0] != "AUT" || rows[2][12] != "3024" || rows[1][15] != `=HYPERLINK("http://example.org")` {
		t.Errorf("data after LibreOffice: %q", rows)
	}
	if f, _ := s.GetCellFormula("Data", "P2"); f != "" {
		t.Errorf("the note became the formula %q", f)
	}
	a := got["annex.xlsx"]
	if sheets := a.GetSheetList(); !slices.Equal(sheets, []string{"About", "Sources", "Answers", "Frequencies", "Aggregates", "Values"}) {
		t.Errorf("annex sheets after LibreOffice: %v", sheets)
	}
	answers, _ := a.GetRows("Answers")
	if len(answers) != 2 || answers[1][5] != "=1+1" {
		t.Errorf("answers after LibreOffice: %q", answers)
	}
}
