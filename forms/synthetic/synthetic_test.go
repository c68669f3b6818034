package synthetic

import (
	"testing"

	"portal/forms"
	"portal/forms/definition"
)

// TestStatisticsBreakNoRule: for many organizations and spans of years,
// the figures fill every cell and pass every rule of the questionnaire,
// warnings included.
func TestStatisticsBreakNoRule(t *testing.T) {
	lib, err := definition.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	q, _ := lib.Latest("crime-statistics")
	cells := 0
	for _, sec := range q.Sections {
		for _, qq := range sec.Questions {
			if qq.Table != nil {
				cells += len(qq.Table.Rows) * len(q.Columns(qq.Table))
			}
		}
	}
	for _, years := range [][]int{{2024}, {2022, 2023, 2024, 2025}, span(2006, 2025)} {
		for _, org := range []string{"AUT", "KEN", "BRA", "CHN", "TUV", "IND", "USA", "FRA", "NGA", "MLT"} {
			a := Statistics(q, years, org)
			if len(a.Cells) != cells*len(years) {
				t.Fatalf("%s, %d years: %d cells, want %d", org, len(years), len(a.Cells), cells*len(years))
			}
			if fs := forms.Check(q, a, years); len(fs) > 0 {
				t.Fatalf("%s, %d years: %d findings, the first %+v", org, len(years), len(fs), fs[0])
			}
		}
	}
	if a, b := Statistics(q, []int{2024}, "AUT"), Statistics(q, []int{2024}, "AUT"); len(forms.Diff(a, b)) != 0 {
		t.Error("the same seed gives other figures")
	}
	if a, b := Statistics(q, []int{2024}, "AUT"), Statistics(q, []int{2024}, "KEN"); len(forms.Diff(a, b)) == 0 {
		t.Error("two organizations get the same figures")
	}
}

func span(from, to int) []int {
	var out []int
	for y := from; y <= to; y++ {
		out = append(out, y)
	}
	return out
}
