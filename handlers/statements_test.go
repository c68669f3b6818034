package handlers

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"portal/forms"
	"portal/forms/synthetic"
)

// TestStatementsBehindPages counts the statements the store sends behind
// three requests: a section of the statistics questionnaire (justice, the
// largest), the organization's page, and an autosave. Each is made with
// little data and with much (one cell saved against all 764, with answers
// and explanations; one member against several with invitations; one
// field autosaved against ten), and must send the same statements, as
// many as listed here: a statement sent once per cell, member or field
// (an N+1) fails it. Counted at the store's connections
// (storage.Store.LogStatements), BEGIN and COMMIT included.
func TestStatementsBehindPages(t *testing.T) {
	ts, srv := startServer(t, nil)
	store, call, q := demoCallOf(t, srv, "crime-statistics")
	ctx := context.Background()
	fp := clientAs(t, ts.URL, "demo-fp-aut")
	section := ts.URL + "/orgs/AUT/calls/" + call.Key + "/justice"
	log := store.LogStatements()
	statements := func(what string, send func() bool) []string {
		t.Helper()
		log.Take()
		if !send() {
			t.Fatalf("%s failed", what)
		}
		return log.Take()
	}
	page := func(url string) func() bool {
		return func() bool { return do(t, fp, "GET", url, nil).status == http.StatusOK }
	}
	check := func(what string, want int, little, much []string) {
		t.Helper()
		if diff := cmp.Diff(little, much); diff != "" {
			t.Errorf("%s: the statements with much data differ from those with little (-little +much):\n%s", what, diff)
		}
		if len(much) != want {
			t.Errorf("%s: %d statements, want %d (a statement removed? lower the figure):\n%s", what, len(much), want, strings.Join(much, "\n"))
		}
	}

	full := synthetic.Statistics(q, call.Years, "AUT")
	var first forms.CellRef
	for ref := range full.Cells {
		if first.Question == "" || forms.CellField(ref) < forms.CellField(first) {
			first = ref
		}
	}
	one := forms.Answers{Cells: map[forms.CellRef]forms.Cell{first: full.Cells[first]}}
	saveAnswers(t, store, call, q, "AUT", one, false)
	little := statements("the section with one cell", page(section))
	full.Explanations = map[string]string{"justice.a": "Counted differently before 2023."}
	saveAnswers(t, store, call, q, "AUT", full, false)
	much := statements("the section with every cell", page(section))
	check("the justice section", 14, little, much)

	org := ts.URL + "/orgs/AUT"
	little = statements("the organization's page, one member", page(org))
	clientAs(t, ts.URL, "demo-contrib-aut") // a second member
	for _, email := range []string{"a@example.org", "b@example.org", "c@example.org"} {
		inv := forms.Invitation{Email: email, Role: forms.Contributor, Organization: orgRef(t, store, "AUT")}
		if _, err := store.CreateInvitation(ctx, inv, srvActor()); err != nil {
			t.Fatal(err)
		}
	}
	much = statements("the organization's page, two members and invitations", page(org))
	// Its draft of each call it can still answer is loaded to say how far
	// it has got: statements per call, not per answer.
	check("the organization's page", 20, little, much)

	ed := &pageEditor{c: fp, section: section}
	if !ed.open(t) {
		t.FailNow()
	}
	var cells []string
	for f := range ed.form {
		if strings.HasPrefix(f, "c/") {
			cells = append(cells, f)
		}
	}
	slices.Sort(cells)
	figure := 1000
	autosave := func(fields ...string) func() bool {
		return func() bool {
			for _, f := range fields {
				figure++
				ed.set(f, strconv.Itoa(figure))
			}
			reply := ed.autosave(t)
			if reply.Status != "saved" {
				t.Logf("autosave of %v: %+v", fields, reply)
			}
			return reply.Status == "saved"
		}
	}
	// Each field of an autosave names the version its content started
	// from: after the first, those of the page as loaded, and those
	// autosaved since, at theirs.
	if !autosave(cells[0])() {
		t.Fatal("the first autosave failed")
	}
	little = statements("an autosave of one cell", autosave(cells[1]))
	much = statements("an autosave of ten cells, of three versions", autosave(cells[:10]...))
	// The draft is read again after the save for the findings and the
	// sections' states the page puts in place (7 statements).
	check("an autosave", 23, little, much)
}
