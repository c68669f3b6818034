package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portal/forms"
	"portal/forms/demo"
	"portal/storage"
	"portal/storage/storagetest"
)

// TestSessionSharedAndSurvivesRestart signs in on one portal process and
// uses the session on another on the same database, and on the first after
// a restart.
func TestSessionSharedAndSurvivesRestart(t *testing.T) {
	t.Parallel()
	dbURL := storagetest.NewDatabase(t)
	storeA := openStore(t, dbURL)
	analyst := demoAccount(t, "demo-analyst")
	inviteDemoAccount(t, storeA, analyst)
	tsA, _ := startServer(t, storeA)
	c := newClient(t)
	if r := signIn(t, c, tsA.URL, analyst.Subject); r.header.Get("Location") != "/home" {
		t.Fatalf("sign-in on A: %d to %q\n%s", r.status, r.header.Get("Location"), r.body)
	}
	token := sessionToken(t, c, tsA.URL)

	tsB, _ := startServer(t, openStore(t, dbURL))
	checkSignedIn(t, tsB.URL, token, "/office")

	tsA.Close()
	tsA2, _ := startServer(t, openStore(t, dbURL))
	checkSignedIn(t, tsA2.URL, token, "/office")

	// Signing out on one process ends the session on every one.
	out := do(t, plainClient(), "POST", tsB.URL+"/signout", nil, "Cookie: portal_session="+token, "Origin: "+tsB.URL)
	if out.status != http.StatusSeeOther {
		t.Fatalf("sign-out on B: %d", out.status)
	}
	r := do(t, plainClient(), "GET", tsA2.URL+"/home", nil, "Cookie: portal_session="+token)
	if !strings.HasPrefix(r.header.Get("Location"), "/signin") {
		t.Errorf("/home on A after signing out on B: %d to %q, want a redirect to /signin", r.status, r.header.Get("Location"))
	}
}

// TestSessionCookieAttributes checks the session cookie /signin sets: on
// https, with the __Host- prefix and what the prefix requires.
func TestSessionCookieAttributes(t *testing.T) {
	t.Parallel()
	idp := newFakeIdP(t, idpHonest)
	for base, name := range map[string]string{"http://portal.example.org": "portal_session", "https://portal.example.org": "__Host-portal_session"} {
		t.Run(base, func(t *testing.T) {
			t.Parallel()
			s := newServerWithIdP(t, base, idp.URL, storagetest.NewStore(t))
			r := get(t, s, "/signin")
			if r.status != http.StatusSeeOther {
				t.Fatalf("/signin: %d\n%s", r.status, r.body)
			}
			var ck *http.Cookie
			for _, c := range (&http.Response{Header: r.header}).Cookies() {
				if strings.HasSuffix(c.Name, "portal_session") {
					ck = c
				}
			}
			if ck == nil {
				t.Fatalf("no session cookie in %q", r.header.Values("Set-Cookie"))
			}
			if ck.Name != name {
				t.Errorf("session cookie named %q, want %q", ck.Name, name)
			}
			secure := strings.HasPrefix(base, "https:")
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure != secure || ck.Domain != "" {
				t.Errorf("session cookie %q: want HttpOnly, SameSite=Lax, Path=/, no Domain, Secure=%t", ck.Raw, secure)
			}
			if ck.MaxAge != 0 || !ck.Expires.IsZero() {
				t.Errorf("session cookie %q outlives the browser session", ck.Raw)
			}
		})
	}
}

// TestCrossSiteRequestsRefused posts as a signed-in focal point from another
// site, then from the portal's own pages.
func TestCrossSiteRequestsRefused(t *testing.T) {
	t.Parallel()
	store := storagetest.NewStore(t)
	fp := demoAccount(t, "demo-fp-aut")
	inviteDemoAccount(t, store, fp)
	ts, _ := startServer(t, store)
	c := newClient(t)
	if r := signIn(t, c, ts.URL, fp.Subject); r.header.Get("Location") != "/home" {
		t.Fatalf("sign-in: %d to %q\n%s", r.status, r.header.Get("Location"), r.body)
	}
	const invitee = "new.contributor@austria.example.org"
	invite := url.Values{"email": {invitee}, "role": {string(forms.Contributor)}}

	crossSite := []string{"Sec-Fetch-Site: cross-site", "Origin: https://evil.example"}
	if r := do(t, c, "POST", ts.URL+"/orgs/AUT/invitations", invite, crossSite...); r.status != http.StatusForbidden {
		t.Errorf("cross-site invitation: %d, want 403", r.status)
	}
	if r := do(t, c, "POST", ts.URL+"/signout", nil, crossSite...); r.status != http.StatusForbidden {
		t.Errorf("cross-site sign-out: %d, want 403", r.status)
	}
	if invited(t, store, "AUT", invitee) {
		t.Errorf("a cross-site request stored an invitation of %s", invitee)
	}
	if r := do(t, c, "GET", ts.URL+"/home", nil); r.header.Get("Location") != "/orgs/AUT" {
		t.Errorf("/home after a cross-site sign-out: %d to %q, want still signed in", r.status, r.header.Get("Location"))
	}
	if n := len(auditEvents(t, store, forms.AuditSignOut, "")); n != 0 {
		t.Errorf("%d signout events after a cross-site sign-out", n)
	}

	sameOrigin := []string{"Sec-Fetch-Site: same-origin", "Origin: " + ts.URL}
	if r := do(t, c, "POST", ts.URL+"/orgs/AUT/invitations", invite, sameOrigin...); r.status != http.StatusSeeOther {
		t.Errorf("invitation from the portal: %d, want 303\n%s", r.status, r.body)
	}
	if !invited(t, store, "AUT", invitee) {
		t.Errorf("the invitation of %s from the portal was not stored", invitee)
	}
	if r := do(t, c, "POST", ts.URL+"/signout", nil, sameOrigin...); r.status != http.StatusSeeOther {
		t.Errorf("sign-out from the portal: %d, want 303", r.status)
	}
	if r := do(t, c, "GET", ts.URL+"/home", nil); !strings.HasPrefix(r.header.Get("Location"), "/signin") {
		t.Errorf("/home after sign-out: %d to %q, want a redirect to /signin", r.status, r.header.Get("Location"))
	}
}

