package handlers

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portal/forms"
	"portal/forms/demo"
	"portal/handlers/browsertest"
)

// TestJointAnswers: who answers on behalf of whom is the Office's record,
// kept on the call's tracking page; a submission naming any other State
// is refused and counts for nothing; the States covered see it, may still
// answer, and the Office then sees both.
func TestJointAnswers(t *testing.T) {
	ts, srv := startServer(t, nil)
	store, views, q := demoCallOf(t, srv, "tourism-views")
	analyst, ken := clientAs(t, ts.URL, "demo-analyst"), clientAs(t, ts.URL, "demo-fp-ken")
	untourism, aut := clientAs(t, ts.URL, "demo-fp-untourism"), clientAs(t, ts.URL, "demo-fp-aut")
	tracking := ts.URL + "/office/calls/" + views.Key
	total := regexp.MustCompile(`(\d+) of the (\d+) organizations asked have answered`)
	answered := func() string {
		t.Helper()
		m := total.FindStringSubmatch(do(t, analyst, "GET", tracking, nil).body)
		if m == nil {
			t.Fatal("no response rate on the tracking page")
		}
		return m[1] + "/" + m[2]
	}
	// responses reads the tracking CSV: by code, the state and who covers it.
	responses := func() map[string][2]string {
		t.Helper()
		r := do(t, analyst, "GET", tracking+"/responses.csv", nil)
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.body, "\ufeff"))).ReadAll()
		if err != nil || len(rows) < 190 || rows[0][4] != "state" || rows[0][6] != "covered_by" {
			t.Fatalf("responses.csv: %v, %d rows", err, len(rows))
		}
		out := map[string][2]string{}
		for _, row := range rows[1:] {
			out[row[0]] = [2]string{row[4], row[6]}
		}
		return out
	}
	want := func(what string, got map[string][2]string, want map[string][2]string) {
		t.Helper()
		for code, w := range want {
			if got[code] != w {
				t.Errorf("%s: %s is %v, want %v", what, code, got[code], w)
			}
		}
	}

	// The demo's record: the European Union for Belgium, Luxembourg and
	// the Netherlands, shown on the tracking page and counted.
	page := do(t, analyst, "GET", tracking, nil).body
	joint := page[strings.Index(page, `id="joint"`):strings.Index(page, `id="g-`)]
	for _, s := range []string{"European Union", "Belgium", "Luxembourg", "Netherlands", `name="state" value="LUX"`} {
		if !strings.Contains(joint, s) {
			t.Errorf("the tracking page's record of joint answers lacks %q", s)
		}
	}
	want("the demo", responses(), map[string][2]string{"BEL": {"joint", "EU"}, "LUX": {"joint", "EU"}, "NLD": {"joint", "EU"}, "USA": {"not_started", ""}})

	// Kenya's focal point names five States and the EU: refused, with the
	// reason, the answers kept, nothing counted.
	if r := do(t, ken, "POST", ts.URL+"/orgs/KEN/calls/"+views.Key+"/withdraw", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("Kenya withdrawing: %d", r.status)
	}
	before := answered()
	forged := url.Values{"on_behalf_of": {"USA", "CHN", "BRA", "FRA", "GBR", "EU"}}
	r := do(t, ken, "POST", ts.URL+"/orgs/KEN/calls/"+views.Key+"/submit", forged)
	if r.status != http.StatusSeeOther || !strings.HasSuffix(r.header.Get("Location"), "/submission?refused=joint") {
		t.Fatalf("Kenya submitting for others: %d to %q, want refused", r.status, r.header.Get("Location"))
	}
	if r = do(t, ken, "GET", ts.URL+r.header.Get("Location"), nil); !strings.Contains(r.body, "Nothing was submitted: the answer named States your organization may not answer for") ||
		!strings.Contains(r.body, "Draft") {
		t.Error("Kenya's submission page does not say why nothing was submitted")
	}
	if got := answered(); got != before {
		t.Errorf("answered after Kenya's refused submission: %s, before %s", got, before)
	}
	want("after Kenya's refusal", responses(), map[string][2]string{"KEN": {"draft", ""}, "USA": {"not_started", ""}, "CHN": {"not_started", ""},
		"BRA": {"draft", ""}, "FRA": {"returned", ""}, "GBR": {"not_started", ""}, "EU": {"submitted", ""}})
	// Without the forged field, Kenya's answer is taken as it was kept.
	if r = do(t, ken, "POST", ts.URL+"/orgs/KEN/calls/"+views.Key+"/submit", url.Values{}); !strings.HasSuffix(r.header.Get("Location"), "/receipts/2") {
		t.Fatalf("Kenya submitting for itself: %d to %q", r.status, r.header.Get("Location"))
	}

	// The Office records UN Tourism's joint answer; what may not be
	// recorded is shown at the form with what was typed.
	for _, c := range []struct {
		org, states string
		says        []string
	}{
		{"KEN", "USA", []string{"Choose an intergovernmental organization"}},
		{"UNTOURISM", "bel EU, XYZ", []string{"BEL: another organization already answers for this State", "EU is not a Member State",
			"XYZ is not the code of a State", `value="bel EU, XYZ"`, `aria-invalid="true"`}},
		{"UNTOURISM", "", []string{"Enter the code of at least one Member State"}},
		// Too long a list is refused, not cut short to the States that fit.
		{"UNTOURISM", "ESP" + strings.Repeat(" ", 2000) + "PRT", []string{"Enter at most 200 State codes."}},
	} {
		r = do(t, analyst, "POST", tracking+"/joint", url.Values{"organization": {c.org}, "states": {c.states}})
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("recording %s for %q: %d, want 422", c.org, c.states, r.status)
		}
		for _, s := range c.says {
			if !strings.Contains(r.body, s) {
				t.Errorf("recording %s for %q: the page does not say %q", c.org, c.states, s)
			}
		}
	}
	if r = do(t, analyst, "POST", tracking+"/joint", url.Values{"organization": {"UNTOURISM"}, "states": {"esp, PRT AUT"}}); r.status != http.StatusSeeOther {
		t.Fatalf("recording UN Tourism for ESP, PRT, AUT: %d", r.status)
	}
	if page = do(t, analyst, "GET", tracking, nil).body; !strings.Contains(page, "Spain") || !strings.Contains(page, "Portugal") {
		t.Error("the tracking page does not show UN Tourism's record")
	}

	// Austria, covered, sees by whom, before and after UN Tourism submits.
	if r = do(t, aut, "GET", ts.URL+"/orgs/AUT", nil); !strings.Contains(r.body, "answers this call on your behalf") {
		t.Error("Austria's page does not say UN Tourism answers for it")
	}

	// UN Tourism confirms the States its answer covers, among its record.
	sub := ts.URL + "/orgs/UNTOURISM/calls/" + views.Key
	saveAnswers(t, store, views, q, "UNTOURISM", demo.Answers(q, "UN Tourism"), false)
	page = do(t, untourism, "GET", sub+"/submit", nil).body
	for _, code := range []string{"ESP", "PRT", "AUT"} {
		if !strings.Contains(page, `name="on_behalf_of" value="`+code+`" checked`) {
			t.Errorf("UN Tourism's page before submitting does not offer %s, checked", code)
		}
	}
	if strings.Contains(page, `value="FRA"`) {
		t.Error("UN Tourism's page before submitting offers a State outside its record")
	}
	if r = do(t, untourism, "POST", sub+"/submit", url.Values{"on_behalf_of": {"ESP", "FRA"}}); !strings.HasSuffix(r.header.Get("Location"), "refused=joint") {
		t.Errorf("UN Tourism naming France, outside its record: %d to %q", r.status, r.header.Get("Location"))
	}
	if r = do(t, untourism, "POST", sub+"/submit", url.Values{"on_behalf_of": {"ESP", "AUT"}}); !strings.HasSuffix(r.header.Get("Location"), "/receipts/1") {
		t.Fatalf("UN Tourism submitting for ESP and AUT: %d to %q", r.status, r.header.Get("Location"))
	}
	if r = do(t, untourism, "GET", sub+"/receipts/1", nil); !strings.Contains(r.body, "AUT, ESP") {
		t.Error("the receipt does not list the States answered for")
	}
	if r = do(t, aut, "GET", ts.URL+"/orgs/AUT", nil); !strings.Contains(r.body, "has answered this call on your behalf (CCPCJ22-P4-UNTOURISM-1)") {
		t.Error("Austria's page does not say it is covered by UN Tourism's joint answer")
	}
	if r = do(t, aut, "GET", ts.URL+"/orgs/AUT/calls/"+views.Key+"/submission", nil); !strings.Contains(r.body, "You may still answer yourself") {
		t.Error("Austria's submission page does not say it is covered")
	}
	// Austria answers itself too: the Office sees both.
	saveAnswers(t, store, views, q, "AUT", demo.Answers(q, "Austria"), false)
	if r = do(t, aut, "POST", ts.URL+"/orgs/AUT/calls/"+views.Key+"/submit", url.Values{}); !strings.HasSuffix(r.header.Get("Location"), "/receipts/1") {
		t.Fatalf("Austria submitting while covered: %d to %q", r.status, r.header.Get("Location"))
	}
	want("after UN Tourism's joint answer", responses(), map[string][2]string{"ESP": {"joint", "UNTOURISM"}, "PRT": {"not_started", ""},
		"AUT": {"submitted", "UNTOURISM"}, "UNTOURISM": {"submitted", ""}})

	// Taken out of the record, Spain is no longer covered.
	if r = do(t, analyst, "POST", tracking+"/joint/remove", url.Values{"organization": {"UNTOURISM"}, "state": {"ESP"}}); r.status != http.StatusSeeOther {
		t.Fatalf("removing Spain: %d", r.status)
	}
	want("after removing Spain", responses(), map[string][2]string{"ESP": {"not_started", ""}, "AUT": {"submitted", "UNTOURISM"}})
	evs, err := store.AuditEvents(context.Background(), forms.AuditFilter{Action: "joint."})
	if err != nil || len(evs) != 3 || evs[0].Action != forms.AuditJointRemoved || evs[0].Actor.Label != "analyst@unodc.example.org" {
		t.Errorf("audit of the records: %+v, %v", evs, err)
	}
}

