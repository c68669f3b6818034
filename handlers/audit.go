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
	forms.AuditCommentPosted, forms.AuditCallSaved,
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
