package forms

import (
	"math"
	"slices"
)

// What the Office looks at twice in the statistics: a break in a State's
// series (a large change from the year before, which the State may have
// explained when it submitted) and an outlier (a rate far from the other
// States' rates that year).

// SeriesCheck is what CheckSeries found about one figure.
type SeriesCheck struct {
	// Change is the change from the previous year as a share (+2.5 is
	// +250 %), when both years have a figure and the previous is not 0.
	Change    float64
	HasChange bool
	// Break: the change is larger than the indicator's threshold (the
	// table's change_from_previous_year rule, else DefaultBreak).
	Break bool
	// Outlier: the rate's modified z-score among the States' rates that
	// year is above OutlierScore (at least OutlierMinStates rated).
	Outlier bool
}

// The defaults and thresholds of CheckSeries.
var DefaultBreak = Rule{Kind: RuleYearChange, MaxShare: 0.5, MinBase: 20}

const (
	OutlierScore     = 3.5 // Iglewicz and Hoaglin's cut-off for the modified z-score
	OutlierMinStates = 5   // fewer rates than this say nothing of each other
)

// BreakRule returns the rule that says what a break is in table: its
// change_from_previous_year rule, else DefaultBreak.
func (q *Questionnaire) BreakRule(table string) Rule {
	for _, r := range q.Rules {
		if r.Kind == RuleYearChange && r.Question == table {
			return r
		}
	}
	return DefaultBreak
}

// CheckSeries checks each figure of values (one indicator: several States
// and years, in any order) for breaks against rule and for outliers among
// the year's rates. The result is in the order of values.
func CheckSeries(values []SeriesValue, rule Rule) []SeriesCheck {
	out := make([]SeriesCheck, len(values))
	type key struct {
		code string
		year int
	}
	at := make(map[key]int64, len(values))
	for _, v := range values {
		at[key{v.Organization.Code, v.Year}] = v.Value
	}
	rates := map[int][]float64{}
	for _, v := range values {
		if r, ok := v.Rate(); ok {
			rates[v.Year] = append(rates[v.Year], r)
		}
	}
	type spread struct{ median, mad float64 }
	spreads := map[int]spread{}
	for y, rs := range rates {
		if len(rs) < OutlierMinStates {
			continue
		}
		m := median(rs)
		dev := make([]float64, len(rs))
		for i, r := range rs {
			dev[i] = math.Abs(r - m)
		}
		spreads[y] = spread{m, median(dev)}
	}
	for i, v := range values {
		c := &out[i]
		if p, ok := at[key{v.Organization.Code, v.Year - 1}]; ok {
			switch {
			case p == 0:
				c.Break = v.Value > rule.MinBase
			case p >= rule.MinBase:
				c.Change, c.HasChange = float64(v.Value-p)/float64(p), true
				c.Break = math.Abs(c.Change) > rule.MaxShare
			default:
				c.Change, c.HasChange = float64(v.Value-p)/float64(p), true
			}
		}
		if r, ok := v.Rate(); ok {
			if s, ok := spreads[v.Year]; ok && s.mad > 0 {
				c.Outlier = math.Abs(0.6745*(r-s.median)/s.mad) > OutlierScore
			}
		}
	}
	return out
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Flagged is a figure that CheckSeries flagged (a break, an outlier, or
// both), with its indicator and, for a break, what the State said of it.
type Flagged struct {
	Series Series
	SeriesValue
	SeriesCheck
	// Finding is the key a break's explanation is stored under (the
	// table's change rule and the cell), "" when the table has no such
	// rule to explain against; Explanation is the State's, if it gave one.
	Finding, Explanation string
}

// FlagSeries checks the figures of each indicator of inds (values as
// Series returns them) and returns those with a break or an outlier,
// indicator by indicator in the order of inds, each in the order of its
// values.
func FlagSeries(q *Questionnaire, inds []Series, values map[Series][]SeriesValue) []Flagged {
	var out []Flagged
	for _, ind := range inds {
		vs := values[ind]
		rule := q.BreakRule(ind.Question)
		for i, c := range CheckSeries(vs, rule) {
			if !c.Break && !c.Outlier {
				continue
			}
			f := Flagged{Series: ind, SeriesValue: vs[i], SeriesCheck: c}
			if c.Break && rule.Key != "" {
				f.Finding = CellFinding(rule.Key, CellRef{Question: ind.Question, Row: ind.Row, Year: vs[i].Year, Category: ind.Category})
			}
			out = append(out, f)
		}
	}
	return out
}
