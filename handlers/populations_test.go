package handlers

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

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
	if csv.body != "iso3,year,population,source\nKEN,2024,55100000,KNBS census\nMEX,2024,130861007,'=UN WPP 2024\nMEX,2025,131500000,'=UN WPP 2024\n" {
		t.Errorf("CSV:\n%s", csv.body)
	}
}
