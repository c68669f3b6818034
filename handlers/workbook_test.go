package handlers

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"portal/forms"
	"portal/forms/workbook"
	"portal/templates/words"
)

// postWorkbook posts a workbook as the page's upload form does.
func postWorkbook(t *testing.T, c *http.Client, target string, data []byte) response {
	t.Helper()
	return postMultipart(t, c, target, nil, map[string][2]string{"workbook": {"filled.xlsx", string(data)}})
}

// TestWorkbookRoundTrip: the focal point downloads the statistics
// workbook, fills it, uploads it, is told of the two mistakes with their
// sheet and cell, fixes them, sees what the workbook changes, confirms, and
// finds the figures in the browser form. A workbook of another
// organization or questionnaire is refused, saying which.
func TestWorkbookRoundTrip(t *testing.T) {
	base, cs := signedIn(t, "demo-fp-aut", "demo-fp-ken")
	c, ken := cs[0], cs[1]
	stats, views := demoCall("crime-statistics"), demoCall("tourism-views")
	call := base + "/orgs/AUT/calls/" + stats.Key
	r := do(t, c, "GET", call+"/workbook.xlsx", nil)
	if r.status != 200 || !strings.Contains(r.header.Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("download: %d %v", r.status, r.header)
	}
	f, err := excelize.OpenReader(strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	var police string
	for _, name := range f.GetSheetList() {
		if strings.HasPrefix(name, "Offences and victims") {
			police = name
		}
	}
	find := func(label string) int {
		rows, _ := f.GetRows(police)
		for i, row := range rows {
			if len(row) > 0 && row[0] == label {
				return i + 1
			}
		}
		t.Fatalf("no row %q in %s", label, police)
		return 0
	}
	y := func(i int) string { return strconv.Itoa(stats.Years[i]) }
	homicide, robbery, theft := find("Intentional homicide"), find("Robbery"), find("Theft")
	f.SetCellInt(police, "C"+strconv.Itoa(homicide), 100)
	f.SetCellStr(police, "D"+strconv.Itoa(homicide), "n.a.")
	f.SetCellStr(police, "C"+strconv.Itoa(robbery), "twelve")
	f.SetCellFloat(police, "C"+strconv.Itoa(theft), 12.5, -1, 64)
	var filled bytes.Buffer
	f.Write(&filled)

	r = postWorkbook(t, c, call+"/workbook", filled.Bytes())
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("a workbook with mistakes: %d", r.status)
	}
	for _, want := range []string{"cell C" + strconv.Itoa(robbery), "Robbery, " + y(0) + ", Total", "“twelve” is not a whole number", "12.5 is not a whole number"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the problems page lacks %q", want)
		}
	}
	report := formOf(t, r.body)
	if rr := do(t, c, "POST", call+"/workbook/report", report); rr.status != 200 || !strings.Contains(rr.body, "twelve") ||
		!strings.HasPrefix(rr.header.Get("Content-Type"), "text/plain") {
		t.Errorf("the report download: %d %q", rr.status, rr.body)
	}
	if d := do(t, c, "GET", call+"/police", nil); strings.Contains(d.body, `value="100"`) {
		t.Error("a refused workbook changed the draft")
	}

	f.SetCellInt(police, "C"+strconv.Itoa(robbery), 12)
	f.SetCellInt(police, "C"+strconv.Itoa(theft), 1234)
	filled.Reset()
	f.Write(&filled)
	r = postWorkbook(t, c, call+"/workbook", filled.Bytes())
	if r.status != 200 || !strings.Contains(r.body, "What the workbook changes") {
		t.Fatalf("preview: %d\n%s", r.status, r.body)
	}
	r = do(t, c, "POST", call+"/workbook/apply", formOf(t, r.body))
	if r.status != http.StatusSeeOther {
		t.Fatalf("apply: %d\n%s", r.status, r.body)
	}
	got := formOf(t, do(t, c, "GET", call+"/police", nil).body)
	for k, want := range map[string]string{
		"c/police_offences/homicide/" + y(0) + "/total": "100",
		"s/police_offences/homicide/" + y(1) + "/total": "na",
		"c/police_offences/robbery/" + y(0) + "/total":  "12",
		"c/police_offences/theft/" + y(0) + "/total":    "1,234",
	} {
		if got.Get(k) != want {
			t.Errorf("%s = %q after the upload, want %q", k, got.Get(k), want)
		}
	}

	// Another organization's workbook; another questionnaire's.
	kenBook := do(t, ken, "GET", base+"/orgs/KEN/calls/"+stats.Key+"/workbook.xlsx", nil).body
	if r = postWorkbook(t, c, call+"/workbook", []byte(kenBook)); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "another organization (KEN)") {
		t.Errorf("Kenya's workbook uploaded by Austria: %d", r.status)
	}
	viewsBook := do(t, c, "GET", base+"/orgs/AUT/calls/"+views.Key+"/workbook.xlsx", nil).body
	if r = postWorkbook(t, c, call+"/workbook", []byte(viewsBook)); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "another questionnaire (tourism-views v1)") {
		t.Errorf("the views workbook uploaded to the statistics call: %d", r.status)
	}
	if r = postWorkbook(t, c, call+"/workbook", []byte("country,offences\nAUT,12\n")); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "not an Excel workbook") {
		t.Errorf("a CSV: %d", r.status)
	}
}

