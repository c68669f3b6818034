package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestTimeZoneOnePerPage: every page shows its times in one zone, named in
// the footer. A page about one call uses the call's zone (the statistics
// call's deadline is in UTC, the views call's in Europe/Vienna); the other
// pages use the zone the viewer chose in the footer (UTC until then). A
// name that is no zone changes nothing and says so.
func TestTimeZoneOnePerPage(t *testing.T) {
	base, cs := signedIn(t, "demo-fp-aut")
	c := cs[0]
	views := demoCall("tourism-views")
	home := base + "/orgs/AUT"
	zoneNamed := func(page, zone string) bool {
		return strings.Contains(page, "Times on this page are in "+zone+".")
	}
	if page := do(t, c, "GET", home, nil).body; !zoneNamed(page, "UTC") || strings.Contains(page, "Europe/Vienna)") {
		t.Error("the organization's page is not all in UTC before the viewer chooses")
	}
	r := do(t, c, "GET", base+"/zone?"+url.Values{"zone": {"Asia/Tokyo"}, "next": {"/orgs/AUT"}}.Encode(), nil)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/orgs/AUT" {
		t.Fatalf("choosing a zone: %d to %q", r.status, r.header.Get("Location"))
	}
	page := do(t, c, "GET", home, nil).body
	if !zoneNamed(page, "Asia/Tokyo") || !strings.Contains(page, "(Asia/Tokyo) —") || strings.Contains(page, " UTC") {
		t.Error("the organization's page does not show its times in the zone chosen")
	}
	sub := do(t, c, "GET", base+"/orgs/AUT/calls/"+views.Key+"/submission", nil).body
	if !zoneNamed(sub, "Europe/Vienna") || strings.Contains(sub, "Asia/Tokyo)") {
		t.Error("a page about the views call is not in the call's zone")
	}
	r = do(t, c, "GET", base+"/zone?"+url.Values{"zone": {"Mars/Olympus"}, "next": {"/orgs/AUT"}}.Encode(), nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("an unknown zone: %d", r.status)
	}
	page = do(t, c, "GET", home, nil).body
	if !zoneNamed(page, "Asia/Tokyo") || !strings.Contains(page, "not a time zone name the portal knows") {
		t.Error("an unknown zone changed the choice, or was not refused with a reason")
	}
}
