package handlers

import (
	"bytes"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"portal/forms"
	"portal/forms/workbook"
	"portal/templates/form"
)

// The Excel round trip: a draft downloaded as a workbook, filled offline,
// uploaded back. An upload is read in full first; its problems are shown
// with their sheet and cell, or else what it would change in the draft, and
// only a confirmation saves it, as one save with the usual merge rules.

// DefaultWorkbookMaxBytes is the largest workbook an upload may be.
const DefaultWorkbookMaxBytes = 10 << 20

// How many uploaded workbooks and tables are read at once: reading one
// takes a core and tens of megabytes for a second or so.
const (
	uploadsAtOnce        = 2 // in the whole portal
	uploadsAtOnceForUser = 1
)

// uploadGate bounds the uploads read at once, in the portal and for each
// user. It never queues: an upload beyond the limit is refused at once,
// with a page asking to try again in a moment.
type uploadGate struct {
	mu    sync.Mutex
	max   int           // uploads read at once in the portal
	n     int           // uploads being read
	users map[int64]int // uploads being read, by user
}

func newUploadGate(max int) *uploadGate {
	return &uploadGate{max: max, users: map[int64]int{}}
}

// enter lets an upload of user in, or says false; done ends it.
func (g *uploadGate) enter(user int64) (done func(), ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.n >= g.max || g.users[user] >= uploadsAtOnceForUser {
		return nil, false
	}
	g.n++
	g.users[user]++
	return func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.n--
		if g.users[user]--; g.users[user] <= 0 {
			delete(g.users, user)
		}
	}, true
}

// enterUpload lets the current user's upload in, or answers 503 with a page
// that asks to try again in a moment, and says false.
func (s *Server) enterUpload(c *gin.Context) (func(), bool) {
	var user int64
	if u := s.currentUser(c); u != nil {
		user = u.ID
	}
	done, ok := s.uploads.enter(user)
	if !ok {
		p := messagePage{basePage: s.newBase(c)}
		p.Heading = p.T("upload.busy.title")
		p.Title, p.Body = p.Heading, p.T("upload.busy.body")
		c.Header("Retry-After", "5")
		s.render(c, http.StatusServiceUnavailable, "message", &p)
	}
	return done, ok
}

// downloadWorkbook sends the call's questionnaire as a workbook filled with
// the organization's draft, in the page's language.
func (s *Server) downloadWorkbook(c *gin.Context) error {
	dc := scopeOf(c)
	d, err := s.store.Draft(c.Request.Context(), dc.call, dc.ref)
	if err != nil {
		return err
	}
	lang := languageOf(c.Request)
	// The warnings on the draft travel with it, to be explained offline.
	b := dc.builder(s.pages.cat.Text(lang))
	var warnings []workbook.Warning
	for _, f := range forms.Check(dc.q, d.Answers, dc.call.Years) {
		if f.Severity == forms.SeverityWarning {
			warnings = append(warnings, workbook.Warning{Key: f.Key, Where: b.FindingPlace(f), Message: b.FindingMessage(f)})
		}
	}
	var buf bytes.Buffer
	if err := workbook.Write(&buf, workbook.Options{Questionnaire: dc.q, Years: dc.call.Years, Lang: lang,
		Org: dc.org.Code, OrgName: dc.org.Name.In(lang), Call: dc.call.Key, Title: dc.call.Title.In(lang),
		Answers: d.Answers, DraftVersion: d.Version, Texts: s.workbookTexts(lang), Warnings: warnings}); err != nil {
		return err
	}
	name := dc.call.Key + "-" + dc.org.Code + "-" + string(lang) + "-v" + strconv.Itoa(d.Version) + ".xlsx"
	download(c, name, xlsxType)
	c.Data(http.StatusOK, xlsxType, buf.Bytes())
	return nil
}

type workbookPage struct {
	basePage
	OrgName, OrgCode, CallKey, CallTitle string
	Problems                             []string
	Report                               string
	Changes                              []workbookChange
	DraftVersion                         int
	Back                                 string
	Apply                                string // where the confirmation posts
	// Stale says that the workbook was filled at an older version of the
	// draft than this one; Kept lists what others changed since and the
	// workbook leaves alone.
	Stale string
	Kept  []workbookChange
}

