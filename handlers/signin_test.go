package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"portal/forms"
	"portal/forms/demo"
	"portal/storage"
	"portal/storage/storagetest"
)

// TestSignInFlow signs in through the development provider as each demo
// account, lands on the home of its role, and signs out.
func TestSignInFlow(t *testing.T) {
	t.Parallel()
	for _, a := range demo.Accounts {
		t.Run(a.Subject, func(t *testing.T) {
			t.Parallel()
			store := storagetest.NewStore(t)
			inviteDemoAccount(t, store, a)
			ts, _ := startServer(t, store)
			c, jar := newRecordingClient(t)

			r := signIn(t, c, ts.URL, a.Subject)
			if r.status != http.StatusSeeOther || r.header.Get("Location") != "/home" {
				t.Fatalf("callback: %d to %q, want 303 to /home\n%s", r.status, r.header.Get("Location"), r.body)
			}
			tokens := jar.sessionTokens()
			if len(tokens) < 2 || tokens[0] == tokens[len(tokens)-1] {
				t.Errorf("session tokens set during sign-in: %q; want the one of /signin renewed at the callback", tokens)
			}

			home := do(t, c, "GET", ts.URL+"/home", nil)
			if want := roleHome(a); want == "" {
				if home.status != http.StatusOK || !strings.Contains(home.body, "Your access is pending") {
					t.Errorf("/home with no role: %d, want 200 with the pending page\n%s", home.status, home.body)
				}
			} else {
				if home.status != http.StatusSeeOther || home.header.Get("Location") != want {
					t.Fatalf("/home: %d to %q, want 303 to %s", home.status, home.header.Get("Location"), want)
				}
				if land := do(t, c, "GET", ts.URL+want, nil); land.status != http.StatusOK {
					t.Errorf("%s: %d, want 200", want, land.status)
				}
			}

			out := do(t, c, "POST", ts.URL+"/signout", nil, "Origin: "+ts.URL)
			loc := out.header.Get("Location")
			endSession := ts.URL + DevIdPPath + "/end_session?"
			if out.status != http.StatusSeeOther || (loc != "/signed-out" && !strings.HasPrefix(loc, endSession)) {
				t.Fatalf("sign-out: %d to %q, want 303 to the provider's end_session or /signed-out", out.status, loc)
			}
			if strings.HasPrefix(loc, endSession) {
				if r := do(t, c, "GET", loc, nil); r.header.Get("Location") != ts.URL+"/signed-out" {
					t.Errorf("provider's end_session: %d to %q, want back to /signed-out", r.status, r.header.Get("Location"))
				}
			}
			after := do(t, c, "GET", ts.URL+"/home", nil)
			if after.status != http.StatusSeeOther || !strings.HasPrefix(after.header.Get("Location"), "/signin") {
				t.Errorf("/home after sign-out: %d to %q, want 303 to /signin", after.status, after.header.Get("Location"))
			}

			for _, action := range []string{forms.AuditSignIn, forms.AuditSignOut} {
				if n := len(auditEvents(t, store, action, a.Email)); n != 1 {
					t.Errorf("%d %s events by %s, want 1", n, action, a.Email)
				}
			}
		})
	}
}

// roleHome is where /home sends the account after sign-in; "" when it has no role.
func roleHome(a demo.Account) string {
	switch a.Role {
	case forms.FocalPoint, forms.Contributor:
		return "/orgs/" + a.Org
	case forms.Analyst, forms.Admin:
		return "/office"
	case forms.Commission:
		return "/commission"
	}
	return ""
}

func TestSignInMissingState(t *testing.T) {
	t.Parallel()
	store := storagetest.NewStore(t)
	ts, _ := startServer(t, store)

	r := do(t, newClient(t), "GET", ts.URL+"/auth/callback?code=x", nil)
	checkSignInRefused(t, r, http.StatusBadRequest, "state")
	for _, ck := range r.header.Values("Set-Cookie") {
		if strings.HasPrefix(ck, "portal_session=") {
			t.Errorf("refused callback set a session cookie: %s", ck)
		}
	}
	checkNoUsers(t, store)
	checkFailureAudited(t, store, "state", "")
}

