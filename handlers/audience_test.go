package handlers

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"portal/forms"
	"portal/forms/demo"
	"portal/forms/synthetic"
)

// callActions tries every page and action of an organization's answer to
// a call as c, and returns those that did not answer 404, with their
// status, and whether a body named text.
func callActions(t *testing.T, c *http.Client, base, org, key, section string, form url.Values, text string) (answered []string, named bool) {
	t.Helper()
	call := base + "/orgs/" + org + "/calls/" + key
	for _, a := range []struct {
		method, path string
		form         url.Values
		workbook     bool
	}{
		{"GET", "", nil, false},
		{"GET", "/" + section, nil, false},
		{"POST", "/" + section, form, false},
		{"GET", "/" + section + "/resolve", nil, false},
		{"POST", "/" + section + "/resolve", url.Values{"version": {"0"}}, false},
		{"GET", "/submission", nil, false},
		{"GET", "/workbook.xlsx", nil, false},
		{"POST", "/workbook", nil, true},
		{"POST", "/workbook/apply", url.Values{"token": {"x"}}, false},
		{"POST", "/workbook/report", url.Values{"problems": {"x"}}, false},
		{"POST", "/submit", url.Values{}, false},
		{"POST", "/withdraw", url.Values{}, false},
		{"GET", "/receipts/1", nil, false},
		{"POST", "/comments", url.Values{"body": {"A question."}}, false},
	} {
		var r response
		if a.workbook {
			r = postWorkbook(t, c, call+a.path, []byte("PK not a workbook"))
		} else {
			r = do(t, c, a.method, call+a.path, a.form)
		}
		if r.status != http.StatusNotFound {
			answered = append(answered, a.method+" "+a.path+": "+http.StatusText(r.status))
		}
		named = named || strings.Contains(r.body, text)
	}
	return answered, named
}

