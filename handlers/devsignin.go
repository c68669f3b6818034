package handlers

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"portal/forms"
	"portal/handlers/devidp"
)

// DemoAccount is an identity of the development provider and the role the
// portal invites it to, so that `make run` has someone to sign in as for
// each kind of user.
type DemoAccount struct {
	devidp.Account
	Role forms.Role
	Org  string // organization code for an organization role
}

// DemoAccounts are the development provider's accounts.
var DemoAccounts = []DemoAccount{
	{devidp.Account{Subject: "demo-fp-aut", Email: "focal.point@austria.example.org", EmailVerified: true, Name: "Anna Gruber"}, forms.FocalPoint, "AUT"},
	{devidp.Account{Subject: "demo-contrib-aut", Email: "contributor@austria.example.org", EmailVerified: true, Name: "Lukas Steiner"}, forms.Contributor, "AUT"},
	{devidp.Account{Subject: "demo-fp-ken", Email: "focal.point@kenya.example.org", EmailVerified: true, Name: "Wanjiru Kamau"}, forms.FocalPoint, "KEN"},
	{devidp.Account{Subject: "demo-fp-untourism", Email: "focal.point@untourism.example.org", EmailVerified: true, Name: "Carmen Ortiz"}, forms.FocalPoint, "UNTOURISM"},
	{devidp.Account{Subject: "demo-analyst", Email: "analyst@unodc.example.org", EmailVerified: true, Name: "Mei Chen"}, forms.Analyst, ""},
	{devidp.Account{Subject: "demo-commission", Email: "reader@ccpcj.example.org", EmailVerified: true, Name: "Pierre Dubois"}, forms.Commission, ""},
	{devidp.Account{Subject: "demo-admin", Email: "admin@unodc.example.org", EmailVerified: true, Name: "Sam Okafor"}, forms.Admin, ""},
	{devidp.Account{Subject: "demo-newcomer", Email: "newcomer@example.org", EmailVerified: true, Name: "Noor Haddad"}, "", ""},
}

type devSignInPage struct {
	basePage
	RequestID string
	Accounts  []devAccountRow
}

type devAccountRow struct {
	DemoAccount
	RoleLabel string
}

// showDevSignIn is the development provider's sign-in page: pick a demo account.
func (s *Server) showDevSignIn(c *gin.Context) error {
	id := c.Query("id")
	if !s.opts.DevIdP.PendingAuthRequest(c.Request.Context(), id) {
		return &signInError{reason: "state", status: http.StatusBadRequest}
	}
	p := devSignInPage{basePage: s.newBase(c), RequestID: id}
	p.Title = p.T("devsignin.title")
	for _, a := range DemoAccounts {
		row := devAccountRow{DemoAccount: a, RoleLabel: p.T("devsignin.norole")}
		if a.Role != "" {
			row.RoleLabel = p.T("role." + string(a.Role))
			if a.Org != "" {
				row.RoleLabel += " · " + a.Org
			}
		}
		p.Accounts = append(p.Accounts, row)
	}
	s.render(c, http.StatusOK, "devsignin", &p)
	return nil
}

// devSignIn completes the provider's pending request as the chosen account.
func (s *Server) devSignIn(c *gin.Context) error {
	next, err := s.opts.DevIdP.Complete(c.Request.Context(), c.PostForm("id"), c.PostForm("subject"))
	if err != nil {
		return &signInError{reason: "state", status: http.StatusBadRequest, err: err}
	}
	c.Redirect(http.StatusSeeOther, next)
	return nil
}

// NewDevIdP builds the development identity provider for a portal served at
// baseURL, with the demo accounts, and the relying-party settings that point
// the portal at it. The client secret is new at every start: the provider
// keeps its state in memory and lives exactly as long as the process.
func NewDevIdP(baseURL *url.URL, log *slog.Logger) (*devidp.Provider, OIDC, error) {
	base := baseURL.String()
	cfg := OIDC{Issuer: base + DevIdPPath, ClientID: "portal-dev", ClientSecret: randomToken()}
	accounts := make([]devidp.Account, len(DemoAccounts))
	for i, a := range DemoAccounts {
		accounts[i] = a.Account
	}
	p, err := devidp.New(devidp.Config{
		Issuer:                 cfg.Issuer,
		ClientID:               cfg.ClientID,
		ClientSecret:           cfg.ClientSecret,
		RedirectURIs:           []string{base + "/auth/callback"},
		PostLogoutRedirectURIs: []string{base + "/signed-out"},
		LoginURL:               func(id string) string { return base + DevSignInPath + "?id=" + url.QueryEscape(id) },
		Accounts:               accounts,
		Logger:                 log,
	})
	if err != nil {
		return nil, OIDC{}, fmt.Errorf("handlers: development identity provider: %w", err)
	}
	return p, cfg, nil
}

// InviteDemoAccounts invites each demo account to its role, once: an account
// already invited or holding the role is left as it is.
func InviteDemoAccounts(ctx context.Context, store Store) error {
	actor := forms.Actor{Label: "system"}
	for _, a := range DemoAccounts {
		if a.Role == "" {
			continue
		}
		var org forms.OrganizationRef
		if a.Org != "" {
			o, err := store.OrganizationByCode(ctx, a.Org)
			if err != nil {
				return fmt.Errorf("demo account %s: %w", a.Email, err)
			}
			org = forms.OrganizationRef{ID: o.ID, Code: o.Code, Name: o.Name}
		}
		inv, err := forms.NewInvitation(a.Email, a.Role, org, time.Now(), forms.DefaultInvitationLifetime)
		if err != nil {
			return fmt.Errorf("demo account %s: %w", a.Email, err)
		}
		if _, err := store.CreateInvitation(ctx, inv, actor); err != nil && forms.KindOf(err) != forms.KindConflict {
			return fmt.Errorf("demo account %s: %w", a.Email, err)
		}
	}
	return nil
}
