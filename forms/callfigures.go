package forms

import (
	"cmp"
	"math"
	"slices"
)

// A call's figures as its statistics read them — the statistics page, the
// long export, the break and outlier checks and the report's annex alike:
// the call's own submissions, and where they give a State's year nothing,
// the figure that counts across calls and imports, marked with its origin;
// with each State's figure of the year before the call's first, against
// which the breaks of the first year are checked.

// OriginCall marks a figure of a call's series that another call's
// submission gave.
const OriginCall Origin = "call"

// CallSeries merges the call's own figures of a series (values, by State
// and year, Origin "") with the series across calls and imports (figures,
// the current ones of every area; sums of parts made): for each State the
// call asks, each of the call's years without a figure of its own and the
// year before the call's first take the current figure across calls and
// imports, with the population pops gives it. A submission's figure to
// another call is of OriginCall; include counts submissions not yet
// accepted. The result is ordered by State code and year.
func CallSeries(call Call, values []SeriesValue, figures []Figure, areas map[string]Area, pops map[PopulationKey]PopulationUsed, include bool) []SeriesValue {
	out := slices.Clone(values)
	if len(call.Years) > 0 {
		type key struct {
			code string
			year int
		}
		have := make(map[key]bool, len(values))
		orgs := map[string]Organization{}
		for _, v := range values {
			have[key{v.Organization.Code, v.Year}] = true
			orgs[v.Organization.Code] = v.Organization
		}
		wanted := map[int]bool{call.Years[0] - 1: true}
		for _, y := range call.Years {
			wanted[y] = true
		}
		for _, f := range figures {
			a := areas[f.Area]
			if !f.Current || !wanted[f.Year] || have[key{f.Area, f.Year}] || a.Kind != AreaState ||
				f.Origin == OriginSubmitted && !include {
				continue
			}
			o, ok := orgs[f.Area]
			if !ok {
				o = a.Organization()
				if !call.Asks(o) {
					continue
				}
				orgs[f.Area] = o
			}
			past := f
			v := SeriesValue{Organization: o, Year: f.Year, Value: int64(math.Round(f.Value)), Origin: f.Origin, Past: &past}
			if f.Origin == OriginAccepted || f.Origin == OriginSubmitted {
				v.Origin = OriginImported // not this call's submission either
				if f.Call != "" && f.Call != call.Key {
					v.Origin = OriginCall
				}
			}
			if p := pops[PopulationKey{Area: f.Area, Year: f.Year}]; p.Value > 0 {
				v.Population, v.PopulationSource = p.Value, p.Origin
			}
			out = append(out, v)
		}
	}
	slices.SortStableFunc(out, func(a, b SeriesValue) int {
		return cmp.Or(cmp.Compare(a.Organization.Code, b.Organization.Code), cmp.Compare(a.Year, b.Year))
	})
	return out
}

// CallAggregates sums a call's figures of a series (CallSeries) over each
// UN regional group and the world, for each of the call's years, over the
// Member States among states that the call asks: how many reported of how
// many, the sum, and the median rate of those with a population
// (AggregateFigures). Groups come in no order; the world is Group "".
func CallAggregates(call Call, areas map[string]Area, values []SeriesValue) []Aggregate {
	asked := map[string]Area{}
	for code, a := range areas {
		if a.Kind == AreaState && a.Member && call.Asks(a.Organization()) {
			asked[code] = Area{Code: code, Kind: AreaState, Member: true, Groups: a.Groups}
		}
	}
	figures := make([]Figure, 0, len(values))
	pops := map[PopulationKey]PopulationUsed{}
	for _, v := range values {
		k := PopulationKey{Area: v.Organization.Code, Year: v.Year}
		figures = append(figures, Figure{Area: k.Area, Year: k.Year, Value: float64(v.Value), Current: true})
		if v.Population > 0 {
			pops[k] = PopulationUsed{Value: v.Population}
		}
	}
	var out []Aggregate
	for _, a := range AggregateFigures(figures, asked, pops, call.Years, nil) {
		if a.Kind != AggregateWorld && a.Kind != AggregateGroup {
			continue
		}
		out = append(out, Aggregate{Group: a.Code, Year: a.Year, Reporting: a.Reporting, Asked: a.Members,
			Sum: int64(math.Round(a.Sum)), MedianRate: a.MedianRate, Rated: a.Rated})
	}
	return out
}

// Organization is a State's area as the directory's organization, for
// asking whether a call asks it.
func (a Area) Organization() Organization {
	kind := ObserverState
	if a.Member {
		kind = MemberState
	}
	return Organization{Code: a.Code, Kind: kind, Name: a.Name, RegionalGroups: a.Groups}
}
