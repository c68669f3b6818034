package handlers

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"portal/forms"
	"portal/templates/form"
	"portal/templates/views"
	"portal/templates/words"
)

// submissionStore is what the submission pages and the review need: where an
// answer stands, its versions, its comments and its transitions.
type submissionStore interface {
	// Submission says where an organization's answer to a call stands, with its versions.
	Submission(ctx context.Context, call forms.Call, org forms.OrganizationRef) (forms.Submission, error)
	// SubmissionVersion returns a submitted version with its frozen answers; KindNotFound when none.
	SubmissionVersion(ctx context.Context, call forms.Call, org forms.OrganizationRef, n int) (forms.SubmissionVersion, error)
	// SubmissionsOf returns the organization's submission to each call it has a draft for, by call ID.
	SubmissionsOf(ctx context.Context, org forms.OrganizationRef) (map[int64]forms.Submission, error)
	// Transition submits, withdraws, accepts or returns, as forms.Decide allows, in one
	// transaction; submitting refuses answers with blocking findings (KindInvalid).
	Transition(ctx context.Context, r forms.TransitionRequest) (forms.Submission, error)
	// Comments lists the comments on an organization's submission, oldest first.
	Comments(ctx context.Context, call forms.Call, org forms.OrganizationRef) ([]forms.Comment, error)
	// AddComment posts a comment on the latest submitted version, audited.
	AddComment(ctx context.Context, call forms.Call, org forms.OrganizationRef, field, body string, office bool, actor forms.Actor) error
	// CoversOf returns, by call ID, the organization recorded as answering for the State, with its joint receipt.
	CoversOf(ctx context.Context, state forms.OrganizationRef) (map[int64]forms.Cover, error)
}

// The life of a submission, as the organization sees it (its submission
// page, the receipts) and as the Office does (review, response tracking).
// Every change of state goes through one handler, transition, and the
// store's Transition, which decides with forms.Decide.

// maxComment is the length of a comment, in characters.
const maxComment = 4000

type submissionPage struct {
	basePage
	OrgName, OrgCode       string
	CallKey, CallTitle     string
	Mandate, Body          string
	Deadline, TimeLeft     string
	State, StateLabel      string
	Versions               []versionView
	Blocking               []views.Finding
	CanSubmit, CanWithdraw bool
	NoWithdraw             string // why a submission the focal point could otherwise take back cannot be
	Editable, CanComment   bool
	CanEdit                bool // the user may change the organization's answers
	Joint                  bool
	States                 []views.Option // Member States the Office records the organization as answering for, checked
	Covered                string         // that an organization answers this call on the State's behalf
	Comments               []views.Comment
	Comment                textForm // the comment form, with a refused comment kept
	CommentAction          string
	CommentFields          []option
	DraftHref              string
	Refused                string
}

type versionView struct {
	Number                  int
	Reference, At, By, Href string
	Late                    bool
	OnBehalfOf              string
	// Entry says that the Office entered the version on the organization's behalf, and how the answers came.
	Entry string
}

