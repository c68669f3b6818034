package handlers

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"portal/forms/demo"
	"portal/handlers/devidp"
)

type devSignInPage struct {
	basePage
	RequestID string
	Accounts  []devAccountRow
}

type devAccountRow struct {
	demo.Account
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
	for _, a := range demo.Accounts {
		row := devAccountRow{Account: a, RoleLabel: p.T("devsignin.norole")}
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
// baseURL, with the demo accounts (demo.Accounts), and the relying-party settings that point
// the portal at it. The client secret is new at every start: the provider
// keeps its state in memory and lives exactly as long as the process.
func NewDevIdP(baseURL *url.URL, log *slog.Logger) (*devidp.Provider, OIDC, error) {
	base := baseURL.String()
	cfg := OIDC{Issuer: base + DevIdPPath, ClientID: "portal-dev", ClientSecret: randomToken()}
	accounts := make([]devidp.Account, len(demo.Accounts))
	for i, a := range demo.Accounts {
		accounts[i] = devidp.Account{Subject: a.Subject, Email: a.Email, EmailVerified: true, Name: a.Name}
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
