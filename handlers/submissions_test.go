package handlers

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"portal/forms"
	"portal/forms/demo"
)

// TestSubmissionPath is the whole life of a submission over HTTP: the
// focal point submits and gets a receipt; the analyst finds it in response
// tracking (and its CSV and XLSX), comments on one answer and returns it;
// the focal point sees the comment, revises and resubmits; the analyst sees
// what changed and accepts; tracking shows it accepted.
func TestSubmissionPath(t *testing.T) {
	ts, srv := startServer(t, nil)
	store, views, q := demoCallOf(t, srv, "tourism-views")
	fp, contrib, analyst := clientAs(t, ts.URL, "demo-fp-aut"), clientAs(t, ts.URL, "demo-contrib-aut"), clientAs(t, ts.URL, "demo-analyst")
	base := ts.URL + "/orgs/AUT/calls/" + views.Key

	// Nothing answered yet: the page lists what stops the submission, and
	// a submission anyway is refused.
	r := do(t, fp, "GET", base+"/submission", nil)
	if r.status != 200 || !strings.Contains(r.body, "things stop the submission") || strings.Contains(r.body, `action="/orgs/AUT/calls/`+views.Key+`/submit"`) {
		t.Fatalf("submission page of an empty draft: %d", r.status)
	}
	if r = do(t, fp, "POST", base+"/submit", url.Values{}); r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "refused=1") {
		t.Fatalf("submitting an empty draft: %d %s", r.status, r.header.Get("Location"))
	}

	saveAnswers(t, store, views, q, "AUT", demo.Answers(q, "Austria"), false)
	r = do(t, fp, "GET", base+"/submission", nil)
	if !strings.Contains(r.body, "Nothing stops the submission") {
		t.Fatal("a complete draft is not ready to submit")
	}
	// The contributor may not submit.
	if r = do(t, contrib, "POST", base+"/submit", url.Values{}); r.status != http.StatusForbidden {
		t.Errorf("the contributor submitting: %d", r.status)
	}
	r = do(t, fp, "POST", base+"/submit", url.Values{})
	if r.status != http.StatusSeeOther || !strings.HasSuffix(r.header.Get("Location"), "/receipts/1") {
		t.Fatalf("submitting: %d to %s", r.status, r.header.Get("Location"))
	}
	r = do(t, fp, "GET", ts.URL+r.header.Get("Location"), nil)
	if !strings.Contains(r.body, "CCPCJ22-P4-AUT-1") || !regexp.MustCompile(`[0-9a-f]{64}`).MatchString(r.body) {
		t.Fatalf("receipt: %d", r.status)
	}
	// A second click gives no second version.
	do(t, fp, "POST", base+"/submit", url.Values{})
	if r = do(t, fp, "GET", base+"/receipts/2", nil); r.status != http.StatusNotFound {
		t.Errorf("a second click made a second receipt: %d", r.status)
	}
	// The draft is locked: a save is refused and says so.
	section := base + "/threats"
	form := formOf(t, do(t, contrib, "GET", section, nil).body)
	form.Set("q/threats_nature", "A late change.")
	if r = do(t, contrib, "POST", section, form); r.status != http.StatusConflict ||
		!strings.Contains(r.body, "the answers were submitted meanwhile") || !strings.Contains(r.body, "A late change.") {
		t.Errorf("saving a submitted draft: %d", r.status)
	}
	if r = do(t, contrib, "GET", section, nil); !strings.Contains(r.body, `<fieldset class="plain" disabled>`) {
		t.Error("a submitted draft is not shown read-only")
	}

	// The Office: tracking, exports.
	r = do(t, analyst, "GET", ts.URL+"/office/calls/"+views.Key+"?group=WEOG", nil)
	if r.status != 200 || !strings.Contains(r.body, "/office/calls/"+views.Key+"/orgs/AUT") || !strings.Contains(r.body, "Western European") {
		t.Fatalf("tracking: %d", r.status)
	}
	r = do(t, analyst, "GET", ts.URL+"/office/calls/"+views.Key+"/responses.csv", nil)
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.body, "\ufeff"))).ReadAll()
	if err != nil || len(rows) < 190 || rows[0][0] != "code" {
		t.Fatalf("CSV: %v, %d rows", err, len(rows))
	}
	states := map[string]string{}
	for _, row := range rows[1:] {
		states[row[0]] = row[4]
		if row[0] == "AUT" && (rows[0][11] != "focal_points" || !strings.Contains(row[11], "<focal.point@austria.example.org> (last sign-in ")) {
			t.Errorf("Austria's focal point is not among its contacts in the CSV: %q", row[11])
		}
	}
	if page := do(t, analyst, "GET", ts.URL+"/office/calls/"+views.Key+"?group=WEOG", nil).body; !strings.Contains(page, `href="mailto:focal.point@austria.example.org"`) ||
		!strings.Contains(page, "No focal point") {
		t.Error("the tracking page does not name Austria's focal point, or does not flag the organizations without one")
	}
	if states["AUT"] != "submitted" || states["DEU"] != "accepted" || states["FRA"] != "returned" || states["BEL"] != "joint" || states["BRA"] != "draft" {
		t.Errorf("states in the CSV: AUT %s DEU %s FRA %s BEL %s BRA %s", states["AUT"], states["DEU"], states["FRA"], states["BEL"], states["BRA"])
	}
	r = do(t, analyst, "GET", ts.URL+"/office/calls/"+views.Key+"/responses.xlsx", nil)
	x, err := excelize.OpenReader(bytes.NewReader([]byte(r.body)))
	if err != nil {
		t.Fatalf("XLSX: %v", err)
	}
	xrows, err := x.GetRows("Responses")
	if err != nil || len(xrows) != len(rows) || xrows[0][0] != "code" {
		t.Errorf("XLSX rows %d (err %v), CSV rows %d", len(xrows), err, len(rows))
	}

	// Review: a comment on one answer, then returned.
	review := ts.URL + "/office/calls/" + views.Key + "/orgs/AUT"
	if r = do(t, analyst, "GET", review, nil); r.status != 200 || !strings.Contains(r.body, "Austria: ") {
		t.Fatalf("review: %d", r.status)
	}
	// Text refused for its length is kept, on the page, with the reason at
	// the field; the submission stays as it was.
	long := strings.Repeat("Which regions? ", 300) // 4,499 characters, trimmed
	for _, c := range []struct{ path, field, id string }{{"/comments", "body", "comment-body"}, {"/return", "message", "return-message"}} {
		r = do(t, analyst, "POST", review+c.path, url.Values{"field": {"q/threats_nature"}, c.field: {long}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/office/calls/"+views.Key+"/orgs/AUT#"+c.id {
			t.Fatalf("%s too long: %d to %q", c.path, r.status, r.header.Get("Location"))
		}
		r = do(t, analyst, "GET", review, nil)
		if !strings.Contains(r.body, strings.TrimSpace(long)+"</textarea>") || !strings.Contains(r.body, "4,499 characters and at most 4,000 fit") ||
			!strings.Contains(r.body, `id="`+c.id+`-error"`) || !strings.Contains(r.body, "Submitted") {
			t.Errorf("%s too long: the text, its reason or the state is missing from the page", c.path)
		}
		if c.path == "/comments" && !strings.Contains(r.body, `<option value="q/threats_nature" selected>`) {
			t.Error("the refused comment's answer is not chosen again")
		}
		if r = do(t, analyst, "GET", review, nil); strings.Contains(r.body, "Which regions? Which") {
			t.Errorf("%s: the kept text is shown twice", c.path)
		}
	}
	if r = do(t, analyst, "POST", review+"/comments", url.Values{"field": {"c/no/such/field"}, "body": {"About what?"}}); r.status != http.StatusSeeOther {
		t.Fatalf("a comment on an unknown field: %d", r.status)
	}
	if r = do(t, analyst, "GET", review, nil); !strings.Contains(r.body, "choose what it is about") || !strings.Contains(r.body, "About what?</textarea>") {
		t.Error("a comment on an unknown field: the reason or the text is missing")
	}
	// A return says what to clarify: one without a message is refused, at the box.
	if r = do(t, analyst, "POST", review+"/return", url.Values{"message": {"  "}}); r.status != http.StatusSeeOther || !strings.HasSuffix(r.header.Get("Location"), "#return-message") {
		t.Fatalf("a return without a message: %d to %q", r.status, r.header.Get("Location"))
	}
	if r = do(t, analyst, "GET", review, nil); !strings.Contains(r.body, "say in the box below what the organization should clarify") || !strings.Contains(r.body, "Submitted") {
		t.Error("a return without a message: the reason is missing, or the state changed")
	}
	// A comment asked for from an answer opens the form about it.
	if r = do(t, analyst, "GET", review+"?comment=q/threats_nature", nil); !strings.Contains(r.body, `<option value="q/threats_nature" selected>`) {
		t.Error("?comment= does not choose the answer in the comment form")
	}
	do(t, analyst, "POST", review+"/comments", url.Values{"field": {"q/threats_nature"}, "body": {"Which regions are most affected?"}})
	if r = do(t, analyst, "POST", review+"/return", url.Values{"message": {"Please see the comment on the nature of threats."}}); r.status != http.StatusSeeOther {
		t.Fatalf("returning: %d", r.status)
	}
	r = do(t, fp, "GET", base+"/submission", nil)
	if !strings.Contains(r.body, "Which regions are most affected?") || !strings.Contains(r.body, "Returned for clarification") {
		t.Fatal("the focal point does not see the comment and the state")
	}
	page := do(t, fp, "GET", section, nil).body
	if !strings.Contains(page, `class="comment comment--office"`) || !strings.Contains(page, "Which regions are most affected?") {
		t.Error("the comment is not shown at its answer")
	}
	form = formOf(t, page)
	form.Set("q/threats_nature", "Mostly the Alpine resorts and Vienna.")
	if r = do(t, fp, "POST", section, form); r.status != http.StatusSeeOther {
		t.Fatalf("revising: %d", r.status)
	}
	if r = do(t, fp, "POST", base+"/submit", url.Values{}); !strings.HasSuffix(r.header.Get("Location"), "/receipts/2") {
		t.Fatalf("resubmitting: %d %s", r.status, r.header.Get("Location"))
	}
	r = do(t, analyst, "GET", review, nil)
	if !strings.Contains(r.body, "What changed since version 1") || !strings.Contains(r.body, "Mostly the Alpine resorts and Vienna.") {
		t.Fatal("the analyst does not see what changed")
	}
	if r = do(t, analyst, "POST", review+"/accept", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("accepting: %d", r.status)
	}
	rows2, _ := csv.NewReader(strings.NewReader(strings.TrimPrefix(do(t, analyst, "GET", ts.URL+"/office/calls/"+views.Key+"/responses.csv?group=WEOG", nil).body, "\ufeff"))).ReadAll()
	for _, row := range rows2 {
		if row[0] == "AUT" && (row[4] != "accepted" || row[7] != "CCPCJ22-P4-AUT-2") {
			t.Errorf("AUT in tracking: %v", row)
		}
	}
	// The Office's home shows the response rate.
	if r = do(t, analyst, "GET", ts.URL+"/office", nil); !regexp.MustCompile(`\d+ of \d+ \(\d+ %\)`).MatchString(r.body) {
		t.Error("no response rate on the Office's home")
	}
}

