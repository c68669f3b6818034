package devidp

import (
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// authRequest is a sign-in in progress, as the OpenID library reads it.

// authRequest is op.AuthRequest. op gets a clone, so it may read one
// without the lock while the storage changes the original.
type authRequest struct {
	id, clientID, redirectURI, state, nonce string
	scopes                                  []string
	responseType                            oidc.ResponseType
	responseMode                            oidc.ResponseMode
	codeChallenge                           *oidc.CodeChallenge
	created                                 time.Time

	done     bool
	subject  string
	authTime time.Time
	code     string // the code issued and not yet exchanged, if any
	spent    bool   // a code was exchanged: no other may be issued
}

var _ op.AuthRequest = (*authRequest)(nil)

func (r *authRequest) expired(now time.Time) bool {
	return !now.Before(r.created.Add(authRequestLifetime))
}

func (r *authRequest) clone() *authRequest {
	c := *r
	c.scopes = slices.Clone(r.scopes)
	if r.codeChallenge != nil {
		cc := *r.codeChallenge
		c.codeChallenge = &cc
	}
	return &c
}

func (r *authRequest) GetID() string { return r.id }

func (r *authRequest) GetACR() string { return "" }

func (r *authRequest) GetAMR() []string { return nil }

func (r *authRequest) GetAudience() []string { return []string{r.clientID} }

func (r *authRequest) GetAuthTime() time.Time { return r.authTime }

func (r *authRequest) GetClientID() string { return r.clientID }

func (r *authRequest) GetCodeChallenge() *oidc.CodeChallenge { return r.codeChallenge }

func (r *authRequest) GetNonce() string { return r.nonce }

func (r *authRequest) GetRedirectURI() string { return r.redirectURI }

func (r *authRequest) GetResponseType() oidc.ResponseType { return r.responseType }

func (r *authRequest) GetResponseMode() oidc.ResponseMode { return r.responseMode }

func (r *authRequest) GetScopes() []string { return slices.Clone(r.scopes) }

func (r *authRequest) GetState() string { return r.state }

func (r *authRequest) GetSubject() string { return r.subject }

func (r *authRequest) Done() bool { return r.done }