// TestCallAudience: a call in preparation exists for nobody but the
// Office; a call that does not ask an organization exists on none of its
// pages, for anyone, in preparation or open: Kenya's focal point on a call
// to the Western European and Others Group, UN Tourism's on the crime
// statistics, asked of Member States only. Nothing they try is saved,
// submitted or tracked, and figures UN Tourism has in the database from
// when the call asked it are in none of the Office's pages and exports.
func TestCallAudience(t *testing.T) {
	ts, srv := startServer(t, nil)
	base := ts.URL
	ken, unt := clientAs(t, base, "demo-fp-ken"), clientAs(t, base, "demo-fp-untourism")
	aut, analyst := clientAs(t, base, "demo-fp-aut"), clientAs(t, base, "demo-analyst")
	ctx := context.Background()
	store, views, q := demoCallOf(t, srv, "tourism-views")
	section := q.Sections[0].Key

	// The form of the section as AUT would post it, with a text of Kenya's.
	form := formOf(t, do(t, aut, "GET", base+"/orgs/AUT/calls/"+views.Key+"/"+section, nil).body)
	for k := range form {
		if strings.HasPrefix(k, "q/") && len(form[k]) == 1 {
			form.Set(k, "Kenya was here.")
		}
	}

	const title = "Views asked of the Western European and Others Group"
	weog := views
	weog.ID, weog.Key, weog.Reference, weog.State = 0, "weog-only", "WEOG-ONLY", forms.CallDraft
	weog.Title = forms.Text{forms.English: title}
	weog.Audience = forms.Audience{Groups: []string{"WEOG"}}
	weog, err := store.SaveCall(ctx, weog, srvActor())
	if err != nil {
		t.Fatal(err)
	}
	for _, state := range []forms.CallState{forms.CallDraft, forms.CallOpen} {
		weog.State = state
		if weog, err = store.SaveCall(ctx, weog, srvActor()); err != nil {
			t.Fatal(err)
		}
		answered, named := callActions(t, ken, base, "KEN", weog.Key, section, form, title)
		if len(answered) > 0 || named {
			t.Errorf("Kenya, on a call %s to WEOG: answered %v; the call's title shown: %v", state, answered, named)
		}
		// The Office sees it, in preparation too; Austria once it is open.
		page := "/orgs/AUT/calls/" + weog.Key + "/" + section
		if r := do(t, analyst, "GET", base+page, nil); r.status != http.StatusOK || !strings.Contains(r.body, title) {
			t.Errorf("the Office, %s, call %s: %d", page, state, r.status)
		}
		if r := do(t, aut, "GET", base+page, nil); r.status != map[forms.CallState]int{forms.CallDraft: 404, forms.CallOpen: 200}[state] {
			t.Errorf("Austria, %s, call %s: %d", page, state, r.status)
		}
		if r := do(t, analyst, "GET", base+"/office/calls/"+weog.Key+"/orgs/KEN", nil); r.status != http.StatusNotFound {
			t.Errorf("the Office reviewing Kenya's answer to a call to WEOG: %d", r.status)
		}
	}
	// Refused or unknown, the answer is the same page: nothing tells whether the call exists.
	refused := do(t, ken, "GET", base+"/orgs/KEN/calls/"+weog.Key+"/"+section, nil)
	unknown := do(t, ken, "GET", base+"/orgs/KEN/calls/no-such-call/"+section, nil)
	if strings.ReplaceAll(refused.body, weog.Key, "no-such-call") != unknown.body {
		t.Errorf("a call that does not ask Kenya and no call at all answer differently:\n%s\n----\n%s", refused.body, unknown.body)
	}
	kenRef := orgRef(t, store, "KEN")
	if d, err := store.Draft(ctx, weog, kenRef); err != nil || d.Version != 0 {
		t.Errorf("Kenya's draft of the call to WEOG: version %d, %v; want nothing saved", d.Version, err)
	}
	if sub, err := store.Submission(ctx, weog, kenRef); err != nil || len(sub.Versions) != 0 {
		t.Errorf("Kenya's submissions to the call to WEOG: %d, %v; want none", len(sub.Versions), err)
	}
	if r := do(t, analyst, "GET", base+"/office/calls/"+weog.Key, nil); r.status != 200 || strings.Contains(r.body, "Kenya") || !strings.Contains(r.body, "Austria") {
		t.Errorf("tracking of the call to WEOG: %d, lists Kenya %v", r.status, strings.Contains(r.body, "Kenya"))
	}

	// UN Tourism and the crime statistics, which ask Member States only.
	_, stats, sq := demoCallOf(t, srv, "crime-statistics")
	statsForm := formOf(t, do(t, aut, "GET", base+"/orgs/AUT/calls/"+stats.Key+"/"+sq.Sections[0].Key, nil).body)
	answered, _ := callActions(t, unt, base, "UNTOURISM", stats.Key, sq.Sections[0].Key, statsForm, "")
	if len(answered) > 0 {
		t.Errorf("UN Tourism, on the crime statistics: answered %v", answered)
	}
	untRef := orgRef(t, store, "UNTOURISM")
	if d, err := store.Draft(ctx, stats, untRef); err != nil || d.Version != 0 {
		t.Errorf("UN Tourism's draft of the crime statistics: version %d, %v; want nothing saved", d.Version, err)
	}

	// Figures UN Tourism submitted while the Office had the call ask it,
	// before it put the call back as it was: in the database, counted nowhere.
	wide := stats
	wide.Audience.Organizations = []string{"UNTOURISM"}
	if wide, err = store.SaveCall(ctx, wide, srvActor()); err != nil {
		t.Fatal(err)
	}
	saveAnswers(t, store, wide, sq, "UNTOURISM", synthetic.Statistics(sq, stats.Years, "UNTOURISM"), true)
	csv := base + "/office/calls/" + stats.Key + "/statistics.csv?include=submitted"
	if r := do(t, analyst, "GET", csv, nil); !strings.Contains(r.body, "UNTOURISM") {
		t.Fatalf("while the call asked it, UN Tourism's figures are not in the export: %d", r.status)
	}
	if n := xlsxRowsOf(t, analyst, base+"/office/calls/"+stats.Key+"/statistics.xlsx?include=submitted", "UNTOURISM"); n == 0 {
		t.Fatal("while the call asked it, UN Tourism's figures are not in the XLSX export")
	}
	wide.Audience.Organizations = nil
	if _, err := store.SaveCall(ctx, wide, srvActor()); err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{
		"/statistics.csv?include=submitted", "/statistics?include=submitted", "/statistics", "/coverage?include=submitted", "",
		"/views?include=submitted",
	} {
		r := do(t, analyst, "GET", base+"/office/calls/"+stats.Key+page, nil)
		if r.status != http.StatusOK || strings.Contains(r.body, "UNTOURISM") || strings.Contains(r.body, "UN Tourism") {
			t.Errorf("%s: %d, names UN Tourism: %v", page, r.status, strings.Contains(r.body, "UNTOURISM") || strings.Contains(r.body, "UN Tourism"))
		}
	}
	if n := xlsxRowsOf(t, analyst, base+"/office/calls/"+stats.Key+"/statistics.xlsx?include=submitted", "UNTOURISM"); n > 0 {
		t.Errorf("statistics.xlsx: %d rows of UN Tourism's", n)
	}
	aggs, err := store.Aggregates(ctx, stats, forms.ReportSeries(sq)[0], true)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range aggs {
		if a.Group == "" && a.Asked != 193 {
			t.Errorf("world aggregate of %d: %d asked, want the 193 Member States", a.Year, a.Asked)
		}
	}
	if r := do(t, analyst, "GET", base+"/office/calls/"+stats.Key+"/orgs/UNTOURISM", nil); r.status != http.StatusNotFound {
		t.Errorf("the Office reviewing UN Tourism's answer to the crime statistics: %d", r.status)
	}
}

