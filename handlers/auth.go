package handlers

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gin-gonic/gin"
	"golang.org/x/oauth2"

	"portal/forms"
)

// OIDC configures the relying party: the identity provider the portal signs
// users in with. The same code serves any compliant provider (Keycloak,
// Microsoft Entra ID, Dex) and the built-in development provider.
type OIDC struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	Scopes       []string // "openid" is always asked for
	// TrustEmail takes the e-mail address as verified when the provider
	// sends no email_verified claim at all (an explicit false is never
	// overridden). Only for providers that issue nothing but addresses they
	// control, such as a directory of the Office's own domains.
	TrustEmail bool
}

// relyingParty talks to the identity provider. Discovery happens at the
// first sign-in, not at start, so that the portal starts while the provider
// is down (and can discover the development provider it serves itself); a
// failed discovery is tried again at the next sign-in.
type relyingParty struct {
	cfg         OIDC
	redirectURL string
	client      *http.Client

	mu         sync.Mutex
	provider   *oidc.Provider
	verifier   *oidc.IDTokenVerifier
	oauth      oauth2.Config
	endSession string
}

func newRelyingParty(cfg OIDC, baseURL *url.URL) *relyingParty {
	return &relyingParty{
		cfg:         cfg,
		redirectURL: baseURL.String() + "/auth/callback",
		client:      &http.Client{Timeout: 10 * time.Second},
	}
}

// load discovers the provider once; it returns a signInError when the
// provider cannot be reached. The network call runs without the lock, so a
// slow provider does not queue every sign-in behind one discovery.
func (rp *relyingParty) load(ctx context.Context) error {
	rp.mu.Lock()
	done := rp.provider != nil
	rp.mu.Unlock()
	if done {
		return nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, rp.client), rp.cfg.Issuer)
	if err != nil {
		return &signInError{reason: "idp", status: http.StatusBadGateway, err: fmt.Errorf("discover %s: %w", rp.cfg.Issuer, err)}
	}
	var extra struct {
		EndSession string `json:"end_session_endpoint"`
	}
	_ = p.Claims(&extra) // optional; a provider without it just has no single sign-out
	scopes := []string{oidc.ScopeOpenID, "email", "profile"}
	for _, sc := range rp.cfg.Scopes {
		if sc != "" && !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.provider != nil {
		return nil // another request discovered it meanwhile
	}
	rp.provider = p
	rp.verifier = p.Verifier(&oidc.Config{ClientID: rp.cfg.ClientID})
	rp.endSession = extra.EndSession
	rp.oauth = oauth2.Config{
		ClientID:     rp.cfg.ClientID,
		ClientSecret: rp.cfg.ClientSecret,
		Endpoint:     p.Endpoint(),
		RedirectURL:  rp.redirectURL,
		Scopes:       scopes,
	}
	return nil
}

// signInError is a sign-in that did not succeed, for a reason the user is
// told about on the sign-in error page (message "auth.error.<reason>").
type signInError struct {
	reason string
	status int
	email  string // when known, for the audit log
	err    error
}

func (e *signInError) Error() string {
	return "sign-in failed (" + e.reason + "): " + fmt.Sprint(e.err)
}
func (e *signInError) Unwrap() error { return e.err }

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails on Linux
	return base64.RawURLEncoding.EncodeToString(b)
}

// startSignIn sends the browser to the identity provider with a fresh
// state, nonce and PKCE verifier, all three kept in the session.
func (s *Server) startSignIn(c *gin.Context) error {
	ctx := c.Request.Context()
	if s.currentUser(c) != nil {
		c.Redirect(http.StatusSeeOther, "/home")
		return nil
	}
	if err := s.rp.load(ctx); err != nil {
		return err
	}
	state, nonce, verifier := randomToken(), randomToken(), oauth2.GenerateVerifier()
	s.sessions.Put(ctx, sessState, state)
	s.sessions.Put(ctx, sessNonce, nonce)
	s.sessions.Put(ctx, sessVerifier, verifier)
	s.sessions.Put(ctx, sessNext, localPath(c.Query("next")))
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusSeeOther, s.rp.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)))
	return nil
}

