package forms

import (
	"reflect"
	"testing"
)

func TestParsePopulations(t *testing.T) {
	known := func(c string) bool { return c == "MEX" || c == "KEN" }
	got, problems := ParsePopulations([][]string{
		{"Source", "POPULATION", "Year", "iso3"},
		{"", "8.917E+6", "2024", "ken"},
		{"INEGI", "130 861 007", "2024", "MEX"},
		{},
	}, "UN WPP", known)
	want := []Population{{Code: "KEN", Year: 2024, Population: 8917000, Source: "UN WPP"}, {Code: "MEX", Year: 2024, Population: 130861007, Source: "INEGI"}}
	if len(problems) > 0 || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, problems %+v", got, problems)
	}
	for _, tc := range []struct {
		rows   [][]string
		reason string
	}{
		{nil, "empty"},
		{[][]string{{"iso3", "year", "population"}}, "empty"},
		{[][]string{{"iso3", "population"}}, "column_missing"},
		{[][]string{{"iso3", "year", "population"}, {"MEX", "2024", "1.5"}}, "population"},
		{[][]string{{"iso3", "year", "population"}, {"MEX", "2024", "-3"}}, "population"},
		{[][]string{{"iso3", "year", "population"}, {"MEX", "20x4", "3"}}, "year"},
		{[][]string{{"iso3", "year", "population"}, {"MEX", "2024", "3"}, {"MEX", "2024", "4"}}, "duplicate"},
	} {
		_, problems := ParsePopulations(tc.rows, "src", known)
		if len(problems) == 0 || problems[0].Reason != tc.reason {
			t.Errorf("%v: problems %+v, want %s", tc.rows, problems, tc.reason)
		}
	}
}