func TestSignInTamperedState(t *testing.T) {
	t.Parallel()
	store := storagetest.NewStore(t)
	ts, _ := startServer(t, store)
	c := newClient(t)
	callback := devCallbackURL(t, c, ts.URL, "demo-newcomer")

	r := do(t, c, "GET", withQuery(t, callback, "state", "forged-"+queryOf(t, callback, "state")), nil)
	checkSignInRefused(t, r, http.StatusBadRequest, "state")
	checkNoUsers(t, store)
	checkFailureAudited(t, store, "state", "")

	// One attempt per sign-in: the genuine answer is now refused as well.
	r = do(t, c, "GET", callback, nil)
	checkSignInRefused(t, r, http.StatusBadRequest, "state")
	checkNoUsers(t, store)
}

func TestSignInReplayedCode(t *testing.T) {
	t.Parallel()
	store := storagetest.NewStore(t)
	ts, _ := startServer(t, store)
	c := newClient(t)
	callback := devCallbackURL(t, c, ts.URL, "demo-newcomer")
	if r := do(t, c, "GET", callback, nil); r.status != http.StatusSeeOther || r.header.Get("Location") != "/home" {
		t.Fatalf("first use of the callback: %d to %q\n%s", r.status, r.header.Get("Location"), r.body)
	}
	if r := do(t, c, "POST", ts.URL+"/signout", nil, "Origin: "+ts.URL); r.status != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", r.status)
	}

	// The same browser after signing out, and another one: no sign-in under way.
	other := newClient(t)
	for _, client := range []*http.Client{c, other} {
		r := do(t, client, "GET", callback, nil)
		checkSignInRefused(t, r, http.StatusBadRequest, "state")
		checkFailureAudited(t, store, "state", "")
	}
	// A browser with a sign-in of its own under way: the provider refuses the spent code.
	attacker := newClient(t)
	state := queryOf(t, do(t, attacker, "GET", ts.URL+"/signin", nil).header.Get("Location"), "state")
	r := do(t, attacker, "GET", withQuery(t, callback, "state", state), nil)
	checkSignInRefused(t, r, http.StatusBadRequest, "code")
	checkFailureAudited(t, store, "code", "")

	for _, client := range []*http.Client{c, other, attacker} {
		if r := do(t, client, "GET", ts.URL+"/home", nil); !strings.HasPrefix(r.header.Get("Location"), "/signin") {
			t.Errorf("after the replays /home answers %d to %q, want a redirect to /signin", r.status, r.header.Get("Location"))
		}
	}
	if n := len(auditEvents(t, store, forms.AuditSignIn, "")); n != 1 {
		t.Errorf("%d signin events, want 1", n)
	}
}

func TestSignInDeniedByProvider(t *testing.T) {
	t.Parallel()
	store := storagetest.NewStore(t)
	ts, _ := startServer(t, store)
	c := newClient(t)
	state := queryOf(t, do(t, c, "GET", ts.URL+"/signin", nil).header.Get("Location"), "state")

	q := url.Values{"error": {"access_denied"}, "state": {state}}
	r := do(t, c, "GET", ts.URL+"/auth/callback?"+q.Encode(), nil)
	checkSignInRefused(t, r, http.StatusForbidden, "denied")
	checkNoUsers(t, store)
	checkFailureAudited(t, store, "denied", "")
}

func TestSignInProviderUnreachable(t *testing.T) {
	t.Parallel()
	store := storagetest.NewStore(t)
	ts := startServerWithIdP(t, "http://"+closedAddress(t), store)
	c := newClient(t)

	r := do(t, c, "GET", ts.URL+"/signin", nil)
	checkSignInRefused(t, r, http.StatusBadGateway, "idp")
	checkFailureAudited(t, store, "idp", "")
	for _, path := range []string{"/", "/healthz"} {
		if r := do(t, c, "GET", ts.URL+path, nil); r.status != http.StatusOK {
			t.Errorf("%s while the provider is down: %d, want 200", path, r.status)
		}
	}
}

