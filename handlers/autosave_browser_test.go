package handlers

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portal/handlers/browsertest"
	"portal/templates/views"
)

// TestBrowserAutosaveEditors has two, then eight people on Austria's
// justice section in Chromium at once, each in a browser of their own,
// typing figures in cells of their own and leaving autosave to save them:
// every figure autosave acknowledged is in the draft at the end, and no
// autosave said "conflict". The first round is the review's case: A types
// 111, B 222 in another cell, then 333 in that same cell; A's cell keeps 111.
func TestBrowserAutosaveEditors(t *testing.T) {
	ts, _ := startServer(t, nil)
	stats := demoCall("crime-statistics")
	section := ts.URL + "/orgs/AUT/calls/" + stats.Key + "/justice"
	first := browsertest.New(t, 5*time.Minute)
	fp := clientAs(t, ts.URL, "demo-fp-aut")
	cells := emptyCells(t, formOf(t, do(t, fp, "GET", section, nil).body), 8*2)
	cellID := func(field string) string { return "#" + views.FieldID(field) }

	tabs := []*browsertest.Browser{first}
	open := func(n int) {
		for len(tabs) < n {
			tabs = append(tabs, first.Another())
		}
		for i, b := range tabs[:n] {
			browserSignIn(b, ts.URL, []string{"demo-fp-aut", "demo-contrib-aut"}[i%2])
			b.Do(chromedp.Navigate(section), chromedp.WaitVisible(chromedp.CSS(`table.grid`)))
		}
	}
	// typeIn replaces a cell's figure as a person would, then waits for
	// the autosave that follows and returns what it said.
	typeIn := func(b *browsertest.Browser, field, value string) string {
		sel := cellID(field)
		b.Eval(`document.querySelector('form[data-autosave]').dataset.autosaveState = 'typing', 'ok'`)
		b.Do(chromedp.Focus(chromedp.CSS(sel)),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('`+sel+`').select()`),
			chromedp.SendKeys(chromedp.CSS(sel), value),
			chromedp.Poll[chromedp.Void](`!['typing', 'saving'].includes(document.querySelector('form[data-autosave]').dataset.autosaveState)`, chromedp.WithPollingTimeout(30*time.Second)))
		return b.Eval(`document.querySelector('form[data-autosave]').dataset.autosaveState`)
	}
	saved := func() map[string]string {
		f := formOf(t, do(t, fp, "GET", section, nil).body)
		out := map[string]string{}
		for _, c := range cells {
			out[c] = f.Get(c)
		}
		return out
	}

	// Two people: the review's case.
	open(2)
	a, b := tabs[0], tabs[1]
	for _, step := range []struct {
		who   *browsertest.Browser
		field string
		value string
	}{{a, cells[0], "111"}, {b, cells[1], "222"}, {b, cells[1], "333"}} {
		if got := typeIn(step.who, step.field, step.value); got != "saved" {
			step.who.Fatalf("autosave of %s = %s: %s", step.field, step.value, got)
		}
	}
	if now := saved(); now[cells[0]] != "111" || now[cells[1]] != "333" {
		t.Fatalf("two editors: A's cell %q (want 111), B's %q (want 333)", now[cells[0]], now[cells[1]])
	}
	first.Screenshot("autosave-two-editors")

	// Eight people at once, two cells each, three rounds.
	open(8)
	want := map[string]string{cells[0]: "111", cells[1]: "333"}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, b := range tabs {
		wg.Go(func() {
			for r := range 3 {
				field := cells[2*i+r%2]
				value := strconv.Itoa(500 + 10*r + i)
				if got := typeIn(b, field, value); got != "saved" {
					t.Errorf("editor %d, round %d: autosave said %s", i, r, got)
					return
				}
				mu.Lock()
				want[field] = value
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	now := saved()
	var lost []string
	for f, v := range want {
		if now[f] != v {
			lost = append(lost, fmt.Sprintf("%s: %q, acknowledged %q", f, now[f], v))
		}
	}
	if len(lost) > 0 {
		t.Fatalf("eight editors: %d acknowledged figures lost:\n%s", len(lost), strings.Join(lost, "\n"))
	}
}
