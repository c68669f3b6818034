package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"portal/forms"
	"portal/templates/form"
	"portal/templates/views"
)

// Entry on behalf: an organization that sends its answers to the Office
// outside the portal (a workbook by e-mail, a letter) has them entered by
// an analyst and submitted on its behalf. The Office's routes under
// /office/calls/:call/orgs/:code/enter (entryScope) are the only way to
// it: the entry page (the sections, the workbook, and the submission with
// how the answers came), and the draft's own section, conflict and
// workbook handlers, which the scope's entry mode keeps in that place.
// The organization's pages are unchanged: an analyst reads them and edits
// nothing there.

// entryURL is the Office's page to enter the organization's answers on its behalf.
func entryURL(dc *scope) string { return reviewURL(dc) + "/enter" }

type entryPage struct {
	basePage
	OrgName, OrgCode, CallKey, CallTitle string
	Mandate, Body, Deadline, TimeLeft    string
	Heading, Lead                        string
	State, StateLabel                    string
	Editable                             bool
	Locked                               string   // why there is nothing to enter now
	Late                                 string   // that the deadline has passed, for a call that takes no late answers
	Sections                             []option // href and label
	Blocking                             []views.Finding
	CanSubmit                            bool
	SubmitLabel                          string
	Form                                 entryForm
	Channels                             []option
	ReviewHref                           string
}

// entryForm is how the answers came, as the analyst types it.
type entryForm struct {
	Channel, ReceivedOn, ReceivedFrom string
	Errors                            map[string]string // field → message, in the page's language
}

// showEntry is the Office's page to enter an organization's answers on its
// behalf: what stops them from being submitted, the sections, the
// workbook, and the form that submits them.
func (s *Server) showEntry(c *gin.Context) error {
	p, err := s.newEntryPage(c, entryForm{Channel: forms.ChannelEmail})
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "entry", p)
	return nil
}

func (s *Server) newEntryPage(c *gin.Context, f entryForm) (*entryPage, error) {
	dc := scopeOf(c)
	ctx := c.Request.Context()
	sub, err := s.store.Submission(ctx, dc.call, dc.ref)
	if err != nil {
		return nil, err
	}
	p := &entryPage{basePage: s.callBase(c, dc.call), OrgCode: dc.org.Code, CallKey: dc.call.Key, Form: f, ReviewHref: reviewURL(dc)}
	s.fillCallHeader(&p.basePage, dc, &p.OrgName, &p.CallTitle, &p.Mandate, &p.Body, &p.Deadline, &p.TimeLeft)
	org := map[string]any{"Organization": p.OrgName}
	p.Heading = p.Tf("entry.title", org)
	p.Title = p.Heading + " · " + p.CallTitle
	p.Lead, p.SubmitLabel = p.Tf("entry.lead", org), p.Tf("entry.submit", org)
	p.State, p.StateLabel = string(sub.State), p.T("submission.state."+string(sub.State))
	p.Editable = sub.State.Editable()
	if !p.Editable {
		p.Locked = p.Tf("entry.locked", map[string]any{"Organization": p.OrgName, "State": p.StateLabel})
	}
	for _, ch := range forms.Channels {
		p.Channels = append(p.Channels, option{Value: ch, Label: p.T("entry.channel.option." + ch)})
	}
	d, err := s.store.Draft(ctx, dc.call, dc.ref)
	if err != nil {
		return nil, err
	}
	pr := forms.Assess(dc.q, d.Answers, dc.call.Years)
	for _, sec := range dc.q.Sections {
		p.Sections = append(p.Sections, option{Value: dc.sectionURL(sec.Key), Label: sec.Title.In(p.Lang) + " — " + p.T("section.state."+string(pr.States[sec.Key]))})
	}
	if p.Editable {
		p.Blocking = dc.blockingViews(p.Text, pr.Blocking)
		_, err := forms.DecideEntry(s.currentUser(c), dc.org, dc.call, sub.State, time.Now())
		p.CanSubmit = err == nil && len(p.Blocking) == 0
		if forms.KindOf(err) == forms.KindConflict {
			// entryScope let through a call that takes entries, and the
			// answers may change: only the deadline stands in the way.
			p.Late = p.T("entry.late")
		}
	}
	return p, nil
}

// submitEntry submits the organization's draft on its behalf, with how
// the answers came: a form with problems is shown again with them, and
// answers that something stops go back to the entry page, which says why.
func (s *Server) submitEntry(c *gin.Context) error {
	dc := scopeOf(c)
	f := entryForm{Channel: c.PostForm("channel"), ReceivedOn: strings.TrimSpace(c.PostForm("received_on")),
		ReceivedFrom: strings.TrimSpace(form.CleanText(c.PostForm("received_from")))}
	entry := &forms.OfficeEntry{Channel: f.Channel, ReceivedFrom: f.ReceivedFrom}
	day, dayErr := time.Parse(time.DateOnly, f.ReceivedOn)
	if dayErr == nil {
		entry.ReceivedOn = day
	}
	now := time.Now()
	// The day is the Office's, in the call's zone: today there is not yet tomorrow in UTC.
	y, m, d := now.In(dc.call.Location()).Date()
	err := entry.Validate(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
	var fe *forms.Error
	if err != nil && !errors.As(err, &fe) {
		return err
	}
	if fe != nil || (dayErr != nil && f.ReceivedOn != "") {
		b := s.newBase(c)
		f.Errors = map[string]string{}
		if fe != nil {
			for field, key := range fe.Fields {
				f.Errors[field] = b.T(key)
			}
		}
		if dayErr != nil && f.ReceivedOn != "" {
			f.Errors["received_on"] = b.T("entry.error.date")
		}
		p, err := s.newEntryPage(c, f)
		if err != nil {
			return err
		}
		s.render(c, http.StatusUnprocessableEntity, "entry", p)
		return nil
	}
	req := forms.TransitionRequest{Call: dc.call, Questionnaire: dc.q, Organization: dc.ref, User: s.currentUser(c),
		Transition: forms.TransitionSubmit, At: now, Entry: entry, Actor: s.actor(c)}
	sub, err := s.store.Transition(c.Request.Context(), req)
	switch forms.KindOf(err) {
	case forms.KindInvalid, forms.KindConflict:
		if err != nil {
			s.flash(c, "submission.refused")
			c.Redirect(http.StatusSeeOther, entryURL(dc))
			return nil
		}
	}
	if err != nil {
		return err
	}
	v, _ := sub.Latest()
	c.Redirect(http.StatusSeeOther, "/orgs/"+dc.org.Code+"/calls/"+dc.call.Key+"/receipts/"+strconv.Itoa(v.Number))
	return nil
}
