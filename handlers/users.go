package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/forms"
)

type usersPage struct {
	basePage
	Users []userRow
}

type userRow struct {
	forms.User
	LastSignIn string
	Roles      []roleRow
}

type roleRow struct {
	Label   string
	Role    forms.Role
	OrgCode string
}

// showUsers lists everyone who has signed in, with their roles, for admins.
func (s *Server) showUsers(c *gin.Context) error {
	users, err := s.store.Users(c.Request.Context())
	if err != nil {
		return err
	}
	p := usersPage{basePage: s.newBase(c)}
	p.Title = p.T("users.title")
	for _, u := range users {
		r := userRow{User: u}
		if !u.LastSignIn.IsZero() {
			r.LastSignIn = p.Timestamp(u.LastSignIn)
		}
		for _, m := range u.Memberships {
			label := p.T("role." + string(m.Role))
			if m.Role.ForOrganization() {
				label += " · " + m.Organization.Name.In(p.Lang)
			}
			r.Roles = append(r.Roles, roleRow{Label: label, Role: m.Role, OrgCode: m.Organization.Code})
		}
		p.Users = append(p.Users, r)
	}
	s.render(c, http.StatusOK, "users", &p)
	return nil
}

// removeRole takes a role away from a user (admins only); audited by the store.
func (s *Server) removeRole(c *gin.Context) error {
	ctx := c.Request.Context()
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return forms.Errorf(forms.KindNotFound, "bad user id")
	}
	role, ok := forms.ParseRole(c.PostForm("role"))
	if !ok {
		return forms.Errorf(forms.KindInvalid, "unknown role")
	}
	var orgID int64
	if role.ForOrganization() {
		org, err := s.store.OrganizationByCode(ctx, strings.ToUpper(c.PostForm("organization")))
		if err != nil {
			return err
		}
		orgID = org.ID
	}
	u := s.currentUser(c)
	if id == u.ID && role == forms.Admin {
		s.flash(c, "users.selfadmin")
		c.Redirect(http.StatusSeeOther, "/office/users")
		return nil
	}
	if err := s.store.RemoveMembership(ctx, id, role, orgID, s.actorOf(c, u)); err != nil {
		return err
	}
	s.flash(c, "users.removed")
	c.Redirect(http.StatusSeeOther, "/office/users")
	return nil
}
