package handlers

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// policeSheet opens a statistics workbook and returns it, its police
// section's sheet, and the row of a row label there ("Theft": "14").
func policeSheet(t *testing.T, book string) (*excelize.File, string, func(label string) string) {
	t.Helper()
	f, err := excelize.OpenReader(strings.NewReader(book))
	if err != nil {
		t.Fatal(err)
	}
	var police string
	for _, name := range f.GetSheetList() {
		if strings.HasPrefix(name, "Offences and victims") {
			police = name
		}
	}
	rows, _ := f.GetRows(police)
	return f, police, func(label string) string {
		t.Helper()
		for i, row := range rows {
			if len(row) > 0 && row[0] == label {
				return strconv.Itoa(i + 1)
			}
		}
		t.Fatalf("no row %q in %s", label, police)
		return ""
	}
}

// TestWorkbookStale is the review's case: the focal point downloads the
// statistics workbook; the contributor then changes two figures in the
// browser; the focal point fills the workbook (one of the contributor's
// figures among others) and uploads it. The preview says the workbook is
// older than the draft; the contributor's untouched figure is kept and
// listed with who saved it; the workbook's figure that would undo the
// contributor's is marked, unticked, naming the contributor; the others
// are ticked. Saving as offered keeps both of the contributor's figures.
func TestWorkbookStale(t *testing.T) {
	base, cs := signedIn(t, "demo-fp-aut", "demo-contrib-aut")
	fp, contrib := cs[0], cs[1]
	stats := demoCall("crime-statistics")
	call := base + "/orgs/AUT/calls/" + stats.Key
	y := strconv.Itoa(stats.Years[0])
	field := func(row string) string { return "c/police_offences/" + row + "/" + y + "/total" }

	book := do(t, fp, "GET", call+"/workbook.xlsx", nil).body
	form := formOf(t, do(t, contrib, "GET", call+"/police", nil).body)
	form.Set(field("robbery"), "300")
	form.Set(field("theft"), "4000")
	if r := do(t, contrib, "POST", call+"/police", form); r.status != http.StatusSeeOther {
		t.Fatalf("the contributor's save: %d", r.status)
	}

	f, police, rowOf := policeSheet(t, book)
	f.SetCellInt(police, "C"+rowOf("Intentional homicide"), 100)
	f.SetCellInt(police, "C"+rowOf("Theft"), 3900) // the contributor's theft figure, another way
	var filled bytes.Buffer
	if err := f.Write(&filled); err != nil {
		t.Fatal(err)
	}
	r := postWorkbook(t, fp, call+"/workbook", filled.Bytes())
	if r.status != http.StatusOK {
		t.Fatalf("preview: %d\n%s", r.status, r.body)
	}
	for _, want := range []string{
		"This workbook was filled from version",
		"Would undo what contributor@austria.example.org saved on",
		"Changed by others since the workbook was filled, and kept",
		"300",
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the preview lacks %q", want)
		}
	}
	posted := formOf(t, r.body)
	if fs := posted["field"]; len(fs) != 1 || fs[0] != field("homicide") {
		t.Errorf("ticked as offered: %v, want the homicide figure alone", fs)
	}
	if r = do(t, fp, "POST", call+"/workbook/apply", posted); r.status != http.StatusSeeOther {
		t.Fatalf("apply: %d\n%s", r.status, r.body)
	}
	got := formOf(t, do(t, fp, "GET", call+"/police", nil).body)
	for k, want := range map[string]string{field("homicide"): "100", field("robbery"): "300", field("theft"): "4,000"} {
		if got.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, got.Get(k), want)
		}
	}
}
