package handlers

import (
	"cmp"
	"context"
	"math"
	"net/http"
	"slices"
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
	// Series returns every State's figure of an indicator with the population it reported.
	Series(ctx context.Context, call forms.Call, ind forms.Series, includeSubmitted bool) ([]forms.SeriesValue, error)
	// Coverage counts each respondent's cells with a figure and marked, by table.
	Coverage(ctx context.Context, call forms.Call, includeSubmitted bool) ([]forms.CoverageRow, error)
	// Explanations returns what the States explained of the findings named, by State's code and finding.
	Explanations(ctx context.Context, call forms.Call, findings []string, includeSubmitted bool) (map[string]map[string]string, error)
	// ViewAnswers returns the answers (not tables) of the latest counted submissions, matching a search if given.
	ViewAnswers(ctx context.Context, call forms.Call, includeSubmitted bool, search string) ([]forms.ViewAnswer, error)
	// StatisticsRows streams every value of the call's accepted (and, if asked, submitted) submissions.
	StatisticsRows(ctx context.Context, call forms.Call, includeSubmitted bool, fn func(forms.StatRow) error) error
	// ImportedStatisticsRows streams the imported figures of the call's cells and years that no counted submission gives.
	ImportedStatisticsRows(ctx context.Context, call forms.Call, sources []forms.SeriesSource, includeSubmitted bool, fn func(forms.StatRow) error) error
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
// reported), and each regional group's and the world's sum with its
// coverage and median rate, computed by the database from the submissions.

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
	base, err := s.loadSeriesBase(ctx, p.Include)
	if err != nil {
		return err
	}
	series, err := s.callSeries(ctx, base, call, q, ind, p.Include)
	if err != nil {
		return err
	}
	// The groups' and the world's sums, coverage and medians, of the
	// figures above: the call's submissions and, where they give none, the
	// imports' and other calls'.
	aggs, err := s.callAggregates(ctx, call, series)
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
		flagged, err := s.flaggedFigures(ctx, call, q, include)
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
		if err := s.store.StatisticsRows(ctx, call, include, w.Row); err != nil {
			return err
		}
		// Then what imports of past series give where the submissions give nothing.
		var codes []string
		for _, cell := range q.SeriesCells() {
			codes = append(codes, cell.Code)
		}
		if err := s.store.ImportedStatisticsRows(ctx, call, forms.SeriesSources([]*forms.Questionnaire{q}, codes...), include, w.Row); err != nil {
			return err
		}
		return w.Close()
	}
}

// callSeries returns an indicator's figures as a call's statistics read
// them, by State and year: its counted submissions' and, from the series
// across calls and imports (pastFigures), a State's year without one and
// the year before the call's first, against which its breaks are checked.
func (s *Server) callSeries(ctx context.Context, base seriesBase, call forms.Call, q *forms.Questionnaire, ind forms.Series, include bool) ([]forms.SeriesValue, error) {
	values, err := s.store.Series(ctx, call, ind, include)
	if err != nil {
		return nil, err
	}
	past, err := s.pastFigures(ctx, base, call, q, ind, values, include)
	if err != nil {
		return nil, err
	}
	values = append(values, past...)
	slices.SortStableFunc(values, func(a, b forms.SeriesValue) int {
		return cmp.Or(cmp.Compare(a.Organization.Code, b.Organization.Code), cmp.Compare(a.Year, b.Year))
	})
	return values, nil
}

