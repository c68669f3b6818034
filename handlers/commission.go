package handlers

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/forms"
	"portal/forms/export"
	"portal/templates/views"
)

// The Commission reads the reports the Office releases: the list, a
// release as it was released, its annex. The analysts' preview shows a
// report the same way (renderReport).

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
	t := s.newBase(c).Text
	var buf bytes.Buffer
	if err := export.Annex(&buf, &rep, t.Lang, func(q *forms.Question, a forms.Answer) string { return views.DescribeAnswer(t, q, a) }); err != nil {
		return fmt.Errorf("handlers: annex of %s: %w", rep.FileName(), err)
	}
	download(c, rep.FileName()+"-annex.xlsx", xlsxType)
	c.Data(http.StatusOK, xlsxType, buf.Bytes())
	return nil
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
	p.Title = text.Title
	p.CallTitle, p.Mandate, p.Body = r.Call.Title.In(p.Lang), r.Call.Mandate.In(p.Lang), r.Call.Body.In(p.Lang)
	if !p.Preview {
		p.ReleasedAt, p.ReleasedBy = p.Day(r.ReleasedAt), r.ReleasedBy
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
			SubmittedAt: p.Timestamp(src.SubmittedAt), Checksum: src.Checksum})
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
					ag.Answers = append(ag.Answers, reportAnswer{sourceLink: link[a.Source], Text: views.DescribeAnswer(p.Text, &rq.Question, a.Answer)})
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
				cell.Median = p.Rate(a.MedianRate)
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
				st.Rate, st.Office = p.Rate(rate), val.PopulationSource == forms.PopulationOffice
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
