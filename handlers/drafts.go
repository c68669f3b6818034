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
	// LastSaves says, for each of fields, who last saved it and when (a
	// field never saved is missing).
	LastSaves(ctx context.Context, call forms.Call, org forms.OrganizationRef, fields []string) (map[string]forms.FieldSave, error)
	// FieldsAt returns the content at version of each of fields changed since.
	FieldsAt(ctx context.Context, call forms.Call, org forms.OrganizationRef, version int, fields []string) (map[string]string, error)
	// Attachment returns a file of one of the organization's drafts; KindNotFound otherwise.
	Attachment(ctx context.Context, orgID, id int64) (forms.FileInfo, []byte, error)
}

// A draft is filled one section at a time: /orgs/AUT/calls/<call>/<section>
// shows the section's questions with the draft's answers, its findings at
// their fields and the draft's findings in a summary; posting the page
// saves it (templates/form reads the form). Analysts see the same pages
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
	if s.popUnsaved(c) && dc.mayEdit(s.currentUser(c)) {
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
	base := s.callBase(c, dc.call)
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
		progress, err := s.autosaveProgress(c, dc, base)
		if err != nil {
			return err
		}
		if reply.Status == "saved" && progress.Problems > 0 {
			reply.Message += " " + base.Tn("draft.autosave.problems", progress.Problems, nil)
		}
		reply.Progress = progress
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
	if len(res.Conflicts) > 0 {
		return s.renderConflicts(c, dc, res.Conflicts, nil, nil)
	}
	p, err := s.savedPage(c, dc, &in)
	if err != nil {
		return err
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
	// Progress is the section's findings and the sections' states after
	// the save, for the page to put in place.
	Progress *autosaveProgress `json:"progress,omitempty"`
}

// autosaveProgress is what a save changes on the section's page besides
// the fields: the parts of the page (by element id, as the page's own
// templates render them) that show the findings and the sections' states,
// and the marks of the cells.
type autosaveProgress struct {
	// Version is the draft's version the parts show.
	Version int               `json:"version"`
	Parts   map[string]string `json:"parts"`
	Cells   []views.CellMark  `json:"cells"`
	// Described is what describes each question's field, by question key.
	Described map[string]string `json:"described"`
	Problems  int               `json:"problems"`
}

// autosaveProgress renders the parts of the section's page an autosave
// puts in place, from the draft as saved: its findings and the sections'
// states (not the Office's comments, which a save does not change).
func (s *Server) autosaveProgress(c *gin.Context, dc *scope, base basePage) (*autosaveProgress, error) {
	d, err := s.store.Draft(c.Request.Context(), dc.call, dc.ref)
	if err != nil {
		return nil, err
	}
	p := &draftPage{basePage: base, DraftVersion: d.Version, Draft: s.draftView(base.Text, dc, d, d.Answers, nil, "", false, nil, false)}
	out := &autosaveProgress{Version: p.DraftVersion, Parts: map[string]string{}, Cells: p.Marks, Described: map[string]string{}, Problems: p.Problems}
	if out.Cells == nil {
		out.Cells = []views.CellMark{}
	}
	add := func(id, name string, data any) error {
		html, err := s.fragment("draft", name, data)
		out.Parts[id] = html
		return err
	}
	if err := add("section-list", "section-list", p); err != nil {
		return nil, err
	}
	if err := add("draft-findings", "draft-findings", p); err != nil {
		return nil, err
	}
	for _, q := range p.Section.Questions {
		out.Described[q.Key] = q.Describedby
		if err := add("messages-"+q.Key, "question-messages", q); err != nil {
			return nil, err
		}
		if q.Table != nil {
			if err := add("cell-findings-"+q.Key, "cell-findings", q.Table); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
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
	// Brought are the errors the user's choices on the conflict page
	// would bring, to confirm or change.
	Brought []string
	// PendingConflicts counts the fields of a save that collided, kept
	// until the user chooses.
	PendingConflicts int
	// Unsaved: the form shows what was posted after the session had
	// ended, not yet saved.
	Unsaved bool
	// Returned is the Office's message with a return for clarification,
	// which heads every section until the answers are submitted again.
	Returned *returnNote
	// Entry, on the Office's entry on the organization's behalf, says so on every section.
	Entry string
}

// builder builds the views of the scope's questionnaire and call in the page's language.
func (dc *scope) builder(t words.Text) *views.Builder {
	return &views.Builder{Text: t, Q: dc.q, Years: dc.call.Years}
}

// newDraftPage builds the page of a section of draft d; in, when set, is
// the form just posted, shown as typed where it could not be read.
func (s *Server) newDraftPage(c *gin.Context, dc *scope, d forms.Draft, in *form.Input, open string) (*draftPage, error) {
	u := s.currentUser(c)
	p := &draftPage{basePage: s.callBase(c, dc.call), OrgCode: dc.org.Code, QVersion: dc.q.Version, DraftVersion: d.Version}
	sub, err := s.store.Submission(c.Request.Context(), dc.call, dc.ref)
	if err != nil {
		return nil, err
	}
	p.SubmissionHref = dc.homeURL()
	p.StateLabel = p.T("submission.state." + string(sub.State))
	p.Locked = !sub.State.Editable()
	if p.Returned, err = s.returnNote(c.Request.Context(), &p.basePage, dc.call, dc.ref, sub); err != nil {
		return nil, err
	}
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
	p.ReadOnly = !dc.mayEdit(u) || p.Locked
	if dc.entry {
		p.Entry = p.Tf("entry.banner", map[string]any{"Organization": p.OrgName})
	}
	if !d.UpdatedAt.IsZero() {
		p.UpdatedBy, p.UpdatedAt = d.UpdatedBy, p.Timestamp(d.UpdatedAt)
	}
	answers := d.Answers
	if in != nil { // what was just typed, over what is saved
		answers = overlay(answers, in.Edit)
	}
	p.Draft = s.draftView(p.Text, dc, d, answers, in, open, p.ReadOnly, comments, in != nil || c.Query("check") != "")
	return p, nil
}

// draftView builds the view of the scope's section of draft d showing
// answers; in, open and comments as views.Source has them. The required
// questions not answered are marked with showRequired, or once the section
// has something in it.
func (s *Server) draftView(t words.Text, dc *scope, d forms.Draft, answers forms.Answers, in *form.Input, open string, readOnly bool,
	comments map[string][]views.Comment, showRequired bool) views.Draft {
	b := dc.builder(t)
	b.OpenCell, b.Layouts, b.ReadOnly = open, &s.layouts, readOnly
	progress := forms.Assess(dc.q, answers, dc.call.Years)
	return b.Draft(views.Source{
		Section: dc.section, Draft: d, Answers: answers, Progress: progress, Input: in,
		ShowRequired: showRequired || progress.States[dc.section.Key] != forms.SectionNotStarted,
		SectionURL:   dc.sectionURL,
		FileURL:      func(id int64) string { return "/orgs/" + dc.org.Code + "/files/" + strconv.FormatInt(id, 10) },
		FileQuota:    s.draftFileQuota(), Comments: comments,
	})
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

// maxFormMemory is what a multipart form may hold of its files in memory;
// the rest of them wait in temporary files. Go's reader holds at most
// 10 MB more of the other fields, so a form takes at most 11 MB of memory
// while it is read (the request's body is bounded by limitBody).
const maxFormMemory = 1 << 20

// DefaultDraftFilesMaxBytes is what the files a draft holds may weigh
// together, unless Options.DraftFilesMaxBytes says otherwise.
const DefaultDraftFilesMaxBytes = 100 << 20

func (s *Server) draftFileQuota() int64 {
	if s.opts.DraftFilesMaxBytes > 0 {
		return s.opts.DraftFilesMaxBytes
	}
	return DefaultDraftFilesMaxBytes
}

// saveForm saves a section's form within the draft's file quota. When its
// uploads would take the draft beyond it, the form is saved without them
// and each is reported at its question, so that nothing typed is lost.
func (s *Server) saveForm(ctx context.Context, dc *scope, in *form.Input, actor forms.Actor) (forms.SaveResult, error) {
	quota := s.draftFileQuota()
	in.Edit.FileQuota = quota
	res, err := s.store.SaveDraft(ctx, dc.call, dc.ref, in.Edit, actor)
	if len(in.Edit.Uploads) == 0 || !errors.Is(err, forms.ErrFileQuota) {
		return res, err
	}
	for _, up := range in.Edit.Uploads {
		in.Errs["u/"+up.Question] = form.Problem{ID: "input.file.quota", Data: map[string]any{"Name": up.Name, "MaxMB": quota >> 20}}
	}
	in.Edit.Uploads = nil
	return s.store.SaveDraft(ctx, dc.call, dc.ref, in.Edit, actor)
}
