package handlers

import (
	"context"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"portal/forms"
	"portal/templates/charts"
	"portal/templates/views"
)

// The Office's series across calls and imports (docs/statistics.md): a
// series' figures by State and year from every submission and import,
// each marked with its origin; its aggregates by M49 region and sub-region
// and by UN regional group for a year, with a chart; a State's series with
// its rates, its breaks and its history; and the long export.

// seriesStore is what the series pages read.
type seriesStore interface {
	// Figures returns the figures a query selects, sums of parts made.
	Figures(ctx context.Context, q forms.SeriesQuery, areas map[string]forms.Area) ([]forms.Figure, error)
	// Areas returns every area a figure may be of, by code.
	Areas(ctx context.Context) (map[string]forms.Area, error)
	// SeriesBase returns the areas and the population each area's rates use by year.
	SeriesBase(ctx context.Context, lib []*forms.Questionnaire, include bool) (map[string]forms.Area, map[forms.PopulationKey]forms.PopulationUsed, error)
	// Regions returns the M49 regions and sub-regions in their order.
	Regions(ctx context.Context) ([]forms.Region, error)
	// ExplanationsOf returns what the versions with the receipts explained of the findings, by receipt and finding.
	ExplanationsOf(ctx context.Context, references, findings []string) (map[string]map[string]string, error)
}

// seriesIndex is every series of the questionnaires, with the labels of
// the latest version that has it.
type seriesIndex struct {
	codes []string // in the order of the questionnaires' tables
	cells map[string]forms.SeriesCell
	all   []*forms.Questionnaire
}

func newSeriesIndex(lib Questionnaires) seriesIndex {
	idx := seriesIndex{cells: map[string]forms.SeriesCell{}, all: lib.All()}
	// Latest versions first, so that their labels win.
	qs := slices.Clone(idx.all)
	slices.Reverse(qs)
	for _, q := range qs {
		for _, c := range q.SeriesCells() {
			if c.Repeat {
				continue
			}
			if _, ok := idx.cells[c.Code]; !ok {
				idx.cells[c.Code] = c
				idx.codes = append(idx.codes, c.Code)
			}
		}
	}
	return idx
}

// defaultCode is the series shown first: intentional homicide, else the
// first there is.
func (idx seriesIndex) defaultCode() string {
	if _, ok := idx.cells["offences/iccs-0101"]; ok || len(idx.codes) == 0 {
		return "offences/iccs-0101"
	}
	return idx.codes[0]
}

// sources are the cells that hold the codes.
func (idx seriesIndex) sources(codes ...string) []forms.SeriesSource {
	return forms.SeriesSources(idx.all, codes...)
}

// label names a series in a language.
func (idx seriesIndex) label(code string, p *basePage) string {
	c := idx.cells[code]
	l := c.TableLabel.In(p.Lang) + " — " + c.RowLabel.In(p.Lang)
	if c.Category != forms.TotalCategory {
		l += " — " + c.CategoryLabel.In(p.Lang)
	}
	if c.ICCS != "" {
		l += " (\u2066ICCS " + c.ICCS + "\u2069)" // isolated: a right-to-left label keeps "ICCS 0101" whole
	}
	return l
}

// seriesGroup is the options of one table, for a select's optgroup.
type seriesGroup struct {
	Label   string
	Options []views.Option
}

func (idx seriesIndex) options(p *basePage, selected string) []seriesGroup {
	var out []seriesGroup
	for _, code := range idx.codes {
		c := idx.cells[code]
		label := c.TableLabel.In(p.Lang)
		if n := len(out); n == 0 || out[n-1].Label != label {
			out = append(out, seriesGroup{Label: label})
		}
		o := views.Option{Value: code, Label: strings.TrimPrefix(idx.label(code, p), label+" — "), Checked: code == selected}
		out[len(out)-1].Options = append(out[len(out)-1].Options, o)
	}
	return out
}

// seriesBase is what every series read needs besides its figures: the
// areas, and the population each area's rates use by year. Loaded once
// a request, however many series it reads.
type seriesBase struct {
	idx   seriesIndex
	areas map[string]forms.Area
	pops  map[forms.PopulationKey]forms.PopulationUsed
}

