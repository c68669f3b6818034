package definition

import (
	"strings"
	"testing"

	"portal/forms"
)

// The built-in statistics questionnaire gives every cell a series code,
// each once, in the Office's vocabulary.
func TestBuiltinSeries(t *testing.T) {
	lib, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	q, _ := lib.Latest("crime-statistics")
	codes := map[string]forms.SeriesCell{}
	repeats := 0
	for _, c := range q.SeriesCells() {
		if c.Repeat {
			repeats++
			if _, ok := codes[c.Code]; !ok {
				t.Errorf("%s/%s/%s repeats %s, given by no earlier cell", c.Question, c.Row, c.Category, c.Code)
			}
			continue
		}
		if f, dup := codes[c.Code]; dup {
			t.Errorf("%s in %s and %s", c.Code, f.Question, c.Question)
		}
		codes[c.Code] = c
	}
	for code, want := range map[string]string{
		"offences/iccs-0101":                              "police_offences/homicide/total",
		"persons_convicted/iccs-0101/sex:female":          "persons_convicted/homicide/female",
		"persons_prosecuted/all_offences/age:juvenile":    "persons_prosecuted_age/all_offences/juvenile",
		"persons_held/all_prisoners/sentence:unsentenced": "prisoners_by_status/all_prisoners/unsentenced",
		"population/total":                                "population_by_year/population/total",
	} {
		c, ok := codes[code]
		if !ok {
			t.Errorf("no cell has series %s", code)
			continue
		}
		if got := c.Question + "/" + c.Row + "/" + c.Category; got != want {
			t.Errorf("%s is %s, want %s", code, got, want)
		}
	}
	if repeats != 5 {
		t.Errorf("%d repeated totals, want 5 (three justice tables by age or citizenship, two prison tables)", repeats)
	}
	if codes["population/total"].Unit != "persons" || codes["offences/iccs-0101"].Unit != "count" {
		t.Errorf("units: %+v", codes["population/total"])
	}
}

func TestSeriesProblems(t *testing.T) {
	for _, tc := range []struct{ name, table, want string }{
		{"two tables, one series", `
      - key: a
        kind: table
        label: {en: A}
        table: {disaggregation: none, series: {indicator: x}, rows: [{key: r, label: {en: R}}]}
      - key: b
        kind: table
        label: {en: B}
        table: {disaggregation: none, series: {indicator: x}, rows: [{key: r, label: {en: R}}]}`,
			"series x/r of table b, row r, is also that of table a, row r"},
		{"two rows, one series", `
      - key: a
        kind: table
        label: {en: A}
        table: {disaggregation: none, rows: [{key: r, label: {en: R}}, {key: s, series: r, label: {en: S}}]}`,
			"series a/r is given twice in table a (rows r and s)"},
		{"repeats nothing", `
      - key: a
        kind: table
        label: {en: A}
        table: {disaggregation: none, series: {total_repeats: zz}, rows: [{key: r, label: {en: R}}]}`,
			"total_repeats: zz is not a table question"},
		{"repeats another indicator", `
      - key: a
        kind: table
        label: {en: A}
        table: {disaggregation: none, rows: [{key: r, label: {en: R}}]}
      - key: b
        kind: table
        label: {en: B}
        table: {disaggregation: none, series: {total_repeats: a}, rows: [{key: r, label: {en: R}}]}`,
			"total_repeats: the total of row r (series b/r) is not a total of table a"},
		{"bad codes", `
      - key: a
        kind: table
        label: {en: A}
        table: {disaggregation: none, series: {indicator: X-1, unit: "%"}, rows: [{key: r, series: "A B", label: {en: R}}]}`,
			"series indicator \"X-1\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "key: t\nversion: 1\ntitle: {en: T}\nsections:\n  - key: s\n    title: {en: S}\n    questions:" + tc.table + "\n"
			_, err := Parse("t.yaml", []byte(src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want a problem containing %q", err, tc.want)
			}
		})
	}
}

// A series keeps its unit from one version to the next.
func TestSeriesKeepUnits(t *testing.T) {
	lib, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	units := map[string]SeriesUnit{}
	for _, q := range lib.All() {
		if ps := CheckUnits("", q, units); len(ps) > 0 {
			t.Fatal(ps)
		}
	}
	v1, _ := lib.Latest("crime-statistics")
	v2 := *v1
	v2.Version = 2
	v2.Sections = append([]forms.Section(nil), v1.Sections...)
	v2.Sections[0].Questions = append([]forms.Question(nil), v1.Sections[0].Questions...)
	tbl := *v2.Sections[0].Questions[0].Table
	tbl.Series.Unit = "thousands"
	v2.Sections[0].Questions[0].Table = &tbl
	ps := CheckUnits("v2.yaml", &v2, units)
	if len(ps) != 1 || !strings.Contains(ps[0].Message, "population/total (table population_by_year) is counted in thousands here but in persons in crime-statistics v1") {
		t.Fatalf("got %v", ps)
	}
	if ps := CheckUnits("v1.yaml", v1, units); len(ps) != 0 {
		t.Fatalf("the same version again: %v", ps)
	}
}
