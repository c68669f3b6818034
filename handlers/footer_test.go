package handlers

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"portal/forms"
)

var footerElement = regexp.MustCompile(`(?s)<footer class="site-footer">(.*?)</footer>`)

// footerProblem says what is wrong with the footer of a page served to w,
// or "" when nothing is: no Go value printed as text ({…}, &{…}, map[…]),
// and the portal's version shown to the Office only.
func footerProblem(w authzUser, r response) string {
	if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || r.status/100 == 3 {
		return ""
	}
	m := footerElement.FindStringSubmatch(r.body)
	if m == nil {
		return "no footer"
	}
	text := m[1]
	for _, leak := range []string{"{", "}", "&amp;{", "&{", "map["} {
		if strings.Contains(text, leak) {
			return "footer prints a Go value (" + leak + "): " + text
		}
	}
	office := w == asAnalyst || w == asAdmin
	shown := strings.Contains(text, "site-footer__version")
	switch {
	case office && !strings.Contains(text, `<p class="site-footer__version">Version test</p>`):
		return "the Office's footer lacks the portal's version: " + text
	case !office && shown:
		return "the footer shows the portal's version to " + w.String() + ": " + text
	}
	return ""
}

// TestReceiptFooter: the receipt (whose page has a Version of its own, the
// submitted version) shows no Go value in its footer, and the portal's
// version only to the Office.
func TestReceiptFooter(t *testing.T) {
	p := startAuthzPortal(t, []authzUser{asAnonymous, asFpAUT, asAnalyst})
	ctx := context.Background()
	aut := orgRef(t, p.store, "AUT")
	views := demoCall("tourism-views")
	call, err := p.store.CallByKey(ctx, views.Key)
	if err != nil {
		t.Fatal(err)
	}
	q := builtinQuestionnaire(t, call)
	answers := DemoAnswers(q, "Austria")
	if _, err := p.store.SaveDraft(ctx, call, aut, editOf(answers), srvActor()); err != nil {
		t.Fatal(err)
	}
	fp := &forms.User{Memberships: []forms.Membership{{Role: forms.FocalPoint, Organization: aut}}}
	if _, err := p.store.Transition(ctx, forms.TransitionRequest{Call: call, Questionnaire: q, Organization: aut, User: fp, Transition: forms.TransitionSubmit, At: time.Now(), Actor: srvActor()}); err != nil {
		t.Fatal(err)
	}
	receipt := "/orgs/AUT/calls/" + views.Key + "/receipts/1"
	for _, tc := range []struct {
		who  authzUser
		path string
	}{
		{asFpAUT, receipt},
		{asAnalyst, receipt},
		{asFpAUT, "/orgs/AUT"},
		{asAnalyst, "/office"},
		{asAnonymous, "/"},
	} {
		r := p.send(t, p.clients[tc.who], http.MethodGet, tc.path, nil)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s as %s: %d", tc.path, tc.who, r.status)
		}
		if why := footerProblem(tc.who, r); why != "" {
			t.Errorf("GET %s as %s: %s", tc.path, tc.who, why)
		}
	}
}
