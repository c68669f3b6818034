package handlers

import (
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"portal/forms"
	"portal/forms/demo"
)

// TestCompiledViews: the views of the demo tourism call (Germany accepted;
// Kenya and the EU submitted; France returned), accepted only by default and
// submitted too on request; the threats frequencies match a count made
// here from what was submitted; full-text search finds an answer by a word
// in another language, and the frequencies are then those of the
// respondents it found; a group filter narrows the respondents.
func TestCompiledViews(t *testing.T) {
	ts, srv := startServer(t, nil)
	store, views, q := demoCallOf(t, srv, "tourism-views")
	// Austria answers in French, threats chosen differently, and submits.
	a := demo.Answers(q, "Autriche")
	a.Values["threats_nature"] = forms.Answer{Text: "Les pickpockets opèrent dans les gares et les musées."}
	a.Values["threats_observed"] = forms.Answer{Choices: []string{"terrorism", "online_fraud"}}
	saveAnswers(t, store, views, q, "AUT", a, true)
	analyst := clientAs(t, ts.URL, "demo-analyst")
	page := ts.URL + "/office/calls/" + views.Key + "/views"
	r := do(t, analyst, "GET", page, nil)
	if r.status != 200 || !strings.Contains(r.body, "Germany") || strings.Contains(r.body, "Kenya") || !strings.Contains(r.body, "Respondents: 4.") {
		t.Fatalf("accepted only: %d", r.status)
	}
	r = do(t, analyst, "GET", page+"?include=submitted", nil)
	for _, want := range []string{"Germany", "Japan", "Kenya", "Austria", "European Union", "Respondents: 7."} {
		if !strings.Contains(r.body, want) {
			t.Errorf("with submitted, the page lacks %q", want)
		}
	}
	// Terrorism: chosen by all seven (every demo answer has it); online
	// fraud by Austria alone.
	threats, _ := q.Question("threats_observed")
	row := func(label string) string {
		m := regexp.MustCompile(`<th scope="row">` + regexp.QuoteMeta(label) + `</th><td class="num">(\d+)`).FindStringSubmatch(r.body)
		if m == nil {
			t.Fatalf("no frequency row %q", label)
		}
		return m[1]
	}
	if got := row(threats.Options[0].Label.In(forms.English)); got != "7" {
		t.Errorf("%s chosen by %s, want 7", threats.Options[0].Key, got)
	}
	for _, o := range threats.Options {
		if o.Key == "online_fraud" {
			if got := row(o.Label.In(forms.English)); got != "1" {
				t.Errorf("online fraud chosen by %s, want 1", got)
			}
		}
	}
	r = do(t, analyst, "GET", page+"?include=submitted&q=pickpockets", nil)
	if !strings.Contains(r.body, "Les pickpockets opèrent") || !strings.Contains(r.body, "Respondents: 1.") {
		t.Error("search does not find the French answer alone")
	}
	// The counts are those of the respondents found: Austria ticked
	// terrorism and online fraud, and its other narratives are not listed.
	for _, o := range threats.Options {
		want := map[string]string{"terrorism": "1", "online_fraud": "1"}[o.Key]
		if want == "" {
			want = "0"
		}
		if got := row(o.Label.In(forms.English)); got != want {
			t.Errorf("searching pickpockets: %s chosen by %s, want %s", o.Key, got, want)
		}
	}
	if strings.Contains(r.body, "Germany") {
		t.Error("searching pickpockets lists Germany's answers")
	}
	r = do(t, analyst, "GET", page+"?include=submitted&org=KEN", nil)
	if !strings.Contains(r.body, "Respondents: 1.") || !strings.Contains(r.body, `<option value="KEN" selected>Kenya</option>`) {
		t.Error("the State filter does not narrow to Kenya")
	}
	r = do(t, analyst, "GET", page+"?include=submitted&group=AFRICAN", nil)
	if !strings.Contains(r.body, "Kenya") || strings.Contains(r.body, "Germany") {
		t.Error("the group filter does not narrow to Africa")
	}
}

// TestViewsExport: the compiled views download with the page's filters,
// one row per answer; a formula-like answer is text in the XLSX and
// neutralized in the CSV.
func TestViewsExport(t *testing.T) {
	ts, srv := startServer(t, nil)
	store, views, q := demoCallOf(t, srv, "tourism-views")
	a := demo.Answers(q, "Austria")
	a.Values["threats_nature"] = forms.Answer{Text: `=HYPERLINK("http://example.org")`}
	saveAnswers(t, store, views, q, "AUT", a, true)
	analyst := clientAs(t, ts.URL, "demo-analyst")
	base := ts.URL + "/office/calls/" + views.Key
	if page := do(t, analyst, "GET", base+"/views?include=submitted&org=AUT", nil); !strings.Contains(page.body, `/views.xlsx?include=submitted&amp;org=AUT`) {
		t.Error("the page does not link the export with its filters")
	}
	r := do(t, analyst, "GET", base+"/views.xlsx?include=submitted&org=AUT", nil)
	if r.status != 200 || !strings.Contains(r.header.Get("Content-Disposition"), "views-"+views.Key+"-aut-with-submitted-") {
		t.Fatalf("XLSX: %d %q", r.status, r.header.Get("Content-Disposition"))
	}
	f, err := excelize.OpenReader(strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetName(f.GetActiveSheetIndex()); got != "Answers" {
		t.Errorf("opens on %q", got)
	}
	rows, _ := f.GetRows("Answers")
	found := false
	for i, row := range rows[1:] {
		if row[3] != "AUT" {
			t.Fatalf("row %d is %s's: the filter is Austria", i+2, row[3])
		}
		if row[0] == "threats_nature" {
			found = true
			cell, _ := excelize.CoordinatesToCellName(9, i+2)
			if formula, _ := f.GetCellFormula("Answers", cell); formula != "" || row[8] != `=HYPERLINK("http://example.org")` {
				t.Errorf("the answer: %q, formula %q", row[8], formula)
			}
		}
	}
	if !found || len(rows) < 5 {
		t.Fatalf("%d rows, Austria's threats found: %v", len(rows), found)
	}
	r = do(t, analyst, "GET", base+"/views.csv?include=submitted&org=AUT", nil)
	if r.status != 200 || !strings.HasPrefix(r.body, "\ufeffquestion_key,") || !strings.Contains(r.body, `'=HYPERLINK(""http://example.org"")`) {
		t.Errorf("CSV: %d\n%.300s", r.status, r.body)
	}
}
