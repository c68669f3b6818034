package handlers

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"portal/forms"
	"portal/forms/demo"
	"portal/storage"
)

// TestReportWriteReleaseRead: the analyst's text is checked field by
// field and kept when refused; a release shows the accepted answers (a
// formula-like one as text), links each to its source, and stays as it
// was when a submission is accepted afterwards; the Commission reader
// lists and reads releases and downloads the annex, whose cells read back
// as the report says; unreleased and unknown reports are not found.
func TestReportWriteReleaseRead(t *testing.T) {
	ts, srv := startServer(t, nil)
	store, views, q := demoCallOf(t, srv, "tourism-views")
	ctx := context.Background()
	// Austria answers with a text a spreadsheet would take for a formula; accepted.
	a := demo.Answers(q, "Austria")
	a.Values["threats_nature"] = forms.Answer{Text: `=HYPERLINK("http://example.org","click")`}
	saveAnswers(t, store, views, q, "AUT", a, true)
	office := &forms.User{Memberships: []forms.Membership{{Role: forms.Analyst}}}
	if _, err := store.Transition(ctx, forms.TransitionRequest{Call: views, Questionnaire: q, Organization: orgRef(t, store, "AUT"), User: office, Transition: forms.TransitionAccept, At: time.Now(), Actor: srvActor()}); err != nil {
		t.Fatal(err)
	}

	analyst := clientAs(t, ts.URL, "demo-analyst")
	form := ts.URL + "/office/calls/" + views.Key + "/report"
	if r := do(t, analyst, "GET", form, nil); r.status != 200 || !strings.Contains(r.body, "International cooperation against criminal") {
		t.Fatalf("the report's form: %d", r.status)
	}
	// No title, a summary far too long: refused, what was typed kept.
	r := do(t, analyst, "POST", form, url.Values{"title": {"  "}, "introduction": {"Kept introduction."}, "summary/threats_nature": {strings.Repeat("x", forms.MaxReportSummary+1)}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Give the report a title.") ||
		!strings.Contains(r.body, "This text is too long.") || !strings.Contains(r.body, "Kept introduction.") {
		t.Fatalf("a report without a title: %d", r.status)
	}
	// Posted after the session had ended: kept, and back on the form after
	// signing in again, to check and save.
	late := newClient(t)
	r = do(t, late, "POST", form, url.Values{"title": {"Typed late"}, "introduction": {"An introduction written over an afternoon."}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/signin?next=") {
		t.Fatalf("the report's form without a session: %d to %q", r.status, r.header.Get("Location"))
	}
	signInAt(t, late, ts.URL, ts.URL+r.header.Get("Location"), "demo-analyst")
	r = do(t, late, "GET", form, nil)
	if !strings.Contains(r.body, "this form was not saved") || !strings.Contains(r.body, "An introduction written over an afternoon.") || !strings.Contains(r.body, `value="Typed late"`) {
		t.Errorf("the report's form after signing in again: %d", r.status)
	}
	if r = do(t, late, "GET", form, nil); strings.Contains(r.body, "An introduction written over an afternoon.") {
		t.Error("the kept form comes back twice")
	}
	r = do(t, analyst, "POST", form, url.Values{"title": {"Views of Member States"}, "introduction": {"First paragraph.\n\nSecond paragraph."},
		"summary/ppp_description": {"Most respondents work with hotel associations."}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("saving the report's text: %d %s", r.status, r.body)
	}
	if r = do(t, analyst, "GET", form+"/preview", nil); r.status != 200 || !strings.Contains(r.body, "Preview:") || !strings.Contains(r.body, "Austria") {
		t.Fatalf("preview: %d", r.status)
	}
	// Not confirmed: nothing released, the form says why.
	r = do(t, analyst, "POST", form+"/release", url.Values{})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Tick the box to confirm the release.") {
		t.Fatalf("an unconfirmed release: %d", r.status)
	}
	// A French translation of the title and of the one summary.
	if r = do(t, analyst, "GET", form+"?text=fr", nil); r.status != 200 || !strings.Contains(r.body, "Translation into French") ||
		!strings.Contains(r.body, "Most respondents work with hotel associations.") || !strings.Contains(r.body, `name="text" value="fr"`) {
		t.Fatalf("the French translation's form: %d", r.status)
	}
	r = do(t, analyst, "POST", form, url.Values{"text": {"fr"}, "title": {"Avis des États Membres"}, "summary/threats_nature": {"Sans original."}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "The original has no summary of this question to translate.") ||
		!strings.Contains(r.body, "Avis des États Membres") {
		t.Fatalf("a translated summary without an original: %d", r.status)
	}
	r = do(t, analyst, "POST", form, url.Values{"text": {"fr"}, "title": {"Avis des États Membres"},
		"summary/ppp_description": {"La plupart des répondants travaillent avec des associations hôtelières."}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/office/calls/"+views.Key+"/report?text=fr" {
		t.Fatalf("saving the French translation: %d to %q", r.status, r.header.Get("Location"))
	}
	// Saving the original again, saying it is in English, keeps the translation.
	r = do(t, analyst, "POST", form, url.Values{"language": {"en"}, "title": {"Views of Member States"}, "introduction": {"First paragraph.\n\nSecond paragraph."},
		"summary/ppp_description": {"Most respondents work with hotel associations."}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("saving the original again: %d", r.status)
	}
	// Released as a job: two clicks make one; the page follows it to the
	// release.
	for range 2 {
		r = do(t, analyst, "POST", form+"/release", url.Values{"confirm": {"1"}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/office/calls/"+views.Key+"/report/release" {
			t.Fatalf("release: %d to %q", r.status, r.header.Get("Location"))
		}
	}
	if r = do(t, analyst, "GET", form+"/release", nil); r.status != http.StatusOK || !strings.Contains(r.body, `<meta http-equiv="refresh" content="2">`) ||
		!strings.Contains(r.body, "The report is being assembled and released") {
		t.Fatalf("the release waiting: %d", r.status)
	}
	jobs, err := store.Jobs(ctx, forms.JobPending, 100)
	if err != nil {
		t.Fatal(err)
	}
	asked := 0
	for _, j := range jobs {
		if j.Kind == storage.KindRelease {
			asked++
		}
	}
	if asked != 1 {
		t.Errorf("two clicks made %d release jobs, want one", asked)
	}
	startQueue(t, store)
	for end := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		r = do(t, analyst, "GET", form+"/release", nil)
		if r.status == http.StatusSeeOther {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("no release after 30 s: %d\n%s", r.status, r.body)
		}
	}
	if r.header.Get("Location") != "/commission/reports/"+views.Key+"/2" {
		t.Fatalf("the release done: to %q (the demo released 1)", r.header.Get("Location"))
	}

	reader := clientAs(t, ts.URL, "demo-commission")
	list := do(t, reader, "GET", ts.URL+"/commission", nil)
	if list.status != 200 || !strings.Contains(list.body, "Views of Member States") || !strings.Contains(list.body, `/commission/reports/`+views.Key+`/1"`) {
		t.Fatalf("the Commission's list: %d", list.status)
	}
	page := ts.URL + "/commission/reports/" + views.Key + "/2"
	before := do(t, reader, "GET", page, nil)
	for _, want := range []string{
		`<h1 dir="auto">Views of Member States</h1>`, `<nav class="report__toc"`, "Second paragraph.",
		"&#34;http://example.org&#34;", // the formula-like answer, as text
		`<a class="muted" href="#source-AUT">CCPCJ22-P4-AUT-1</a>`, `<tr id="source-AUT">`,
		"Most respondents work with hotel associations.", `href="#annex-q-ppp_description"`,
		"Japan", "South Africa",
	} {
		if !strings.Contains(before.body, want) {
			t.Errorf("release 2 lacks %q", want)
		}
	}
	if strings.Contains(before.body, "Kenya") {
		t.Error("release 2 shows Kenya, which is submitted, not accepted")
	}
	// A reader in French sees the French title and summary; the
	// introduction, not translated, in the original.
	french := clientAs(t, ts.URL, "demo-commission")
	do(t, french, "GET", ts.URL+"/language/fr?next=/commission", nil)
	if r = do(t, french, "GET", ts.URL+"/commission", nil); !strings.Contains(r.body, "Avis des États Membres") {
		t.Error("the Commission's list in French lacks the French title")
	}
	r = do(t, french, "GET", page, nil)
	for _, want := range []string{`<h1 dir="auto">Avis des États Membres</h1>`, "La plupart des répondants travaillent avec des associations hôtelières.",
		`<p class="report__text" dir="auto" lang="en">Second paragraph.</p>`} { // the introduction, untranslated, says it is English
		if !strings.Contains(r.body, want) {
			t.Errorf("release 2 in French lacks %q", want)
		}
	}
	// Kenya is accepted after the release: release 2 does not change.
	if _, err := store.Transition(ctx, forms.TransitionRequest{Call: views, Questionnaire: q, Organization: orgRef(t, store, "KEN"), User: office, Transition: forms.TransitionAccept, At: time.Now(), Actor: srvActor()}); err != nil {
		t.Fatal(err)
	}
	after := do(t, reader, "GET", page, nil)
	if article(after.body) != article(before.body) || article(before.body) == "" {
		t.Error("release 2 changed when a submission was accepted afterwards")
	}

	// The annex, read back.
	x := do(t, reader, "GET", page+"/annex.xlsx", nil)
	if x.status != 200 || !strings.Contains(x.header.Get("Content-Disposition"), "report-CCPCJ22-P4-v2-annex.xlsx") {
		t.Fatalf("annex: %d %q", x.status, x.header.Get("Content-Disposition"))
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(x.body)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Answers")
	found := false
	for i, row := range rows {
		if len(row) > 5 && row[2] == "AUT" && row[0] == "threats_nature" {
			found = true
			cell, _ := excelize.CoordinatesToCellName(6, i+1)
			if formula, _ := f.GetCellFormula("Answers", cell); formula != "" || row[5] != `=HYPERLINK("http://example.org","click")` {
				t.Errorf("Austria's answer in the annex: %q, formula %q", row[5], formula)
			}
		}
	}
	if !found {
		t.Error("the annex lacks Austria's answer")
	}
	sources, _ := f.GetRows("Sources")
	if len(sources) != 1+5 { // Germany, Japan, South Africa, Chile, Austria
		t.Errorf("annex: %d sources, want 5", len(sources)-1)
	}

	for _, path := range []string{"/commission/reports/" + views.Key + "/3", "/commission/reports/" + views.Key + "/0", "/commission/reports/nosuchcall/1",
		"/commission/reports/" + views.Key + "/x/annex.xlsx"} {
		if r := do(t, reader, "GET", ts.URL+path, nil); r.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, r.status)
		}
	}
	for _, path := range []string{form, form + "/preview"} {
		if r := do(t, reader, "GET", ts.URL+strings.TrimPrefix(path, ts.URL), nil); r.status != http.StatusForbidden {
			t.Errorf("the Commission's reader at %s: %d, want 403", path, r.status)
		}
	}
}

// article is the report in a page, without the layout around it.
func article(body string) string {
	i, j := strings.Index(body, `<article class="report">`), strings.Index(body, "</article>")
	if i < 0 || j < i {
		return ""
	}
	return body[i:j]
}
