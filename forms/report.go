package forms

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The compiled report of a call for the Commission. An analyst writes the
// frame (title, introduction, a summary for some questions: a ReportDraft);
// releasing it assembles the report from the accepted submissions as they
// are and freezes it as a numbered Report that never changes, whatever
// happens to the submissions afterwards. Everything a reader sees is in the
// Report, labels in the six languages included, so that a release reads
// the same in ten years as on the day it was made.

// Limits on what an analyst writes in a report's frame.
const (
	MaxReportTitle   = 300
	MaxReportText    = 20000 // the introduction
	MaxReportSummary = 10000 // a question's summary
)

// ReportDraft is what the analyst has written so far for a call's report.
type ReportDraft struct {
	ReportText // as the analysts first wrote it: the original
	// Language is the original's language, "" when not said.
	Language Language
	// Translations holds the text in other languages, by language; a
	// reader sees their language's where there is one, else the original.
	// A translation has a summary only where the original has one.
	Translations map[Language]ReportText
	UpdatedAt    time.Time
	UpdatedBy    string
}

// ReportText is the analysts' own words in a report.
type ReportText struct {
	Title        string
	Introduction string
	// Summaries holds the analyst's summary of the answers to a question,
	// by question key. A question with a summary shows it in the report's
	// body and the answers in full in the annex; one without shows the
	// answers in the body.
	Summaries map[string]string `json:",omitempty"`
}

// Pruned returns the translations as they apply to the original: without
// the summaries the original no longer has, and without the languages
// left with nothing.
func (d ReportDraft) Pruned() map[Language]ReportText {
	out := map[Language]ReportText{}
	for l, t := range d.Translations {
		if l == d.Language { // the original is in that language
			continue
		}
		p := ReportText{Title: t.Title, Introduction: t.Introduction}
		if d.Introduction == "" {
			p.Introduction = ""
		}
		for k, v := range t.Summaries {
			if d.Summaries[k] != "" && v != "" {
				if p.Summaries == nil {
					p.Summaries = map[string]string{}
				}
				p.Summaries[k] = v
			}
		}
		if p.Title != "" || p.Introduction != "" || len(p.Summaries) > 0 {
			out[l] = p
		}
	}
	return out
}

// ValidateTranslation checks a translation of d's text: the lengths, and
// that it translates only what the original says (a summary only where
// the original has one). Its error's Fields are as Validate's.
func (d ReportDraft) ValidateTranslation(t ReportText) error {
	fields := map[string]string{}
	t.check(fields, func(question string) string {
		if d.Summaries[question] == "" {
			return "report.error.untranslatable"
		}
		return ""
	})
	if len(fields) > 0 {
		return &Error{Kind: KindInvalid, Message: "the report's translation is not valid", Fields: fields}
	}
	return nil
}

// Validate checks the lengths and that every summary is of a question of
// q that takes a written or chosen answer. It returns a KindInvalid error
// whose Fields name each problem, by form field ("language", "title",
// "introduction", "summary/<question>").
func (d ReportDraft) Validate(q *Questionnaire) error {
	fields := map[string]string{}
	d.check(fields, func(question string) string {
		if qq, ok := q.Question(question); !ok || !Reportable(qq) {
			return "report.error.question"
		}
		return ""
	})
	if strings.TrimSpace(d.Title) == "" {
		fields["title"] = "report.error.title"
	}
	if _, ok := ParseLanguage(string(d.Language)); !ok && d.Language != "" {
		fields["language"] = "report.error.language"
	}
	if len(fields) > 0 {
		return &Error{Kind: KindInvalid, Message: "the report's text is not valid", Fields: fields}
	}
	return nil
}

