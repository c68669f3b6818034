package devidp

import (
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// idTokenLifetime is how long an ID token is valid. The portal checks it
// once, at sign-in; an expired one still serves as id_token_hint at logout.
const idTokenLifetime = 5 * time.Minute

// client is the one relying party: the portal, a confidential web client
// using the authorization code flow.
type client struct {
	id                     string
	redirectURIs           []string
	postLogoutRedirectURIs []string
	loginURL               func(authRequestID string) string
}

var _ op.Client = client{}

func (c client) GetID() string                    { return c.id }
func (c client) RedirectURIs() []string           { return slices.Clone(c.redirectURIs) }
func (c client) PostLogoutRedirectURIs() []string { return slices.Clone(c.postLogoutRedirectURIs) }

// ApplicationType web makes the client confidential: it must authenticate
// at the token endpoint, and an http redirect URI is allowed for the code flow.
func (c client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }

// AuthMethod is basic; op.Config.AuthMethodPost lets the same secret come in
// the form body too.
func (c client) AuthMethod() oidc.AuthMethod { return oidc.AuthMethodBasic }

func (c client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}

func (c client) GrantTypes() []oidc.GrantType { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c client) LoginURL(id string) string    { return c.loginURL(id) }

// AccessTokenType bearer: opaque tokens that only this provider reads, at userinfo.
func (c client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeBearer }
func (c client) IDTokenLifetime() time.Duration      { return idTokenLifetime }

// DevMode false keeps redirect URIs to exact matches.
func (c client) DevMode() bool { return false }

func (c client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}

func (c client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}

// IsScopeAllowed admits no scope beyond the standard ones op already knows.
func (c client) IsScopeAllowed(string) bool { return false }

// IDTokenUserinfoClaimsAssertion puts the email and profile claims in the ID
// token even though an access token is issued with it.
func (c client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c client) ClockSkew() time.Duration             { return 0 }
