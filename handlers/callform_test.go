package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestCallForm: an analyst creates a call; a form with every kind of
// mistake comes back with each one at its field and nothing saved; the
// corrected form is saved, shows in the Office's list, and is due for the
// States it asks; an edit narrows who is asked.
func TestCallForm(t *testing.T) {
	base, cs := signedIn(t, "demo-analyst", "demo-fp-aut", "demo-fp-ken", "demo-contrib-aut")
	analyst, aut, ken, contrib := cs[0], cs[1], cs[2], cs[3]
	if r := do(t, contrib, "GET", base+"/office/calls/new", nil); r.status != http.StatusForbidden {
		t.Errorf("a contributor opening the call form: %d", r.status)
	}
	r := do(t, analyst, "GET", base+"/office/calls/new", nil)
	if r.status != 200 || !strings.Contains(r.body, `name="title_ar"`) {
		t.Fatalf("new call form: %d", r.status)
	}
	bad := url.Values{"key": {"Bad Key!"}, "reference": {"ccpcj 23"}, "questionnaire": {"crime-statistics@1"}, "years": {"2024, twenty"},
		"deadline": {"tomorrow"}, "time_zone": {"Mars/Olympus"}, "state": {"open"}, "organizations": {"NOT A CODE"}, "reminders": {"7, soon"}}
	r = do(t, analyst, "POST", base+"/office/calls/new", bad)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("a bad call: %d", r.status)
	}
	for _, want := range []string{"Enter a key of lower-case letters", "Use capital letters, digits and hyphens only", "Enter the title in English",
		"Enter years from 1950 to 2100", "Enter the deadline as a date and time", "Enter a time zone name", "One of the codes is not",
		"Give at most 6 reminder days"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the bad call's page lacks %q", want)
		}
	}
	if !strings.Contains(r.body, `value="Bad Key!"`) {
		t.Error("what was typed is not kept")
	}
	good := url.Values{"key": {"uncts-2027"}, "reference": {"UNCTS-2027"}, "title_en": {"Crime statistics 2023-2026"}, "title_fr": {"Statistiques de la criminalité 2023-2026"},
		"mandate_en": {"ECOSOC resolution 2012/18"}, "questionnaire": {"crime-statistics@1"}, "years": {"2023-2026"},
		"opens": {"2026-12-01"}, "deadline": {"2027-03-31T23:59"}, "time_zone": {"Europe/Vienna"}, "state": {"open"},
		"groups": {"WEOG"}, "organizations": {"EU"}, "late": {"1"}, "reminders": {"7，1; 30 −7"}}
	r = do(t, analyst, "POST", base+"/office/calls/new", good)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/office/calls/uncts-2027" {
		t.Fatalf("a good call: %d to %s\n%s", r.status, r.header.Get("Location"), r.body)
	}
	if r = do(t, analyst, "GET", base+"/office", nil); !strings.Contains(r.body, "Crime statistics 2023-2026") {
		t.Error("the new call is not on the Office's home")
	}
	if r = do(t, aut, "GET", base+"/orgs/AUT", nil); !strings.Contains(r.body, "/orgs/AUT/calls/uncts-2027") || !strings.Contains(r.body, "2027-03-31 21:59 UTC") {
		t.Error("Austria (WEOG) does not see the new call with its deadline (in UTC, the zone of its home until it chooses another)")
	}
	if r = do(t, ken, "GET", base+"/orgs/KEN", nil); strings.Contains(r.body, "uncts-2027") {
		t.Error("Kenya, not asked, sees the call")
	}
	// The same key again is refused at its field.
	if r = do(t, analyst, "POST", base+"/office/calls/new", good); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Another call has this key") {
		t.Errorf("a duplicate key: %d", r.status)
	}
	// Edited: only the organizations named.
	r = do(t, analyst, "GET", base+"/office/calls/uncts-2027/edit", nil)
	edit := formOf(t, r.body)
	if got := edit.Get("reminders"); got != "30, 7, 1, -7" {
		t.Errorf("the reminders read back as %q, want 30, 7, 1, -7 (typed with other separators and a typographic minus)", got)
	}
	edit.Del("groups")
	if r = do(t, analyst, "POST", base+"/office/calls/uncts-2027/edit", edit); r.status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", r.status, r.body)
	}
	if r = do(t, aut, "GET", base+"/orgs/AUT", nil); strings.Contains(r.body, "uncts-2027") {
		t.Error("Austria still sees a call that no longer asks it")
	}
	// Open, past its deadline, without late submissions: the portal would
	// close it again at once, so the form says what to do instead.
	edit.Set("opens", "2019-12-01")
	edit.Set("deadline", "2020-01-31T23:59")
	edit.Del("late")
	if r = do(t, analyst, "POST", base+"/office/calls/uncts-2027/edit", edit); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "The deadline has passed") {
		t.Errorf("reopening past the deadline: %d", r.status)
	}
	edit.Set("late", "1")
	if r = do(t, analyst, "POST", base+"/office/calls/uncts-2027/edit", edit); r.status != http.StatusSeeOther {
		t.Errorf("open past the deadline, taking late submissions: %d", r.status)
	}
}