// check adds to fields (catalogue IDs by form field) each text of t over
// its limit, and each summary that refuse refuses, with its reason.
func (t ReportText) check(fields map[string]string, refuse func(question string) string) {
	if utf8.RuneCountInString(t.Title) > MaxReportTitle {
		fields["title"] = "report.error.long"
	}
	if utf8.RuneCountInString(t.Introduction) > MaxReportText {
		fields["introduction"] = "report.error.long"
	}
	for k, v := range t.Summaries {
		if why := refuse(k); why != "" {
			fields["summary/"+k] = why
		} else if utf8.RuneCountInString(v) > MaxReportSummary {
			fields["summary/"+k] = "report.error.long"
		}
	}
}

// Reportable reports whether the answers to q are compiled in a report's
// body: every question but tables (in the statistical annex) and files.
func Reportable(q *Question) bool { return q.Kind != StatTable && q.Kind != Attachment }

// ReportFormat is the format of the releases this code writes and reads.
const ReportFormat = 1

// Report is a released report: the frame, and the answers and figures as
// they were when it was released.
type Report struct {
	// Format is the version of this structure the release was stored
	// with (ReportFormat when released). A release is never rewritten: a
	// change to these types that old releases cannot decode into needs a
	// new format and a reader for the old.
	Format     int
	Number     int // 1 for the first release of a call's report, then 2, ...
	ReleasedAt time.Time
	ReleasedBy string

	Call                ReportCall
	Title, Introduction string
	// Language is the language of Title, Introduction and the summaries
	// ("" when not said); Translations are the analysts' words in other
	// languages. Both were added in format 1 without changing it: older
	// releases have neither.
	Language            Language                `json:",omitempty"`
	Translations        map[Language]ReportText `json:",omitempty"`
	Groups              []RegionalGroup         // the UN regional groups, in their order
	Sources             []ReportSource          // every respondent's submission version, by English name
	Questions           []ReportQuestion
	Indicators          []ReportIndicator // the statistical annex
	IncludesNotReviewed bool              // false: accepted submissions only
	// Past lists what the annex's figures come from where no accepted
	// submission to the call gives one (imports of past series, other
	// calls' submissions, sums of parts of States), and Areas the States
	// with such figures that are not among the Sources. Both were added
	// in format 1 without changing it: older releases have neither.
	Past  []ReportPast   `json:",omitempty"`
	Areas []Organization `json:",omitempty"`
}

// ReportPast is where figures of the annex come from that no accepted
// submission to the call gives: an import of past series (with the source
// its rows name), another call's accepted submission, or the sum of a
// State's parts.
type ReportPast struct {
	Origin    Origin // OriginImported, OriginCall or OriginParts
	Reference string // the import's, the receipt, or those of the parts' figures
	Call      string `json:",omitempty"` // the other call's key
	Source    string `json:",omitempty"` // what the import says the figures' source is
}

// Anchor is the past source's identifier in the report's page.
func (p ReportPast) Anchor(i int) string { return "past-" + strconv.Itoa(i+1) }

// ReportCall is what a report says of its call.
type ReportCall struct {
	Key, Reference string
	Title          Text
	Mandate, Body  Text
	Deadline       time.Time
	Asked          int // how many organizations the call asked
}

// ReportSource is one respondent's submission version a report draws on:
// every answer and figure in the report names one.
type ReportSource struct {
	Organization Organization
	Reference    string // the receipt, such as CCPCJ22-P4-AUT-2
	Version      int
	SubmittedAt  time.Time
	Checksum     string
}

// Anchor is the source's identifier in the report's page, for links from
// the figures that come from it.
func (s ReportSource) Anchor() string { return "source-" + s.Organization.Code }

// ReportQuestion is one question with every respondent's answer.
type ReportQuestion struct {
	Question Question // as the questionnaire defined it (no table)
	Section  Text
	Summary  string
	Answers  []ReportAnswer // by the respondent's English name
}

// ReportAnswer is one respondent's answer to a question.
type ReportAnswer struct {
	Source string // the organization's code, naming its ReportSource
	Answer Answer
}

