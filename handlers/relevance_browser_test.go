package handlers

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

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
