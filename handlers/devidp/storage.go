package devidp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

const (
	// authRequestLifetime bounds a sign-in from the authorize call to the
	// code exchange, so it bounds the code's life too.
	authRequestLifetime = 10 * time.Minute
	accessTokenLifetime = 5 * time.Minute
)

var (
	errUnknownCode  = errors.New("devidp: unknown or expired authorization code")
	errReplayedCode = errors.New("devidp: authorization code already used")
	errTokenInvalid = errors.New("devidp: access token unknown, expired or not the caller's")
)

// storage is op.Storage in memory. Accounts, the client and the key never
// change after New; the maps below mu do.
type storage struct {
	client   client
	secret   string
	accounts map[string]Account
	key      signingKey
	log      *slog.Logger
	now      func() time.Time // a field so tests can move time on

	mu        sync.Mutex
	requests  map[string]*authRequest // by id
	codes     map[string]string       // code -> auth request id, until exchanged
	usedCodes map[string]usedCode     // exchanged codes, to spot a replay
	tokens    map[string]accessToken  // by id
}

type usedCode struct {
	requestID string
	expires   time.Time
}

type accessToken struct {
	id, subject, clientID, requestID string
	scopes                           []string
	expires                          time.Time
}

var _ op.Storage = (*storage)(nil)

var _ op.CanSetUserinfoFromRequest = (*storage)(nil)

func newStorage(c client, secret string, accounts []Account, key signingKey, log *slog.Logger) *storage {
	s := &storage{
		client:    c,
		secret:    secret,
		accounts:  make(map[string]Account, len(accounts)),
		key:       key,
		log:       log,
		now:       time.Now,
		requests:  map[string]*authRequest{},
		codes:     map[string]string{},
		usedCodes: map[string]usedCode{},
		tokens:    map[string]accessToken{},
	}
	for _, a := range accounts {
		s.accounts[a.Subject] = a
	}
	return s
}

// purge forgets whatever has expired; the caller holds mu.
func (s *storage) purge(now time.Time) {
	for id, r := range s.requests {
		if r.expired(now) {
			delete(s.codes, r.code)
			delete(s.requests, id)
		}
	}
	for code, u := range s.usedCodes {
		if !now.Before(u.expires) {
			delete(s.usedCodes, code)
		}
	}
	for id, t := range s.tokens {
		if !now.Before(t.expires) {
			delete(s.tokens, id)
		}
	}
}

// live returns the unexpired auth request with that id, or nil; the caller holds mu.
func (s *storage) live(id string, now time.Time) *authRequest {
	r, ok := s.requests[id]
	if !ok || r.expired(now) {
		return nil
	}
	return r
}

// pending reports whether the request with that id is live and not yet completed.
func (s *storage) pending(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.live(id, s.now())
	return r != nil && !r.done
}

// complete signs the pending request in as subject. It returns
// ErrUnknownAuthRequest or ErrUnknownAccount.
func (s *storage) complete(id, subject string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	r := s.live(id, now)
	if r == nil || r.done {
		return ErrUnknownAuthRequest
	}
	if _, ok := s.accounts[subject]; !ok {
		return ErrUnknownAccount
	}
	r.subject, r.authTime, r.done = subject, now, true
	return nil
}

