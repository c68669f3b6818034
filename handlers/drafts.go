package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"portal/forms"
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
		in := readSection(c, dc.q, dc.section, dc.call.Years, s.newBase(c).Lang)
		p, err := s.newDraftPage(c, dc, d, &in, "")
		if err != nil {
			return err
		}
		if !p.ReadOnly {
			p.DraftVersion, p.Unsaved = in.edit.Base, true
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
	in := readSection(c, dc.q, dc.section, dc.call.Years, base.Lang)
	readUploads(c, dc.section, &in)
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
		reply := autosaveReply{Status: "saved", Version: res.Version, Message: base.Tf("draft.autosave.saved", map[string]any{"Time": time.Now().UTC().Format("15:04")})}
		// The fields not saved stay, for the page, at the version they
		// started from: were they moved on, the next autosave would write
		// the user's side of each conflict over the other person's without
		// anyone choosing. The conflicts are kept, as after a Save, until
		// the user chooses.
		for _, cf := range res.Conflicts {
			reply.Unsettled = append(reply.Unsettled, cf.Field)
		}
		for f := range in.errs {
			reply.Unsettled = append(reply.Unsettled, f)
		}
		slices.Sort(reply.Unsettled)
		switch {
		case len(res.Conflicts) > 0:
			reply.Status, reply.Message = "conflict", base.T("draft.autosave.conflict")
			s.keepConflicts(c, dc, res.Conflicts)
		case len(in.errs) > 0:
			reply.Status, reply.Message = "invalid", base.Tf("draft.autosave.invalid", map[string]any{"Count": len(in.errs)})
		}
		c.JSON(http.StatusOK, reply)
		return nil
	}
	if len(in.errs) == 0 && len(res.Conflicts) == 0 {
		if open := openCell(c.PostForm("open"), dc); open != "" {
			// A cell's details asked for without the script: saved, and back with them open.
			ref, _ := forms.ParseCellField(open)
			c.Redirect(http.StatusSeeOther, dc.sectionURL(dc.section.Key)+"?open="+url.QueryEscape(open)+"#"+cellID(ref))
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
	p.Conflicts = s.conflictViews(p, dc, res.Conflicts)
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
func (s *Server) savedPage(c *gin.Context, dc *scope, in *formInput) (*draftPage, error) {
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
	p.Conflicts = s.conflictViews(p, dc, conflicts)
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
	OrgName    string
	OrgCode    string
	CallTitle  string
	QTitle     string
	QVersion   int
	Sections   []sectionLink
	Section    sectionView
	Prev, Next *sectionLink
	Action     string
	// DraftVersion is the draft's version the page shows.
	DraftVersion int
	Multipart    bool
	ReadOnly     bool
	Locked       bool   // submitted or accepted: nobody may change the answers now
	LockedSave   bool   // this page answers a save refused because the answers were submitted meanwhile
	StateLabel   string // where the submission stands
	// SubmissionHref is the page to check and submit the answers, with the receipts.
	SubmissionHref string
	UpdatedBy      string
	UpdatedAt      string
	Errors         []findingView // every error of the draft, this section's first
	Warnings       []findingView // every warning, explained or not
	Missing        []findingView // required questions not answered yet
	Unreadable     []findingView // inputs of this form that could not be read
	Conflicts      []conflictView
	// PendingConflicts counts the fields of a save that collided, kept
	// until the user chooses.
	PendingConflicts int
	// Unsaved: the form shows what was posted after the session had
	// ended, not yet saved.
	Unsaved  bool
	CellText cellTexts // the words every cell of the section's tables repeats
	// OpenCell is the field of the cell whose details panel the user asked
	// for without the script (the script opens panels in place).
	OpenCell  string
	HasTables bool
}

// cellTexts are the words every cell of a table repeats, looked up in the
// catalogue once a page rather than once a cell: a page of tables has
// hundreds of cells.
type cellTexts struct {
	State, Value, NA, NAShort, NAP, NAPShort, Note string
	Flags                                          []string // in the order of cellFlagNames
	// moreBefore and moreAfter surround a cell's label in "cell.more".
	moreBefore, moreAfter string
}

func newCellTexts(p *draftPage) cellTexts {
	t := cellTexts{
		State: p.T("cell.state"), Value: p.T("cell.state.value"), Note: p.T("cell.note"),
		NA: p.T("cell.state.na"), NAShort: p.T("cell.state.na.short"),
		NAP: p.T("cell.state.nap"), NAPShort: p.T("cell.state.nap.short"),
	}
	for _, fl := range cellFlagNames {
		t.Flags = append(t.Flags, p.T("cell.flag."+fl.name))
	}
	const mark = "\x00"
	t.moreBefore, t.moreAfter, _ = strings.Cut(p.Tf("cell.more", map[string]any{"Label": mark}), mark)
	return t
}

type sectionLink struct {
	Key, Title, Href  string
	State, StateLabel string
	Current           bool
}

type sectionView struct {
	Key, Title, Help string
	Questions        []*questionView
}

type questionView struct {
	Key, Kind, ID, Name string
	Label, Help         string
	Required            bool
	Describedby         string
	Error               string        // what could not be read, at the field
	Findings            []findingView // findings on the question (not its cells)
	Comments            []commentView // the Office's comments on the question or its cells

	Text      string // narrative; the other text of a choice
	MaxLength int
	Length    int
	Options   []optionView
	Other     bool
	Bool      string // "yes", "no", ""
	Value     string // date, number (as typed or formatted)
	Unit      string
	Files     []fileView
	Accept    string
	MaxMB     int64
	MaxFiles  int   // files one save may carry
	QuotaMB   int64 // what the draft's files may weigh together
	Table     *tableView
}

type optionView struct {
	Value, Label, ID string
	Checked          bool
}

type fileView struct {
	ID                int64
	Name, Href, Size  string
	UploadedBy, Where string
}

type tableView struct {
	Caption string
	Unit    string
	Years   []yearHead
	Cols    []colHead // per year, in order
	Rows    []*rowView
	// Warnings are the warnings on the table's cells, each with its explanation box.
	Warnings []findingView
	Errors   []findingView
}

type yearHead struct {
	Year int
	ID   string
	Span int
}

type colHead struct {
	ID, Label string
	Total     bool
}

type rowView struct {
	ID, Label, ICCS string
	Part            bool
	Cells           []*cellView
}

type cellView struct {
	ID, Name, Rest     string // input id, the value field's name, and the key for s/, n/, f/
	Headers            string
	Label              string // "Homicide, 2023, Male"
	More               string // the details button's name: "Status, note and flags: Homicide, 2023, Male"
	Value              string
	State              string // "", "na", "nap"
	Note               string
	Flags              []flagView
	Marker             string // what the details button shows
	Invalid, Warned    bool
	Describedby        string
	Error              string
	DetailsOpen, Total bool
	// Panel: the cell's details (state, note, flags) are on the page: it
	// has some, or an error, or was asked for. Other cells have a button that
	// asks for them, so that a page of hundreds of cells stays light.
	Panel bool
}

type flagView struct {
	Value, Label string
	Checked      bool
}

type findingView struct {
	Key                                 string
	Where                               string // the question, and for a cell its row, year and column
	Message                             string
	Href                                string
	ID                                  string // the message's element id, for aria-describedby
	Warning                             bool
	ExplainName, Explanation, ExplainID string
	ExplainLabel, ExplainError          string
}

type conflictView struct {
	Field              string
	Where              string
	Theirs, Mine, Base string
	MineEncoded        string
	ID                 string
}

// newDraftPage builds the page of a section of draft d; in, when set, is
// the form just posted, shown as typed where it could not be read.
func (s *Server) newDraftPage(c *gin.Context, dc *scope, d forms.Draft, in *formInput, open string) (*draftPage, error) {
	u := s.currentUser(c)
	p := &draftPage{basePage: s.newBase(c), OrgCode: dc.org.Code, QVersion: dc.q.Version, DraftVersion: d.Version, OpenCell: open}
	sub, err := s.store.Submission(c.Request.Context(), dc.call, dc.ref)
	if err != nil {
		return nil, err
	}
	p.SubmissionHref = "/orgs/" + dc.org.Code + "/calls/" + dc.call.Key + "/submission"
	p.StateLabel = p.T("submission.state." + string(sub.State))
	p.Locked = !sub.State.Editable()
	var comments map[string][]commentView
	if len(sub.Versions) > 0 {
		cvs, err := s.commentViews(c, &p.basePage, dc, "/orgs/"+dc.org.Code+"/calls/"+dc.call.Key)
		if err != nil {
			return nil, err
		}
		comments = map[string][]commentView{}
		for _, cv := range cvs {
			if cv.Field == "" || !cv.Office {
				continue
			}
			key := cv.Field[2:]
			if ref, ok := forms.ParseCellField(cv.Field); ok {
				key = ref.Question
			}
			if sectionOf(dc.q, key) == dc.section.Key {
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
		p.UpdatedBy, p.UpdatedAt = d.UpdatedBy, d.UpdatedAt.UTC().Format("2006-01-02 15:04 UTC")
	}

	answers := d.Answers
	if in != nil { // what was just typed, over what is saved
		answers = overlay(answers, in.edit)
	}
	findings := forms.Check(dc.q, answers, dc.call.Years)
	states := forms.SectionStates(dc.q, answers, findings)
	for _, sec := range dc.q.Sections {
		l := sectionLink{Key: sec.Key, Title: sec.Title.In(lang), Href: dc.sectionURL(sec.Key), State: string(states[sec.Key]), Current: sec.Key == dc.section.Key}
		l.StateLabel = p.T("section.state." + l.State)
		p.Sections = append(p.Sections, l)
	}
	for i := range p.Sections {
		if p.Sections[i].Current && i+1 < len(p.Sections) {
			p.Next = &sectionLink{Key: p.Sections[i+1].Key, Title: p.Sections[i+1].Title, Href: p.Sections[i+1].Href}
		}
		if p.Sections[i].Current && i > 0 {
			prev := p.Sections[i-1]
			p.Prev = &prev
		}
	}

	fv := s.newFindingViews(p, dc, findings, answers, in)
	if slices.ContainsFunc(dc.section.Questions, func(q forms.Question) bool { return q.Kind == forms.StatTable }) {
		p.CellText = newCellTexts(p)
	}
	p.Section = sectionView{Key: dc.section.Key, Title: dc.section.Title.In(lang), Help: dc.section.Help.In(lang)}
	for i := range dc.section.Questions {
		qq := &dc.section.Questions[i]
		v := s.questionView(p, dc, d, answers, qq, fv, in)
		v.Comments = comments[qq.Key]
		p.Section.Questions = append(p.Section.Questions, v)
		if qq.Kind == forms.Attachment {
			p.Multipart = true
		}
		if qq.Kind == forms.StatTable {
			p.HasTables = true
		}
	}
	// The summary: this section's findings first, then the others'.
	inSection := map[string]bool{}
	for _, qq := range dc.section.Questions {
		inSection[qq.Key] = true
	}
	for _, pass := range []bool{true, false} {
		for _, f := range fv.all {
			if inSection[f.question] != pass {
				continue
			}
			switch {
			case f.required:
				p.Missing = append(p.Missing, f.view)
			case f.view.Warning:
				p.Warnings = append(p.Warnings, f.view)
			default:
				p.Errors = append(p.Errors, f.view)
			}
		}
	}
	if in != nil {
		p.Unreadable = fv.unreadable
	}
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

// placedFinding is a finding's view with where it belongs on the page.
type placedFinding struct {
	required bool // a required question not answered yet
	question string
	field    string // the cell's field key, or "" for the question
	view     findingView
}

type findingViews struct {
	all        []placedFinding
	byQuestion map[string][]findingView
	byCell     map[string][]findingView
	unreadable []findingView
	inputErr   map[string]string // field → message
}

func (s *Server) newFindingViews(p *draftPage, dc *scope, fs []forms.Finding, a forms.Answers, in *formInput) findingViews {
	fv := findingViews{byQuestion: map[string][]findingView{}, byCell: map[string][]findingView{}, inputErr: map[string]string{}}
	for i, f := range fs {
		v := findingView{Key: f.Key, Warning: f.Severity == forms.SeverityWarning, ID: "finding-" + strconv.Itoa(i)}
		v.Where = s.findingPlace(p, dc.q, f)
		v.Message = s.findingMessage(p, dc.q, f)
		target := "q-" + f.Question
		field := ""
		if f.Row != "" {
			ref := forms.CellRef{Question: f.Question, Row: f.Row, Year: f.Year, Category: f.Category}
			field = forms.CellField(ref)
			target = cellID(ref)
		}
		if v.Warning {
			v.ExplainName = "x/" + f.Key
			v.ExplainID = "explain-" + strconv.Itoa(i)
			v.ExplainLabel = p.T("finding.explain")
			v.Explanation = a.Explanations[f.Key]
			target = v.ExplainID
			if in != nil {
				if e, ok := in.errs[forms.ExplanationField(f.Key)]; ok {
					v.ExplainError = p.Tf(e.id, e.data)
					v.Explanation = in.typed[forms.ExplanationField(f.Key)]
				}
			}
		}
		v.Href = "#" + target
		if !slices.ContainsFunc(dc.section.Questions, func(q forms.Question) bool { return q.Key == f.Question }) {
			if sec := sectionOf(dc.q, f.Question); sec != "" {
				v.Href = dc.sectionURL(sec) + "#" + target
			}
		}
		fv.all = append(fv.all, placedFinding{required: f.Kind == forms.RuleRequired, question: f.Question, field: field, view: v})
		if field != "" {
			fv.byCell[field] = append(fv.byCell[field], v)
		} else {
			fv.byQuestion[f.Question] = append(fv.byQuestion[f.Question], v)
		}
	}
	if in != nil {
		keys := make([]string, 0, len(in.errs))
		for k := range in.errs {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			e := in.errs[k]
			msg := p.Tf(e.id, e.data)
			fv.inputErr[k] = msg
			v := findingView{Key: k, Message: msg, Href: "#" + fieldID(k), Where: s.fieldPlace(p, dc.q, k)}
			fv.unreadable = append(fv.unreadable, v)
		}
	}
	return fv
}

// sectionOf returns the key of the section holding the question.
func sectionOf(q *forms.Questionnaire, question string) string {
	for _, sec := range q.Sections {
		for _, qq := range sec.Questions {
			if qq.Key == question {
				return sec.Key
			}
		}
	}
	return ""
}

// cellID is the id of a cell's input on the page.
func cellID(r forms.CellRef) string {
	return "cell-" + r.Question + "-" + r.Row + "-" + strconv.Itoa(r.Year) + "-" + r.Category
}

// fieldID is the id of the input of a field key (as readSection names errors).
func fieldID(field string) string {
	if ref, ok := forms.ParseCellField(field); ok {
		return cellID(ref)
	}
	if k, ok := strings.CutPrefix(field, "q/"); ok {
		return "q-" + k
	}
	if k, ok := strings.CutPrefix(field, "u/"); ok {
		return "u-" + k
	}
	return "summary"
}

// fieldPlace names a field for a person: the question, and a cell's row, year and column.
func (s *Server) fieldPlace(p *draftPage, q *forms.Questionnaire, field string) string {
	if ref, ok := forms.ParseCellField(field); ok {
		return s.findingPlace(p, q, forms.Finding{Question: ref.Question, Row: ref.Row, Year: ref.Year, Category: ref.Category})
	}
	key := field
	if i := strings.IndexByte(field, '/'); i >= 0 {
		key = field[i+1:]
	}
	if qq, ok := q.Question(key); ok {
		return qq.Label.In(p.Lang)
	}
	return ""
}

// findingPlace names where a finding is: the question's label, and for a
// cell its row, year and column in the user's language.
func (s *Server) findingPlace(p *draftPage, q *forms.Questionnaire, f forms.Finding) string {
	qq, ok := q.Question(f.Question)
	if !ok {
		return f.Question
	}
	label := qq.Label.In(p.Lang)
	if f.Row == "" || qq.Table == nil {
		return label
	}
	return label + " — " + cellLabel(p, q, qq, f.Row, f.Year, f.Category)
}

// cellLabel is "Homicide, 2023, Male" in the page's language.
func cellLabel(p *draftPage, q *forms.Questionnaire, qq *forms.Question, row string, year int, cat string) string {
	rowLabel := row
	for _, r := range qq.Table.Rows {
		if r.Key == row {
			rowLabel = r.Label.In(p.Lang)
		}
	}
	return rowLabel + ", " + strconv.Itoa(year) + ", " + categoryLabel(p, q, qq.Table, cat)
}

func categoryLabel(p *draftPage, q *forms.Questionnaire, t *forms.Table, cat string) string {
	if cat == forms.TotalCategory {
		return p.T("table.total")
	}
	if t.Disaggregation != "" {
		for _, o := range q.Disaggregations[t.Disaggregation].Categories {
			if o.Key == cat {
				return o.Label.In(p.Lang)
			}
		}
	}
	return cat
}

// findingMessage is what a finding says, in the page's language: the
// rule's own message from the definition, or the catalogue's for its kind,
// with the figures written as the language writes them.
func (s *Server) findingMessage(p *draftPage, q *forms.Questionnaire, f forms.Finding) string {
	args := map[string]any{}
	for k, v := range f.Args {
		switch x := v.(type) {
		case int64:
			args[k] = forms.FormatCount(x, p.Lang)
		case int:
			args[k] = forms.FormatCount(int64(x), p.Lang)
		case float64:
			args[k] = strconv.FormatFloat(x, 'f', -1, 64)
		case []string:
			args[k] = strings.Join(x, ", ")
		default:
			args[k] = fmt.Sprint(x)
		}
	}
	args["Year"] = strconv.Itoa(f.Year)
	if qq, ok := q.Question(f.Question); ok && qq.Table != nil {
		for _, r := range qq.Table.Rows {
			if r.Key == f.Row {
				args["Row"] = r.Label.In(p.Lang)
			}
		}
		args["Category"] = categoryLabel(p, q, qq.Table, f.Category)
	}
	if msg := f.Message.In(p.Lang); msg != "" {
		for k, v := range args {
			msg = strings.ReplaceAll(msg, "{{."+k+"}}", fmt.Sprint(v))
		}
		return msg
	}
	id := "rule." + string(f.Kind)
	switch f.Kind {
	case forms.RuleInvalid:
		id += "." + fmt.Sprint(f.Args["Reason"])
	case forms.RuleRange:
		_, lo := f.Args["Min"]
		_, hi := f.Args["Max"]
		switch {
		case lo && hi:
			id += ".between"
		case lo:
			id += ".min"
		default:
			id += ".max"
		}
	case forms.RuleYearChange:
		if _, ok := f.Args["Share"]; !ok {
			id += ".fromzero"
		}
	}
	return p.Tf(id, args)
}

// questionView builds the view of one question with its answer.
func (s *Server) questionView(p *draftPage, dc *scope, d forms.Draft, a forms.Answers, qq *forms.Question, fv findingViews, in *formInput) *questionView {
	lang := p.Lang
	field := forms.AnswerField(qq.Key)
	v := &questionView{Key: qq.Key, Kind: string(qq.Kind), ID: "q-" + qq.Key, Name: field,
		Label: qq.Label.In(lang), Help: qq.Help.In(lang), Required: qq.Required, Unit: qq.Unit.In(lang)}
	v.Findings = fv.byQuestion[qq.Key]
	v.Error = fv.inputErr[field]
	if msg := fv.inputErr["u/"+qq.Key]; msg != "" {
		v.Error = msg
	}
	var ids []string
	if v.Help != "" {
		ids = append(ids, v.ID+"-help")
	}
	if v.Error != "" {
		ids = append(ids, v.ID+"-error")
	}
	for _, f := range v.Findings {
		ids = append(ids, f.ID)
	}
	ans := a.Values[qq.Key]
	switch qq.Kind {
	case forms.Narrative:
		v.Text = ans.Text
		v.MaxLength = qq.MaxLength
		if v.MaxLength <= 0 {
			v.MaxLength = 10000
		}
		v.Length = utf8.RuneCountInString(ans.Text)
		ids = append(ids, v.ID+"-count")
	case forms.SingleChoice, forms.MultipleChoice:
		for _, o := range qq.Options {
			v.Options = append(v.Options, optionView{Value: o.Key, Label: o.Label.In(lang), ID: v.ID + "-" + o.Key, Checked: slices.Contains(ans.Choices, o.Key)})
		}
		if qq.Other {
			v.Other = true
			v.Options = append(v.Options, optionView{Value: "other", Label: p.T("question.other"), ID: v.ID + "-other", Checked: slices.Contains(ans.Choices, "other")})
		}
		v.Text = ans.Text
	case forms.YesNo:
		if ans.Bool != nil {
			v.Bool = map[bool]string{true: "yes", false: "no"}[*ans.Bool]
		}
	case forms.Date:
		v.Value = ans.Date
	case forms.Number:
		if ans.Number != nil {
			x := *ans.Number
			if x == float64(int64(x)) && x >= 0 {
				v.Value = forms.FormatCount(int64(x), lang)
			} else {
				v.Value = strconv.FormatFloat(x, 'f', -1, 64)
			}
		}
		if in != nil && v.Error != "" {
			v.Value = in.typed[field]
		}
	case forms.Attachment:
		v.Accept = strings.Join(qq.Accept, ",")
		v.MaxMB = qq.MaxBytes >> 20
		if v.MaxMB == 0 {
			v.MaxMB = 10
		}
		v.MaxFiles, v.QuotaMB = maxFilesPerSave, s.draftFileQuota()>>20
		for _, id := range ans.Files {
			info, ok := d.Files[id]
			if !ok {
				continue
			}
			v.Files = append(v.Files, fileView{ID: id, Name: info.Name, Href: "/orgs/" + dc.org.Code + "/files/" + strconv.FormatInt(id, 10),
				Size: humanSize(info.Size, lang), UploadedBy: info.UploadedBy})
		}
	case forms.StatTable:
		v.Table = s.tableView(p, dc, a, qq, fv, in)
	}
	v.Describedby = strings.Join(ids, " ")
	return v
}

// humanSize writes a file size in KB or MB.
func humanSize(n int64, l forms.Language) string {
	if n < 1<<20 {
		return forms.FormatCount((n+1023)>>10, l) + " KB"
	}
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
}

// tableView lays out a statistical table: a row per indicator, and for
// each year the disaggregation's categories and the total.
func (s *Server) tableView(p *draftPage, dc *scope, a forms.Answers, qq *forms.Question, fv findingViews, in *formInput) *tableView {
	lang := p.Lang
	q := dc.q
	cols := q.Columns(qq.Table)
	t := &tableView{Caption: qq.Label.In(lang), Unit: qq.Unit.In(lang)}
	for _, y := range dc.call.Years {
		yid := "h-" + qq.Key + "-" + strconv.Itoa(y)
		t.Years = append(t.Years, yearHead{Year: y, ID: yid, Span: len(cols)})
		for _, col := range cols {
			t.Cols = append(t.Cols, colHead{ID: yid + "-" + col, Label: categoryLabel(p, q, qq.Table, col), Total: col == forms.TotalCategory})
		}
	}
	for _, row := range qq.Table.Rows {
		rv := &rowView{ID: "h-" + qq.Key + "-r-" + row.Key, Label: row.Label.In(lang), ICCS: row.ICCS, Part: row.PartOf != ""}
		ci := 0
		for _, y := range dc.call.Years {
			for _, col := range cols {
				ref := forms.CellRef{Question: qq.Key, Row: row.Key, Year: y, Category: col}
				field := forms.CellField(ref)
				cell := a.Cells[ref]
				cv := &cellView{ID: cellID(ref), Name: field, Rest: field[2:], Note: cell.Note,
					Headers: rv.ID + " " + t.Years[ci/len(cols)].ID + " " + t.Cols[ci].ID,
					Label:   rv.Label + ", " + strconv.Itoa(y) + ", " + t.Cols[ci].Label, Total: col == forms.TotalCategory}
				cv.More = p.CellText.moreBefore + cv.Label + p.CellText.moreAfter
				ci++
				switch cell.State {
				case forms.CellValue:
					cv.Value = forms.FormatCount(cell.Value, lang)
				case forms.CellNotAvailable:
					cv.State, cv.Marker = formNotAvailable, p.CellText.NAShort
				case forms.CellNotApplicable:
					cv.State, cv.Marker = formNotApplicable, p.CellText.NAPShort
				}
				if cv.Marker == "" && (cell.Note != "" || cell.Flags != 0) {
					cv.Marker = "*"
				}
				var ids []string
				if msg, bad := fv.inputErr[field]; bad {
					cv.Invalid, cv.Error, cv.DetailsOpen = true, msg, true
					cv.Value = in.typed[field]
					ids = append(ids, cv.ID+"-error")
				}
				if field == p.OpenCell {
					cv.DetailsOpen = true
				}
				cv.Panel = cv.Marker != "" || cv.DetailsOpen
				if cv.Panel {
					for i, fl := range cellFlagNames {
						cv.Flags = append(cv.Flags, flagView{Value: fl.name, Label: p.CellText.Flags[i], Checked: cell.Flags&fl.flag != 0})
					}
				}
				for _, f := range fv.byCell[field] {
					ids = append(ids, f.ID)
					if f.Warning {
						cv.Warned = true
						t.Warnings = append(t.Warnings, f)
					} else {
						cv.Invalid = true
						t.Errors = append(t.Errors, f)
					}
				}
				cv.Describedby = strings.Join(ids, " ")
				rv.Cells = append(rv.Cells, cv)
			}
		}
		t.Rows = append(t.Rows, rv)
	}
	return t
}

// conflictViews describes the conflicts of a save for the user to decide.
func (s *Server) conflictViews(p *draftPage, dc *scope, cs []forms.Conflict) []conflictView {
	out := make([]conflictView, 0, len(cs))
	for i, c := range cs {
		out = append(out, conflictView{
			Field: c.Field, ID: "conflict-" + strconv.Itoa(i),
			Where:       s.fieldPlace(p, dc.q, c.Field),
			Theirs:      describeField(p, dc.q, c.Field, c.Theirs),
			Mine:        describeField(p, dc.q, c.Field, c.Mine),
			Base:        describeField(p, dc.q, c.Field, c.Base),
			MineEncoded: c.Mine,
		})
	}
	return out
}

// describeField writes a field's content (as forms.Answers.Field encodes
// it) for a person: a figure, "not available", a text, the options chosen.
func describeField(p *draftPage, q *forms.Questionnaire, field, enc string) string {
	if enc == "" {
		return p.T("conflict.empty")
	}
	var a forms.Answers
	if err := a.SetField(field, enc); err != nil {
		return enc
	}
	if ref, ok := forms.ParseCellField(field); ok {
		c := a.Cells[ref]
		var parts []string
		switch c.State {
		case forms.CellValue:
			parts = append(parts, forms.FormatCount(c.Value, p.Lang))
		case forms.CellNotAvailable:
			parts = append(parts, p.T("cell.state.na"))
		case forms.CellNotApplicable:
			parts = append(parts, p.T("cell.state.nap"))
		default:
			parts = append(parts, p.T("conflict.empty"))
		}
		for _, fl := range cellFlagNames {
			if c.Flags&fl.flag != 0 {
				parts = append(parts, p.T("cell.flag."+fl.name))
			}
		}
		if c.Note != "" {
			parts = append(parts, p.Tf("conflict.note", map[string]any{"Note": c.Note}))
		}
		return strings.Join(parts, "; ")
	}
	if k, ok := strings.CutPrefix(field, "x/"); ok {
		return a.Explanations[k]
	}
	key := field[2:]
	ans := a.Values[key]
	qq, ok := q.Question(key)
	if !ok {
		return enc
	}
	switch qq.Kind {
	case forms.SingleChoice, forms.MultipleChoice:
		var labels []string
		for _, ch := range ans.Choices {
			l := ch
			for _, o := range qq.Options {
				if o.Key == ch {
					l = o.Label.In(p.Lang)
				}
			}
			if ch == "other" {
				l = p.T("question.other") + ": " + ans.Text
			}
			labels = append(labels, l)
		}
		return strings.Join(labels, "; ")
	case forms.YesNo:
		if ans.Bool != nil && *ans.Bool {
			return p.T("question.yes")
		}
		return p.T("question.no")
	case forms.Date:
		return ans.Date
	case forms.Number:
		if ans.Number != nil {
			return strconv.FormatFloat(*ans.Number, 'f', -1, 64)
		}
	case forms.Attachment:
		return p.Tf("conflict.files", map[string]any{"Count": len(ans.Files)})
	}
	return ans.Text
}
