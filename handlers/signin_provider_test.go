package handlers

import (
	"context"
	"html"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"portal/storage/storagetest"
)

// TestSignInProviderMisbehaves signs in with a provider whose answer the
// portal must not believe.
func TestSignInProviderMisbehaves(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mode   fakeIdPMode
		status int
		reason string
		target string // the e-mail address the audit event names
	}{
		{"wrong nonce", idpWrongNonce, http.StatusBadRequest, "token", ""},
		{"expired ID token", idpExpired, http.StatusBadRequest, "token", ""},
		{"signed by another key", idpForeignKey, http.StatusBadRequest, "token", ""},
		{"for another audience", idpOtherAudience, http.StatusBadRequest, "token", ""},
		{"unverified e-mail", idpUnverifiedEmail, http.StatusForbidden, "unverified", fakeEmail},
		{"no e-mail", idpNoEmail, http.StatusForbidden, "unverified", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			idp := newFakeIdP(t, tt.mode)
			store := storagetest.NewStore(t)
			ts := startServerWithIdP(t, idp.URL, store)
			c := newClient(t)

			r := signInWithFakeIdP(t, c, ts.URL)
			checkSignInRefused(t, r, tt.status, tt.reason)
			checkNoUsers(t, store)
			checkFailureAudited(t, store, tt.reason, tt.target)
			if r := do(t, c, "GET", ts.URL+"/home", nil); !strings.HasPrefix(r.header.Get("Location"), "/signin") {
				t.Errorf("/home after a refused sign-in: %d to %q, want a redirect to /signin", r.status, r.header.Get("Location"))
			}
		})
	}
}

// TestSignInWithOtherProvider signs in with a provider other than the
// development one, which proves the fake provider right, including one that
// gives the e-mail address only at userinfo.
func TestSignInWithOtherProvider(t *testing.T) {
	t.Parallel()
	for name, mode := range map[string]fakeIdPMode{"honest": idpHonest, "e-mail at userinfo": idpEmailAtUserinfo} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			idp := newFakeIdP(t, mode)
			store := storagetest.NewStore(t)
			ts := startServerWithIdP(t, idp.URL, store)
			c := newClient(t)

			r := signInWithFakeIdP(t, c, ts.URL)
			if r.status != http.StatusSeeOther || r.header.Get("Location") != "/home" {
				t.Fatalf("callback: %d to %q, want 303 to /home\n%s", r.status, r.header.Get("Location"), r.body)
			}
			if r := do(t, c, "GET", ts.URL+"/home", nil); r.status != http.StatusOK || !strings.Contains(r.body, fakeEmail) {
				t.Errorf("/home: %d, want 200 naming %s", r.status, fakeEmail)
			}
			users, err := store.Users(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			want := []string{idp.URL + " " + fakeSubject + " " + fakeEmail + " true"}
			var got []string
			for _, u := range users {
				got = append(got, u.Issuer+" "+u.Subject+" "+u.Email+" "+strconv.FormatBool(u.EmailVerified))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("users (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSignInWithoutVerifiedClaim: a provider that sends an e-mail address
// but no email_verified claim anywhere (as Entra ID does) is refused unless
// the portal is told to trust its addresses; an explicit false never is.
func TestSignInWithoutVerifiedClaim(t *testing.T) {
	t.Parallel()
	trust := func(o *Options) { o.OIDC.TrustEmail = true }
	for _, tt := range []struct {
		name   string
		mode   fakeIdPMode
		tweaks []func(*Options)
		status int
	}{
		{"no claim, not trusted", idpNoVerifiedClaim, nil, http.StatusForbidden},
		{"no claim, trusted", idpNoVerifiedClaim, []func(*Options){trust}, http.StatusSeeOther},
		{"explicit false, trusted", idpUnverifiedEmail, []func(*Options){trust}, http.StatusForbidden},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			idp := newFakeIdP(t, tt.mode)
			ts := startServerWithIdP(t, idp.URL, storagetest.NewStore(t), tt.tweaks...)
			if r := signInWithFakeIdP(t, newClient(t), ts.URL); r.status != tt.status {
				t.Errorf("callback: %d, want %d\n%s", r.status, tt.status, r.body)
			}
		})
	}
}

// TestSignInIssuerAsConfigured: an issuer is used exactly as configured, a
// trailing slash included, and one that is not the provider's shows the
// page for a misconfigured portal and logs both values, instead of saying
// forever that the provider cannot be reached.
func TestSignInIssuerAsConfigured(t *testing.T) {
	t.Parallel()
	t.Run("trailing slash, as the provider's", func(t *testing.T) {
		t.Parallel()
		idp := newFakeIdP(t, idpIssuerSlash)
		ts := startServerWithIdP(t, idp.URL+"/", storagetest.NewStore(t))
		if r := signInWithFakeIdP(t, newClient(t), ts.URL); r.status != http.StatusSeeOther || r.header.Get("Location") != "/home" {
			t.Errorf("callback: %d to %q, want 303 to /home\n%s", r.status, r.header.Get("Location"), r.body)
		}
	})
	for name, tt := range map[string]struct {
		mode       fakeIdPMode
		configured func(url string) string
	}{
		"trailing slash, the provider's without": {idpHonest, func(u string) string { return u + "/" }},
		"no trailing slash, the provider's with": {idpIssuerSlash, func(u string) string { return u }},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			idp := newFakeIdP(t, tt.mode)
			store := storagetest.NewStore(t)
			var log logBuffer
			ts := startServerWithIdP(t, tt.configured(idp.URL), store, withSupport, logTo(&log))
			r := do(t, newClient(t), "GET", ts.URL+"/signin", nil)
			checkMisconfigured(t, r, &log, `configured_issuer=`+tt.configured(idp.URL), `announced_issuer=`+idp.issuer())
			checkFailureAudited(t, store, "config", "")
		})
	}
}

