package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"portal/forms"
	"portal/handlers/browsertest"
)

// TestBrowserPhoneAndGrid is a draft's pages on a phone (390 px wide) and
// on a laptop (1366 px), in English and in Arabic, in Chromium: the
// largest statistics section ("justice", six tables of 16 columns) with
// every cell filled with figures of seven and eight digits, and a section
// of the views questionnaire. On the phone the list of sections does not
// cover the first question and the page never scrolls sideways; in both
// sizes a table scrolled in its box, across and down, keeps the row label
// and the column headings of the input in its middle in view, the
// largest figure a table allows fits its input, and a cell's details open
// over the table without making its row taller. Every page passes
// axe-core; each is photographed.
func TestBrowserPhoneAndGrid(t *testing.T) {
	ts, srv := startServer(t, nil)
	store, stats, q := demoCallOf(t, srv, "crime-statistics")
	views := demoCall("tourism-views")
	// Every cell filled, each category 2,992,450 and each total three or
	// four times that, so that no rule finds anything; one cell with a
	// note, so that its details are on the page from the start.
	full := fullDraft(q, stats.Years)
	for ref, c := range full.Answers.Cells {
		c.Value *= 2425
		full.Answers.Cells[ref] = c
	}
	y0 := stats.Years[0]
	noted := forms.CellRef{Question: "persons_contact", Row: "robbery", Year: y0, Category: "female"}
	c := full.Answers.Cells[noted]
	c.Note = "Police records only."
	full.Answers.Cells[noted] = c
	if fs := forms.Check(q, full.Answers, stats.Years); len(fs) != 0 {
		t.Fatalf("the draft has %d findings, the first %+v", len(fs), fs[0])
	}
	saveAnswers(t, store, stats, q, "AUT", full.Answers, false)

	b := browsertest.New(t, 6*time.Minute)
	b.Do(chromedp.Navigate(ts.URL + "/"))
	browserSignIn(b, ts.URL, "demo-fp-aut")
	justice := ts.URL + "/orgs/AUT/calls/" + stats.Key + "/justice"
	threats := ts.URL + "/orgs/AUT/calls/" + views.Key + "/threats"

	for _, lang := range []string{"en", "ar"} {
		b.Do(chromedp.Navigate(ts.URL + "/language/" + lang + "?next=/home"))
		for _, size := range []struct {
			name          string
			width, height int64
			phone         bool
		}{{"390", 390, 844, true}, {"1366", 1366, 900, false}} {
			name := lang + "-" + size.name
			b.Do(chromedp.EmulateViewport(size.width, size.height))

			if size.phone {
				b.Do(chromedp.Navigate(threats), chromedp.WaitVisible(chromedp.CSS(`form.draft-form`)))
				checkPhonePage(b, "views section "+name)
				b.CheckAccessible("views section " + name)
				b.Screenshot("views-threats-" + name)
				b.WindowScreenshot("views-threats-window-" + name)
			}

			b.Do(chromedp.Navigate(justice), chromedp.WaitVisible(chromedp.CSS(`table.grid`)))
			if size.phone {
				checkPhonePage(b, "justice section "+name)
			} else if sticky := b.Eval(`getComputedStyle(document.querySelector('.section-nav')).position`); sticky != "sticky" {
				b.Fatalf("%s: the list of sections is %s beside the section, want sticky", name, sticky)
			}
			b.CheckAccessible("justice section " + name)
			b.Screenshot("justice-" + name)
			b.WindowScreenshot("justice-window-" + name)

			// The figures fit: the largest of the page (eight digits), and
			// the largest the table allows (nine digits, grouped).
			if over := b.Eval(`JSON.stringify(Array.from(document.querySelectorAll('td.cell > input')).filter(i => i.scrollWidth > i.clientWidth).map(i => i.id + ' ' + i.value).slice(0, 5))`); over != "[]" {
				b.Fatalf("%s: figures wider than their inputs: %s", name, over)
			}
			cell := "#cell-persons_contact-robbery-" + fmt.Sprint(y0) + "-male"
			if got := b.Eval(`document.querySelector('` + cell + `').value`); got != "2,992,450" {
				b.Fatalf("%s: the cell shows %q", name, got)
			}
			// (Set by the script, which sends no input event: the draft is
			// left as it was, with nothing for autosave to do.)
			if fits := b.Eval(`(i => { i.value = '999,999,999'; const fits = i.scrollWidth <= i.clientWidth; i.value = '2,992,450'; return String(fits); })(document.querySelector('` + cell + `'))`); fits != "true" {
				b.Fatalf("%s: a figure of nine digits does not fit its input", name)
			}

			// Scrolled across and down, the input in the middle of the box
			// keeps its labels in view.
			var seen gridView
			out := b.Eval(scrollGrid(`#question-persons_contact table.grid`, 0.7, 0.6))
			if err := json.Unmarshal([]byte(out), &seen); err != nil {
				b.Fatalf("%s: %v: %s", name, err, out)
			}
			if !seen.Scrolled || !seen.Row || !seen.Column || !seen.Year {
				b.Fatalf("%s: scrolled in its box, the table shows %s", name, out)
			}
			b.Screenshot("justice-scrolled-" + name)
			b.WindowScreenshot("justice-scrolled-window-" + name)

			// A cell's details: made and opened by the script on a cell that
			// had none, and opened without it on the cell with a note.
			for _, c := range []string{seen.Input, "cell-persons_contact-robbery-" + fmt.Sprint(y0) + "-female"} {
				checkDetails(b, name, c)
			}
			b.Do(chromedp.Click(chromedp.CSS(`#`+seen.Input+`-b`)), chromedp.WaitVisible(chromedp.CSS(`#`+seen.Input+`-d`)))
			b.CheckAccessible("justice section with a cell's details open " + name)
			b.WindowScreenshot("justice-details-window-" + name)
			b.Do(chromedp.KeyEvent(kb.Escape))
		}
	}
	b.Do(chromedp.EmulateViewport(1280, 900))

	// Without script: the details of the cell with a note open as they
	// are, and what is changed there posts with the form; a cell without
	// details asks for them by saving the form, and its button then opens them.
	scripts := func(on bool) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
			return err
		})
	}
	noted0 := "cell-persons_contact-robbery-" + fmt.Sprint(y0) + "-female"
	plain := "cell-persons_contact-theft-" + fmt.Sprint(y0) + "-male"
	b.Do(scripts(false), chromedp.Navigate(justice), chromedp.WaitVisible(chromedp.CSS(`table.grid`)),
		chromedp.Click(chromedp.CSS(`#`+noted0+`-b`)), chromedp.WaitVisible(chromedp.CSS(`#`+noted0+`-n`)),
		chromedp.Focus(chromedp.CSS(`#`+noted0+`-n`)), chromedp.KeyEvent(kb.End), chromedp.KeyEvent(" Checked."))
	b.Press(`.form-actions button`, http.StatusOK)
	if got := formOf(t, do(t, clientAs(t, ts.URL, "demo-contrib-aut"), "GET", justice, nil).body).Get("n/persons_contact/robbery/" + fmt.Sprint(y0) + "/female"); got != "Police records only. Checked." {
		b.Fatalf("without script: the note saved is %q", got)
	}
	b.Press(`#`+plain+` + button[name=open]`, http.StatusOK)
	b.Do(chromedp.Click(chromedp.CSS(`#`+plain+`-b`)), chromedp.WaitVisible(chromedp.CSS(`#`+plain+`-s`)))
	b.WindowScreenshot("justice-noscript-details")
	b.Do(scripts(true))
	full.Answers.Cells[noted] = forms.Cell{State: c.State, Value: c.Value, Note: "Police records only. Checked."}

	// Once submitted, the form is disabled, its buttons too: the details
	// of the cell with a note open with a link.
	browserSignIn(b, ts.URL, "demo-fp-aut")
	saveAnswers(t, store, stats, q, "AUT", full.Answers, true)
	b.Do(chromedp.Navigate(justice), chromedp.WaitVisible(chromedp.CSS(`fieldset[disabled] table.grid`)))
	id := "cell-persons_contact-robbery-" + fmt.Sprint(y0) + "-female"
	before := b.Eval(`String(document.getElementById('` + id + `').closest('tr').getBoundingClientRect().height)`)
	b.Do(chromedp.Click(chromedp.CSS(`a#`+id+`-b`)), chromedp.WaitVisible(chromedp.CSS(`#`+id+`-d`)))
	if got := b.Eval(`document.getElementById('` + id + `-n').value`); got != "Police records only. Checked." {
		b.Fatalf("read-only: the note shows %q", got)
	}
	if after := b.Eval(`String(document.getElementById('` + id + `').closest('tr').getBoundingClientRect().height)`); after != before {
		b.Fatalf("read-only: the row was %s px high, %s px with the details open", before, after)
	}
	// axe-core holds everything inside a disabled fieldset unfocusable,
	// the tables' scroll boxes (tabindex 0) included, which browsers do not
	// (they disable only form controls): a box of the read-only page takes
	// the focus, so that finding is left out here.
	if got := b.Eval(`(box => { box.focus(); return String(document.activeElement === box); })(document.querySelector('.grid-box'))`); got != "true" {
		b.Fatalf("read-only: a table's box does not take the focus")
	}
	var found []string
	for _, v := range b.Axe() {
		if v.ID != "scrollable-region-focusable" {
			found = append(found, v.String())
		}
	}
	if len(found) > 0 {
		b.Fatalf("read-only justice section with a cell's details open: accessibility violations:\n%s", strings.Join(found, "\n"))
	}
	b.WindowScreenshot("justice-readonly-details")
	if errs := b.ConsoleErrors(); len(errs) > 0 {
		b.Fatalf("console errors:\n%s", strings.Join(errs, "\n"))
	}
}

