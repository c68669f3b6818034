package handlers

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"portal/forms"
	"portal/forms/export"
	"portal/templates/views"
)

// statisticsStore is what the Office's statistics, coverage, views and
// exports read, and the population table they divide by.
type statisticsStore interface {
	// CallFigures returns indicators' figures as the call's statistics read them (imports' and other calls' where its submissions give none), with their aggregates.
	CallFigures(ctx context.Context, call forms.Call, q *forms.Questionnaire, lib []*forms.Questionnaire, inds []forms.Series, include bool) (map[forms.Series]forms.ReportFigures, error)
	// FlaggedFigures returns the breaks and outliers among the call's figures (CallFigures), with the States' explanations.
	FlaggedFigures(ctx context.Context, call forms.Call, q *forms.Questionnaire, lib []*forms.Questionnaire, include bool) ([]forms.Flagged, error)
	// Coverage counts each respondent's cells with a figure and marked, by table.
	Coverage(ctx context.Context, call forms.Call, includeSubmitted bool) ([]forms.CoverageRow, error)
	// Explanations returns what the States explained of the findings named, by State's code and finding.
	Explanations(ctx context.Context, call forms.Call, findings []string, includeSubmitted bool) (map[string]map[string]string, error)
	// ViewAnswers returns the answers (not tables) of the latest counted submissions, matching a search if given.
	ViewAnswers(ctx context.Context, call forms.Call, includeSubmitted bool, search string) ([]forms.ViewAnswer, error)
	// CallStatisticsRows streams the call's long dataset: its counted submissions' values, then what counts across calls and imports where they give none.
	CallStatisticsRows(ctx context.Context, call forms.Call, q *forms.Questionnaire, lib []*forms.Questionnaire, includeSubmitted bool, fn func(forms.StatRow) error) error
	// SavePopulations adds figures to the Office's population table (replacing those of the same State and year), audited.
	SavePopulations(ctx context.Context, rows []forms.Population, actor forms.Actor) error
	// SavePopulationUpload records an upload (kind, file) and stores its figures marked with it, in one transaction, audited.
	SavePopulationUpload(ctx context.Context, up forms.PopulationUpload, rows []forms.Population, actor forms.Actor, details map[string]string) (int64, error)
	// PopulationSummary describes the Office's population table.
	PopulationSummary(ctx context.Context) (forms.PopulationSummary, error)
	// Populations returns the Office's population table by State and year.
	Populations(ctx context.Context) ([]forms.Population, error)
	// FindPopulations returns the page of the population table a filter selects, and how many rows it selects.
	FindPopulations(ctx context.Context, f forms.PopulationFilter) (forms.PopulationPage, error)
}

// The Office's view of one indicator of a call's statistics: each State's
// series with its rate per 100,000 inhabitants (from the population it
// reported, else the Office's), the figures of the Office's series marked
// where the call's submissions give none, and each regional group's and
// the world's sum with its coverage and median rate (Store.CallFigures).

type statisticsPage struct {
	basePage
	CallKey, CallTitle            string
	Indicators                    []views.Option // table/row
	Categories                    []views.Option
	Include                       bool
	Years                         []int
	Groups                        []aggregateRow
	States                        []seriesRow
	Breaks, Unexplained, Outliers int
	Imported                      int // figures from imports of past series, not the call's submissions
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
	Cells []views.AggregateCell
}

type seriesRow struct {
	Code, Name string
	Cells      []seriesCell
}

type seriesCell struct {
	Value, Rate string
	Origin      string // "" for the call's submissions; forms.OriginImported otherwise
	Said        string // the origin, for screen readers
	Office      bool   // the rate's population is the Office's, not the State's
	Change      string // a break in the series: the change from the year before
	Explained   string // what the State said of the break, if anything
	Outlier     bool
}

// showStatistics shows one indicator of a call, by State and by group.
func (s *Server) showStatistics(c *gin.Context) error {
	ctx := c.Request.Context()
	call, q := scopeOf(c).resolvedCall()
	p := &statisticsPage{basePage: s.callBase(c, call), CallKey: call.Key, Years: call.Years, Include: c.Query("include") == "submitted"}
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
				p.Indicators = append(p.Indicators, views.Option{Value: key, Label: label, Checked: key == want})
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
		p.Categories = append(p.Categories, views.Option{Value: col, Label: label, Checked: col == category})
		known = known || col == category
	}
	if !known {
		return forms.Errorf(forms.KindNotFound, "no column %q", category)
	}
	ind := forms.Series{Question: table.Key, Row: row, Category: category}
	// The call's submissions and, where they give none, the imports' and
	// other calls' figures; the groups' and the world's sums, coverage and
	// medians of them.
	figs, err := s.store.CallFigures(ctx, call, q, s.series.all, []forms.Series{ind}, p.Include)
	if err != nil {
		return err
	}
	series, aggs := figs[ind].Values, figs[ind].Aggregates
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
			r = &aggregateRow{Name: names[a.Group], World: a.Group == "", Cells: make([]views.AggregateCell, len(call.Years))}
			byGroup[a.Group] = r
		}
		cell := views.AggregateCell{Coverage: p.Tn("statistics.coverage", a.Asked, map[string]any{"Reporting": a.Reporting, "Asked": a.Asked})}
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
		if _, ok := yearIndex[v.Year]; !ok {
			continue // a year before the call's, for the checks only
		}
		if n := len(p.States); n == 0 || p.States[n-1].Code != v.Organization.Code {
			p.States = append(p.States, seriesRow{Code: v.Organization.Code, Name: v.Organization.Name.In(p.Lang), Cells: make([]seriesCell, len(call.Years))})
		}
		cell := seriesCell{Value: forms.FormatCount(v.Value, p.Lang), Origin: string(v.Origin)}
		if v.Origin != "" {
			cell.Said = p.T("series.origin." + string(v.Origin))
			p.Imported++
		}
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

