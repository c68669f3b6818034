package forms

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func f64(x float64) *float64 { return &x }

func yes(b bool) *bool { return &b }

// statsQuestionnaire is a small statistics questionnaire: offences recorded
// by the police (with rape part of sexual violence), persons prosecuted and
// convicted by sex, and a population figure; rules are the test's.
func statsQuestionnaire(rules ...Rule) *Questionnaire {
	sexTable := func(rows ...Indicator) *Table { return &Table{Disaggregation: "sex", Rows: rows} }
	return &Questionnaire{
		Key:     "stats",
		Version: 1,
		Disaggregations: map[string]Disaggregation{
			"sex": {Key: "sex", Categories: []Option{{Key: "male"}, {Key: "female"}, {Key: "unknown"}}},
		},
		Sections: []Section{
			{Key: "police", Questions: []Question{
				{Key: "offences", Kind: StatTable, Table: &Table{Rows: []Indicator{
					{Key: "homicide"},
					{Key: "sexual_violence"},
					{Key: "rape", PartOf: "sexual_violence"},
					{Key: "theft"},
				}}},
				{Key: "population", Kind: Number, Integer: true},
			}},
			{Key: "justice", Questions: []Question{
				{Key: "prosecuted", Kind: StatTable, Table: sexTable(
					Indicator{Key: "homicide"}, Indicator{Key: "sexual_violence"},
					Indicator{Key: "rape", PartOf: "sexual_violence"})},
				{Key: "convicted", Kind: StatTable, Table: sexTable(
					Indicator{Key: "homicide"}, Indicator{Key: "rape"}, Indicator{Key: "theft"})},
			}},
		},
		Rules: rules,
	}
}

// cells builds table cells: c("offences", "homicide", 2023, "total", 5).
// A value of na is "not available", nap "not applicable", blank a blank
// cell with a note (so it is stored).
type cellList []struct {
	ref  CellRef
	cell Cell
}

const (
	na    = -1001
	nap   = -1002
	blank = -1003
)

func c(q, row string, year int, cat string, v int64) struct {
	ref  CellRef
	cell Cell
} {
	cell := Cell{State: CellValue, Value: v}
	switch v {
	case na:
		cell = Cell{State: CellNotAvailable}
	case nap:
		cell = Cell{State: CellNotApplicable}
	case blank:
		cell = Cell{Note: "figures come next month"}
	}
	return struct {
		ref  CellRef
		cell Cell
	}{CellRef{q, row, year, cat}, cell}
}

func (l cellList) answers() Answers {
	a := Answers{Cells: map[CellRef]Cell{}}
	for _, x := range l {
		a.Cells[x.ref] = x.cell
	}
	return a
}

// sex returns the cells of one row and year of a table by sex.
func sex(q, row string, year int, male, female, unknown, total int64) cellList {
	return cellList{
		c(q, row, year, "male", male), c(q, row, year, "female", female),
		c(q, row, year, "unknown", unknown), c(q, row, year, "total", total),
	}
}

func join(ls ...cellList) cellList {
	var out cellList
	for _, l := range ls {
		out = append(out, l...)
	}
	return out
}

// cellFinding is the finding rule r makes on one cell.
func cellFinding(r Rule, q, row string, year int, cat string, args map[string]any) Finding {
	sev := r.Severity
	if sev != SeverityWarning {
		sev = SeverityError
	}
	return Finding{
		Key:      fmt.Sprintf("%s/%s/%d/%s", r.Key, row, year, cat),
		Rule:     r.Key,
		Kind:     r.Kind,
		Severity: sev,
		Question: q,
		Row:      row,
		Year:     year,
		Category: cat,
		Message:  r.Message,
		Args:     args,
	}
}

var years = []int{2020, 2021, 2022, 2023}

