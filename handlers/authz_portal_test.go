package handlers

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"portal/forms"
	"portal/forms/demo"
	"portal/storage"
)

// authzPortal is a started portal with a signed-in client for each kind of user.
type authzPortal struct {
	base    string
	store   *storage.Store
	server  *Server
	clients map[authzUser]*http.Client
}

// startAuthzPortal serves the portal on a fresh database, invites the demo
// accounts to their roles as cmd does, and signs users (and the accounts
// of the extra subjects) in through the real flow, each with a client of
// their own.
//
// Each client connects from its own loopback address (127.0.0.2, .3, …),
// as different people would from different machines: sign-in is rate
// limited per client address (a burst of 20), and the matrix alone signs in
// seven users and calls /signin and /auth/callback as each of eight.
func startAuthzPortal(t *testing.T, users []authzUser, extra ...string) *authzPortal {
	t.Helper()
	ts, s := startServer(t, nil)
	p := &authzPortal{base: ts.URL, store: s.store.(*storage.Store), server: s, clients: map[authzUser]*http.Client{}}
	// The harness may have invited them already; demo.InviteAccounts leaves
	// an open invitation as it is.
	if err := demo.InviteAccounts(context.Background(), p.store); err != nil {
		t.Fatal(err)
	}
	for i, w := range users {
		c := clientFrom(t, net.IPv4(127, 0, 0, byte(2+i)))
		p.clients[w] = c
		if w == asAnonymous {
			continue
		}
		if r := signIn(t, c, p.base, authzSubject[w]); r.status != http.StatusSeeOther || r.header.Get("Location") != "/home" {
			t.Fatalf("sign-in as %s: %d to %q", w, r.status, r.header.Get("Location"))
		}
	}
	for i, sub := range extra {
		c := clientFrom(t, net.IPv4(127, 0, 1, byte(2+i)))
		if r := signIn(t, c, p.base, sub); r.status != http.StatusSeeOther {
			t.Fatalf("sign-in as %s: %d", sub, r.status)
		}
	}
	return p
}

// clientFrom is newClient connecting from the local address ip.
func clientFrom(t *testing.T, ip net.IP) *http.Client {
	t.Helper()
	c := newClient(t)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: 10 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext}
	t.Cleanup(tr.CloseIdleConnections)
	c.Transport = tr
	return c
}

func orgRef(t testing.TB, store *storage.Store, code string) forms.OrganizationRef {
	t.Helper()
	o, err := store.OrganizationByCode(context.Background(), code)
	if err != nil {
		t.Fatalf("organization %s: %v", code, err)
	}
	return forms.OrganizationRef{ID: o.ID, Code: o.Code, Name: o.Name}
}

