package handlers

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portal/forms/demo"
	"portal/handlers/browsertest"
)

// TestBrowserNewPagesArabic checks, in Chromium in Arabic with axe-core,
// the pages this work added or changed most: the preview of a workbook
// older than the draft (a change that would undo the contributor's,
// unticked), the conflict page with a cell's row, a character count's
// digits, and the page before submitting.
func TestBrowserNewPagesArabic(t *testing.T) {
	ts, srv := startServer(t, nil)
	store, views, q := demoCallOf(t, srv, "tourism-views")
	saveAnswers(t, store, views, q, "AUT", demo.Answers(q, "Austria"), false)
	stats := demoCall("crime-statistics")
	call := ts.URL + "/orgs/AUT/calls/" + stats.Key
	fp, contrib := clientAs(t, ts.URL, "demo-fp-aut"), clientAs(t, ts.URL, "demo-contrib-aut")
	y := strconv.Itoa(stats.Years[0])

	// A workbook downloaded, then the contributor's change, then the workbook filled.
	book := do(t, fp, "GET", call+"/workbook.xlsx", nil).body
	form := formOf(t, do(t, contrib, "GET", call+"/police", nil).body)
	form.Set("c/police_offences/theft/"+y+"/total", "4000")
	if r := do(t, contrib, "POST", call+"/police", form); r.status != http.StatusSeeOther {
		t.Fatalf("the contributor's save: %d", r.status)
	}
	f, police, rowOf := policeSheet(t, book)
	f.SetCellInt(police, "C"+rowOf("Theft"), 3900)
	f.SetCellInt(police, "C"+rowOf("Intentional homicide"), 3900)
	path := filepath.Join(t.TempDir(), "filled.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}

	b := browsertest.New(t, 4*time.Minute)
	browserSignIn(b, ts.URL, "demo-fp-aut")
	b.Do(chromedp.Navigate(ts.URL + "/language/ar?next=/"))
	b.Do(chromedp.Navigate(call+"/submission"), chromedp.WaitVisible(chromedp.CSS(`.upload-form`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#workbook-file`), []string{path}))
	b.Press(`.upload-form button`, http.StatusOK)
	if b.Eval(`String(!!document.querySelector('#stale-note') && document.querySelectorAll('tr.reverts input[type=checkbox]:not(:checked)').length === 1)`) != "true" {
		b.Fatalf("the stale workbook's preview does not mark the change that undoes the contributor's, unticked")
	}
	b.CheckAccessible("ar preview of a workbook older than the draft")
	b.Screenshot("ar-workbook-stale")

	// A conflict on a part of a row.
	section := call + "/justice"
	b.Do(chromedp.Navigate(section), chromedp.WaitVisible(chromedp.CSS(`table.grid`)))
	form = formOf(t, do(t, contrib, "GET", section, nil).body)
	form.Set("c/persons_convicted/homicide/"+y+"/male", "6")
	if r := do(t, contrib, "POST", section, form); r.status != http.StatusSeeOther {
		t.Fatalf("the contributor's save: %d", r.status)
	}
	b.Do(chromedp.SetValue(chromedp.CSS(`#cell-persons_convicted-homicide-`+y+`-male`), "8"),
		chromedp.SetValue(chromedp.CSS(`#cell-persons_convicted-homicide-`+y+`-total`), "12"))
	b.Press(`.form-actions button`, http.StatusConflict)
	if b.Eval(`String(!!document.querySelector('table.conflict-row td.changed'))`) != "true" {
		b.Fatalf("the conflict page does not show the cell's row")
	}
	b.CheckAccessible("ar conflict page with the cell's row")
	b.Screenshot("ar-conflict-row")

	// A character count typed in Arabic groups its digits as the server
	// writes numbers: Western digits, one style on the page.
	b.Do(chromedp.Navigate(ts.URL+"/orgs/AUT/calls/"+views.Key+"/threats"), chromedp.WaitReady(`#q-threats_nature`))
	b.Eval(`(function (ta) { ta.value += ' و'; ta.dispatchEvent(new Event('input', {bubbles: true})); return 'ok'; })(document.querySelector('#q-threats_nature'))`)
	if got := b.Text(`#q-threats_nature-count`); strings.ContainsAny(got, "٠١٢٣٤٥٦٧٨٩٬") || !strings.Contains(got, "10,000") {
		b.Fatalf("the character count in Arabic: %q", got)
	}
	b.Do(chromedp.Poll[chromedp.Void](`document.querySelector('form[data-autosave]').dataset.autosaveState === 'saved'`, chromedp.WithPollingTimeout(30*time.Second)))

	// The page before submitting.
	b.Do(chromedp.Navigate(ts.URL+"/orgs/AUT/calls/"+views.Key+"/submit"), chromedp.WaitVisible(chromedp.CSS(`.submit-form`)))
	b.CheckAccessible("ar page before submitting")
	b.Screenshot("ar-before-submitting")
	_ = os.Remove(path)
}
