package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"portal/forms"
)

// invitationStore keeps the invitations to take a role.
type invitationStore interface {
	// CreateInvitation stores an invitation, audited; KindConflict for a duplicate.
	CreateInvitation(ctx context.Context, inv forms.Invitation, actor forms.Actor) (forms.Invitation, error)
	// Invitation returns one invitation.
	Invitation(ctx context.Context, id int64) (forms.Invitation, error)
	// Invitations lists an organization's invitations (all for orgID 0), newest first.
	Invitations(ctx context.Context, orgID int64) ([]forms.Invitation, error)
	// RevokeInvitation revokes a pending invitation, audited; KindConflict otherwise.
	RevokeInvitation(ctx context.Context, id int64, actor forms.Actor) (forms.Invitation, error)
}

// inviteForm is the invitation form with what the user typed and what is wrong with it.
type inviteForm struct {
	Action string // where the form posts
	Email  string
	Role   forms.Role
	Org    string // organization code (the Office's form only)
	Roles  []option
	Orgs   []option
	Errors map[string]string // field -> message, in the user's language
}

type option struct {
	Value, Label string
}

type invitationRow struct {
	forms.Invitation
	State              forms.InvitationState
	StateLabel         string
	RoleLabel, OrgName string
	RevokeURL          string // empty when it cannot be revoked by this user
}

// invitableRoles lists the roles u may invite to, for the organization orgID
// (orgRoles) or portal-wide.
func invitableRoles(u *forms.User, orgID int64, orgRolesOnly bool) []forms.Role {
	var out []forms.Role
	for _, r := range forms.Roles {
		if orgRolesOnly && !r.ForOrganization() {
			continue
		}
		if u.CanInvite(r, orgID) {
			out = append(out, r)
		}
	}
	return out
}

func (p *basePage) roleOptions(roles []forms.Role) []option {
	out := make([]option, len(roles))
	for i, r := range roles {
		out[i] = option{string(r), p.T("role." + string(r))}
	}
	return out
}

func (s *Server) invitationRows(p *basePage, invs []forms.Invitation, now time.Time) []invitationRow {
	u := p.User
	rows := make([]invitationRow, len(invs))
	for i, inv := range invs {
		r := invitationRow{Invitation: inv, State: inv.State(now)}
		r.StateLabel = p.T("invitation.state." + string(r.State))
		r.RoleLabel = p.T("role." + string(inv.Role))
		if inv.Organization.ID != 0 {
			r.OrgName = inv.Organization.Name.In(p.Lang)
		}
		if r.State == forms.InvitationPending && u.CanInvite(inv.Role, inv.Organization.ID) {
			if u.Can(forms.ManageInvitations, 0) {
				r.RevokeURL = "/office/invitations/" + strconv.FormatInt(inv.ID, 10) + "/revoke"
			} else {
				r.RevokeURL = "/orgs/" + inv.Organization.Code + "/invitations/" + strconv.FormatInt(inv.ID, 10) + "/revoke"
			}
		}
		rows[i] = r
	}
	return rows
}

// errFormInvalid says the form is to be shown again with its messages.
var errFormInvalid = errors.New("form has errors")

// invite creates the invitation the posted form asks for, to the
// organization org (zero for the Office's form, which names one). It
// returns errFormInvalid with form.Errors filled for anything the user can
// correct, and a KindForbidden error for a role the user may not give.
func (s *Server) invite(c *gin.Context, org forms.OrganizationRef, form *inviteForm) error {
	ctx := c.Request.Context()
	u := s.currentUser(c)
	p := s.newBase(c)
	form.Email = strings.TrimSpace(c.PostForm("email"))
	form.Role = forms.Role(c.PostForm("role"))
	form.Errors = map[string]string{}
	if _, ok := forms.ParseRole(string(form.Role)); !ok {
		form.Errors["role"] = p.T("field.role.invalid")
		return errFormInvalid
	}
	if org.ID == 0 && form.Role.ForOrganization() {
		form.Org = strings.ToUpper(strings.TrimSpace(c.PostForm("organization")))
		if form.Org == "" {
			form.Errors["organization"] = p.T("field.organization.required")
			return errFormInvalid
		}
		o, err := s.store.OrganizationByCode(ctx, form.Org)
		if forms.KindOf(err) == forms.KindNotFound {
			form.Errors["organization"] = p.T("field.organization.unknown")
			return errFormInvalid
		}
		if err != nil {
			return err
		}
		org = forms.OrganizationRef{ID: o.ID, Code: o.Code, Name: o.Name}
	}
	if !form.Role.ForOrganization() {
		org = forms.OrganizationRef{}
	}
	if !u.CanInvite(form.Role, org.ID) {
		return forms.Errorf(forms.KindForbidden, "may not invite to %s", form.Role)
	}
	inv, err := forms.NewInvitation(form.Email, form.Role, org, time.Now(), forms.DefaultInvitationLifetime)
	var fe *forms.Error
	if errors.As(err, &fe) && fe.Kind == forms.KindInvalid {
		for field, msg := range fe.Fields {
			form.Errors[field] = p.T("field." + msg)
		}
		return errFormInvalid
	}
	if err != nil {
		return err
	}
	if _, err := s.store.CreateInvitation(ctx, inv, s.actorOf(c, u)); err != nil {
		if forms.KindOf(err) == forms.KindConflict {
			form.Errors["email"] = p.T("invite.conflict")
			return errFormInvalid
		}
		return err
	}
	s.flash(c, "invite.sent")
	return nil
}

