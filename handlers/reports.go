package handlers

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/forms"
	"portal/forms/export"
)

// reportStore keeps the reports the Office writes and releases to the Commission.
type reportStore interface {
	// ReportDraft returns what the analysts wrote for the call's report (no title: nothing yet).
	ReportDraft(ctx context.Context, call forms.Call) (forms.ReportDraft, error)
	// SaveReportDraft stores it, audited.
	SaveReportDraft(ctx context.Context, call forms.Call, d forms.ReportDraft, actor forms.Actor) error
	// PreviewReport assembles the report from the submissions as they are, unreleased.
	PreviewReport(ctx context.Context, call forms.Call, q *forms.Questionnaire) (forms.Report, error)
	// ReleaseReport assembles and freezes the next numbered release, audited; KindInvalid without a title.
	ReleaseReport(ctx context.Context, call forms.Call, q *forms.Questionnaire, actor forms.Actor) (forms.Report, error)
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
	call, q := scopeOf(c).call, scopeOf(c).q
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
	t := forms.ReportText{Title: strings.TrimSpace(cleanText(c.PostForm("title"))),
		Introduction: strings.TrimSpace(cleanText(c.PostForm("introduction"))), Summaries: map[string]string{}}
	for _, sec := range q.Sections {
		for _, qq := range sec.Questions {
			if v := strings.TrimSpace(cleanText(c.PostForm("summary/" + qq.Key))); v != "" && forms.Reportable(&qq) {
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
	p := &reportFormPage{basePage: s.newBase(c), CallKey: call.Key, Errors: map[string]string{}, Text: string(lang)}
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
		p.Updated = p.Tf("report.form.updated", map[string]any{"By": d.UpdatedBy, "At": formatTime(d.UpdatedAt, call)})
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
		out[i] = releaseView{CallTitle: r.CallTitle.In(p.Lang), Title: r.TitleIn(p.Lang), At: r.ReleasedAt.Format("2006-01-02 15:04 UTC"), By: r.ReleasedBy,
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
	rep, err := s.store.ReleaseReport(c.Request.Context(), call, q, s.actor(c))
	if forms.KindOf(err) == forms.KindInvalid {
		return refused("title", "report.error.notitle")
	}
	if err != nil {
		return err
	}
	s.flash(c, "report.released")
	c.Redirect(http.StatusSeeOther, "/commission/reports/"+call.Key+"/"+strconv.Itoa(rep.Number))
	return nil
}

// showReportPreview shows the report as a release would make it now.
func (s *Server) showReportPreview(c *gin.Context) error {
	call, q := scopeOf(c).call, scopeOf(c).q
	rep, err := s.store.PreviewReport(c.Request.Context(), call, q)
	if err != nil {
		return err
	}
	if rep.Title == "" {
		rep.Title = call.Title.In(s.newBase(c).Lang)
	}
	return s.renderReport(c, &rep)
}

// showCommission lists the released reports, newest first.
func (s *Server) showCommission(c *gin.Context) error {
	releases, err := s.store.Releases(c.Request.Context(), "")
	if err != nil {
		return err
	}
	p := &struct {
		basePage
		Releases []releaseView
	}{basePage: s.newBase(c)}
	p.Title = p.T("commission.title")
	p.Releases = releaseViews(&p.basePage, releases)
	s.render(c, http.StatusOK, "commission", p)
	return nil
}

// release reads the release the address names.
func (s *Server) release(c *gin.Context) (forms.Report, error) {
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 || n > 1_000_000 {
		return forms.Report{}, forms.Errorf(forms.KindNotFound, "no release %q", c.Param("n"))
	}
	return s.store.Release(c.Request.Context(), c.Param("call"), n)
}

// showRelease shows a released report.
func (s *Server) showRelease(c *gin.Context) error {
	rep, err := s.release(c)
	if err != nil {
		return err
	}
	return s.renderReport(c, &rep)
}

// downloadAnnex sends a released report's annex as XLSX.
func (s *Server) downloadAnnex(c *gin.Context) error {
	rep, err := s.release(c)
	if err != nil {
		return err
	}
	p := &draftPage{basePage: s.newBase(c)}
	var buf bytes.Buffer
	if err := export.Annex(&buf, &rep, p.Lang, func(q *forms.Question, a forms.Answer) string { return describeAnswer(p, q, a) }); err != nil {
		return fmt.Errorf("handlers: annex of %s: %w", rep.FileName(), err)
	}
	download(c, rep.FileName()+"-annex.xlsx", xlsxType)
	c.Data(http.StatusOK, xlsxType, buf.Bytes())
	return nil
}

// describeAnswer is an answer as the report shows it.
func describeAnswer(p *draftPage, q *forms.Question, a forms.Answer) string {
	one := &forms.Questionnaire{Sections: []forms.Section{{Questions: []forms.Question{*q}}}}
	field := forms.AnswerField(q.Key)
	return describeField(p, one, field, forms.Answers{Values: map[string]forms.Answer{q.Key: a}}.Field(field))
}

// The report's page.

type reportPage struct {
	basePage
	Preview                         bool
	Number                          int
	ReleasedAt, ReleasedBy          string
	ReportTitle, CallTitle, Ref     string
	TitleLang, IntroLang            string // the original's language, where it shows untranslated in another
	Mandate, Body, AnnexHref        string
	Introduction                    []string
	Respondents, Asked              int
	Groups                          []reportGroup
	Questions, Annex                []reportQuestion
	Indicators                      []reportIndicator
	Choices                         []choiceList
	Sources                         []sourceView
	HasFrequencies, HasAnnexAnswers bool
}

type reportGroup struct {
	Name    string
	Members []sourceLink
}

type sourceLink struct{ Name, Anchor, Reference string }

type reportQuestion struct {
	ID, Label, Section string
	Summary            []string
	SummaryLang        string // as TitleLang
	Groups             []reportAnswerGroup
	Frequencies        *reportFrequencies
	None               bool
}

type reportAnswerGroup struct {
	Name    string
	Answers []reportAnswer
}

type reportAnswer struct {
	sourceLink
	Text string
}

type reportFrequencies struct {
	Heads []string // the groups, with their respondents
	Rows  []reportFrequencyRow
}

type reportFrequencyRow struct {
	Option, Anchor string
	Cells          []frequencyCell
}

type choiceList struct {
	Anchor, Question, Option string
	Members                  []sourceLink
}

type reportIndicator struct {
	ID, Label, ICCS, Unit string
	Heads                 []string
	Years                 []reportYear
	LatestYear            int
	States                []reportState
}

type reportYear struct {
	Year  int
	Cells []aggregateCell
}

type reportState struct {
	sourceLink
	Value, Rate string
	Office      bool // the rate's population is the Office's
}

type sourceView struct {
	sourceLink
	Groups, SubmittedAt, Checksum string
	Version                       int
}

// renderReport shows a report, released or previewed (Number 0).
func (s *Server) renderReport(c *gin.Context, r *forms.Report) error {
	p := &reportPage{basePage: s.newBase(c), Number: r.Number, Preview: r.Number == 0, Ref: r.Call.Reference,
		Respondents: len(r.Sources), Asked: r.Call.Asked}
	text := r.TextIn(p.Lang) // the analysts' words, in the reader's language where translated
	// Text left in the original's language says so, for screen readers
	// (WCAG 3.1.2, language of parts).
	translated := r.Translations[p.Lang]
	langOf := func(isTranslated bool) string {
		if isTranslated || r.Language == "" || r.Language == p.Lang {
			return ""
		}
		return string(r.Language)
	}
	p.ReportTitle, p.TitleLang, p.IntroLang = text.Title, langOf(translated.Title != ""), langOf(translated.Introduction != "")
	dp := &draftPage{basePage: p.basePage}
	p.Title = text.Title
	p.CallTitle, p.Mandate, p.Body = r.Call.Title.In(p.Lang), r.Call.Mandate.In(p.Lang), r.Call.Body.In(p.Lang)
	if !p.Preview {
		p.ReleasedAt, p.ReleasedBy = r.ReleasedAt.Format("2006-01-02"), r.ReleasedBy
		p.AnnexHref = "/commission/reports/" + r.Call.Key + "/" + strconv.Itoa(r.Number) + "/annex.xlsx"
	}
	p.Introduction = paragraphs(text.Introduction)
	names := map[string]string{"": p.T("tracking.group.other")}
	order := []string{}
	for _, g := range r.Groups {
		names[g.Code] = g.Name.In(p.Lang)
		order = append(order, g.Code)
	}
	order = append(order, "")
	link := map[string]sourceLink{}
	first := map[string]string{} // the group an organization's answers are listed under
	for _, src := range r.Sources {
		o := src.Organization
		link[o.Code] = sourceLink{Name: o.Name.In(p.Lang), Anchor: src.Anchor(), Reference: src.Reference}
		first[o.Code] = ""
		if len(o.RegionalGroups) > 0 {
			first[o.Code] = o.RegionalGroups[0]
		}
		p.Sources = append(p.Sources, sourceView{sourceLink: link[o.Code], Groups: groupNames(o.RegionalGroups, names), Version: src.Version,
			SubmittedAt: src.SubmittedAt.Format("2006-01-02 15:04 UTC"), Checksum: src.Checksum})
	}
	respondents := r.Respondents()
	for _, g := range order {
		rg := reportGroup{Name: names[g]}
		for _, src := range r.Sources {
			in := slices.Contains(src.Organization.RegionalGroups, g) || (g == "" && len(src.Organization.RegionalGroups) == 0)
			if in {
				rg.Members = append(rg.Members, link[src.Organization.Code])
			}
		}
		if len(rg.Members) > 0 {
			p.Groups = append(p.Groups, rg)
		}
	}
	other := forms.Text{}
	for _, l := range forms.Languages {
		other[l] = p.T("question.other")
	}
	for i := range r.Questions {
		rq := &r.Questions[i]
		q := reportQuestion{ID: "q-" + rq.Question.Key, Label: rq.Question.Label.In(p.Lang), Section: rq.Section.In(p.Lang),
			Summary: paragraphs(text.Summaries[rq.Question.Key]), SummaryLang: langOf(translated.Summaries[rq.Question.Key] != ""), None: len(rq.Answers) == 0}
		for _, g := range order {
			ag := reportAnswerGroup{Name: names[g]}
			for _, a := range rq.Answers {
				if first[a.Source] == g {
					ag.Answers = append(ag.Answers, reportAnswer{sourceLink: link[a.Source], Text: describeAnswer(dp, &rq.Question, a.Answer)})
				}
			}
			if len(ag.Answers) > 0 {
				q.Groups = append(q.Groups, ag)
			}
		}
		if rq.Question.Kind == forms.MultipleChoice && len(rq.Answers) > 0 {
			p.HasFrequencies = true
			f := &reportFrequencies{Heads: []string{p.T("views.all") + " (" + strconv.Itoa(len(r.Sources)) + ")"}}
			var cols []string
			for _, g := range order {
				if respondents[g] > 0 {
					cols = append(cols, g)
					f.Heads = append(f.Heads, names[g]+" ("+strconv.Itoa(respondents[g])+")")
				}
			}
			for _, fr := range r.Frequencies(rq, other) {
				anchor := "choice-" + rq.Question.Key + "-" + fr.Option.Key
				row := reportFrequencyRow{Option: fr.Option.Label.In(p.Lang), Anchor: anchor,
					Cells: []frequencyCell{{Count: fr.Total, Share: shareOf(fr.Total, len(r.Sources))}}}
				for _, g := range cols {
					row.Cells = append(row.Cells, frequencyCell{Count: fr.Groups[g], Share: shareOf(fr.Groups[g], respondents[g])})
				}
				f.Rows = append(f.Rows, row)
				cl := choiceList{Anchor: anchor, Question: q.Label, Option: row.Option}
				for _, a := range rq.Answers {
					if slices.Contains(a.Answer.Choices, fr.Option.Key) {
						cl.Members = append(cl.Members, link[a.Source])
					}
				}
				p.Choices = append(p.Choices, cl)
			}
			q.Frequencies = f
		}
		if len(q.Summary) > 0 {
			p.HasAnnexAnswers = true
			p.Annex = append(p.Annex, q)
			q.Groups = nil
		}
		p.Questions = append(p.Questions, q)
	}
	for i, ind := range r.Indicators {
		v := reportIndicator{ID: "indicator-" + strconv.Itoa(i+1), Label: ind.Label.In(p.Lang), ICCS: ind.ICCS, Unit: ind.Unit.In(p.Lang)}
		byYear := map[int]*reportYear{}
		heads := map[string]bool{}
		for _, a := range ind.Aggregates {
			y, ok := byYear[a.Year]
			if !ok {
				v.Years = append(v.Years, reportYear{Year: a.Year})
				y = &v.Years[len(v.Years)-1]
				byYear[a.Year] = y
			}
			if !heads[a.Group] {
				heads[a.Group] = true
				name := names[a.Group]
				if a.Group == "" {
					name = p.T("statistics.world")
				}
				v.Heads = append(v.Heads, name)
			}
			cell := aggregateCell{Coverage: p.Tn("statistics.coverage", a.Asked, map[string]any{"Reporting": a.Reporting, "Asked": a.Asked})}
			if a.Reporting > 0 {
				cell.Sum = forms.FormatCount(a.Sum, p.Lang)
			}
			if a.Rated > 0 {
				cell.Median = strconv.FormatFloat(a.MedianRate, 'f', 2, 64)
			}
			y.Cells = append(y.Cells, cell)
		}
		if n := len(ind.Years); n > 0 {
			v.LatestYear = ind.Years[n-1]
		}
		for _, val := range r.SeriesValues(&ind) {
			if val.Year != v.LatestYear {
				continue
			}
			st := reportState{sourceLink: link[val.Organization.Code], Value: forms.FormatCount(val.Value, p.Lang)}
			if rate, ok := val.Rate(); ok {
				st.Rate, st.Office = strconv.FormatFloat(rate, 'f', 2, 64), val.PopulationSource == forms.PopulationOffice
			}
			v.States = append(v.States, st)
		}
		p.Indicators = append(p.Indicators, v)
	}
	s.render(c, http.StatusOK, "report", p)
	return nil
}

// paragraphs splits a text at its blank lines.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func groupNames(codes []string, names map[string]string) string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = names[c]
	}
	return strings.Join(out, ", ")
}

func shareOf(n, of int) string {
	if of == 0 {
		return ""
	}
	return strconv.Itoa(percent(n, of)) + " %"
}