// TestReturnedInClosedCall: the call has closed while the Office awaits
// Austria's answer to its request for clarification: Austria's home still
// lists the call as to do, not as past, and the answer is taken.
func TestReturnedInClosedCall(t *testing.T) {
	ts, srv := startServer(t, nil)
	store, views, q := demoCallOf(t, srv, "tourism-views")
	saveAnswers(t, store, views, q, "AUT", demo.Answers(q, "Austria"), true)
	ctx := context.Background()
	office := &forms.User{Memberships: []forms.Membership{{Role: forms.Analyst}}}
	if _, err := store.Transition(ctx, forms.TransitionRequest{Call: views, Questionnaire: q, Organization: orgRef(t, store, "AUT"), User: office, Transition: forms.TransitionReturn, At: time.Now(), Message: "Which ministries?", Actor: srvActor()}); err != nil {
		t.Fatal(err)
	}
	views.State = forms.CallClosed
	if _, err := store.SaveCall(ctx, views, srvActor()); err != nil {
		t.Fatal(err)
	}
	fp := clientAs(t, ts.URL, "demo-fp-aut")
	home := do(t, fp, "GET", ts.URL+"/orgs/AUT", nil).body
	i := strings.Index(home, `href="/orgs/AUT/calls/`+views.Key+`"`)
	if i < 0 {
		t.Fatal("Austria's home does not list the closed call it must answer in")
	}
	if li := strings.LastIndex(home[:i], "<li"); strings.Contains(home[li:i], "due--past") {
		t.Error("the call awaiting Austria's answer is listed as past")
	}
	r := do(t, fp, "POST", ts.URL+"/orgs/AUT/calls/"+views.Key+"/submit", url.Values{})
	if r.status != http.StatusSeeOther || !strings.HasSuffix(r.header.Get("Location"), "/receipts/2") {
		t.Errorf("answering in the closed call: %d to %q", r.status, r.header.Get("Location"))
	}
}
