package views

import (
	"html/template"
	"slices"
	"strconv"
	"strings"

	"portal/forms"
	"portal/templates/charts"
	"portal/templates/words"
)

// Report is a compiled report as its page shows it, released or
// previewed (Number 0), in the reader's language.
type Report struct {
	Preview                         bool
	Number                          int
	ReleasedAt, ReleasedBy          string
	ReportTitle, CallTitle, Ref     string
	TitleLang, IntroLang            string // the original's language, where it shows untranslated in another
	Mandate, Body, AnnexHref        string
	Introduction                    []string
	Respondents, Asked              int
	Groups                          []ReportGroup
	Questions, Annex                []ReportQuestion
	Indicators                      []ReportIndicator
	Choices                         []ChoiceList
	Sources                         []SourceView
	Past                            []PastView
	HasFrequencies, HasAnnexAnswers bool
}

// PastView is where figures of the annex come from that no accepted
// submission to the call gives (forms.ReportPast), described.
type PastView struct {
	Anchor, Reference, What, Source string
}

// ReportGroup is a regional group with the respondents in it.
type ReportGroup struct {
	Name    string
	Members []SourceLink
}

// SourceLink names a respondent and links to its source in the report.
type SourceLink struct{ Name, Anchor, Reference string }

// ReportQuestion is a question of the report with its summary and answers.
type ReportQuestion struct {
	ID, Label, Section string
	Summary            []string
	SummaryLang        string // as TitleLang
	Groups             []ReportAnswerGroup
	Frequencies        *ReportFrequencies
	None               bool
}

// ReportAnswerGroup is the answers of one regional group to a question.
type ReportAnswerGroup struct {
	Name    string
	Answers []ReportAnswer
}

// ReportAnswer is one respondent's answer, described.
type ReportAnswer struct {
	SourceLink
	Text string
}

// ReportFrequencies counts a checklist's options by group.
type ReportFrequencies struct {
	Heads []string // the groups, with their respondents
	Rows  []ReportFrequencyRow
}

// ReportFrequencyRow is an option's counts, linked to the list of who chose it.
type ReportFrequencyRow struct {
	Option, Anchor string
	Cells          []FrequencyCell
}

// ChoiceList lists the respondents who chose an option.
type ChoiceList struct {
	Anchor, Question, Option string
	Members                  []SourceLink
}

// ReportIndicator is an indicator's aggregates by year and the latest
// year's figures by State.
type ReportIndicator struct {
	ID, Label, ICCS, Unit string
	Heads                 []string
	Years                 []ReportYear
	LatestYear            int
	States                []ReportState
	// Chart compares the groups' rates in the latest year: the pooled
	// rate (bars) and the median (ticks); ChartTitle heads it.
	Chart      template.HTML
	ChartTitle string
}

// ReportYear is an indicator's aggregates for one year, one per group.
type ReportYear struct {
	Year  int
	Cells []AggregateCell
}

// ReportState is a State's figure (and rate) for the latest year.
type ReportState struct {
	SourceLink
	Value, Rate string
	Office      bool // the rate's population is the Office's
	Past        bool // the figure is the Office's series', not the State's submission's (SourceLink names a PastView)
}

// SourceView is a respondent's submission the report draws on, with its receipt.
type SourceView struct {
	SourceLink
	Groups, SubmittedAt, Checksum string
	Version                       int
}