// finishSignIn is the redirect back from the provider: it checks the state,
// exchanges the code with the PKCE verifier, verifies the ID token (issuer,
// audience, expiry, signature) and its nonce, and signs the user in under
// a new session token. Every failure changes nothing but the audit log.
func (s *Server) finishSignIn(c *gin.Context) error {
	ctx := c.Request.Context()
	state := s.sessions.PopString(ctx, sessState)
	nonce := s.sessions.PopString(ctx, sessNonce)
	verifier := s.sessions.PopString(ctx, sessVerifier)
	next := s.sessions.PopString(ctx, sessNext)
	got := c.Query("state")
	if state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(got)) != 1 {
		return &signInError{reason: "state", status: http.StatusBadRequest, err: errors.New("state missing or not this session's")}
	}
	if e := c.Query("error"); e != "" {
		return &signInError{reason: "denied", status: http.StatusForbidden, err: fmt.Errorf("provider answered %q", e)}
	}
	if err := s.rp.load(ctx); err != nil {
		return err
	}
	octx := oidc.ClientContext(ctx, s.rp.client)
	tok, err := s.rp.oauth.Exchange(octx, c.Query("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return &signInError{reason: "code", status: http.StatusBadRequest, err: err}
		}
		return &signInError{reason: "idp", status: http.StatusBadGateway, err: err}
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return &signInError{reason: "token", status: http.StatusBadRequest, err: errors.New("no id_token in the token response")}
	}
	idt, err := s.rp.verifier.Verify(octx, raw)
	if err != nil {
		return &signInError{reason: "token", status: http.StatusBadRequest, err: err}
	}
	if nonce == "" || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return &signInError{reason: "token", status: http.StatusBadRequest, err: errors.New("nonce does not match")}
	}
	id := forms.Identity{Issuer: idt.Issuer, Subject: idt.Subject}
	var claims emailClaims
	if err := idt.Claims(&claims); err != nil {
		return &signInError{reason: "token", status: http.StatusBadRequest, err: err}
	}
	if claims.Email == "" || claims.Verified == nil { // some providers say more in userinfo
		if ui, err := s.rp.provider.UserInfo(octx, oauth2.StaticTokenSource(tok)); err == nil {
			var uic emailClaims
			if ui.Claims(&uic) == nil && ui.Subject == idt.Subject && uic.Email != "" {
				claims.Email, claims.Verified = uic.Email, uic.Verified
				if claims.Name == "" {
					claims.Name = uic.Name
				}
			}
		}
	}
	id.Email, id.Name = claims.Email, claims.Name
	switch {
	case claims.Verified != nil:
		id.EmailVerified = bool(*claims.Verified)
	case s.rp.cfg.TrustEmail:
		id.EmailVerified = id.Email != ""
	}
	if id.Email == "" || !id.EmailVerified {
		return &signInError{reason: "unverified", status: http.StatusForbidden, email: id.Email, err: errors.New("no verified e-mail address")}
	}
	user, err := s.store.SignIn(ctx, id, s.actorOf(c, nil))
	if err != nil {
		return err
	}
	// A new session token at sign-in, so a token planted before cannot ride along.
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Put(ctx, sessUserID, user.ID)
	s.sessions.Put(ctx, sessIDToken, raw)
	if next == "" || next == "/" {
		next = "/home"
	}
	c.Redirect(http.StatusSeeOther, next)
	return nil
}

// emailClaims reads email_verified as a boolean or, as some providers send
// it, the string "true"; nil when the claim is absent.
type emailClaims struct {
	Email    string     `json:"email"`
	Verified *flexibool `json:"email_verified"`
	Name     string     `json:"name"`
}

type flexibool bool

func (b *flexibool) UnmarshalJSON(data []byte) error {
	s := string(data)
	if u, err := strconv.Unquote(s); err == nil {
		s = u
	}
	v, err := strconv.ParseBool(s)
	*b = flexibool(err == nil && v)
	return nil
}

// signOut ends the portal session and, where the provider has an
// end-session endpoint, sends the browser there to end that session too.
func (s *Server) signOut(c *gin.Context) error {
	ctx := c.Request.Context()
	u := s.currentUser(c)
	idToken := s.sessions.GetString(ctx, sessIDToken)
	if err := s.sessions.Destroy(ctx); err != nil {
		return err
	}
	if u != nil {
		s.audit(c, u, forms.AuditEvent{Action: forms.AuditSignOut, Target: u.Label()})
	}
	target := "/signed-out"
	if s.rp.load(ctx) == nil && s.rp.endSession != "" && idToken != "" {
		q := url.Values{
			"id_token_hint":            {idToken},
			"client_id":                {s.rp.cfg.ClientID},
			"post_logout_redirect_uri": {s.opts.BaseURL.String() + "/signed-out"},
		}
		if s.opts.DevIdP != nil {
			// The development provider's keys live and die with this process:
			// a token from before a restart, or from another replica, would
			// not verify, and the client id is enough for it.
			q.Del("id_token_hint")
		}
		target = s.rp.endSession + "?" + q.Encode()
	}
	c.Redirect(http.StatusSeeOther, target)
	return nil
}

// actorOf names who does what a request does, for the audit log.
func (s *Server) actorOf(c *gin.Context, u *forms.User) forms.Actor {
	a := forms.Actor{RemoteAddr: c.ClientIP(), RequestID: requestIDOf(c)}
	if u != nil {
		a.UserID, a.Label = u.ID, u.Label()
	}
	return a
}

// audit records an event; a failure is logged, never shown: the action it
// records has happened already.
func (s *Server) audit(c *gin.Context, u *forms.User, ev forms.AuditEvent) {
	ev.Actor = s.actorOf(c, u)
	if ev.Actor.Label == "" {
		ev.Actor.Label = "anonymous"
	}
	if err := s.store.RecordAudit(c.Request.Context(), ev); err != nil {
		s.log.ErrorContext(c.Request.Context(), "audit", "err", err, "action", ev.Action, "request_id", requestIDOf(c))
	}
}
