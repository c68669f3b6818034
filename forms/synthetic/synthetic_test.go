package synthetic

import (
	"encoding/csv"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"portal/forms"
	"portal/forms/definition"
)

// TestStatisticsBreakNoRule: for every State of the reference table and
// organizations it does not hold, over one year, four and thirty, the
// figures fill every cell, every row asked, pass every rule of the questionnaire, warnings
// included, and keep the relations between tables and the orders of
// magnitude Implausible looks for.
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
	codes := []string{"UNTOURISM", "EU", "INTERPOL", "VAT"}
	for _, s := range References() {
		codes = append(codes, s.Code)
	}
	slices.Sort(codes)
	for _, years := range [][]int{{2024}, {2022, 2023, 2024, 2025}, span(1996, 2025)} {
		for _, org := range codes {
			a := Statistics(q, years, org)
			if len(a.Cells) != cells*len(years) {
				t.Fatalf("%s, %d years: %d cells, want %d", org, len(years), len(a.Cells), cells*len(years))
			}
			if fs := forms.Check(q, a, years); len(fs) > 0 {
				t.Fatalf("%s, %d years: %d findings, the first %+v", org, len(years), len(fs), fs[0])
			}
			if h := q.HiddenRows(a); h != nil { // wildlife trafficking is asked: an offence everywhere
				t.Fatalf("%s: rows not asked: %v", org, h)
			}
			if bad := Implausible(q, a, years, org); len(bad) > 0 {
				t.Fatalf("%s, %d years: %d implausible, the first: %s", org, len(years), len(bad), bad[0])
			}
		}
	}
	if a, b := Statistics(q, []int{2024}, "AUT"), Statistics(q, []int{2024}, "AUT"); len(forms.Diff(a, b)) != 0 {
		t.Error("the same seed gives other figures")
	}
	if a, b := Statistics(q, []int{2024}, "AUT"), Statistics(q, []int{2024}, "KEN"); len(forms.Diff(a, b)) == 0 {
		t.Error("two organizations get the same figures")
	}
	one, four := Statistics(q, []int{2024}, "BRA"), Statistics(q, []int{2022, 2023, 2024, 2025}, "BRA")
	for ref, c := range one.Cells {
		if four.Cells[ref] != c {
			t.Fatalf("%v: %d asked alone, %d among four years", ref, c.Value, four.Cells[ref].Value)
		}
	}
}

// TestStatisticsOrders: the figures that caught the eye in the old demo
// are of their State's order now: Germany's population of about 84
// million, fewer than 2,000 homicides and about as many victims; and the
// rates per 100,000 inhabitants stay in the ranges States report.
func TestStatisticsOrders(t *testing.T) {
	lib, err := definition.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	q, _ := lib.Latest("crime-statistics")
	years := []int{2022, 2023, 2024, 2025}
	at := func(a forms.Answers, table, row string, y int) int64 {
		return a.Cells[forms.CellRef{Question: table, Row: row, Year: y, Category: forms.TotalCategory}].Value
	}
	deu := Statistics(q, years, "DEU")
	for _, y := range years {
		pop, h, v := at(deu, "population_by_year", "population", y), at(deu, "police_offences", "homicide", y), at(deu, "homicide_victims", "victims", y)
		if pop < 80_000_000 || pop > 90_000_000 || h < 300 || h > 2000 || v < h || v > h*6/5 {
			t.Errorf("Germany %d: population %d, %d homicides, %d victims", y, pop, h, v)
		}
	}
	ranges := []struct {
		table, row string
		lo, hi     float64 // per 100,000 inhabitants
	}{
		{"police_offences", "homicide", 0.03, 100},
		{"police_offences", "theft", 50, 8000},
		{"police_offences", "robbery", 2, 1000},
		{"prisoners_by_sex", "all_prisoners", 5, 2500},
		{"persons_convicted", "all_offences", 20, 8000},
	}
	for _, s := range References() {
		if s.Population < 1_000_000 {
			continue
		}
		a := Statistics(q, years, s.Code)
		for _, y := range years {
			pop := float64(at(a, "population_by_year", "population", y))
			for _, r := range ranges {
				if rate := float64(at(a, r.table, r.row, y)) * 100_000 / pop; rate < r.lo || rate > r.hi {
					t.Errorf("%s %d: %s %s %.2f per 100,000, want %g to %g", s.Code, y, r.table, r.row, rate, r.lo, r.hi)
				}
			}
		}
	}
}

// TestReference: the reference table holds every UN Member State and the
// State of Palestine of the directory, with populations the questionnaire
// accepts and rates of 0 or more; the Holy See is left out on purpose.
func TestReference(t *testing.T) {
	sql, err := os.ReadFile("../../migrations/00002_reference_data.sql")
	if err != nil {
		t.Fatal(err)
	}
	states := regexp.MustCompile(`\('([A-Z]{3})', '(member_state|observer_state)'`).FindAllStringSubmatch(string(sql), -1)
	if len(states) != 195 {
		t.Fatalf("%d States in the directory, want 195", len(states))
	}
	for _, m := range states {
		s, ok := Reference(m[1])
		switch {
		case m[1] == "VAT":
			if ok {
				t.Error("the Holy See is in the table: its population is below the questionnaire's minimum")
			}
		case !ok:
			t.Errorf("%s is not in the reference table", m[1])
		case s.Population < forms.MinPopulation || s.Population > forms.MaxPopulation || s.HomicideRate < 0 || s.PrisonRate <= 0:
			t.Errorf("%s: %+v", m[1], s)
		}
	}
	if got := len(References()); got != 194 {
		t.Errorf("%d States in the table, want 194", got)
	}
	if p := Profile("UNTOURISM"); p.Population != Default.Population || p.Code != "UNTOURISM" {
		t.Errorf("an organization not in the table: %+v", p)
	}
	// The file is an upload of the Office's population table as it is.
	rows, err := csv.NewReader(strings.NewReader(referenceCSV)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	pops, problems := forms.ParsePopulations(rows, "", func(code string) bool { _, ok := Reference(code); return ok })
	if len(problems) > 0 || len(pops) != 194 {
		t.Errorf("as an upload: %d figures, problems %+v", len(pops), problems)
	}
}

// TestApportion: the parts add up to the total, in proportion, none above
// its cap; a total above the caps is lowered to their sum.
func TestApportion(t *testing.T) {
	for _, c := range []struct {
		total   int64
		weights []float64
		caps    []int64
		want    []int64
	}{
		{10, []float64{0.5, 0.5}, nil, []int64{5, 5}},
		{10, []float64{0.8, 0.19, 0.01}, nil, []int64{8, 2, 0}},
		{7, []float64{1, 1, 1}, nil, []int64{3, 2, 2}},
		{10, []float64{0.9, 0.1}, []int64{6, 10}, []int64{6, 4}},
		{10, []float64{0.5, 0.5}, []int64{3, 3}, []int64{3, 3}},
		{5, []float64{0, 0}, nil, []int64{3, 2}},
		{0, []float64{0.3, 0.7}, []int64{0, 0}, []int64{0, 0}},
	} {
		if got := apportion(c.total, c.weights, c.caps); !slices.Equal(got, c.want) {
			t.Errorf("apportion(%d, %v, %v) = %v, want %v", c.total, c.weights, c.caps, got, c.want)
		}
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
