package handlers

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"portal/handlers/browsertest"
)

// TestBrowserReport is the report's whole path in Chromium: the analyst
// writes a summary, saves, releases; the Commission's reader finds the
// release in the list, follows the table of contents, and prints it: in
// print the portal's header is gone, table headers repeat, and the PDF is
// A4 and several pages long.
func TestBrowserReport(t *testing.T) {
	ts, srv := startServer(t, nil)
	store, views, _ := demoCallOf(t, srv, "tourism-views")
	startQueue(t, store) // the release is a job
	b := browsertest.New(t, 4*time.Minute)
	as := func(subject string) { t.Helper(); browserSignIn(b, ts.URL, subject) }
	b.Do(chromedp.Navigate(ts.URL + "/"))

	as("demo-analyst")
	b.Do(chromedp.Navigate(ts.URL+"/office/calls/"+views.Key), chromedp.WaitVisible(chromedp.CSS(`.filters`)))
	b.Press(`a[href="/office/calls/`+views.Key+`/report"]`, http.StatusOK)
	b.Do(chromedp.SendKeys(chromedp.CSS(`#summary-threats_nature`), "Pickpocketing and fraud against tourists come first."))
	b.Press(`.report-form button`, http.StatusOK)
	b.Do(chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	// The French translation's form: each field under its original.
	b.Do(chromedp.Navigate(ts.URL+"/office/calls/"+views.Key+"/report?text=fr"), chromedp.WaitVisible(chromedp.CSS(`.original`)))
	b.CheckAccessible("the report's French translation")
	b.Screenshot("report-translation")
	b.Do(chromedp.Navigate(ts.URL+"/office/calls/"+views.Key+"/report"), chromedp.WaitVisible(chromedp.CSS(`.report-form`)))
	b.Do(chromedp.Click(chromedp.CSS(`#release-confirm`)))
	b.Press(`.release-form button`, http.StatusOK)
	b.Do(chromedp.WaitVisible(chromedp.CSS(`.report__toc`)))
	b.CheckAccessible("the report just released")

	as("demo-commission")
	b.Do(chromedp.Navigate(ts.URL+"/commission"), chromedp.WaitVisible(chromedp.CSS(`.releases`)))
	b.Press(`.releases li:first-child a`, http.StatusOK)
	if got := b.Text(`.report__release`); !regexp.MustCompile(`^Release 2, \d{4}-\d\d-\d\d$`).MatchString(got) {
		b.Fatalf("the newest release first: %q", got)
	}
	if got := b.Text(`#q-threats_nature p.report__text`); got != "Pickpocketing and fraud against tourists come first." {
		b.Fatalf("the summary: %q", got)
	}
	b.Do(chromedp.Click(chromedp.CSS(`.report__toc a[href="#sources"]`)))
	if got := b.Eval(`location.hash`); got != "#sources" {
		b.Fatalf("the table of contents led to %q", got)
	}
	b.Screenshot("report")
	if got := b.Eval(`String(document.querySelector('button[data-print]').hidden)`); got != "false" {
		b.Fatalf("the print button is hidden on screen with the script running")
	}

	// In print.
	b.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	}))
	if got := b.Eval(`getComputedStyle(document.querySelector('.site-header')).display`); got != "none" {
		b.Fatalf("in print the site's header is %q", got)
	}
	if got := b.Eval(`getComputedStyle(document.querySelector('button[data-print]')).display`); got != "none" {
		b.Fatalf("in print the print button shows (%q)", got)
	}
	if got := b.Eval(`getComputedStyle(document.querySelector('.report thead')).display`); got != "table-header-group" {
		b.Fatalf("in print a table's header is %q, want repeated on each page", got)
	}
	var pdf []byte
	b.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) (err error) {
		pdf, err = chromedp.PrintToPDF(func(p *page.PrintToPDFParams) { p.PreferCSSPageSize = new(true) })(ctx, tg)
		return err
	}))
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		b.Fatalf("not a PDF")
	}
	// A4 is 595 × 842 points.
	if !regexp.MustCompile(`/MediaBox \[0 0 59[45]\.\d+ 841\.\d+\]`).Match(pdf) {
		b.Fatalf("the printed pages are not A4: %s", regexp.MustCompile(`/MediaBox \[[^\]]*\]`).Find(pdf))
	}
	// Each section on a new page took 17 pages, two of them nearly empty;
	// only the statistics and the annexes start one now.
	if pages := len(regexp.MustCompile(`/Type /Page\b`).FindAll(pdf, -1)); pages < 3 || pages > 15 {
		b.Fatalf("%d printed pages, want 3 to 15", pages)
	}
	if dir, ok := any(t).(interface{ ArtifactDir() string }); ok {
		_ = os.WriteFile(filepath.Join(dir.ArtifactDir(), "report.pdf"), pdf, 0o644)
	}
	if p := os.Getenv("REPORT_PDF"); p != "" {
		_ = os.WriteFile(p, pdf, 0o644)
	}
	if errs := b.ConsoleErrors(); len(errs) > 0 {
		b.Fatalf("console errors: %v", errs)
	}
}