// ReportIndicator is one row of a statistical table in the annex: the
// total each State reported, year by year, with its population, and the
// sums over each regional group and the world with their coverage.
type ReportIndicator struct {
	Table, Row string // keys
	Label      Text   // the table's label — the row's
	ICCS       string
	Unit       Text
	Years      []int
	Aggregates []Aggregate // by group in the order of Groups, then the world (Group "")
	States     []ReportSeriesRow
}

// ReportSeriesRow is one State's figures of an indicator, year by year:
// compact, since a report of every State over twenty years holds some
// 230,000 of them (Report.SeriesValues expands them for readers).
type ReportSeriesRow struct {
	Source      string   `json:"source"`                 // the State's code, naming its ReportSource
	Values      []*int64 `json:"values"`                 // by the indicator's Years; nil where none
	Population  []int64  `json:"population"`             // by year; 0 where none
	OfficeYears []int    `json:"office_years,omitempty"` // the years whose population is the Office's
	// From says, by year, where a figure comes from that is not the
	// State's accepted submission to the call: i+1 for the report's
	// Past[i], 0 for the submission. Absent when every figure is the
	// submission's (and in older releases).
	From []int `json:"from,omitempty"`
}

// SeriesValues returns the figures of ind, State by State (in the order
// of its rows) and year by year, each with its State from the report's
// sources.
func (r *Report) SeriesValues(ind *ReportIndicator) []SeriesValue {
	var out []SeriesValue
	for _, row := range ind.States {
		o := r.Organization(row.Source)
		for i, y := range ind.Years {
			if i >= len(row.Values) || row.Values[i] == nil {
				continue
			}
			v := SeriesValue{Organization: o, Year: y, Value: *row.Values[i]}
			if i < len(row.From) && row.From[i] > 0 && row.From[i] <= len(r.Past) {
				p := r.Past[row.From[i]-1]
				v.Origin = p.Origin
				v.Past = &Figure{Area: o.Code, Year: y, Value: float64(v.Value), Origin: p.Origin, Reference: p.Reference, Call: p.Call, Source: p.Source, Current: true}
			}
			if i < len(row.Population) && row.Population[i] > 0 {
				v.Population, v.PopulationSource = row.Population[i], PopulationReported
				if slices.Contains(row.OfficeYears, y) {
					v.PopulationSource = PopulationOffice
				}
			}
			out = append(out, v)
		}
	}
	return out
}

// Organization is the State or organization with the code among the
// report's sources and areas.
func (r *Report) Organization(code string) Organization {
	if src, ok := r.Source(code); ok {
		return src.Organization
	}
	for _, o := range r.Areas {
		if o.Code == code {
			return o
		}
	}
	return Organization{Code: code}
}

// PastOf returns the Past entry a value comes from, and false for a
// value of the State's submission to the call.
func (r *Report) PastOf(v SeriesValue) (int, ReportPast, bool) {
	if v.Past == nil {
		return 0, ReportPast{}, false
	}
	for i, p := range r.Past {
		if p.Origin == v.Origin && p.Reference == v.Past.Reference && p.Call == v.Past.Call && p.Source == v.Past.Source {
			return i, p, true
		}
	}
	return 0, ReportPast{}, false
}

// pastIndex gives a figure's Past entry (1-based), adding it to r.Past.
func (r *Report) pastIndex(v SeriesValue, index map[ReportPast]int) int {
	if v.Origin == "" || v.Past == nil {
		return 0
	}
	p := ReportPast{Origin: v.Origin, Reference: v.Past.Reference, Source: v.Past.Source}
	if v.Origin == OriginCall {
		p.Call, p.Source = v.Past.Call, ""
	}
	if i, ok := index[p]; ok {
		return i
	}
	r.Past = append(r.Past, p)
	index[p] = len(r.Past)
	return len(r.Past)
}

