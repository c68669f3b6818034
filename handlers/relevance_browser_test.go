package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"portal/handlers/browsertest"
)

// TestBrowserRelevance: in Chromium, the partners of public-private
// partnerships appear as soon as the focal point answers Yes, and go again
// with No, without saving; after Save with Yes they stay. The section
// passes axe-core in English and Arabic, with the questions hidden and shown.
func TestBrowserRelevance(t *testing.T) {
	ts, _ := startServer(t, nil)
	b := browsertest.New(t, 3*time.Minute)
	views := demoCall("tourism-views")
	section := "/orgs/AUT/calls/" + views.Key + "/partnerships"
	browserSignIn(b, ts.URL, "demo-fp-aut")
	b.Do(chromedp.Navigate(ts.URL+section), chromedp.WaitVisible(chromedp.CSS(`#q-ppp_exists`)))
	visible := func(key string) string {
		return b.Eval(`String(!document.getElementById("question-` + key + `").hidden && document.getElementById("question-` + key + `").offsetHeight > 0)`)
	}
	if visible("ppp_partners") != "false" || visible("ppp_description") != "false" {
		b.Fatalf("unanswered, the partners show")
	}
	b.CheckAccessible("partnerships, unanswered (en)")

	b.Do(chromedp.Click(chromedp.CSS(`#q-ppp_exists-yes`)), chromedp.WaitVisible(chromedp.CSS(`#question-ppp_partners`)))
	if visible("ppp_partners") != "true" || visible("ppp_description") != "true" {
		b.Fatalf("after Yes: partners %s, description %s", visible("ppp_partners"), visible("ppp_description"))
	}
	if got := b.Text(`#relevance-status`); !strings.Contains(got, "more questions") {
		b.Fatalf("after Yes, the status announces %q", got)
	}
	b.CheckAccessible("partnerships, Yes (en)")
	b.Screenshot("relevance-yes-en")
	b.Do(chromedp.Click(chromedp.CSS(`#q-ppp_exists-no`)), chromedp.WaitNotVisible(chromedp.CSS(`#question-ppp_partners`)))
	if visible("ppp_description") != "false" {
		b.Fatalf("after No, the description shows")
	}
	if got := b.Text(`#relevance-status`); !strings.Contains(got, "no longer apply") {
		b.Fatalf("after No, the status announces %q", got)
	}

	// Yes, a partner, Save: shown after the page comes back; in Arabic too.
	b.Do(chromedp.Click(chromedp.CSS(`#q-ppp_exists-yes`)), chromedp.WaitVisible(chromedp.CSS(`#q-ppp_partners-transport`)),
		chromedp.Click(chromedp.CSS(`#q-ppp_partners-transport`)))
	b.Press(`.form-actions button`, http.StatusOK)
	b.Do(chromedp.WaitVisible(chromedp.CSS(`#question-ppp_partners`)))
	b.Do(chromedp.Navigate(ts.URL+"/language/ar?next="+section), chromedp.WaitVisible(chromedp.CSS(`html[dir="rtl"] #q-ppp_exists`)))
	if visible("ppp_partners") != "true" || b.Eval(`String(document.getElementById("q-ppp_partners-transport").checked)`) != "true" {
		b.Fatalf("after saving Yes, in Arabic: partners %s", visible("ppp_partners"))
	}
	b.CheckAccessible("partnerships, Yes (ar)")
	b.Do(chromedp.Click(chromedp.CSS(`#q-ppp_exists-no`)), chromedp.WaitNotVisible(chromedp.CSS(`#question-ppp_partners`)))
	b.CheckAccessible("partnerships, No (ar)")
	b.Screenshot("relevance-no-ar")
	if errs := b.ConsoleErrors(); len(errs) > 0 {
		b.Fatalf("console errors: %v", errs)
	}
}

