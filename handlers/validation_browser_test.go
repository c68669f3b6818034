package handlers

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portal/handlers/browsertest"
)

// TestBrowserValidationKeepsUp works Austria's justice section in Chromium
// as a focal point does, with autosave alone (no Save): a section with
// nothing wrong shows no error; a figure that raises a warning brings the warning, its
// explanation box, the cell's mark and the section's state ("Warning to
// explain") in place, and autosave's message says a problem remains;
// typing the explanation saves it and the section stops counting it;
// correcting the figure takes the warning away again. In English and in
// Arabic, each state checked with axe-core.
func TestBrowserValidationKeepsUp(t *testing.T) {
	ts, _ := startServer(t, nil)
	b := browsertest.New(t, 4*time.Minute)
	section := ts.URL + "/orgs/AUT/calls/" + demoCall("crime-statistics").Key + "/justice"
	const state = `document.querySelector('#section-list a[aria-current=page] + .state')`
	// typeIn types value into the field sel and waits for the autosave that follows.
	typeIn := func(sel, value string) {
		t.Helper()
		b.Eval(`document.querySelector('form[data-autosave]').dataset.autosaveState = 'typing', 'ok'`)
		b.Do(chromedp.Focus(chromedp.CSS(sel)),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('`+sel+`').select()`),
			chromedp.SendKeys(chromedp.CSS(sel), value),
			chromedp.Poll[chromedp.Void](`!['typing', 'saving'].includes(document.querySelector('form[data-autosave]').dataset.autosaveState)`, chromedp.WithPollingTimeout(30*time.Second)))
		if got := b.Eval(`document.querySelector('form[data-autosave]').dataset.autosaveState`); got != "saved" {
			b.Fatalf("autosave of %s = %q: %s", sel, value, got)
		}
	}
	for lang, year := range map[string]string{"en": "2023", "ar": "2022"} {
		prosecuted := "#cell-persons_prosecuted-homicide-" + year + "-total"
		convicted := "#cell-persons_convicted-homicide-" + year + "-total"
		browserSignIn(b, ts.URL, "demo-fp-aut")
		b.Do(chromedp.Navigate(ts.URL+"/language/"+lang+"?next=/"), chromedp.Navigate(section), chromedp.WaitVisible(chromedp.CSS(`table.grid`)))
		if n := b.Eval(`String(document.querySelectorAll('.finding--error, .finding--warning, .cell--invalid, .cell--warned').length)`); n != "0" {
			b.Fatalf("%s: a section with nothing wrong shows %s findings", lang, n)
		}
		typeIn(prosecuted, "5")
		typeIn(convicted, "9")
		// The warning, its box and the cell's mark are in place, without a reload.
		b.Do(chromedp.WaitVisible(chromedp.CSS(`#cell-findings-persons_convicted .finding--warning textarea`)))
		if got := b.Eval(`document.querySelector('` + convicted + `').closest('td').className`); !strings.Contains(got, "cell--warned") {
			b.Fatalf("%s: the warned cell's class is %q", lang, got)
		}
		describedBy := b.Eval(`document.querySelector('` + convicted + `').getAttribute('aria-describedby') || ''`)
		if describedBy == "" || b.Eval(`String(document.getElementById('`+strings.Fields(describedBy)[0]+`') !== null)`) != "true" {
			b.Fatalf("%s: the warned cell is described by %q, which is not on the page", lang, describedBy)
		}
		if got := b.Eval(state + `.className`); !strings.Contains(got, "state--unexplained") {
			b.Fatalf("%s: the section's state is %q after an unexplained warning", lang, got)
		}
		if msg := b.Text(`#save-status`); !strings.Contains(msg, map[string]string{"en": "1 problem", "ar": "مشكلة واحدة"}[lang]) {
			b.Fatalf("%s: autosave says %q with a warning to explain", lang, msg)
		}
		b.CheckAccessible(lang + " section with a warning placed by autosave")
		b.Screenshot(lang + "-autosave-warning")

		// The explanation typed in the box autosave brought is saved, and counts.
		typeIn(`#cell-findings-persons_convicted .finding--warning textarea`, "Cases that ran over two years.")
		if got := b.Eval(state + `.className`); strings.Contains(got, "state--unexplained") || strings.Contains(got, "state--has_errors") {
			b.Fatalf("%s: the section's state is %q once the warning is explained", lang, got)
		}
		if got := b.Text(`#draft-findings`); !strings.Contains(got, map[string]string{"en": "(explained)", "ar": "("}[lang]) {
			b.Fatalf("%s: the summary does not say the warning is explained: %q", lang, got)
		}
		b.Do(chromedp.Navigate(section), chromedp.WaitVisible(chromedp.CSS(`table.grid`)))
		if got := b.Eval(`document.querySelector('#cell-findings-persons_convicted textarea').value`); got != "Cases that ran over two years." {
			b.Fatalf("%s: after a reload the explanation is %q", lang, got)
		}

		// Correcting the figure takes the warning away, in place.
		typeIn(convicted, "4")
		b.Do(chromedp.Poll[chromedp.Void](`document.querySelector('#cell-findings-persons_convicted .finding') === null`, chromedp.WithPollingTimeout(10*time.Second)))
		if n := b.Eval(`String(document.querySelectorAll('.cell--warned, .cell--invalid').length)`); n != "0" {
			b.Fatalf("%s: %s cells still marked after the correction", lang, n)
		}
		if msg := b.Text(`#save-status`); strings.Contains(msg, map[string]string{"en": "problem", "ar": "مشكلة"}[lang]) {
			b.Fatalf("%s: autosave says %q with nothing wrong", lang, msg)
		}
		b.CheckAccessible(lang + " section corrected by autosave")
		b.Press(`.account form button`, 200)
	}
}

// TestRequiredShownAfterFirstSave: a section nobody has answered in is not
// a page of "answer this question"; the way from the submission page
// (?check=1) shows them, and so does the section once something in it is
// saved. The autosave's reply carries the section's findings and states.
func TestRequiredShownAfterFirstSave(t *testing.T) {
	base, cs := signedIn(t, "demo-fp-aut")
	section := base + "/orgs/AUT/calls/" + demoCall("tourism-views").Key + "/threats"
	const required = `<p class="finding finding--error"`
	if body := do(t, cs[0], "GET", section, nil).body; strings.Contains(body, required) {
		t.Fatalf("a section not started shows required questions as errors")
	}
	if body := do(t, cs[0], "GET", section+"?check=1", nil).body; strings.Count(body, required) < 2 {
		t.Fatalf("on the way from the submission page, the required questions are not marked")
	}
	e := &pageEditor{c: cs[0], section: section}
	if !e.open(t) {
		t.FailNow()
	}
	post := url.Values{"version": {strconv.Itoa(e.loaded)}, "end": {"1"}, "fields": {"q/threats_nature"}, "q/threats_nature": {"Fraud against travellers."}}
	status, reply, _ := e.post(t, post, "X-Autosave: 1", "Accept: application/json")
	if status != http.StatusOK || reply.Status != "saved" || reply.Progress == nil {
		t.Fatalf("autosave: %d %+v", status, reply)
	}
	p := reply.Progress
	if !strings.Contains(p.Parts["section-list"], "state--in_progress") || !strings.Contains(p.Parts["messages-threats_observed"], required) ||
		strings.Contains(p.Parts["messages-threats_nature"], required) || p.Problems == 0 || !strings.Contains(reply.Message, "1 problem in this section still stops the submission") {
		t.Fatalf("the autosave's progress does not show the section started with a required question left: %+v, %q", p, reply.Message)
	}
	if body := do(t, cs[0], "GET", section, nil).body; !strings.Contains(body, required) {
		t.Fatalf("a section saved once does not mark its required questions")
	}
}

// TestBlockerLinksLandOnTheField: the submission page's list of what stops
// the submission links each item to the field itself on its section's
// page: a warning to its explanation box, an error to its cell, a required
// question to the question, which the section then marks.
func TestBlockerLinksLandOnTheField(t *testing.T) {
	base, cs := signedIn(t, "demo-fp-aut")
	call := demoCall("crime-statistics")
	e := &pageEditor{c: cs[0], section: base + "/orgs/AUT/calls/" + call.Key + "/justice"}
	if !e.open(t) {
		t.FailNow()
	}
	e.set("c/persons_prosecuted/homicide/2023/total", "5")
	e.set("c/persons_convicted/homicide/2023/total", "9")
	e.set("c/persons_convicted/sexual_violence/2023/total", "3")
	e.set("c/persons_convicted/rape/2023/total", "4")
	if reply := e.autosave(t); reply.Status != "saved" {
		t.Fatalf("autosave: %+v", reply)
	}
	page := do(t, cs[0], "GET", base+"/orgs/AUT/calls/"+call.Key+"/submission", nil).body
	links := regexp.MustCompile(`<a href="(/orgs/AUT/calls/[^"#]+)#([^"]+)">`).FindAllStringSubmatch(page, -1)
	kinds := map[string]bool{}
	for _, l := range links {
		href, id := strings.ReplaceAll(l[1], "&amp;", "&"), l[2]
		kind := strings.SplitN(id, "-", 2)[0]
		kinds[kind] = true
		if !strings.HasSuffix(href, "?check=1") {
			t.Errorf("the link to %s does not ask the section to mark what is missing: %s", id, href)
		}
		section := do(t, cs[0], "GET", base+href, nil).body
		if !strings.Contains(section, `id="`+id+`"`) {
			t.Errorf("the link %s#%s lands on nothing", href, id)
		}
	}
	for _, k := range []string{"explain", "cell", "q"} {
		if !kinds[k] {
			t.Errorf("no blocker links to a %s field: %v", k, links)
		}
	}
}