// seriesRows packs an indicator's values (by State, then year) into rows,
// naming where each figure not of the call's submissions comes from in
// r.Past (pasts: the entries so far) and each State without a source in
// r.Areas.
func (r *Report) seriesRows(values []SeriesValue, years []int, pasts map[ReportPast]int) []ReportSeriesRow {
	index := make(map[int]int, len(years))
	for i, y := range years {
		index[y] = i
	}
	var rows []ReportSeriesRow
	for _, v := range values {
		yi, ok := index[v.Year]
		if !ok {
			continue
		}
		if n := len(rows); n == 0 || rows[n-1].Source != v.Organization.Code {
			rows = append(rows, ReportSeriesRow{Source: v.Organization.Code, Values: make([]*int64, len(years)), Population: make([]int64, len(years))})
		}
		row := &rows[len(rows)-1]
		value := v.Value
		row.Values[yi], row.Population[yi] = &value, v.Population
		if from := r.pastIndex(v, pasts); from > 0 {
			if row.From == nil {
				row.From = make([]int, len(years))
			}
			row.From[yi] = from
			if _, ok := r.Source(v.Organization.Code); !ok && !slices.ContainsFunc(r.Areas, func(o Organization) bool { return o.Code == v.Organization.Code }) {
				r.Areas = append(r.Areas, v.Organization)
			}
		}
		if v.PopulationSource == PopulationOffice {
			row.OfficeYears = append(row.OfficeYears, v.Year)
		}
	}
	return rows
}

// Frequency counts how many respondents chose each option of a multiple
// choice question, overall and in each regional group.
type Frequency struct {
	Option Option
	Total  int
	Groups map[string]int // by group code
}

// Frequencies counts the choices of the answers to rq among the report's
// sources: one row per option (and "other" when the question has it,
// labelled other), in the question's order.
func (r *Report) Frequencies(rq *ReportQuestion, other Text) []Frequency {
	groups := map[string][]string{}
	for _, s := range r.Sources {
		groups[s.Organization.Code] = s.Organization.RegionalGroups
	}
	options := slices.Clone(rq.Question.Options)
	if rq.Question.Other {
		options = append(options, Option{Key: "other", Label: other})
	}
	out := make([]Frequency, len(options))
	for i, o := range options {
		out[i] = Frequency{Option: o, Groups: map[string]int{}}
		for _, a := range rq.Answers {
			if !slices.Contains(a.Answer.Choices, o.Key) {
				continue
			}
			out[i].Total++
			for _, g := range groups[a.Source] {
				out[i].Groups[g]++
			}
		}
	}
	return out
}

// Respondents counts the report's sources in each regional group, by code;
// an organization in no group counts under "".
func (r *Report) Respondents() map[string]int {
	n := map[string]int{}
	for _, s := range r.Sources {
		if len(s.Organization.RegionalGroups) == 0 {
			n[""]++
		}
		for _, g := range s.Organization.RegionalGroups {
			n[g]++
		}
	}
	return n
}

// Source returns the source of code, and false when the report has none.
func (r *Report) Source(code string) (ReportSource, bool) {
	for _, s := range r.Sources {
		if s.Organization.Code == code {
			return s, true
		}
	}
	return ReportSource{}, false
}

// FileName is the base of the names of the report's files, such as
// report-CCPCJ22-P4-v2.
func (r *Report) FileName() string {
	ref := r.Call.Reference
	if ref == "" {
		ref = r.Call.Key
	}
	return "report-" + ref + "-v" + strconv.Itoa(r.Number)
}

// TextIn returns the report's title, introduction and the summary of
// each question in l: the translation's where there is one, else the
// original.
func (r *Report) TextIn(l Language) ReportText {
	out := ReportText{Title: r.Title, Introduction: r.Introduction, Summaries: map[string]string{}}
	for _, q := range r.Questions {
		if q.Summary != "" {
			out.Summaries[q.Question.Key] = q.Summary
		}
	}
	t, ok := r.Translations[l]
	if !ok {
		return out
	}
	if t.Title != "" {
		out.Title = t.Title
	}
	if t.Introduction != "" {
		out.Introduction = t.Introduction
	}
	for k, v := range t.Summaries {
		if out.Summaries[k] != "" && v != "" {
			out.Summaries[k] = v
		}
	}
	return out
}

