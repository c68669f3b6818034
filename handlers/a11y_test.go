package handlers

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portal/forms"
	"portal/forms/demo"
	"portal/handlers/browsertest"
	"portal/storage"
)

// TestAccessibility runs axe-core's WCAG 2.1 A and AA rules in Chromium on
// every kind of page the portal has, in English and in Arabic (right to
// left), as each kind of user sees it. Serious and critical violations fail.
func TestAccessibility(t *testing.T) {
	ts, srv := startServer(t, nil)
	// Thirty years of past series, and a file read for import, waiting for its dry run.
	store := srv.store.(*storage.Store)
	if err := demo.EnsureHistory(context.Background(), store, builtin(t), time.Now()); err != nil {
		t.Fatal(err)
	}
	token, err := store.StageImport(context.Background(), "cts.csv", strings.Repeat("0", 64), "test", func(put func(forms.ImportRow) error) error {
		for i, cat := range []string{"Intentional homicide", "Theft", "Cybercrime"} {
			if err := put(forms.ImportRow{Line: i + 5, Area: "AUT", AreaName: "Austria", Indicator: "Offences recorded by the police", Dimension: "by type of offence",
				Category: cat, Sex: "Total", Age: "Total", Unit: "Counts", Year: 1990, Value: "12", Source: "CTS"}); err != nil {
				return err
			}
		}
		return put(forms.ImportRow{Line: 9, Area: "AUT", Unit: "Counts", Problem: "year"})
	})
	if err != nil {
		t.Fatal(err)
	}
	b := browsertest.New(t, 4*time.Minute)
	check := b.CheckAccessible
	visit := func(name, path string) {
		t.Helper()
		b.Do(chromedp.Navigate(ts.URL + path))
		check(name)
	}
	signIn := func(subject string) {
		t.Helper()
		b.Do(chromedp.Navigate(ts.URL+"/signin"), chromedp.WaitVisible(chromedp.CSS(`.accounts`)))
		check("development sign-in")
		b.Press(`form:has(input[name=subject][value="`+subject+`"]) button`, http.StatusOK)
	}
	signOut := func() {
		t.Helper()
		b.Press(`.account form button`, http.StatusOK)
	}

	for _, lang := range []string{"en", "ar"} {
		b.Do(chromedp.Navigate(ts.URL + "/language/" + lang + "?next=/"))
		check(lang + " landing")
		visit(lang+" not found", "/no/such/page")

		signIn("demo-fp-aut")
		visit(lang+" organization", "/orgs/AUT")
		b.Do(chromedp.SetValue(chromedp.CSS(`#invite-email`), "not an address"))
		b.Press(`.invite-form button`, http.StatusUnprocessableEntity)
		check(lang + " invitation form with errors")
		signOut()
		check(lang + " signed out")

		signIn("demo-admin")
		visit(lang+" office", "/office")
		visit(lang+" invitations", "/office/invitations")
		visit(lang+" population table", "/office/populations")
		visit(lang+" series", "/office/series")
		visit(lang+" series of a State", "/office/series/areas/GBR?series=victims_of_homicide/iccs-0101")
		visit(lang+" imports", "/office/imports")
		visit(lang+" import dry run", "/office/imports/uploads/"+token)
		visit(lang+" audit log", "/office/audit?since=not-a-date")
		visit(lang+" users", "/office/users")
		visit(lang+" jobs", "/office/jobs")
		visit(lang+" kept mail", "/dev-mail")
		visit(lang+" mail preferences", "/home/mail")
		visit(lang+" call form", "/office/calls/new")
		b.Press(`.call-form button`, http.StatusUnprocessableEntity)
		check(lang + " call form with errors")
		for _, c := range demo.Calls(time.Now()) {
			visit(lang+" tracking "+c.Key, "/office/calls/"+c.Key)
			visit(lang+" compiled views "+c.Key, "/office/calls/"+c.Key+"/views?include=submitted")
			visit(lang+" statistics "+c.Key, "/office/calls/"+c.Key+"/statistics?include=submitted")
			visit(lang+" coverage "+c.Key, "/office/calls/"+c.Key+"/coverage?include=submitted")
			visit(lang+" report form "+c.Key, "/office/calls/"+c.Key+"/report")
			visit(lang+" report translation "+c.Key, "/office/calls/"+c.Key+"/report?text=fr")
			visit(lang+" report preview "+c.Key, "/office/calls/"+c.Key+"/report/preview")
		}
		// Kenya's answers to the views call are submitted: a comment too long
		// comes back in its box, with the reason at the field.
		// France's answers were returned: the Office may enter them on its behalf.
		entry := "/office/calls/" + demoCall("tourism-views").Key + "/orgs/FRA/enter"
		visit(lang+" entry on behalf", entry)
		b.Press(`.entry-form button`, http.StatusUnprocessableEntity)
		check(lang + " entry on behalf with errors")
		visit(lang+" entry on behalf, a section", entry+"/threats")
		visit(lang+" review", "/office/calls/"+demoCall("tourism-views").Key+"/orgs/KEN")
		b.Do(chromedp.SetValue(chromedp.CSS(`#comment-body`), strings.Repeat("Too long. ", 401)))
		b.Press(`.comment-form button`, http.StatusOK)
		if b.Eval(`String(document.querySelector('#comment-body-error') !== null && document.querySelector('#comment-body').value.length === 4009)`) != "true" {
			b.Fatalf("%s: the refused comment is not back in its box with its reason", lang)
		}
		check(lang + " review with a refused comment")
		b.Screenshot(lang + "-review-refused-comment")
		signOut()

		signIn("demo-commission")
		visit(lang+" commission", "/commission")
		visit(lang+" released report", "/commission/reports/"+demo.Calls(time.Now())[0].Key+"/1")
		signOut()

		signIn("demo-newcomer")
		visit(lang+" access pending", "/home")
		signOut()
	}
}
