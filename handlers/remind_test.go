package handlers

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestRemindNow: on a call's tracking page, an analyst ticks an
// organization that has not answered, sees the reminder in the language
// its focal point reads (Arabic here), sends it, and the page then shows
// the reminder waiting to go. A contributor may not remind.
func TestRemindNow(t *testing.T) {
	base, cs := signedIn(t, "demo-analyst", "demo-fp-untourism", "demo-contrib-aut")
	analyst, fp, contrib := cs[0], cs[1], cs[2]
	do(t, fp, "GET", base+"/language/ar?next=/home", nil) // UN Tourism's focal point reads Arabic
	views := demoCall("tourism-views")
	tracking := base + "/office/calls/" + views.Key
	page := do(t, analyst, "GET", tracking, nil).body
	if !strings.Contains(page, `id="remind-UNTOURISM" name="org" value="UNTOURISM"`) {
		t.Fatal("UN Tourism (not answered, a focal point) cannot be ticked to remind")
	}
	if strings.Contains(page, `id="remind-BEL"`) {
		t.Error("Belgium (no focal point) can be ticked")
	}
	r := do(t, analyst, "POST", tracking+"/remind", url.Values{"org": {"UNTOURISM"}, "step": {"preview"}})
	if r.status != http.StatusOK || !strings.Contains(r.body, "This reminder goes to 1 focal point") || !strings.Contains(r.body, `lang="ar" dir="rtl"`) ||
		!regexp.MustCompile(`/orgs/UNTOURISM/calls/`+views.Key).MatchString(r.body) {
		t.Fatalf("the preview: %d\n%s", r.status, r.body)
	}
	if n := strings.Count(r.body, `class="mail-preview"`); n != 1 {
		t.Errorf("%d previews, want one (Arabic, UN Tourism's focal point's language)", n)
	}
	if r = do(t, contrib, "POST", tracking+"/remind", url.Values{"org": {"UNTOURISM"}, "step": {"send"}}); r.status != http.StatusForbidden {
		t.Errorf("a contributor reminding: %d", r.status)
	}
	r = do(t, analyst, "POST", tracking+"/remind", url.Values{"org": {"UNTOURISM"}, "step": {"send"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("sending: %d", r.status)
	}
	page = do(t, analyst, "GET", tracking, nil).body
	if !strings.Contains(page, "The reminder is on its way: 1 message.") || !strings.Contains(page, "1 waiting to go") {
		t.Error("after sending, the tracking page does not say the reminder is on its way and waiting")
	}
	if r = do(t, analyst, "POST", tracking+"/remind", url.Values{"org": {"XYZ"}, "step": {"send"}}); r.status == http.StatusSeeOther {
		t.Error("reminding an organization the call does not ask was taken")
	}
}