// checkPhonePage fails unless the page fits a phone: nothing wider than the
// window, the list of sections in the flow and folded, clear of the first
// question, and the links and buttons of the section big enough to touch.
func checkPhonePage(b *browsertest.Browser, page string) {
	b.Do(chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	if got := b.Eval(`(d => d.scrollWidth + ' ' + d.clientWidth)(document.documentElement)`); func() bool {
		var sw, cw int
		_, _ = fmt.Sscan(got, &sw, &cw)
		return sw > cw
	}() {
		wide := b.Eval(`JSON.stringify(Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && (!e.closest('.grid-box') || ['fixed', 'absolute'].includes(getComputedStyle(e).position))).slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right)))`)
		b.Fatalf("%s: the page is wider than the window (scroll width, window): %s; sticking out: %s", page, got, wide)
	}
	const layout = `(() => {
		const nav = document.querySelector('.section-nav'), q = document.querySelector('.question');
		const n = nav.getBoundingClientRect(), r = q.getBoundingClientRect();
		const overlap = n.bottom > r.top && n.top < r.bottom && n.right > r.left && n.left < r.right;
		const small = Array.from(document.querySelectorAll('.section-nav summary, .section-nav a, .cell-more-btn, .form-actions button'))
			.filter(e => e.getClientRects().length > 0)
			.map(e => [e, e.getBoundingClientRect()]).filter(([e, b]) => b.width < 24 || b.height < 24)
			.map(([e, b]) => (e.id || e.className || e.tagName) + ' ' + Math.round(b.width) + 'x' + Math.round(b.height));
		return JSON.stringify({position: getComputedStyle(nav).position, open: nav.querySelector('details').open,
			overlap, small: small.slice(0, 5)});
	})()`
	var got struct {
		Position string
		Open     bool
		Overlap  bool
		Small    []string
	}
	out := b.Eval(layout)
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		b.Fatalf("%s: %v: %s", page, err, out)
	}
	if got.Position == "sticky" || got.Position == "fixed" || got.Open || got.Overlap || len(got.Small) > 0 {
		b.Fatalf("%s: the list of sections is %s (open: %v), over the first question: %v; targets under 24 px: %v", page, got.Position, got.Open, got.Overlap, got.Small)
	}
	// Unfolded, the list pushes the questions down rather than covering them.
	b.Do(chromedp.Click(chromedp.CSS(`.section-nav summary`)))
	if over := b.Eval(`(() => { const n = document.querySelector('.section-nav').getBoundingClientRect(), r = document.querySelector('.question').getBoundingClientRect(); return String(n.bottom > r.top); })()`); over != "false" {
		b.Fatalf("%s: the unfolded list of sections covers the first question", page)
	}
	b.Do(chromedp.Click(chromedp.CSS(`.section-nav summary`)))
}

