package handlers

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"portal/forms"
	"portal/forms/demo"
	"portal/forms/synthetic"
	"portal/storage"
)

// TestStatisticsExport: the long dataset of the demo statistics call, read
// back with excelize, is the database row for row (Germany's accepted
// figures; with submitted ones, Kenya's and Austria's too), and a note
// that looks like a formula arrives as text in XLSX and CSV.
func TestStatisticsExport(t *testing.T) {
	ts, srv := startServer(t, nil)
	_, call, q := demoCallOf(t, srv, "crime-statistics")
	stats := call
	a := synthetic.Statistics(q, call.Years, "AUT")
	formula := `=HYPERLINK("http://example.org","click")`
	noted := forms.CellRef{Question: "police_offences", Row: "homicide", Year: call.Years[0], Category: "total"}
	c := a.Cells[noted]
	c.Note = formula
	a.Cells[noted] = c
	// Austria's homicides triple in the last year, explained: a break.
	last := strconv.Itoa(call.Years[len(call.Years)-1])
	jump := forms.CellRef{Question: "police_offences", Row: "homicide", Year: call.Years[len(call.Years)-1], Category: "total"}
	prev := a.Cells[forms.CellRef{Question: jump.Question, Row: jump.Row, Year: jump.Year - 1, Category: jump.Category}].Value
	c = a.Cells[jump]
	c.Value = max(prev, 30) * 3
	a.Cells[jump] = c
	if a.Explanations == nil {
		a.Explanations = map[string]string{}
	}
	for _, f := range forms.Check(q, a, call.Years) {
		a.Explanations[f.Key] = "A new recording system."
	}
	saveAnswers(t, srv.store.(*storage.Store), call, q, "AUT", a, true)
	analyst := clientAs(t, ts.URL, "demo-analyst")
	perState := len(a.Cells)

	read := func(query string) [][]string {
		t.Helper()
		r := do(t, analyst, "GET", ts.URL+"/office/calls/"+stats.Key+"/statistics.xlsx"+query, nil)
		if r.status != 200 {
			t.Fatalf("export: %d", r.status)
		}
		f, err := excelize.OpenReader(strings.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows("Data")
		if err != nil {
			t.Fatal(err)
		}
		for i, row := range rows {
			if i > 0 && len(row) > 15 && row[15] == formula {
				cell, _ := excelize.CoordinatesToCellName(16, i+1)
				if fo, _ := f.GetCellFormula("Data", cell); fo != "" {
					t.Errorf("the note became a formula: %s", fo)
				}
			}
		}
		return rows
	}
	rows := read("")
	if len(rows)-1 != perState {
		t.Fatalf("accepted only: %d rows, want %d (Germany's)", len(rows)-1, perState)
	}
	want := demo.Statistics(q, call.Years, "DEU")
	for _, row := range rows[1:] {
		year, _ := strconv.Atoi(row[10])
		ref := forms.CellRef{Question: row[6], Row: row[7], Year: year}
		for _, col := range q.Columns(mustTable(t, q, row[6])) {
			if categoryLabelEN(q, row[6], col) == row[11] {
				ref.Category = col
			}
		}
		w := want.Cells[ref]
		if row[0] != "DEU" || row[13] != "value" || row[12] != strconv.FormatInt(w.Value, 10) {
			t.Fatalf("row %v; want DEU %v = %d", row, ref, w.Value)
		}
	}
	all := read("?include=submitted")
	if len(all)-1 != 3*perState {
		t.Errorf("with submitted: %d rows, want %d", len(all)-1, 3*perState)
	}
	r := do(t, analyst, "GET", ts.URL+"/office/calls/"+stats.Key+"/statistics.csv?include=submitted&bom=1", nil)
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.body, "\ufeff"))).ReadAll()
	if err != nil || len(recs)-1 != 3*perState {
		t.Fatalf("CSV: %v, %d rows", err, len(recs))
	}
	found, flagged := false, false
	for _, rec := range recs {
		if rec[15] == "'"+formula {
			found = true
		}
		if rec[0] == "AUT" && rec[6] == "police_offences" && rec[7] == "homicide" && rec[10] == last && rec[11] == "Total" {
			flagged = strings.Contains(rec[19], "break") && rec[21] == "A new recording system."
		}
		if strings.HasPrefix(rec[15], "=") {
			t.Errorf("a CSV cell begins with =: %q", rec[15])
		}
	}
	if !found {
		t.Error("the note is not in the CSV, as text")
	}
	if !flagged {
		t.Error("Austria's jump in homicides is not marked a break, with its explanation, in the CSV")
	}
}

func mustTable(t *testing.T, q *forms.Questionnaire, key string) *forms.Table {
	t.Helper()
	qq, ok := q.Question(key)
	if !ok || qq.Table == nil {
		t.Fatalf("no table %s", key)
	}
	return qq.Table
}

func categoryLabelEN(q *forms.Questionnaire, table, col string) string {
	if col == forms.TotalCategory {
		return "Total"
	}
	qq, _ := q.Question(table)
	for _, o := range q.Disaggregations[qq.Table.Disaggregation].Categories {
		if o.Key == col {
			return o.Label.In(forms.English)
		}
	}
	return col
}

