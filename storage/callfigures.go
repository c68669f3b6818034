package storage

import (
	"context"
	"slices"

	"github.com/jmoiron/sqlx"

	"portal/forms"
)

// A call's figures as its statistics read them (forms.CallSeries): the
// statistics page, the long export (on the web and on the command line),
// the break and outlier checks, and the report's annex read them here, the
// same way. The call's own submissions give most; where they give a State's
// year nothing, the series across calls and imports does.

// callReader reads a call's figures: the areas and the populations once,
// then the figures of some indicators at a time.
type callReader struct {
	db      sqlx.QueryerContext
	call    forms.Call
	lib     []*forms.Questionnaire
	include bool
	codes   map[forms.Series]string // the series code of each of the questionnaire's cells
	areas   map[string]forms.Area
	pops    map[forms.PopulationKey]forms.PopulationUsed
}

// newCallReader reads, within db, what every indicator of the call's
// questionnaire q needs: the areas, and the population of each State by
// year (its own figure of the population series, else the Office's
// table). lib is every questionnaire: a series' figures are found in the
// cells of each version that holds it.
func newCallReader(ctx context.Context, db sqlx.QueryerContext, call forms.Call, q *forms.Questionnaire, lib []*forms.Questionnaire, include bool) (*callReader, error) {
	r := &callReader{db: db, call: call, lib: lib, include: include, codes: map[forms.Series]string{}}
	for _, c := range q.SeriesCells() {
		r.codes[forms.Series{Question: c.Question, Row: c.Row, Category: c.Category}] = c.Code
	}
	var err error
	r.areas, r.pops, err = seriesBase(ctx, db, lib, include)
	return r, err
}

// SeriesBase returns what every read of series needs besides their
// figures: every area a figure may be of, by code, and the population
// each area's rates use by year (its own figure of the population series,
// else the Office's table). lib is every questionnaire; include counts
// submissions not yet accepted.
func (s *Store) SeriesBase(ctx context.Context, lib []*forms.Questionnaire, include bool) (map[string]forms.Area, map[forms.PopulationKey]forms.PopulationUsed, error) {
	return seriesBase(ctx, s.db, lib, include)
}

func seriesBase(ctx context.Context, db sqlx.QueryerContext, lib []*forms.Questionnaire, include bool) (map[string]forms.Area, map[forms.PopulationKey]forms.PopulationUsed, error) {
	areas, err := areasOf(ctx, db)
	if err != nil {
		return nil, nil, err
	}
	q := forms.SeriesQuery{Codes: []string{forms.PopulationSeries}, Sources: forms.SeriesSources(lib, forms.PopulationSeries), IncludeSubmitted: include}
	reported, err := figuresOf(ctx, db, q, areas)
	if err != nil {
		return nil, nil, err
	}
	office, err := populationsOf(ctx, db)
	if err != nil {
		return nil, nil, err
	}
	return areas, forms.PopulationsUsed(reported, office), nil
}

// figures returns the figures of inds (of one column) with their
// aggregates.
func (r *callReader) figures(ctx context.Context, inds []forms.Series) (map[forms.Series]forms.ReportFigures, error) {
	values, err := seriesOf(ctx, r.db, r.call, inds, r.include)
	if err != nil {
		return nil, err
	}
	var codes []string
	for _, ind := range inds {
		if c := r.codes[ind]; c != "" && !slices.Contains(codes, c) {
			codes = append(codes, c)
		}
	}
	past := map[string][]forms.Figure{}
	if len(codes) > 0 && len(r.call.Years) > 0 {
		// Only what counts without the call's own submissions, in its
		// years and the year before: where the call gives a figure, its
		// own is taken; where it gives none, the first of the others is
		// what counts. Not the call's own again (at 193 States, twenty
		// years and sixty indicators, reading them twice doubled a
		// release's time).
		years := append([]int{r.call.Years[0] - 1}, r.call.Years...)
		q := forms.SeriesQuery{Codes: codes, Sources: forms.SeriesSources(r.lib, codes...), IncludeSubmitted: r.include,
			Years: years, ExceptCall: r.call.Key}
		figs, err := figuresOf(ctx, r.db, q, r.areas)
		if err != nil {
			return nil, err
		}
		for _, f := range figs {
			past[f.Series] = append(past[f.Series], f)
		}
	}
	out := make(map[forms.Series]forms.ReportFigures, len(inds))
	for _, ind := range inds {
		var figs []forms.Figure
		if c := r.codes[ind]; c != "" {
			figs = past[c]
		}
		vs := forms.CallSeries(r.call, values[ind], figs, r.areas, r.pops, r.include)
		out[ind] = forms.ReportFigures{Values: vs, Aggregates: forms.CallAggregates(r.call, r.areas, vs)}
	}
	return out, nil
}

// byTable calls fn with the indicators of inds a table at a time (inds
// in the questionnaire's order): the figures of one table are held, not
// those of every table (at 193 States over 20 years, the whole would be
// some sixty megabytes of heap at once).
func byTable(inds []forms.Series, fn func([]forms.Series) error) error {
	for len(inds) > 0 {
		n := 1
		for n < len(inds) && inds[n].Question == inds[0].Question {
			n++
		}
		if err := fn(inds[:n]); err != nil {
			return err
		}
		inds = inds[n:]
	}
	return nil
}

// CallFigures returns the figures of the indicators inds (of one column)
// of the call's questionnaire q as the call's statistics read them
// (forms.CallSeries), with their aggregates (forms.CallAggregates). lib
// is every questionnaire; include counts submissions not yet accepted.
func (s *Store) CallFigures(ctx context.Context, call forms.Call, q *forms.Questionnaire, lib []*forms.Questionnaire, inds []forms.Series, include bool) (map[forms.Series]forms.ReportFigures, error) {
	r, err := newCallReader(ctx, s.db, call, q, lib, include)
	if err != nil {
		return nil, err
	}
	return r.figures(ctx, inds)
}

// FlaggedFigures returns the totals of every indicator of q (those a
// report compiles) that forms.FlagSeries flags as a break or an outlier in
// the call's years, among the figures the call's statistics read
// (CallFigures: the year before the call's first is checked against),
// each break with the State's explanation when it gave one in its
// submission to the call.
func (s *Store) FlaggedFigures(ctx context.Context, call forms.Call, q *forms.Questionnaire, lib []*forms.Questionnaire, include bool) ([]forms.Flagged, error) {
	r, err := newCallReader(ctx, s.db, call, q, lib, include)
	if err != nil {
		return nil, err
	}
	var flagged []forms.Flagged
	err = byTable(forms.ReportSeries(q), func(inds []forms.Series) error {
		figs, err := r.figures(ctx, inds)
		if err != nil {
			return err
		}
		values := make(map[forms.Series][]forms.SeriesValue, len(inds))
		for _, ind := range inds {
			values[ind] = figs[ind].Values
		}
		for _, f := range forms.FlagSeries(q, inds, values) {
			if slices.Contains(call.Years, f.Year) { // the year before: checked against, not reported
				flagged = append(flagged, f)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var findings []string
	for _, f := range flagged {
		if f.Finding != "" {
			findings = append(findings, f.Finding)
		}
	}
	if len(findings) == 0 {
		return flagged, nil
	}
	explained, err := s.Explanations(ctx, call, findings, include)
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