// CreateAuthRequest stores a validated authorization request. Beyond op's
// checks it refuses prompt=none (there is no session to reuse), a request
// without the openid scope, and a PKCE method other than S256, and it
// keeps only the scopes openid, email and profile (so offline_access is
// dropped and no refresh token is issued).
func (s *storage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	switch {
	case slices.Contains(req.Prompt, oidc.PromptNone):
		return nil, oidc.ErrLoginRequired().WithDescription("The development provider keeps no session; sign in interactively.")
	case !slices.Contains(req.Scopes, oidc.ScopeOpenID):
		return nil, oidc.ErrInvalidScope().WithDescription("The scope must include openid.")
	case req.CodeChallenge != "" && req.CodeChallengeMethod != oidc.CodeChallengeMethodS256:
		return nil, oidc.ErrInvalidRequest().WithDescription("The code_challenge_method must be S256.")
	case req.ClientID != s.client.id:
		return nil, oidc.ErrInvalidClient().WithDescription("Unknown client.")
	}
	var scopes []string
	for _, sc := range req.Scopes {
		if (sc == oidc.ScopeOpenID || sc == oidc.ScopeEmail || sc == oidc.ScopeProfile) && !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	r := &authRequest{
		id:           rand.Text(),
		clientID:     req.ClientID,
		redirectURI:  req.RedirectURI,
		state:        req.State,
		nonce:        req.Nonce,
		scopes:       scopes,
		responseType: req.ResponseType,
		responseMode: req.ResponseMode,
	}
	if req.CodeChallenge != "" {
		r.codeChallenge = &oidc.CodeChallenge{Challenge: req.CodeChallenge, Method: req.CodeChallengeMethod}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.purge(now)
	r.created = now
	s.requests[r.id] = r
	return r.clone(), nil
}

func (s *storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.live(id, s.now())
	if r == nil {
		return nil, ErrUnknownAuthRequest
	}
	return r.clone(), nil
}

// AuthRequestByCode finds the completed request a code was issued for.
// It does not spend the code: CreateAccessToken does, once PKCE and the
// client's secret have been checked, so a failed attempt (x/oauth2 retries
// with the other client authentication style) leaves it usable. A code
// already spent is a replay: the request ends and the tokens issued for it
// are revoked (RFC 6749, section 4.1.2).
func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.usedCodes[code]; ok {
		for id, t := range s.tokens {
			if t.requestID == u.requestID {
				delete(s.tokens, id)
			}
		}
		if r, ok := s.requests[u.requestID]; ok {
			delete(s.codes, r.code)
			delete(s.requests, u.requestID)
		}
		s.log.WarnContext(ctx, "dev-idp: authorization code replayed; its tokens are revoked", "auth_request", u.requestID)
		return nil, errReplayedCode
	}
	id, ok := s.codes[code]
	if !ok {
		return nil, errUnknownCode
	}
	r := s.live(id, s.now())
	if r == nil || !r.done {
		return nil, errUnknownCode
	}
	return r.clone(), nil // its code field is the code presented
}

// SaveAuthCode records the code issued for a completed request; a new code
// (the callback visited twice) replaces the one before, until one is spent.
func (s *storage) SaveAuthCode(ctx context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.live(id, s.now())
	if r == nil || !r.done || r.spent {
		return ErrUnknownAuthRequest
	}
	delete(s.codes, r.code)
	r.code = code
	s.codes[code] = id
	return nil
}

func (s *storage) DeleteAuthRequest(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.requests[id]; ok {
		delete(s.codes, r.code)
		delete(s.requests, id)
	}
	return nil
}

// CreateAccessToken issues an access token for a code exchange, the only
// grant this provider serves, and spends the code: of two concurrent
// exchanges of one code, only the first gets here with it unspent.
func (s *storage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	r, ok := req.(*authRequest)
	if !ok {
		return "", time.Time{}, fmt.Errorf("devidp: token request of type %T not supported", req)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	stored := s.live(r.id, now)
	if stored == nil || stored.code == "" || stored.code != r.code {
		return "", time.Time{}, oidc.ErrInvalidGrant().WithDescription("The code was already used or has expired.")
	}
	delete(s.codes, stored.code)
	s.usedCodes[stored.code] = usedCode{requestID: stored.id, expires: stored.created.Add(authRequestLifetime)}
	stored.code, stored.spent = "", true
	s.purge(now)
	t := accessToken{
		id:        rand.Text(),
		subject:   r.subject,
		clientID:  r.clientID,
		requestID: r.id,
		scopes:    slices.Clone(r.scopes),
		expires:   now.Add(accessTokenLifetime),
	}
	s.tokens[t.id] = t
	return t.id, t.expires, nil
}

func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, _ op.TokenRequest, _ string) (string, string, time.Time, error) {
	return "", "", time.Time{}, oidc.ErrUnsupportedGrantType().WithDescription("Refresh tokens are not supported.")
}

func (s *storage) TokenRequestByRefreshToken(ctx context.Context, _ string) (op.RefreshTokenRequest, error) {
	return nil, oidc.ErrInvalidGrant().WithDescription("Refresh tokens are not supported.")
}

// TerminateSession revokes the user's access tokens for the client; there
// is no other session to end.
func (s *storage) TerminateSession(ctx context.Context, userID, clientID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, t := range s.tokens {
		if t.subject == userID && t.clientID == clientID {
			delete(s.tokens, id)
		}
	}
	return nil
}

// RevokeToken revokes one of the client's access tokens; an unknown token
// is not an error (RFC 7009, section 2.2).
func (s *storage) RevokeToken(ctx context.Context, tokenID, _ string, clientID string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[tokenID]
	if !ok {
		return nil
	}
	if t.clientID != clientID {
		return oidc.ErrInvalidClient().WithDescription("The token was not issued to this client.")
	}
	delete(s.tokens, tokenID)
	return nil
}

func (s *storage) GetRefreshTokenInfo(ctx context.Context, _, _ string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

func (s *storage) SigningKey(ctx context.Context) (op.SigningKey, error) { return s.key, nil }

func (s *storage) SignatureAlgorithms(ctx context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *storage) KeySet(ctx context.Context) ([]op.Key, error) {
	return []op.Key{publicKey{s.key}}, nil
}

// GetClientByClientID knows the one client. An unknown id is an
// invalid_client error, so op answers 400 rather than 500 wherever it asks.
func (s *storage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	if id != s.client.id {
		return nil, oidc.ErrInvalidClient().WithDescription("Unknown client.")
	}
	return s.client, nil
}

func (s *storage) AuthorizeClientIDSecret(ctx context.Context, id, secret string) error {
	idOK := subtle.ConstantTimeCompare([]byte(id), []byte(s.client.id))
	secretOK := subtle.ConstantTimeCompare([]byte(secret), []byte(s.secret))
	if idOK&secretOK != 1 {
		return errors.New("devidp: wrong client id or secret")
	}
	return nil
}

// SetUserinfoFromScopes is deprecated in op and left empty as it asks:
// SetUserinfoFromRequest fills the ID token's claims.
func (s *storage) SetUserinfoFromScopes(ctx context.Context, _ *oidc.UserInfo, _, _ string, _ []string) error {
	return nil
}

// SetUserinfoFromRequest fills the ID token's claims from the account.
func (s *storage) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	a, ok := s.accounts[req.GetSubject()]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownAccount, req.GetSubject())
	}
	fillUserinfo(info, a, scopes)
	return nil
}