// gridView is what scrollGrid saw.
type gridView struct {
	Scrolled          bool   // the box scrolled both ways
	Input             string // the id of the input in the middle of the box
	Row, Column, Year bool   // its headings are in view, beside it, uncovered
	Detail            string
}

// scrollGrid returns a script that scrolls the box of the table sel
// across by the share x of what it can scroll and down by y, then finds the
// input in the middle of what the box shows and whether its row heading,
// column heading and year heading are in view, in its row and column, and
// not covered by anything.
func scrollGrid(sel string, x, y float64) string {
	return fmt.Sprintf(`(() => {
	const table = document.querySelector(%q), box = table.closest('.grid-box');
	box.scrollIntoView({block: 'center'});
	const rtl = getComputedStyle(box).direction === 'rtl';
	box.scrollLeft = (rtl ? -1 : 1) * (box.scrollWidth - box.clientWidth) * %g;
	box.scrollTop = (box.scrollHeight - box.clientHeight) * %g;
	const scrolled = Math.abs(box.scrollLeft) > 100 && box.scrollTop > 0;
	const br = box.getBoundingClientRect();
	const at = (x, y) => document.elementFromPoint(x, y);
	const td = at((br.left + br.right) / 2, (br.top + br.bottom) / 2).closest('td.cell');
	if (!td) { return JSON.stringify({scrolled, detail: 'no cell in the middle of the box'}); }
	const input = td.querySelector(':scope > input'), ir = input.getBoundingClientRect();
	const [rowID, yearID, colID] = td.getAttribute('headers').split(' ');
	const inBox = r => r.left >= br.left - 1 && r.right <= br.right + 1 && r.top >= br.top - 1 && r.bottom <= br.bottom + 1;
	const shows = (el, x, y) => { const e = at(x, y); return !!e && (e === el || el.contains(e)); };
	const row = document.getElementById(rowID), rr = row.getBoundingClientRect();
	const col = document.getElementById(colID), cr = col.getBoundingClientRect();
	const year = document.getElementById(yearID).querySelector('span'), yr = year.getBoundingClientRect();
	return JSON.stringify({scrolled, input: input.id,
		row: inBox(rr) && rr.top <= ir.top && rr.bottom >= ir.bottom && shows(row, (rr.left + rr.right) / 2, (ir.top + ir.bottom) / 2),
		column: inBox(cr) && cr.left <= ir.left + 1 && cr.right >= ir.right - 1 && shows(col, (ir.left + ir.right) / 2, (cr.top + cr.bottom) / 2),
		year: inBox(yr) && shows(year, (yr.left + yr.right) / 2, (yr.top + yr.bottom) / 2),
		detail: [rowID, colID, yearID, JSON.stringify(br), JSON.stringify(ir), JSON.stringify(rr), JSON.stringify(cr), JSON.stringify(yr)].join(' ')});
})()`, sel, x, y)
}

