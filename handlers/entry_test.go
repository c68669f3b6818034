package handlers

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"portal/forms"
	"portal/forms/demo"
	"portal/forms/workbook"
)

// TestEntryOnBehalf is the Office's entry of Austria's answers over HTTP:
// Austria's own pages stay read-only to the analyst; in the entry mode the
// analyst uploads the workbook Austria sent by e-mail, types one answer,
// is told what the submission form lacks, and submits on Austria's behalf
// with how the answers came. The receipt, the review, the audit log and the
// responses export say that the Office entered them; Austria's focal point
// sees the submission, the analyst returns it, and the focal point answers
// the return and resubmits as after any submission.
func TestEntryOnBehalf(t *testing.T) {
	ts, srv := startServer(t, nil)
	store, call, q := demoCallOf(t, srv, "tourism-views")
	fp, analyst := clientAs(t, ts.URL, "demo-fp-aut"), clientAs(t, ts.URL, "demo-analyst")
	orgBase := ts.URL + "/orgs/AUT/calls/" + call.Key
	review := ts.URL + "/office/calls/" + call.Key + "/orgs/AUT"
	enter := review + "/enter"
	const note = "Entered by the Office on behalf of Austria: received by e-mail on 2026-03-12 from the Ministry of Interior"

	// Austria's own pages: the analyst reads them and changes nothing.
	page := do(t, analyst, "GET", orgBase+"/threats", nil).body
	if !strings.Contains(page, `<fieldset class="plain" disabled>`) || strings.Contains(page, "on its behalf") {
		t.Error("Austria's section is not read-only to the analyst, or speaks of an entry")
	}
	form := formOf(t, page)
	form.Set("q/threats_nature", "Typed by accident.")
	if r := do(t, analyst, "POST", orgBase+"/threats", form); r.status != http.StatusForbidden {
		t.Errorf("the analyst saving Austria's section: %d, want 403", r.status)
	}
	// The tracking page leads to the entry.
	if r := do(t, analyst, "GET", ts.URL+"/office/calls/"+call.Key+"?group=WEOG", nil); !strings.Contains(r.body, `href="/office/calls/`+call.Key+`/orgs/AUT/enter"`) {
		t.Error("the tracking page does not lead to Austria's entry")
	}
	r := do(t, analyst, "GET", enter, nil)
	if r.status != 200 || !strings.Contains(r.body, "Enter answers on behalf of Austria") || !strings.Contains(r.body, `href="/office/calls/`+call.Key+`/orgs/AUT/enter/threats"`) {
		t.Fatalf("the entry page: %d", r.status)
	}

	// The workbook Austria sent, read and applied in the entry mode.
	var book bytes.Buffer
	if err := workbook.Write(&book, workbook.Options{Questionnaire: q, Years: call.Years, Lang: forms.English, Org: "AUT", OrgName: "Austria",
		Call: call.Key, Title: call.Title.In(forms.English), Answers: demo.Answers(q, "Austria"), Texts: srv.workbookTexts(forms.English)}); err != nil {
		t.Fatal(err)
	}
	r = postWorkbook(t, analyst, enter+"/workbook", book.Bytes())
	if r.status != 200 || !strings.Contains(r.body, `action="/office/calls/`+call.Key+`/orgs/AUT/enter/workbook/apply"`) {
		t.Fatalf("the workbook's preview in the entry mode: %d\n%s", r.status, r.body)
	}
	if r = do(t, analyst, "POST", enter+"/workbook/apply", formOf(t, r.body)); r.status != http.StatusSeeOther || r.header.Get("Location") != strings.TrimPrefix(enter, ts.URL) {
		t.Fatalf("applying the workbook: %d to %q", r.status, r.header.Get("Location"))
	}
	// One answer typed, in the entry mode's section page.
	page = do(t, analyst, "GET", enter+"/threats", nil).body
	if !strings.Contains(page, "You are entering the answers of Austria on its behalf") || strings.Contains(page, `<fieldset class="plain" disabled>`) ||
		!strings.Contains(page, `action="/office/calls/`+call.Key+`/orgs/AUT/enter/threats"`) {
		t.Fatal("the entry mode's section page is not editable, not marked, or posts elsewhere")
	}
	form = formOf(t, page)
	form.Set("q/threats_nature", "As the Ministry wrote: mostly the Alpine resorts.")
	if r = do(t, analyst, "POST", enter+"/threats", form); r.status != http.StatusSeeOther || !strings.HasSuffix(r.header.Get("Location"), "/enter/threats") {
		t.Fatalf("saving in the entry mode: %d to %q", r.status, r.header.Get("Location"))
	}
	if got := formOf(t, do(t, fp, "GET", orgBase+"/threats", nil).body).Get("q/threats_nature"); got == "" {
		t.Error("Austria's focal point does not see the entered answer")
	}

	// Submitting needs how the answers came.
	r = do(t, analyst, "POST", enter+"/submit", url.Values{"channel": {"pigeon"}, "received_on": {"12 March"}, "received_from": {" "}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Choose how the answers reached the Office.") ||
		!strings.Contains(r.body, "Enter the day the answers were received") || !strings.Contains(r.body, "Enter who sent the answers.") {
		t.Fatalf("an entry without channel, day and sender: %d", r.status)
	}
	if sub, err := store.Submission(t.Context(), call, orgRef(t, store, "AUT")); err != nil || len(sub.Versions) != 0 {
		t.Fatalf("a refused entry submitted: %v, %v", sub.Versions, err)
	}
	r = do(t, analyst, "POST", enter+"/submit", url.Values{"channel": {"email"}, "received_on": {"2026-03-12"}, "received_from": {"the Ministry of Interior"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/orgs/AUT/calls/"+call.Key+"/receipts/1" {
		t.Fatalf("submitting on Austria's behalf: %d to %q", r.status, r.header.Get("Location"))
	}
	// The receipt, as Austria's focal point reads it.
	r = do(t, fp, "GET", ts.URL+r.header.Get("Location"), nil)
	if r.status != 200 || !strings.Contains(r.body, note) || !strings.Contains(r.body, "Entered by</dt><dd>analyst@unodc.example.org") {
		t.Fatalf("the receipt: %d\n%s", r.status, r.body)
	}
	if r = do(t, fp, "GET", orgBase+"/submission", nil); !strings.Contains(r.body, note) || !strings.Contains(r.body, "state--submitted") {
		t.Error("Austria's submission page does not show the entry")
	}
	// The audit log: the analyst, on Austria's behalf, by e-mail.
	evs := auditEvents(t, store, "submission.submit", "")
	if len(evs) == 0 || evs[0].Actor.Label != "analyst@unodc.example.org" || evs[0].Organization.Code != "AUT" ||
		evs[0].Details["on_behalf_of"] != "AUT" || evs[0].Details["channel"] != "email" || evs[0].Details["received_from"] != "the Ministry of Interior" {
		t.Errorf("the audit event: %+v", evs)
	}
	if r = do(t, analyst, "GET", ts.URL+"/office/audit?action=submission.", nil); !strings.Contains(r.body, "on_behalf_of") {
		t.Error("the audit page does not show the entry's details")
	}
	// The review and the export.
	if r = do(t, analyst, "GET", review, nil); !strings.Contains(r.body, note) {
		t.Error("the review does not say the Office entered it")
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(do(t, analyst, "GET", ts.URL+"/office/calls/"+call.Key+"/responses.csv?group=WEOG", nil).body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	last := len(rows[0]) - 1
	for _, row := range rows[1:] {
		if row[0] == "AUT" && (rows[0][last] != "entered_by_office" || row[last] != note) {
			t.Errorf("AUT in the export: %q = %q", rows[0][last], row[last])
		}
	}
	// Submitted, there is nothing more to enter.
	if r = do(t, analyst, "GET", enter, nil); r.status != 200 || !strings.Contains(r.body, "There is nothing to enter now.") {
		t.Errorf("the entry page of a submitted answer: %d", r.status)
	}

	// A return, which Austria's focal point answers.
	if r = do(t, analyst, "POST", review+"/return", url.Values{"message": {"Please confirm the figures of the Ministry."}}); r.status != http.StatusSeeOther {
		t.Fatalf("returning: %d", r.status)
	}
	if r = do(t, fp, "GET", orgBase+"/submission", nil); !strings.Contains(r.body, "Please confirm the figures of the Ministry.") || !strings.Contains(r.body, "Returned for clarification") {
		t.Fatal("Austria's focal point does not see the return")
	}
	form = formOf(t, do(t, fp, "GET", orgBase+"/threats", nil).body)
	form.Set("q/threats_nature", "Confirmed by the focal point.")
	if r = do(t, fp, "POST", orgBase+"/threats", form); r.status != http.StatusSeeOther {
		t.Fatalf("the focal point's revision: %d", r.status)
	}
	if r = do(t, fp, "POST", orgBase+"/submit", url.Values{}); r.status != http.StatusSeeOther || !strings.HasSuffix(r.header.Get("Location"), "/receipts/2") {
		t.Fatalf("the focal point's resubmission: %d to %q", r.status, r.header.Get("Location"))
	}
	r = do(t, fp, "GET", orgBase+"/receipts/2", nil)
	if r.status != 200 || strings.Contains(r.body, "Entered by the Office") || !strings.Contains(r.body, "Submitted by the focal point") {
		t.Errorf("the focal point's own receipt: %d, or it speaks of an entry", r.status)
	}
	if r = do(t, analyst, "GET", review, nil); !strings.Contains(r.body, "Confirmed by the focal point.") {
		t.Error("the review does not show the focal point's answer")
	}

	// Past a deadline that takes no late answers, the entry page says so
	// and offers no submission; a submission anyway is refused.
	late := call
	late.Deadline, late.LateAllowed = time.Now().Add(-time.Hour), false
	if !late.Opens.IsZero() && !late.Opens.Before(late.Deadline) {
		late.Opens = late.Deadline.Add(-24 * time.Hour)
	}
	if _, err := store.SaveCall(t.Context(), late, srvActor()); err != nil {
		t.Fatal(err)
	}
	saveAnswers(t, store, late, q, "BRA", demo.Answers(q, "Brazil"), false)
	bra := ts.URL + "/office/calls/" + call.Key + "/orgs/BRA/enter"
	if r = do(t, analyst, "GET", bra, nil); r.status != 200 || !strings.Contains(r.body, "takes no late answers") || strings.Contains(r.body, `class="entry-form"`) {
		t.Errorf("the entry page past the deadline: %d", r.status)
	}
	r = do(t, analyst, "POST", bra+"/submit", url.Values{"channel": {"post"}, "received_on": {"2026-03-12"}, "received_from": {"Embassy"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/office/calls/"+call.Key+"/orgs/BRA/enter" {
		t.Errorf("an entry past the deadline: %d to %q", r.status, r.header.Get("Location"))
	}
	if sub, err := store.Submission(t.Context(), late, orgRef(t, store, "BRA")); err != nil || len(sub.Versions) != 0 {
		t.Errorf("an entry past the deadline submitted: %v, %v", sub.Versions, err)
	}
}

// TestEntryUnsavedAfterSessionEnd: a section typed in the entry on
// France's behalf while the analyst's session ran out is kept, as the
// organization's own, and found again after signing in.
func TestEntryUnsavedAfterSessionEnd(t *testing.T) {
	base, cs := signedIn(t, "demo-analyst")
	next := "/office/calls/" + demoCall("tourism-views").Key + "/orgs/FRA/enter/threats"
	form := formOf(t, do(t, cs[0], "GET", base+next, nil).body)
	form.Set("q/threats_nature", "From the letter of the Ministry, typed while the session ran out.")
	c := newClient(t)
	r := do(t, c, "POST", base+next, form)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/signin?next="+url.QueryEscape(next) {
		t.Fatalf("saving without a session: %d to %q", r.status, r.header.Get("Location"))
	}
	if r = signInAt(t, c, base, base+r.header.Get("Location"), "demo-analyst"); r.status != http.StatusSeeOther || r.header.Get("Location") != next {
		t.Fatalf("signing in again: %d to %q", r.status, r.header.Get("Location"))
	}
	r = do(t, c, "GET", base+next, nil)
	if !strings.Contains(r.body, "your last changes were not saved") || formOf(t, r.body).Get("q/threats_nature") != form.Get("q/threats_nature") {
		t.Fatal("the entry's section after signing in again lacks what was typed")
	}
}