// showSubmission is an organization's page for one call: where its answer
// stands, what stops it from being submitted, its receipts, the comments
// with the Office, and the buttons to submit or withdraw.
func (s *Server) showSubmission(c *gin.Context) error {
	dc := scopeOf(c)
	ctx := c.Request.Context()
	u := s.currentUser(c)
	sub, err := s.store.Submission(ctx, dc.call, dc.ref)
	if err != nil {
		return err
	}
	p := &submissionPage{basePage: s.callBase(c, dc.call), OrgCode: dc.org.Code, CallKey: dc.call.Key}
	s.fillCallHeader(&p.basePage, dc, &p.OrgName, &p.CallTitle, &p.Mandate, &p.Body, &p.Deadline, &p.TimeLeft)
	p.Title = p.CallTitle
	p.State, p.StateLabel = string(sub.State), p.T("submission.state."+string(sub.State))
	p.DraftHref = "/orgs/" + dc.org.Code + "/calls/" + dc.call.Key
	p.Editable = sub.State.Editable()
	p.CanEdit = u.Can(forms.EditDraft, dc.org.ID)
	for _, v := range sub.Versions {
		p.Versions = append(p.Versions, s.versionView(&p.basePage, dc, v))
	}
	now := time.Now()
	_, submitErr := forms.Decide(u, dc.org, dc.call, sub.State, forms.TransitionSubmit, now)
	_, withdrawErr := forms.Decide(u, dc.org, dc.call, sub.State, forms.TransitionWithdraw, now)
	p.CanSubmit, p.CanWithdraw = submitErr == nil, withdrawErr == nil
	if sub.State == forms.Submitted && u.Can(forms.Submit, dc.org.ID) && withdrawErr != nil {
		if dc.call.State != forms.CallOpen {
			p.NoWithdraw = p.T("submission.withdraw.closed")
		} else if dc.call.Late(now) {
			p.NoWithdraw = p.T("submission.withdraw.late")
		}
	}
	p.CanComment = u.Can(forms.EditDraft, dc.org.ID) && len(sub.Versions) > 0
	p.CommentAction = "/orgs/" + dc.org.Code + "/calls/" + dc.call.Key + "/comments"
	if p.Editable {
		d, err := s.store.Draft(ctx, dc.call, dc.ref)
		if err != nil {
			return err
		}
		fs := forms.Assess(dc.q, d.Answers, dc.call.Years).Blocking
		p.Blocking = dc.blockingViews(p.Text, fs)
		p.CanSubmit = p.CanSubmit && len(fs) == 0
	}
	if dc.call.MayAnswerJointly(dc.org) && p.CanSubmit {
		p.Joint = true
		if p.States, err = s.jointChoice(c, &p.basePage, dc); err != nil {
			return err
		}
	}
	if dc.org.Kind == forms.MemberState {
		covers, err := s.store.CoversOf(ctx, dc.ref)
		if err != nil {
			return err
		}
		cv, ok := covers[dc.call.ID]
		p.Covered = coverNotice(&p.basePage, cv, ok)
	}
	if p.Comments, err = s.commentViews(c, &p.basePage, dc, "/orgs/"+dc.org.Code+"/calls/"+dc.call.Key); err != nil {
		return err
	}
	switch c.Query("refused") {
	case "":
	case "joint":
		p.Refused = p.T(forms.JointNotRecorded)
	default:
		p.Refused = p.T("submission.refused")
	}
	p.Comment = s.popKept(c, &p.basePage, submissionURL(dc), "comment")
	s.render(c, http.StatusOK, "submission", p)
	return nil
}

// fillCallHeader writes what every page about a call shows of it.
func (s *Server) fillCallHeader(b *basePage, dc *scope, orgName, title, mandate, body, deadline, left *string) {
	*orgName = dc.org.Name.In(b.Lang)
	*title = dc.call.Title.In(b.Lang)
	*mandate = dc.call.Mandate.In(b.Lang)
	*body = dc.call.Body.In(b.Lang)
	if !dc.call.Deadline.IsZero() {
		*deadline = b.Timestamp(dc.call.Deadline)
		*left = b.Countdown(dc.call.Deadline, time.Now())
	}
}

func (s *Server) versionView(b *basePage, dc *scope, v forms.SubmissionVersion) versionView {
	return versionView{Number: v.Number, Reference: v.Reference, At: b.Timestamp(v.SubmittedAt), By: v.SubmittedBy,
		Late: v.Late, OnBehalfOf: strings.Join(v.OnBehalfOf, ", "), Entry: views.EntryNote(b.Text, dc.org.Name.In(b.Lang), v.Entry),
		Href: "/orgs/" + dc.org.Code + "/calls/" + dc.call.Key + "/receipts/" + strconv.Itoa(v.Number)}
}

