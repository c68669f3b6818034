package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"portal/forms"
	"portal/templates/form"
	"portal/templates/views"
	"portal/templates/words"
)

// draftStore is what the draft pages, the workbook and the attached files need.
type draftStore interface {
	// Draft returns an organization's draft for a call (empty, version 0, when none was saved).
	Draft(ctx context.Context, call forms.Call, org forms.OrganizationRef) (forms.Draft, error)
	// SaveDraft saves an edit of a draft, merged with what others saved since
	// its base version; conflicting fields come back in the result, unwritten.
	SaveDraft(ctx context.Context, call forms.Call, org forms.OrganizationRef, e forms.Edit, actor forms.Actor) (forms.SaveResult, error)
	// Attachment returns a file of one of the organization's drafts; KindNotFound otherwise.
	Attachment(ctx context.Context, orgID, id int64) (forms.FileInfo, []byte, error)
}

// A draft is filled one section at a time: /orgs/AUT/calls/<call>/<section>
// shows the section's questions with the draft's answers, its findings at
// their fields and the draft's findings in a summary; posting the page
// saves it (see draftform.go for the form). Analysts see the same pages
// read-only.

// showDraft opens a draft at its first section.
func (s *Server) showDraft(c *gin.Context) error {
	dc := scopeOf(c)
	c.Redirect(http.StatusSeeOther, dc.sectionURL(dc.q.Sections[0].Key))
	return nil
}

// sectionDraft loads the draft of the section's route.
func (s *Server) sectionDraft(c *gin.Context) (*scope, forms.Draft, error) {
	dc := scopeOf(c)
	d, err := s.store.Draft(c.Request.Context(), dc.call, dc.ref)
	return dc, d, err
}

// sectionRoute is the route of a draft's section, which saveSection answers.
const sectionRoute = "/orgs/:code/calls/:call/:section"

// showSection shows one section of a draft: with what keepUnsaved held,
// when there is some, as typed over what is saved, based on the version
// the form was loaded at.
func (s *Server) showSection(c *gin.Context) error {
	dc, d, err := s.sectionDraft(c)
	if err != nil {
		return err
	}
	if s.popUnsaved(c) && s.currentUser(c).Can(forms.EditDraft, dc.org.ID) {
		in := form.ReadSection(c.Request.PostForm, dc.q, dc.section, dc.call.Years, s.newBase(c).Lang)
		p, err := s.newDraftPage(c, dc, d, &in, "")
		if err != nil {
			return err
		}
		if !p.ReadOnly {
			p.DraftVersion, p.Unsaved = in.Edit.Base, true
			s.render(c, http.StatusOK, "draft", p)
			return nil
		}
	}
	p, err := s.newDraftPage(c, dc, d, nil, openCell(c.Query("open"), dc))
	if err != nil {
		return err
	}
	if !p.ReadOnly {
		p.PendingConflicts = len(pendingConflicts(s.keptConflicts(c, dc), d.Answers))
	}
	s.render(c, http.StatusOK, "draft", p)
	return nil
}

// openCell returns field when it names a cell of the section, else "".
func openCell(field string, dc *scope) string {
	ref, ok := forms.ParseCellField(field)
	if !ok || !slices.ContainsFunc(dc.section.Questions, func(q forms.Question) bool { return q.Key == ref.Question }) {
		return ""
	}
	return field
}

