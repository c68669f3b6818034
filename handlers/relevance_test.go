package handlers

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// questionTag returns the opening tag of the question keyed key on page.
func questionTag(t *testing.T, page, key string) string {
	t.Helper()
	m := regexp.MustCompile(`<div class="question[^"]*" id="question-` + key + `"[^>]*>`).FindString(page)
	if m == "" {
		t.Fatalf("no question %s on the page", key)
	}
	return m
}

// TestRelevanceDraftPage: on tourism-views' partnerships section, the
// partners and the description are hidden until the State says there are
// partnerships; a partner ticked with No stays in the draft, hidden, and
// is back when the answer turns to Yes. Without the script, Save does it.
func TestRelevanceDraftPage(t *testing.T) {
	base, cs := signedIn(t, "demo-fp-aut")
	c := cs[0]
	views := demoCall("tourism-views")
	section := base + "/orgs/AUT/calls/" + views.Key + "/partnerships"
	r := do(t, c, "GET", section, nil)
	if r.status != http.StatusOK {
		t.Fatalf("section: %d", r.status)
	}
	for _, key := range []string{"ppp_partners", "ppp_description"} {
		tag := questionTag(t, r.body, key)
		if !strings.Contains(tag, " hidden") || !strings.Contains(tag, `data-relevant-on="ppp_exists"`) || !strings.Contains(tag, `data-relevant-answers="yes"`) {
			t.Errorf("unanswered: %s", tag)
		}
	}
	if tag := questionTag(t, r.body, "ppp_exists"); strings.Contains(tag, "hidden") || strings.Contains(tag, "data-relevant") {
		t.Errorf("the question others depend on: %s", tag)
	}
	if !strings.Contains(r.body, "/static/relevance.") {
		t.Error("the page does not load relevance.js")
	}

	save := func(exists string) string {
		t.Helper()
		form := formOf(t, r.body)
		form.Set("q/ppp_exists", exists)
		form["q/ppp_partners"] = []string{"accommodation"} // hidden inputs post what they hold
		form.Set("q/ppp_description", "Hotels report suspicious bookings.")
		resp := do(t, c, "POST", section, form)
		if resp.status != http.StatusSeeOther {
			t.Fatalf("save %s: %d\n%s", exists, resp.status, resp.body)
		}
		r = do(t, c, "GET", section, nil)
		return r.body
	}
	page := save("no")
	if tag := questionTag(t, page, "ppp_partners"); !strings.Contains(tag, " hidden") {
		t.Errorf("with No: %s", tag)
	}
	if !regexp.MustCompile(`id="q-ppp_partners-accommodation"[^>]* checked`).MatchString(page) {
		t.Error("with No, the draft lost the partner ticked")
	}

	page = save("yes")
	for _, key := range []string{"ppp_partners", "ppp_description"} {
		if tag := questionTag(t, page, key); strings.Contains(tag, " hidden") {
			t.Errorf("with Yes: %s", tag)
		}
	}
	if !regexp.MustCompile(`id="q-ppp_partners-accommodation"[^>]* checked`).MatchString(page) {
		t.Error("with Yes, the partner ticked is not back")
	}
}
