package synthetic

import (
	"testing"

	"portal/forms"
	"portal/forms/definition"
)

// The history's rows describe their series so that the portal's
// suggestion maps each back to it.
func TestHistoryMapsBack(t *testing.T) {
	lib, err := definition.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	q, _ := lib.Latest("crime-statistics")
	cells := q.SeriesCells()
	code := map[forms.Description]string{}
	for _, c := range cells {
		code[Describe(c)] = c.Code
	}
	years := []int{2001, 2002, 2003}
	seen := map[string]int{}
	pops, err := History(q, HistorySeries, years, "AUT", "Austria", func(r forms.ImportRow) error {
		d := forms.Description{Indicator: r.Indicator, Dimension: r.Dimension, Category: r.Category, Sex: r.Sex, Age: r.Age}
		if r.Unit != UnitCounts {
			return nil
		}
		got := forms.SuggestSeries(d, cells)
		if got == "" || got != code[d] {
			t.Errorf("%+v: suggested %q, want %q", d, got, code[d])
		}
		seen[got]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(HistorySeries) || len(pops) != len(years) {
		t.Errorf("series %v, populations %v", seen, pops)
	}
}
