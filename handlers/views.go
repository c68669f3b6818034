package handlers

import (
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"portal/forms"
	"portal/forms/export"
	"portal/templates/views"
)

// The compiled views of a call: for each question, every answer grouped by
// UN regional group and by State, in the reader's language where the UN
// has the name; how many respondents reported each option of the checklist
// questions, overall and by group; full-text search; filters.

type viewsPage struct {
	basePage
	CallKey, CallTitle string
	Filter             viewsFilter
	GroupOptions       []option
	OrgOptions         []option
	Export, ExportCSV  string
	Respondents        int
	Frequencies        []views.FrequencyTable
	Questions          []viewQuestion
}

type viewsFilter struct {
	Group, Org, Search string
	Include            bool
}

// viewsFilterOf reads the filters of the compiled views from the query.
func viewsFilterOf(c *gin.Context) viewsFilter {
	f := viewsFilter{Group: c.Query("group"), Org: strings.ToUpper(c.Query("org")), Search: strings.TrimSpace(c.Query("q")), Include: c.Query("include") == "submitted"}
	if utf8.RuneCountInString(f.Search) > 200 {
		f.Search = string([]rune(f.Search)[:200])
	}
	return f
}

// keeps reports whether the filters keep the answers of o.
func (f viewsFilter) keeps(o forms.Organization) bool {
	return (f.Group == "" || slices.Contains(views.GroupsOf(o), f.Group)) && (f.Org == "" || o.Code == f.Org)
}

// lists says whether the page and its export list an answer of a
// respondent the filter keeps: with words searched for, a narrative only
// where it has them; the respondent's other answers (its choices, which
// the frequencies count) all.
func (f viewsFilter) lists(q *forms.Question, a forms.ViewAnswer) bool {
	return a.Matched || q.Kind != forms.Narrative
}

type viewQuestion struct {
	Label  string
	Groups []viewGroup
}

type viewGroup struct {
	Name    string
	Answers []viewEntry
}

type viewEntry struct {
	Org, Text, Reference, Href string
	Submitted                  bool
}

// showViews shows a call's compiled views.
func (s *Server) showViews(c *gin.Context) error {
	ctx := c.Request.Context()
	call, q := scopeOf(c).resolvedCall()
	p := &viewsPage{basePage: s.callBase(c, call), CallKey: call.Key}
	p.CallTitle = call.Title.In(p.Lang)
	p.Title = p.T("views.title") + " · " + p.CallTitle
	p.Filter = viewsFilterOf(c)
	p.Export = "/office/calls/" + call.Key + "/views.xlsx?" + c.Request.URL.RawQuery
	p.ExportCSV = "/office/calls/" + call.Key + "/views.csv?" + c.Request.URL.RawQuery
	groups, err := s.store.RegionalGroups(ctx)
	if err != nil {
		return err
	}
	p.GroupOptions = []option{{"", p.T("tracking.filter.anygroup")}}
	names := map[string]string{views.GroupOther: p.T("tracking.group.other")}
	order := []string{}
	for _, g := range groups {
		p.GroupOptions = append(p.GroupOptions, option{g.Code, g.Name.In(p.Lang)})
		names[g.Code] = g.Name.In(p.Lang)
		order = append(order, g.Code)
	}
	order = append(order, views.GroupOther)
	p.GroupOptions = append(p.GroupOptions, option{views.GroupOther, names[views.GroupOther]})
	answers, err := s.store.ViewAnswers(ctx, call, p.Filter.Include, p.Filter.Search)
	if err != nil {
		return err
	}
	answers = q.VisibleViews(answers) // older versions may hold answers their others hide
	keep := p.Filter.keeps
	// Every respondent of the group chosen, in the order the store gives (English names).
	p.OrgOptions = []option{{"", p.T("views.filter.anyorg")}}
	listed := map[string]bool{}
	for _, a := range answers {
		if p.Filter.Group != "" && !slices.Contains(views.GroupsOf(a.Organization), p.Filter.Group) {
			continue
		}
		if !listed[a.Organization.Code] {
			listed[a.Organization.Code] = true
			p.OrgOptions = append(p.OrgOptions, option{a.Organization.Code, a.Organization.Name.In(p.Lang)})
		}
	}
	respondents := map[string]forms.Organization{}
	byQuestion := map[string][]forms.ViewAnswer{}
	for _, a := range answers {
		if !keep(a.Organization) {
			continue
		}
		respondents[a.Organization.Code] = a.Organization
		byQuestion[a.Question] = append(byQuestion[a.Question], a)
	}
	p.Respondents = len(respondents)
	perGroup := map[string]int{}
	for _, o := range respondents {
		for _, g := range views.GroupsOf(o) {
			perGroup[g]++
		}
	}
	b := &views.Builder{Text: p.Text, Q: q}
	for _, sec := range q.Sections {
		for qi := range sec.Questions {
			qq := &sec.Questions[qi]
			if qq.Kind == forms.StatTable || qq.Kind == forms.Attachment {
				continue
			}
			if qq.Kind == forms.MultipleChoice {
				p.Frequencies = append(p.Frequencies, views.Frequencies(p.Text, qq, byQuestion[qq.Key], order, names, perGroup, p.Respondents))
			}
			vq := viewQuestion{Label: qq.Label.In(p.Lang)}
			for _, g := range order {
				vg := viewGroup{Name: names[g]}
				for _, a := range byQuestion[qq.Key] {
					if !slices.Contains(views.GroupsOf(a.Organization), g) || !p.Filter.lists(qq, a) {
						continue
					}
					field := forms.AnswerField(qq.Key)
					text := b.DescribeField(field, forms.Answers{Values: map[string]forms.Answer{qq.Key: a.Answer}}.Field(field))
					vg.Answers = append(vg.Answers, viewEntry{Org: a.Organization.Name.In(p.Lang), Text: text, Reference: a.Reference,
						Href: "/office/calls/" + call.Key + "/orgs/" + a.Organization.Code, Submitted: a.State != forms.Accepted})
				}
				if len(vg.Answers) > 0 {
					vq.Groups = append(vq.Groups, vg)
				}
			}
			p.Questions = append(p.Questions, vq)
		}
	}
	s.render(c, http.StatusOK, "views", p)
	return nil
}

