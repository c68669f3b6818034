package handlers

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

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

type auditPage struct {
	basePage
	Filter  auditFilterForm
	Actions []option
	Events  []auditRow
	Older   string // URL of the next page, empty on the last
}

type auditFilterForm struct {
	Action, Actor, Organization, Since, Until string
	Errors                                    map[string]string
}

type auditRow struct {
	forms.AuditEvent
	When, ActionLabel, OrgName, Details string
}

// auditActions are the actions the filter offers, with the prefixes that group them.
var auditActions = []string{
	forms.AuditSignIn, forms.AuditSignInFailed, forms.AuditSignOut,
	"invitation.", forms.AuditInvitationCreated, forms.AuditInvitationAccepted, forms.AuditInvitationRevoked,
	"role.", forms.AuditRoleGranted, forms.AuditRoleRemoved,
	forms.AuditDraftSaved,
	"submission.", forms.AuditSubmission + "submit", forms.AuditSubmission + "withdraw", forms.AuditSubmission + "accept", forms.AuditSubmission + "return",
	forms.AuditCommentPosted, forms.AuditCallSaved, forms.AuditReminderSent,
	forms.AuditSeriesImported, forms.AuditSeriesWithdrawn, forms.AuditMappingsSaved,
}

const auditPageSize = 50

// showAudit is the audit log for analysts and admins: filter, read, page
// back. It has no way to change anything.
func (s *Server) showAudit(c *gin.Context) error {
	p := auditPage{basePage: s.newBase(c)}
	p.Title = p.T("audit.title")
	for _, a := range auditActions {
		p.Actions = append(p.Actions, option{a, p.T("audit.action." + strings.TrimSuffix(a, "."))})
	}
	f := forms.AuditFilter{Limit: auditPageSize}
	p.Filter = auditFilterForm{
		Action:       c.Query("action"),
		Actor:        strings.TrimSpace(c.Query("actor")),
		Organization: strings.ToUpper(strings.TrimSpace(c.Query("organization"))),
		Since:        c.Query("since"),
		Until:        c.Query("until"),
		Errors:       map[string]string{},
	}
	if p.Filter.Action != "" && !slices.Contains(auditActions, p.Filter.Action) {
		p.Filter.Errors["action"] = p.T("audit.filter.action.invalid")
		p.Filter.Action = ""
	}
	f.Action, f.Actor, f.Organization = p.Filter.Action, p.Filter.Actor, p.Filter.Organization
	f.Since = p.parseDay(p.Filter.Since, "since", p.Filter.Errors)
	if until := p.parseDay(p.Filter.Until, "until", p.Filter.Errors); !until.IsZero() {
		f.Until = until.Add(24 * time.Hour) // the whole of that day
	}
	if before, err := strconv.ParseInt(c.Query("before"), 10, 64); err == nil && before > 0 {
		f.Before = before
	}
	events, err := s.store.AuditEvents(c.Request.Context(), f)
	if err != nil {
		return err
	}
	for _, ev := range events {
		r := auditRow{AuditEvent: ev, When: p.TimestampSeconds(ev.At)}
		r.ActionLabel = p.T("audit.action." + ev.Action)
		if ev.Organization.ID != 0 {
			r.OrgName = ev.Organization.Name.In(p.Lang)
		}
		var details []string
		for k, v := range ev.Details {
			details = append(details, k+": "+v)
		}
		slices.Sort(details)
		r.Details = strings.Join(details, "; ")
		p.Events = append(p.Events, r)
	}
	if len(events) == auditPageSize {
		q := c.Request.URL.Query()
		q.Set("before", strconv.FormatInt(events[len(events)-1].ID, 10))
		p.Older = "/office/audit?" + q.Encode()
	}
	s.render(c, http.StatusOK, "audit", &p)
	return nil
}

// parseDay reads a date typed as YYYY-MM-DD; anything else gets a message
// and is left out of the filter.
func (p *basePage) parseDay(v, field string, errs map[string]string) time.Time {
	if v == "" {
		return time.Time{}
	}
	d, err := time.Parse("2006-01-02", v)
	if err != nil {
		errs[field] = p.T("field.date.invalid")
		return time.Time{}
	}
	return d
}