// seriesData is a series' figures, the areas they are of, and the
// populations their rates use.
type seriesData struct {
	code    string
	figures []forms.Figure
	areas   map[string]forms.Area
	pops    map[forms.PopulationKey]forms.PopulationUsed
	years   []int // every year with a current figure, ascending
	idx     seriesIndex
}

// loadSeriesBase reads the areas and the populations (each State's own
// figure of the population series, else the Office's table).
func (s *Server) loadSeriesBase(ctx context.Context, include bool) (seriesBase, error) {
	b := seriesBase{idx: s.series}
	var err error
	b.areas, b.pops, err = s.store.SeriesBase(ctx, b.idx.all, include)
	return b, err
}

// load reads a series' figures (the current ones, and the history too
// when asked), of the areas given (nil for all; a State's parts with it).
func (b seriesBase) load(ctx context.Context, s *Server, code string, include, history bool, areaCodes []string) (seriesData, error) {
	d := seriesData{code: code, areas: b.areas, pops: b.pops, idx: b.idx}
	if areaCodes != nil {
		// A State's own figures and its parts', to sum them.
		for code, a := range d.areas {
			if a.Kind == forms.AreaPart && slices.Contains(areaCodes, a.State) {
				areaCodes = append(areaCodes, code)
			}
		}
	}
	q := forms.SeriesQuery{Codes: []string{code}, Sources: b.idx.sources(code), IncludeSubmitted: include, History: history, Areas: areaCodes}
	var err error
	if d.figures, err = s.store.Figures(ctx, q, d.areas); err != nil {
		return d, err
	}
	seen := map[int]bool{}
	for _, f := range d.figures {
		if f.Current && !seen[f.Year] {
			seen[f.Year] = true
			d.years = append(d.years, f.Year)
		}
	}
	slices.Sort(d.years)
	return d, nil
}

// loadSeries is loadSeriesBase and its load, for a request that reads one
// series.
func (s *Server) loadSeries(ctx context.Context, code string, include, history bool, areaCodes []string) (seriesData, error) {
	b, err := s.loadSeriesBase(ctx, include)
	if err != nil {
		return seriesData{}, err
	}
	return b.load(ctx, s, code, include, history, areaCodes)
}

// bestYear is the latest of the years with the most States reporting:
// the year whose aggregates say the most.
func (d seriesData) bestYear() int {
	n := map[int]int{}
	for _, f := range d.figures {
		if f.Current && d.areas[f.Area].Member {
			n[f.Year]++
		}
	}
	best := d.years[len(d.years)-1]
	for _, y := range d.years {
		if n[y] >= n[best] {
			best = y
		}
	}
	return best
}

// breaks marks the current figures of each area that break its series:
// a change from the year before larger than the table's
// change_from_previous_year rule allows (forms.CheckSeries).
func (d seriesData) breaks() map[forms.PopulationKey]forms.SeriesCheck {
	rule := forms.DefaultBreak
	c := d.idx.cells[d.code]
	for _, q := range d.idx.all {
		if _, ok := q.Question(c.Question); ok {
			rule = q.BreakRule(c.Question)
		}
	}
	var values []forms.SeriesValue
	for _, f := range d.figures {
		if f.Current {
			p := d.pops[forms.PopulationKey{Area: f.Area, Year: f.Year}]
			values = append(values, forms.SeriesValue{Organization: forms.Organization{Code: f.Area}, Year: f.Year,
				Value: int64(math.Round(f.Value)), Population: p.Value})
		}
	}
	out := map[forms.PopulationKey]forms.SeriesCheck{}
	for i, ck := range forms.CheckSeries(values, rule) {
		out[forms.PopulationKey{Area: values[i].Organization.Code, Year: values[i].Year}] = ck
	}
	return out
}

type seriesPage struct {
	basePage
	Groups             []seriesGroup
	Series, Label      string
	Include            bool
	Years              []int
	Year               int
	Summary            string
	Chart              template.HTML
	ChartTitle         string
	Aggregates         []seriesAggregateRow
	Tables             []seriesTable // the States, then parts of States and territories
	ExportCSV, History string
}

type seriesAggregateRow struct {
	Name                                 string
	Heading, Sub                         bool // a heading row (the groups); a sub-region
	Coverage, Sum, Median, Pooled, Rated string
}

type seriesTable struct {
	ID, Title string
	Rows      []seriesStateRow
}

type seriesStateRow struct {
	Code, Name, Href, Note string
	Cells                  []seriesFigureCell
}