// saveSection saves a section's form. Without JavaScript the browser posts
// the form and is sent back to the section (or shown what could not be
// read, or what collided with another person's save); the page's script
// posts the same form to autosave, and is answered in JSON.
func (s *Server) saveSection(c *gin.Context) error {
	dc := scopeOf(c)
	auto := c.GetHeader("X-Autosave") != ""
	if strings.HasPrefix(c.ContentType(), "multipart/form-data") {
		if err := c.Request.ParseMultipartForm(maxFormMemory); err != nil {
			return forms.Wrap(forms.KindInvalid, err, "unreadable form")
		}
	} else if err := c.Request.ParseForm(); err != nil {
		return forms.Wrap(forms.KindInvalid, err, "unreadable form")
	}
	if c.Request.MultipartForm != nil {
		defer c.Request.MultipartForm.RemoveAll()
	}
	// The form ends with a marker: a body cut short (or a request made by
	// hand) that lacks it would blank the fields it does not carry.
	if c.Request.PostForm.Get("end") != "1" {
		return forms.Errorf(forms.KindInvalid, "the form of section %s arrived incomplete", dc.section.Key)
	}
	base := s.newBase(c)
	in := form.ReadSection(c.Request.PostForm, dc.q, dc.section, dc.call.Years, base.Lang)
	form.ReadUploads(c.Request.MultipartForm, dc.section, &in)
	ctx := c.Request.Context()
	res, err := s.saveForm(ctx, dc, &in, s.actor(c))
	if errors.Is(err, forms.ErrSubmitted) {
		// Submitted meanwhile: nothing is written; the page keeps what was typed.
		if auto {
			return &pageError{status: http.StatusConflict, autosave: "locked", title: "error.conflict.title", body: "draft.saved.locked", err: err}
		}
		p, err := s.savedPage(c, dc, &in)
		if err != nil {
			return err
		}
		p.ReadOnly, p.LockedSave = false, true
		s.render(c, http.StatusConflict, "draft", p)
		return nil
	}
	if err != nil {
		return err
	}
	if auto {
		reply := autosaveReply{Status: "saved", Version: res.Version, Message: base.Tf("draft.autosave.saved", map[string]any{"Time": base.Clock(time.Now())})}
		// The fields not saved stay, for the page, at the version they
		// started from: were they moved on, the next autosave would write
		// the user's side of each conflict over the other person's without
		// anyone choosing. The conflicts are kept, as after a Save, until
		// the user chooses.
		for _, cf := range res.Conflicts {
			reply.Unsettled = append(reply.Unsettled, cf.Field)
		}
		for f := range in.Errs {
			reply.Unsettled = append(reply.Unsettled, f)
		}
		slices.Sort(reply.Unsettled)
		switch {
		case len(res.Conflicts) > 0:
			reply.Status, reply.Message = "conflict", base.T("draft.autosave.conflict")
			s.keepConflicts(c, dc, res.Conflicts)
		case len(in.Errs) > 0:
			reply.Status, reply.Message = "invalid", base.Tf("draft.autosave.invalid", map[string]any{"Count": len(in.Errs)})
		}
		c.JSON(http.StatusOK, reply)
		return nil
	}
	if len(in.Errs) == 0 && len(res.Conflicts) == 0 {
		if open := openCell(c.PostForm("open"), dc); open != "" {
			// A cell's details asked for without the script: saved, and back with them open.
			ref, _ := forms.ParseCellField(open)
			c.Redirect(http.StatusSeeOther, dc.sectionURL(dc.section.Key)+"?open="+url.QueryEscape(open)+"#"+views.CellID(ref))
			return nil
		}
		s.flash(c, "draft.saved")
		c.Redirect(http.StatusSeeOther, dc.sectionURL(dc.section.Key))
		return nil
	}
	p, err := s.savedPage(c, dc, &in)
	if err != nil {
		return err
	}
	p.Conflicts = dc.builder(p.Text).Conflicts(res.Conflicts)
	if len(p.Conflicts) > 0 {
		s.keepConflicts(c, dc, res.Conflicts)
		p.Title = p.T("draft.conflict.title")
		s.render(c, http.StatusConflict, "conflict", p)
		return nil
	}
	s.render(c, http.StatusUnprocessableEntity, "draft", p)
	return nil
}

