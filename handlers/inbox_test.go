package handlers

import (
	"strings"
	"testing"
)

// TestOfficeInbox: the Office's home says what waits for whom in the demo:
// Kenya's and the EU's submissions to review, each linking to its review,
// and France's returned one awaiting France, in the analyst's language.
func TestOfficeInbox(t *testing.T) {
	ts, _ := startServer(t, nil)
	analyst := clientAs(t, ts.URL, "demo-analyst")
	views, stats := demoCall("tourism-views"), demoCall("crime-statistics")
	r := do(t, analyst, "GET", ts.URL+"/office", nil)
	review, returned, _ := strings.Cut(r.body, `id="inbox-returned"`)
	for _, want := range []string{"3 submissions to review",
		`href="/office/calls/` + views.Key + `/orgs/KEN">Kenya</a>`,
		`href="/office/calls/` + views.Key + `/orgs/EU">European Union</a>`,
		`href="/office/calls/` + stats.Key + `/orgs/KEN">Kenya</a>`} {
		if !strings.Contains(review, want) {
			t.Errorf("the submissions to review lack %s", want)
		}
	}
	if !strings.Contains(returned, `href="/office/calls/`+views.Key+`/orgs/FRA">France</a>`) || !strings.Contains(returned, "nothing yet") {
		t.Error("France's returned submission is not listed as waiting for France, unchanged")
	}
	if strings.Contains(review, "/orgs/DEU") {
		t.Error("Germany's accepted submission waits for nobody")
	}
	do(t, analyst, "GET", ts.URL+"/language/fr?next=/office", nil)
	r = do(t, analyst, "GET", ts.URL+"/office", nil)
	if !strings.Contains(r.body, "3 contributions à examiner") || !strings.Contains(r.body, "rien pour l’instant") {
		t.Error("the inbox is not in French")
	}
}