type seriesFigureCell struct {
	Value, Origin, Mark, Said string
	Break                     bool
}

// originMark is how a table marks a figure's origin, for the eye and for
// screen readers.
func originMark(p *basePage, f forms.Figure) (mark, said string) {
	switch f.Origin {
	case forms.OriginImported:
		mark = "◇"
	case forms.OriginSubmitted:
		mark = "*"
	case forms.OriginParts:
		mark = "Σ"
	}
	said = p.T("series.origin." + string(f.Origin))
	if f.Estimate {
		mark += "~"
		said += ", " + p.T("series.estimate")
	}
	return mark, said
}

// figureValue writes a figure as given: a whole count grouped, an
// estimate with its decimals.
func figureValue(p *basePage, f forms.Figure) string {
	if f.Value == math.Trunc(f.Value) {
		return forms.FormatCount(int64(f.Value), p.Lang)
	}
	digits := 0
	if _, frac, ok := strings.Cut(f.Exact, "."); ok {
		digits = min(len(frac), 6)
	}
	return p.Decimal(f.Value, digits)
}

// showSeries shows a series (?series=) across calls and imports: every
// State's figure by year, and the aggregates of a year (?year=).
func (s *Server) showSeries(c *gin.Context) error {
	ctx := c.Request.Context()
	p := &seriesPage{basePage: s.newBase(c), Include: c.Query("include") == "submitted"}
	p.Title = p.T("series.title")
	idx := s.series
	p.Series = c.Query("series")
	if p.Series == "" {
		p.Series = idx.defaultCode()
	}
	if _, ok := idx.cells[p.Series]; !ok {
		return forms.Errorf(forms.KindNotFound, "no series %q", p.Series)
	}
	p.Groups, p.Label = idx.options(&p.basePage, p.Series), idx.label(p.Series, &p.basePage)
	p.Title = p.Label + " · " + p.T("series.title")
	d, err := s.loadSeries(ctx, p.Series, p.Include, false, nil)
	if err != nil {
		return err
	}
	p.Years = d.years
	query := "series=" + url.QueryEscape(p.Series)
	if p.Include {
		query += "&include=submitted"
	}
	p.ExportCSV = "/office/series.csv?" + query
	p.History = p.ExportCSV + "&history=1"
	if len(d.years) == 0 {
		p.Summary = p.T("series.none")
		s.render(c, http.StatusOK, "series", p)
		return nil
	}
	p.Year = d.bestYear()
	if y, err := strconv.Atoi(c.Query("year")); err == nil && slices.Contains(d.years, y) {
		p.Year = y
	}
	yearIx := map[int]int{}
	for i, y := range d.years {
		yearIx[y] = i
	}
	checks := d.breaks()
	counts := map[forms.Origin]int{}
	rows := map[string]*seriesStateRow{}
	for _, f := range d.figures {
		if !f.Current {
			continue
		}
		counts[f.Origin]++
		r := rows[f.Area]
		if r == nil {
			a := d.areas[f.Area]
			r = &seriesStateRow{Code: f.Area, Name: a.Name.In(p.Lang), Cells: make([]seriesFigureCell, len(d.years)),
				Href: "/office/series/areas/" + f.Area + "?" + query}
			if a.Kind == forms.AreaPart {
				r.Note = p.Tf("series.part.of", map[string]any{"State": d.areas[a.State].Name.In(p.Lang)})
			} else if a.Kind == forms.AreaTerritory {
				r.Note = p.T("series.territory")
			}
			rows[f.Area] = r
		}
		cell := seriesFigureCell{Value: figureValue(&p.basePage, f), Origin: string(f.Origin), Break: checks[forms.PopulationKey{Area: f.Area, Year: f.Year}].Break}
		cell.Mark, cell.Said = originMark(&p.basePage, f)
		r.Cells[yearIx[f.Year]] = cell
	}
	states, others := seriesTable{ID: "states"}, seriesTable{ID: "others", Title: p.T("series.others")}
	for _, r := range rows {
		if d.areas[r.Code].Kind == forms.AreaState {
			states.Rows = append(states.Rows, *r)
		} else {
			others.Rows = append(others.Rows, *r)
		}
	}
	coll := collate.New(language.Make(string(p.Lang)))
	byName := func(a, b seriesStateRow) int { return coll.CompareString(a.Name, b.Name) }
	slices.SortFunc(states.Rows, byName)
	slices.SortFunc(others.Rows, byName)
	p.Tables = append(p.Tables, states)
	if len(others.Rows) > 0 {
		p.Tables = append(p.Tables, others)
	}
	submitted := counts[forms.OriginAccepted] + counts[forms.OriginSubmitted]
	p.Summary = p.Tf("series.summary", map[string]any{
		"States": p.Tn("series.summary.states", len(states.Rows), map[string]any{"Count": len(states.Rows)}),
		"First":  d.years[0], "Last": d.years[len(d.years)-1],
		"Submitted": p.Tn("series.summary.submitted", submitted, map[string]any{"Count": forms.FormatCount(int64(submitted), p.Lang)}),
		"Imported": p.Tn("series.summary.imported", counts[forms.OriginImported],
			map[string]any{"Count": forms.FormatCount(int64(counts[forms.OriginImported]), p.Lang)}),
	})
	if err := s.seriesAggregates(ctx, p, d); err != nil {
		return err
	}
	s.render(c, http.StatusOK, "series", p)
	return nil
}

