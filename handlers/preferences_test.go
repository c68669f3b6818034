package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestMailPreferences: a person turns the comment notices off and on
// again; receipts and returns cannot be turned off; an analyst may also
// turn off the digest, a focal point is not offered it.
func TestMailPreferences(t *testing.T) {
	base, cs := signedIn(t, "demo-fp-aut", "demo-analyst")
	fp, analyst := cs[0], cs[1]
	r := do(t, fp, "GET", base+"/home/mail", nil)
	if r.status != http.StatusOK || !strings.Contains(r.body, `name="on" value="comment" aria-describedby="pref-comment-hint" checked`) ||
		strings.Contains(r.body, `value="digest"`) || !strings.Contains(r.body, "The receipt of each submission") {
		t.Fatalf("a focal point's preferences: %d\n%s", r.status, r.body)
	}
	if r = do(t, fp, "POST", base+"/home/mail", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("turning comments off: %d", r.status)
	}
	if r = do(t, fp, "GET", base+"/home/mail", nil); strings.Contains(r.body, `value="comment" aria-describedby="pref-comment-hint" checked`) ||
		!strings.Contains(r.body, "Your e-mail preferences are saved.") {
		t.Error("comments still ticked after turning them off")
	}
	// Posting a kind that cannot be turned off, or on, changes nothing else.
	do(t, fp, "POST", base+"/home/mail", url.Values{"on": {"comment", "receipt", "<script>"}})
	if r = do(t, fp, "GET", base+"/home/mail", nil); !strings.Contains(r.body, `value="comment" aria-describedby="pref-comment-hint" checked`) {
		t.Error("comments not back on")
	}
	if r = do(t, analyst, "GET", base+"/home/mail", nil); !strings.Contains(r.body, `value="digest"`) {
		t.Error("an analyst is not offered the digest")
	}
}
