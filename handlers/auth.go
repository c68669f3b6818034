package handlers

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
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

// accountStore is what signing in, the users' page and the audit log need.
type accountStore interface {
	// SignIn records a sign-in: it creates or updates the user, accepts the
	// invitations their verified e-mail address matches, and audits both.
	SignIn(ctx context.Context, id forms.Identity, actor forms.Actor) (*forms.User, error)
	// UserByID returns a user with their memberships.
	UserByID(ctx context.Context, id int64) (*forms.User, error)
	// Users lists every user with their memberships.
	Users(ctx context.Context) ([]forms.User, error)
	// Members lists the users holding a role in an organization.
	Members(ctx context.Context, orgID int64) ([]forms.User, error)
	// RemoveMembership takes a role away (orgID 0 for portal-wide roles), audited.
	RemoveMembership(ctx context.Context, userID int64, role forms.Role, orgID int64, actor forms.Actor) error
	// RecordAudit appends an event to the audit log.
	RecordAudit(ctx context.Context, ev forms.AuditEvent) error
	// AuditEvents reads the audit log, newest first.
	AuditEvents(ctx context.Context, f forms.AuditFilter) ([]forms.AuditEvent, error)
	// SetLanguage records the language a user last used: their mail's.
	SetLanguage(ctx context.Context, userID int64, lang forms.Language) error
	// Jobs lists the newest jobs in a state ("" for all), newest first.
	Jobs(ctx context.Context, state forms.JobState, limit int) ([]forms.Job, error)
}

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
	var mismatch *oidc.IssuerMismatchError
	if errors.As(err, &mismatch) {
		// Trying again will not help: the configuration must change.
		se := configError(fmt.Errorf("discover %s: %w", rp.cfg.Issuer, err))
		se.attrs = []any{"configured_issuer", mismatch.Provided, "announced_issuer", mismatch.Discovered}
		return se
	}
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

// endSessionEndpoint returns the provider's end-session endpoint, or ""
// when it has none. A provider this process has not discovered yet gets
// signOutDiscovery to answer: the portal's session has ended already, and
// a hanging provider must not hold up the browser.
func (rp *relyingParty) endSessionEndpoint(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, signOutDiscovery)
	defer cancel()
	if err := rp.load(ctx); err != nil {
		return "", err
	}
	rp.mu.Lock()
	defer rp.mu.Unlock()
	return rp.endSession, nil
}

// signOutDiscovery bounds the wait for the provider at sign-out.
const signOutDiscovery = 2 * time.Second

// signInError is a sign-in that did not succeed, for a reason the user is
// told about on the sign-in error page (message "auth.error.<reason>").
// Reason "config" is the portal's configuration, not the user's sign-in:
// the page asks them to write to the support address.
type signInError struct {
	reason string
	status int
	email  string // when known, for the audit log
	err    error
	attrs  []any // more for the log: what an operator needs to put it right
}

// configError is a sign-in that the portal's own configuration made fail.
func configError(err error) *signInError {
	return &signInError{reason: "config", status: http.StatusInternalServerError, err: err}
}

// exchangeError sorts out why the token endpoint refused a code: the
// provider refusing the portal itself (a wrong or missing client secret, a
// client not allowed this flow) is configuration, which the user cannot
// mend by starting again; a code used already or too late is the sign-in's.
func exchangeError(err error) *signInError {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return &signInError{reason: "idp", status: http.StatusBadGateway, err: err}
	}
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	switch {
	case re.ErrorCode == "invalid_client", re.ErrorCode == "unauthorized_client",
		re.ErrorCode == "unsupported_grant_type", re.ErrorCode == "invalid_scope",
		re.ErrorCode == "" && status == http.StatusUnauthorized:
		return configError(fmt.Errorf("the token endpoint refused the portal: %w", err))
	case re.ErrorCode == "" && status >= 500:
		return &signInError{reason: "idp", status: http.StatusBadGateway, err: err}
	}
	return &signInError{reason: "code", status: http.StatusBadRequest, err: err}
}

// logSignInFailure logs a failed sign-in: as an error when it is the
// portal's configuration, since nobody signs in until an operator acts.
func (s *Server) logSignInFailure(c *gin.Context, se *signInError) {
	level := slog.LevelWarn
	if se.reason == "config" {
		level = slog.LevelError
	}
	s.log.Log(c.Request.Context(), level, "sign-in failed", append([]any{"reason", se.reason, "err", se.err, "request_id", requestIDOf(c)}, se.attrs...)...)
}

