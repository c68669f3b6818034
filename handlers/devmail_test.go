package handlers

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"portal/forms"
	"portal/storage/storagetest"
)

// TestDevMail: a development portal shows the mail it kept: the list, a
// message with its headers and its plain part (links to the portal are
// links), and its HTML part alone, sandboxed.
func TestDevMail(t *testing.T) {
	store := storagetest.NewStore(t)
	ts, _ := startServer(t, store)
	link := ts.URL + "/orgs/AUT/calls/x/submission"
	id, err := store.KeepDevMail(context.Background(), forms.DevMail{Recipients: "focal.point@austria.example.org",
		Subject: "Receipt <b>CTS</b>", Headers: map[string]string{"Message-ID": "<r1@portal>", "Auto-Submitted": "auto-generated"},
		Text: "Your submission was received.\nSee it at " + link + "\nand elsewhere http://example.org/x", HTML: `<p dir="auto">Received: <a href="` + link + `">see</a></p>`})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t)
	list := do(t, c, "GET", ts.URL+"/dev-mail", nil)
	if list.status != http.StatusOK || !strings.Contains(list.body, "Receipt &lt;b&gt;CTS&lt;/b&gt;") || !strings.Contains(list.body, `href="/dev-mail/`+strconv.FormatInt(id, 10)+`"`) {
		t.Fatalf("the list: %d\n%s", list.status, list.body)
	}
	msg := do(t, c, "GET", ts.URL+"/dev-mail/"+strconv.FormatInt(id, 10), nil)
	for _, want := range []string{`<a href="` + link + `">` + link + `</a>`, "and elsewhere http://example.org/x", "Auto-Submitted", "&lt;r1@portal&gt;"} {
		if !strings.Contains(msg.body, want) {
			t.Errorf("the message page lacks %q", want)
		}
	}
	if strings.Contains(msg.body, `href="http://example.org/x"`) {
		t.Error("a link outside the portal was made a link")
	}
	html := do(t, c, "GET", ts.URL+"/dev-mail/"+strconv.FormatInt(id, 10)+"/html", nil)
	if csp := html.header.Get("Content-Security-Policy"); html.status != http.StatusOK || !strings.HasPrefix(csp, "sandbox") || !strings.Contains(html.body, `href="`+link+`"`) {
		t.Errorf("the HTML part: %d, CSP %q", html.status, csp)
	}
	if r := do(t, c, "GET", ts.URL+"/dev-mail/99999", nil); r.status != http.StatusNotFound {
		t.Errorf("a message never kept: %d", r.status)
	}
}
