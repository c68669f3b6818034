package demo

import (
	"context"
	"fmt"
	"time"

	"portal/forms"
)

// Account is an identity of the development identity provider and the role
// the portal invites it to, so that a development portal has someone to
// sign in as for each kind of user. Its e-mail address is verified.
type Account struct {
	Subject, Email, Name string
	Role                 forms.Role // none for a newcomer
	Org                  string     // organization code for an organization role
}

// Accounts are the development provider's accounts.
var Accounts = []Account{
	{"demo-fp-aut", "focal.point@austria.example.org", "Anna Gruber", forms.FocalPoint, "AUT"},
	{"demo-contrib-aut", "contributor@austria.example.org", "Lukas Steiner", forms.Contributor, "AUT"},
	{"demo-fp-ken", "focal.point@kenya.example.org", "Wanjiru Kamau", forms.FocalPoint, "KEN"},
	{"demo-fp-untourism", "focal.point@untourism.example.org", "Carmen Ortiz", forms.FocalPoint, "UNTOURISM"},
	{"demo-analyst", "analyst@unodc.example.org", "Mei Chen", forms.Analyst, ""},
	{"demo-commission", "reader@ccpcj.example.org", "Pierre Dubois", forms.Commission, ""},
	{"demo-admin", "admin@unodc.example.org", "Sam Okafor", forms.Admin, ""},
	{"demo-newcomer", "newcomer@example.org", "Noor Haddad", "", ""},
}

// Inviter is what inviting the accounts needs of the database.
type Inviter interface {
	OrganizationByCode(ctx context.Context, code string) (forms.Organization, error)
	// CreateInvitation stores an invitation; KindConflict for a duplicate.
	CreateInvitation(ctx context.Context, inv forms.Invitation, actor forms.Actor) (forms.Invitation, error)
}

// InviteAccounts invites each demo account to its role, once: an account
// already invited or holding the role is left as it is.
func InviteAccounts(ctx context.Context, store Inviter) error {
	actor := forms.Actor{Label: "system"}
	for _, a := range Accounts {
		if a.Role == "" {
			continue
		}
		var org forms.OrganizationRef
		if a.Org != "" {
			o, err := store.OrganizationByCode(ctx, a.Org)
			if err != nil {
				return fmt.Errorf("demo account %s: %w", a.Email, err)
			}
			org = refOf(o)
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