// seriesAggregates fills the page's aggregates of its year and their
// chart: the world, each M49 region followed by its sub-regions, then the
// UN regional groups.
func (s *Server) seriesAggregates(ctx context.Context, p *seriesPage, d seriesData) error {
	regions, err := s.store.Regions(ctx)
	if err != nil {
		return err
	}
	groups, err := s.store.RegionalGroups(ctx)
	if err != nil {
		return err
	}
	aggs := forms.AggregateFigures(d.figures, d.areas, d.pops, []int{p.Year}, nil)
	by := map[string]forms.SeriesAggregate{}
	for _, a := range aggs {
		by[string(a.Kind)+"/"+a.Code] = a
	}
	row := func(name string, a forms.SeriesAggregate, sub bool) seriesAggregateRow {
		r := seriesAggregateRow{Name: name, Sub: sub,
			Coverage: p.Tn("statistics.coverage", a.Members, map[string]any{"Reporting": a.Reporting, "Asked": a.Members})}
		if a.Reporting > 0 {
			r.Sum = figureValue(&p.basePage, forms.Figure{Value: a.Sum, Exact: strconv.FormatFloat(a.Sum, 'f', -1, 64)})
		}
		if a.Rated > 0 {
			r.Median, r.Pooled = p.Rate(a.MedianRate), p.Rate(a.PooledRate)
			r.Rated = p.Tn("series.rated", a.Rated, map[string]any{"Count": a.Rated})
		}
		return r
	}
	chart := charts.BarChart{ID: "regions", RTL: p.Dir == "rtl", Format: p.Rate,
		ValueName: p.T("series.pooled"), SecondName: p.T("series.median")}
	p.Aggregates = append(p.Aggregates, row(p.T("statistics.world"), by["world/"], false))
	for _, r := range regions {
		kind := forms.AggregateRegion
		if r.Parent != "" {
			kind = forms.AggregateSubregion
		}
		a, ok := by[string(kind)+"/"+r.Code]
		if !ok {
			continue
		}
		p.Aggregates = append(p.Aggregates, row(r.Name.In(p.Lang), a, r.Parent != ""))
		if a.Rated > 0 && r.Parent == "" {
			median := a.MedianRate
			chart.Bars = append(chart.Bars, charts.Bar{Label: r.Name.In(p.Lang), Value: a.PooledRate, Second: &median,
				Note: p.Tn("series.rated", a.Rated, map[string]any{"Count": a.Rated})})
		}
	}
	p.Aggregates = append(p.Aggregates, seriesAggregateRow{Name: p.T("series.groups"), Heading: true})
	for _, g := range groups {
		if a, ok := by["group/"+g.Code]; ok {
			p.Aggregates = append(p.Aggregates, row(g.Name.In(p.Lang), a, false))
			if a.Rated > 0 {
				median := a.MedianRate
				chart.Bars = append(chart.Bars, charts.Bar{Label: g.Name.In(p.Lang), Value: a.PooledRate, Second: &median,
					Note: p.Tn("series.rated", a.Rated, map[string]any{"Count": a.Rated})})
			}
		}
	}
	p.ChartTitle = p.Tf("series.chart.regions", map[string]any{"Year": p.Year})
	chart.Texts = charts.Texts{Title: p.ChartTitle + " — " + p.Label, Summary: p.T("series.chart.regions.summary")}
	if len(chart.Bars) == 0 {
		chart.Texts.Summary = p.T("series.chart.empty")
	}
	p.Chart = chart.SVG()
	return nil
}