// autosaveReply is the answer to the page script's autosave.
type autosaveReply struct {
	Status string `json:"status"` // saved, conflict, invalid, locked, signedout
	// Version is the draft's version after the save: every field the post
	// covered and that is not Unsettled holds, at that version, what the
	// post sent.
	Version int `json:"version,omitempty"`
	// Unsettled are the fields of the post not saved: in conflict with
	// another person's save, or unreadable.
	Unsettled []string `json:"unsettled,omitempty"`
	Message   string   `json:"message"`
}

// resolveConflicts applies the user's choices on the conflict page: for
// each field, their own content or the one saved by another person.
func (s *Server) resolveConflicts(c *gin.Context) error {
	dc := scopeOf(c)
	ctx := c.Request.Context()
	// A field whose choice is not "mine" keeps what the other person saved.
	e, err := s.postedEdit(c, dc, "mine/", func(f string) bool { return c.PostForm("choice/"+f) == "mine" })
	if err != nil {
		return err
	}
	res, err := s.store.SaveDraft(ctx, dc.call, dc.ref, e, s.actor(c))
	if err != nil {
		return err
	}
	if len(res.Conflicts) > 0 { // someone saved again meanwhile: choose again
		return s.renderConflicts(c, dc, res.Conflicts)
	}
	s.forgetConflicts(c, dc)
	s.flash(c, "draft.saved")
	c.Redirect(http.StatusSeeOther, dc.sectionURL(dc.section.Key))
	return nil
}

// savedPage builds the section's page from the draft as it is now, after a
// save, with in (when set) the form just posted shown as typed where it
// could not be read, and the cell asked for open.
func (s *Server) savedPage(c *gin.Context, dc *scope, in *form.Input) (*draftPage, error) {
	d, err := s.store.Draft(c.Request.Context(), dc.call, dc.ref)
	if err != nil {
		return nil, err
	}
	open := ""
	if in != nil {
		open = openCell(c.PostForm("open"), dc)
	}
	return s.newDraftPage(c, dc, d, in, open)
}

// renderConflicts shows the conflict page for the conflicts of a save:
// each field as another person saved it and as the user wanted it, to choose.
func (s *Server) renderConflicts(c *gin.Context, dc *scope, conflicts []forms.Conflict) error {
	p, err := s.savedPage(c, dc, nil)
	if err != nil {
		return err
	}
	s.keepConflicts(c, dc, conflicts)
	p.Conflicts = dc.builder(p.Text).Conflicts(conflicts)
	p.Title = p.T("draft.conflict.title")
	s.render(c, http.StatusConflict, "conflict", p)
	return nil
}

// showConflicts shows again the conflicts the user left without choosing,
// against the draft as it is now: a field that someone has since made
// what the user wanted is settled, and the others are to choose again.
func (s *Server) showConflicts(c *gin.Context) error {
	dc, d, err := s.sectionDraft(c)
	if err != nil {
		return err
	}
	cs := pendingConflicts(s.keptConflicts(c, dc), d.Answers)
	if len(cs) == 0 {
		s.forgetConflicts(c, dc)
		c.Redirect(http.StatusSeeOther, dc.sectionURL(dc.section.Key))
		return nil
	}
	return s.renderConflicts(c, dc, cs)
}

// pendingConflicts are the kept conflicts that still differ from the draft
// now, with Theirs brought up to date.
func pendingConflicts(kept []forms.Conflict, now forms.Answers) []forms.Conflict {
	var out []forms.Conflict
	for _, k := range kept {
		if k.Theirs = now.Field(k.Field); k.Theirs != k.Mine {
			out = append(out, k)
		}
	}
	return out
}

// Conflicts the user has not chosen on are kept in the session, per
// section, until they choose: leaving the conflict page, by its link or
// any other way, loses nothing typed, and the section says so.
func conflictsKey(dc *scope) string { return "conflicts:" + dc.sectionURL(dc.section.Key) }

