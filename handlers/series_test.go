package handlers

import (
	"context"
	"encoding/csv"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"portal/forms"
	"portal/forms/synthetic"
	"portal/storage"
)

// acceptAs accepts the organization's submitted answer to the call, as the Office.
func acceptAs(t testing.TB, srv *Server, call forms.Call, q *forms.Questionnaire, code string) {
	t.Helper()
	store, _, _ := demoCallOf(t, srv, "crime-statistics")
	office := &forms.User{Memberships: []forms.Membership{{Role: forms.Analyst}}}
	if _, err := store.Transition(context.Background(), forms.TransitionRequest{Call: call, Questionnaire: q, Organization: orgRef(t, store, code),
		User: office, Transition: forms.TransitionAccept, At: time.Now(), Actor: srvActor()}); err != nil {
		t.Fatal(err)
	}
}

// longFormat writes rows in the long format, as a European Excel saves
// it: semicolons, decimal commas, title lines before the header.
func longFormat(rows [][]string) string {
	var b strings.Builder
	b.WriteString("UNODC Data Portal;;;\nCrime and criminal justice;;;\n\n")
	w := csv.NewWriter(&b)
	w.Comma = ';'
	w.Write([]string{"Iso3_code", "Country", "Region", "Subregion", "Indicator", "Dimension", "Category", "Sex", "Age", "Year", "Unit of measurement", "VALUE", "Source"})
	for _, r := range rows {
		w.Write(r)
	}
	w.Flush()
	return b.String()
}

func homicideRow(area, name string, year int, unit, value string) []string {
	return []string{area, name, "Europe", "Western Europe", "Offences recorded by the police", "by type of offence", "Intentional homicide",
		"Total", "Total", strconv.Itoa(year), unit, value, "CTS/Eurostat"}
}

// svgMarks reads the marks of the chart with the id out of a page: each
// plotted value (data-y), by its x label, and the chart's title.
func svgMarks(t *testing.T, page, id string) (string, map[string]float64) {
	t.Helper()
	i := strings.Index(page, `<svg`)
	for i >= 0 && !strings.Contains(page[i:min(i+400, len(page))], `id="`+id) {
		j := strings.Index(page[i+4:], `<svg`)
		if j < 0 {
			i = -1
			break
		}
		i += 4 + j
	}
	if i < 0 {
		t.Fatalf("no chart %s", id)
	}
	end := strings.Index(page[i:], "</svg>")
	dec := xml.NewDecoder(strings.NewReader(page[i : i+end+len("</svg>")]))
	marks := map[string]float64{}
	title, inTitle := "", false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("chart %s does not parse: %v", id, err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			inTitle = e.Name.Local == "title" && title == ""
			var label, y string
			for _, a := range e.Attr {
				switch a.Name.Local {
				case "data-label":
					label = a.Value
				case "data-y":
					y = a.Value
				}
			}
			if label != "" && y != "" {
				v, err := strconv.ParseFloat(y, 64)
				if err != nil {
					t.Fatalf("data-y %q", y)
				}
				marks[label] = v
			}
		case xml.CharData:
			if inTitle {
				title += string(e)
			}
		case xml.EndElement:
			inTitle = false
		}
	}
	return title, marks
}