type workbookChange struct {
	Field, Value    string // the field and its new content, for the confirmation
	Where, Now, New string
	// Reverts: the draft's content is another person's change made since
	// the workbook was filled (By, At), which taking the workbook's would
	// undo; such a change is offered unticked.
	Reverts bool
	By, At  string
	ID      string
}

// uploadWorkbook reads an uploaded workbook and shows its problems, or what
// it would change. Answers that were submitted cannot change: the upload is
// refused before the file is read.
func (s *Server) uploadWorkbook(c *gin.Context) error {
	dc := scopeOf(c)
	ctx := c.Request.Context()
	p := &workbookPage{basePage: s.callBase(c, dc.call), OrgCode: dc.org.Code, CallKey: dc.call.Key,
		Back: dc.homeURL(), Apply: dc.draftURL() + "/workbook/apply"}
	p.OrgName, p.CallTitle = dc.org.Name.In(p.Lang), dc.call.Title.In(p.Lang)
	sub, err := s.store.Submission(ctx, dc.call, dc.ref)
	if err != nil {
		return err
	}
	if !sub.State.Editable() {
		m := messagePage{basePage: p.basePage, ActionURL: p.Back, ActionText: p.T("upload.locked.action")}
		m.Heading = m.T("upload.locked.title")
		m.Title, m.Body = m.Heading, m.T("upload.locked.body")
		s.render(c, http.StatusConflict, "message", &m)
		return nil
	}
	done, ok := s.enterUpload(c)
	if !ok {
		return nil
	}
	defer done()
	limit := s.opts.WorkbookMaxBytes
	if limit <= 0 {
		limit = DefaultWorkbookMaxBytes
	}
	var problems []workbook.Problem
	var res *workbook.Result
	fh, err := c.FormFile("workbook")
	if err != nil {
		problems = []workbook.Problem{{Reason: "empty"}}
	} else if fh.Size > limit {
		problems = []workbook.Problem{{Reason: "too_large", Value: p.Megabytes(limit)}}
	} else {
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		res, problems, err = workbook.Read(f, workbook.ReadOptions{
			Limits:        workbook.Limits{MaxBytes: limit, MaxUnzipped: 10 * limit},
			Questionnaire: s.opts.Questionnaires.Version, Texts: s.workbookTexts})
		if err != nil {
			return err
		}
	}
	if res != nil {
		problems = append(problems, workbookFits(res.Meta, dc)...)
	}
	if len(problems) > 0 {
		for _, pr := range problems {
			p.Problems = append(p.Problems, pr.Message(p.Tf))
		}
		p.Report = strings.Join(p.Problems, "\n") + "\n"
		p.Title = p.T("upload.problems.title")
		s.render(c, http.StatusUnprocessableEntity, "workbook_problems", p)
		return nil
	}
	d, err := s.store.Draft(ctx, dc.call, dc.ref)
	if err != nil {
		return err
	}
	// A workbook filled at an older version is merged from there: what
	// others changed since and the workbook leaves as it was stays theirs;
	// what both changed is shown as undoing the other person's change.
	res.Edit.Base = d.Version
	var since map[string]string
	if v := res.Meta.DraftVersion; res.Meta.DraftKnown && v < d.Version {
		res.Edit.Base = v
		if since, err = s.store.FieldsAt(ctx, dc.call, dc.ref, v, res.Edit.Fields); err != nil {
			return err
		}
		p.Stale = p.Tf("upload.preview.stale", map[string]any{"Then": v, "Now": d.Version})
	}
	changes, conflicts := forms.Merge(res.Edit, d.Answers, since)
	var saves map[string]forms.FieldSave
	if len(since) > 0 {
		fields := make([]string, 0, len(since))
		for f := range since {
			fields = append(fields, f)
		}
		if saves, err = s.store.LastSaves(ctx, dc.call, dc.ref, fields); err != nil {
			return err
		}
	}
	b := dc.builder(p.Text)
	for _, ch := range changes {
		p.Changes = append(p.Changes, workbookChange{Field: ch.Field, Value: ch.New, Where: b.FieldPlace(ch.Field),
			Now: b.DescribeField(ch.Field, ch.Old), New: b.DescribeField(ch.Field, ch.New)})
	}
	for _, cf := range conflicts {
		wc := workbookChange{Field: cf.Field, Value: cf.Mine, Where: b.FieldPlace(cf.Field), Reverts: true,
			Now: b.DescribeField(cf.Field, cf.Theirs), New: b.DescribeField(cf.Field, cf.Mine)}
		if sv, ok := saves[cf.Field]; ok {
			wc.By, wc.At = sv.By, p.Timestamp(sv.At)
		}
		p.Changes = append(p.Changes, wc)
	}
	for _, f := range slices.Sorted(maps.Keys(since)) {
		if slices.ContainsFunc(conflicts, func(cf forms.Conflict) bool { return cf.Field == f }) {
			continue
		}
		if slices.ContainsFunc(changes, func(ch forms.Change) bool { return ch.Field == f }) {
			continue
		}
		kc := workbookChange{Field: f, Where: b.FieldPlace(f), Now: b.DescribeField(f, d.Answers.Field(f)), New: b.DescribeField(f, since[f])}
		if sv, ok := saves[f]; ok {
			kc.By, kc.At = sv.By, p.Timestamp(sv.At)
		}
		p.Kept = append(p.Kept, kc)
	}
	for i := range p.Changes {
		p.Changes[i].ID = "change-" + strconv.Itoa(i)
	}
	p.DraftVersion = d.Version
	p.Title = p.T("upload.preview.title")
	s.render(c, http.StatusOK, "workbook_preview", p)
	return nil
}