func (s *Server) keepConflicts(c *gin.Context, dc *scope, cs []forms.Conflict) {
	s.keep(c, conflictsKey(dc), cs)
}

func (s *Server) keptConflicts(c *gin.Context, dc *scope) []forms.Conflict {
	var cs []forms.Conflict
	s.kept(c, conflictsKey(dc), &cs, false)
	return cs
}

func (s *Server) forgetConflicts(c *gin.Context, dc *scope) {
	if c.GetBool(ctxSession) {
		s.sessions.Remove(c.Request.Context(), conflictsKey(dc))
	}
}

// postedEdit reads an edit that a page carries in hidden fields, as the
// conflict page and the workbook preview do: the base version, and for
// each "field" chosen by keep, its content (as forms.Answers.Field encodes
// it) under prefix+field. A field that is not the questionnaire's, or a
// content that does not decode, is refused with KindInvalid.
func (s *Server) postedEdit(c *gin.Context, dc *scope, prefix string, keep func(field string) bool) (forms.Edit, error) {
	e := forms.Edit{}
	e.Base, _ = strconv.Atoi(c.PostForm("version"))
	for _, f := range c.PostFormArray("field") {
		if !keep(f) {
			continue
		}
		if !s.knownField(dc, f) && forms.FieldKind(f) != 'x' {
			return e, forms.Errorf(forms.KindInvalid, "field %q is not of questionnaire %s", f, dc.q.Key)
		}
		if err := e.Answers.SetField(f, c.PostForm(prefix+f)); err != nil {
			return e, forms.Wrap(forms.KindInvalid, err, "unreadable field")
		}
		e.Fields = append(e.Fields, f)
	}
	return e, nil
}

// sectionFields returns the key of every answer and cell field of a section.
func sectionFields(q *forms.Questionnaire, sec *forms.Section, years []int) map[string]bool {
	out := map[string]bool{}
	for _, qq := range sec.Questions {
		if qq.Table == nil {
			out[forms.AnswerField(qq.Key)] = true
			continue
		}
		for _, row := range qq.Table.Rows {
			for _, y := range years {
				for _, col := range q.Columns(qq.Table) {
					out[forms.CellField(forms.CellRef{Question: qq.Key, Row: row.Key, Year: y, Category: col})] = true
				}
			}
		}
	}
	return out
}

// downloadAttachment sends a file of one of the organization's drafts, as
// a download, never shown inline: its content is the uploader's.
func (s *Server) downloadAttachment(c *gin.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return forms.Errorf(forms.KindNotFound, "no attachment %q", c.Param("id"))
	}
	info, data, err := s.store.Attachment(c.Request.Context(), scopeOf(c).org.ID, id)
	if err != nil {
		return err
	}
	download(c, info.Name, info.ContentType)
	c.Header("Content-Security-Policy", "default-src 'none'; sandbox")
	c.Data(http.StatusOK, info.ContentType, data)
	return nil
}

// actor is the signed-in user as the audit log records them.
func (s *Server) actor(c *gin.Context) forms.Actor {
	u := s.currentUser(c)
	a := forms.Actor{RemoteAddr: c.ClientIP(), RequestID: requestIDOf(c)}
	if u != nil {
		a.UserID, a.Label = u.ID, u.Label()
	}
	return a
}

// The page.

type draftPage struct {
	basePage
	views.Draft
	OrgName   string
	OrgCode   string
	CallTitle string
	QTitle    string
	QVersion  int
	Action    string
	// DraftVersion is the draft's version the page shows.
	DraftVersion int
	ReadOnly     bool
	Locked       bool   // submitted or accepted: nobody may change the answers now
	LockedSave   bool   // this page answers a save refused because the answers were submitted meanwhile
	StateLabel   string // where the submission stands
	// SubmissionHref is the page to check and submit the answers, with the receipts.
	SubmissionHref string
	UpdatedBy      string
	UpdatedAt      string
	Conflicts      []views.Conflict
	// PendingConflicts counts the fields of a save that collided, kept
	// until the user chooses.
	PendingConflicts int
	// Unsaved: the form shows what was posted after the session had
	// ended, not yet saved.
	Unsaved bool
}