func TestCheckRules(t *testing.T) {
	rangeRule := Rule{Key: "offences_range", Kind: RuleRange, Severity: SeverityError, Question: "offences", Min: f64(1), Max: f64(1000)}
	rangeWarn := Rule{Key: "offences_plausible", Kind: RuleRange, Severity: SeverityWarning, Question: "offences", Max: f64(100),
		Message: Text{English: "{{.Value}} is a lot"}}
	popRange := Rule{Key: "population_range", Kind: RuleRange, Severity: SeverityError, Question: "population", Min: f64(1000), Max: f64(2e9)}
	sum := Rule{Key: "prosecuted_parts", Kind: RulePartsSumToTotal, Severity: SeverityError, Question: "prosecuted"}
	sumRows := sum
	sumRows.Rows = []string{"rape"}
	part := Rule{Key: "rape_within", Kind: RulePartNotAboveWhole, Severity: SeverityError, Question: "offences"}
	partRows := part
	partRows.Rows = []string{"homicide", "rape", "rape", "no_such_row"}
	notAbove := Rule{Key: "convicted_not_above_prosecuted", Kind: RuleNotAbove, Severity: SeverityWarning,
		Question: "convicted", Bound: "prosecuted", Message: Text{English: "More convicted ({{.Value}}) than prosecuted ({{.Bound}})."}}
	change := Rule{Key: "offences_change", Kind: RuleYearChange, Severity: SeverityWarning, Question: "offences", MaxShare: 0.5, MinBase: 20}
	changeRows := change
	changeRows.Rows = []string{"theft"}
	changeNoBase := change
	changeNoBase.MinBase = 0

	tests := []struct {
		name  string
		rules []Rule
		cells cellList
		pop   *float64
		years []int
		want  []Finding
	}{
		// range
		{name: "range: within bounds", rules: []Rule{rangeRule},
			cells: cellList{c("offences", "homicide", 2023, "total", 1), c("offences", "theft", 2023, "total", 1000)}},
		{name: "range: above max and zero below min", rules: []Rule{rangeRule},
			cells: cellList{c("offences", "homicide", 2023, "total", 1001), c("offences", "theft", 2022, "total", 0)},
			want: []Finding{
				cellFinding(rangeRule, "offences", "homicide", 2023, "total", map[string]any{"Value": int64(1001), "Min": 1.0, "Max": 1000.0}),
				cellFinding(rangeRule, "offences", "theft", 2022, "total", map[string]any{"Value": int64(0), "Min": 1.0, "Max": 1000.0}),
			}},
		{name: "range: blank, not available and not applicable are not values", rules: []Rule{rangeRule},
			cells: cellList{c("offences", "homicide", 2023, "total", blank), c("offences", "theft", 2023, "total", na), c("offences", "rape", 2023, "total", nap)}},
		{name: "range: warning with only a max and a message", rules: []Rule{rangeWarn},
			cells: cellList{c("offences", "homicide", 2023, "total", 101), c("offences", "theft", 2023, "total", 100)},
			want:  []Finding{cellFinding(rangeWarn, "offences", "homicide", 2023, "total", map[string]any{"Value": int64(101), "Max": 100.0})}},
		{name: "range: number question out of bounds", rules: []Rule{popRange}, pop: f64(999),
			want: []Finding{{Key: "population_range/population", Rule: "population_range", Kind: RuleRange, Severity: SeverityError,
				Question: "population", Args: map[string]any{"Value": 999.0, "Min": 1000.0, "Max": 2e9}}}},
		{name: "range: number question within bounds", rules: []Rule{popRange}, pop: f64(1000)},
		{name: "range: number question unanswered", rules: []Rule{popRange}},

		// parts_sum_to_total
		{name: "parts: add up", rules: []Rule{sum}, cells: sex("prosecuted", "homicide", 2023, 3, 2, 1, 6)},
		{name: "parts: do not add up", rules: []Rule{sum}, cells: sex("prosecuted", "homicide", 2023, 3, 2, 1, 7),
			want: []Finding{cellFinding(sum, "prosecuted", "homicide", 2023, "total", map[string]any{"Sum": int64(6), "Total": int64(7)})}},
		{name: "parts: the unknown part counts", rules: []Rule{sum}, cells: sex("prosecuted", "homicide", 2023, 3, 2, 0, 6),
			want: []Finding{cellFinding(sum, "prosecuted", "homicide", 2023, "total", map[string]any{"Sum": int64(5), "Total": int64(6)})}},
		{name: "parts: unknown part blank is not zero", rules: []Rule{sum},
			cells: join(sex("prosecuted", "homicide", 2023, 3, 2, blank, 6), sex("prosecuted", "rape", 2023, 3, 2, 0, 6)[:2], sex("prosecuted", "rape", 2023, 3, 2, 0, 6)[3:]),
		},
		{name: "parts: unknown part not available", rules: []Rule{sum}, cells: sex("prosecuted", "homicide", 2023, 3, 2, na, 6)},
		{name: "parts: total not applicable", rules: []Rule{sum}, cells: sex("prosecuted", "homicide", 2023, 3, 2, 1, nap)},
		{name: "parts: zero parts, zero total", rules: []Rule{sum}, cells: sex("prosecuted", "homicide", 2023, 0, 0, 0, 0)},
		{name: "parts: zero parts, total given", rules: []Rule{sum}, cells: sex("prosecuted", "homicide", 2023, 0, 0, 0, 4),
			want: []Finding{cellFinding(sum, "prosecuted", "homicide", 2023, "total", map[string]any{"Sum": int64(0), "Total": int64(4)})}},
		{name: "parts: rows restricted", rules: []Rule{sumRows},
			cells: join(sex("prosecuted", "homicide", 2023, 3, 2, 1, 7), sex("prosecuted", "rape", 2022, 1, 1, 1, 4)),
			want:  []Finding{cellFinding(sumRows, "prosecuted", "rape", 2022, "total", map[string]any{"Sum": int64(3), "Total": int64(4)})}},
		{name: "parts: table without disaggregation", rules: []Rule{{Key: "p", Kind: RulePartsSumToTotal, Question: "offences"}},
			cells: cellList{c("offences", "homicide", 2023, "total", 5)}},
		{name: "parts: sum beyond int64 is reported, saturated", rules: []Rule{sum},
			cells: sex("prosecuted", "homicide", 2023, math.MaxInt64, math.MaxInt64, math.MaxInt64, math.MaxInt64),
			want:  []Finding{cellFinding(sum, "prosecuted", "homicide", 2023, "total", map[string]any{"Sum": int64(math.MaxInt64), "Total": int64(math.MaxInt64)})}},

		// part_not_above_whole
		{name: "part: below whole", rules: []Rule{part},
			cells: cellList{c("offences", "rape", 2023, "total", 5), c("offences", "sexual_violence", 2023, "total", 5)}},
		{name: "part: above whole", rules: []Rule{part},
			cells: cellList{c("offences", "rape", 2023, "total", 6), c("offences", "sexual_violence", 2023, "total", 5), c("offences", "sexual_violence", 2022, "total", 0), c("offences", "rape", 2022, "total", 1)},
			want: []Finding{
				cellFinding(part, "offences", "rape", 2022, "total", map[string]any{"Value": int64(1), "Whole": int64(0)}),
				cellFinding(part, "offences", "rape", 2023, "total", map[string]any{"Value": int64(6), "Whole": int64(5)}),
			}},
		{name: "part: whole blank or not available", rules: []Rule{part},
			cells: cellList{c("offences", "rape", 2023, "total", 6), c("offences", "sexual_violence", 2023, "total", na), c("offences", "rape", 2022, "total", 6), c("offences", "sexual_violence", 2022, "total", blank)}},
		{name: "part: rows restricted to rows that are parts, repeats once", rules: []Rule{partRows},
			cells: cellList{c("offences", "rape", 2023, "total", 6), c("offences", "sexual_violence", 2023, "total", 5)},
			want:  []Finding{cellFinding(partRows, "offences", "rape", 2023, "total", map[string]any{"Value": int64(6), "Whole": int64(5)})}},
		{name: "part: rows restricted to other rows", rules: []Rule{{Key: "rape_within", Kind: RulePartNotAboveWhole, Question: "offences", Rows: []string{"theft"}}},
			cells: cellList{c("offences", "rape", 2023, "total", 6), c("offences", "sexual_violence", 2023, "total", 5)}},
		{name: "part: by category", rules: []Rule{{Key: "rape_within_prosecuted", Kind: RulePartNotAboveWhole, Severity: SeverityWarning, Question: "prosecuted"}},
			cells: join(sex("prosecuted", "sexual_violence", 2023, 4, 4, 0, 8), sex("prosecuted", "rape", 2023, 5, 1, 0, 6)),
			want: []Finding{cellFinding(Rule{Key: "rape_within_prosecuted", Kind: RulePartNotAboveWhole, Severity: SeverityWarning},
				"prosecuted", "rape", 2023, "male", map[string]any{"Value": int64(5), "Whole": int64(4)})}},

		// not_above
		{name: "not above: convicted above prosecuted", rules: []Rule{notAbove},
			cells: join(sex("prosecuted", "homicide", 2023, 10, 2, 0, 12), sex("convicted", "homicide", 2023, 11, 2, 0, 13)),
			want: []Finding{
				cellFinding(notAbove, "convicted", "homicide", 2023, "male", map[string]any{"Value": int64(11), "Bound": int64(10)}),
				cellFinding(notAbove, "convicted", "homicide", 2023, "total", map[string]any{"Value": int64(13), "Bound": int64(12)}),
			}},
		{name: "not above: equal", rules: []Rule{notAbove},
			cells: join(sex("prosecuted", "homicide", 2023, 10, 2, 0, 12), sex("convicted", "homicide", 2023, 10, 2, 0, 12))},
		{name: "not above: bound blank, not available, other year", rules: []Rule{notAbove},
			cells: join(sex("prosecuted", "homicide", 2023, blank, na, nap, 12), sex("convicted", "homicide", 2023, 11, 3, 1, 13)[:3],
				cellList{c("prosecuted", "homicide", 2022, "total", 20)})},
		{name: "not above: row the bound does not have", rules: []Rule{notAbove},
			cells: cellList{c("convicted", "theft", 2023, "total", 5)}},
		{name: "not above: unknown bound", rules: []Rule{{Key: "x", Kind: RuleNotAbove, Question: "convicted", Bound: "nothing"}},
			cells: cellList{c("convicted", "homicide", 2023, "total", 5)}},

		// change_from_previous_year
		{name: "change: up more than half", rules: []Rule{change},
			cells: cellList{c("offences", "homicide", 2022, "total", 100), c("offences", "homicide", 2023, "total", 151)},
			want: []Finding{cellFinding(change, "offences", "homicide", 2023, "total",
				map[string]any{"Value": int64(151), "Previous": int64(100), "Share": int64(51)})}},
		{name: "change: down more than half, share rounded", rules: []Rule{change},
			cells: cellList{c("offences", "homicide", 2022, "total", 30), c("offences", "homicide", 2023, "total", 10)},
			want: []Finding{cellFinding(change, "offences", "homicide", 2023, "total",
				map[string]any{"Value": int64(10), "Previous": int64(30), "Share": int64(67)})}},
		{name: "change: exactly half is not more", rules: []Rule{change},
			cells: cellList{c("offences", "homicide", 2022, "total", 100), c("offences", "homicide", 2023, "total", 150), c("offences", "theft", 2022, "total", 100), c("offences", "theft", 2023, "total", 50)}},
		{name: "change: previous below min base", rules: []Rule{change},
			cells: cellList{c("offences", "homicide", 2022, "total", 19), c("offences", "homicide", 2023, "total", 1000)}},
		{name: "change: previous at min base", rules: []Rule{change},
			cells: cellList{c("offences", "homicide", 2022, "total", 20), c("offences", "homicide", 2023, "total", 31)},
			want: []Finding{cellFinding(change, "offences", "homicide", 2023, "total",
				map[string]any{"Value": int64(31), "Previous": int64(20), "Share": int64(55)})}},
		{name: "change: from 0 to more than the base", rules: []Rule{change},
			cells: cellList{c("offences", "homicide", 2022, "total", 0), c("offences", "homicide", 2023, "total", 21)},
			want: []Finding{cellFinding(change, "offences", "homicide", 2023, "total",
				map[string]any{"Value": int64(21), "Previous": int64(0)})}},
		{name: "change: from 0 to the base", rules: []Rule{change},
			cells: cellList{c("offences", "homicide", 2022, "total", 0), c("offences", "homicide", 2023, "total", 20)}},
		{name: "change: from 0 to 1 with no base", rules: []Rule{changeNoBase},
			cells: cellList{c("offences", "homicide", 2022, "total", 0), c("offences", "homicide", 2023, "total", 1), c("offences", "theft", 2022, "total", 0), c("offences", "theft", 2023, "total", 0)},
			want: []Finding{cellFinding(changeNoBase, "offences", "homicide", 2023, "total",
				map[string]any{"Value": int64(1), "Previous": int64(0)})}},
		{name: "change: previous year not reported", rules: []Rule{change}, years: []int{2020, 2022, 2023},
			cells: cellList{c("offences", "homicide", 2020, "total", 100), c("offences", "homicide", 2022, "total", 500)}},
		{name: "change: previous blank or not available", rules: []Rule{change},
			cells: cellList{c("offences", "homicide", 2022, "total", blank), c("offences", "homicide", 2023, "total", 500), c("offences", "theft", 2022, "total", na), c("offences", "theft", 2023, "total", 500)}},
		{name: "change: rows restricted", rules: []Rule{changeRows},
			cells: cellList{c("offences", "homicide", 2022, "total", 100), c("offences", "homicide", 2023, "total", 500), c("offences", "theft", 2022, "total", 100), c("offences", "theft", 2023, "total", 500)},
			want: []Finding{cellFinding(changeRows, "offences", "theft", 2023, "total",
				map[string]any{"Value": int64(500), "Previous": int64(100), "Share": int64(400)})}},
		{name: "change: every year against the one before", rules: []Rule{change},
			cells: cellList{c("offences", "homicide", 2020, "total", 100), c("offences", "homicide", 2021, "total", 200), c("offences", "homicide", 2022, "total", 200), c("offences", "homicide", 2023, "total", 50)},
			want: []Finding{
				cellFinding(change, "offences", "homicide", 2021, "total", map[string]any{"Value": int64(200), "Previous": int64(100), "Share": int64(100)}),
				cellFinding(change, "offences", "homicide", 2023, "total", map[string]any{"Value": int64(50), "Previous": int64(200), "Share": int64(75)}),
			}},

		// severities and rules Check skips
		{name: "a severity that is not a warning is an error", rules: []Rule{{Key: "odd", Kind: RuleRange, Severity: "fatal", Question: "offences", Max: f64(1)}},
			cells: cellList{c("offences", "homicide", 2023, "total", 2)},
			want: []Finding{cellFinding(Rule{Key: "odd", Kind: RuleRange, Severity: SeverityError}, "offences", "homicide", 2023, "total",
				map[string]any{"Value": int64(2), "Max": 1.0})}},
		{name: "rules on unknown questions, of the wrong kind, repeated or with reserved keys are skipped",
			rules: []Rule{
				{Key: "a", Kind: RuleRange, Question: "nothing", Max: f64(1)},
				{Key: "b", Kind: RulePartsSumToTotal, Question: "population"},
				{Key: "c", Kind: RuleRange, Question: "offences", Max: f64(1)},
				{Key: "c", Kind: RuleRange, Question: "offences", Max: f64(0)},
				{Key: "required", Kind: RuleRange, Question: "population", Max: f64(1)},
				{Key: "invalid", Kind: RuleRange, Question: "offences", Max: f64(1)},
				{Key: "d", Kind: "no_such_kind", Question: "offences"},
			},
			pop:   f64(5),
			cells: cellList{c("offences", "homicide", 2023, "total", 2)},
			want: []Finding{cellFinding(Rule{Key: "c", Kind: RuleRange, Severity: SeverityError}, "offences", "homicide", 2023, "total",
				map[string]any{"Value": int64(2), "Max": 1.0})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := statsQuestionnaire(tt.rules...)
			a := tt.cells.answers()
			if tt.pop != nil {
				a.Values = map[string]Answer{"population": {Number: tt.pop}}
			}
			ys := tt.years
			if ys == nil {
				ys = years
			}
			got := Check(q, a, ys)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Check (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCheckOrder puts findings of every sort in one questionnaire and
// checks their order and keys.
func TestCheckOrder(t *testing.T) {
	sum := Rule{Key: "z_parts", Kind: RulePartsSumToTotal, Severity: SeverityError, Question: "prosecuted"}
	notAbove := Rule{Key: "convicted_not_above_prosecuted", Kind: RuleNotAbove, Severity: SeverityWarning, Question: "convicted", Bound: "prosecuted"}
	rng := Rule{Key: "a_range", Kind: RuleRange, Severity: SeverityWarning, Question: "prosecuted", Max: f64(10)}
	pop := Rule{Key: "population_range", Kind: RuleRange, Severity: SeverityError, Question: "population", Max: f64(10)}
	q := statsQuestionnaire(sum, notAbove, rng, pop)
	q.Sections[1].Questions[0].Required = true // prosecuted
	q.Sections[0].Questions[1].Required = true // population
	a := join(
		sex("prosecuted", "rape", 2023, 5, 5, 5, 14),
		sex("prosecuted", "homicide", 2023, 1, 1, 1, 3),
		sex("prosecuted", "homicide", 2022, 11, 1, 0, 11),
		sex("convicted", "homicide", 2023, 2, 2, 2, 6),
		sex("convicted", "homicide", 2022, 1, 1, 0, 2),
		cellList{c("offences", "theft", 2019, "total", 5), c("offences", "murder", 2023, "total", 1)},
	).answers()
	a.Values = map[string]Answer{"population": {Number: f64(10.5)}, "zz": {Text: "x"}, "aa": {Text: "x"}}
	var got []string
	for _, f := range Check(q, a, years) {
		got = append(got, f.Key)
	}
	want := []string{
		// section police: offences (rows in order, unknown row last), then population
		"invalid/offences/theft/2019/total",
		"invalid/offences/murder/2023/total",
		"invalid/population/not_whole",
		"population_range/population",
		// section justice: prosecuted, by row (homicide, rape), year, column, rule
		"a_range/homicide/2022/male",
		"z_parts/homicide/2022/total", // rules in their order, not by key
		"a_range/homicide/2022/total",
		"z_parts/rape/2023/total",
		"a_range/rape/2023/total",
		// convicted
		"convicted_not_above_prosecuted/homicide/2023/male",
		"convicted_not_above_prosecuted/homicide/2023/female",
		"convicted_not_above_prosecuted/homicide/2023/unknown",
		"convicted_not_above_prosecuted/homicide/2023/total",
		// unknown questions, by key
		"invalid/aa/unknown_question",
		"invalid/zz/unknown_question",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	for i := range 20 {
		again := Check(q, a, years)
		for j, f := range again {
			if f.Key != got[j] {
				t.Fatalf("run %d: finding %d is %s, was %s", i, j, f.Key, got[j])
			}
		}
	}
	// years given out of order and repeated change nothing
	var got2 []string
	for _, f := range Check(q, a, []int{2023, 2020, 2021, 2022, 2023}) {
		got2 = append(got2, f.Key)
	}
	if diff := cmp.Diff(want, got2); diff != "" {
		t.Errorf("keys with years unordered (-want +got):\n%s", diff)
	}
}

func TestUnexplainedAndBlocking(t *testing.T) {
	warn := func(key string) Finding { return Finding{Key: key, Severity: SeverityWarning} }
	fail := func(key string) Finding { return Finding{Key: key, Severity: SeverityError} }
	fs := []Finding{fail("e1"), warn("w1"), warn("w2"), warn("w3"), fail("e2"), {Key: "odd", Severity: "other"}, warn("w4")}
	tests := []struct {
		name            string
		explanations    map[string]string
		wantUnexplained []string
		wantBlocking    []string
	}{
		{name: "no explanations",
			wantUnexplained: []string{"w1", "w2", "w3", "w4"},
			wantBlocking:    []string{"e1", "w1", "w2", "w3", "e2", "odd", "w4"}},
		{name: "some explained, some blank, some stale",
			explanations: map[string]string{
				"w1":      "The new law widened the definition in 2023.",
				"w2":      "  \n",
				"w3":      "",
				"e1":      "errors cannot be explained away",
				"w_gone":  "a warning since corrected",
				"w4/2023": "another key",
			},
			wantUnexplained: []string{"w2", "w3", "w4"},
			wantBlocking:    []string{"e1", "w2", "w3", "e2", "odd", "w4"}},
		{name: "all explained",
			explanations:    map[string]string{"w1": "a", "w2": "b", "w3": "c", "w4": "d"},
			wantUnexplained: nil,
			wantBlocking:    []string{"e1", "e2", "odd"}},
	}
	keys := func(fs []Finding) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Key)
		}
		return out
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Answers{Explanations: tt.explanations}
			if diff := cmp.Diff(tt.wantUnexplained, keys(Unexplained(fs, a))); diff != "" {
				t.Errorf("Unexplained (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantBlocking, keys(Blocking(fs, a))); diff != "" {
				t.Errorf("Blocking (-want +got):\n%s", diff)
			}
		})
	}

	// end to end: a warning from Check, explained, no longer blocks; once
	// the figure is corrected, the stale explanation explains nothing else
	q := statsQuestionnaire(Rule{Key: "convicted_not_above_prosecuted", Kind: RuleNotAbove, Severity: SeverityWarning, Question: "convicted", Bound: "prosecuted"})
	a := cellList{c("prosecuted", "homicide", 2023, "total", 5), c("convicted", "homicide", 2023, "total", 6)}.answers()
	a.Explanations = map[string]string{"convicted_not_above_prosecuted/homicide/2023/total": "Cases from 2022 were decided in 2023."}
	if got := Blocking(Check(q, a, years), a); got != nil {
		t.Errorf("Blocking with the warning explained = %v, want nil", keys(got))
	}
	a.Cells[CellRef{"convicted", "homicide", 2023, "total"}] = Cell{State: CellValue, Value: 5}
	a.Cells[CellRef{"convicted", "homicide", 2023, "male"}] = Cell{State: CellValue, Value: 6}
	a.Cells[CellRef{"prosecuted", "homicide", 2023, "male"}] = Cell{State: CellValue, Value: 5}
	if diff := cmp.Diff([]string{"convicted_not_above_prosecuted/homicide/2023/male"}, keys(Blocking(Check(q, a, years), a))); diff != "" {
		t.Errorf("Blocking after correction (-want +got):\n%s", diff)
	}
}

func TestSectionStates(t *testing.T) {
	q := &Questionnaire{Key: "s", Version: 1, Sections: []Section{
		{Key: "one", Questions: []Question{
			{Key: "name", Kind: Narrative, Required: true},
			{Key: "comment", Kind: Narrative},
		}},
		{Key: "two", Questions: []Question{
			{Key: "counts", Kind: StatTable, Required: true, Table: &Table{Rows: []Indicator{{Key: "a"}, {Key: "b", PartOf: "a"}}}},
		}},
		{Key: "three", Questions: []Question{
			{Key: "optional", Kind: YesNo},
		}},
	}, Rules: []Rule{
		{Key: "b_within_a", Kind: RulePartNotAboveWhole, Severity: SeverityError, Question: "counts"},
		{Key: "b_within_a_warn", Kind: RuleRange, Severity: SeverityWarning, Question: "counts", Max: f64(5)},
	}}
	cell := func(row string, v int64) map[CellRef]Cell {
		return map[CellRef]Cell{{"counts", row, 2023, "total"}: {State: CellValue, Value: v}}
	}
	tests := []struct {
		name string
		a    Answers
		want map[string]SectionState
	}{
		{name: "nothing", want: map[string]SectionState{"one": SectionNotStarted, "two": SectionNotStarted, "three": SectionNotStarted}},
		{name: "blank answers are not answers",
			a:    Answers{Values: map[string]Answer{"comment": {Text: "  "}}, Cells: map[CellRef]Cell{{"counts", "a", 2023, "total"}: {Note: "x"}}},
			want: map[string]SectionState{"one": SectionNotStarted, "two": SectionNotStarted, "three": SectionNotStarted}},
		{name: "optional answered, required not",
			a:    Answers{Values: map[string]Answer{"comment": {Text: "hello"}, "optional": {Bool: yes(false)}}},
			want: map[string]SectionState{"one": SectionInProgress, "two": SectionNotStarted, "three": SectionComplete}},
		{name: "required answered; a warning not explained stops the section",
			a:    Answers{Values: map[string]Answer{"name": {Text: "Ruritania"}}, Cells: cell("a", 6)},
			want: map[string]SectionState{"one": SectionComplete, "two": SectionUnexplained, "three": SectionNotStarted}},
		{name: "required answered; an explained warning does not matter",
			a: Answers{Values: map[string]Answer{"name": {Text: "Ruritania"}}, Cells: cell("a", 6),
				Explanations: map[string]string{"b_within_a_warn/a/2023/total": "a count of a census year"}},
			want: map[string]SectionState{"one": SectionComplete, "two": SectionComplete, "three": SectionNotStarted}},
		{name: "invalid answer and a rule's error",
			a: Answers{Values: map[string]Answer{"comment": {Text: strings.Repeat("x", 10001)}}, Cells: map[CellRef]Cell{
				{"counts", "a", 2023, "total"}: {State: CellValue, Value: 1},
				{"counts", "b", 2023, "total"}: {State: CellValue, Value: 2},
			}},
			want: map[string]SectionState{"one": SectionHasErrors, "two": SectionHasErrors, "three": SectionNotStarted}},
		{name: "not available is an answer",
			a:    Answers{Cells: map[CellRef]Cell{{"counts", "a", 2023, "total"}: {State: CellNotAvailable}}},
			want: map[string]SectionState{"one": SectionNotStarted, "two": SectionComplete, "three": SectionNotStarted}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SectionStates(q, tt.a, Check(q, tt.a, years))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("SectionStates (-want +got):\n%s", diff)
			}
		})
	}
}