// exportViews sends the compiled views, with the page's filters, as XLSX
// or CSV: one row per answer, in the questionnaire's order, with the
// respondent's codes and groups and the receipt of the version it comes
// from.
func (s *Server) exportViews(format string) handlerFunc {
	return func(c *gin.Context) error {
		ctx := c.Request.Context()
		call, q := scopeOf(c).resolvedCall()
		f := viewsFilterOf(c)
		answers, err := s.store.ViewAnswers(ctx, call, f.Include, f.Search)
		if err != nil {
			return err
		}
		answers = q.VisibleViews(answers)
		t := s.newBase(c).Text
		byQuestion := map[string][]forms.ViewAnswer{}
		for _, a := range answers {
			if f.keeps(a.Organization) {
				byQuestion[a.Question] = append(byQuestion[a.Question], a)
			}
		}
		sheet := export.Sheet{Name: "Answers", Widths: map[int]float64{1: 18, 2: 24, 3: 50, 5: 30, 6: 18, 8: 22, 9: 90},
			Header: []string{"question_key", "section", "question", "iso3", "name", "regional_groups", "submission_state", "reference", "answer"}}
		for _, sec := range q.Sections {
			for qi := range sec.Questions {
				qq := &sec.Questions[qi]
				if !forms.Reportable(qq) {
					continue
				}
				for _, a := range byQuestion[qq.Key] {
					if !f.lists(qq, a) {
						continue
					}
					sheet.Rows = append(sheet.Rows, []any{qq.Key, sec.Title.In(t.Lang), qq.Label.In(t.Lang), a.Organization.Code, a.Organization.Name.In(t.Lang),
						strings.Join(a.Organization.RegionalGroups, " "), string(a.State), a.Reference, views.DescribeAnswer(t, qq, a.Answer)})
				}
			}
		}
		included := "accepted submissions"
		if f.Include {
			included = "accepted and submitted submissions"
		}
		about := [][2]string{{"Call", call.Title.In(t.Lang) + " (" + call.Key + ")"}, {"Mandate", call.Mandate.In(t.Lang)},
			{"Extracted", time.Now().UTC().Format(time.RFC3339)},
			{"Included", included + "; group: " + orAll(f.Group) + "; respondent: " + orAll(f.Org) + "; words: " + orAll(f.Search)}}
		filters := strings.ToLower(strings.Trim(strings.Join([]string{f.Group, f.Org, map[bool]string{true: "with-submitted"}[f.Include]}, "-"), "-"))
		return sendTable(c, "views-"+call.Key, filters, format, c.Query("bom") != "0", about, sheet)
	}
}
