package handlers

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// TestPopulationUpload: a table with mistakes is refused line by line and
// nothing is stored; a CSV with semicolons and a byte order mark, and an
// XLSX, are stored; a file that is neither is refused with a message; the
// table downloads as CSV with a formula-like source neutralised.
func TestPopulationUpload(t *testing.T) {
	base, cs := signedIn(t, "demo-analyst")
	c := cs[0]
	page := base + "/office/populations"
	upload := func(name, content, source string) response {
		t.Helper()
		return postMultipart(t, c, page, url.Values{"source": {source}}, map[string][2]string{"table": {name, content}})
	}
	if r := do(t, c, "GET", page, nil); r.status != 200 || !strings.Contains(r.body, "The table is empty.") {
		t.Fatalf("empty table page: %d", r.status)
	}
	r := upload("p.csv", "iso3,year\nMEX,2024\n", "")
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "The column population is missing from the first line.") {
		t.Fatalf("a missing column: %d", r.status)
	}
	r = upload("p.csv", "iso3,year,population,source\nMEX,2024,abc,x\nXXX,2024,5,x\nMEX,1800,5,x\nMEX,2025,130000000,\nKEN,2024,\"55,100,000\",x\nKEN,2024,55100000,x\n", "")
	for _, want := range []string{"Line 2: “abc” is not a whole number above 0.", "Line 3: “XXX” is not the ISO code of a State.",
		"Line 4: “1800” is not a year", "Line 5: The line names no source", "Line 7: The same State and year are on line 6 already."} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the refusal lacks %q", want)
		}
	}
	if r.status != http.StatusUnprocessableEntity || strings.Contains(r.body, "Line 6:") {
		t.Errorf("status %d; line 6 is right", r.status)
	}
	if r := do(t, c, "GET", page, nil); !strings.Contains(r.body, "The table is empty.") {
		t.Fatal("a refused table stored something")
	}
	r = upload("p.csv", "\ufeffISO3;Year;Population\nMEX;2024;130 861 007\nmex;2025;131500000\n", "=UN WPP 2024")
	if r.status != http.StatusSeeOther {
		t.Fatalf("a good CSV: %d\n%s", r.status, r.body)
	}
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"iso3", "year", "population", "source"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"KEN", 2024, 55100000, "KNBS census"})
	var x bytes.Buffer
	f.Write(&x)
	if r = upload("p.xlsx", x.String(), ""); r.status != http.StatusSeeOther {
		t.Fatalf("a good XLSX: %d\n%s", r.status, r.body)
	}
	if r = upload("p.xlsx", "PK\x03\x04 not really a zip", ""); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "error-summary") {
		t.Fatalf("a broken XLSX: %d", r.status)
	}
	if r = upload("p.csv", "iso3,year,population\n\xff\xfe,2024,1\n", "x"); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "UTF-8") {
		t.Fatalf("a CSV not in UTF-8: %d", r.status)
	}
	r = do(t, c, "GET", page, nil)
	if !strings.Contains(r.body, "3 figures for 2 States, 2024–2025") {
		t.Errorf("summary after the uploads: %s", r.body[strings.Index(r.body, "<main"):])
	}
	csv := do(t, c, "GET", page+".csv", nil)
	if csv.body != "iso3,year,population,source,upload,file\nKEN,2024,55100000,KNBS census,table,p.xlsx\nMEX,2024,130861007,'=UN WPP 2024,table,p.csv\nMEX,2025,131500000,'=UN WPP 2024,table,p.csv\n" {
		t.Errorf("CSV:\n%s", csv.body)
	}
}

// TestPopulationPlausible: a population the crime-statistics questionnaire
// itself would refuse (France = 66, given in thousands) is refused with
// the questionnaire's bounds and what to do; 1,000 persons is accepted.
func TestPopulationPlausible(t *testing.T) {
	base, cs := signedIn(t, "demo-analyst")
	c := cs[0]
	page := base + "/office/populations"
	upload := func(content string) response {
		t.Helper()
		return postMultipart(t, c, page, url.Values{"source": {"INSEE"}}, map[string][2]string{"table": {"p.csv", content}})
	}
	r := upload("iso3,year,population\nFRA,2024,66\nFRA,2023,3000000000\n")
	for _, want := range []string{
		"Line 2: “66” is not a plausible population: it must be between 1,000 and 2,000,000,000 persons. Give it in persons, not in thousands.",
		"Line 3: “3000000000” is not a plausible population",
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the refusal lacks %q", want)
		}
	}
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("France = 66: %d", r.status)
	}
	if r := do(t, c, "GET", page, nil); !strings.Contains(r.body, "The table is empty.") {
		t.Fatal("a refused table stored something")
	}
	if r = upload("iso3,year,population\nFRA,2024,1000\n"); r.status != http.StatusSeeOther {
		t.Fatalf("France = 1,000: %d\n%s", r.status, r.body)
	}
	if r = do(t, c, "GET", page, nil); !strings.Contains(r.body, `<td class="num">1,000</td>`) {
		t.Errorf("the page does not show the figure stored")
	}
}