// TestSeriesAcrossCallsAndImport: a State's series from two calls and an
// import of the long format (title lines, semicolons, decimal commas,
// quoted names, parts of a State, a territory, rates, repeated rows) is
// one continuous row on the series page and in the long export, each
// value traced to its call or import; the dry run, the mapping suggested
// by names and the confirmation go through the pages; the State's page
// charts the figures and keeps the import behind a submission as history.
func TestSeriesAcrossCallsAndImport(t *testing.T) {
	ts, srv := startServer(t, nil)
	store, call, q := demoCallOf(t, srv, "crime-statistics") // DEU accepted for four years
	ctx := context.Background()
	first := call.Years[0]
	earlier := call
	earlier.ID, earlier.Key, earlier.Reference, earlier.Years = 0, "uncts-earlier", "", []int{first - 2, first - 1}
	earlier, err := store.SaveCall(ctx, earlier, srvActor())
	if err != nil {
		t.Fatal(err)
	}
	saveAnswers(t, store, earlier, q, "DEU", synthetic.Statistics(q, earlier.Years, "DEU"), true)
	acceptAs(t, srv, earlier, q, "DEU")

	c := clientAs(t, ts.URL, "demo-analyst")
	var rows [][]string
	for y := first - 6; y <= first-3; y++ {
		rows = append(rows, homicideRow("DEU", "Germany", y, "Counts", strconv.Itoa(300+y-first)))
		rows = append(rows, homicideRow("DEU", "Germany", y, "Rate per 100,000 population", "0,36"))
	}
	rows = append(rows,
		homicideRow("DEU", "Germany", first-3, "Counts", strconv.Itoa(297)),                       // a repeat
		homicideRow("DEU", "Germany", first-1, "Counts", "999"),                                   // behind the earlier call's figure
		homicideRow("GBR_E_W", "United Kingdom, England and Wales", first-6, "Counts", "1.234,5"), // an estimate, decimal comma
		homicideRow("GBR_S", "United Kingdom, Scotland", first-6, "Counts", "60"),
		homicideRow("GBR_NI", "United Kingdom, Northern Ireland", first-6, "Counts", "20"),
		homicideRow("PRI", "Puerto Rico", first-6, "Counts", "500"),
		homicideRow("AUT", "Austria", first-1, "Counts", "30"),
		homicideRow("AUT", "Austria", first, "Counts", "70"),                   // a year of the demo call, which Austria has not answered: a break
		homicideRow("XKX", "Kosovo under UNSCR 1244", first-6, "Counts", "40"), // not in M49, taken as the Office's data names it
		homicideRow("ANT", "Netherlands Antilles", first-6, "Counts", "40"),    // dissolved in 2010: unknown
		[]string{"DEU", "Germany", "Europe", "Western Europe", "Offences recorded by the police", "by type of offence", "Burglary", "Total", "Total", strconv.Itoa(first - 6), "Counts", "abc", "CTS"},
	)
	r := postMultipart(t, c, ts.URL+"/office/imports", nil, map[string][2]string{"file": {"cts; 2019.csv", longFormat(rows)}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/office/imports/uploads/") {
		t.Fatalf("upload: %d %s\n%s", r.status, r.header.Get("Location"), r.body)
	}
	plan := ts.URL + r.header.Get("Location")
	r = do(t, c, "GET", plan, nil)
	if r.status != 200 || !regexp.MustCompile(`<option value="offences/iccs-0101" selected>`).MatchString(r.body) {
		t.Fatalf("the dry run suggests no series for intentional homicide: %d", r.status)
	}
	if !strings.Contains(r.body, "Burglary") || !strings.Contains(r.body, "Its description is mapped to no series yet") {
		t.Error("the rows not mapped are not shown refused")
	}
	form := url.Values{"m0.indicator": {"Offences recorded by the police"}, "m0.dimension": {"by type of offence"}, "m0.category": {"Intentional homicide"},
		"m0.sex": {"Total"}, "m0.age": {"Total"}, "m0.series": {"offences/iccs-0101"},
		"m1.indicator": {"Offences recorded by the police"}, "m1.dimension": {"by type of offence"}, "m1.category": {"Burglary"},
		"m1.sex": {"Total"}, "m1.age": {"Total"}, "m1.series": {""}}
	if r = do(t, c, "POST", plan+"/mappings", form); r.status != http.StatusSeeOther {
		t.Fatalf("mappings: %d\n%s", r.status, r.body)
	}
	r = do(t, c, "GET", plan, nil)
	for _, want := range []string{"New figures", "Kept as history: a submission gives that year", "Repeats of an earlier line", "Rates, used to cross-check",
		"Not a State, part of a State or territory the portal knows.", "The value is not a number.", "Import 12 figures."} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the dry run lacks %q", want)
			t.Log(regexp.MustCompile(`Import \d+ figures?`).FindString(r.body))
		}
	}
	// Confirmed as a job: two clicks make one; the page follows it to the
	// list of imports.
	for range 2 {
		if r = do(t, c, "POST", plan+"/confirm", url.Values{}); r.status != http.StatusSeeOther || r.header.Get("Location") != "/office/imports/uploads/"+path.Base(plan)+"/confirm" {
			t.Fatalf("confirm: %d %s", r.status, r.header.Get("Location"))
		}
	}
	if r = do(t, c, "GET", plan+"/confirm", nil); r.status != 200 || !strings.Contains(r.body, `<meta http-equiv="refresh" content="2">`) ||
		!strings.Contains(r.body, "are being imported") {
		t.Fatalf("the import waiting: %d", r.status)
	}
	jobs, err := store.Jobs(ctx, forms.JobPending, 100)
	if err != nil {
		t.Fatal(err)
	}
	asked := 0
	for _, j := range jobs {
		if j.Kind == storage.KindConfirmImport {
			asked++
		}
	}
	if asked != 1 {
		t.Fatalf("two clicks made %d confirmations, want one", asked)
	}
	startQueue(t, store)
	for end := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if r = do(t, c, "GET", plan+"/confirm", nil); r.status == http.StatusSeeOther {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("no import after 30 s: %d\n%s", r.status, r.body)
		}
	}
	if r.header.Get("Location") != "/office/imports" {
		t.Fatalf("the import done leads to %q", r.header.Get("Location"))
	}
	if r = do(t, c, "GET", ts.URL+"/office/imports", nil); !strings.Contains(r.body, "Imported: 12 figures.") {
		t.Error("the list of imports does not say how many figures were imported")
	}
	if r = do(t, c, "POST", plan+"/confirm", url.Values{}); r.status != http.StatusSeeOther || r.header.Get("Location") != "/office/imports" {
		t.Fatalf("a click after the import: %d %s", r.status, r.header.Get("Location"))
	}
	r = do(t, c, "GET", ts.URL+"/office/imports", nil)
	imp := regexp.MustCompile(`IMP-\d{4}-\d{4}`).FindString(r.body)
	if imp == "" || !strings.Contains(r.body, "This file was imported already") {
		t.Fatalf("the imports page: %s", r.body[strings.Index(r.body, "<main"):])
	}

	// The series page: Germany's row runs over ten years without a gap.
	r = do(t, c, "GET", ts.URL+"/office/series?series=offences/iccs-0101", nil)
	if r.status != 200 {
		t.Fatalf("series page: %d", r.status)
	}
	row := regexp.MustCompile(`(?s)<tr><th scope="row"><a href="/office/series/areas/DEU[^"]*">Germany</a>.*?</tr>`).FindString(r.body)
	cells := regexp.MustCompile(`<td class="num[^"]*"( data-origin="(\w+)")?>`).FindAllStringSubmatch(row, -1)
	var origins []string
	for _, m := range cells {
		origins = append(origins, m[2])
	}
	want := []string{"imported", "imported", "imported", "imported", "accepted", "accepted", "accepted", "accepted", "accepted", "accepted"}
	if strings.Join(origins, " ") != strings.Join(want, " ") {
		t.Errorf("Germany's row: %v, want %v", origins, want)
	}
	if !strings.Contains(r.body, ">United Kingdom of Great Britain and Northern Ireland</a>") || !strings.Contains(r.body, "Puerto Rico") {
		t.Error("the United Kingdom's sum of its parts or the territory is missing")
	}

	// The long export: one current figure per year, traced.
	r = do(t, c, "GET", ts.URL+"/office/series.csv?series=offences/iccs-0101", nil)
	recs, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[int]string{}
	for _, rec := range recs[1:] {
		if rec[2] == "DEU" && rec[14] == "true" {
			y, _ := strconv.Atoi(rec[7])
			if got[y] != "" {
				t.Errorf("two current figures for %d", y)
			}
			got[y] = rec[10] + " " + rec[11] + " " + rec[12]
		}
	}
	for y := first - 6; y <= call.Years[len(call.Years)-1]; y++ {
		var want string
		switch {
		case y < first-2:
			want = "imported " + imp + " "
		case y < first:
			want = "accepted " + strings.Fields(got[y])[1] + " uncts-earlier"
		default:
			want = "accepted " + strings.Fields(got[y])[1] + " " + call.Key
		}
		if got[y] != want || !strings.Contains(want, "-") {
			t.Errorf("%d: %q, want %q", y, got[y], want)
		}
	}

	// The call's own statistics page shows Austria's imported figure, marked.
	r = do(t, c, "GET", ts.URL+"/office/calls/"+call.Key+"/statistics?indicator=police_offences/homicide", nil)
	aut := regexp.MustCompile(`(?s)<tr><th scope="row">Austria <span class="muted">AUT</span></th>.*?</tr>`).FindString(r.body)
	if !strings.Contains(aut, `data-origin="imported">70<span class="origin-mark" aria-hidden="true">◇</span>`) || !strings.Contains(r.body, "1 figure comes from an import") {
		t.Errorf("the call's statistics page does not show Austria's imported figure: %q", aut)
	}
	world := regexp.MustCompile(`(?s)<tr class="world">.*?</tr>`).FindString(r.body)
	if cov := regexp.MustCompile(`\d+ of \d+ States? reporting`).FindString(world); cov != "2 of 193 States reporting" {
		t.Errorf("the world's coverage in %d counts Germany's submission and Austria's import: %q", first, cov)
	}

	// And the call's long export, after the submissions' rows.
	r = do(t, c, "GET", ts.URL+"/office/calls/"+call.Key+"/statistics.csv", nil)
	var imported []string
	recs, err = csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := recs[0]
	col := func(rec []string, name string) string {
		for i, h := range head {
			if h == name {
				return rec[i]
			}
		}
		return "?"
	}
	for _, rec := range recs[1:] {
		if col(rec, "submission_state") == "imported" {
			imported = append(imported, col(rec, "iso3")+" "+col(rec, "indicator_key")+" "+col(rec, "year")+" "+col(rec, "value")+" "+col(rec, "reference")+" "+col(rec, "note")+" "+col(rec, "check"))
		}
	}
	if want := "AUT homicide " + strconv.Itoa(first) + " 70 " + imp + " CTS/Eurostat break"; len(imported) != 1 || imported[0] != want {
		t.Errorf("the call's export's imported rows: %q, want %q", imported, want)
	}

	// The report's annex takes Austria's imported figure too, traced to
	// the import among its sources.
	r = do(t, c, "GET", ts.URL+"/office/calls/"+call.Key+"/report/preview", nil)
	if r.status != 200 {
		t.Fatalf("report preview: %d", r.status)
	}
	past := regexp.MustCompile(`(?s)<section id="past".*?</section>`).FindString(r.body)
	if !strings.Contains(past, `<tr id="past-1"><th scope="row" class="nowrap">`+imp+`</th><td>imported</td><td>CTS/Eurostat</td></tr>`) {
		t.Errorf("the report's past sources: %q", past)
	}
	homicide := regexp.MustCompile(`(?s)<section id="indicator-\d+" class="report__indicator" aria-labelledby="indicator-\d+-h">\s*<h3[^>]*>[^<]*Intentional homicide.*?</section>`).FindString(r.body)
	firstRow := regexp.MustCompile(`(?s)<tr><th scope="row"[^>]*>` + strconv.Itoa(first) + `</th>.*?</tr>`).FindString(homicide)
	if !strings.Contains(firstRow, "2 of 193") {
		t.Errorf("the annex's %d counts Germany's submission and Austria's import: %q", first, firstRow)
	}

	// Germany's page: the figures charted as they are, the import behind
	// the earlier call's figure kept as history.
	r = do(t, c, "GET", ts.URL+"/office/series/areas/DEU?series=offences/iccs-0101", nil)
	if r.status != 200 {
		t.Fatalf("Germany's page: %d", r.status)
	}
	title, marks := svgMarks(t, r.body, "counts")
	if !strings.Contains(title, "Germany") || len(marks) != 10 {
		t.Errorf("counts chart %q with %d marks", title, len(marks))
	}
	table := regexp.MustCompile(`(?s)<th scope="row">(\d{4})</th>\s*<td class="num[^"]*">([\d,]+)`).FindAllStringSubmatch(r.body, -1)
	if len(table) != 10 {
		t.Fatalf("%d years in the table", len(table))
	}
	for _, m := range table {
		v, _ := strconv.ParseFloat(strings.ReplaceAll(m[2], ",", ""), 64)
		if marks[m[1]] != v {
			t.Errorf("%s: charted %v, the table says %v", m[1], marks[m[1]], v)
		}
	}
	if !strings.Contains(r.body, "<s>999</s>") {
		t.Error("the import behind the earlier call's figure is not in the history")
	}
	// Rates where Germany reported its population: the six years of its submissions.
	if _, rates := svgMarks(t, r.body, "rates"); len(rates) != 6 || rates[strconv.Itoa(first-3)] != 0 || rates[strconv.Itoa(first)] == 0 {
		t.Errorf("rates charted: %v", rates)
	}
	if !strings.Contains(r.body, "reported by the State (") {
		t.Error("a rate does not say which population it used")
	}
}