// TestSignInProviderRefusesPortal: when the token endpoint refuses the
// portal itself (a wrong or missing client secret, a client not allowed
// the flow), the user is told the portal is misconfigured, not that their
// sign-in took too long, and the log has the provider's error.
func TestSignInProviderRefusesPortal(t *testing.T) {
	t.Parallel()
	for name, tt := range map[string]struct {
		mode   fakeIdPMode
		secret string
		logged string
	}{
		"wrong client secret":   {idpHonest, "not-the-secret", "invalid_client"},
		"no client secret":      {idpHonest, "", "invalid_client"},
		"client not authorized": {idpRefusesClient, fakeClientSecret, "unauthorized_client"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			idp := newFakeIdP(t, tt.mode)
			store := storagetest.NewStore(t)
			var log logBuffer
			ts := startServerWithIdP(t, idp.URL, store, withSupport, logTo(&log), func(o *Options) { o.OIDC.ClientSecret = tt.secret })
			r := signInWithFakeIdP(t, newClient(t), ts.URL)
			checkMisconfigured(t, r, &log, tt.logged)
			checkNoUsers(t, store)
			checkFailureAudited(t, store, "config", "")
		})
	}
	t.Run("no support address", func(t *testing.T) {
		t.Parallel()
		idp := newFakeIdP(t, idpHonest)
		ts := startServerWithIdP(t, idp.URL, storagetest.NewStore(t), func(o *Options) { o.OIDC.ClientSecret = "wrong" })
		r := signInWithFakeIdP(t, newClient(t), ts.URL)
		if body := html.UnescapeString(r.body); r.status != http.StatusInternalServerError || !strings.Contains(body, "sign-in is misconfigured") || !strings.Contains(body, "tell the Office") {
			t.Errorf("%d, want 500 saying the sign-in is misconfigured and to tell the Office\n%s", r.status, body)
		}
	})
}

