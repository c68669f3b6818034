package synthetic

import (
	"reflect"
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

// TestViews: the answers are valid for the questionnaire, differ between
// organizations and come in several languages.
func TestViews(t *testing.T) {
	lib, err := definition.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	q, _ := lib.Latest("tourism-views")
	seen := map[string]bool{}
	for _, code := range []string{"AUT", "KEN", "MEX", "CHN", "RUS", "EGY", "FRA", "ESP", "JPN", "BRA"} {
		a := Views(q, code)
		for _, f := range forms.Check(q, a, nil) {
			if f.Severity == forms.SeverityError {
				t.Errorf("%s: %s", code, f.Key)
			}
		}
		seen[a.Values["threats_nature"].Text[:3]] = true
		for _, k := range q.HiddenKeys(a) {
			if _, ok := a.Values[k]; ok {
				t.Errorf("%s: an answer to %s, which the other answers hide", code, k)
			}
		}
		if !reflect.DeepEqual(a, Views(q, code)) {
			t.Errorf("%s: two calls differ", code)
		}
	}
	if len(seen) < 4 {
		t.Errorf("the narratives begin in %d ways, want variety", len(seen))
	}
}