// TestResponseRateChart: the tracking page charts the share of those asked
// that have submitted, rising on each day one first submits, up to the
// share the store counts.
func TestResponseRateChart(t *testing.T) {
	ts, srv := startServer(t, nil)
	store, call, _ := demoCallOf(t, srv, "tourism-views")
	c := clientAs(t, ts.URL, "demo-analyst")
	r := do(t, c, "GET", ts.URL+"/office/calls/"+call.Key, nil)
	title, marks := svgMarks(t, r.body, "response-rate")
	firsts, err := store.FirstSubmissions(context.Background(), call)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := store.Responses(context.Background(), call)
	if err != nil {
		t.Fatal(err)
	}
	if title != "Response rate over time" || len(firsts) == 0 {
		t.Fatalf("chart %q, %d first submissions", title, len(firsts))
	}
	top := 0.0
	for _, v := range marks {
		top = max(top, v)
	}
	if want := float64(len(firsts)) * 100 / float64(len(rs)); top != want {
		t.Errorf("the chart rises to %v %%, want %v (%d of %d)", top, want, len(firsts), len(rs))
	}
}

// TestSeriesBreakExplained: a State's page of a series marks a break in a
// submitted figure with what the State explained of it when it submitted.
func TestSeriesBreakExplained(t *testing.T) {
	ts, srv := startServer(t, nil)
	store, call, q := demoCallOf(t, srv, "crime-statistics")
	a := synthetic.Statistics(q, call.Years, "AUT")
	y0, y1 := call.Years[0], call.Years[1]
	ref := func(y int) forms.CellRef {
		return forms.CellRef{Question: "police_offences", Row: "homicide", Year: y, Category: forms.TotalCategory}
	}
	a.Cells[ref(y0)] = forms.Cell{State: forms.CellValue, Value: 60}
	a.Cells[ref(y1)] = forms.Cell{State: forms.CellValue, Value: 150}
	finding := forms.CellFinding("police_year_change", ref(y1))
	if a.Explanations == nil {
		a.Explanations = map[string]string{}
	}
	a.Explanations[finding] = "A new recording system counts attempts too."
	saveAnswers(t, store, call, q, "AUT", a, true)
	c := clientAs(t, ts.URL, "demo-analyst")
	r := do(t, c, "GET", ts.URL+"/office/series/areas/AUT?series=offences/iccs-0101&include=submitted", nil)
	row := regexp.MustCompile(`(?s)<th scope="row">` + strconv.Itoa(y1) + `</th>.*?</tr>`).FindString(r.body)
	if !strings.Contains(row, "Break &#43;150 %") || !strings.Contains(row, "A new recording system counts attempts too.") {
		t.Errorf("the break of %d and its explanation: %q", y1, row)
	}
}

