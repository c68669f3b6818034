package handlers

import (
	"bytes"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestWorkbookExplanations: a warning on the draft travels in its
// workbook, on the explanations sheet with where it is and what it says;
// the explanation typed there shows in the preview as the explanation of
// that warning, and once applied the warning is explained on the page and
// no longer stops the submission.
func TestWorkbookExplanations(t *testing.T) {
	base, cs := signedIn(t, "demo-fp-aut")
	c := cs[0]
	stats := demoCall("crime-statistics")
	call := base + "/orgs/AUT/calls/" + stats.Key
	y := stats.Years
	section := call + "/police"
	form := formOf(t, do(t, c, "GET", section, nil).body)
	at := func(year int) string { return "c/police_offences/homicide/" + strconv.Itoa(year) + "/total" }
	form.Set(at(y[0]), "100")
	form.Set(at(y[1]), "3000") // thirty times the year before: a warning
	if r := do(t, c, "POST", section, form); r.status != http.StatusSeeOther {
		t.Fatalf("saving a warning: %d", r.status)
	}
	key := "police_year_change/homicide/" + strconv.Itoa(y[1]) + "/total"
	if page := do(t, c, "GET", section, nil).body; !strings.Contains(page, `name="x/`+key+`"`) {
		t.Fatalf("the page asks for no explanation of %s", key)
	}

	if page := do(t, c, "GET", section, nil).body; !strings.Contains(page, "Warning to explain") {
		t.Fatal("the section list does not ask for the explanation: the test would prove nothing")
	}
	book := do(t, c, "GET", call+"/workbook.xlsx", nil).body
	f, err := excelize.OpenReader(strings.NewReader(book))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("Explanations")
	if err != nil {
		t.Fatalf("the workbook has no explanations sheet: %v (sheets %v)", err, f.GetSheetList())
	}
	row := 0
	for i, r := range rows {
		if len(r) >= 2 && strings.Contains(r[0], "Intentional homicide, "+strconv.Itoa(y[1])+", Total") && strings.Contains(r[1], "3,000") {
			row = i + 1
		}
	}
	if row == 0 {
		t.Fatalf("no row for the change in homicides on the explanations sheet:\n%q", rows)
	}
	const why = "A new recording system counts attempts too."
	f.SetCellStr("Explanations", "C"+strconv.Itoa(row), why)
	var filled bytes.Buffer
	if err := f.Write(&filled); err != nil {
		t.Fatal(err)
	}
	r := postWorkbook(t, c, call+"/workbook", filled.Bytes())
	if r.status != http.StatusOK {
		t.Fatalf("preview: %d\n%s", r.status, r.body)
	}
	if !regexp.MustCompile(`Explanation of the warning on Offences recorded by the police — Intentional homicide, `+strconv.Itoa(y[1])+`, Total`).MatchString(r.body) ||
		!strings.Contains(r.body, why) {
		t.Fatalf("the preview does not show the explanation where it belongs:\n%s", r.body)
	}
	if r = do(t, c, "POST", call+"/workbook/apply", formOf(t, r.body)); r.status != http.StatusSeeOther {
		t.Fatalf("apply: %d\n%s", r.status, r.body)
	}
	got := formOf(t, do(t, c, "GET", section, nil).body)
	if got.Get("x/"+key) != why {
		t.Errorf("the explanation on the page is %q, want %q", got.Get("x/"+key), why)
	}
	if page := do(t, c, "GET", section, nil).body; strings.Contains(page, "Warning to explain") {
		t.Error("the section list still asks for the explanation")
	}
}