// TestSignInInvitations signs in as an account with no role after the Office
// has invited its address (or not quite).
func TestSignInInvitations(t *testing.T) {
	t.Parallel()
	const email = "newcomer@example.org" // demo-newcomer's
	now := time.Now()
	tests := []struct {
		name   string
		invite func(t *testing.T, store *storage.Store)
		want   []string // the memberships after sign-in, "role ORG"
	}{
		{"expired", func(t *testing.T, store *storage.Store) {
			inviteAt(t, store, email, forms.Contributor, "AUT", now.Add(-forms.DefaultInvitationLifetime-time.Hour))
		}, nil},
		{"revoked", func(t *testing.T, store *storage.Store) {
			inv := inviteAt(t, store, email, forms.Contributor, "AUT", now)
			if _, err := store.RevokeInvitation(context.Background(), inv.ID, forms.Actor{Label: "system"}); err != nil {
				t.Fatal(err)
			}
		}, nil},
		{"another address", func(t *testing.T, store *storage.Store) {
			inviteAt(t, store, "someone.else@example.org", forms.Contributor, "AUT", now)
		}, nil},
		{"valid", func(t *testing.T, store *storage.Store) {
			inviteAt(t, store, email, forms.Contributor, "AUT", now)
		}, []string{"contributor AUT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store := storagetest.NewStore(t)
			tt.invite(t, store)
			ts, _ := startServer(t, store)
			c := newClient(t)
			if r := signIn(t, c, ts.URL, "demo-newcomer"); r.header.Get("Location") != "/home" {
				t.Fatalf("sign-in: %d to %q\n%s", r.status, r.header.Get("Location"), r.body)
			}

			users, err := store.Users(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, u := range users {
				for _, m := range u.Memberships {
					got = append(got, string(m.Role)+" "+m.Organization.Code)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("memberships (-want +got):\n%s", diff)
			}
			home := do(t, c, "GET", ts.URL+"/home", nil)
			switch {
			case tt.want == nil && (home.status != http.StatusOK || !strings.Contains(home.body, "Your access is pending")):
				t.Errorf("/home: %d, want 200 with the pending page", home.status)
			case tt.want != nil && home.header.Get("Location") != "/orgs/AUT":
				t.Errorf("/home: %d to %q, want 303 to /orgs/AUT", home.status, home.header.Get("Location"))
			}
		})
	}
}

func TestSignInRateLimit(t *testing.T) {
	t.Parallel()
	ts, _ := startServer(t, nil)
	c := newClient(t)

	allowed := 0
	var limited response
	for range 30 {
		r := do(t, c, "GET", ts.URL+"/signin", nil)
		if r.status == http.StatusTooManyRequests {
			limited = r
			break
		}
		if r.status != http.StatusSeeOther {
			t.Fatalf("/signin number %d: %d, want 303 or 429", allowed+1, r.status)
		}
		allowed++
	}
	// A burst of 20, and one more every 6 s should the loop be slow.
	if limited.status != http.StatusTooManyRequests || allowed < 20 || allowed > 22 {
		t.Fatalf("%d sign-ins allowed, then %d; want 20 then 429", allowed, limited.status)
	}
	if s, err := strconv.Atoi(limited.header.Get("Retry-After")); err != nil || s <= 0 {
		t.Errorf("Retry-After %q, want a number of seconds", limited.header.Get("Retry-After"))
	}
	if !strings.Contains(limited.body, "Too many attempts") {
		t.Errorf("429 page does not say why:\n%s", limited.body)
	}
	if r := do(t, c, "GET", ts.URL+"/", nil); r.status != http.StatusOK {
		t.Errorf("/ while sign-in is limited: %d, want 200", r.status)
	}
}