// builder builds the views of the scope's questionnaire and call in the page's language.
func (dc *scope) builder(t words.Text) *views.Builder {
	return &views.Builder{Text: t, Q: dc.q, Years: dc.call.Years}
}

// newDraftPage builds the page of a section of draft d; in, when set, is
// the form just posted, shown as typed where it could not be read.
func (s *Server) newDraftPage(c *gin.Context, dc *scope, d forms.Draft, in *form.Input, open string) (*draftPage, error) {
	u := s.currentUser(c)
	p := &draftPage{basePage: s.newBase(c), OrgCode: dc.org.Code, QVersion: dc.q.Version, DraftVersion: d.Version}
	sub, err := s.store.Submission(c.Request.Context(), dc.call, dc.ref)
	if err != nil {
		return nil, err
	}
	p.SubmissionHref = submissionURL(dc)
	p.StateLabel = p.T("submission.state." + string(sub.State))
	p.Locked = !sub.State.Editable()
	var comments map[string][]views.Comment
	if len(sub.Versions) > 0 {
		cvs, err := s.commentViews(c, &p.basePage, dc, "/orgs/"+dc.org.Code+"/calls/"+dc.call.Key)
		if err != nil {
			return nil, err
		}
		comments = map[string][]views.Comment{}
		for _, cv := range cvs {
			if cv.Field == "" || !cv.Office {
				continue
			}
			key := cv.Field[2:]
			if ref, ok := forms.ParseCellField(cv.Field); ok {
				key = ref.Question
			}
			if views.SectionOf(dc.q, key) == dc.section.Key {
				comments[key] = append(comments[key], cv)
			}
		}
	}
	lang := p.Lang
	p.OrgName = dc.org.Name.In(lang)
	p.CallTitle = dc.call.Title.In(lang)
	p.QTitle = dc.q.Title.In(lang)
	p.Title = dc.section.Title.In(lang) + " · " + p.CallTitle
	p.Action = dc.sectionURL(dc.section.Key)
	p.ReadOnly = !u.Can(forms.EditDraft, dc.org.ID) || p.Locked
	if !d.UpdatedAt.IsZero() {
		p.UpdatedBy, p.UpdatedAt = d.UpdatedBy, p.Timestamp(d.UpdatedAt)
	}
	answers := d.Answers
	if in != nil { // what was just typed, over what is saved
		answers = overlay(answers, in.Edit)
	}
	b := dc.builder(p.Text)
	b.OpenCell, b.Layouts = open, &s.layouts
	p.Draft = b.Draft(views.Source{
		Section: dc.section, Draft: d, Answers: answers, Findings: forms.Check(dc.q, answers, dc.call.Years), Input: in,
		SectionURL: dc.sectionURL,
		FileURL:    func(id int64) string { return "/orgs/" + dc.org.Code + "/files/" + strconv.FormatInt(id, 10) },
		FileQuota:  s.draftFileQuota(), Comments: comments,
	})
	return p, nil
}

// overlay returns a with the fields e covers replaced by e's content.
func overlay(a forms.Answers, e forms.Edit) forms.Answers {
	out := forms.Answers{Values: map[string]forms.Answer{}, Cells: make(map[forms.CellRef]forms.Cell, len(a.Cells)), Explanations: map[string]string{}}
	for k, v := range a.Values {
		out.Values[k] = v
	}
	for k, v := range a.Cells {
		out.Cells[k] = v
	}
	for k, v := range a.Explanations {
		out.Explanations[k] = v
	}
	for _, f := range e.Fields {
		_ = out.SetField(f, e.Answers.Field(f)) // Field's encodings always decode
	}
	return out
}