// TestBrowserJointAnswers runs axe-core on the pages of joint answers, in
// English and Arabic: the tracking page's record with the form refused at
// its fields, the organization's States to confirm, and the covered
// State's home.
func TestBrowserJointAnswers(t *testing.T) {
	ts, srv := startServer(t, nil)
	store, views, q := demoCallOf(t, srv, "tourism-views")
	saveAnswers(t, store, views, q, "UNTOURISM", demo.Answers(q, "UN Tourism"), false)
	if err := store.Represent(context.Background(), views, "UNTOURISM", []string{"AUT", "ESP"}, srvActor()); err != nil {
		t.Fatal(err)
	}
	b := browsertest.New(t, 3*time.Minute)
	as := func(subject string) {
		t.Helper()
		b.Do(chromedp.Navigate(ts.URL+"/signin"), chromedp.WaitVisible(chromedp.CSS(`.accounts`)))
		b.Press(`form:has(input[name=subject][value="`+subject+`"]) button`, http.StatusOK)
	}
	signOut := func() { t.Helper(); b.Press(`.account form button`, http.StatusOK) }
	for _, lang := range []string{"en", "ar"} {
		b.Do(chromedp.Navigate(ts.URL + "/language/" + lang + "?next=/"))
		as("demo-analyst")
		b.Do(chromedp.Navigate(ts.URL + "/office/calls/" + views.Key))
		b.Do(chromedp.SetValue(chromedp.CSS(`#joint-organization`), "UNTOURISM"), chromedp.SetValue(chromedp.CSS(`#joint-states`), "BEL XYZ"))
		b.Press(`.joint-form button`, http.StatusUnprocessableEntity)
		if b.Eval(`String(document.querySelector('#joint-states').value === 'BEL XYZ' && document.querySelector('#joint-states-error') !== null)`) != "true" {
			b.Fatalf("%s: the refused record is not back in its field with its reasons", lang)
		}
		b.CheckAccessible(lang + " tracking with a refused record of joint answers")
		b.Screenshot(lang + "-joint-record-refused")
		signOut()
		as("demo-fp-untourism")
		b.Do(chromedp.Navigate(ts.URL + "/orgs/UNTOURISM/calls/" + views.Key + "/submit"))
		if b.Eval(`String(document.querySelectorAll('input[name=on_behalf_of]:checked').length)`) != "2" {
			b.Fatalf("%s: UN Tourism is not offered its two States, checked", lang)
		}
		b.CheckAccessible(lang + " submission of a joint answer")
		b.Screenshot(lang + "-joint-submission")
		signOut()
		as("demo-fp-aut")
		b.Do(chromedp.Navigate(ts.URL + "/orgs/AUT"))
		b.CheckAccessible(lang + " home of a covered State")
		b.Screenshot(lang + "-joint-covered-home")
		signOut()
	}
}