// signInMessage is what the sign-in error page says for reason.
func (s *Server) signInMessage(b basePage, reason string) string {
	if reason == "config" {
		if s.opts.SupportEmail == "" {
			return b.T("auth.error.config.generic")
		}
		return b.Tf("auth.error.config", map[string]string{"Email": s.opts.SupportEmail})
	}
	return b.T("auth.error." + reason)
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

// pendingSignIn is a sign-in under way: what its callback needs, kept in
// the session under its own state, so that sign-ins started in two tabs
// of one browser do not overwrite each other.
type pendingSignIn struct {
	State    string `json:"state"`
	Nonce    string `json:"nonce"`
	Verifier string `json:"verifier"`
	Next     string `json:"next"`
}

// maxPendingSignIns bounds the sign-ins a session keeps under way, a few
// tabs' worth: starting one more forgets the oldest.
const maxPendingSignIns = 4

// startSignIn sends the browser to the identity provider with a fresh
// state, nonce and PKCE verifier, kept in the session beside the other
// sign-ins under way.
func (s *Server) startSignIn(c *gin.Context) error {
	ctx := c.Request.Context()
	if s.currentUser(c) != nil {
		c.Redirect(http.StatusSeeOther, "/home")
		return nil
	}
	if err := s.rp.load(ctx); err != nil {
		return err
	}
	p := pendingSignIn{State: randomToken(), Nonce: randomToken(), Verifier: oauth2.GenerateVerifier(), Next: localPath(c.Query("next"))}
	var pending []pendingSignIn
	s.kept(c, sessUnderWay, &pending, false)
	pending = append(pending, p)
	if extra := len(pending) - maxPendingSignIns; extra > 0 {
		pending = pending[extra:]
	}
	s.keep(c, sessUnderWay, pending)
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusSeeOther, s.rp.oauth.AuthCodeURL(p.State, oidc.Nonce(p.Nonce), oauth2.S256ChallengeOption(p.Verifier)))
	return nil
}

// popPendingSignIn returns, once, the sign-in under way whose state is
// state. A state that is none of them (forged, replayed, or forgotten as
// the oldest of too many) ends every sign-in under way: each gets one
// attempt.
func (s *Server) popPendingSignIn(c *gin.Context, state string) (pendingSignIn, bool) {
	var pending []pendingSignIn
	s.kept(c, sessUnderWay, &pending, true)
	i := slices.IndexFunc(pending, func(p pendingSignIn) bool {
		return p.State != "" && subtle.ConstantTimeCompare([]byte(p.State), []byte(state)) == 1
	})
	if i < 0 {
		return pendingSignIn{}, false
	}
	p := pending[i]
	if rest := slices.Delete(pending, i, i+1); len(rest) > 0 {
		s.keep(c, sessUnderWay, rest)
	}
	return p, true
}

// finishSignIn is the redirect back from the provider: it checks the state,
// exchanges the code with the PKCE verifier, verifies the ID token (issuer,
// audience, expiry, signature) and its nonce, and signs the user in under
// a new session token. Every failure changes nothing but the audit log.
func (s *Server) finishSignIn(c *gin.Context) error {
	ctx := c.Request.Context()
	pending, ok := s.popPendingSignIn(c, c.Query("state"))
	if !ok {
		return &signInError{reason: "state", status: http.StatusBadRequest, err: errors.New("state missing or not this session's")}
	}
	nonce, verifier, next := pending.Nonce, pending.Verifier, pending.Next
	if e := c.Query("error"); e != "" {
		return &signInError{reason: "denied", status: http.StatusForbidden, err: fmt.Errorf("provider answered %q", e)}
	}
	if err := s.rp.load(ctx); err != nil {
		return err
	}
	octx := oidc.ClientContext(ctx, s.rp.client)
	tok, err := s.rp.oauth.Exchange(octx, c.Query("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		return exchangeError(err)
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
	if err := s.store.SetLanguage(ctx, user.ID, languageOf(c.Request)); err != nil {
		return err
	}
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

// signOut ends the portal session at once and then, where the provider
// has an end-session endpoint, sends the browser there to end that session
// too; a provider that does not answer in signOutDiscovery is left out.
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
	endSession := ""
	if idToken != "" {
		var err error
		if endSession, err = s.rp.endSessionEndpoint(ctx); err != nil {
			s.log.WarnContext(ctx, "sign-out without the provider's end-session endpoint", "err", err, "request_id", requestIDOf(c))
		}
	}
	if endSession != "" {
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
		target = endSession + "?" + q.Encode()
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
