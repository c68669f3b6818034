package handlers

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"portal/forms"
)

// showHome sends a signed-in user to the home of their role: the Office's,
// their organization's (the one they last acted for), the Commission's; or,
// with no role yet, to a page that says their access is pending and whom to ask.
func (s *Server) showHome(c *gin.Context) error {
	u := s.currentUser(c)
	if u.Office() {
		c.Redirect(http.StatusSeeOther, "/office")
		return nil
	}
	if orgs := u.Organizations(); len(orgs) > 0 {
		active := orgs[0]
		want := s.sessions.GetInt64(c.Request.Context(), sessOrgID)
		if i := slices.IndexFunc(orgs, func(o forms.OrganizationRef) bool { return o.ID == want }); i >= 0 {
			active = orgs[i]
		}
		c.Redirect(http.StatusSeeOther, "/orgs/"+active.Code)
		return nil
	}
	if u.HasRole(forms.Commission) {
		c.Redirect(http.StatusSeeOther, "/commission")
		return nil
	}
	p := pendingPage{basePage: s.newBase(c), SupportEmail: s.opts.SupportEmail}
	p.Title = p.T("pending.title")
	s.render(c, http.StatusOK, "pending", &p)
	return nil
}

type pendingPage struct {
	basePage
	SupportEmail string
}

// switchOrganization changes the organization a user with several acts for.
func (s *Server) switchOrganization(c *gin.Context) error {
	code := strings.ToUpper(c.PostForm("organization"))
	for _, o := range s.currentUser(c).Organizations() {
		if o.Code == code {
			s.sessions.Put(c.Request.Context(), sessOrgID, o.ID)
			c.Redirect(http.StatusSeeOther, "/orgs/"+o.Code)
			return nil
		}
	}
	return forms.Errorf(forms.KindNotFound, "not a member of %q", code)
}

type organizationPage struct {
	basePage
	Org         forms.Organization
	OrgName     string
	Role        forms.Role // the user's role here; empty for the Office
	Orgs        []forms.OrganizationRef
	Members     []forms.User
	Invitations []invitationRow
	Invite      inviteForm
	CanInvite   bool
	// Due are the calls waiting for the organization's answer; Sent those
	// it has submitted (to review, or accepted).
	Due, Sent []dueRow
}

// dueRow is a call the organization is to answer, with its answer's state.
type dueRow struct {
	Key                         string // the call's
	Title, Href, SubmissionHref string
	State                       string // a forms.SubmissionState
	StateLabel                  string
	Deadline, TimeLeft          string
	Version                     int
	UpdatedBy                   string
	UpdatedAt                   string
	Past                        bool   // the call is closed or reported
	Covered                     string // that an organization answers the call on the State's behalf
	// Progress says how many questions are answered, Percent the share
	// (for a bar), Blocking what still stops the submission; set for an
	// answer the organization can still change.
	Progress, Blocking string
	Percent            int
	Editable           bool
	// Returned is the Office's message with a return for clarification.
	Returned *returnNote
}

// returnNote is the Office's message when it returned the answers.
type returnNote struct {
	Intro, Body string
}

// showOrganization is an organization's home: who works on it, and (for its
// focal point and the Office) the invitations to it.
func (s *Server) showOrganization(c *gin.Context) error {
	return s.renderOrganization(c, inviteForm{Role: forms.Contributor}, http.StatusOK)
}

func (s *Server) renderOrganization(c *gin.Context, form inviteForm, status int) error {
	ctx := c.Request.Context()
	u := s.currentUser(c)
	org := scopeOf(c).org
	members, err := s.store.Members(ctx, org.ID)
	if err != nil {
		return err
	}
	p := organizationPage{basePage: s.newBase(c), Org: org, Members: members, Orgs: u.Organizations(), Invite: form}
	p.OrgName = org.Name.In(p.Lang)
	p.Title = p.OrgName
	p.Role, _ = u.RoleIn(org.ID)
	s.sessions.Put(ctx, sessOrgID, org.ID)
	rows, err := s.dueRows(c, &p.basePage, org)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.State == string(forms.Submitted) || r.State == string(forms.Accepted) {
			p.Sent = append(p.Sent, r)
		} else {
			p.Due = append(p.Due, r)
		}
	}
	if u.Can(forms.InviteContributor, org.ID) {
		p.CanInvite = true
		invs, err := s.store.Invitations(ctx, org.ID)
		if err != nil {
			return err
		}
		p.Invitations = s.invitationRows(&p.basePage, invs, time.Now())
		p.Invite.Roles = p.roleOptions(invitableRoles(u, org.ID, true))
		p.Invite.Action = "/orgs/" + org.Code + "/invitations"
	}
	s.render(c, status, "organization", &p)
	return nil
}

// fixedPage serves a page that needs nothing but the layout's data and a
// title: the Office's home, the Commission's, the signed-out page.
func (s *Server) fixedPage(page, titleID string) handlerFunc {
	return func(c *gin.Context) error {
		p := s.newBase(c)
		p.Title = p.T(titleID)
		s.render(c, http.StatusOK, page, &p)
		return nil
	}
}