// send makes one request as a browser on the portal's own pages would: a
// POST carries the portal's Origin and a form.
func (p *authzPortal) send(t *testing.T, c *http.Client, method, path string, form url.Values) response {
	t.Helper()
	var body io.Reader
	if method == http.MethodPost {
		if form == nil {
			form = url.Values{}
		}
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, p.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", p.base)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, string(b)}
}

// concretePath fills a route pattern's parameters; ids gives :id after
// the segment before it ("invitations", "users").
func concretePath(pattern string, ids map[string]string) string {
	segs := strings.Split(pattern, "/")
	for i, seg := range segs {
		switch {
		case seg == ":code" && i > 0 && segs[i-1] == "language":
			segs[i] = "fr"
		case seg == ":code":
			segs[i] = "AUT"
		case seg == "*file":
			segs[i] = "portal.css"
		case seg == "*path":
			segs[i] = ".well-known/openid-configuration"
		case seg == ":call":
			segs[i] = ids["call"]
		case seg == ":section":
			segs[i] = "threats"
		case seg == ":n":
			segs[i] = "1"
		case seg == ":area":
			segs[i] = "AUT"
		case seg == ":token", seg == ":ref":
			segs[i] = ids[seg[1:]]
		case seg == ":id" && i > 0:
			segs[i] = ids[segs[i-1]]
		}
	}
	return strings.Join(segs, "/")
}

// check reports whether r is what w says, and if not, why.
func (w outcome) check(method string, r response, base string) (bool, string) {
	loc := strings.TrimPrefix(r.header.Get("Location"), base)
	got := strconv.Itoa(r.status)
	if loc != "" {
		got += " to " + loc
	}
	switch w.status {
	case statusPermitted:
		refused := r.status == http.StatusUnauthorized || r.status == http.StatusForbidden ||
			r.status == http.StatusNotFound || r.status == http.StatusTooManyRequests ||
			r.status >= 500 || strings.HasPrefix(loc, "/signin?")
		return !refused, "got " + got + ", want it let through"
	case statusSignInFirst:
		if method == http.MethodPost { // refused; a section's form is kept for after signing in (keepUnsaved)
			return r.status == http.StatusForbidden || (r.status == http.StatusSeeOther && strings.HasPrefix(loc, "/signin?next=")),
				"got " + got + ", want 403 or 303 to /signin?next=…"
		}
		return r.status == http.StatusSeeOther && strings.HasPrefix(loc, "/signin?next="), "got " + got + ", want 303 to /signin?next=…"
	}
	wantText := strconv.Itoa(w.status)
	if w.location != "" {
		wantText += " to " + w.location + "…"
	}
	return r.status == w.status && strings.HasPrefix(loc, w.location), "got " + got + ", want " + wantText
}

func TestOrganizationScope(t *testing.T) {
	p := startAuthzPortal(t, []authzUser{asFpAUT, asContribAUT, asAnalyst})

	// GET checks the page, and whether it names Kenya.
	for _, c := range []struct {
		as     authzUser
		path   string
		status int
		kenya  bool
	}{
		{asFpAUT, "/orgs/AUT", http.StatusOK, false},
		{asFpAUT, "/orgs/aut", http.StatusOK, false},
		{asFpAUT, "/orgs/KEN", http.StatusNotFound, false},
		{asFpAUT, "/orgs/NOPE", http.StatusNotFound, false},
		{asContribAUT, "/orgs/KEN", http.StatusNotFound, false},
		{asAnalyst, "/orgs/AUT", http.StatusOK, false},
		{asAnalyst, "/orgs/KEN", http.StatusOK, true},
		{asAnalyst, "/orgs/NOPE", http.StatusNotFound, false},
	} {
		r := p.send(t, p.clients[c.as], http.MethodGet, c.path, nil)
		if r.status != c.status {
			t.Errorf("GET %s as %s: %d, want %d", c.path, c.as, r.status, c.status)
		}
		if got := strings.Contains(r.body, "Kenya"); got != c.kenya {
			t.Errorf("GET %s as %s: names Kenya: %v, want %v", c.path, c.as, got, c.kenya)
		}
	}

	// Refused or unknown, the answer is the same page (but for the address
	// in its language links): nothing tells whether KEN exists.
	ken := p.send(t, p.clients[asFpAUT], http.MethodGet, "/orgs/KEN", nil)
	nope := p.send(t, p.clients[asFpAUT], http.MethodGet, "/orgs/NOPE", nil)
	if strings.ReplaceAll(ken.body, "KEN", "NOPE") != nope.body {
		t.Errorf("/orgs/KEN and /orgs/NOPE differ for the AUT focal point:\n%s\n----\n%s", ken.body, nope.body)
	}

	// Inviting to AUT.
	invite := func(email string, role forms.Role) url.Values {
		return url.Values{"email": {email}, "role": {string(role)}}
	}
	for _, c := range []struct {
		as     authzUser
		path   string
		form   url.Values
		status int
	}{
		// The contributor may see Austria but not invite: refused, not hidden.
		{asContribAUT, "/orgs/AUT/invitations", invite("new.fp@example.org", forms.FocalPoint), http.StatusForbidden},
		{asContribAUT, "/orgs/AUT/invitations", invite("new.contrib@example.org", forms.Contributor), http.StatusForbidden},
		// A focal point invites contributors, not focal points.
		{asFpAUT, "/orgs/AUT/invitations", invite("new.fp@example.org", forms.FocalPoint), http.StatusForbidden},
		{asFpAUT, "/orgs/AUT/invitations", invite("new.contrib@example.org", forms.Contributor), http.StatusSeeOther},
		// And only to their own organization.
		{asFpAUT, "/orgs/KEN/invitations", invite("other.contrib@example.org", forms.Contributor), http.StatusNotFound},
		// The Office invites focal points.
		{asAnalyst, "/orgs/AUT/invitations", invite("new.fp@example.org", forms.FocalPoint), http.StatusSeeOther},
	} {
		r := p.send(t, p.clients[c.as], http.MethodPost, c.path, c.form)
		if r.status != c.status {
			t.Errorf("POST %s role=%s as %s: %d, want %d", c.path, c.form.Get("role"), c.as, r.status, c.status)
		}
	}

	invs, err := p.store.Invitations(context.Background(), orgRef(t, p.store, "AUT").ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, inv := range invs {
		got = append(got, inv.Email+" "+string(inv.Role)+" by "+inv.InvitedBy)
	}
	slices.Sort(got)
	wantInvs := []string{
		"contributor@austria.example.org contributor by system",
		"focal.point@austria.example.org focal_point by system",
		"new.contrib@example.org contributor by focal.point@austria.example.org",
		"new.fp@example.org focal_point by analyst@unodc.example.org",
	}
	if !slices.Equal(got, wantInvs) {
		t.Errorf("invitations to AUT:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantInvs, "\n"))
	}
}
