package handlers

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portal/forms"
	"portal/forms/demo"
	"portal/handlers/browsertest"
)

// TestBrowserSmoke loads the landing page in headless Chromium: it has its
// title and heading, the keyboard reaches the skip link first, the language
// switcher turns the page into Arabic laid out right to left, and the
// console shows no error (a Content-Security-Policy violation would be one).
func TestBrowserSmoke(t *testing.T) {
	srv := httptest.NewServer(newServer(t, "http://127.0.0.1"))
	t.Cleanup(srv.Close)
	b := browsertest.New(t, 60*time.Second)

	b.Do(chromedp.Navigate(srv.URL + "/"))
	if got := b.Eval(`document.title`); got != "Member State submissions portal" {
		b.Fatalf("title %q", got)
	}
	if got := b.Text("h1"); got != "Member State submissions portal" {
		b.Fatalf("heading %q", got)
	}
	if got := b.Eval(`getComputedStyle(document.querySelector('.site-header')).backgroundColor`); got != "rgb(0, 85, 140)" {
		b.Fatalf("stylesheet not applied: header background %q", got)
	}
	b.Do(chromedp.KeyEvent("\t"))
	if got := b.Eval(`document.activeElement.className`); got != "skip-link" {
		b.Fatalf("first Tab stop is %q, want the skip link", got)
	}
	b.Screenshot("landing-en")

	b.Press(`.language-switcher a[lang="ar"]`, http.StatusOK)
	b.Do(chromedp.WaitVisible(chromedp.CSS(`html[dir="rtl"]`)))
	if got := b.Eval(`document.documentElement.lang`); got != "ar" {
		b.Fatalf("after choosing Arabic, lang=%q", got)
	}
	if h1 := b.Text("h1"); !strings.Contains(h1, "بوابة") {
		b.Fatalf("Arabic heading %q", h1)
	}
	b.Screenshot("landing-ar")

	if errs := b.ConsoleErrors(); len(errs) > 0 {
		b.Fatalf("console errors:\n%s", strings.Join(errs, "\n"))
	}
}

// TestBrowserSignInEachRole signs in through the development provider as
// each demo account, in Chromium, lands on that role's home page, and
// signs out.
func TestBrowserSignInEachRole(t *testing.T) {
	ts, _ := startServer(t, nil)
	b := browsertest.New(t, 3*time.Minute)
	homes := map[forms.Role]string{
		forms.FocalPoint:  "/orgs/",
		forms.Contributor: "/orgs/",
		forms.Analyst:     "/office",
		forms.Admin:       "/office",
		forms.Commission:  "/commission",
		"":                "/home",
	}
	for _, a := range demo.Accounts {
		b.Do(chromedp.Navigate(ts.URL + "/"))
		b.Press(`.account__signin`, http.StatusOK)
		b.Press(`form:has(input[name=subject][value="`+a.Subject+`"]) button`, http.StatusOK)
		path := b.Eval(`location.pathname`)
		if want := homes[a.Role] + a.Org; !strings.HasPrefix(path, want) {
			b.Fatalf("%s (%s) landed on %s, want %s", a.Email, a.Role, path, want)
		}
		if got := b.Text(".account__name"); got != a.Email {
			b.Fatalf("header names %q, want %q", got, a.Email)
		}
		b.Screenshot("home-" + a.Subject)
		b.Press(`.account form button`, http.StatusOK)
		if path := b.Eval(`location.pathname`); path != "/signed-out" {
			b.Fatalf("after signing out %s, at %s", a.Email, path)
		}
	}
	if errs := b.ConsoleErrors(); len(errs) > 0 {
		b.Fatalf("console errors:\n%s", strings.Join(errs, "\n"))
	}
}
