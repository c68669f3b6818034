// Package devidp is the portal's own OpenID provider for development and
// tests: it runs in-process, so `make run` signs in with no setup and tests
// drive the real OpenID Connect flow, with the same relying-party code
// (go-oidc and x/oauth2) the portal uses against a production provider.
//
// It is built on zitadel/oidc's op package with a small storage of its own.
// Everything lives in memory behind a mutex and is lost on restart: the
// signing key, the encryption key, pending sign-ins and tokens. It knows one
// client (the portal) and a fixed list of demo accounts, asks for no
// password, and must never be mounted in production.
//
// What it serves: the authorization code flow only (response_type=code),
// with PKCE S256 allowed but not required (plain is refused); nonce carried
// into the ID token; scopes openid (required), email and profile, whose
// claims (email, email_verified, name) are in the ID token and at userinfo;
// no refresh tokens (offline_access is dropped). An authorization request
// expires after 10 minutes, a code works once, an access token lasts 5
// minutes.
package devidp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"portal/forms"
)

// Account is a demo identity.
type Account struct {
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
}

// Config configures New.
type Config struct {
	// Issuer is the full URL where Handler is mounted, e.g.
	// "http://127.0.0.1:8080/dev-idp", with no trailing slash. http is allowed.
	Issuer string
	// ClientID and ClientSecret identify the one client: the portal itself,
	// a confidential client authenticating with client_secret_basic or
	// client_secret_post.
	ClientID, ClientSecret string
	// RedirectURIs are the allowed redirect URIs, compared exactly.
	RedirectURIs []string
	// PostLogoutRedirectURIs are the allowed post_logout_redirect_uri values,
	// compared exactly.
	PostLogoutRedirectURIs []string
	// LoginURL returns where the browser is sent to pick an account for the
	// authorization request with that id; the portal serves that page and
	// calls Complete.
	LoginURL func(authRequestID string) string
	// Accounts are the identities one may sign in as. Subjects must be unique,
	// non-empty and free of ':' (the op package splits opaque access tokens on it).
	Accounts []Account
	// Logger receives the provider's own events; nil means slog.Default().
	// (The op package itself logs to slog.Default() whatever is set here.)
	Logger *slog.Logger
}

// ErrUnknownAuthRequest is wrapped by Complete's error when no authorization
// request with that id is pending (never made, expired, or already completed).
var ErrUnknownAuthRequest = errors.New("devidp: no pending authorization request with that id")

// ErrUnknownAccount is wrapped by Complete's error when no account has that subject.
var ErrUnknownAccount = errors.New("devidp: no account with that subject")

// Provider is an in-memory OpenID provider for development and tests.
type Provider struct {
	issuer   string
	log      *slog.Logger
	store    *storage
	op       *op.Provider
	accounts []Account
}

// loggedOutPath is where ending a session lands when the client names no
// registered post_logout_redirect_uri.
const loggedOutPath = "/logged-out"

// New builds a provider: it generates a fresh RSA 2048 signing key and a
// fresh key for encrypting codes and access tokens, so nothing issued by an
// earlier provider is accepted. It returns an error when the config is
// incomplete or inconsistent.
func New(cfg Config) (*Provider, error) {
	if err := validate(cfg); err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("devidp: generate signing key: %w", err)
	}
	accounts := slices.Clone(cfg.Accounts)
	store := newStorage(client{
		id:                     cfg.ClientID,
		redirectURIs:           slices.Clone(cfg.RedirectURIs),
		postLogoutRedirectURIs: slices.Clone(cfg.PostLogoutRedirectURIs),
		loginURL:               cfg.LoginURL,
	}, cfg.ClientSecret, accounts, signingKey{id: rand.Text(), key: key}, cfg.Logger)

	opConfig := &op.Config{
		DefaultLogoutRedirectURI: cfg.Issuer + loggedOutPath,
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		SupportedScopes:          []string{oidc.ScopeOpenID, oidc.ScopeEmail, oidc.ScopeProfile},
		SupportedClaims: []string{
			"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "azp",
			"at_hash", "c_hash", "email", "email_verified", "name",
		},
	}
	// Read never fails since Go 1.24; it crashes the program instead.
	_, _ = rand.Read(opConfig.CryptoKey[:])
	provider, err := op.NewProvider(opConfig, store, op.StaticIssuer(cfg.Issuer), op.WithAllowInsecure())
	if err != nil {
		return nil, fmt.Errorf("devidp: build provider: %w", err)
	}
	return &Provider{
		issuer:   cfg.Issuer,
		log:      cfg.Logger,
		store:    store,
		op:       provider,
		accounts: accounts,
	}, nil
}