// TestSignInTwoTabs starts two sign-ins in two tabs of one browser and
// finishes the older first: both succeed, and each only once.
func TestSignInTwoTabs(t *testing.T) {
	t.Parallel()
	store := storagetest.NewStore(t)
	ts, _ := startServer(t, store)
	c := newClient(t)
	first := devCallbackURL(t, c, ts.URL, "demo-newcomer")
	second := devCallbackURL(t, c, ts.URL, "demo-newcomer")

	for _, callback := range []string{first, second} {
		if r := do(t, c, "GET", callback, nil); r.status != http.StatusSeeOther || r.header.Get("Location") != "/home" {
			t.Errorf("callback of state %s: %d to %q, want 303 to /home\n%s", queryOf(t, callback, "state"), r.status, r.header.Get("Location"), r.body)
		}
	}
	if r := do(t, c, "GET", ts.URL+"/home", nil); r.status != http.StatusOK {
		t.Errorf("/home after two sign-ins: %d, want 200", r.status)
	}
	// Each state works once.
	other := newClient(t)
	for _, callback := range []string{first, second} {
		checkSignInRefused(t, do(t, other, "GET", callback, nil), http.StatusBadRequest, "state")
	}
}

// TestSignInPendingBounded: a session keeps a few sign-ins under way; the
// oldest of one too many is forgotten, the newest still finishes.
func TestSignInPendingBounded(t *testing.T) {
	t.Parallel()
	idp := newFakeIdP(t, idpHonest)
	ts := startServerWithIdP(t, idp.URL, storagetest.NewStore(t))
	c := newClient(t)
	var callbacks []string
	for range maxPendingSignIns + 1 {
		r := do(t, c, "GET", ts.URL+"/signin", nil)
		r = do(t, c, "GET", r.header.Get("Location"), nil) // the fake provider answers at once
		callbacks = append(callbacks, r.header.Get("Location"))
	}
	newest := callbacks[len(callbacks)-1]
	if r := do(t, c, "GET", newest, nil); r.status != http.StatusSeeOther || r.header.Get("Location") != "/home" {
		t.Fatalf("newest callback: %d to %q, want 303 to /home\n%s", r.status, r.header.Get("Location"), r.body)
	}
	checkSignInRefused(t, do(t, c, "GET", callbacks[0], nil), http.StatusBadRequest, "state")
}

// TestSignOutProviderHangs signs out on a portal process that has not
// discovered the provider yet (another replica, or after a restart) while
// the provider hangs: the session ends at once, and the browser is not
// held for long.
func TestSignOutProviderHangs(t *testing.T) {
	t.Parallel()
	idp := newFakeIdP(t, idpHonest)
	dbURL := storagetest.NewDatabase(t)
	storeA := openStore(t, dbURL)
	tsA := startServerWithIdP(t, idp.URL, storeA)
	c := newClient(t)
	if r := signInWithFakeIdP(t, c, tsA.URL); r.header.Get("Location") != "/home" {
		t.Fatalf("sign-in: %d to %q\n%s", r.status, r.header.Get("Location"), r.body)
	}
	token := sessionToken(t, c, tsA.URL)

	idp.hang.Store(true)
	tsB := startServerWithIdP(t, idp.URL, openStore(t, dbURL))
	start := time.Now()
	out := do(t, plainClient(), "POST", tsB.URL+"/signout", nil, "Cookie: portal_session="+token, "Origin: "+tsB.URL)
	took := time.Since(start)
	if out.status != http.StatusSeeOther || out.header.Get("Location") != "/signed-out" {
		t.Errorf("sign-out: %d to %q, want 303 to /signed-out", out.status, out.header.Get("Location"))
	}
	if took > signOutDiscovery+2*time.Second {
		t.Errorf("sign-out took %v with the provider hanging, want at most about %v", took, signOutDiscovery)
	}
	if r := do(t, plainClient(), "GET", tsA.URL+"/home", nil, "Cookie: portal_session="+token); !strings.HasPrefix(r.header.Get("Location"), "/signin") {
		t.Errorf("/home after signing out: %d to %q, want a redirect to /signin", r.status, r.header.Get("Location"))
	}
}
