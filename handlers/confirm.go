package handlers

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"portal/forms"
	"portal/templates/views"
)

// Submitting is two steps: the submission page's "Review and submit"
// leads to a page that shows the answers in short, section by section
// (the sections with nothing answered called out), and what the receipt
// will say; its button submits (transition). Answers that something
// stops, or that are no longer a draft, send the user back to the
// submission page, which says why.

type confirmPage struct {
	basePage
	OrgName, OrgCode, CallKey, CallTitle string
	Mandate, Body, Deadline, TimeLeft    string
	Summary                              views.Summary
	// What the receipt will say.
	Reference, By  string
	Late           bool
	Joint          bool
	States         []views.Option
	SubmissionHref string
}

// showConfirm is the page before submitting.
func (s *Server) showConfirm(c *gin.Context) error {
	dc := scopeOf(c)
	ctx := c.Request.Context()
	u := s.currentUser(c)
	sub, err := s.store.Submission(ctx, dc.call, dc.ref)
	if err != nil {
		return err
	}
	now := time.Now()
	if _, err := forms.Decide(u, dc.org, dc.call, sub.State, forms.TransitionSubmit, now); err != nil {
		c.Redirect(http.StatusSeeOther, submissionURL(dc))
		return nil
	}
	d, err := s.store.Draft(ctx, dc.call, dc.ref)
	if err != nil {
		return err
	}
	pr := forms.Assess(dc.q, d.Answers, dc.call.Years)
	if !pr.Ready() {
		c.Redirect(http.StatusSeeOther, submissionURL(dc)+"#check-heading")
		return nil
	}
	p := &confirmPage{basePage: s.callBase(c, dc.call), OrgCode: dc.org.Code, CallKey: dc.call.Key, SubmissionHref: submissionURL(dc)}
	s.fillCallHeader(&p.basePage, dc, &p.OrgName, &p.CallTitle, &p.Mandate, &p.Body, &p.Deadline, &p.TimeLeft)
	p.Title = p.T("confirm.title") + " · " + p.CallTitle
	p.Summary = dc.builder(p.Text).Summarize(d.Answers, pr, dc.sectionURL)
	p.Reference = forms.Reference(dc.call, dc.org.Code, len(sub.Versions)+1)
	p.By = s.actor(c).Label
	p.Late = dc.call.Late(now) && sub.State != forms.Returned
	if dc.call.MayAnswerJointly(dc.org) {
		p.Joint = true
		if p.States, err = s.jointChoice(c, &p.basePage, dc); err != nil {
			return err
		}
	}
	s.render(c, http.StatusOK, "confirm", p)
	return nil
}
