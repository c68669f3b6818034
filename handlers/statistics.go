package handlers

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/forms"
)

// The Office's view of one indicator of a call's statistics: each State's
// series with its rate per 100,000 inhabitants (from the population it
// reported), and each regional group's and the world's sum with its
// coverage and median rate, computed by the database from the submissions.

type statisticsPage struct {
	basePage
	CallKey, CallTitle            string
	Indicators                    []optionView // table/row
	Categories                    []optionView
	Include                       bool
	Years                         []int
	Groups                        []aggregateRow
	States                        []seriesRow
	Breaks, Unexplained, Outliers int
	Indicator                     string
	ExportXLSX                    string
}

// Checks says how many figures to look at twice, each count in its plural form.
func (p *statisticsPage) Checks() string {
	return p.Tf("statistics.checks", map[string]any{
		"Breaks":      p.Tn("statistics.checks.breaks", p.Breaks, nil),
		"Unexplained": p.Tn("statistics.checks.unexplained", p.Unexplained, nil),
		"Outliers":    p.Tn("statistics.checks.outliers", p.Outliers, nil),
	})
}

type aggregateRow struct {
	Name  string
	World bool
	Cells []aggregateCell
}

type aggregateCell struct {
	Sum, Coverage, Median string
}

type seriesRow struct {
	Code, Name string
	Cells      []seriesCell
}

type seriesCell struct {
	Value, Rate string
	Office      bool   // the rate's population is the Office's, not the State's
	Change      string // a break in the series: the change from the year before
	Explained   string // what the State said of the break, if anything
	Outlier     bool
}

// showStatistics shows one indicator of a call, by State and by group.
func (s *Server) showStatistics(c *gin.Context) error {
	ctx := c.Request.Context()
	call, q := scopeOf(c).call, scopeOf(c).q
	p := &statisticsPage{basePage: s.newBase(c), CallKey: call.Key, Years: call.Years, Include: c.Query("include") == "submitted"}
	p.CallTitle = call.Title.In(p.Lang)
	p.Title = p.T("statistics.title") + " · " + p.CallTitle
	p.ExportXLSX = "/office/calls/" + call.Key + "/statistics.xlsx"
	// The indicator asked for, or the first row of the first table.
	var table *forms.Question
	want := c.Query("indicator")
	for si := range q.Sections {
		for qi := range q.Sections[si].Questions {
			qq := &q.Sections[si].Questions[qi]
			if qq.Table == nil || strings.HasPrefix(qq.Key, "population") {
				continue
			}
			for _, r := range qq.Table.Rows {
				key := qq.Key + "/" + r.Key
				if want == "" {
					want = key
				}
				label := qq.Label.In(p.Lang) + " — " + r.Label.In(p.Lang)
				if r.ICCS != "" {
					label += " (ICCS " + r.ICCS + ")"
				}
				p.Indicators = append(p.Indicators, optionView{Value: key, Label: label, Checked: key == want})
				if key == want {
					table = qq
				}
			}
		}
	}
	if len(p.Indicators) == 0 { // a questionnaire without tables
		s.render(c, http.StatusOK, "statistics", p)
		return nil
	}
	if table == nil {
		return forms.Errorf(forms.KindNotFound, "no indicator %q", want)
	}
	p.Indicator = want
	_, row, _ := strings.Cut(want, "/")
	category := c.Query("category")
	if category == "" {
		category = forms.TotalCategory
	}
	known := false
	for _, col := range q.Columns(table.Table) {
		label := p.T("table.total")
		if col != forms.TotalCategory {
			for _, o := range q.Disaggregations[table.Table.Disaggregation].Categories {
				if o.Key == col {
					label = o.Label.In(p.Lang)
				}
			}
		}
		p.Categories = append(p.Categories, optionView{Value: col, Label: label, Checked: col == category})
		known = known || col == category
	}
	if !known {
		return forms.Errorf(forms.KindNotFound, "no column %q", category)
	}
	ind := forms.Series{Question: table.Key, Row: row, Category: category}
	aggs, err := s.store.Aggregates(ctx, call, ind, p.Include)
	if err != nil {
		return err
	}
	groups, err := s.store.RegionalGroups(ctx)
	if err != nil {
		return err
	}
	names := map[string]string{"": p.T("statistics.world")}
	for _, g := range groups {
		names[g.Code] = g.Name.In(p.Lang)
	}
	yearIndex := map[int]int{}
	for i, y := range call.Years {
		yearIndex[y] = i
	}
	byGroup := map[string]*aggregateRow{}
	for _, a := range aggs {
		r, ok := byGroup[a.Group]
		if !ok {
			r = &aggregateRow{Name: names[a.Group], World: a.Group == "", Cells: make([]aggregateCell, len(call.Years))}
			byGroup[a.Group] = r
		}
		cell := aggregateCell{Coverage: p.Tn("statistics.coverage", a.Asked, map[string]any{"Reporting": a.Reporting, "Asked": a.Asked})}
		if a.Reporting > 0 {
			cell.Sum = forms.FormatCount(a.Sum, p.Lang)
		}
		if a.Rated > 0 {
			cell.Median = p.Rate(a.MedianRate)
		}
		r.Cells[yearIndex[a.Year]] = cell
	}
	for _, g := range append(groups, forms.RegionalGroup{}) { // in the groups' order, the world last
		if r, ok := byGroup[g.Code]; ok {
			p.Groups = append(p.Groups, *r)
		}
	}
	series, err := s.store.Series(ctx, call, ind, p.Include)
	if err != nil {
		return err
	}
	// The figures to look at twice, by State and year, breaks with what
	// the States explained.
	type at struct {
		code string
		year int
	}
	flagged := forms.FlagSeries(q, []forms.Series{ind}, map[forms.Series][]forms.SeriesValue{ind: series})
	var findings []string
	flags := make(map[at]*forms.Flagged, len(flagged))
	for i, f := range flagged {
		flags[at{f.Organization.Code, f.Year}] = &flagged[i]
		if f.Finding != "" {
			findings = append(findings, f.Finding)
		}
	}
	explained := map[string]map[string]string{}
	if len(findings) > 0 {
		if explained, err = s.store.Explanations(ctx, call, findings, p.Include); err != nil {
			return err
		}
	}
	for _, v := range series {
		if n := len(p.States); n == 0 || p.States[n-1].Code != v.Organization.Code {
			p.States = append(p.States, seriesRow{Code: v.Organization.Code, Name: v.Organization.Name.In(p.Lang), Cells: make([]seriesCell, len(call.Years))})
		}
		cell := seriesCell{Value: forms.FormatCount(v.Value, p.Lang)}
		if r, ok := v.Rate(); ok {
			cell.Rate, cell.Office = p.Rate(r), v.PopulationSource == forms.PopulationOffice
		}
		f := flags[at{v.Organization.Code, v.Year}]
		if f != nil && f.Break {
			p.Breaks++
			cell.Change = "↑"
			if f.HasChange {
				cell.Change = p.Change(f.Change)
			}
			cell.Explained = explained[v.Organization.Code][f.Finding]
			if cell.Explained == "" {
				p.Unexplained++
			}
		}
		if f != nil && f.Outlier {
			cell.Outlier = true
			p.Outliers++
		}
		p.States[len(p.States)-1].Cells[yearIndex[v.Year]] = cell
	}
	s.render(c, http.StatusOK, "statistics", p)
	return nil
}
