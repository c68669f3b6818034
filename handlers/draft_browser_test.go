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

// TestBrowserDraft is a focal point's session in Chromium, in French: they
// answer narrative questions and part of a statistics table, meet a
// warning, explain it, save, reload and find everything as they left it;
// then a contributor saves the same figure meanwhile, and the conflict
// page lets the focal point keep theirs. Every page passes axe-core.
func TestBrowserDraft(t *testing.T) {
	ts, _ := startServer(t, nil)
	b := browsertest.New(t, 4*time.Minute)
	views, stats := demoCall("tourism-views"), demoCall("crime-statistics")
	axe := b.CheckAccessible
	b.Do(chromedp.Navigate(ts.URL+"/language/fr?next=/signin"), chromedp.WaitVisible(chromedp.CSS(`.accounts`)))
	b.Press(`form:has(input[name=subject][value="demo-fp-aut"]) button`, http.StatusOK)
	if got := b.Eval(`document.documentElement.lang`); got != "fr" {
		b.Fatalf("page language %q", got)
	}
	b.Press(`a[href="/orgs/AUT/calls/`+views.Key+`"]`, http.StatusOK)
	axe("views section (fr)")

	// Narrative answers; the character count follows the typing.
	b.Do(chromedp.Click(chromedp.CSS(`#q-threats_observed-terrorism`)),
		chromedp.SendKeys(chromedp.CSS(`#q-threats_nature`), "Vols à la tire dans la vieille ville."),
	)
	if got := b.Text(`#q-threats_nature-count`); !strings.Contains(got, "37") {
		b.Fatalf("character count %q", got)
	}
	b.Press(`.form-actions button`, http.StatusOK)
	b.Do(chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	b.Screenshot("draft-views-saved-fr")

	// Part of a table, in the police section.
	y0, y1 := strconv.Itoa(stats.Years[0]), strconv.Itoa(stats.Years[1])
	cell := func(row, year string) string { return `#cell-police_offences-` + row + `-` + year + `-total` }
	b.Do(chromedp.Navigate(ts.URL+"/orgs/AUT/calls/"+stats.Key+"/police"), chromedp.WaitVisible(chromedp.CSS(`table.grid`)))
	axe("statistics section (fr)")
	b.Do(chromedp.SendKeys(chromedp.CSS(cell("homicide", y0)), "100"),
		chromedp.SendKeys(chromedp.CSS(cell("homicide", y1)), "300"))
	// The arrow key moves down a row, to the same column.
	b.Do(chromedp.Focus(chromedp.CSS(cell("homicide", y0))), chromedp.KeyEvent(kb.ArrowDown))
	if got := b.Eval(`document.activeElement.id`); got != strings.TrimPrefix(cell("attempted_homicide", y0), "#") {
		b.Fatalf("ArrowDown went to %q", got)
	}
	// Not available, without typing a word: the cell's own menu. Its
	// button is brought to the middle of the window first: near the bottom
	// the sticky bar of Save covers it, and a click there is the bar's.
	b.Eval(`(function () { document.querySelector('` + cell("robbery", y0) + ` + button.cell-more-btn').scrollIntoView({block: "center"}); return ""; })()`)
	b.Do(chromedp.Click(chromedp.CSS(cell("robbery", y0)+` + button.cell-more-btn`)),
		chromedp.SetValue(chromedp.CSS(cell("robbery", y0)+`-s`), "na"))
	b.Eval(`String(document.querySelector('` + cell("robbery", y0) + `-s').dispatchEvent(new Event('change', {bubbles: true})))`)
	if got := b.Eval(`document.querySelector('` + cell("robbery", y0) + `').placeholder`); got == "" {
		b.Fatalf("a cell not available shows %q", got)
	}
	b.Press(`.form-actions button`, http.StatusOK)
	b.Do(chromedp.WaitVisible(chromedp.CSS(`.finding--warning textarea`)))
	axe("statistics section with a warning (fr)")
	b.Screenshot("draft-police-warning-fr")
	b.Do(chromedp.SendKeys(chromedp.CSS(`.finding--warning textarea`), "Nouveau système d’enregistrement."))
	b.Press(`.form-actions button`, http.StatusOK)
	b.Do(chromedp.WaitVisible(chromedp.CSS(`.explained`)))

	// Sign out and back in: everything is there.
	browserSignIn(b, ts.URL, "demo-fp-aut")
	b.Do(chromedp.Navigate(ts.URL+"/orgs/AUT/calls/"+stats.Key+"/police"), chromedp.WaitVisible(chromedp.CSS(`table.grid`)))
	for sel, want := range map[string]string{
		cell("homicide", y0) + `.value`:    "100",
		cell("homicide", y1) + `.value`:    "300",
		cell("robbery", y0) + `-s.value`:   "na",
		`.finding--warning textarea.value`: "Nouveau système d’enregistrement.",
	} {
		q, _, _ := strings.Cut(sel, ".value")
		if got := b.Eval(`document.querySelector('` + q + `').value`); got != want {
			b.Fatalf("%s after signing in again: %q, want %q", q, got, want)
		}
	}
	b.Do(chromedp.Navigate(ts.URL+"/orgs/AUT/calls/"+views.Key+"/threats"), chromedp.WaitVisible(chromedp.CSS(`form.draft-form`)))
	if got := b.Eval(`document.querySelector('#q-threats_nature').value`); got != "Vols à la tire dans la vieille ville." {
		b.Fatalf("narrative answer after signing in again: %q", got)
	}
	if got := b.Eval(`String(document.querySelector('#q-threats_observed-terrorism').checked)`); got != "true" {
		b.Fatalf("the threat ticked is not ticked")
	}

	// A contributor saves the same figure while the page is open.
	b.Do(chromedp.Navigate(ts.URL+"/orgs/AUT/calls/"+stats.Key+"/police"), chromedp.WaitVisible(chromedp.CSS(`table.grid`)))
	contrib := clientAs(t, ts.URL, "demo-contrib-aut")
	page := do(t, contrib, "GET", ts.URL+"/orgs/AUT/calls/"+stats.Key+"/police", nil)
	form := formOf(t, page.body)
	form.Set("c/police_offences/homicide/"+y0+"/total", "110")
	if r := do(t, contrib, "POST", ts.URL+"/orgs/AUT/calls/"+stats.Key+"/police", form); r.status != http.StatusSeeOther {
		t.Fatalf("contributor's save: %d", r.status)
	}
	b.Do(chromedp.SetValue(chromedp.CSS(cell("homicide", y0)), "120"))
	b.Press(`.form-actions button`, http.StatusConflict)
	axe("conflict page (fr)")
	b.Screenshot("draft-conflict-fr")
	if body := b.Text(`.conflict`); !strings.Contains(body, "110") || !strings.Contains(body, "120") {
		b.Fatalf("the conflict shows %q; want both 110 and 120", body)
	}
	// Leaving the conflict page without choosing loses nothing: the
	// section says so and leads back to the choice.
	b.Do(chromedp.Navigate(ts.URL+"/orgs/AUT/calls/"+stats.Key+"/police"), chromedp.WaitVisible(chromedp.CSS(`#pending-conflicts`)))
	axe("section with a conflict kept (fr)")
	b.Press(`#pending-conflicts a`, http.StatusConflict)
	b.Do(chromedp.Click(chromedp.CSS(`.conflict input[value=mine]`)))
	b.Press(`.conflict-form button`, http.StatusOK)
	b.Do(chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	if got := b.Eval(`document.querySelector('` + cell("homicide", y0) + `').value`); got != "120" {
		b.Fatalf("after choosing mine: %q", got)
	}

	// Autosave: a change is saved without pressing Save.
	b.Do(chromedp.SendKeys(chromedp.CSS(cell("burglary", y0)), "55"))
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(b.Text(`#save-status`), "UTC") {
		if time.Now().After(deadline) {
			b.Fatalf("autosave status: %q", b.Text(`#save-status`))
		}
		time.Sleep(200 * time.Millisecond)
	}
	if got := formOf(t, do(t, contrib, "GET", ts.URL+"/orgs/AUT/calls/"+stats.Key+"/police", nil).body).Get("c/police_offences/burglary/" + y0 + "/total"); got != "55" {
		t.Errorf("autosaved figure seen by the contributor: %q", got)
	}

	// The same pages in Arabic, right to left.
	b.Do(chromedp.Navigate(ts.URL+"/language/ar?next=/orgs/AUT/calls/"+stats.Key+"/police"), chromedp.WaitVisible(chromedp.CSS(`html[dir="rtl"] table.grid`)))
	axe("statistics section (ar)")
	b.Screenshot("draft-police-ar")
	// The conflict page comes with status 409, which Chromium notes.
	var errs []string
	for _, e := range b.ConsoleErrors() {
		if !strings.Contains(e, "status of 409") {
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		b.Fatalf("console errors:\n%s", strings.Join(errs, "\n"))
	}
}