// TestWorkbookLanguages: a workbook written in each of the six languages,
// with the catalogue's own words for its states, flags and choices, reads
// back exactly.
func TestWorkbookLanguages(t *testing.T) {
	cat, err := words.Load()
	if err != nil {
		t.Fatal(err)
	}
	texts := func(l forms.Language) workbook.Texts { return cat.Text(l).T }
	lib := builtin(t)
	q, _ := lib.Latest("crime-statistics")
	years := []int{2024, 2025}
	want := forms.Answers{Cells: map[forms.CellRef]forms.Cell{}}
	i := 0
	for _, sec := range q.Sections {
		for _, qq := range sec.Questions {
			if qq.Table == nil {
				continue // the question whether wildlife trafficking is an offence
			}
			for _, row := range qq.Table.Rows {
				for _, y := range years {
					for _, col := range q.Columns(qq.Table) {
						i++
						c := []forms.Cell{{State: forms.CellValue, Value: int64(i)}, {State: forms.CellNotAvailable}, {State: forms.CellNotApplicable},
							{State: forms.CellValue, Value: 0, Note: "note", Flags: forms.FlagEstimate | forms.FlagNationalDefinition}}[i%4]
						want.Cells[forms.CellRef{Question: qq.Key, Row: row.Key, Year: y, Category: col}] = c
					}
				}
			}
		}
	}
	views, _ := lib.Latest("tourism-views")
	yes := true
	wantViews := forms.Answers{Values: map[string]forms.Answer{"ppp_exists": {Bool: &yes}, "threats_observed": {Choices: []string{"terrorism", "other"}, Text: "x"}}}
	for _, l := range forms.Languages {
		for _, c := range []struct {
			q *forms.Questionnaire
			y []int
			a forms.Answers
		}{{q, years, want}, {views, nil, wantViews}} {
			var buf bytes.Buffer
			if err := workbook.Write(&buf, workbook.Options{Questionnaire: c.q, Years: c.y, Lang: l, Answers: c.a, Texts: texts(l)}); err != nil {
				t.Fatal(err)
			}
			res, problems, err := workbook.Read(&buf, workbook.ReadOptions{Questionnaire: lib.Version, Texts: texts})
			if err != nil || len(problems) > 0 {
				t.Fatalf("%s %s: %v %v", l, c.q.Key, err, problems)
			}
			for _, f := range c.a.Fields() {
				if got := res.Edit.Answers.Field(f); got != c.a.Field(f) {
					t.Errorf("%s: %s = %s, want %s", l, f, got, c.a.Field(f))
				}
			}
		}
	}
}