func TestQuestionAndColumns(t *testing.T) {
	q := statsQuestionnaire()
	if got, ok := q.Question("convicted"); !ok || got != &q.Sections[1].Questions[1] {
		t.Errorf("Question(convicted) = %p, %v; want the question in the second section", got, ok)
	}
	if got, ok := q.Question("nothing"); ok || got != nil {
		t.Errorf("Question(nothing) = %v, %v; want nil, false", got, ok)
	}
	if _, ok := (*Questionnaire)(nil).Question("x"); ok {
		t.Errorf("nil questionnaire has a question")
	}
	q.Disaggregations["odd"] = Disaggregation{Categories: []Option{{Key: "a"}, {Key: "total"}, {Key: "a"}, {Key: "b"}}}
	for _, tt := range []struct {
		table *Table
		want  []string
	}{
		{q.Sections[1].Questions[0].Table, []string{"male", "female", "unknown", "total"}},
		{q.Sections[0].Questions[0].Table, []string{"total"}},
		{&Table{Disaggregation: "missing"}, []string{"total"}},
		{&Table{Disaggregation: "odd"}, []string{"a", "b", "total"}},
		{nil, []string{"total"}},
	} {
		if diff := cmp.Diff(tt.want, q.Columns(tt.table)); diff != "" {
			t.Errorf("Columns(%+v) (-want +got):\n%s", tt.table, diff)
		}
	}
}

