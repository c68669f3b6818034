package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portal/forms"
	"portal/forms/demo"
	"portal/handlers/browsertest"
)

// TestBrowserSubmission is the whole path in Chromium: the focal point
// submits and gets the receipt; the analyst finds it in tracking, comments
// on one answer and returns it; the focal point sees the comment at that
// answer, corrects it and resubmits; the analyst sees what changed and
// accepts; tracking shows Austria accepted. axe-core checks each page.
func TestBrowserSubmission(t *testing.T) {
	ts, srv := startServer(t, nil)
	store, views, q := demoCallOf(t, srv, "tourism-views")
	saveAnswers(t, store, views, q, "AUT", demo.Answers(q, "Austria"), false)
	b := browsertest.New(t, 4*time.Minute)
	as := func(subject string) { t.Helper(); browserSignIn(b, ts.URL, subject) }
	b.Do(chromedp.Navigate(ts.URL + "/"))

	// The focal point submits.
	as("demo-fp-aut")
	b.Press(`a[href="/orgs/AUT/calls/`+views.Key+`/submission"]`, http.StatusOK)
	b.CheckAccessible("submission page")
	// Submitting shows the answers in short and what the receipt will say first.
	b.Press(`a[href="/orgs/AUT/calls/`+views.Key+`/submit"]`, http.StatusOK)
	if ref := b.Text(`.confirm-receipt dd.reference`); ref != "CCPCJ22-P4-AUT-1" {
		b.Fatalf("the page before submitting announces the reference %q", ref)
	}
	if n := b.Eval(`String(document.querySelectorAll('.summary-section').length)`); n != "6" {
		b.Fatalf("the page before submitting summarizes %s sections", n)
	}
	b.CheckAccessible("page before submitting")
	b.Screenshot("before-submitting")
	b.Press(`.submit-form button`, http.StatusOK)
	if ref := b.Text(`dd.reference`); ref != "CCPCJ22-P4-AUT-1" {
		b.Fatalf("receipt reference %q", ref)
	}
	b.CheckAccessible("receipt")
	b.Screenshot("receipt")

	// The analyst returns it with a comment on one answer.
	as("demo-analyst")
	b.Press(`a[href="/office/calls/`+views.Key+`"]`, http.StatusOK)
	b.CheckAccessible("response tracking")
	b.Press(`a[href="/office/calls/`+views.Key+`/orgs/AUT"]`, http.StatusOK)
	b.CheckAccessible("review")
	b.Do(chromedp.SetValue(chromedp.CSS(`#comment-field`), "q/threats_nature"),
		chromedp.SendKeys(chromedp.CSS(`#comment-body`), "Which regions are most affected?"))
	b.Press(`.comment-form button`, http.StatusOK)
	b.Do(chromedp.WaitVisible(chromedp.CSS(`.comment-list`)),
		chromedp.SendKeys(chromedp.CSS(`#return-message`), "Please see the comment on the nature of the threats."))
	b.Press(`.return-form button`, http.StatusOK)
	if got := b.Text(`.flash`); !strings.Contains(got, "returned") {
		b.Fatalf("after returning: %q", got)
	}

	// The focal point sees the comment at the answer, corrects and resubmits.
	as("demo-fp-aut")
	b.Do(chromedp.Navigate(ts.URL+"/orgs/AUT/calls/"+views.Key+"/submission"), chromedp.WaitVisible(chromedp.CSS(`.comment-list`)))
	b.Press(`.comment-list a`, http.StatusOK)
	if got := b.Text(`#question-threats_nature .comment__body`); got != "Which regions are most affected?" {
		b.Fatalf("the comment at the answer: %q", got)
	}
	b.CheckAccessible("section with the Office's comment")
	b.Do(chromedp.SetValue(chromedp.CSS(`#q-threats_nature`), "Mostly the Alpine resorts and Vienna."))
	b.Press(`.form-actions button`, http.StatusOK)
	b.Do(chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	b.Do(chromedp.Navigate(ts.URL+"/orgs/AUT/calls/"+views.Key+"/submit"), chromedp.WaitVisible(chromedp.CSS(`.submit-form`)))
	b.Press(`.submit-form button`, http.StatusOK)
	if ref := b.Text(`dd.reference`); ref != "CCPCJ22-P4-AUT-2" {
		b.Fatalf("second receipt %q", ref)
	}

	// The analyst sees what changed, and accepts.
	as("demo-analyst")
	b.Do(chromedp.Navigate(ts.URL+"/office/calls/"+views.Key+"/orgs/AUT"), chromedp.WaitVisible(chromedp.CSS(`#changes`)))
	if changes := b.Text(`#changes + div table`); !strings.Contains(changes, "Mostly the Alpine resorts and Vienna.") {
		b.Fatalf("what changed: %q", changes)
	}
	b.Screenshot("review-changes")
	// Accepting asks for confirmation first, naming the version.
	b.Do(chromedp.Click(chromedp.CSS(`.decide details.confirm summary`)), chromedp.WaitVisible(chromedp.CSS(`.confirm__form button`)))
	if got := b.Text(`.confirm__form p`); !strings.Contains(got, "Accept CCPCJ22-P4-AUT-2?") {
		b.Fatalf("the confirmation: %q", got)
	}
	b.Press(`.confirm__form button`, http.StatusOK)
	b.Do(chromedp.Navigate(ts.URL+"/office/calls/"+views.Key+"?group=WEOG&state=accepted"), chromedp.WaitVisible(chromedp.CSS(`.filters`)))
	if rows := b.Text(`#g-WEOG ~ div table`); !strings.Contains(rows, "Austria") || !strings.Contains(rows, "CCPCJ22-P4-AUT-2") {
		b.Fatalf("tracking, accepted in WEOG: %q", rows)
	}
	b.Screenshot("tracking-accepted")
	if errs := b.ConsoleErrors(); len(errs) > 0 {
		b.Fatalf("console errors:\n%s", strings.Join(errs, "\n"))
	}
}

// browserSignIn signs out whoever is signed in, then signs in as subject
// through the development provider's account picker.
func browserSignIn(b *browsertest.Browser, base, subject string) {
	if b.Eval(`String(!!document.querySelector('.account form button'))`) == "true" {
		b.Press(`.account form button`, http.StatusOK)
	}
	b.Do(chromedp.Navigate(base+"/signin"), chromedp.WaitVisible(chromedp.CSS(`.accounts`)))
	b.Press(`form:has(input[name=subject][value="`+subject+`"]) button`, http.StatusOK)
}

// TestBrowserCommentOnFigure is the review path on a statistics
// submission, in Chromium: the analyst returns it with a comment on one
// figure; the focal point follows the comment to that figure's cell,
// corrects it and resubmits; the analyst sees the figure's change and
// accepts.
func TestBrowserCommentOnFigure(t *testing.T) {
	ts, srv := startServer(t, nil)
	store, stats, q := demoCallOf(t, srv, "crime-statistics")
	full := fullDraft(q, stats.Years)
	if fs := forms.Check(q, full.Answers, stats.Years); len(fs) != 0 {
		t.Fatalf("the full draft has %d findings, the first %+v", len(fs), fs[0])
	}
	saveAnswers(t, store, stats, q, "AUT", full.Answers, true)
	y := strconv.Itoa(stats.Years[len(stats.Years)-1])
	field := "c/police_offences/homicide/" + y + "/total"
	b := browsertest.New(t, 4*time.Minute)
	b.Do(chromedp.Navigate(ts.URL + "/"))

	browserSignIn(b, ts.URL, "demo-analyst")
	b.Do(chromedp.Navigate(ts.URL+"/office/calls/"+stats.Key+"/orgs/AUT"), chromedp.WaitVisible(chromedp.CSS(`.comment-form`)),
		chromedp.SetValue(chromedp.CSS(`#comment-field`), field),
		chromedp.SendKeys(chromedp.CSS(`#comment-body`), "Is this figure final? It equals the year before."))
	b.Press(`.comment-form button`, http.StatusOK)
	b.Do(chromedp.SendKeys(chromedp.CSS(`#return-message`), "Please confirm the homicide figure."))
	b.Press(`.return-form button`, http.StatusOK)

	browserSignIn(b, ts.URL, "demo-fp-aut")
	b.Do(chromedp.Navigate(ts.URL+"/orgs/AUT/calls/"+stats.Key+"/submission"), chromedp.WaitVisible(chromedp.CSS(`.comment-list`)))
	if where := b.Text(`.comment-list a`); !strings.Contains(where, "Intentional homicide") || !strings.Contains(where, y) {
		b.Fatalf("the comment's place: %q", where)
	}
	b.Press(`.comment-list a`, http.StatusOK)
	if hash := b.Eval(`location.hash`); hash != "#cell-police_offences-homicide-"+y+"-total" {
		b.Fatalf("the comment led to %q, not the figure's cell", hash)
	}
	if got := b.Text(`#question-police_offences .comment--office .comment__body`); got != "Is this figure final? It equals the year before." {
		b.Fatalf("the comment at the table: %q", got)
	}
	b.CheckAccessible("statistics section with the Office's comment")
	b.Screenshot("figure-comment")
	b.Do(chromedp.SetValue(chromedp.CSS(`#cell-police_offences-homicide-`+y+`-total`), "1,240"))
	b.Press(`.form-actions button`, http.StatusOK)
	b.Do(chromedp.Navigate(ts.URL+"/orgs/AUT/calls/"+stats.Key+"/submit"), chromedp.WaitVisible(chromedp.CSS(`.submit-form`)))
	b.Press(`.submit-form button`, http.StatusOK)
	if ref := b.Text(`dd.reference`); !strings.HasSuffix(ref, "-AUT-2") {
		b.Fatalf("second receipt %q", ref)
	}

	browserSignIn(b, ts.URL, "demo-analyst")
	b.Do(chromedp.Navigate(ts.URL+"/office/calls/"+stats.Key+"/orgs/AUT"), chromedp.WaitVisible(chromedp.CSS(`#changes`)))
	if changes := b.Text(`#changes + div table`); !strings.Contains(changes, "1,234") || !strings.Contains(changes, "1,240") || !strings.Contains(changes, "Intentional homicide") {
		b.Fatalf("what changed: %q", changes)
	}
	b.Do(chromedp.Click(chromedp.CSS(`.decide details.confirm summary`)))
	b.Press(`.confirm__form button`, http.StatusOK)
	if got := b.Text(`.flash`); !strings.Contains(got, "accepted") {
		b.Fatalf("after accepting: %q", got)
	}
	if errs := b.ConsoleErrors(); len(errs) > 0 {
		b.Fatalf("console errors:\n%s", strings.Join(errs, "\n"))
	}
}