// TestNoWithdrawalOnceClosed: once the Office closes the call, Austria's
// submission page offers no withdrawal and says why, in its language; a
// withdrawal posted anyway is refused and the submission stays counted.
func TestNoWithdrawalOnceClosed(t *testing.T) {
	ts, srv := startServer(t, nil)
	base := ts.URL
	fp := clientAs(t, base, "demo-fp-aut")
	store, views, q := demoCallOf(t, srv, "tourism-views")
	saveAnswers(t, store, views, q, "AUT", demo.Answers(q, "Austria"), true)
	page := base + "/orgs/AUT/calls/" + views.Key + "/submission"
	if r := do(t, fp, "GET", page, nil); !strings.Contains(r.body, "/withdraw") {
		t.Fatal("an open call's submission page offers no withdrawal")
	}
	views.State = forms.CallClosed
	views, err := store.SaveCall(context.Background(), views, srvActor())
	if err != nil {
		t.Fatal(err)
	}
	for lang, why := range map[string]string{"en": "The Office has closed the call", "fr": "L’Office a clos l’appel"} {
		r := do(t, fp, "GET", page, nil, "Accept-Language: "+lang)
		if r.status != 200 || strings.Contains(r.body, "/withdraw") || !strings.Contains(r.body, why) {
			t.Errorf("closed call's submission page in %s: %d, offers withdrawal %v, says why %v", lang, r.status,
				strings.Contains(r.body, "/withdraw"), strings.Contains(r.body, why))
		}
	}
	r := do(t, fp, "POST", base+"/orgs/AUT/calls/"+views.Key+"/withdraw", url.Values{})
	if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "refused") {
		t.Errorf("withdrawing from a closed call: %d to %q, want refused", r.status, r.header.Get("Location"))
	}
	if sub, err := store.Submission(context.Background(), views, orgRef(t, store, "AUT")); err != nil || sub.State != forms.Submitted {
		t.Errorf("Austria's submission after the refusal: %s, %v; want submitted", sub.State, err)
	}
}

// xlsxRowsOf downloads a workbook and counts the rows of its sheets that
// have a cell holding exactly text.
func xlsxRowsOf(t *testing.T, c *http.Client, target, text string) int {
	t.Helper()
	r := do(t, c, "GET", target, nil)
	f, err := excelize.OpenReader(strings.NewReader(r.body))
	if err != nil {
		t.Fatalf("%s: %d, %v", target, r.status, err)
	}
	n := 0
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			if slices.Contains(row, text) {
				n++
			}
		}
	}
	return n
}
