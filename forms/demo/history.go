package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"portal/forms"
	"portal/forms/synthetic"
)

// HistoryStore is what the demo's history needs of the store.
type HistoryStore interface {
	Organizations(ctx context.Context, kind forms.OrganizationKind) ([]forms.Organization, error)
	Imports(ctx context.Context) ([]forms.SeriesImport, error)
	SaveMappings(ctx context.Context, ms []forms.SeriesMapping, actor forms.Actor) error
	StageImport(ctx context.Context, fileName, checksum, by string, rows func(put func(forms.ImportRow) error) error) (string, error)
	ConfirmImport(ctx context.Context, token string, sources []forms.SeriesSource, actor forms.Actor) (forms.SeriesImport, error)
	Populations(ctx context.Context) ([]forms.Population, error)
	SavePopulations(ctx context.Context, rows []forms.Population, actor forms.Actor) error
}

// Library lists every questionnaire; definition's library has it.
type Library interface {
	Questionnaires
	Latest(key string) (*forms.Questionnaire, bool)
	All() []*forms.Questionnaire
}

// HistoryYears are the demo history's thirty years: up to the second
// year the demo statistics call asks, so that two years overlap the
// submissions and show as history behind them.
func HistoryYears(now time.Time) []int {
	last := now.Year() - 3
	years := make([]int, 0, 30)
	for y := last - 29; y <= last; y++ {
		years = append(years, y)
	}
	return years
}

// EnsureHistory imports, once, thirty years of synthetic past series
// (synthetic.HistorySeries) for every Member State, as the Office would
// import its published data: the descriptions mapped to series by the
// portal's suggestion, staged, and confirmed as one import. The first
// time, it also fills the population table with the same synthetic
// populations where it has none. Not real data: the import's source and the file name say
// so.
func EnsureHistory(ctx context.Context, store HistoryStore, lib Library, now time.Time) error {
	imps, err := store.Imports(ctx)
	if err != nil || len(imps) > 0 {
		return err
	}
	q, ok := lib.Latest("crime-statistics")
	if !ok {
		return fmt.Errorf("demo history: no crime-statistics questionnaire")
	}
	states, err := store.Organizations(ctx, forms.MemberState)
	if err != nil {
		return err
	}
	actor := forms.Actor{Label: "demo: the Office"}
	cells := q.SeriesCells()
	var ms []forms.SeriesMapping
	for _, c := range cells {
		for _, code := range synthetic.HistorySeries {
			if c.Code == code && !c.Repeat {
				ms = append(ms, forms.SeriesMapping{Description: synthetic.Describe(c), Series: code})
			}
		}
	}
	if err := store.SaveMappings(ctx, ms, actor); err != nil {
		return err
	}
	years := HistoryYears(now)
	var pops []forms.Population
	token, err := store.StageImport(ctx, "demo-history-synthetic.csv", strings.Repeat("0", 64), actor.Label, func(put func(forms.ImportRow) error) error {
		line := 1
		for _, o := range states {
			p, err := synthetic.History(q, synthetic.HistorySeries, years, o.Code, o.Name.En, func(r forms.ImportRow) error {
				line++
				r.Line, r.Source = line, "Synthetic demonstration series (not real data)"
				return put(r)
			})
			if err != nil {
				return err
			}
			for y, n := range p {
				pops = append(pops, forms.Population{Code: o.Code, Year: y, Population: n, Source: "Synthetic demonstration figure (not WPP)"})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	var codes []string
	for _, c := range cells {
		codes = append(codes, c.Code)
	}
	if _, err := store.ConfirmImport(ctx, token, forms.SeriesSources(lib.All(), codes...), actor); err != nil {
		return err
	}
	held, err := store.Populations(ctx)
	if err != nil {
		return err
	}
	type key struct {
		code string
		year int
	}
	has := map[key]bool{}
	for _, p := range held {
		has[key{p.Code, p.Year}] = true
	}
	var missing []forms.Population
	for _, p := range pops {
		if !has[key{p.Code, p.Year}] {
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return store.SavePopulations(ctx, missing, actor)
}