// inviteToOrganization: a focal point invites a contributor (or the Office
// anyone) to the organization of the route.
func (s *Server) inviteToOrganization(c *gin.Context) error {
	org := scopeOf(c).org
	var form inviteForm
	err := s.invite(c, forms.OrganizationRef{ID: org.ID, Code: org.Code, Name: org.Name}, &form)
	if errors.Is(err, errFormInvalid) {
		return s.renderOrganization(c, form, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/orgs/"+org.Code)
	return nil
}

// revokeOrganizationInvitation revokes a pending invitation to the route's organization.
func (s *Server) revokeOrganizationInvitation(c *gin.Context) error {
	org := scopeOf(c).org
	if err := s.revoke(c, org.ID); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/orgs/"+org.Code)
	return nil
}

// revoke revokes the invitation :id, which must be to the organization orgID
// (any, for -1) and of a role the user may give.
func (s *Server) revoke(c *gin.Context, orgID int64) error {
	ctx := c.Request.Context()
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return forms.Errorf(forms.KindNotFound, "bad invitation id")
	}
	inv, err := s.store.Invitation(ctx, id)
	if err != nil {
		return err
	}
	u := s.currentUser(c)
	if (orgID >= 0 && inv.Organization.ID != orgID) || !u.CanInvite(inv.Role, inv.Organization.ID) {
		return forms.Errorf(forms.KindNotFound, "invitation %d not revocable here", id)
	}
	if _, err := s.store.RevokeInvitation(ctx, id, s.actorOf(c, u)); err != nil {
		if forms.KindOf(err) == forms.KindConflict {
			s.flash(c, "invite.notpending")
			return nil
		}
		return err
	}
	s.flash(c, "invite.revoked")
	return nil
}

type invitationsPage struct {
	basePage
	Invitations []invitationRow
	Invite      inviteForm
}

// showInvitations is the Office's list of every invitation, with the form
// to invite someone to any organization or role the user may give.
func (s *Server) showInvitations(c *gin.Context) error {
	return s.renderInvitations(c, inviteForm{Role: forms.FocalPoint}, http.StatusOK)
}

func (s *Server) renderInvitations(c *gin.Context, form inviteForm, status int) error {
	ctx := c.Request.Context()
	invs, err := s.store.Invitations(ctx, 0)
	if err != nil {
		return err
	}
	orgs, err := s.store.Organizations(ctx, "")
	if err != nil {
		return err
	}
	p := invitationsPage{basePage: s.newBase(c), Invite: form}
	p.Title = p.T("invitations.title")
	p.Invitations = s.invitationRows(&p.basePage, invs, time.Now())
	p.Invite.Action = "/office/invitations"
	p.Invite.Roles = p.roleOptions(invitableRoles(p.User, -1, false))
	for _, o := range orgs {
		p.Invite.Orgs = append(p.Invite.Orgs, option{o.Code, o.Name.In(p.Lang) + " (" + o.Code + ")"})
	}
	s.render(c, status, "invitations", &p)
	return nil
}

func (s *Server) createInvitation(c *gin.Context) error {
	var form inviteForm
	err := s.invite(c, forms.OrganizationRef{}, &form)
	if errors.Is(err, errFormInvalid) {
		return s.renderInvitations(c, form, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/office/invitations")
	return nil
}

func (s *Server) revokeInvitation(c *gin.Context) error {
	if err := s.revoke(c, -1); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/office/invitations")
	return nil
}