// SetUserinfoFromToken answers the userinfo endpoint for a live access token.
func (s *storage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	live := ok && s.now().Before(t.expires) && t.subject == subject
	s.mu.Unlock()
	if !live {
		return errTokenInvalid
	}
	a, ok := s.accounts[t.subject]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownAccount, t.subject)
	}
	fillUserinfo(info, a, t.scopes)
	return nil
}

// SetIntrospectionFromToken describes a live access token to the client it
// was issued to; any other caller learns only that it is not active.
func (s *storage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	live := ok && s.now().Before(t.expires) && t.subject == subject && t.clientID == clientID
	s.mu.Unlock()
	if !live {
		return errTokenInvalid
	}
	a, ok := s.accounts[t.subject]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownAccount, t.subject)
	}
	info := new(oidc.UserInfo)
	fillUserinfo(info, a, t.scopes)
	resp.SetUserInfo(info)
	resp.Scope = t.scopes
	resp.ClientID = t.clientID
	resp.Audience = oidc.Audience{t.clientID}
	resp.TokenType = oidc.BearerToken
	resp.Expiration = oidc.FromTime(t.expires)
	return nil
}

// GetPrivateClaimsFromScopes adds no private claims.
func (s *storage) GetPrivateClaimsFromScopes(ctx context.Context, _, _ string, _ []string) (map[string]any, error) {
	return map[string]any{}, nil
}

var errNoJWTProfile = errors.New("devidp: JWT profile grants and client assertions are not supported")

func (s *storage) GetKeyByIDAndClientID(ctx context.Context, _, _ string) (*jose.JSONWebKey, error) {
	return nil, errNoJWTProfile
}

func (s *storage) ValidateJWTProfileScopes(ctx context.Context, _ string, _ []string) ([]string, error) {
	return nil, errNoJWTProfile
}

func (s *storage) Health(ctx context.Context) error { return nil }

// fillUserinfo sets the claims the scopes grant. email_verified is also set
// as a plain claim because op's typed field omits false, and a missing
// claim is not the same statement as false.
func fillUserinfo(info *oidc.UserInfo, a Account, scopes []string) {
	info.Subject = a.Subject
	for _, sc := range scopes {
		switch sc {
		case oidc.ScopeEmail:
			info.Email = a.Email
			info.EmailVerified = oidc.Bool(a.EmailVerified)
			info.AppendClaims("email_verified", a.EmailVerified)
		case oidc.ScopeProfile:
			info.Name = a.Name
		}
	}
}

// signingKey is the provider's RSA key, made in New.
type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }

func (k signingKey) Key() any { return k.key }

func (k signingKey) ID() string { return k.id }

// publicKey is the signing key as published at the keys endpoint.
type publicKey struct{ signingKey }

func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }

func (k publicKey) Use() string { return "sig" }

func (k publicKey) Key() any { return &k.signingKey.key.PublicKey }
