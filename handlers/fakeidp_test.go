package handlers

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"portal/storage"
)

// The one client and the one person the fake provider knows.
const (
	fakeClientID     = "portal-test"
	fakeClientSecret = "fake-secret"
	fakeSubject      = "fake-person-1"
	fakeEmail        = "person@fake.example.org"
)

// fakeIdPMode is what the fake provider does wrong (or unusually) in the
// ID token and userinfo it answers with.
type fakeIdPMode int

const (
	idpHonest          fakeIdPMode = iota
	idpWrongNonce                  // a nonce other than the one asked for
	idpExpired                     // exp an hour ago
	idpForeignKey                  // signed by a key not in its JWKS (under the same kid)
	idpOtherAudience               // issued to another client
	idpUnverifiedEmail             // email_verified false
	idpNoEmail                     // no e-mail address in the ID token nor at userinfo
	idpEmailAtUserinfo             // e-mail only at userinfo, email_verified as the string "true"
	idpNoVerifiedClaim             // e-mail everywhere, email_verified nowhere (as Entra ID does)
	idpIssuerSlash                 // its issuer is its URL with a trailing slash (as Auth0's is)
	idpRefusesClient               // its token endpoint refuses the portal: unauthorized_client
)

// fakeIdP is a minimal OpenID provider on a loopback httptest server, for
// the failures the development provider never produces. Its authorize
// endpoint asks nothing: it sends the browser straight back with a code.
// Codes work once, and only with the PKCE verifier of their request.
type fakeIdP struct {
	*httptest.Server
	mode    fakeIdPMode
	kid     string
	key     *rsa.PrivateKey // published at jwks_uri
	foreign *rsa.PrivateKey // not published

	// hang, when set, makes discovery answer nothing until the client gives up.
	hang atomic.Bool

	mu     sync.Mutex
	grants map[string]fakeGrant // by code
	tokens map[string]bool      // access tokens issued
}

// issuer is the issuer the fake announces and signs its ID tokens as.
func (f *fakeIdP) issuer() string {
	if f.mode == idpIssuerSlash {
		return f.URL + "/"
	}
	return f.URL
}

// fakeGrant is what an authorization request asked for, kept until its code is used.
type fakeGrant struct{ nonce, challenge string }

// newFakeIdP starts a fake provider that behaves as mode says, stopped when t ends.
func newFakeIdP(t testing.TB, mode fakeIdPMode) *fakeIdP {
	t.Helper()
	f := &fakeIdP{mode: mode, kid: "k1", grants: map[string]fakeGrant{}, tokens: map[string]bool{}}
	var err error
	if f.key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if f.foreign, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", f.discovery)
	mux.HandleFunc("GET /authorize", f.authorize)
	mux.HandleFunc("POST /token", f.token)
	mux.HandleFunc("GET /userinfo", f.userinfo)
	mux.HandleFunc("GET /keys", f.keys)
	mux.HandleFunc("GET /end_session", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("post_logout_redirect_uri"), http.StatusSeeOther)
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func (f *fakeIdP) answer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client has gone if this fails
}

func (f *fakeIdP) discovery(w http.ResponseWriter, r *http.Request) {
	if f.hang.Load() {
		<-r.Context().Done()
		return
	}
	f.answer(w, http.StatusOK, map[string]any{
		"issuer":                                f.issuer(),
		"authorization_endpoint":                f.URL + "/authorize",
		"token_endpoint":                        f.URL + "/token",
		"jwks_uri":                              f.URL + "/keys",
		"userinfo_endpoint":                     f.URL + "/userinfo",
		"end_session_endpoint":                  f.URL + "/end_session",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
	})
}

func (f *fakeIdP) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != fakeClientID || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" {
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	}
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || back.Host == "" {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	code := rand.Text()
	f.mu.Lock()
	f.grants[code] = fakeGrant{nonce: q.Get("nonce"), challenge: q.Get("code_challenge")}
	f.mu.Unlock()
	v := back.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusSeeOther)
}

