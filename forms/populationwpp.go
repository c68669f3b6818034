package forms

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// The years of the World Population Prospects: estimates from 1950,
// projections to 2100.
const (
	WPPFirstYear = 1950
	WPPLastYear  = 2100
)

// MaxTableProblems is how many problems of an upload are kept to show.
const MaxTableProblems = 50

// WPPFigures gathers, row by row, the figures of a World Population
// Prospects file (its Medium variant, as forms/published.ReadWPP reads
// it) that the population table takes: the rows of the States of the
// directory, by their M49 code. The rows of other areas (regions, income
// groups and other aggregates, territories) are skipped and counted. A
// row of a State that is not right is a problem; the figures are only good
// when there is none.
type WPPFigures struct {
	Figures  []Population
	Problems []TableProblem // the first MaxTableProblems
	Count    int            // problems in all
	Skipped  int            // rows of areas that are not States
	States   int            // States with a figure

	source string
	states map[string]string // M49 → the State's code
	seen   map[string]int    // code/year → line
	with   map[string]bool
}

// NewWPPFigures gathers the figures of a file for the States whose M49
// codes states maps to their ISO codes; each figure says source.
func NewWPPFigures(source string, states map[string]string) *WPPFigures {
	return &WPPFigures{source: source, states: states, seen: map[string]int{}, with: map[string]bool{}}
}

// Add takes one row as read: its line, its area's M49 code ("" when the
// reader could not read one), year, population in persons, and the
// reason the reader refused it ("" when it did not) with the column and
// value at fault. The reader's reasons become the table's: m49 is wpp_m49,
// year stays year, value (and value_missing, value_negative,
// value_precision) is population; any other is wpp_<reason>.
func (w *WPPFigures) Add(line int, m49 string, year int, population int64, column, reason, value string) {
	code, state := w.states[m49]
	if m49 != "" && !state {
		w.Skipped++
		return
	}
	bad := func(column, reason, value string) {
		w.Count++
		if len(w.Problems) < MaxTableProblems {
			w.Problems = append(w.Problems, TableProblem{Line: line, Column: column, Reason: reason, Value: value})
		}
	}
	switch {
	case reason == "m49":
		bad(column, "wpp_m49", value)
		return
	case reason == "year":
		bad(column, "year", value)
		return
	case strings.HasPrefix(reason, "value"):
		bad(column, "population", value)
		return
	case reason != "":
		bad(column, "wpp_"+reason, value)
		return
	}
	if year < WPPFirstYear || year > WPPLastYear {
		bad("Time", "wpp_year", strconv.Itoa(year))
		return
	}
	if population <= 0 || population > MaxPopulation {
		bad("PopTotal", "population", strconv.FormatInt(population, 10))
		return
	}
	key := code + "/" + strconv.Itoa(year)
	if first, dup := w.seen[key]; dup {
		bad("Time", "duplicate", strconv.Itoa(first))
		return
	}
	w.seen[key] = line
	w.with[code] = true
	w.States = len(w.with)
	w.Figures = append(w.Figures, Population{Code: code, Year: year, Population: population, Source: w.source})
}

// Done returns the problems of the file, in all (the first
// MaxTableProblems and how many): none when its figures are good. A file
// without a figure of a State, or without a source, has one.
func (w *WPPFigures) Done() ([]TableProblem, int) {
	if w.Count == 0 {
		switch {
		case utf8.RuneCountInString(w.source) > 200:
			return []TableProblem{{Line: 1, Column: "source", Reason: "source_long"}}, 1
		case strings.TrimSpace(w.source) == "":
			return []TableProblem{{Line: 1, Column: "source", Reason: "source_missing"}}, 1
		case len(w.Figures) == 0:
			return []TableProblem{{Line: 2, Reason: "empty"}}, 1
		}
	}
	return w.Problems, w.Count
}