// pastFigures returns the figures of ind that the call's submissions do not
// give (values), for the States the call asks: for each of the call's
// years without a submitted figure, the current figure across calls and
// imports (forms.Origin set), and each State's figure of the year before
// the call's first, for the break checks; with their populations.
func (s *Server) pastFigures(ctx context.Context, base seriesBase, call forms.Call, q *forms.Questionnaire, ind forms.Series, values []forms.SeriesValue, include bool) ([]forms.SeriesValue, error) {
	code := ""
	for _, c := range q.SeriesCells() {
		if c.Question == ind.Question && c.Row == ind.Row && c.Category == ind.Category {
			code = c.Code
		}
	}
	if code == "" || len(call.Years) == 0 {
		return nil, nil
	}
	if _, ok := base.idx.cells[code]; !ok {
		return nil, nil
	}
	d, err := base.load(ctx, s, code, include, false, nil)
	if err != nil {
		return nil, err
	}
	type key struct {
		code string
		year int
	}
	have := map[key]bool{}
	orgs := map[string]forms.Organization{}
	for _, v := range values {
		have[key{v.Organization.Code, v.Year}] = true
		orgs[v.Organization.Code] = v.Organization
	}
	wanted := map[int]bool{call.Years[0] - 1: true}
	for _, y := range call.Years {
		wanted[y] = true
	}
	var out []forms.SeriesValue
	for _, f := range d.figures {
		a := d.areas[f.Area]
		if !f.Current || !wanted[f.Year] || have[key{f.Area, f.Year}] || a.Kind != forms.AreaState || f.Origin == forms.OriginSubmitted && !include {
			continue
		}
		o, ok := orgs[f.Area]
		if !ok {
			kind := forms.ObserverState
			if a.Member {
				kind = forms.MemberState
			}
			o = forms.Organization{Code: f.Area, Kind: kind, Name: a.Name, RegionalGroups: a.Groups}
			if !call.Asks(o) {
				continue
			}
		}
		v := forms.SeriesValue{Organization: o, Year: f.Year, Value: int64(math.Round(f.Value)), Origin: f.Origin}
		if f.Origin == forms.OriginAccepted || f.Origin == forms.OriginSubmitted {
			v.Origin = forms.OriginImported // another call's: not this call's submission either
			if f.Call != "" && f.Call != call.Key {
				v.Origin = forms.Origin("call")
			}
		}
		if p := d.pops[forms.PopulationKey{Area: f.Area, Year: f.Year}]; p.Value > 0 {
			v.Population, v.PopulationSource = p.Value, p.Origin
		}
		out = append(out, v)
	}
	return out, nil
}

// callAggregates sums values (the call's years, and the year before) over
// each UN regional group and the world, year by year, over the Member
// States the call asks: how many reported of how many, the sum, and the
// median rate of those with a population (forms.AggregateFigures). Groups
// come in no order; the world is Group "".
func (s *Server) callAggregates(ctx context.Context, call forms.Call, values []forms.SeriesValue) ([]forms.Aggregate, error) {
	states, err := s.store.Organizations(ctx, forms.MemberState)
	if err != nil {
		return nil, err
	}
	areas := map[string]forms.Area{}
	for _, o := range states {
		if call.Asks(o) {
			areas[o.Code] = forms.Area{Code: o.Code, Kind: forms.AreaState, Member: true, Groups: o.RegionalGroups}
		}
	}
	var figures []forms.Figure
	pops := map[forms.PopulationKey]forms.PopulationUsed{}
	for _, v := range values {
		k := forms.PopulationKey{Area: v.Organization.Code, Year: v.Year}
		figures = append(figures, forms.Figure{Area: k.Area, Year: k.Year, Value: float64(v.Value), Current: true})
		if v.Population > 0 {
			pops[k] = forms.PopulationUsed{Value: v.Population}
		}
	}
	var out []forms.Aggregate
	for _, a := range forms.AggregateFigures(figures, areas, pops, call.Years, nil) {
		if a.Kind != forms.AggregateWorld && a.Kind != forms.AggregateGroup {
			continue
		}
		out = append(out, forms.Aggregate{Group: a.Code, Year: a.Year, Reporting: a.Reporting, Asked: a.Members,
			Sum: int64(math.Round(a.Sum)), MedianRate: a.MedianRate, Rated: a.Rated})
	}
	return out, nil
}

// flaggedFigures returns the totals of every indicator of q (those a report
// compiles) that forms.FlagSeries flags as a break or an outlier in the
// call's years, from the figures the statistics page shows (the call's
// submissions and, where they give none, imports' and other calls', with
// the year before the call's first for the breaks), each break with the
// State's explanation when it gave one in its submission to the call.
func (s *Server) flaggedFigures(ctx context.Context, call forms.Call, q *forms.Questionnaire, include bool) ([]forms.Flagged, error) {
	inds := forms.ReportSeries(q)
	values := make(map[forms.Series][]forms.SeriesValue, len(inds))
	base, err := s.loadSeriesBase(ctx, include)
	if err != nil {
		return nil, err
	}
	for _, ind := range inds {
		if values[ind], err = s.callSeries(ctx, base, call, q, ind, include); err != nil {
			return nil, err
		}
	}
	var flagged []forms.Flagged
	var findings []string
	for _, f := range forms.FlagSeries(q, inds, values) {
		if !slices.Contains(call.Years, f.Year) {
			continue // the year before the call's: checked against, not reported
		}
		flagged = append(flagged, f)
		if f.Finding != "" {
			findings = append(findings, f.Finding)
		}
	}
	if len(findings) == 0 {
		return flagged, nil
	}
	explained, err := s.store.Explanations(ctx, call, findings, include)
	if err != nil {
		return nil, err
	}
	for i, f := range flagged {
		if f.Finding != "" {
			flagged[i].Explanation = explained[f.Organization.Code][f.Finding]
		}
	}
	return flagged, nil
}