// TitleIn is the release's title in l: its translation, else the original.
func (r ReportRelease) TitleIn(l Language) string {
	if t := r.Titles[l]; t != "" {
		return t
	}
	return r.Title
}

// ReportRelease is one line in the list of a call's releases.
type ReportRelease struct {
	CallKey    string
	CallTitle  Text
	Number     int
	Title      string
	Titles     map[Language]string // the title's translations
	ReleasedAt time.Time
	ReleasedBy string
	Sources    int
}

// ReportInputs is what a report is assembled from, read in one snapshot.
type ReportInputs struct {
	Groups  []RegionalGroup
	Asked   int
	Sources []ReportSource // the latest accepted version of each respondent
	Answers []ViewAnswer   // their answers, other than tables
	Figures map[Series]ReportFigures
}

// ReportFigures are one indicator's figures: the aggregates and each
// State's values.
type ReportFigures struct {
	Aggregates []Aggregate
	Values     []SeriesValue
}

// ReportSeries lists the indicators of q's statistical annex: the total
// of every row of every table but the population (the denominator of the
// rates, not an indicator).
func ReportSeries(q *Questionnaire) []Series {
	var out []Series
	for _, sec := range q.Sections {
		for _, qq := range sec.Questions {
			if qq.Table == nil || strings.HasPrefix(qq.Key, "population") {
				continue
			}
			for _, r := range qq.Table.Rows {
				out = append(out, Series{Question: qq.Key, Row: r.Key, Category: TotalCategory})
			}
		}
	}
	return out
}

// AssembleReport puts the frame d around the answers and figures of in,
// following the questionnaire's order. The result is not numbered.
func AssembleReport(call Call, q *Questionnaire, d ReportDraft, in ReportInputs) Report {
	r := Report{
		Format: ReportFormat,
		Call: ReportCall{Key: call.Key, Reference: call.Reference, Title: call.Title, Mandate: call.Mandate, Body: call.Body,
			Deadline: call.Deadline, Asked: in.Asked},
		Title: d.Title, Introduction: d.Introduction, Language: d.Language,
		Groups: in.Groups, Sources: in.Sources,
	}
	if t := d.Pruned(); len(t) > 0 {
		r.Translations = t
	}
	past := map[ReportPast]int{}
	byQuestion := map[string][]ReportAnswer{}
	for _, a := range q.VisibleViews(in.Answers) { // an answer the others hide is not reported
		byQuestion[a.Question] = append(byQuestion[a.Question], ReportAnswer{Source: a.Organization.Code, Answer: a.Answer})
	}
	for _, sec := range q.Sections {
		for _, qq := range sec.Questions {
			if qq.Table != nil {
				for _, row := range qq.Table.Rows {
					ind := Series{Question: qq.Key, Row: row.Key, Category: TotalCategory}
					f, ok := in.Figures[ind]
					if !ok {
						continue
					}
					label := Text{}
					for _, l := range Languages {
						label[l] = qq.Label.In(l) + " — " + row.Label.In(l)
					}
					r.Indicators = append(r.Indicators, ReportIndicator{Table: qq.Key, Row: row.Key, Label: label, ICCS: row.ICCS,
						Unit: qq.Unit, Years: call.Years, Aggregates: f.Aggregates, States: r.seriesRows(f.Values, call.Years, past)})
				}
				continue
			}
			if !Reportable(&qq) {
				continue
			}
			frozen := qq
			frozen.Table = nil
			r.Questions = append(r.Questions, ReportQuestion{Question: frozen, Section: sec.Title, Summary: d.Summaries[qq.Key],
				Answers: byQuestion[qq.Key]})
		}
	}
	return r
}
