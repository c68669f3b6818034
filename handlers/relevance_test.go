package handlers

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"portal/forms"
	"portal/templates/views"
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

// rowTag returns the opening tag of the row keyed row of the table keyed
// table on page.
func rowTag(t *testing.T, page, table, row string) string {
	t.Helper()
	m := regexp.MustCompile(`<tr[^>]*>\s*<th scope="row" id="h-` + table + `-r-` + row + `"`).FindString(page)
	if m == "" {
		t.Fatalf("no row %s of %s on the page", row, table)
	}
	return m[:strings.IndexByte(m, '>')+1]
}

// TestRelevanceTableRow: the police table of crime statistics asks for
// wildlife trafficking only where it is an offence. Austria answers No
// with figures typed in that row anyway (as one may before answering):
// the row is hidden, the figures are kept in the draft but not checked
// (a jump from one year to the next raises no warning), and not in the
// submitted version, nor on the Office's review of it; Yes before
// submitting brings them back, checked.
func TestRelevanceTableRow(t *testing.T) {
	ts, srv := startServer(t, nil)
	c := clientAs(t, ts.URL, "demo-fp-aut")
	store, call, _ := demoCallOf(t, srv, "crime-statistics")
	base := ts.URL + "/orgs/AUT/calls/" + call.Key
	section := base + "/police"
	r := do(t, c, "GET", section, nil)
	if r.status != http.StatusOK {
		t.Fatalf("section: %d", r.status)
	}
	if tag := rowTag(t, r.body, "police_offences", "wildlife_trafficking"); tag != `<tr data-relevant-on="wildlife_offence" data-relevant-answers="yes" hidden>` {
		t.Errorf("unanswered, the row of wildlife trafficking: %s", tag)
	}
	if tag := rowTag(t, r.body, "police_offences", "homicide"); tag != `<tr>` {
		t.Errorf("homicide: %s", tag)
	}
	if !strings.Contains(r.body, "/static/relevance.") || !strings.Contains(r.body, `data-rows-shown="`) {
		t.Error("the page does not load relevance.js or has no words for rows")
	}

	// The population is required: given, so that only the police figures matter.
	pop := do(t, c, "GET", base+"/population", nil)
	form := formOf(t, pop.body)
	for _, y := range call.Years {
		form.Set(forms.CellField(forms.CellRef{Question: "population_by_year", Row: "population", Year: y, Category: forms.TotalCategory}), "8900000")
	}
	if resp := do(t, c, "POST", base+"/population", form); resp.status != http.StatusSeeOther {
		t.Fatalf("population: %d\n%s", resp.status, resp.body)
	}

	wildlife := func(y int) string {
		return forms.CellField(forms.CellRef{Question: "police_offences", Row: "wildlife_trafficking", Year: y, Category: forms.TotalCategory})
	}
	first, last := call.Years[0], call.Years[len(call.Years)-1]
	save := func(offence string) string {
		t.Helper()
		form := formOf(t, r.body)
		form.Set("q/wildlife_offence", offence)
		for _, y := range call.Years {
			form.Set(forms.CellField(forms.CellRef{Question: "police_offences", Row: "homicide", Year: y, Category: forms.TotalCategory}), "60")
			form.Set(wildlife(y), "30") // hidden inputs post what they hold
		}
		form.Set(wildlife(last), "3000") // a hundredfold jump
		resp := do(t, c, "POST", section, form)
		if resp.status != http.StatusSeeOther {
			t.Fatalf("save %s: %d\n%s", offence, resp.status, resp.body)
		}
		r = do(t, c, "GET", section, nil)
		return r.body
	}
	lastCell := regexp.MustCompile(`<td [^>]*><input id="` + regexp.QuoteMeta(views.CellID(forms.CellRef{Question: "police_offences", Row: "wildlife_trafficking", Year: last, Category: forms.TotalCategory})) + `"[^>]*>`)
	page := save("no")
	if tag := rowTag(t, page, "police_offences", "wildlife_trafficking"); !strings.Contains(tag, " hidden") {
		t.Errorf("with No: %s", tag)
	}
	td := lastCell.FindString(page)
	if !strings.Contains(td, `value="3,000"`) {
		t.Errorf("with No, the draft lost the figure typed: %s", td)
	}
	if strings.Contains(td, "cell--warned") || strings.Contains(td, "aria-describedby") || strings.Contains(page, "police_year_change/wildlife_trafficking") {
		t.Errorf("with No, the hidden figures are checked: %s", td)
	}

	page = save("yes")
	if tag := rowTag(t, page, "police_offences", "wildlife_trafficking"); strings.Contains(tag, "hidden") {
		t.Errorf("with Yes: %s", tag)
	}
	if td := lastCell.FindString(page); !strings.Contains(td, `value="3,000"`) || !strings.Contains(td, "cell--warned") {
		t.Errorf("with Yes, the figures are not back, or not checked: %s", td)
	}

	save("no")
	if resp := do(t, c, "POST", base+"/submit", url.Values{}); resp.status != http.StatusSeeOther || !strings.Contains(resp.header.Get("Location"), "/receipts/1") {
		t.Fatalf("submit with No: %d %s\n%s", resp.status, resp.header.Get("Location"), resp.body)
	}
	v, err := store.SubmissionVersion(context.Background(), call, orgRef(t, store, "AUT"), 1)
	if err != nil {
		t.Fatal(err)
	}
	homicide := 0
	for ref := range v.Answers.Cells {
		switch {
		case ref.Row == "wildlife_trafficking":
			t.Errorf("submitted: %+v, a cell of a hidden row", ref)
		case ref.Row == "homicide":
			homicide++
		}
	}
	if homicide != len(call.Years) || v.Answers.Values["wildlife_offence"].Bool == nil {
		t.Errorf("submitted %d homicide cells and wildlife_offence %+v; want %d and No", homicide, v.Answers.Values["wildlife_offence"], len(call.Years))
	}
	// The Office's review of the version leaves the row out: not asked.
	analyst := clientAs(t, ts.URL, "demo-analyst")
	review := do(t, analyst, "GET", ts.URL+"/office/calls/"+call.Key+"/orgs/AUT", nil)
	if review.status != http.StatusOK || !strings.Contains(review.body, "Intentional homicide") || strings.Contains(review.body, "Trade or possession of protected") {
		t.Errorf("the review (%d) shows the hidden row, or not the table", review.status)
	}
	d, err := store.Draft(context.Background(), call, orgRef(t, store, "AUT"))
	if err != nil {
		t.Fatal(err)
	}
	if c := d.Answers.Cells[forms.CellRef{Question: "police_offences", Row: "wildlife_trafficking", Year: first, Category: forms.TotalCategory}]; c.Value != 30 {
		t.Errorf("after submitting, the draft's hidden figure: %+v", c)
	}
}
