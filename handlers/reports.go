package handlers

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/forms"
	"portal/templates/form"
)

// reportStore keeps the reports the Office writes and releases to the Commission.
type reportStore interface {
	// ReportDraft returns what the analysts wrote for the call's report (no title: nothing yet).
	ReportDraft(ctx context.Context, call forms.Call) (forms.ReportDraft, error)
	// SaveReportDraft stores it, audited.
	SaveReportDraft(ctx context.Context, call forms.Call, d forms.ReportDraft, actor forms.Actor) error
	// PreviewReport assembles the report from the submissions as they are, unreleased.
	PreviewReport(ctx context.Context, call forms.Call, q *forms.Questionnaire, lib []*forms.Questionnaire) (forms.Report, error)
	// RequestRelease asks for the next release of the call's report (a job); one waiting or running stands for it.
	RequestRelease(ctx context.Context, call forms.Call, actor forms.Actor) error
	// ReleaseRequest says where the last request to release the call's report stands; false when none.
	ReleaseRequest(ctx context.Context, call forms.Call) (forms.Job, bool, error)
	// Releases lists the released reports of a call (or of all, callKey ""), newest first.
	Releases(ctx context.Context, callKey string) ([]forms.ReportRelease, error)
	// Release returns a release as it was released; KindNotFound when there is none.
	Release(ctx context.Context, callKey string, n int) (forms.Report, error)
}

// The compiled report of a call. The Office writes its frame at
// /office/calls/<key>/report, previews it assembled from the accepted
// submissions as they are, and releases it; each release is frozen and
// numbered. The Commission reads the releases at /commission: a page with
// a table of contents that prints on A4, and the annex as XLSX. Every
// answer and figure links to the submission version it came from, listed
// in the report's sources (readers never reach the submissions themselves).

type reportFormPage struct {
	basePage
	CallKey, CallTitle string
	Form               reportForm
	Errors             map[string]string
	ErrorList          []option
	Unsaved            bool // the form holds what was posted after the session had ended
	// Text is the language of the translation the form edits, "" for
	// the original; Original is then the original, shown beside each field.
	Text        string
	Original    reportForm
	Translating string           // "Translation into French", when Text is set
	Texts       []textLink       // the original and each language's translation
	WrittenIn   []languageChoice // the original's language, to choose
	Releases    []releaseView
	Respondents int
	Updated     string
}

type reportForm struct {
	Title, Introduction string
	Questions           []summaryInput
}

// languageChoice is one of the six languages in a list to choose from.
type languageChoice struct {
	Code, Label string
	Selected    bool
}

// textLink leads to the form of the report's original text or of one
// translation; Done: that translation has been started.
type textLink struct {
	Label, Lang, Href string
	Current, Done     bool
}

type summaryInput struct {
	Key, Label, Section, Value, Error string
	Original                          string // in a translation, the original summary
	Answers                           int
}

type releaseView struct {
	CallTitle, Title, At, By, Href, AnnexHref string
	Number, Sources                           int
}

// showReportForm shows the frame of a call's report and its releases: the
// original text, or with ?text=<language> its translation into that
// language, each field beside the original.
func (s *Server) showReportForm(c *gin.Context) error {
	call, q, d, err := s.reportOf(c)
	if err != nil {
		return err
	}
	if s.popUnsaved(c) { // posted after the session had ended: as typed, to check and save
		if c.PostForm("text") == "" {
			d.Language = forms.Language(c.PostForm("language"))
		}
		p, err := s.buildReportForm(c, call, q, d, textLanguage(c.PostForm("text")), readReportForm(c, q), nil)
		if err != nil {
			return err
		}
		p.Unsaved = true
		s.render(c, http.StatusOK, "reportform", p)
		return nil
	}
	lang := textLanguage(c.Query("text"))
	shown := d.Translations[lang]
	if lang == "" {
		shown = d.ReportText
		if shown.Title == "" {
			shown.Title = call.Title.In(s.newBase(c).Lang)
		}
	}
	return s.renderReportForm(c, call, q, d, lang, shown, nil, http.StatusOK)
}

// reportOf resolves the route's call and questionnaire, and reads what
// the analysts have written for its report.
func (s *Server) reportOf(c *gin.Context) (forms.Call, *forms.Questionnaire, forms.ReportDraft, error) {
	call, q := scopeOf(c).resolvedCall()
	d, err := s.store.ReportDraft(c.Request.Context(), call)
	return call, q, d, err
}

// textLanguage is the language a report form's text is a translation into,
// "" for the original (or a code that is not one of the six).
func textLanguage(code string) forms.Language {
	l, _ := forms.ParseLanguage(code)
	return l
}

// readReportForm reads a report's text from the posted form.
func readReportForm(c *gin.Context, q *forms.Questionnaire) forms.ReportText {
	t := forms.ReportText{Title: strings.TrimSpace(form.CleanText(c.PostForm("title"))),
		Introduction: strings.TrimSpace(form.CleanText(c.PostForm("introduction"))), Summaries: map[string]string{}}
	for _, sec := range q.Sections {
		for _, qq := range sec.Questions {
			if v := strings.TrimSpace(form.CleanText(c.PostForm("summary/" + qq.Key))); v != "" && forms.Reportable(&qq) {
				t.Summaries[qq.Key] = v
			}
		}
	}
	return t
}