// TestBrowserRelevanceRow: in Chromium, the row of wildlife trafficking in
// the police table appears as soon as the focal point answers Yes to its
// being an offence, and goes again with No, without saving, each change
// announced; what was typed in it stays; the arrow keys step over it while
// it is hidden. After Save with Yes it stays, in Arabic too. The section
// passes axe-core in English and Arabic, with the row hidden and shown.
func TestBrowserRelevanceRow(t *testing.T) {
	ts, _ := startServer(t, nil)
	b := browsertest.New(t, 3*time.Minute)
	stats := demoCall("crime-statistics")
	section := "/orgs/AUT/calls/" + stats.Key + "/police"
	y0 := strconv.Itoa(stats.Years[0])
	cell := func(row string) string { return `#cell-police_offences-` + row + `-` + y0 + `-total` }
	const row = `#h-police_offences-r-wildlife_trafficking`
	browserSignIn(b, ts.URL, "demo-fp-aut")
	b.Do(chromedp.Navigate(ts.URL+section), chromedp.WaitVisible(chromedp.CSS(`#q-wildlife_offence`)))
	visible := func() string {
		return b.Eval(`(function () { var tr = document.querySelector("` + row + `").parentNode; return String(!tr.hidden && tr.offsetHeight > 0); })()`)
	}
	if visible() != "false" {
		b.Fatalf("unanswered, the row of wildlife trafficking shows")
	}
	b.CheckAccessible("police, unanswered (en)")
	// Hidden, the row is stepped over: down from money laundering is the
	// row of offences against tourists.
	b.Do(chromedp.Focus(chromedp.CSS(cell("money_laundering"))), chromedp.KeyEvent(kb.ArrowDown))
	if got := b.Eval(`document.activeElement.id`); got != strings.TrimPrefix(cell("offences_against_tourists"), "#") {
		b.Fatalf("ArrowDown over the hidden row went to %q", got)
	}

	b.Do(chromedp.Click(chromedp.CSS(`#q-wildlife_offence-yes`)), chromedp.WaitVisible(chromedp.CSS(row)))
	if visible() != "true" {
		b.Fatalf("after Yes, the row is hidden")
	}
	if got := b.Text(`#relevance-status`); !strings.Contains(got, "more rows") {
		b.Fatalf("after Yes, the status announces %q", got)
	}
	b.Do(chromedp.SendKeys(chromedp.CSS(cell("wildlife_trafficking")), "12"),
		chromedp.Focus(chromedp.CSS(cell("money_laundering"))), chromedp.KeyEvent(kb.ArrowDown))
	if got := b.Eval(`document.activeElement.id`); got != strings.TrimPrefix(cell("wildlife_trafficking"), "#") {
		b.Fatalf("ArrowDown onto the row shown went to %q", got)
	}
	b.CheckAccessible("police, Yes (en)")
	b.Screenshot("relevance-row-yes-en")
	b.Do(chromedp.Click(chromedp.CSS(`#q-wildlife_offence-no`)), chromedp.WaitNotVisible(chromedp.CSS(row)))
	if got := b.Text(`#relevance-status`); !strings.Contains(got, "no longer apply") || !strings.Contains(got, "rows") {
		b.Fatalf("after No, the status announces %q", got)
	}
	if got := b.Eval(`document.querySelector("` + cell("wildlife_trafficking") + `").value`); got != "12" {
		b.Fatalf("after No, the hidden row holds %q", got)
	}

	// Yes, Save: shown after the page comes back, with its figure; in Arabic too.
	b.Do(chromedp.Click(chromedp.CSS(`#q-wildlife_offence-yes`)), chromedp.WaitVisible(chromedp.CSS(row)))
	b.Press(`.form-actions button`, http.StatusOK)
	b.Do(chromedp.WaitVisible(chromedp.CSS(row)))
	b.Do(chromedp.Navigate(ts.URL+"/language/ar?next="+section), chromedp.WaitVisible(chromedp.CSS(`html[dir="rtl"] #q-wildlife_offence`)))
	if visible() != "true" || b.Eval(`document.querySelector("`+cell("wildlife_trafficking")+`").value`) != "12" {
		b.Fatalf("after saving Yes, in Arabic: row shown %s, holding %q", visible(), b.Eval(`document.querySelector("`+cell("wildlife_trafficking")+`").value`))
	}
	b.CheckAccessible("police, Yes (ar)")
	b.Do(chromedp.Click(chromedp.CSS(`#q-wildlife_offence-no`)), chromedp.WaitNotVisible(chromedp.CSS(row)))
	b.CheckAccessible("police, No (ar)")
	b.Screenshot("relevance-row-no-ar")
	if errs := b.ConsoleErrors(); len(errs) > 0 {
		b.Fatalf("console errors: %v", errs)
	}
}
