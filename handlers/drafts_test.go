package handlers

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"portal/forms"
	"portal/forms/demo"
)

// demoCall returns the key of the demo call for a questionnaire.
func demoCall(questionnaire string) forms.Call {
	for _, c := range demo.Calls(time.Now()) {
		if c.Questionnaire == questionnaire {
			return c
		}
	}
	panic("no demo call for " + questionnaire)
}

// signedIn starts a portal and signs each subject in with a client of its own.
func signedIn(t *testing.T, subjects ...string) (string, []*http.Client) {
	t.Helper()
	ts, _ := startServer(t, nil)
	var clients []*http.Client
	for _, sub := range subjects {
		clients = append(clients, clientAs(t, ts.URL, sub))
	}
	return ts.URL, clients
}

// formOf returns the values the page's draft form would send as it is:
// every input, select and textarea with its current value.
func formOf(t *testing.T, page string) url.Values {
	t.Helper()
	v := url.Values{}
	for _, m := range regexp.MustCompile(`<input ([^>]*)>`).FindAllStringSubmatch(page, -1) {
		attrs := m[1]
		name, value := attr(attrs, "name"), attr(attrs, "value")
		typ := attr(attrs, "type")
		if name == "" || typ == "file" {
			continue
		}
		if (typ == "checkbox" || typ == "radio") && !strings.Contains(attrs, " checked") {
			continue
		}
		v.Add(name, value)
	}
	for _, m := range regexp.MustCompile(`(?s)<textarea ([^>]*)>(.*?)</textarea>`).FindAllStringSubmatch(page, -1) {
		v.Add(attr(m[1], "name"), unescape(m[2]))
	}
	for _, m := range regexp.MustCompile(`(?s)<select id="[^"]*" name="([^"]*)">(.*?)</select>`).FindAllStringSubmatch(page, -1) {
		sel := regexp.MustCompile(`<option value="([^"]*)"[^>]* selected>`).FindStringSubmatch(m[2])
		if sel != nil {
			v.Add(m[1], sel[1])
		} else {
			v.Add(m[1], "")
		}
	}
	return v
}

func attr(attrs, name string) string {
	m := regexp.MustCompile(`(?:^|\s)` + name + `="([^"]*)"`).FindStringSubmatch(attrs)
	if m == nil {
		return ""
	}
	return unescape(m[1])
}