// workbookTexts are the workbook's own words in language l.
func (s *Server) workbookTexts(l forms.Language) workbook.Texts { return s.pages.cat.Text(l).T }

// workbookFits says what makes a workbook read without problems the wrong
// one for this call and organization.
func workbookFits(m workbook.Meta, dc *scope) []workbook.Problem {
	var out []workbook.Problem
	if m.Questionnaire != dc.call.Questionnaire || m.Version != dc.call.Version {
		out = append(out, workbook.Problem{Reason: "other_questionnaire", Value: m.Questionnaire + " v" + strconv.Itoa(m.Version)})
	}
	if m.Org != "" && m.Org != dc.org.Code {
		out = append(out, workbook.Problem{Reason: "other_organization", Value: m.Org})
	}
	if m.Call != "" && m.Call != dc.call.Key {
		out = append(out, workbook.Problem{Reason: "other_call", Value: m.Call})
	}
	if !slices.Equal(m.Years, dc.call.Years) {
		ys := make([]string, len(m.Years))
		for i, y := range m.Years {
			ys[i] = strconv.Itoa(y)
		}
		out = append(out, workbook.Problem{Reason: "other_years", Value: strings.Join(ys, ", ")})
	}
	return out
}

// applyWorkbook saves the changes a previewed workbook makes, as one save
// based on the draft's version at the preview.
func (s *Server) applyWorkbook(c *gin.Context) error {
	dc := scopeOf(c)
	ctx := c.Request.Context()
	e, err := s.postedEdit(c, dc, "value/", func(string) bool { return true })
	if err != nil {
		return err
	}
	res, err := s.store.SaveDraft(ctx, dc.call, dc.ref, e, s.actor(c))
	if err != nil {
		return err
	}
	dc.section = &dc.q.Sections[0]
	if len(res.Conflicts) > 0 {
		return s.renderConflicts(c, dc, res.Conflicts, nil, nil)
	}
	s.flash(c, "upload.applied")
	c.Redirect(http.StatusSeeOther, dc.homeURL())
	return nil
}

// workbookReport sends back the list of a workbook's problems as a text file.
func (s *Server) workbookReport(c *gin.Context) error {
	report := form.CleanText(c.PostForm("report"))
	if len(report) > 64<<10 {
		report = report[:64<<10]
	}
	download(c, "workbook-problems.txt", "text/plain; charset=utf-8")
	c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(report))
	return nil
}