// NewReport builds the view of report r in t's language: the analysts'
// words (translated where they are), the answers by regional group, the
// frequencies of the checklists, the indicators' aggregates and the
// sources.
func NewReport(t words.Text, r *forms.Report) Report {
	p := Report{Number: r.Number, Preview: r.Number == 0, Ref: r.Call.Reference,
		Respondents: len(r.Sources), Asked: r.Call.Asked}
	text := r.TextIn(t.Lang) // the analysts' words, in the reader's language where translated
	// Text left in the original's language says so, for screen readers
	// (WCAG 3.1.2, language of parts).
	translated := r.Translations[t.Lang]
	langOf := func(isTranslated bool) string {
		if isTranslated || r.Language == "" || r.Language == t.Lang {
			return ""
		}
		return string(r.Language)
	}
	p.ReportTitle, p.TitleLang, p.IntroLang = text.Title, langOf(translated.Title != ""), langOf(translated.Introduction != "")
	p.CallTitle, p.Mandate, p.Body = r.Call.Title.In(t.Lang), r.Call.Mandate.In(t.Lang), r.Call.Body.In(t.Lang)
	if !p.Preview {
		p.ReleasedAt, p.ReleasedBy = t.Day(r.ReleasedAt), r.ReleasedBy
	}
	p.Introduction = paragraphs(text.Introduction)
	names := map[string]string{"": t.T("tracking.group.other")}
	order := []string{}
	for _, g := range r.Groups {
		names[g.Code] = g.Name.In(t.Lang)
		order = append(order, g.Code)
	}
	order = append(order, "")
	link := map[string]SourceLink{}
	first := map[string]string{} // the group an organization's answers are listed under
	for _, src := range r.Sources {
		o := src.Organization
		link[o.Code] = SourceLink{Name: o.Name.In(t.Lang), Anchor: src.Anchor(), Reference: src.Reference}
		first[o.Code] = ""
		if len(o.RegionalGroups) > 0 {
			first[o.Code] = o.RegionalGroups[0]
		}
		p.Sources = append(p.Sources, SourceView{SourceLink: link[o.Code], Groups: groupNames(o.RegionalGroups, names), Version: src.Version,
			SubmittedAt: t.Timestamp(src.SubmittedAt), Checksum: src.Checksum})
	}
	respondents := r.Respondents()
	for _, g := range order {
		rg := ReportGroup{Name: names[g]}
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
		other[l] = t.T("question.other")
	}
	for i := range r.Questions {
		rq := &r.Questions[i]
		q := ReportQuestion{ID: "q-" + rq.Question.Key, Label: rq.Question.Label.In(t.Lang), Section: rq.Section.In(t.Lang),
			Summary: paragraphs(text.Summaries[rq.Question.Key]), SummaryLang: langOf(translated.Summaries[rq.Question.Key] != ""), None: len(rq.Answers) == 0}
		for _, g := range order {
			ag := ReportAnswerGroup{Name: names[g]}
			for _, a := range rq.Answers {
				if first[a.Source] == g {
					ag.Answers = append(ag.Answers, ReportAnswer{SourceLink: link[a.Source], Text: DescribeAnswer(t, &rq.Question, a.Answer)})
				}
			}
			if len(ag.Answers) > 0 {
				q.Groups = append(q.Groups, ag)
			}
		}
		if rq.Question.Kind == forms.MultipleChoice && len(rq.Answers) > 0 {
			p.HasFrequencies = true
			f := &ReportFrequencies{Heads: []string{t.T("views.all") + " (" + strconv.Itoa(len(r.Sources)) + ")"}}
			var cols []string
			for _, g := range order {
				if respondents[g] > 0 {
					cols = append(cols, g)
					f.Heads = append(f.Heads, names[g]+" ("+strconv.Itoa(respondents[g])+")")
				}
			}
			for _, fr := range r.Frequencies(rq, other) {
				anchor := "choice-" + rq.Question.Key + "-" + fr.Option.Key
				row := ReportFrequencyRow{Option: fr.Option.Label.In(t.Lang), Anchor: anchor,
					Cells: []FrequencyCell{{Count: fr.Total, Share: shareOf(fr.Total, len(r.Sources))}}}
				for _, g := range cols {
					row.Cells = append(row.Cells, FrequencyCell{Count: fr.Groups[g], Share: shareOf(fr.Groups[g], respondents[g])})
				}
				f.Rows = append(f.Rows, row)
				cl := ChoiceList{Anchor: anchor, Question: q.Label, Option: row.Option}
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
	for i, past := range r.Past {
		pv := PastView{Anchor: past.Anchor(i), Reference: past.Reference, What: t.T("series.origin." + string(past.Origin)), Source: past.Source}
		if past.Origin == forms.OriginCall {
			pv.Source = past.Call
		}
		p.Past = append(p.Past, pv)
	}
	for i, ind := range r.Indicators {
		v := ReportIndicator{ID: "indicator-" + strconv.Itoa(i+1), Label: ind.Label.In(t.Lang), ICCS: ind.ICCS, Unit: ind.Unit.In(t.Lang)}
		byYear := map[int]int{} // index in v.Years (a pointer would not survive the appends)
		heads := map[string]bool{}
		for _, a := range ind.Aggregates {
			yi, ok := byYear[a.Year]
			if !ok {
				v.Years = append(v.Years, ReportYear{Year: a.Year})
				yi = len(v.Years) - 1
				byYear[a.Year] = yi
			}
			y := &v.Years[yi]
			if !heads[a.Group] {
				heads[a.Group] = true
				name := names[a.Group]
				if a.Group == "" {
					name = t.T("statistics.world")
				}
				v.Heads = append(v.Heads, name)
			}
			cell := AggregateCell{Coverage: t.Tn("statistics.coverage", a.Asked, map[string]any{"Reporting": a.Reporting, "Asked": a.Asked})}
			if a.Reporting > 0 {
				cell.Sum = forms.FormatCount(a.Sum, t.Lang)
			}
			if a.Rated > 0 {
				cell.Median = t.Rate(a.MedianRate)
			}
			y.Cells = append(y.Cells, cell)
		}
		if n := len(ind.Years); n > 0 {
			v.LatestYear = ind.Years[n-1]
		}
		v.Chart, v.ChartTitle = groupChart(t, r, &ind, v, names)
		for _, val := range r.SeriesValues(&ind) {
			if val.Year != v.LatestYear {
				continue
			}
			st := ReportState{SourceLink: link[val.Organization.Code], Value: forms.FormatCount(val.Value, t.Lang)}
			if i, past, ok := r.PastOf(val); ok {
				st.SourceLink = SourceLink{Name: val.Organization.Name.In(t.Lang), Anchor: past.Anchor(i), Reference: past.Reference}
				st.Past = true
			}
			if rate, ok := val.Rate(); ok {
				st.Rate, st.Office = t.Rate(rate), val.PopulationSource == forms.PopulationOffice
			}
			v.States = append(v.States, st)
		}
		p.Indicators = append(p.Indicators, v)
	}
	return p
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

// groupNames names the groups of codes, in their order.
func groupNames(codes []string, names map[string]string) string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = names[c]
	}
	return strings.Join(out, ", ")
}

// shareOf is n of of as "42 %", or nothing of nothing.
func shareOf(n, of int) string {
	if of == 0 {
		return ""
	}
	return strconv.Itoa(Percent(n, of)) + " %"
}

// groupChart draws the regional comparison of an indicator's rates in its
// latest year: for each UN regional group and the world, the pooled rate
// (the sum of the reporting States' counts over the sum of their
// populations) as a bar and the median of their rates as a tick.
func groupChart(t words.Text, r *forms.Report, ind *forms.ReportIndicator, v ReportIndicator, names map[string]string) (template.HTML, string) {
	title := t.Tf("report.chart.title", map[string]any{"Year": v.LatestYear})
	type pool struct{ counts, people float64 }
	pooled := map[string]*pool{}
	add := func(g string, val forms.SeriesValue) {
		if pooled[g] == nil {
			pooled[g] = &pool{}
		}
		pooled[g].counts += float64(val.Value)
		pooled[g].people += float64(val.Population)
	}
	for _, val := range r.SeriesValues(ind) {
		if val.Year != v.LatestYear || val.Population <= 0 {
			continue
		}
		add("", val)
		for _, g := range val.Organization.RegionalGroups {
			add(g, val)
		}
	}
	chart := charts.BarChart{ID: v.ID + "-chart", RTL: t.Lang == forms.Arabic, Format: t.Rate,
		ValueName: t.T("series.pooled"), SecondName: t.T("series.median")}
	for _, a := range ind.Aggregates {
		p := pooled[a.Group]
		if a.Year != v.LatestYear || a.Rated == 0 || p == nil || p.people <= 0 {
			continue
		}
		median := a.MedianRate
		name := names[a.Group]
		if a.Group == "" {
			name = t.T("statistics.world")
		}
		chart.Bars = append(chart.Bars, charts.Bar{Label: name, Value: p.counts * 100000 / p.people, Second: &median,
			Note: t.Tn("series.rated", a.Rated, map[string]any{"Count": a.Rated})})
	}
	chart.Texts = charts.Texts{Title: title + " — " + v.Label, Summary: t.T("report.chart.summary")}
	if len(chart.Bars) == 0 {
		chart.Texts.Summary = t.T("series.chart.empty")
	}
	return chart.SVG(), title
}