// saveReport stores the text of a call's report, the original or a
// translation (the form's "text"); every problem is shown at its field
// with what was typed kept.
func (s *Server) saveReport(c *gin.Context) error {
	call, q, d, err := s.reportOf(c)
	if err != nil {
		return err
	}
	lang, posted := textLanguage(c.PostForm("text")), readReportForm(c, q)
	back := "/office/calls/" + call.Key + "/report"
	if lang == "" {
		d.ReportText = posted // the translations stay, pruned to what the original still says
		d.Language = forms.Language(c.PostForm("language"))
		err = d.Validate(q)
	} else {
		back += "?text=" + string(lang)
		switch err = d.ValidateTranslation(posted); {
		case err != nil:
		case d.Title == "": // nothing to translate yet
			err = &forms.Error{Kind: forms.KindInvalid, Fields: map[string]string{"title": "report.error.nooriginal"}}
		default:
			if d.Translations == nil {
				d.Translations = map[forms.Language]forms.ReportText{}
			}
			d.Translations[lang] = posted
		}
	}
	if err != nil {
		if fe, ok := err.(*forms.Error); ok && fe.Kind == forms.KindInvalid {
			return s.renderReportForm(c, call, q, d, lang, posted, fe.Fields, http.StatusUnprocessableEntity)
		}
		return err
	}
	if err := s.store.SaveReportDraft(c.Request.Context(), call, d, s.actor(c)); err != nil {
		return err
	}
	s.flash(c, "report.saved")
	c.Redirect(http.StatusSeeOther, back)
	return nil
}

// renderReportForm renders the report form: d is the draft as stored,
// lang the language of a translation ("" the original), shown what the
// fields hold, errs the problems (catalogue IDs by field).
func (s *Server) renderReportForm(c *gin.Context, call forms.Call, q *forms.Questionnaire, d forms.ReportDraft, lang forms.Language,
	shown forms.ReportText, errs map[string]string, status int) error {
	p, err := s.buildReportForm(c, call, q, d, lang, shown, errs)
	if err != nil {
		return err
	}
	s.render(c, status, "reportform", p)
	return nil
}

// buildReportForm is the report form's page (see renderReportForm).
func (s *Server) buildReportForm(c *gin.Context, call forms.Call, q *forms.Questionnaire, d forms.ReportDraft, lang forms.Language,
	shown forms.ReportText, errs map[string]string) (*reportFormPage, error) {
	ctx := c.Request.Context()
	p := &reportFormPage{basePage: s.callBase(c, call), CallKey: call.Key, Errors: map[string]string{}, Text: string(lang)}
	p.CallTitle = call.Title.In(p.Lang)
	p.Title = p.T("report.form.title") + " · " + p.CallTitle
	p.Form = reportForm{Title: shown.Title, Introduction: shown.Introduction}
	if lang != "" {
		p.Original = reportForm{Title: d.Title, Introduction: d.Introduction}
		p.Translating = p.Tf("report.form.translating", map[string]any{"Language": p.T("language." + string(lang))})
	}
	original := p.T("report.form.original")
	if d.Language != "" {
		original += " (" + p.T("language."+string(d.Language)) + ")"
	}
	p.Texts = append(p.Texts, textLink{Label: original, Href: "/office/calls/" + call.Key + "/report", Current: lang == ""})
	for _, l := range forms.Languages {
		if l == d.Language {
			continue // the original is in it
		}
		p.Texts = append(p.Texts, textLink{Label: p.T("language." + string(l)), Lang: string(l), Href: "/office/calls/" + call.Key + "/report?text=" + string(l),
			Current: l == lang, Done: d.Translations[l].Title != ""})
	}
	if lang == "" { // the original says which language it is in: the page's, unless said
		written := d.Language
		if written == "" {
			written = p.Lang
		}
		for _, l := range forms.Languages {
			p.WrittenIn = append(p.WrittenIn, languageChoice{Code: string(l), Label: p.T("language." + string(l)), Selected: l == written})
		}
	}
	if d.UpdatedBy != "" {
		p.Updated = p.Tf("report.form.updated", map[string]any{"By": d.UpdatedBy, "At": p.Timestamp(d.UpdatedAt)})
	}
	answers, err := s.store.ViewAnswers(ctx, call, false, "")
	if err != nil {
		return nil, err
	}
	count := map[string]int{}
	respondents := map[string]bool{}
	for _, a := range answers {
		count[a.Question]++
		respondents[a.Organization.Code] = true
	}
	p.Respondents = len(respondents)
	for field, key := range errs {
		p.Errors[field] = p.T(key)
	}
	for _, f := range []string{"language", "title", "introduction"} {
		if m, ok := p.Errors[f]; ok {
			p.ErrorList = append(p.ErrorList, option{"report-" + f, m})
		}
	}
	if m, ok := p.Errors["confirm"]; ok {
		p.ErrorList = append(p.ErrorList, option{"release-confirm", m})
	}
	shownFields := map[string]bool{"language": true, "title": true, "introduction": true, "confirm": true}
	for _, sec := range q.Sections {
		for _, qq := range sec.Questions {
			if !forms.Reportable(&qq) || (lang != "" && d.Summaries[qq.Key] == "") { // a translation translates what the original says
				continue
			}
			shownFields["summary/"+qq.Key] = true
			in := summaryInput{Key: qq.Key, Label: qq.Label.In(p.Lang), Section: sec.Title.In(p.Lang), Value: shown.Summaries[qq.Key],
				Answers: count[qq.Key], Error: p.Errors["summary/"+qq.Key]}
			if lang != "" {
				in.Original = d.Summaries[qq.Key]
			}
			if in.Error != "" {
				p.ErrorList = append(p.ErrorList, option{"summary-" + qq.Key, in.Error})
			}
			p.Form.Questions = append(p.Form.Questions, in)
		}
	}
	// A problem with a field the form does not show (a summary posted for
	// a question the original does not summarize) is said at the top.
	var unshown []string
	for f := range p.Errors {
		if !shownFields[f] {
			unshown = append(unshown, f)
		}
	}
	slices.Sort(unshown)
	for _, f := range unshown {
		p.ErrorList = append(p.ErrorList, option{"report-title", p.Errors[f]})
	}
	releases, err := s.store.Releases(ctx, call.Key)
	if err != nil {
		return nil, err
	}
	p.Releases = releaseViews(&p.basePage, releases)
	return p, nil
}