// TestPopulationTable: the page lists the stored figures (the State's name
// in the page's language and its code, the year, the population as the
// language writes figures, the source, when and by whom it was uploaded),
// ordered by name then year; a search finds a State by its code or by its
// name in another language, without its accents, and by year; 100 rows a
// page, with links that keep the search; an empty search says so.
func TestPopulationTable(t *testing.T) {
	base, cs := signedIn(t, "demo-analyst")
	c := cs[0]
	page := base + "/office/populations"
	var csv strings.Builder
	csv.WriteString("iso3,year,population,source\nFRA,2024,68400000,INSEE\nDEU,2024,83200000,Destatis\nEGY,2024,114500000,CAPMAS\n")
	for y := 1950; y < 2010; y++ {
		fmt.Fprintf(&csv, "AUT,%d,%d,Statistik Austria\nKEN,%d,%d,KNBS\n", y, 7_000_000+y, y, 20_000_000+y)
	}
	r := postMultipart(t, c, page, url.Values{"source": {""}}, map[string][2]string{"table": {"p.csv", csv.String()}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", r.status, r.body)
	}
	get := func(query string, lang string) response {
		t.Helper()
		r := do(t, c, "GET", page+query, nil, "Accept-Language: "+lang)
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d", query, r.status)
		}
		return r
	}
	rowsOf := func(r response) []string { // each row's State code and year
		var out []string
		for _, m := range regexp.MustCompile(`<tr>\s*<th scope="row">[^<]*</th><td>([A-Z]{3})</td><td>(\d{4})</td>`).FindAllStringSubmatch(r.body, -1) {
			out = append(out, m[1]+"/"+m[2])
		}
		return out
	}
	r = get("", "en")
	uploaded := regexp.MustCompile(`<tr>\s*<th scope="row">France</th><td>FRA</td><td>2024</td><td class="num">68,400,000</td><td class="details" dir="auto">INSEE</td>\s*` +
		`<td>Office table(?:: <span dir="auto">[^<]+</span>)?</td>\s*<td class="nowrap"><span dir="ltr">\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC</span></td><td dir="auto">([^<]+)</td>`)
	if m := uploaded.FindStringSubmatch(r.body); m == nil || strings.TrimSpace(m[1]) == "" {
		t.Errorf("France's row (name, code, year, figure, source, upload time and who) is not on the page:\n%s", r.body[strings.Index(r.body, "<main"):])
	}
	rows := rowsOf(r)
	if len(rows) != 100 || rows[0] != "AUT/1950" || rows[59] != "AUT/2009" || rows[60] != "EGY/2024" || rows[61] != "FRA/2024" ||
		rows[62] != "DEU/2024" || rows[63] != "KEN/1950" || rows[99] != "KEN/1986" {
		t.Errorf("the first page: %d rows %v", len(rows), rows)
	}
	for _, want := range []string{"This page shows figures 1 to 100 of 123.", `href="/office/populations?page=2#population-rows" rel="next"`,
		`<caption id="population-rows-caption" class="visually-hidden">`, `<th scope="col">ISO code</th>`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the first page lacks %q", want)
		}
	}
	if strings.Contains(r.body, `rel="prev"`) {
		t.Error("the first page links to a previous one")
	}
	r = get("?page=2", "en")
	if rows = rowsOf(r); len(rows) != 23 || rows[0] != "KEN/1987" || rows[22] != "KEN/2009" {
		t.Errorf("the second page: %d rows %v", len(rows), rows)
	}
	if !strings.Contains(r.body, "This page shows figures 101 to 123 of 123.") || !strings.Contains(r.body, `href="/office/populations#population-rows" rel="prev"`) ||
		strings.Contains(r.body, `rel="next"`) {
		t.Error("the second page's position and links")
	}

	for _, tc := range []struct {
		query, lang string
		want        []string
		text        []string
	}{
		{"?q=fra", "en", []string{"FRA/2024"}, []string{"1 figure matches the search.", `value="fra"`, "Show the whole table"}},
		{"?q=ALLEMAGNE", "en", []string{"DEU/2024"}, []string{`<th scope="row">Germany</th>`}},
		{"?q=egypte", "en", []string{"EGY/2024"}, nil},
		{"?q=allemagne", "fr", []string{"DEU/2024"}, []string{`<th scope="row">Allemagne</th>`, "<td class=\"num\">83\u202f200\u202f000</td>",
			"1 chiffre correspond à la recherche."}},
		{"?q=%D8%A3%D9%84%D9%85%D8%A7%D9%86%D9%8A%D8%A7", "ar", []string{"DEU/2024"}, []string{`<th scope="row">ألمانيا</th>`, "يطابق البحث رقم واحد."}},
		{"?year=2024", "en", []string{"EGY/2024", "FRA/2024", "DEU/2024"}, []string{`<option value="2024" selected>`, "3 figures match the search."}},
		{"?year=2024", "fr", []string{"DEU/2024", "EGY/2024", "FRA/2024"}, nil}, // Allemagne, Égypte, France
		{"?q=ken&year=1960", "en", []string{"KEN/1960"}, nil},
		{"?q=atlantis", "en", nil, []string{"No figure in the table matches the search.", "Show the whole table"}},
		{"?page=9", "en", nil, []string{"This page is past the last one.", `href="/office/populations?page=2#population-rows" rel="prev"`}},
		{"?year=abc&page=x", "en", nil, []string{"This page shows figures 1 to 100 of 123."}},
	} {
		r := get(tc.query, tc.lang)
		if diff := cmp.Diff(tc.want, rowsOf(r)); diff != "" && tc.want != nil {
			t.Errorf("%s (%s): rows (-want +got):\n%s", tc.query, tc.lang, diff)
		}
		if tc.want == nil && tc.query != "?year=abc&page=x" && strings.Contains(r.body, "<table") {
			t.Errorf("%s (%s): a table with no rows", tc.query, tc.lang)
		}
		for _, want := range tc.text {
			if !strings.Contains(r.body, want) {
				t.Errorf("%s (%s): the page lacks %q", tc.query, tc.lang, want)
			}
		}
	}

	// Paging keeps the search: "a" names Austria, Kenya, Germany
	// (Allemagne) and France, not Egypt.
	r = get("?q=a", "en")
	if rows = rowsOf(r); len(rows) != 100 || !strings.Contains(r.body, "122 figures match the search. This page shows figures 1 to 100 of 122.") ||
		!strings.Contains(r.body, `href="/office/populations?page=2&amp;q=a#population-rows" rel="next"`) {
		t.Errorf("?q=a, first page: %d rows", len(rows))
	}
	r = get("?page=2&q=a", "en")
	if rows = rowsOf(r); len(rows) != 22 || !strings.Contains(r.body, `href="/office/populations?q=a#population-rows" rel="prev"`) {
		t.Errorf("?q=a, second page: %d rows", len(rows))
	}
}