// TestSessionTimeouts checks the timeouts are set; waiting them out is not a test.
func TestSessionTimeouts(t *testing.T) {
	t.Parallel()
	s := newServer(t, "http://127.0.0.1")
	if s.sessions.IdleTimeout != sessionIdleTimeout || s.sessions.Lifetime != sessionLifetime {
		t.Errorf("idle timeout %v, lifetime %v; want %v, %v", s.sessions.IdleTimeout, s.sessions.Lifetime, sessionIdleTimeout, sessionLifetime)
	}
	if sessionIdleTimeout <= 0 || sessionIdleTimeout >= sessionLifetime {
		t.Errorf("idle timeout %v must be positive and shorter than the lifetime %v", sessionIdleTimeout, sessionLifetime)
	}
}

// openStore opens another store on the database at dbURL, as another
// process would, closed when t ends.
func openStore(t testing.TB, dbURL string) *storage.Store {
	t.Helper()
	s, err := storage.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func demoAccount(t testing.TB, subject string) demo.Account {
	t.Helper()
	for _, a := range demo.Accounts {
		if a.Subject == subject {
			return a
		}
	}
	t.Fatalf("no demo account %q", subject)
	return demo.Account{}
}

// sessionToken returns the session token the client holds for base.
func sessionToken(t testing.TB, c *http.Client, base string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "portal_session" {
			return ck.Value
		}
	}
	t.Fatalf("no session cookie for %s", base)
	return ""
}

// plainClient keeps no cookies and follows no redirects.
func plainClient() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// checkSignedIn checks that the session token signs in at base: /home
// sends to home, which answers.
func checkSignedIn(t *testing.T, base, token, home string) {
	t.Helper()
	cookie := "Cookie: portal_session=" + token
	r := do(t, plainClient(), "GET", base+"/home", nil, cookie)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != home {
		t.Fatalf("%s/home: %d to %q, want 303 to %s", base, r.status, r.header.Get("Location"), home)
	}
	if r := do(t, plainClient(), "GET", base+home, nil, cookie); r.status != http.StatusOK {
		t.Errorf("%s%s: %d, want 200", base, home, r.status)
	}
}

// invited reports whether the organization code has an invitation of email.
func invited(t testing.TB, store *storage.Store, code, email string) bool {
	t.Helper()
	ctx := context.Background()
	org, err := store.OrganizationByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	invs, err := store.Invitations(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range invs {
		if inv.Email == email {
			return true
		}
	}
	return false
}

// TestSessionCookieWithoutPrefix: on https, a session token under the bare
// name (set before the prefix, or planted by a neighbouring subdomain) is
// not read, and the browser is told to drop it; the same token under the
// prefixed name is the session.
func TestSessionCookieWithoutPrefix(t *testing.T) {
	t.Parallel()
	dbURL := storagetest.NewDatabase(t)
	store := openStore(t, dbURL)
	analyst := demoAccount(t, "demo-analyst")
	inviteDemoAccount(t, store, analyst)
	ts, _ := startServer(t, store)
	c := newClient(t)
	if r := signIn(t, c, ts.URL, analyst.Subject); r.header.Get("Location") != "/home" {
		t.Fatalf("sign-in: %d to %q\n%s", r.status, r.header.Get("Location"), r.body)
	}
	token := sessionToken(t, c, ts.URL)

	secure := newServerWith(t, "https://portal.example.org", openStore(t, dbURL))
	r := get(t, secure, "/home", "Cookie: portal_session="+token)
	if !strings.HasPrefix(r.header.Get("Location"), "/signin") {
		t.Errorf("/home with the bare cookie on https: %d to %q, want a redirect to /signin", r.status, r.header.Get("Location"))
	}
	dropped := false
	for _, ck := range (&http.Response{Header: r.header}).Cookies() {
		dropped = dropped || (ck.Name == "portal_session" && ck.MaxAge < 0 && ck.Path == "/")
	}
	if !dropped {
		t.Errorf("the bare cookie is not removed: Set-Cookie %q", r.header.Values("Set-Cookie"))
	}
	if r := get(t, secure, "/home", "Cookie: __Host-portal_session="+token); r.status != http.StatusSeeOther || r.header.Get("Location") != "/office" {
		t.Errorf("/home with the prefixed cookie on https: %d to %q, want 303 to /office", r.status, r.header.Get("Location"))
	}
}