func releaseViews(p *basePage, releases []forms.ReportRelease) []releaseView {
	out := make([]releaseView, len(releases))
	for i, r := range releases {
		href := "/commission/reports/" + r.CallKey + "/" + strconv.Itoa(r.Number)
		out[i] = releaseView{CallTitle: r.CallTitle.In(p.Lang), Title: r.TitleIn(p.Lang), At: p.Timestamp(r.ReleasedAt), By: r.ReleasedBy,
			Href: href, AnnexHref: href + "/annex.xlsx", Number: r.Number, Sources: r.Sources}
	}
	return out
}

// releaseReport releases the call's report as it stands.
func (s *Server) releaseReport(c *gin.Context) error {
	call, q, d, err := s.reportOf(c)
	if err != nil {
		return err
	}
	refused := func(field, message string) error {
		return s.renderReportForm(c, call, q, d, "", d.ReportText, map[string]string{field: message}, http.StatusUnprocessableEntity)
	}
	if c.PostForm("confirm") != "1" { // a release cannot be taken back: the analyst says so first
		return refused("confirm", "report.error.confirm")
	}
	if d.UpdatedAt.IsZero() { // nothing written yet: no title to release under
		return refused("title", "report.error.notitle")
	}
	// A release takes seconds at full scale: it is a job, which the next
	// page follows; a second click while it waits or runs adds nothing.
	if err := s.store.RequestRelease(c.Request.Context(), call, s.actor(c)); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/office/calls/"+call.Key+"/report/release")
	return nil
}

// showReleasing follows the release the analyst asked for: in progress
// (the page looks again every two seconds), done (to the release), or
// failed (with why).
func (s *Server) showReleasing(c *gin.Context) error {
	ctx := c.Request.Context()
	call, _ := scopeOf(c).resolvedCall()
	job, ok, err := s.store.ReleaseRequest(ctx, call)
	if err != nil {
		return err
	}
	form := "/office/calls/" + call.Key + "/report"
	if !ok {
		c.Redirect(http.StatusSeeOther, form)
		return nil
	}
	if job.State == forms.JobDone {
		rels, err := s.store.Releases(ctx, call.Key)
		if err != nil {
			return err
		}
		if len(rels) > 0 {
			s.flash(c, "report.released")
			c.Redirect(http.StatusSeeOther, "/commission/reports/"+call.Key+"/"+strconv.Itoa(rels[0].Number))
			return nil
		}
	}
	p := &followPage{basePage: s.callBase(c, call), LookHref: "/office/calls/" + call.Key + "/report/release", BackHref: form}
	p.Title = p.T("release.title")
	p.Crumbs = []followCrumb{{"/office", p.T("office.title")}, {"/office/calls/" + call.Key, call.Title.In(p.Lang)}}
	p.Progress = p.Tf("release.progress", map[string]any{"Since": p.Timestamp(job.CreatedAt)})
	p.Wait, p.FailedText, p.BackText = p.T("release.wait"), p.T("release.failed"), p.T("release.back")
	s.renderFollow(c, p, job)
	return nil
}

// showReportPreview shows the report as a release would make it now.
func (s *Server) showReportPreview(c *gin.Context) error {
	call, q := scopeOf(c).resolvedCall()
	rep, err := s.store.PreviewReport(c.Request.Context(), call, q, s.series.all)
	if err != nil {
		return err
	}
	if rep.Title == "" {
		rep.Title = call.Title.In(s.newBase(c).Lang)
	}
	return s.renderReport(c, &rep)
}
