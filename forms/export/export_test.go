package export

import (
	"bytes"
	"encoding/csv"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"portal/forms"
	"portal/forms/definition"
)

func TestNeutralize(t *testing.T) {
	for in, want := range map[string]string{"": "", "text": "text", "=1+1": "'=1+1", "+43 1": "'+43 1", "-5": "'-5",
		"@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx", "a=b": "a=b"} {
		if got := Neutralize(in); got != want {
			t.Errorf("Neutralize(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWriters: the same rows through the CSV and the XLSX writer read back
// alike, with the formula-like note as text in both.
func TestWriters(t *testing.T) {
	lib, err := definition.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	q, _ := lib.Latest("crime-statistics")
	m := Meta{Call: forms.Call{Key: "c", Title: forms.Text{forms.English: "Call"}}, Questionnaire: q, Extracted: time.Now(), Filters: "accepted", Lang: forms.English}
	rows := []forms.StatRow{
		{Organization: forms.Organization{Code: "AUT", M49: "040", Name: forms.Names{En: "Austria"}, RegionalGroups: []string{"WEOG"}}, ISO2: "AT", Region: "Europe",
			Cell: forms.CellRef{Question: "persons_convicted", Row: "rape", Year: 2024, Category: "female"}, Value: forms.Cell{State: forms.CellValue, Value: 12, Note: "=HYPERLINK(\"x\")", Flags: forms.FlagEstimate},
			Reference: "R-AUT-1", Version: 1, State: forms.Accepted},
		{Organization: forms.Organization{Code: "KEN", M49: "404", Name: forms.Names{En: "Kenya"}}, Cell: forms.CellRef{Question: "police_offences", Row: "robbery", Year: 2023, Category: "total"},
			Value: forms.Cell{State: forms.CellNotAvailable}, Reference: "R-KEN-2", Version: 2, State: forms.Submitted},
		{Organization: forms.Organization{Code: "KEN", M49: "404", Name: forms.Names{En: "Kenya"}}, Cell: forms.CellRef{Question: "police_offences", Row: "homicide", Year: 2024, Category: "total"},
			Value: forms.Cell{State: forms.CellValue, Value: 300}, Reference: "R-KEN-2", Version: 2, State: forms.Submitted},
	}
	// Kenya's homicides tripled, explained with text that looks like a formula.
	m.Flagged = []forms.Flagged{{Series: forms.Series{Question: "police_offences", Row: "homicide", Category: "total"},
		SeriesValue: forms.SeriesValue{Organization: rows[2].Organization, Year: 2024, Value: 300, Population: 50_000_000, PopulationSource: forms.PopulationOffice},
		SeriesCheck: forms.SeriesCheck{Change: 2, HasChange: true, Break: true}, Finding: "police_year_change/homicide/2024/total", Explanation: "=1+1 new system"}}
	var cb, xb bytes.Buffer
	cw, _ := NewCSV(&cb, m, true)
	xw, err := NewXLSX(&xb, m)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := cw.Row(r); err != nil {
			t.Fatal(err)
		}
		if err := xw.Row(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := cw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := xw.Close(); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(cb.String(), "\ufeff"))).ReadAll()
	if err != nil || len(recs) != 4 {
		t.Fatalf("CSV: %v %d", err, len(recs))
	}
	f, err := excelize.OpenReader(&xb)
	if err != nil {
		t.Fatal(err)
	}
	xrows, err := f.GetRows("Data")
	if err != nil || len(xrows) != 4 {
		t.Fatalf("XLSX: %v %d", err, len(xrows))
	}
	want := [][]string{
		{"AUT", "040", "AT", "Austria", "Europe", "WEOG", "persons_convicted", "rape", "of which: rape", "03011", "2024", "Female", "12", "value", "estimate", `=HYPERLINK("x")`, "R-AUT-1", "1", "accepted", "", "", ""},
		{"KEN", "404", "", "Kenya", "", "", "police_offences", "robbery", "Robbery", "0401", "2023", "Total", "", "not_available", "", "", "R-KEN-2", "2", "submitted", "", "", ""},
		{"KEN", "404", "", "Kenya", "", "", "police_offences", "homicide", "Intentional homicide", "0101", "2024", "Total", "300", "value", "", "", "R-KEN-2", "2", "submitted", "break", "2", "=1+1 new system"},
	}
	for i, w := range want {
		x := xrows[i+1]
		for len(x) < len(w) {
			x = append(x, "")
		}
		c := recs[i+1]
		for j := range w {
			wx := w[j]
			if Columns[j] == "change" && wx != "" { // a share, shown as a percentage
				share, _ := strconv.ParseFloat(wx, 64)
				wx = strconv.FormatFloat(share*100, 'f', 0, 64) + "%"
			}
			if x[j] != wx {
				t.Errorf("XLSX row %d column %s = %q, want %q", i+1, Columns[j], x[j], wx)
			}
			wc := w[j]
			if strings.HasPrefix(wc, "=") {
				wc = "'" + wc
			}
			if c[j] != wc {
				t.Errorf("CSV row %d column %s = %q, want %q", i+1, Columns[j], c[j], wc)
			}
		}
	}
	if fo, _ := f.GetCellFormula("Data", "P2"); fo != "" {
		t.Errorf("a note became a formula: %q", fo)
	}
	if v, _ := f.GetCellValue("Data", "U4"); v != "200%" {
		t.Errorf("the change as a share: %q, want 200%%", v)
	}
	checks, err := f.GetRows("Checks")
	if err != nil || len(checks) != 4 {
		t.Fatalf("Checks sheet: %v, %d rows", err, len(checks))
	}
	if got, want := strings.Join(checks[3], "|"), "KEN|Kenya||Offences recorded by the police — Intentional homicide|0101|2024|300|break|200%|=1+1 new system|0.60|office"; got != want {
		t.Errorf("Checks row:\n got %s\nwant %s", got, want)
	}
	if about, _ := f.GetCellValue("About", "B1"); about != "Call (c)" {
		t.Errorf("metadata: %q", about)
	}
}

// writeXLSX writes rows as the statistics workbook of m and opens it again.
func writeXLSX(t *testing.T, m Meta, rows ...forms.StatRow) *excelize.File {
	t.Helper()
	var xb bytes.Buffer
	xw, err := NewXLSX(&xb, m)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := xw.Row(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := xw.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&xb)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestPivotSheets: each indicator with a figure gets a sheet of States ×
// years holding the totals the long dataset holds, numbers as numbers.
func TestPivotSheets(t *testing.T) {
	lib, err := definition.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	q, _ := lib.Latest("crime-statistics")
	m := Meta{Call: forms.Call{Key: "c", Title: forms.Text{forms.English: "Call"}, Years: []int{2023, 2024}}, Questionnaire: q, Extracted: time.Now(), Lang: forms.English}
	aut := forms.Organization{Code: "AUT", Name: forms.Names{En: "Austria"}, RegionalGroups: []string{"WEOG"}}
	ken := forms.Organization{Code: "KEN", Name: forms.Names{En: "Kenya"}, RegionalGroups: []string{"AFRICAN"}}
	robbery := func(o forms.Organization, year int, c forms.Cell) forms.StatRow {
		return forms.StatRow{Organization: o, Cell: forms.CellRef{Question: "police_offences", Row: "robbery", Year: year, Category: "total"}, Value: c}
	}
	f := writeXLSX(t, m,
		robbery(aut, 2023, forms.Cell{State: forms.CellValue, Value: 1200}),
		robbery(aut, 2024, forms.Cell{State: forms.CellValue, Value: 1350}),
		robbery(ken, 2024, forms.Cell{State: forms.CellNotAvailable}),
		forms.StatRow{Organization: aut, Cell: forms.CellRef{Question: "persons_convicted", Row: "rape", Year: 2024, Category: "female"}, Value: forms.Cell{State: forms.CellValue, Value: 3}},
	)
	var pivots []string
	for _, s := range f.GetSheetList() {
		if s != "About" && s != "Data" && s != "Coverage" && s != "Checks" {
			pivots = append(pivots, s)
		}
	}
	if len(pivots) != 1 || !strings.HasSuffix(pivots[0], " robbery") {
		t.Fatalf("pivot sheets %v, want robbery's alone (a part is not a total)", pivots)
	}
	rows, _ := f.GetRows(pivots[0], excelize.Options{RawCellValue: true})
	got := ""
	for _, r := range rows[2:] {
		got += strings.Join(r, "|") + "\n"
	}
	if want := "iso3|name|regional_groups|2023|2024\nAUT|Austria|WEOG|1200|1350\nKEN|Kenya|AFRICAN||n/a\n"; got != want {
		t.Errorf("pivot:\n%s\nwant:\n%s", got, want)
	}
	if typ, _ := f.GetCellType(pivots[0], "D4"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("a figure is stored as %v, want a number", typ)
	}
	// Coverage: Austria filled 2 of the police table's cells over the two
	// years, and 1 of the convictions table's; Kenya none.
	police, _ := q.Question("police_offences")
	convicted, _ := q.Question("persons_convicted")
	cov, _ := f.GetRows("Coverage", excelize.Options{RawCellValue: true})
	col := func(label string) int { return slices.Index(cov[2], label) }
	share := func(row []string, i int) float64 { v, _ := strconv.ParseFloat(row[i], 64); return v }
	wantPolice := 2.0 / float64(len(police.Table.Rows)*2)
	wantConvicted := 1.0 / float64(len(convicted.Table.Rows)*len(q.Columns(convicted.Table))*2)
	if len(cov) != 5 || cov[3][0] != "AUT" || math.Abs(share(cov[3], col(police.Label.In(forms.English)))-wantPolice) > 1e-9 ||
		math.Abs(share(cov[3], col(convicted.Label.In(forms.English)))-wantConvicted) > 1e-9 || share(cov[4], col(police.Label.In(forms.English))) != 0 {
		t.Errorf("coverage: %q", cov)
	}
}

// TestOpensOnData: the workbook opens on the data, not the About sheet.
func TestOpensOnData(t *testing.T) {
	lib, _ := definition.Builtin()
	q, _ := lib.Latest("crime-statistics")
	f := writeXLSX(t, Meta{Call: forms.Call{Key: "c", Years: []int{2024}}, Questionnaire: q, Extracted: time.Now(), Lang: forms.English})
	if got := f.GetSheetName(f.GetActiveSheetIndex()); got != "Data" {
		t.Errorf("opens on %q", got)
	}
}