// checkDetails opens the details of the cell whose input is id with its
// button and fails unless they open over the table, within the window,
// with the row no taller than a pixel more; Escape closes them and
// leaves the focus on the button.
func checkDetails(b *browsertest.Browser, page, id string) {
	row := `document.getElementById('` + id + `').closest('tr').getBoundingClientRect().height`
	before := b.Eval(`String(` + row + `)`)
	b.Do(chromedp.Click(chromedp.CSS(`#`+id+` + .cell-more-btn`)), chromedp.WaitVisible(chromedp.CSS(`#`+id+`-d`)))
	const open = `(() => {
		const pop = document.getElementById(%q), btn = document.getElementById(%q), p = pop.getBoundingClientRect();
		return JSON.stringify({open: pop.matches(':popover-open'), within: p.left >= 0 && p.top >= 0 && p.right <= innerWidth && p.bottom <= innerHeight,
			invoker: btn.popoverTargetElement === pop, row: %s});
	})()`
	var got struct {
		Open, Within, Invoker bool
		Row                   float64
	}
	out := b.Eval(fmt.Sprintf(open, id+"-d", id+"-b", row))
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		b.Fatalf("%s: %v: %s", page, err, out)
	}
	var h float64
	_, _ = fmt.Sscan(before, &h)
	if !got.Open || !got.Within || !got.Invoker || got.Row > h+1 {
		b.Fatalf("%s: the details of %s: %s (the row was %s px high)", page, id, out, before)
	}
	b.Do(chromedp.KeyEvent(kb.Escape))
	if got := b.Eval(`String(!document.getElementById('` + id + `-d').matches(':popover-open') && document.activeElement.id === '` + id + `-b')`); got != "true" {
		b.Fatalf("%s: Escape did not close the details of %s, or left the focus elsewhere (%s)", page, id, b.Eval(`document.activeElement.id`))
	}
}