// wppCSV is a World Population Prospects CSV as published (PopTotal in
// thousands), gzip-compressed.
func wppCSV(t *testing.T, lines ...string) string {
	t.Helper()
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	fmt.Fprintln(z, "SortOrder,LocID,Notes,ISO3_code,ISO2_code,SDMX_code,LocTypeID,LocTypeName,ParentID,Location,VarID,Variant,Time,MidPeriod,PopMale,PopFemale,PopTotal,PopDensity")
	for _, l := range lines {
		fmt.Fprintln(z, l)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestPopulationWPP: the UN World Population Prospects as published,
// gzip-compressed: only the Medium variant's rows of States are stored, in
// persons; the world, an income group and a territory are skipped and
// counted; a figure the file replaces shows with its earlier one; a bad
// file is refused row by row (or whole, without its header) and the table
// stays as it was.
func TestPopulationWPP(t *testing.T) {
	base, cs := signedIn(t, "demo-analyst")
	c := cs[0]
	page := base + "/office/populations"
	if r := postMultipart(t, c, page, url.Values{"source": {"INEGI"}}, map[string][2]string{"table": {"inegi.csv", "iso3,year,population\nMEX,2024,129000000\n"}}); r.status != http.StatusSeeOther {
		t.Fatalf("the table: %d", r.status)
	}
	wpp := func(name, content, source string) response {
		t.Helper()
		return postMultipart(t, c, page+"/wpp", url.Values{"source": {source}}, map[string][2]string{"wpp": {name, content}})
	}
	r := wpp("WPP2024_TotalPopulationBySex.csv.gz", wppCSV(t,
		"1,900,,,,1,1,World,0,World,2,Medium,2024,2024.5,4089000.1,4072972.5,8161972.572,54.8",
		"2,900,,,,1,1,World,0,World,3,High,2024,2024.5,4100000,4100000,8200000,55",
		"3,484,,MEX,MX,MX,4,Country/Area,916,Mexico,2,Medium,2023,2023.5,63000,66739.759,129739.759,66.7",
		"4,484,,MEX,MX,MX,4,Country/Area,916,Mexico,2,Medium,2024,2024.5,63500,67361.007,130861.007,67.3",
		"5,484,,MEX,MX,MX,4,Country/Area,916,Mexico,3,High,2024,2024.5,64000,68000,132000.5,67.9",
		"6,484,,MEX,MX,MX,4,Country/Area,916,Mexico,4,Low,2024,2024.5,62000,66000,128000,65.8",
		"7,404,,KEN,KE,KE,4,Country/Area,910,Kenya,2,Medium,2024,2024.5,28000,28432.944,56432.944,99.1",
		"8,344,,HKG,HK,HK,4,Country/Area,906,\"China, Hong Kong SAR\",2,Medium,2024,2024.5,3400,4014.909,7414.909,7062",
		"9,1503,,,,,5,Income Group,1802,High-income countries,2,Medium,2024,2024.5,630000,638000.5,1268000.5,36",
	), "WPP 2024")
	if r.status != http.StatusSeeOther {
		t.Fatalf("the WPP file: %d\n%s", r.status, r.body)
	}
	r = do(t, c, "GET", page, nil)
	for _, want := range []string{
		"From WPP2024_TotalPopulationBySex.csv.gz: 3 figures for 2 States stored.",
		"3 rows for areas that are not States were skipped.",
		"World Population Prospects: <span dir=\"auto\">WPP2024_TotalPopulationBySex.csv.gz</span>",
		"<summary>1 earlier figure</summary>",
		"129,000,000, source “INEGI”, Office table, uploaded",
		"<span dir=\"auto\">(inegi.csv)</span>",
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("%s", r.body[strings.Index(r.body, "<main"):])
	}
	want := "iso3,year,population,source,upload,file\n" +
		"KEN,2024,56432944,WPP 2024,wpp,WPP2024_TotalPopulationBySex.csv.gz\n" +
		"MEX,2023,129739759,WPP 2024,wpp,WPP2024_TotalPopulationBySex.csv.gz\n" +
		"MEX,2024,130861007,WPP 2024,wpp,WPP2024_TotalPopulationBySex.csv.gz\n"
	if got := do(t, c, "GET", page+".csv", nil).body; got != want {
		t.Errorf("CSV after the WPP file:\n%s\nwant\n%s", got, want)
	}

	// A bad file: every wrong row of a State with its line; the rows of
	// other areas and variants do not count; nothing changes.
	r = wpp("bad.csv.gz", wppCSV(t,
		"1,484,,MEX,MX,MX,4,Country/Area,916,Mexico,2,Medium,2024,2024.5,1,1,abc,1",
		"2,404,,KEN,KE,KE,4,Country/Area,910,Kenya,2,Medium,1940,1940.5,1,1,6000,1",
		"3,404,,KEN,KE,KE,4,Country/Area,910,Kenya,2,Medium,2024,2024.5,1,1,57000,1",
		"4,404,,KEN,KE,KE,4,Country/Area,910,Kenya,2,Medium,2024,2024.5,1,1,57000,1",
		"5,900,,,,1,1,World,0,World,2,Medium,2024,2024.5,1,1,abc,1",
		"6,484,,MEX,MX,MX,4,Country/Area,916,Mexico,3,High,2024,2024.5,1,1,abc,1",
		"x,,,,,,,,,Nowhere,2,Medium,2024,2024.5,1,1,5,1",
	), "WPP 2024")
	for _, want := range []string{"Line 2: “abc” is not a whole number above 0.",
		"Line 3: The year 1940 is outside 1950–2100", "Line 5: The same State and year are on line 4 already.",
		"Line 8: “” is not an M49 code (LocID)."} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the refusal lacks %q", want)
		}
	}
	if r.status != http.StatusUnprocessableEntity || strings.Contains(r.body, "Line 4:") || strings.Contains(r.body, "Line 6:") || strings.Contains(r.body, "Line 7:") ||
		!strings.Contains(r.body, `value="WPP 2024"`) || !strings.Contains(r.body, "3 figures for 2 States") {
		t.Errorf("the refusal: %d\n%s", r.status, r.body[strings.Index(r.body, "<main"):])
	}
	r = wpp("other.csv", "iso3,year,population\nMEX,2024,1\n", "")
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "No header with the columns LocID, Variant, Time and PopTotal") ||
		!strings.Contains(r.body, "UN World Population Prospects, Medium variant") {
		t.Errorf("a file that is not the WPP: %d", r.status)
	}
	if r = wpp("broken.csv.gz", "\x1f\x8b\x08\x00not gzip", "WPP"); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "damaged") {
		t.Errorf("a broken gzip: %d", r.status)
	}
	if r = wpp("", "", "WPP"); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Choose a file to upload.") {
		t.Errorf("no file: %d", r.status)
	}
	if got := do(t, c, "GET", page+".csv", nil).body; got != want {
		t.Errorf("the refused files changed the table:\n%s", got)
	}
}