// TestStatisticsPage: the Office's view of an indicator shows the States'
// figures with their rates, and the groups' sums with their coverage.
func TestStatisticsPage(t *testing.T) {
	base, cs := signedIn(t, "demo-analyst", "demo-fp-aut")
	analyst, fp := cs[0], cs[1]
	stats := demoCall("crime-statistics")
	page := base + "/office/calls/" + stats.Key + "/statistics"
	if r := do(t, fp, "GET", page, nil); r.status != http.StatusForbidden {
		t.Errorf("a focal point: %d", r.status)
	}
	lib := builtin(t)
	q, _ := lib.Latest("crime-statistics")
	deu := demo.Statistics(q, stats.Years, "DEU")
	v := deu.Cells[forms.CellRef{Question: "police_offences", Row: "robbery", Year: stats.Years[0], Category: "total"}].Value
	r := do(t, analyst, "GET", page+"?indicator=police_offences/robbery", nil)
	if r.status != 200 || !strings.Contains(r.body, "Germany") || !strings.Contains(r.body, forms.FormatCount(v, forms.English)) {
		t.Fatalf("statistics: %d, Germany's %d shown: %v", r.status, v, strings.Contains(r.body, forms.FormatCount(v, forms.English)))
	}
	if !strings.Contains(r.body, "1 of ") || strings.Contains(r.body, "Kenya") {
		t.Error("coverage or accepted-only wrong")
	}
	if r = do(t, analyst, "GET", page+"?indicator=police_offences/robbery&include=submitted", nil); !strings.Contains(r.body, "Kenya") {
		t.Error("Kenya's submitted figures are not included on request")
	}
	// The demo's Germany explained a jump in burglaries in the last year.
	r = do(t, analyst, "GET", page+"?indicator=police_offences/burglary", nil)
	if !strings.Contains(r.body, "Break: &#43;70 %") || !strings.Contains(r.body, "The State explains: Since "+strconv.Itoa(stats.Years[len(stats.Years)-1])+" the police record") {
		t.Error("the demo's explained break in Germany's burglaries is not shown")
	}
	for _, bad := range []string{"?indicator=nope/nope", "?indicator=police_offences/robbery&category=nope"} {
		if r = do(t, analyst, "GET", page+bad, nil); r.status != http.StatusNotFound {
			t.Errorf("%s: %d", bad, r.status)
		}
	}
}

// TestStatisticsBreaks: a State's figure that changes far more than the
// questionnaire allows from the year before is marked as a break, with
// what the State explained when it submitted.
func TestStatisticsBreaks(t *testing.T) {
	ts, srv := startServer(t, nil)
	store, stats, q := demoCallOf(t, srv, "crime-statistics")
	a := synthetic.Statistics(q, stats.Years, "AUT")
	y0, y1 := stats.Years[0], stats.Years[1]
	robbery := func(y int) forms.CellRef {
		return forms.CellRef{Question: "police_offences", Row: "robbery", Year: y, Category: "total"}
	}
	a.Cells[robbery(y0)] = forms.Cell{State: forms.CellValue, Value: 1000}
	a.Cells[robbery(y1)] = forms.Cell{State: forms.CellValue, Value: 3000}
	a.Explanations = map[string]string{}
	for _, f := range forms.Check(q, a, stats.Years) {
		if f.Severity == forms.SeverityError {
			t.Fatalf("the figures break a rule: %s", f.Key)
		}
		a.Explanations[f.Key] = "Figures checked."
	}
	rule := q.BreakRule("police_offences")
	key := forms.CellFinding(rule.Key, robbery(y1))
	if _, ok := a.Explanations[key]; !ok {
		t.Fatalf("no finding %s", key)
	}
	a.Explanations[key] = "A new recording system counts every robbery."
	saveAnswers(t, store, stats, q, "AUT", a, true)

	analyst := clientAs(t, ts.URL, "demo-analyst")
	r := do(t, analyst, "GET", ts.URL+"/office/calls/"+stats.Key+"/statistics?indicator=police_offences/robbery&include=submitted", nil)
	for _, want := range []string{"Break: &#43;200 %", "The State explains: A new recording system counts every robbery.",
		"To look at twice: 2 breaks", "0 of them not explained"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the statistics page lacks %q", want)
		}
	}
}

// TestCoveragePage: who reported what: Germany filled every cell of every
// table (100 %); Kenya, submitted and not yet accepted, shows only on
// request; Austria's figures marked not available are counted apart.
func TestCoveragePage(t *testing.T) {
	ts, srv := startServer(t, nil)
	store, stats, q := demoCallOf(t, srv, "crime-statistics")
	a := synthetic.Statistics(q, stats.Years, "AUT")
	robbery := forms.CellRef{Question: "police_offences", Row: "robbery", Year: stats.Years[0], Category: "total"}
	a.Cells[robbery] = forms.Cell{State: forms.CellNotAvailable}
	saveAnswers(t, store, stats, q, "AUT", a, true)
	analyst := clientAs(t, ts.URL, "demo-analyst")
	page := ts.URL + "/office/calls/" + stats.Key + "/coverage"
	r := do(t, analyst, "GET", page, nil)
	if r.status != 200 || !strings.Contains(r.body, "Germany") || strings.Contains(r.body, "Kenya") {
		t.Fatalf("accepted only: %d", r.status)
	}
	row := func(name string) string {
		i := strings.Index(r.body, ">"+name+" <")
		if i < 0 {
			t.Fatalf("no row for %s", name)
		}
		return r.body[i : i+strings.Index(r.body[i:], "</tr>")]
	}
	if g := row("Germany"); strings.Contains(g, "flagged") || !strings.Contains(g, "100 %") {
		t.Errorf("Germany's row: %s", g)
	}
	r = do(t, analyst, "GET", page+"?include=submitted", nil)
	if aut := row("Austria"); !strings.Contains(aut, "1 marked n/a") || !strings.Contains(aut, "flagged") {
		t.Errorf("Austria's row: %s", aut)
	}
	if !strings.Contains(r.body, "Kenya") {
		t.Error("Kenya's submission is not shown on request")
	}
}