// TestImportRefusals: files that cannot be imported get a clear message on
// the imports page, and nothing is staged or imported; a mapping to no
// known series is refused.
func TestImportRefusals(t *testing.T) {
	ts, _ := startServer(t, nil)
	c := clientAs(t, ts.URL, "demo-analyst")
	page := ts.URL + "/office/imports"
	for _, tc := range []struct{ name, content, want string }{
		{"empty.csv", "", "Choose a file to upload."},
		{"binary.csv", "\x00\x01\x02\x03binary\x00", "The file is neither CSV nor XLSX."},
		{"old.xls", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", "The file is neither CSV nor XLSX."},
		{"zip.xlsx", "PK\x03\x04 not really a zip", "The file is a zip archive but not an Excel workbook."},
		{"noheader.csv", "Iso3_code;Country;Year\nAUT;Austria;2019\n", "No header with the long format&#39;s columns was found in the first 50 rows. Missing:"},
	} {
		r := postMultipart(t, c, page, nil, map[string][2]string{"file": {tc.name, tc.content}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, tc.want) {
			t.Errorf("%s: %d, want 422 with %q\n%s", tc.name, r.status, tc.want, r.body[strings.Index(r.body, "<main"):min(len(r.body), strings.Index(r.body, "<main")+1500)])
		}
	}
	r := postMultipart(t, c, page, nil, map[string][2]string{"file": {"ok.csv", longFormat([][]string{homicideRow("AUT", "Austria", 1990, "Counts", "70")})}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("a good file: %d", r.status)
	}
	plan := ts.URL + r.header.Get("Location")
	form := url.Values{"m0.indicator": {"x"}, "m0.dimension": {"x"}, "m0.category": {"x"}, "m0.sex": {"x"}, "m0.age": {"x"}, "m0.series": {"no/such"}}
	if r = do(t, c, "POST", plan+"/mappings", form); r.status == http.StatusSeeOther || r.status >= 500 {
		t.Errorf("a mapping to no series: %d", r.status)
	}
	if r = do(t, c, "GET", ts.URL+"/office/imports/uploads/nosuchtoken", nil); r.status != http.StatusNotFound {
		t.Errorf("an unknown upload: %d", r.status)
	}
	for _, method := range []string{"GET", "POST"} {
		if r = do(t, c, method, ts.URL+"/office/imports/uploads/nosuchtoken/confirm", url.Values{}); r.status != http.StatusNotFound {
			t.Errorf("%s the confirmation of an unknown upload: %d", method, r.status)
		}
	}
	if r = do(t, c, "POST", ts.URL+"/office/imports/IMP-2000-0001/withdraw", url.Values{}); r.status != http.StatusNotFound {
		t.Errorf("withdrawing no import: %d", r.status)
	}
	if r = do(t, c, "GET", ts.URL+"/office/series?series=no/such", nil); r.status != http.StatusNotFound {
		t.Errorf("no such series: %d", r.status)
	}
	if r = do(t, c, "GET", ts.URL+"/office/series/areas/ZZZ?series=offences/iccs-0101", nil); r.status != http.StatusNotFound {
		t.Errorf("no such area: %d", r.status)
	}
	if r = do(t, c, "GET", ts.URL+"/office/imports", nil); strings.Contains(r.body, "IMP-") {
		t.Error("a refused file was imported")
	}
}