func validate(cfg Config) error {
	u, err := url.Parse(cfg.Issuer)
	switch {
	case err != nil:
		return fmt.Errorf("devidp: issuer %q: %w", cfg.Issuer, err)
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
		return fmt.Errorf("devidp: issuer %q: need an absolute http or https URL", cfg.Issuer)
	case strings.HasSuffix(cfg.Issuer, "/"), u.RawQuery != "", u.Fragment != "":
		return fmt.Errorf("devidp: issuer %q: no trailing slash, query or fragment", cfg.Issuer)
	case cfg.ClientID == "" || cfg.ClientSecret == "":
		return fmt.Errorf("devidp: client id and secret are required")
	case len(cfg.RedirectURIs) == 0:
		return fmt.Errorf("devidp: at least one redirect URI is required")
	case cfg.LoginURL == nil:
		return fmt.Errorf("devidp: LoginURL is required")
	case len(cfg.Accounts) == 0:
		return fmt.Errorf("devidp: at least one account is required")
	}
	seen := map[string]bool{}
	for _, a := range cfg.Accounts {
		switch {
		case a.Subject == "":
			return fmt.Errorf("devidp: account %q has no subject", a.Email)
		case strings.Contains(a.Subject, ":"):
			return fmt.Errorf("devidp: account subject %q contains ':'", a.Subject)
		case seen[a.Subject]:
			return fmt.Errorf("devidp: account subject %q appears twice", a.Subject)
		}
		seen[a.Subject] = true
	}
	return nil
}

// Handler serves the OpenID endpoints relative to the issuer's path:
// /.well-known/openid-configuration, /authorize (and its /authorize/callback),
// /oauth/token, /userinfo, /keys, /end_session, /oauth/introspect, /revoke,
// /healthz, /ready, and /logged-out, the page ending a session lands on by
// default. The endpoints answer CORS requests from any origin, as op does.
//
// Mount it with the issuer's path stripped, e.g. for the issuer
// "http://127.0.0.1:8080/dev-idp":
//
//	mux.Handle("/dev-idp/", http.StripPrefix("/dev-idp", p.Handler()))
//
// http.StripPrefix strips both URL.Path and URL.RawPath, which the router
// inside needs; an equivalent must do the same. When the issuer has no path,
// mount it at the root unchanged.
func (p *Provider) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == loggedOutPath {
			loggedOut(w, r)
			return
		}
		p.op.ServeHTTP(w, r)
	})
}

// loggedOut is the page a session ends on when the client named no
// registered post-logout redirect URI.
func loggedOut(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// A failed write means the client has gone; nobody is left to tell.
	_, _ = w.Write([]byte(loggedOutPage))
}

// loggedOutPage is a constant: nothing from the request is echoed.
const loggedOutPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head>
<body><h1>Signed out</h1><p>You are signed out of the development sign-in provider. You may close this page.</p></body></html>
`

// Accounts returns the demo accounts, in the order configured.
func (p *Provider) Accounts() []Account { return slices.Clone(p.accounts) }

// PendingAuthRequest reports whether an authorization request with that id
// is pending: made, not yet completed, and less than 10 minutes old. The
// login page uses it to refuse a stale or forged id.
func (p *Provider) PendingAuthRequest(ctx context.Context, id string) bool {
	return p.store.pending(id)
}

// Complete signs the pending authorization request in as the account with
// that subject and returns the URL to send the browser to next: the
// provider's callback, which redirects to the client with the code.
//
// The error is a *forms.Error wrapping ErrUnknownAuthRequest (kind not
// found) when no request with that id is pending, or ErrUnknownAccount (kind
// invalid) when no account has that subject.
func (p *Provider) Complete(ctx context.Context, authRequestID, subject string) (string, error) {
	if err := p.store.complete(authRequestID, subject); err != nil {
		switch {
		case errors.Is(err, ErrUnknownAuthRequest):
			return "", forms.Wrap(forms.KindNotFound, err, "This sign-in has expired or was already used. Go back to the portal and sign in again.")
		case errors.Is(err, ErrUnknownAccount):
			return "", forms.Wrap(forms.KindInvalid, err, "Choose one of the listed accounts.")
		default:
			return "", fmt.Errorf("devidp: complete %s: %w", authRequestID, err)
		}
	}
	p.log.InfoContext(ctx, "dev-idp: signed in", "subject", subject, "auth_request", authRequestID)
	// The op package reads the issuer from the request's context, which a
	// caller outside its handler does not have.
	return op.AuthCallbackURL(p.op)(op.ContextWithIssuer(ctx, p.issuer), authRequestID), nil
}