// Who reported what: for each respondent to a statistics call, the share
// of each table's cells over the call's years that hold a figure, and how
// many it marked not available or not applicable.

type coveragePage struct {
	basePage
	CallKey, CallTitle string
	Include            bool
	Tables             []string
	Rows               []coverageRow
}

type coverageRow struct {
	Name, Code, Reference string
	Submitted             bool
	Cells                 []coverageCell // by table, then the overall
}

type coverageCell struct {
	Share  string
	Marked int
	Full   bool
}

func (s *Server) showCoverage(c *gin.Context) error {
	call, q := scopeOf(c).resolvedCall()
	p := &coveragePage{basePage: s.callBase(c, call), CallKey: call.Key, Include: c.Query("include") == "submitted"}
	p.CallTitle = call.Title.In(p.Lang)
	p.Title = p.T("coverage.title") + " · " + p.CallTitle
	type table struct {
		key   string
		cells int
	}
	var tables []table
	for _, sec := range q.Sections {
		for _, qq := range sec.Questions {
			if qq.Table != nil {
				tables = append(tables, table{qq.Key, len(qq.Table.Rows) * len(q.Columns(qq.Table)) * len(call.Years)})
				p.Tables = append(p.Tables, qq.Label.In(p.Lang))
			}
		}
	}
	rows, err := s.store.Coverage(c.Request.Context(), call, p.Include)
	if err != nil {
		return err
	}
	cell := func(figures, marked, of int) coverageCell {
		if of == 0 {
			return coverageCell{}
		}
		return coverageCell{Share: strconv.Itoa(views.Percent(figures, of)) + " %", Marked: marked, Full: figures == of}
	}
	for _, r := range rows {
		row := coverageRow{Name: r.Organization.Name.In(p.Lang), Code: r.Organization.Code, Reference: r.Reference, Submitted: r.State != forms.Accepted}
		var figures, marked, all int
		for _, t := range tables {
			row.Cells = append(row.Cells, cell(r.Figures[t.key], r.Marked[t.key], t.cells))
			figures, marked, all = figures+r.Figures[t.key], marked+r.Marked[t.key], all+t.cells
		}
		row.Cells = append(row.Cells, cell(figures, marked, all))
		p.Rows = append(p.Rows, row)
	}
	s.render(c, http.StatusOK, "coverage", p)
	return nil
}

// exportStatistics streams a call's long dataset (one row per value) as
// XLSX or CSV: accepted submissions, and submitted ones with
// ?include=submitted; ?bom=1 puts a byte order mark before a CSV.
func (s *Server) exportStatistics(format string) handlerFunc {
	return func(c *gin.Context) error {
		ctx := c.Request.Context()
		call, q := scopeOf(c).resolvedCall()
		include := c.Query("include") == "submitted"
		filters := "accepted submissions"
		if include {
			filters = "accepted and submitted submissions"
		}
		lang := languageOf(c.Request)
		flagged, err := s.store.FlaggedFigures(ctx, call, q, s.series.all, include)
		if err != nil {
			return err
		}
		meta := export.Meta{Call: call, Questionnaire: q, Extracted: time.Now(), Filters: filters, Lang: lang, Flagged: flagged}
		name := "statistics-" + call.Key + "-" + strings.ReplaceAll(filters, " ", "-") + "-" + time.Now().UTC().Format("20060102") + "." + format
		var w *export.Writer
		if format == "csv" {
			download(c, name, csvType)
			w, err = export.NewCSV(c.Writer, meta, c.Query("bom") != "")
		} else {
			download(c, name, xlsxType)
			w, err = export.NewXLSX(c.Writer, meta)
		}
		if err != nil {
			return err
		}
		if err := s.store.CallStatisticsRows(ctx, call, q, s.series.all, include, w.Row); err != nil {
			return err
		}
		return w.Close()
	}
}
