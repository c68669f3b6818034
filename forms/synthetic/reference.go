package synthetic

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// State is what the synthetic figures of one organization are scaled to:
// its population in ReferenceYear and how common homicide and
// imprisonment are there.
type State struct {
	Code         string
	Population   int64   // persons, mid-ReferenceYear
	HomicideRate float64 // intentional homicides a year per 100,000 inhabitants
	PrisonRate   float64 // persons held in prison per 100,000 inhabitants
}

// ReferenceYear is the year of the reference table's populations; other
// years grow or shrink from it.
const ReferenceYear = 2023

// Default is the profile of an organization the reference table does not
// hold (an international organization, a code it does not know): a State
// of ten million with the homicide and prison rates near the world's
// median.
var Default = State{Population: 10_000_000, HomicideRate: 3, PrisonRate: 140}

// referenceCSV is the reference table: for every UN Member State and the
// State of Palestine, a rounded population of ReferenceYear and rates of
// homicide and imprisonment of the order the United Nations publishes
// (docs/exports.md, "Demo and synthetic figures"). The Holy See (some 500
// inhabitants, below the questionnaire's minimum of 1,000) is left out. The
// first four columns are those of the Office's population upload, so the
// file can be uploaded there as it is.
//
//go:embed reference.csv
var referenceCSV string

var reference = sync.OnceValues(func() (map[string]State, error) {
	rows, err := csv.NewReader(strings.NewReader(referenceCSV)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("synthetic: reference.csv: %w", err)
	}
	out := make(map[string]State, len(rows))
	for i, r := range rows[1:] {
		if len(r) != 6 {
			return nil, fmt.Errorf("synthetic: reference.csv line %d: %d columns, want 6", i+2, len(r))
		}
		pop, err1 := strconv.ParseInt(r[2], 10, 64)
		hom, err2 := strconv.ParseFloat(r[4], 64)
		pri, err3 := strconv.ParseFloat(r[5], 64)
		if err1 != nil || err2 != nil || err3 != nil || r[1] != strconv.Itoa(ReferenceYear) {
			return nil, fmt.Errorf("synthetic: reference.csv line %d: %q", i+2, r)
		}
		out[r[0]] = State{Code: r[0], Population: pop, HomicideRate: hom, PrisonRate: pri}
	}
	return out, nil
})

// Reference returns the reference table's profile of the State with the
// ISO 3166-1 alpha-3 code, and whether the table holds it.
func Reference(code string) (State, bool) {
	states, err := reference()
	if err != nil {
		panic(err) // the embedded file is part of the source: TestReference reads it
	}
	s, ok := states[code]
	return s, ok
}

// References returns every profile of the reference table, in no order.
func References() []State {
	states, err := reference()
	if err != nil {
		panic(err)
	}
	out := make([]State, 0, len(states))
	for _, s := range states {
		out = append(out, s)
	}
	return out
}

// Profile is the profile the figures of the organization with the code are
// made from: the reference table's, else Default.
func Profile(code string) State {
	if s, ok := Reference(code); ok {
		return s
	}
	d := Default
	d.Code = code
	return d
}
