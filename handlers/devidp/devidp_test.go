package devidp

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"
)

const (
	testClientID = "portal"
	testSecret   = "dev-secret"
)

var (
	alice = Account{Subject: "alice", Email: "alice@example.org", EmailVerified: true, Name: "Alice Ndiaye"}
	bob   = Account{Subject: "bob", Email: "bob@example.org", EmailVerified: false, Name: "Bob Silva"}
)

// env is a provider mounted at /dev-idp on a test server, with a /login
// page that signs every request in as loginAs.
type env struct {
	base, issuer, redirectURI, signedOut string
	idp                                  *Provider
	rp                                   *oidc.Provider
}

func newEnv(t *testing.T, loginAs string) *env {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	e := &env{
		base:        base,
		issuer:      base + "/dev-idp",
		redirectURI: base + "/auth/callback",
		signedOut:   base + "/signed-out",
	}
	idp, err := New(Config{
		Issuer:                 e.issuer,
		ClientID:               testClientID,
		ClientSecret:           testSecret,
		RedirectURIs:           []string{e.redirectURI},
		PostLogoutRedirectURIs: []string{e.signedOut},
		LoginURL:               func(id string) string { return base + "/login?id=" + url.QueryEscape(id) },
		Accounts:               []Account{alice, bob},
		Logger:                 slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.idp = idp
	mux := http.NewServeMux()
	mux.Handle("/dev-idp/", http.StripPrefix("/dev-idp", idp.Handler()))
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		next, err := idp.Complete(r.Context(), r.FormValue("id"), loginAs)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		http.Redirect(w, r, next, http.StatusFound)
	})
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(srv.Close)

	e.rp, err = oidc.NewProvider(t.Context(), e.issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	return e
}

func (e *env) oauth2Config() *oauth2.Config {
	return &oauth2.Config{
		ClientID:     testClientID,
		ClientSecret: testSecret,
		Endpoint:     e.rp.Endpoint(),
		RedirectURL:  e.redirectURI,
		Scopes:       []string{oidc.ScopeOpenID, "email", "profile"},
	}
}

// browse follows redirects from rawURL as a browser would, stopping at the
// first response that is not a redirect or that points at stopAt (a URL
// without its query).
func browse(t *testing.T, rawURL, stopAt string) *http.Response {
	t.Helper()
	c := &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
		u := *req.URL
		u.RawQuery = ""
		if u.String() == stopAt {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := c.Get(rawURL)
	if err != nil {
		t.Fatalf("GET %s: %v", rawURL, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// location returns the query of the redirect resp answers with, failing
// the test when it is not a redirect to want.
func location(t *testing.T, resp *http.Response, want string) url.Values {
	t.Helper()
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
		body, _ := io.ReadAll(resp.Body) // only for the message
		t.Fatalf("status %d, want a redirect to %s; body: %s", resp.StatusCode, want, body)
	}
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("redirect without location: %v", err)
	}
	q := loc.Query()
	loc.RawQuery = ""
	if loc.String() != want {
		t.Fatalf("redirected to %s, want %s", loc, want)
	}
	return q
}

type flow struct {
	state, nonce, verifier, code string
}

// authorize runs the browser's part of the sign-in and returns the code.
func (e *env) authorize(t *testing.T, conf *oauth2.Config, opts ...oauth2.AuthCodeOption) flow {
	t.Helper()
	f := flow{state: "state-" + t.Name(), nonce: "nonce-" + t.Name(), verifier: oauth2.GenerateVerifier()}
	opts = append([]oauth2.AuthCodeOption{oidc.Nonce(f.nonce), oauth2.S256ChallengeOption(f.verifier)}, opts...)
	q := location(t, browse(t, conf.AuthCodeURL(f.state, opts...), e.redirectURI), e.redirectURI)
	if q.Get("error") != "" {
		t.Fatalf("authorize: %s: %s", q.Get("error"), q.Get("error_description"))
	}
	if got := q.Get("state"); got != f.state {
		t.Fatalf("state %q, want %q", got, f.state)
	}
	f.code = q.Get("code")
	if f.code == "" {
		t.Fatal("no code in the redirect")
	}
	return f
}

// pendingID starts a sign-in and returns the id the login page receives.
func (e *env) pendingID(t *testing.T) string {
	t.Helper()
	conf := e.oauth2Config()
	authURL := conf.AuthCodeURL("s", oidc.Nonce("n"), oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
	id := location(t, browse(t, authURL, e.base+"/login"), e.base+"/login").Get("id")
	if id == "" {
		t.Fatal("no auth request id in the login URL")
	}
	return id
}

type claims struct {
	Subject       string `json:"sub"`
	Email         string `json:"email"`
	EmailVerified *bool  `json:"email_verified"`
	Name          string `json:"name"`
}

func ptr[T any](v T) *T { return &v }

func TestSignIn(t *testing.T) {
	for _, a := range []Account{alice, bob} {
		t.Run(a.Subject, func(t *testing.T) {
			e := newEnv(t, a.Subject)
			ctx := t.Context()
			conf := e.oauth2Config()
			f := e.authorize(t, conf)

			tok, err := conf.Exchange(ctx, f.code, oauth2.VerifierOption(f.verifier))
			if err != nil {
				t.Fatalf("exchange: %v", err)
			}
			if tok.RefreshToken != "" {
				t.Error("a refresh token was issued")
			}
			raw, ok := tok.Extra("id_token").(string)
			if !ok {
				t.Fatal("no id_token in the token response")
			}
			idTok, err := e.rp.Verifier(&oidc.Config{ClientID: testClientID}).Verify(ctx, raw)
			if err != nil {
				t.Fatalf("verify ID token: %v", err)
			}
			if idTok.Nonce != f.nonce {
				t.Errorf("nonce %q, want %q", idTok.Nonce, f.nonce)
			}
			if err := idTok.VerifyAccessToken(tok.AccessToken); err != nil {
				t.Errorf("at_hash: %v", err)
			}
			want := claims{Subject: a.Subject, Email: a.Email, EmailVerified: ptr(a.EmailVerified), Name: a.Name}
			var got claims
			if err := idTok.Claims(&got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ID token claims (-want +got):\n%s", diff)
			}

			info, err := e.rp.UserInfo(ctx, oauth2.StaticTokenSource(tok))
			if err != nil {
				t.Fatalf("userinfo: %v", err)
			}
			got = claims{}
			if err := info.Claims(&got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("userinfo claims (-want +got):\n%s", diff)
			}
			if info.EmailVerified != a.EmailVerified {
				t.Errorf("userinfo EmailVerified %v, want %v", info.EmailVerified, a.EmailVerified)
			}
		})
	}
}

func TestClientSecretPost(t *testing.T) {
	e := newEnv(t, alice.Subject)
	conf := e.oauth2Config()
	conf.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	f := e.authorize(t, conf)
	if _, err := conf.Exchange(t.Context(), f.code, oauth2.VerifierOption(f.verifier)); err != nil {
		t.Fatalf("exchange with client_secret_post: %v", err)
	}
}

func TestWrongClientSecret(t *testing.T) {
	e := newEnv(t, alice.Subject)
	conf := e.oauth2Config()
	f := e.authorize(t, conf)
	conf.ClientSecret = "guess"
	if _, err := conf.Exchange(t.Context(), f.code, oauth2.VerifierOption(f.verifier)); err == nil {
		t.Fatal("exchange with a wrong secret succeeded")
	}
}

func TestReplayedCode(t *testing.T) {
	e := newEnv(t, alice.Subject)
	ctx := t.Context()
	conf := e.oauth2Config()
	f := e.authorize(t, conf)
	tok, err := conf.Exchange(ctx, f.code, oauth2.VerifierOption(f.verifier))
	if err != nil {
		t.Fatalf("first exchange: %v", err)
	}
	_, err = conf.Exchange(ctx, f.code, oauth2.VerifierOption(f.verifier))
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
		t.Fatalf("replayed code: got %v, want invalid_grant", err)
	}
	if _, err := e.rp.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
		t.Error("the access token from the replayed code still works")
	}
}

func TestConcurrentExchange(t *testing.T) {
	e := newEnv(t, alice.Subject)
	conf := e.oauth2Config()
	conf.Endpoint.AuthStyle = oauth2.AuthStyleInHeader // one attempt each
	f := e.authorize(t, conf)
	const n = 8
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := conf.Exchange(t.Context(), f.code, oauth2.VerifierOption(f.verifier))
			errs <- err
		}()
	}
	ok := 0
	for range n {
		if err := <-errs; err == nil {
			ok++
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d concurrent exchanges of one code succeeded, want 1", ok, n)
	}
}

func TestPKCE(t *testing.T) {
	e := newEnv(t, alice.Subject)
	ctx := t.Context()
	conf := e.oauth2Config()

	t.Run("wrong verifier", func(t *testing.T) {
		f := e.authorize(t, conf)
		if _, err := conf.Exchange(ctx, f.code, oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil {
			t.Fatal("exchange with a wrong verifier succeeded")
		}
	})
	t.Run("missing verifier", func(t *testing.T) {
		f := e.authorize(t, conf)
		if _, err := conf.Exchange(ctx, f.code); err == nil {
			t.Fatal("exchange without the verifier succeeded")
		}
	})
	t.Run("no PKCE at all", func(t *testing.T) {
		f := flow{state: "s", nonce: "n"}
		q := location(t, browse(t, conf.AuthCodeURL(f.state, oidc.Nonce(f.nonce)), e.redirectURI), e.redirectURI)
		if _, err := conf.Exchange(ctx, q.Get("code")); err != nil {
			t.Fatalf("exchange without PKCE: %v", err)
		}
	})
	t.Run("plain refused", func(t *testing.T) {
		authURL := conf.AuthCodeURL("s", oauth2.SetAuthURLParam("code_challenge", strings.Repeat("a", 43)),
			oauth2.SetAuthURLParam("code_challenge_method", "plain"))
		q := location(t, browse(t, authURL, e.redirectURI), e.redirectURI)
		if q.Get("error") != "invalid_request" || q.Get("code") != "" {
			t.Fatalf("plain PKCE: got %v, want error=invalid_request", q)
		}
	})
}

func TestRefusedAuthorizeRequests(t *testing.T) {
	e := newEnv(t, alice.Subject)
	t.Run("unknown redirect_uri", func(t *testing.T) {
		conf := e.oauth2Config()
		conf.RedirectURL = e.base + "/elsewhere"
		resp := browse(t, conf.AuthCodeURL("s"), conf.RedirectURL)
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d, want 400 without a redirect", resp.StatusCode)
		}
	})
	t.Run("unknown client", func(t *testing.T) {
		conf := e.oauth2Config()
		conf.ClientID = "stranger"
		resp := browse(t, conf.AuthCodeURL("s"), e.redirectURI)
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d, want 400 without a redirect", resp.StatusCode)
		}
	})
	t.Run("implicit flow", func(t *testing.T) {
		// op refuses an http redirect URI for anything but the code flow
		// before it looks at the client's response types.
		conf := e.oauth2Config()
		resp := browse(t, conf.AuthCodeURL("s", oauth2.SetAuthURLParam("response_type", "id_token")), e.redirectURI)
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d, want 400 without a redirect", resp.StatusCode)
		}
	})
	for name, tc := range map[string]struct {
		scopes    []string
		opts      []oauth2.AuthCodeOption
		wantError string
	}{
		"no openid scope": {scopes: []string{"email"}, wantError: "invalid_scope"},
		"prompt none":     {opts: []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("prompt", "none")}, wantError: "login_required"},
	} {
		t.Run(name, func(t *testing.T) {
			conf := e.oauth2Config()
			if tc.scopes != nil {
				conf.Scopes = tc.scopes
			}
			resp := browse(t, conf.AuthCodeURL("s", tc.opts...), e.redirectURI)
			loc, err := resp.Location()
			if err != nil {
				t.Fatalf("status %d, want a redirect with an error", resp.StatusCode)
			}
			q := loc.Query()
			if q.Get("error") != tc.wantError {
				t.Fatalf("error %q (%s), want %q", q.Get("error"), q.Get("error_description"), tc.wantError)
			}
		})
	}
}

func TestOfflineAccessIgnored(t *testing.T) {
	e := newEnv(t, alice.Subject)
	conf := e.oauth2Config()
	conf.Scopes = append(conf.Scopes, oidc.ScopeOfflineAccess)
	f := e.authorize(t, conf)
	tok, err := conf.Exchange(t.Context(), f.code, oauth2.VerifierOption(f.verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	if tok.RefreshToken != "" {
		t.Error("a refresh token was issued")
	}
}