func unescape(s string) string {
	r := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&quot;", `"`, "&amp;", "&")
	return r.Replace(s)
}

func TestDraftFillSaveReload(t *testing.T) {
	base, cs := signedIn(t, "demo-fp-aut")
	c := cs[0]
	views, stats := demoCall("tourism-views"), demoCall("crime-statistics")

	r := do(t, c, "GET", base+"/orgs/AUT", nil)
	if r.status != 200 || !strings.Contains(r.body, "/orgs/AUT/calls/"+views.Key) || !strings.Contains(r.body, "/orgs/AUT/calls/"+stats.Key) {
		t.Fatalf("organization page does not list the calls: %d", r.status)
	}
	r = do(t, c, "GET", base+"/orgs/AUT/calls/"+views.Key, nil)
	if r.status != http.StatusSeeOther || !strings.HasSuffix(r.header.Get("Location"), "/calls/"+views.Key+"/threats") {
		t.Fatalf("opening the draft: %d to %q", r.status, r.header.Get("Location"))
	}

	// Narrative answers and choices, with a formula that must stay text.
	section := base + "/orgs/AUT/calls/" + views.Key + "/threats"
	r = do(t, c, "GET", section, nil)
	if r.status != 200 {
		t.Fatalf("section: %d\n%s", r.status, r.body)
	}
	form := formOf(t, r.body)
	if form.Get("version") != "0" {
		t.Fatalf("version %q", form.Get("version"))
	}
	form["q/threats_observed"] = []string{"terrorism", "other"}
	form.Set("o/threats_observed", "=HYPERLINK(\"http://example.org\")")
	form.Set("q/threats_nature", "Pickpocketing in the old town — «vol à la tire» — سرقة\r\nSecond line.")
	r = do(t, c, "POST", section, form)
	if r.status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", r.status, r.body)
	}
	r = do(t, c, "GET", section, nil)
	got := formOf(t, r.body)
	if got.Get("version") != "1" || strings.Join(got["q/threats_observed"], ",") != "terrorism,other" ||
		got.Get("o/threats_observed") != "=HYPERLINK(\"http://example.org\")" ||
		got.Get("q/threats_nature") != "Pickpocketing in the old town — «vol à la tire» — سرقة\nSecond line." {
		t.Errorf("after reload: %v", got)
	}
	if !strings.Contains(r.body, "Your changes are saved.") {
		t.Error("no notice that the changes are saved")
	}

	// A statistics table: a figure, zero, not available, a blank, a note,
	// and a word where a figure goes.
	section = base + "/orgs/AUT/calls/" + stats.Key + "/police"
	r = do(t, c, "GET", section, nil)
	if r.status != 200 {
		t.Fatalf("statistics section: %d", r.status)
	}
	form = formOf(t, r.body)
	y := stats.Years
	cell := func(row string, year int) string {
		return "police_offences/" + row + "/" + strconv.Itoa(year) + "/total"
	}
	form.Set("c/"+cell("homicide", y[0]), "1,234")
	form.Set("c/"+cell("homicide", y[1]), "0")
	form.Set("s/"+cell("robbery", y[0]), "na")
	form.Set("n/"+cell("robbery", y[0]), "Not recorded before the reform.")
	form["f/"+cell("robbery", y[0])] = []string{"national", "estimate"}
	form.Set("c/"+cell("theft", y[0]), "twelve")
	r = do(t, c, "POST", section, form)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "“twelve” is not a number") {
		t.Fatalf("a word in a cell: %d", r.status)
	}
	if !strings.Contains(r.body, `value="twelve"`) {
		t.Error("the word typed is not shown again")
	}
	r = do(t, c, "GET", section, nil)
	got = formOf(t, r.body)
	for k, want := range map[string]string{
		"c/" + cell("homicide", y[0]): "1,234",
		"c/" + cell("homicide", y[1]): "0",
		"c/" + cell("homicide", y[2]): "",
		"s/" + cell("robbery", y[0]):  "na",
		"n/" + cell("robbery", y[0]):  "Not recorded before the reform.",
		"c/" + cell("theft", y[0]):    "",
	} {
		if got.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, got.Get(k), want)
		}
	}
	if strings.Join(got["f/"+cell("robbery", y[0])], ",") != "national,estimate" {
		t.Errorf("flags %v", got["f/"+cell("robbery", y[0])])
	}

	// A warning (a change of more than half from the year before) is
	// explained in place and stays explained.
	form = got
	form.Set("c/"+cell("homicide", y[1]), "3000")
	r = do(t, c, "POST", section, form)
	if r.status != http.StatusSeeOther {
		t.Fatalf("saving a warning: %d", r.status)
	}
	r = do(t, c, "GET", section, nil)
	m := regexp.MustCompile(`name="(x/police_year_change/homicide/` + strconv.Itoa(y[1]) + `/total)"`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no explanation box for the change in homicides:\n%s", r.body)
	}
	form = formOf(t, r.body)
	form.Set(m[1], "A new recording system counts attempts too.")
	if r = do(t, c, "POST", section, form); r.status != http.StatusSeeOther {
		t.Fatalf("explaining: %d", r.status)
	}
	r = do(t, c, "GET", section, nil)
	if !strings.Contains(r.body, "A new recording system counts attempts too.") || !strings.Contains(r.body, "(explained)") {
		t.Error("the explanation is not shown as given")
	}

	// Without the script, a cell's details button saves and comes back
	// with that cell's details open.
	form = formOf(t, r.body)
	form.Set("open", "c/"+cell("burglary", y[1]))
	r = do(t, c, "POST", section, form)
	if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "?open=c%2Fpolice_offences%2Fburglary%2F") {
		t.Fatalf("asking for a cell's details: %d to %s", r.status, r.header.Get("Location"))
	}
	r = do(t, c, "GET", base+r.header.Get("Location"), nil)
	if !strings.Contains(r.body, `name="s/`+cell("burglary", y[1])+`"`) || strings.Contains(r.body, `name="s/`+cell("burglary", y[2])+`"`) {
		t.Error("the details asked for are not open, or others are")
	}

	// Autosave answers in JSON.
	form = formOf(t, r.body)
	form.Set("c/"+cell("burglary", y[0]), "77")
	r = do(t, c, "POST", section, form, "X-Autosave: 1")
	var reply autosaveReply
	if err := json.Unmarshal([]byte(r.body), &reply); err != nil || r.status != 200 || reply.Status != "saved" || reply.Version == 0 {
		t.Errorf("autosave: %d %s", r.status, r.body)
	}
}

// collision has Austria's focal point and contributor open the population
// section at the same version; the focal point saves a population of
// 8,900,000 for the first year. It returns both clients, the section, that
// field, and the contributor's form, now stale.
func collision(t *testing.T) (fp, contrib *http.Client, section, field string, stale url.Values) {
	t.Helper()
	base, cs := signedIn(t, "demo-fp-aut", "demo-contrib-aut")
	fp, contrib = cs[0], cs[1]
	stats := demoCall("crime-statistics")
	section = base + "/orgs/AUT/calls/" + stats.Key + "/population"
	field = "c/population_by_year/population/" + strconv.Itoa(stats.Years[0]) + "/total"
	formA := formOf(t, do(t, fp, "GET", section, nil).body)
	stale = formOf(t, do(t, contrib, "GET", section, nil).body)
	formA.Set(field, "8,900,000")
	if r := do(t, fp, "POST", section, formA); r.status != http.StatusSeeOther {
		t.Fatalf("first save: %d", r.status)
	}
	return fp, contrib, section, field, stale
}

func TestDraftConflict(t *testing.T) {
	fp, contrib, section, field, formB := collision(t)
	stats := demoCall("crime-statistics")
	other := "c/population_by_year/population/" + strconv.Itoa(stats.Years[1]) + "/total"
	formB.Set(field, "8,950,000")
	formB.Set(other, "9,000,000")
	r := do(t, contrib, "POST", section, formB)
	if r.status != http.StatusConflict {
		t.Fatalf("stale save: %d, want 409\n%s", r.status, r.body)
	}
	for _, want := range []string{"8,900,000", "8,950,000", "Keep what focal.point@austria.example.org saved on", "Use my version"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("conflict page lacks %q", want)
		}
	}
	// The change that collided with nothing is saved already.
	if got := formOf(t, do(t, fp, "GET", section, nil).body).Get(other); got != "9,000,000" {
		t.Errorf("the other change: %q", got)
	}
	// The contributor leaves the conflict page without choosing: the
	// section says their version is kept, and leads back to the choice.
	r = do(t, contrib, "GET", section, nil)
	if !strings.Contains(r.body, "your version of the 1 answer concerned is kept") || !strings.Contains(r.body, `href="/orgs/AUT/calls/`+stats.Key+`/population/resolve"`) {
		t.Fatal("the section does not say that the contributor's version is kept")
	}
	// Meanwhile the focal point changes the figure again: the choice is
	// against what is saved now.
	formA := formOf(t, do(t, fp, "GET", section, nil).body)
	formA.Set(field, "8,920,000")
	if r = do(t, fp, "POST", section, formA); r.status != http.StatusSeeOther {
		t.Fatalf("the focal point's second save: %d", r.status)
	}
	r = do(t, contrib, "GET", section+"/resolve", nil)
	if r.status != http.StatusConflict || !strings.Contains(r.body, "8,920,000") || !strings.Contains(r.body, "8,950,000") {
		t.Fatalf("the kept conflict: %d", r.status)
	}
	// The contributor chooses their own figure.
	choice := formOf(t, r.body)
	choice.Set("choice/"+field, "mine")
	if r = do(t, contrib, "POST", section+"/resolve", choice); r.status != http.StatusSeeOther {
		t.Fatalf("resolving: %d\n%s", r.status, r.body)
	}
	if got := formOf(t, do(t, fp, "GET", section, nil).body).Get(field); got != "8,950,000" {
		t.Errorf("after choosing: %q", got)
	}
	// Chosen: nothing is pending any more.
	if r = do(t, contrib, "GET", section, nil); strings.Contains(r.body, "/population/resolve\"") {
		t.Error("the section still offers a choice already made")
	}
	if r = do(t, contrib, "GET", section+"/resolve", nil); r.status != http.StatusSeeOther {
		t.Errorf("the conflict page with nothing to choose: %d", r.status)
	}
}

// TestAutosaveConflict: an autosave that collides says so and names the
// field unsettled, so that the page keeps it at the version it started
// from and the next autosave collides again rather than writing over the
// other person's figure unchosen; the section then offers the choice.
func TestAutosaveConflict(t *testing.T) {
	fp, contrib, section, field, formB := collision(t)
	formB.Set(field, "8,950,000")
	for i := range 2 {
		r := do(t, contrib, "POST", section, formB, "X-Autosave: 1")
		var reply autosaveReply
		if err := json.Unmarshal([]byte(r.body), &reply); err != nil || reply.Status != "conflict" || !slices.Contains(reply.Unsettled, field) {
			t.Fatalf("autosave %d: %d %s", i+1, r.status, r.body)
		}
	}
	if got := formOf(t, do(t, fp, "GET", section, nil).body).Get(field); got != "8,900,000" {
		t.Errorf("the focal point's figure after the contributor's autosaves: %q", got)
	}
	if r := do(t, contrib, "GET", section+"/resolve", nil); r.status != http.StatusConflict || !strings.Contains(r.body, "8,950,000") {
		t.Errorf("the kept conflict: %d", r.status)
	}
}

// TestUnsavedAfterSessionEnd: a section saved after the session had ended
// is not lost: the form is kept, the user is sent to sign in, and finds
// what they typed on the section, based on the version they had loaded,
// to check and save.
func TestUnsavedAfterSessionEnd(t *testing.T) {
	base, cs := signedIn(t, "demo-fp-aut")
	views := demoCall("tourism-views")
	section := base + "/orgs/AUT/calls/" + views.Key + "/threats"
	form := formOf(t, do(t, cs[0], "GET", section, nil).body)
	form.Set("q/threats_nature", "An afternoon's work, typed while the session ran out.")

	// The same browser, its session gone.
	c := newClient(t)
	r := do(t, c, "POST", section, form)
	next := "/orgs/AUT/calls/" + views.Key + "/threats"
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/signin?next="+url.QueryEscape(next) {
		t.Fatalf("saving without a session: %d to %q", r.status, r.header.Get("Location"))
	}
	if r = signInAt(t, c, base, base+r.header.Get("Location"), "demo-fp-aut"); r.status != http.StatusSeeOther || r.header.Get("Location") != next {
		t.Fatalf("signing in again: %d to %q", r.status, r.header.Get("Location"))
	}
	r = do(t, c, "GET", base+next, nil)
	page := formOf(t, r.body)
	if !strings.Contains(r.body, "your last changes were not saved") || page.Get("q/threats_nature") != "An afternoon's work, typed while the session ran out." ||
		page.Get("version") != form.Get("version") {
		t.Fatalf("the section after signing in again: notice %v, answer %q, version %q (want %q)",
			strings.Contains(r.body, "your last changes were not saved"), page.Get("q/threats_nature"), page.Get("version"), form.Get("version"))
	}
	if r = do(t, c, "POST", section, page); r.status != http.StatusSeeOther {
		t.Fatalf("saving it: %d", r.status)
	}
	r = do(t, c, "GET", section, nil)
	if got := formOf(t, r.body).Get("q/threats_nature"); got != "An afternoon's work, typed while the session ran out." || strings.Contains(r.body, "your last changes were not saved") {
		t.Errorf("after saving: %q", got)
	}
	// An autosave without a session is told so, in JSON, and nothing is kept.
	r = do(t, newClient(t), "POST", section, form, "X-Autosave: 1")
	var reply autosaveReply
	if err := json.Unmarshal([]byte(r.body), &reply); err != nil || r.status != http.StatusUnauthorized || reply.Status != "signedout" {
		t.Errorf("an autosave without a session: %d %s", r.status, r.body)
	}
	// Only a section's own form is kept, and nothing without its end marker.
	cut := url.Values{}
	for k, v := range form {
		cut[k] = v
	}
	cut.Del("end")
	if r = do(t, newClient(t), "POST", section, cut); r.status != http.StatusForbidden {
		t.Errorf("a form cut short, without a session: %d", r.status)
	}
	// Anyone may post here: a few forms are kept per address, then one a
	// minute; the others are refused as before, and nothing is stored.
	kept := 0
	for range 10 {
		if r = do(t, newClient(t), "POST", section, form); r.status == http.StatusSeeOther {
			kept++
		} else if r.status != http.StatusForbidden {
			t.Fatalf("a form without a session: %d", r.status)
		}
	}
	if kept >= 10 {
		t.Errorf("%d forms of 10 kept from one address", kept)
	}
}

func TestDraftAccess(t *testing.T) {
	base, cs := signedIn(t, "demo-analyst", "demo-fp-ken")
	analyst, ken := cs[0], cs[1]
	views := demoCall("tourism-views")
	section := base + "/orgs/AUT/calls/" + views.Key + "/threats"
	r := do(t, analyst, "GET", section, nil)
	if r.status != 200 || !strings.Contains(r.body, `<fieldset class="plain" disabled>`) || strings.Contains(r.body, "data-autosave") {
		t.Errorf("the Office sees the draft read-only: %d", r.status)
	}
	if r = do(t, analyst, "POST", section, url.Values{"version": {"0"}, "end": {"1"}}); r.status != http.StatusForbidden {
		t.Errorf("the Office saving: %d", r.status)
	}
	if r = do(t, ken, "GET", section, nil); r.status != http.StatusNotFound {
		t.Errorf("another State's focal point: %d", r.status)
	}
	for _, path := range []string{"/orgs/AUT/calls/no-such-call", "/orgs/AUT/calls/" + views.Key + "/no-such-section", "/orgs/AUT/files/999", "/orgs/AUT/files/x"} {
		if r = do(t, analyst, "GET", base+path, nil); r.status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, r.status)
		}
	}
}

// TestDraftBadRequests sends what no page of the portal sends: each gets a
// clear refusal, never a 500, and the draft keeps what was saved.
func TestDraftBadRequests(t *testing.T) {
	base, cs := signedIn(t, "demo-fp-aut")
	c := cs[0]
	views := demoCall("tourism-views")
	section := base + "/orgs/AUT/calls/" + views.Key + "/threats"
	form := formOf(t, do(t, c, "GET", section, nil).body)
	form.Set("q/threats_nature", "Saved text.")
	if r := do(t, c, "POST", section, form); r.status != http.StatusSeeOther {
		t.Fatalf("save: %d", r.status)
	}
	for name, f := range map[string]url.Values{
		"empty body":            {},
		"cut short (no marker)": {"version": {"1"}, "q/threats_nature": {""}},
		"a version never made":  {"version": {"99"}, "end": {"1"}},
		"a negative version":    {"version": {"-1"}, "end": {"1"}},
	} {
		r := do(t, c, "POST", section, f)
		if r.status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", name, r.status)
		}
	}
	// A file that is not the draft's.
	r := do(t, c, "POST", base+"/orgs/AUT/calls/"+views.Key+"/good_practices", url.Values{"version": {"1"}, "end": {"1"}, "q/good_practice_documents": {"424242"}})
	if r.status != http.StatusBadRequest {
		t.Errorf("a file of nobody: %d, want 400", r.status)
	}
	// A choice that is no option, text with control characters.
	form = formOf(t, do(t, c, "GET", section, nil).body)
	form["q/threats_observed"] = []string{"no_such_threat"}
	form.Set("q/threats_nature", "Saved text.\x00\x07 With a bell.")
	r = do(t, c, "POST", section, form)
	if r.status != http.StatusSeeOther {
		t.Fatalf("odd input: %d", r.status)
	}
	page := do(t, c, "GET", section, nil)
	if got := formOf(t, page.body).Get("q/threats_nature"); got != "Saved text. With a bell." {
		t.Errorf("control characters kept: %q", got)
	}
	if !strings.Contains(page.body, "Choose among the options listed.") {
		t.Error("an unknown choice is not reported")
	}
	if got := formOf(t, do(t, c, "GET", section, nil).body).Get("version"); got != "2" {
		t.Errorf("version %s after the refused requests, want 2", got)
	}
}