func (f *fakeIdP) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		f.answer(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != fakeClientID || secret != fakeClientSecret {
		f.answer(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client", "error_description": "client authentication failed"})
		return
	}
	if f.mode == idpRefusesClient {
		f.answer(w, http.StatusBadRequest, map[string]string{"error": "unauthorized_client", "error_description": "the client may not use the authorization code grant"})
		return
	}
	code := r.PostForm.Get("code")
	f.mu.Lock()
	g, found := f.grants[code]
	delete(f.grants, code) // a code works once
	f.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if !found || base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		f.answer(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	}
	idToken, err := f.idToken(g.nonce)
	if err != nil {
		f.answer(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	access := rand.Text()
	f.mu.Lock()
	f.tokens[access] = true
	f.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	f.answer(w, http.StatusOK, map[string]any{
		"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": idToken,
	})
}

// idToken builds and signs the ID token for a request that asked for nonce,
// spoilt as the mode says.
func (f *fakeIdP) idToken(nonce string) (string, error) {
	now := time.Now()
	claims := map[string]any{
		"iss": f.issuer(), "sub": fakeSubject, "aud": fakeClientID,
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "nonce": nonce,
		"email": fakeEmail, "email_verified": true, "name": "Fake Person",
	}
	key := f.key
	switch f.mode {
	case idpWrongNonce:
		claims["nonce"] = "not-the-nonce-asked-for"
	case idpExpired:
		claims["iat"], claims["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-time.Hour).Unix()
	case idpForeignKey:
		key = f.foreign
	case idpOtherAudience:
		claims["aud"] = "another-client"
	case idpUnverifiedEmail:
		claims["email_verified"] = false
	case idpNoEmail, idpEmailAtUserinfo:
		delete(claims, "email")
		delete(claims, "email_verified")
	case idpNoVerifiedClaim:
		delete(claims, "email_verified")
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: f.kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	return jwt.Signed(sig).Claims(claims).Serialize()
}

func (f *fakeIdP) userinfo(w http.ResponseWriter, r *http.Request) {
	token, ok := f.bearerToken(r)
	f.mu.Lock()
	ok = ok && f.tokens[token]
	f.mu.Unlock()
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		f.answer(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
		return
	}
	claims := map[string]any{"sub": fakeSubject, "name": "Fake Person"}
	switch f.mode {
	case idpNoEmail:
	case idpNoVerifiedClaim:
		claims["email"] = fakeEmail
	default:
		claims["email"], claims["email_verified"] = fakeEmail, "true"
	}
	f.answer(w, http.StatusOK, claims)
}

func (f *fakeIdP) bearerToken(r *http.Request) (string, bool) {
	return strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
}

func (f *fakeIdP) keys(w http.ResponseWriter, _ *http.Request) {
	f.answer(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &f.key.PublicKey, KeyID: f.kid, Algorithm: string(jose.RS256), Use: "sig"},
	}})
}

// newServerWithIdP returns the portal's handler, claiming to be served at
// baseURL, signing users in with the provider at issuer as the fake's client.
func newServerWithIdP(t testing.TB, baseURL, issuer string, store *storage.Store, tweaks ...func(*Options)) *Server {
	t.Helper()
	u, err := url.Parse(baseURL)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{
		BaseURL: u, Version: "test", Logger: quiet, Store: store, Sessions: store.SessionStore(), Questionnaires: builtin(t),
		OIDC: OIDC{Issuer: issuer, ClientID: fakeClientID, ClientSecret: fakeClientSecret},
	}
	for _, tweak := range tweaks {
		tweak(&opts)
	}
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// startServerWithIdP serves, on a loopback listener, a portal that signs
// users in with the provider at issuer.
func startServerWithIdP(t testing.TB, issuer string, store *storage.Store, tweaks ...func(*Options)) *httptest.Server {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	ts.Config.Handler = newServerWithIdP(t, "http://"+ts.Listener.Addr().String(), issuer, store, tweaks...)
	ts.Start()
	t.Cleanup(ts.Close)
	return ts
}

// signInWithFakeIdP goes through the flow with a fake provider: the
// portal's /signin, the provider's authorize (which answers at once) and
// the portal's /auth/callback, whose response it returns.
func signInWithFakeIdP(t testing.TB, c *http.Client, base string) response {
	t.Helper()
	r := do(t, c, "GET", base+"/signin", nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("/signin: %d\n%s", r.status, r.body)
	}
	r = do(t, c, "GET", r.header.Get("Location"), nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("authorize: %d\n%s", r.status, r.body)
	}
	return do(t, c, "GET", r.header.Get("Location"), nil)
}