func TestAssess(t *testing.T) {
	q := &Questionnaire{Key: "s", Version: 1, Sections: []Section{
		{Key: "one", Questions: []Question{
			{Key: "name", Kind: Narrative, Required: true},
			{Key: "comment", Kind: Narrative},
		}},
		{Key: "two", Questions: []Question{
			{Key: "counts", Kind: StatTable, Table: &Table{Rows: []Indicator{{Key: "a"}}}},
			{Key: "sure", Kind: YesNo},
		}},
	}, Rules: []Rule{{Key: "small", Kind: RuleRange, Severity: SeverityWarning, Question: "counts", Max: f64(5)}}}
	a := Answers{Values: map[string]Answer{"comment": {Text: "  "}, "sure": {Bool: yes(true)}},
		Cells: map[CellRef]Cell{{"counts", "a", 2023, "total"}: {State: CellValue, Value: 6}}}
	p := Assess(q, a, years)
	keys := func(fs []Finding) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Key)
		}
		return out
	}
	if diff := cmp.Diff(map[string]Count{"one": {0, 2}, "two": {2, 2}}, p.Sections); diff != "" {
		t.Errorf("Sections (-want +got):\n%s", diff)
	}
	if p.Count != (Count{2, 4}) || p.Percent() != 50 {
		t.Errorf("Count = %+v (%d%%), want 2 of 4 (50%%)", p.Count, p.Percent())
	}
	// The required name and the unexplained warning stop it; each section says so.
	if diff := cmp.Diff([]string{"required/name", "small/a/2023/total"}, keys(p.Blocking)); diff != "" {
		t.Errorf("Blocking (-want +got):\n%s", diff)
	}
	if p.Ready() || p.States["one"] != SectionNotStarted || p.States["two"] != SectionUnexplained {
		t.Errorf("Ready = %v, States = %v", p.Ready(), p.States)
	}
	a.Values["name"] = Answer{Text: "Ruritania"}
	a.Explanations = map[string]string{"small/a/2023/total": "a census year"}
	p = Assess(q, a, years)
	if !p.Ready() || p.States["one"] != SectionComplete || p.States["two"] != SectionComplete || p.Percent() != 75 {
		t.Errorf("after answering: Ready = %v, States = %v, %d%%", p.Ready(), p.States, p.Percent())
	}
}
