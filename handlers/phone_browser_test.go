package handlers

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portal/handlers/browsertest"
)

// TestBrowserPagesFitAPhone: at 390 px, in English and in Arabic, the
// pages a focal point and an analyst use most never scroll sideways (a
// table of figures scrolls in its own box; text breaks).
func TestBrowserPagesFitAPhone(t *testing.T) {
	ts, _ := startServer(t, nil)
	b := browsertest.New(t, 4*time.Minute)
	views, stats := demoCall("tourism-views").Key, demoCall("crime-statistics").Key
	pages := map[string][]string{
		"demo-fp-aut": {"/orgs/AUT", "/orgs/AUT/calls/" + views + "/submission", "/orgs/AUT/calls/" + stats + "/submission"},
		"demo-admin":  {"/office", "/office/calls/" + views, "/office/users", "/office/invitations", "/office/populations"},
	}
	b.Do(chromedp.EmulateViewport(390, 844))
	for _, lang := range []string{"en", "ar"} {
		for _, who := range []string{"demo-fp-aut", "demo-admin"} {
			browserSignIn(b, ts.URL, who)
			for _, p := range pages[who] {
				b.Do(chromedp.Navigate(ts.URL+"/language/"+lang+"?next="+p), chromedp.WaitReady("footer"))
				if got := b.Eval(`String(document.documentElement.scrollWidth <= innerWidth)`); got != "true" {
					b.Screenshot(lang + "-phone-overflow")
					b.Fatalf("%s %s as %s: the page is %s px wide at 390", lang, p, who, b.Eval(`String(document.documentElement.scrollWidth)`))
				}
			}
		}
	}
}