// A State's series: its figures by year with their origin, rate and
// population, breaks, and the history behind each (the figures that do
// not count), with two charts.

type seriesAreaPage struct {
	basePage
	Series, Label, Name, Note, Back string
	Include                         bool
	Counts, Rates                   template.HTML
	CountsTitle, RatesTitle         string
	Rows                            []seriesAreaRow
}

type seriesAreaRow struct {
	Year                        int
	Value, Mark, Said, Where    string
	Rate, Population, PopSource string
	Break, Change               string
	Explained                   string // what the State said of the break, in the submission that gave the figure
	History                     []seriesHistoryRow
}

type seriesHistoryRow struct {
	Value, Said, Where string
}

// figureWhere says where a figure comes from: the call and receipt of a
// submission, the import and its source.
func figureWhere(p *basePage, f forms.Figure) string {
	switch f.Origin {
	case forms.OriginAccepted, forms.OriginSubmitted:
		return p.Tf("series.where.submission", map[string]any{"Call": f.Call, "Reference": f.Reference, "At": p.Day(f.At)})
	case forms.OriginImported:
		return p.Tf("series.where.import", map[string]any{"Reference": f.Reference, "Source": f.Source, "At": p.Day(f.At)})
	}
	return p.Tf("series.where.parts", map[string]any{"References": f.Reference})
}