// dueRows lists the calls an organization is asked to answer (open ones,
// and past ones it answered), with where its answer stands.
func (s *Server) dueRows(c *gin.Context, b *basePage, org forms.Organization) ([]dueRow, error) {
	ctx := c.Request.Context()
	calls, err := s.store.Calls(ctx)
	if err != nil {
		return nil, err
	}
	subs, err := s.store.SubmissionsOf(ctx, forms.OrganizationRef{ID: org.ID, Code: org.Code, Name: org.Name})
	if err != nil {
		return nil, err
	}
	covers, err := s.store.CoversOf(ctx, forms.OrganizationRef{ID: org.ID, Code: org.Code, Name: org.Name})
	if err != nil {
		return nil, err
	}
	rows := make([]dueRow, 0, len(calls))
	for _, call := range calls {
		if call.State == forms.CallDraft || !call.Asks(org) {
			continue
		}
		sub, ok := subs[call.ID]
		if !ok {
			sub = forms.Submission{State: forms.NotStarted}
		}
		// A call past is shown as such, unless the Office awaits an answer
		// to its request for clarification, which a closed call still takes.
		past := (call.State == forms.CallClosed && sub.State != forms.Returned) || call.State == forms.CallReported
		if past && len(sub.Versions) == 0 {
			continue
		}
		base := "/orgs/" + org.Code + "/calls/" + call.Key
		r := dueRow{Key: call.Key, Title: call.Title.In(b.Lang), Href: base, SubmissionHref: base + "/submission", State: string(sub.State), Past: past}
		r.StateLabel = b.T("due.state." + r.State)
		cv, covered := covers[call.ID]
		r.Covered = coverNotice(b, cv, covered)
		if !call.Deadline.IsZero() {
			r.Deadline, r.TimeLeft = b.Timestamp(call.Deadline), b.Countdown(call.Deadline, time.Now())
		}
		if !sub.UpdatedAt.IsZero() {
			r.Version, r.UpdatedBy = sub.DraftVersion, sub.UpdatedBy
			r.UpdatedAt = b.Timestamp(sub.UpdatedAt)
		}
		if sub.State.Editable() && !past {
			if err := s.fillProgress(ctx, b, &r, call, forms.OrganizationRef{ID: org.ID, Code: org.Code, Name: org.Name}, sub); err != nil {
				return nil, err
			}
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// fillProgress says in r how far the organization's draft of call has
// got, and with a return for clarification, what the Office asked.
func (s *Server) fillProgress(ctx context.Context, b *basePage, r *dueRow, call forms.Call, ref forms.OrganizationRef, sub forms.Submission) error {
	q, ok := s.opts.Questionnaires.Version(call.Questionnaire, call.Version)
	if !ok {
		return fmt.Errorf("call %s: questionnaire %s v%d is not loaded", call.Key, call.Questionnaire, call.Version)
	}
	d, err := s.store.Draft(ctx, call, ref)
	if err != nil {
		return err
	}
	pr := forms.Assess(q, d.Answers, call.Years)
	r.Editable, r.Percent = true, pr.Percent()
	r.Progress = b.Tf("due.progress", map[string]any{"Answered": pr.Answered, "Questions": pr.Questions, "Percent": pr.Percent()})
	if pr.Ready() {
		r.Blocking = b.T("due.ready")
	} else {
		r.Blocking = b.Tn("due.blocking", len(pr.Blocking), nil)
	}
	r.Returned, err = s.returnNote(ctx, b, call, ref, sub)
	return err
}

// returnNote is the Office's message with the return of the answers for
// clarification: the last message of the Office on the whole submission,
// about its latest version. Nil unless the answers are returned.
func (s *Server) returnNote(ctx context.Context, b *basePage, call forms.Call, ref forms.OrganizationRef, sub forms.Submission) (*returnNote, error) {
	if sub.State != forms.Returned {
		return nil, nil
	}
	cs, err := s.store.Comments(ctx, call, ref)
	if err != nil {
		return nil, err
	}
	for i := len(cs) - 1; i >= 0; i-- {
		if cm := cs[i]; cm.Office && cm.Field == "" && cm.Version == len(sub.Versions) {
			return &returnNote{Intro: b.Tf("due.returned", map[string]any{"At": b.Timestamp(cm.At), "Author": cm.Author}), Body: cm.Body}, nil
		}
	}
	return nil, nil
}

type landingPage struct {
	basePage
	Stats  forms.DirectoryStats
	Groups []string
}

// DirectorySummary says how many States and organizations the directory
// holds, each count in its plural form.
func (p *landingPage) DirectorySummary() string {
	return p.Tf("landing.directory.summary", map[string]any{
		"MemberStates":   p.Tn("landing.directory.summary.members", p.Stats.MemberStates, nil),
		"ObserverStates": p.Tn("landing.directory.summary.observers", p.Stats.ObserverStates, nil),
		"Organizations":  p.Tn("landing.directory.summary.organizations", p.Stats.Organizations, nil),
		"RegionalGroups": p.Tn("landing.directory.summary.groups", p.Stats.RegionalGroups, nil),
	})
}

// showLanding is the public home page: what the portal is for and whom it serves.
func (s *Server) showLanding(c *gin.Context) error {
	ctx := c.Request.Context()
	stats, err := s.store.DirectoryStats(ctx)
	if err != nil {
		return err
	}
	groups, err := s.store.RegionalGroups(ctx)
	if err != nil {
		return err
	}
	p := landingPage{basePage: s.newBase(c), Stats: stats}
	for _, g := range groups {
		p.Groups = append(p.Groups, g.Name.In(p.Lang))
	}
	s.render(c, http.StatusOK, "landing", &p)
	return nil
}
