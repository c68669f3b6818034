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
		{[][]string{{"iso3", "year", "population"}, {"MEX", "2024", "3000"}, {"MEX", "2024", "4000"}}, "duplicate"},
	} {
		_, problems := ParsePopulations(tc.rows, "src", known)
		if len(problems) == 0 || problems[0].Reason != tc.reason {
			t.Errorf("%v: problems %+v, want %s", tc.rows, problems, tc.reason)
		}
	}
}

// TestParsePopulationsPlausible: a population outside the bounds of the
// questionnaire's own rule (France = 66, most likely in thousands) is
// refused with a reason of its own; the bounds themselves are accepted.
func TestParsePopulationsPlausible(t *testing.T) {
	known := func(c string) bool { return c == "FRA" }
	for _, tc := range []struct {
		value  string
		reason string // "" when accepted
	}{
		{"66", "population_range"},
		{"999", "population_range"},
		{"1000", ""},
		{"1,000", ""},
		{"68 400 000", ""},
		{"2000000000", ""},
		{"2000000001", "population_range"},
		{"6.6E+1", "population_range"},
		{"0", "population"},
		{"abc", "population"},
	} {
		got, problems := ParsePopulations([][]string{{"iso3", "year", "population"}, {"FRA", "2024", tc.value}}, "INSEE", known)
		switch {
		case tc.reason == "" && (len(problems) > 0 || len(got) != 1):
			t.Errorf("%q: problems %+v, want it accepted", tc.value, problems)
		case tc.reason != "" && (len(problems) != 1 || problems[0].Reason != tc.reason || problems[0].Line != 2 ||
			problems[0].Column != "population" || problems[0].Value != tc.value):
			t.Errorf("%q: problems %+v, want one %s on line 2", tc.value, problems, tc.reason)
		}
	}
}