func (s *Server) showSeriesArea(c *gin.Context) error {
	ctx := c.Request.Context()
	p := &seriesAreaPage{basePage: s.newBase(c), Include: c.Query("include") == "submitted", Series: c.Query("series")}
	idx := s.series
	if p.Series == "" {
		p.Series = idx.defaultCode()
	}
	if _, ok := idx.cells[p.Series]; !ok {
		return forms.Errorf(forms.KindNotFound, "no series %q", p.Series)
	}
	area := c.Param("area")
	d, err := s.loadSeries(ctx, p.Series, p.Include, true, []string{area})
	if err != nil {
		return err
	}
	a, ok := d.areas[area]
	if !ok {
		return forms.Errorf(forms.KindNotFound, "no area %q", area)
	}
	p.Label, p.Name = idx.label(p.Series, &p.basePage), a.Name.In(p.Lang)
	p.Title = p.Name + " · " + p.Label
	p.Back = "/office/series?series=" + url.QueryEscape(p.Series)
	if p.Include {
		p.Back += "&include=submitted"
	}
	parts := 0
	for _, o := range d.areas {
		if o.Kind == forms.AreaPart && o.State == area && o.Covers {
			parts++
		}
	}
	if parts > 0 {
		p.Note = p.Tn("series.parts.note", parts, map[string]any{"Count": parts})
	}
	checks := d.breaks()
	counts := charts.Line{Name: p.T("series.chart.counts")}
	rates := charts.Line{Name: p.T("series.chart.rates")}
	var cur *seriesAreaRow
	for _, f := range d.figures {
		if f.Area != area {
			continue
		}
		mark, said := originMark(&p.basePage, f)
		if !f.Current {
			if cur != nil && cur.Year == f.Year {
				cur.History = append(cur.History, seriesHistoryRow{Value: figureValue(&p.basePage, f), Said: said, Where: figureWhere(&p.basePage, f)})
			}
			continue
		}
		p.Rows = append(p.Rows, seriesAreaRow{Year: f.Year, Value: figureValue(&p.basePage, f), Mark: mark, Said: said, Where: figureWhere(&p.basePage, f)})
		cur = &p.Rows[len(p.Rows)-1]
		origin := charts.OriginSubmitted
		if f.Origin == forms.OriginImported || f.Origin == forms.OriginParts {
			origin = charts.OriginImported
		}
		ck := checks[forms.PopulationKey{Area: area, Year: f.Year}]
		if ck.Break {
			cur.Break = p.T("series.break")
			if ck.HasChange {
				cur.Change = p.Change(ck.Change)
			}
		}
		label := strconv.Itoa(f.Year)
		counts.Points = append(counts.Points, charts.Point{X: float64(f.Year), Y: f.Value, Label: label, Origin: origin, Break: ck.Break})
		if pop := d.pops[forms.PopulationKey{Area: area, Year: f.Year}]; pop.Value > 0 {
			r, _ := forms.RatePer100k(f.Value, pop.Value)
			cur.Rate, cur.Population = p.Rate(r), forms.FormatCount(pop.Value, p.Lang)
			if pop.Origin == forms.PopulationReported {
				cur.PopSource = p.Tf("series.population.reported", map[string]any{"Reference": pop.Reference})
			} else {
				cur.PopSource = p.Tf("series.population.office", map[string]any{"Source": pop.Source})
			}
			rates.Points = append(rates.Points, charts.Point{X: float64(f.Year), Y: r, Label: label, Origin: origin, Break: ck.Break})
		}
	}
	if err := s.explainBreaks(ctx, idx, p, d, area); err != nil {
		return err
	}
	legend := map[string]string{charts.LegendSubmitted: p.T("series.legend.submitted"), charts.LegendImported: p.T("series.legend.imported"),
		charts.LegendBreak: p.T("series.legend.break")}
	rtl := p.Dir == "rtl"
	p.CountsTitle = p.Tf("series.chart.counts.title", map[string]any{"State": p.Name})
	p.RatesTitle = p.Tf("series.chart.rates.title", map[string]any{"State": p.Name})
	summary := func(l charts.Line, format func(float64) string) string {
		if len(l.Points) == 0 {
			return p.T("series.chart.empty")
		}
		first, last := l.Points[0], l.Points[len(l.Points)-1]
		return p.Tf("series.chart.summary", map[string]any{"First": first.Label, "From": format(first.Y), "Last": last.Label, "To": format(last.Y),
			"Years": p.Tn("series.chart.years", len(l.Points), map[string]any{"Count": len(l.Points)})})
	}
	count := func(v float64) string {
		return figureValue(&p.basePage, forms.Figure{Value: v, Exact: strconv.FormatFloat(v, 'f', -1, 64)})
	}
	p.Counts = charts.LineChart{ID: "counts", RTL: rtl, MaxStep: 1, FormatY: count, Lines: []charts.Line{counts},
		Texts: charts.Texts{Title: p.CountsTitle + " — " + p.Label, Summary: summary(counts, count), Legend: legend}}.SVG()
	p.Rates = charts.LineChart{ID: "rates", RTL: rtl, MaxStep: 1, FormatY: p.Rate, Lines: []charts.Line{rates},
		Texts: charts.Texts{Title: p.RatesTitle + " — " + p.Label, Summary: summary(rates, p.Rate), Legend: legend}}.SVG()
	s.render(c, http.StatusOK, "seriesarea", p)
	return nil
}

// explainBreaks puts, beside each break of a submitted figure, what the
// State explained of it in that submission (the table's
// change_from_previous_year rule's finding on the cell).
func (s *Server) explainBreaks(ctx context.Context, idx seriesIndex, p *seriesAreaPage, d seriesData, area string) error {
	c := idx.cells[p.Series]
	rule := ""
	for _, q := range idx.all {
		if _, ok := q.Question(c.Question); ok {
			rule = q.BreakRule(c.Question).Key
		}
	}
	if rule == "" {
		return nil
	}
	finding := func(year int) string {
		return forms.CellFinding(rule, forms.CellRef{Question: c.Question, Row: c.Row, Year: year, Category: c.Category})
	}
	refs, findings := []string{}, []string{}
	byYear := map[int]string{}
	for _, f := range d.figures {
		if f.Area == area && f.Current && (f.Origin == forms.OriginAccepted || f.Origin == forms.OriginSubmitted) {
			byYear[f.Year] = f.Reference
		}
	}
	for _, r := range p.Rows {
		if ref := byYear[r.Year]; r.Break != "" && ref != "" {
			refs, findings = append(refs, ref), append(findings, finding(r.Year))
		}
	}
	if len(refs) == 0 {
		return nil
	}
	said, err := s.store.ExplanationsOf(ctx, refs, findings)
	if err != nil {
		return err
	}
	for i := range p.Rows {
		r := &p.Rows[i]
		if r.Break != "" {
			r.Explained = said[byYear[r.Year]][finding(r.Year)]
		}
	}
	return nil
}