// commentViews lists the comments on a submission; those on a field link
// to it, under base (the organization's draft, or the Office's review).
func (s *Server) commentViews(c *gin.Context, b *basePage, dc *scope, base string) ([]views.Comment, error) {
	cs, err := s.store.Comments(c.Request.Context(), dc.call, dc.ref)
	if err != nil {
		return nil, err
	}
	vb := dc.builder(b.Text)
	out := make([]views.Comment, 0, len(cs))
	for _, cm := range cs {
		v := views.Comment{Author: cm.Author, At: b.Timestamp(cm.At), Body: cm.Body, Office: cm.Office, Version: cm.Version,
			OfficeLabel: b.T("comments.office"), Field: cm.Field}
		if cm.Field != "" {
			v.Where = vb.FieldPlace(cm.Field)
			key := cm.Field[2:]
			if ref, ok := forms.ParseCellField(cm.Field); ok {
				key = ref.Question
			}
			if sec := views.SectionOf(dc.q, key); sec != "" && strings.HasPrefix(base, "/orgs/") {
				v.Href = base + "/" + sec + "#" + views.FieldID(cm.Field)
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// submissionURL is the organization's page for its submission to the call;
// reviewURL is the Office's.
func submissionURL(dc *scope) string {
	return "/orgs/" + dc.org.Code + "/calls/" + dc.call.Key + "/submission"
}

func reviewURL(dc *scope) string {
	return "/office/calls/" + dc.call.Key + "/orgs/" + dc.org.Code
}

// codePattern is an organization's code as a form may send it.
var codePattern = regexp.MustCompile(`^[A-Z][A-Z0-9]{1,15}$`)

// transition makes a change of state: the organization's submit and
// withdraw, the Office's accept and return.
func (s *Server) transition(t forms.Transition) handlerFunc {
	return func(c *gin.Context) error {
		dc := scopeOf(c)
		onBehalfOf := onBehalfOfPosted(c)
		back := submissionURL(dc)
		if t.Action() == forms.Review {
			back = reviewURL(dc)
		}
		message := strings.TrimSpace(form.CleanText(c.PostForm("message")))
		if n := utf8.RuneCountInString(message); n > maxComment {
			s.keepText(c, back, "message", keptText{Body: message, Problem: "message.error.long", Length: n})
			c.Redirect(http.StatusSeeOther, back+"#return-message")
			return nil
		}
		req := forms.TransitionRequest{Call: dc.call, Questionnaire: dc.q, Organization: dc.ref, User: s.currentUser(c), Transition: t, At: time.Now(), OnBehalfOf: onBehalfOf, Message: message, Actor: s.actor(c)}
		var fe *forms.Error
		if err := req.Validate(); errors.As(err, &fe) && fe.Fields["message"] != "" {
			s.keepText(c, back, "message", keptText{Problem: fe.Fields["message"]})
			c.Redirect(http.StatusSeeOther, back+"#return-message")
			return nil
		}
		sub, err := s.store.Transition(c.Request.Context(), req)
		switch forms.KindOf(err) {
		case forms.KindInvalid, forms.KindConflict:
			if errors.As(err, &fe) && fe.Fields[forms.JointFieldOnBehalfOf] != "" {
				c.Redirect(http.StatusSeeOther, back+"?refused=joint")
				return nil
			}
			if err != nil {
				c.Redirect(http.StatusSeeOther, back+"?refused=1")
				return nil
			}
		}
		if err != nil {
			return err
		}
		if t == forms.TransitionSubmit {
			v, _ := sub.Latest()
			c.Redirect(http.StatusSeeOther, "/orgs/"+dc.org.Code+"/calls/"+dc.call.Key+"/receipts/"+strconv.Itoa(v.Number))
			return nil
		}
		s.flash(c, "submission.done."+string(t))
		c.Redirect(http.StatusSeeOther, back)
		return nil
	}
}

type receiptPage struct {
	basePage
	OrgName, OrgCode, CallKey, CallTitle, Mandate, Body, Deadline, TimeLeft string
	Version                                                                 versionView
	Checksum                                                                string
}

// showReceipt is the printable receipt of a submitted version.
func (s *Server) showReceipt(c *gin.Context) error {
	dc := scopeOf(c)
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 {
		return forms.Errorf(forms.KindNotFound, "no receipt %q", c.Param("n"))
	}
	sub, err := s.store.Submission(c.Request.Context(), dc.call, dc.ref)
	if err != nil {
		return err
	}
	if n > len(sub.Versions) {
		return forms.Errorf(forms.KindNotFound, "no receipt %d", n)
	}
	v := sub.Versions[n-1]
	p := &receiptPage{basePage: s.callBase(c, dc.call), OrgCode: dc.org.Code, CallKey: dc.call.Key, Checksum: v.Checksum}
	s.fillCallHeader(&p.basePage, dc, &p.OrgName, &p.CallTitle, &p.Mandate, &p.Body, &p.Deadline, &p.TimeLeft)
	p.Version = s.versionView(&p.basePage, dc, v)
	p.Version.At = p.TimestampSeconds(v.SubmittedAt) // a receipt gives the second, once
	p.Title = p.T("receipt.title") + " " + v.Reference
	s.render(c, http.StatusOK, "receipt", p)
	return nil
}

// postOrganizationComment posts a member's comment on the organization's
// submission (those who may edit its answers: the route decides); field,
// when given, names the answer or cell it is about.
func (s *Server) postOrganizationComment(c *gin.Context) error {
	dc := scopeOf(c)
	return s.postComment(c, dc, false, submissionURL(dc))
}

// postOfficeComment posts the Office's comment on the submission under review.
func (s *Server) postOfficeComment(c *gin.Context) error {
	dc := scopeOf(c)
	return s.postComment(c, dc, true, reviewURL(dc))
}

// postComment posts a comment from the form, and returns to back: to the
// form again, with what was typed, when it cannot be posted.
func (s *Server) postComment(c *gin.Context, dc *scope, office bool, back string) error {
	body := strings.TrimSpace(form.CleanText(c.PostForm("body")))
	field := c.PostForm("field")
	n := utf8.RuneCountInString(body)
	problem := ""
	switch {
	case field != "" && !s.knownField(dc, field):
		problem, field = "comment.error.field", ""
	case body == "":
		problem = "comment.error.empty"
	case n > maxComment:
		problem = "comment.error.long"
	}
	if problem != "" {
		s.keepText(c, back, "comment", keptText{Field: field, Body: body, Problem: problem, Length: n})
		c.Redirect(http.StatusSeeOther, back+"#comment-body")
		return nil
	}
	if err := s.store.AddComment(c.Request.Context(), dc.call, dc.ref, field, body, office, s.actor(c)); err != nil {
		return err
	}
	s.flash(c, "comment.posted")
	c.Redirect(http.StatusSeeOther, back+"#comments")
	return nil
}

// knownField reports whether field names a question or a cell of the call's questionnaire.
func (s *Server) knownField(dc *scope, field string) bool {
	for _, sec := range dc.q.Sections {
		if form.SectionFields(dc.q, &sec, dc.call.Years)[field] {
			return true
		}
	}
	return false
}

// blockingViews describes the findings that stop a submission, each
// linked to its place in its section (which then shows the required
// questions it would not yet); a warning says it may be explained.
func (dc *scope) blockingViews(t words.Text, fs []forms.Finding) []views.Finding {
	b := dc.builder(t)
	out := make([]views.Finding, 0, len(fs))
	for i, f := range fs {
		v := views.Finding{ID: "blocking-" + strconv.Itoa(i), Where: b.FindingPlace(f), Message: b.FindingMessage(f)}
		if sec := views.SectionOf(dc.q, f.Question); sec != "" {
			v.Href = dc.sectionURL(sec) + "?check=1#" + views.FindingTarget(f)
		}
		if f.Severity == forms.SeverityWarning {
			v.Message += " " + t.T("submission.explain")
		}
		out = append(out, v)
	}
	return out
}
