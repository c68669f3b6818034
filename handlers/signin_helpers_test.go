package handlers

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// do sends a request with the client, with the headers given as
// "Name: value", and returns the response with its body read.
func do(t testing.TB, c *http.Client, method, target string, form url.Values, header ...string) response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, kv := range header {
		k, v, _ := strings.Cut(kv, ": ")
		req.Header.Add(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, string(b)}
}

// signIn goes through the whole sign-in flow as a browser would: the
// portal's /signin, the development provider's authorize endpoint, its
// account picker, its callback, and the portal's /auth/callback. It returns
// the final response (a redirect to the user's home on success).
func signIn(t testing.TB, c *http.Client, base, subject string) response {
	t.Helper()
	return signInAt(t, c, base, base+"/signin", subject)
}

// clientAs is a new client signed in as subject at the portal at base.
func clientAs(t testing.TB, base, subject string) *http.Client {
	t.Helper()
	c := newClient(t)
	if r := signIn(t, c, base, subject); r.status != http.StatusSeeOther {
		t.Fatalf("sign-in as %s: %d", subject, r.status)
	}
	return c
}

// signInAt is signIn starting from start (the sign-in address, with a next
// page perhaps).
func signInAt(t testing.TB, c *http.Client, base, start, subject string) response {
	t.Helper()
	r := do(t, c, "GET", start, nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("/signin: %d", r.status)
	}
	r = do(t, c, "GET", r.header.Get("Location"), nil) // provider's authorize
	picker := r.header.Get("Location")
	u, err := url.Parse(picker)
	if err != nil || !strings.HasSuffix(u.Path, DevSignInPath) {
		t.Fatalf("authorize sent the browser to %q, want the account picker", picker)
	}
	r = do(t, c, "POST", base+DevSignInPath, url.Values{"id": {u.Query().Get("id")}, "subject": {subject}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("picking %s: %d\n%s", subject, r.status, r.body)
	}
	r = do(t, c, "GET", r.header.Get("Location"), nil) // provider's callback, to the portal with a code
	if !strings.Contains(r.header.Get("Location"), "/auth/callback?") {
		t.Fatalf("provider callback sent the browser to %q", r.header.Get("Location"))
	}
	return do(t, c, "GET", r.header.Get("Location"), nil)
}
