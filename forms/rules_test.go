package forms

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func f64(x float64) *float64 { return &x }
func yes(b bool) *bool       { return &b }

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

// kindsQuestionnaire has one question of every kind, required or not.
func kindsQuestionnaire(required bool) *Questionnaire {
	return &Questionnaire{Key: "kinds", Version: 1, Sections: []Section{{Key: "all", Questions: []Question{
		{Key: "views", Kind: Narrative, Required: required, MaxLength: 5},
		{Key: "notes", Kind: Narrative, Required: required},
		{Key: "one", Kind: SingleChoice, Required: required, Options: []Option{{Key: "a"}, {Key: "b"}}},
		{Key: "one_other", Kind: SingleChoice, Required: required, Options: []Option{{Key: "a"}, {Key: "b"}}, Other: true},
		{Key: "many", Kind: MultipleChoice, Required: required, Options: []Option{{Key: "a"}, {Key: "b"}, {Key: "c"}}, Other: true},
		{Key: "agreed", Kind: YesNo, Required: required},
		{Key: "since", Kind: Date, Required: required},
		{Key: "staff", Kind: Number, Required: required, Integer: true, Min: f64(0), Max: f64(100)},
		{Key: "share", Kind: Number, Required: required},
		{Key: "report", Kind: Attachment, Required: required, Accept: []string{"application/pdf"}},
		{Key: "counts", Kind: StatTable, Required: required, Table: &Table{Rows: []Indicator{{Key: "a"}}}},
	}}}}
}

func invalid(q, reason string, args map[string]any) Finding {
	if args == nil {
		args = map[string]any{}
	}
	args["Reason"] = reason
	return Finding{Key: "invalid/" + q + "/" + reason, Rule: "invalid", Kind: RuleInvalid, Severity: SeverityError, Question: q, Args: args}
}

func invalidCell(key string, ref CellRef, reason string, args map[string]any) Finding {
	if args == nil {
		args = map[string]any{}
	}
	args["Reason"] = reason
	return Finding{Key: key, Rule: "invalid", Kind: RuleInvalid, Severity: SeverityError,
		Question: ref.Question, Row: ref.Row, Year: ref.Year, Category: ref.Category, Args: args}
}

func TestCheckInvalid(t *testing.T) {
	tests := []struct {
		name   string
		values map[string]Answer
		cells  map[CellRef]Cell
		want   []Finding
	}{
		{name: "valid answers", values: map[string]Answer{
			"views":     {Text: "fünf!"}, // 5 characters, 6 bytes
			"notes":     {Text: strings.Repeat("x", 10000)},
			"one":       {Choices: []string{"a"}},
			"one_other": {Choices: []string{"other"}, Text: "something else"},
			"many":      {Choices: []string{"a", "c", "other"}, Text: "more"},
			"agreed":    {Bool: yes(false)},
			"since":     {Date: "2024-02-29"},
			"staff":     {Number: f64(100)},
			"share":     {Number: f64(-0.5)},
			"report":    {Files: []int64{1}},
		}, cells: map[CellRef]Cell{
			{"counts", "a", 2023, "total"}: {State: CellValue, Value: 0},
			{"counts", "a", 2022, "total"}: {State: CellNotApplicable},
			{"counts", "a", 2021, "total"}: {State: CellNotAvailable, Note: "n", Flags: FlagEstimate},
			{"counts", "a", 2019, "total"}: {}, // nothing in it: as if absent
			{"ghost", "a", 2023, "total"}:  {},
		}},
		{name: "texts too long, in characters", values: map[string]Answer{
			"views": {Text: "fünf!!"},
			"notes": {Text: strings.Repeat("é", 10001)},
		}, want: []Finding{
			invalid("views", InvalidTooLong, map[string]any{"Length": 6, "MaxLength": 5}),
			invalid("notes", InvalidTooLong, map[string]any{"Length": 10001, "MaxLength": 10000}),
		}},
		{name: "choices", values: map[string]Answer{
			"one":       {Choices: []string{"a", "b"}},
			"one_other": {Choices: []string{"other"}, Text: "  "},
			"many":      {Choices: []string{"a", "z", "a", "other", "y", "z"}, Text: strings.Repeat("x", 10001)},
		}, want: []Finding{
			invalid("one", InvalidTooManyChoices, map[string]any{"Count": 2}),
			invalid("one_other", InvalidOtherText, nil),
			invalid("many", InvalidDuplicateChoice, map[string]any{"Choices": []string{"a", "z"}}),
			invalid("many", InvalidTooLong, map[string]any{"Length": 10001, "MaxLength": 10000}),
			invalid("many", InvalidUnknownChoice, map[string]any{"Choices": []string{"z", "y"}}),
		}},
		{name: "other where there is none", values: map[string]Answer{
			"one": {Choices: []string{"other"}, Text: "x"},
		}, want: []Finding{invalid("one", InvalidUnknownChoice, map[string]any{"Choices": []string{"other"}})}},
		{name: "other without its text", values: map[string]Answer{
			"many": {Choices: []string{"other"}},
		}, want: []Finding{invalid("many", InvalidOtherText, nil)}},
		{name: "numbers", values: map[string]Answer{
			"staff": {Number: f64(100.5)},
			"share": {Number: f64(math.NaN())},
		}, want: []Finding{
			invalid("staff", InvalidNotWhole, map[string]any{"Value": 100.5}),
			invalid("staff", InvalidOutOfRange, map[string]any{"Value": 100.5, "Min": 0.0, "Max": 100.0}),
			invalid("share", InvalidNotFinite, nil),
		}},
		{name: "below min, infinite", values: map[string]Answer{
			"staff": {Number: f64(-1)},
			"share": {Number: f64(math.Inf(-1))},
		}, want: []Finding{
			invalid("staff", InvalidOutOfRange, map[string]any{"Value": -1.0, "Min": 0.0, "Max": 100.0}),
			invalid("share", InvalidNotFinite, nil),
		}},
		{name: "dates", values: map[string]Answer{"since": {Date: "2023-02-29"}},
			want: []Finding{invalid("since", InvalidDate, nil)}},
		{name: "date in another format", values: map[string]Answer{"since": {Date: "29/02/2024"}},
			want: []Finding{invalid("since", InvalidDate, nil)}},
		{name: "date with one-digit month", values: map[string]Answer{"since": {Date: "2024-2-029"}},
			want: []Finding{invalid("since", InvalidDate, nil)}},
		{name: "answers to unknown questions and to a table", values: map[string]Answer{
			"ghost":  {Text: "boo"},
			"a/b":    {Bool: yes(true)},
			"empty":  {},
			"counts": {Number: f64(3)},
		}, want: []Finding{
			invalid("counts", InvalidWrongKind, nil),
			{Key: "invalid/a%2Fb/unknown_question", Rule: "invalid", Kind: RuleInvalid, Severity: SeverityError, Question: "a/b", Args: map[string]any{"Reason": InvalidUnknownQuestion}},
			invalid("ghost", InvalidUnknownQuestion, nil),
		}},
		{name: "cells that do not fit", cells: map[CellRef]Cell{
			{"counts", "a", 2023, "total"}:   {State: CellValue, Value: -1},
			{"counts", "a", 2022, "total"}:   {State: 9},
			{"counts", "b", 2023, "total"}:   {State: CellValue, Value: 1},
			{"counts", "a", 2023, "male"}:    {State: CellValue, Value: 1},
			{"counts", "a", 2030, "total"}:   {State: CellValue, Value: 1},
			{"counts", "a", 2023, "x/2024"}:  {State: CellNotAvailable},
			{"staff", "a", 2023, "total"}:    {State: CellValue, Value: 1},
			{"ghost", "a", 2023, "total"}:    {Note: "a note"},
			{"counts", "a", 2023, "unknown"}: {Note: "blank, but at no place"},
		}, want: []Finding{
			invalidCell("invalid/staff/a/2023/total", CellRef{"staff", "a", 2023, "total"}, InvalidNotATable, nil),
			invalidCell("invalid/counts/a/2022/total", CellRef{"counts", "a", 2022, "total"}, InvalidUnknownState, nil),
			invalidCell("invalid/counts/a/2023/total", CellRef{"counts", "a", 2023, "total"}, InvalidNegative, map[string]any{"Value": int64(-1)}),
			invalidCell("invalid/counts/a/2023/male", CellRef{"counts", "a", 2023, "male"}, InvalidUnknownCategory, nil),
			invalidCell("invalid/counts/a/2023/unknown", CellRef{"counts", "a", 2023, "unknown"}, InvalidUnknownCategory, nil),
			invalidCell("invalid/counts/a/2023/x%2F2024", CellRef{"counts", "a", 2023, "x/2024"}, InvalidUnknownCategory, nil),
			invalidCell("invalid/counts/a/2030/total", CellRef{"counts", "a", 2030, "total"}, InvalidUnknownYear, nil),
			invalidCell("invalid/counts/b/2023/total", CellRef{"counts", "b", 2023, "total"}, InvalidUnknownRow, nil),
			invalidCell("invalid/ghost/a/2023/total", CellRef{"ghost", "a", 2023, "total"}, InvalidUnknownQuestion, nil),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Check(kindsQuestionnaire(false), Answers{Values: tt.values, Cells: tt.cells}, years)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Check (-want +got):\n%s", diff)
			}
		})
	}
}

func required(q string) Finding {
	return Finding{Key: "required/" + q, Rule: "required", Kind: RuleRequired, Severity: SeverityError, Question: q}
}

func TestCheckRequired(t *testing.T) {
	all := []string{"views", "notes", "one", "one_other", "many", "agreed", "since", "staff", "share", "report", "counts"}
	tests := []struct {
		name       string
		a          Answers
		unanswered []string
	}{
		{name: "nothing", unanswered: all},
		{name: "empty answers", a: Answers{Values: map[string]Answer{
			"views": {Text: " \n\t"}, "notes": {Choices: []string{"a"}}, "one": {Text: "a"}, "one_other": {Choices: []string{}},
			"many": {}, "agreed": {}, "since": {}, "staff": {Text: "3"}, "share": {}, "report": {Files: []int64{}},
		}, Cells: map[CellRef]Cell{
			{"counts", "a", 2023, "total"}: {State: CellBlank, Note: "later"},
		}}, unanswered: all},
		{name: "everything answered", a: Answers{Values: map[string]Answer{
			"views": {Text: "yes"}, "notes": {Text: "x"}, "one": {Choices: []string{"a"}}, "one_other": {Choices: []string{"b"}},
			"many": {Choices: []string{"c"}}, "agreed": {Bool: yes(false)}, "since": {Date: "2020-01-01"},
			"staff": {Number: f64(0)}, "share": {Number: f64(0)}, "report": {Files: []int64{7}},
		}, Cells: map[CellRef]Cell{
			{"counts", "a", 2023, "total"}: {State: CellNotAvailable},
		}}},
		{name: "a table with a zero", a: Answers{Cells: map[CellRef]Cell{{"counts", "a", 2020, "total"}: {State: CellValue}}},
			unanswered: all[:len(all)-1]},
		{name: "a table with not applicable", a: Answers{Cells: map[CellRef]Cell{{"counts", "a", 2020, "total"}: {State: CellNotApplicable}}},
			unanswered: all[:len(all)-1]},
		{name: "a table with only cells out of place", a: Answers{Cells: map[CellRef]Cell{{"counts", "a", 1999, "total"}: {State: CellValue}}},
			unanswered: all},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []Finding
			for _, q := range tt.unanswered {
				want = append(want, required(q))
			}
			var got []Finding
			for _, f := range Check(kindsQuestionnaire(true), tt.a, years) {
				if f.Kind == RuleRequired {
					got = append(got, f)
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("required findings (-want +got):\n%s", diff)
			}
		})
	}
	if fs := Check(kindsQuestionnaire(false), Answers{}, years); fs != nil {
		t.Errorf("Check on nothing, nothing required = %v, want nil", fs)
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
		{name: "required answered; a warning does not matter",
			a:    Answers{Values: map[string]Answer{"name": {Text: "Ruritania"}}, Cells: cell("a", 6)},
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

// fuzzQuestionnaire has every kind of question and rule.
func fuzzQuestionnaire() *Questionnaire {
	q := statsQuestionnaire(
		Rule{Key: "r", Kind: RuleRange, Severity: SeverityError, Question: "offences", Min: f64(0), Max: f64(1e6)},
		Rule{Key: "p", Kind: RulePartsSumToTotal, Severity: SeverityError, Question: "prosecuted"},
		Rule{Key: "w", Kind: RulePartNotAboveWhole, Severity: SeverityError, Question: "prosecuted"},
		Rule{Key: "n", Kind: RuleNotAbove, Severity: SeverityWarning, Question: "convicted", Bound: "prosecuted"},
		Rule{Key: "c", Kind: RuleYearChange, Severity: SeverityWarning, Question: "offences", MaxShare: 0.5, MinBase: 3},
		Rule{Key: "pop", Kind: RuleRange, Severity: SeverityWarning, Question: "population", Min: f64(1)},
	)
	q.Sections = append(q.Sections, kindsQuestionnaire(true).Sections...)
	return q
}

// FuzzCheck builds Answers from the fuzzer's bytes and checks that Check
// does not panic, gives unique keys in the same order every time, and that
// Blocking and SectionStates agree with it.
func FuzzCheck(f *testing.F) {
	f.Add([]byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c"))
	f.Add([]byte("\x80\x00\x00\x01\x05\x81\x01\x01\x02\x07\x82\x02\x02\x03\xff\x83\x03\x03\x00\x00"))
	f.Add([]byte("\x01other\x02a/b%\x03\xff\xfe\x90\x91\x92\x93\x94\x95\x96\x97"))
	f.Add([]byte(strings.Repeat("\x84\x01\x02\x03\x04", 40)))
	q := fuzzQuestionnaire()
	keys := []string{"offences", "prosecuted", "convicted", "population", "views", "notes", "one", "one_other",
		"many", "agreed", "since", "staff", "share", "report", "counts", "ghost", "", "a/b", "%2F"}
	rows := []string{"homicide", "sexual_violence", "rape", "theft", "a", "", "x/y"}
	cats := []string{"male", "female", "unknown", "total", "", "other"}
	texts := []string{"", " ", "a", "b", "c", "other", "2024-02-29", "2023-02-29", "fünf!!", strings.Repeat("é", 10001)}
	numbers := []float64{0, 1, -1, 0.5, 99, 100, 101, 1e300, math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1)}
	ints := []int64{0, 1, 2, 3, 5, 10, 100, -1, math.MaxInt64, math.MinInt64, 1 << 62}
	f.Fuzz(func(t *testing.T, data []byte) {
		pos := 0
		next := func() int {
			if pos >= len(data) {
				return 0
			}
			pos++
			return int(data[pos-1])
		}
		pick := func(n int) int { return next() % n }
		if len(data) > 4096 { // more only slows the fuzzer down
			data = data[:4096]
		}
		a := Answers{Values: map[string]Answer{}, Cells: map[CellRef]Cell{}, Explanations: map[string]string{}}
		var explain []int // picks of findings to explain, once the answers are built
		for pos < len(data) {
			op := next()
			switch {
			case op&0x80 != 0: // a cell
				ref := CellRef{keys[pick(len(keys))], rows[pick(len(rows))], 2019 + pick(6), cats[pick(len(cats))]}
				a.Cells[ref] = Cell{State: CellState(pick(6)), Value: ints[pick(len(ints))], Note: texts[pick(3)]}
			case op&0x40 != 0: // an explanation for a finding, or for a key that is none
				explain = append(explain, next())
				a.Explanations[texts[pick(len(texts))]] = texts[pick(3)]
			default:
				var ans Answer
				switch op % 6 {
				case 0:
					ans.Text = texts[pick(len(texts))]
				case 1:
					for range pick(4) {
						ans.Choices = append(ans.Choices, texts[pick(6)])
					}
					ans.Text = texts[pick(3)]
				case 2:
					b := pick(2) == 1
					ans.Bool = &b
				case 3:
					ans.Date = texts[pick(len(texts))]
				case 4:
					x := numbers[pick(len(numbers))]
					ans.Number = &x
				case 5:
					ans.Files = []int64{int64(next())}
				}
				a.Values[keys[pick(len(keys))]] = ans
			}
		}
		if fs := Check(q, a, years); len(fs) > 0 {
			for i, e := range explain {
				a.Explanations[fs[e%len(fs)].Key] = texts[i%3]
			}
		}
		fs := Check(q, a, []int{2020, 2021, 2023, 2022})
		seen := map[string]bool{}
		for _, f := range fs {
			if seen[f.Key] {
				t.Fatalf("key %q twice in %v", f.Key, fs)
			}
			seen[f.Key] = true
			if f.Severity != SeverityError && f.Severity != SeverityWarning {
				t.Errorf("finding %s has severity %q", f.Key, f.Severity)
			}
		}
		if again := Check(q, a, years); !cmp.Equal(fs, again, cmp.Comparer(func(x, y float64) bool {
			return x == y || (math.IsNaN(x) && math.IsNaN(y))
		})) {
			t.Errorf("a second Check differs:\n%s", cmp.Diff(fs, again))
		}
		blocking := Blocking(fs, a)
		for _, f := range blocking {
			if !seen[f.Key] {
				t.Errorf("Blocking returned %s, not a finding", f.Key)
			}
		}
		states := SectionStates(q, a, fs)
		if len(states) != len(q.Sections) {
			t.Errorf("SectionStates has %d sections, want %d", len(states), len(q.Sections))
		}
	})
}

// benchQuestionnaire is the size of the statistics questionnaire: three
// tables of 42 rows by sex (three categories and the total), with a rule of
// every kind; benchAnswers fills every cell of four years (2,016 cells).
func benchQuestionnaire() (*Questionnaire, []int) {
	var rows []Indicator
	for i := range 42 {
		r := Indicator{Key: fmt.Sprintf("row_%02d", i)}
		if i%3 == 2 {
			r.PartOf = rows[i-1].Key
		}
		rows = append(rows, r)
	}
	table := func(key string) Question {
		return Question{Key: key, Kind: StatTable, Table: &Table{Disaggregation: "sex", Rows: rows}}
	}
	q := &Questionnaire{
		Key: "bench", Version: 1,
		Disaggregations: map[string]Disaggregation{
			"sex": {Key: "sex", Categories: []Option{{Key: "male"}, {Key: "female"}, {Key: "unknown"}}},
		},
		Sections: []Section{
			{Key: "police", Questions: []Question{table("offences")}},
			{Key: "prosecution", Questions: []Question{table("prosecuted")}},
			{Key: "courts", Questions: []Question{table("convicted")}},
		},
		Rules: []Rule{
			{Key: "offences_range", Kind: RuleRange, Severity: SeverityError, Question: "offences", Min: f64(0), Max: f64(1e7)},
			{Key: "offences_parts", Kind: RulePartsSumToTotal, Severity: SeverityError, Question: "offences"},
			{Key: "prosecuted_parts", Kind: RulePartsSumToTotal, Severity: SeverityError, Question: "prosecuted"},
			{Key: "offences_part_of", Kind: RulePartNotAboveWhole, Severity: SeverityError, Question: "offences"},
			{Key: "convicted_not_above_prosecuted", Kind: RuleNotAbove, Severity: SeverityWarning, Question: "convicted", Bound: "prosecuted"},
			{Key: "offences_change", Kind: RuleYearChange, Severity: SeverityWarning, Question: "offences", MaxShare: 0.5, MinBase: 20},
			{Key: "convicted_change", Kind: RuleYearChange, Severity: SeverityWarning, Question: "convicted", MaxShare: 0.5, MinBase: 20},
		},
	}
	return q, []int{2020, 2021, 2022, 2023}
}

// benchAnswers fills every cell; with mistakes, 60 of them break a rule.
func benchAnswers(q *Questionnaire, years []int, mistakes bool) Answers {
	a := Answers{Cells: map[CellRef]Cell{}}
	for ti, s := range q.Sections {
		t := s.Questions[0]
		for ri, r := range t.Table.Rows {
			for _, y := range years {
				// mostly consistent figures, with a few to find
				male, female, unknown := int64(1000-ti*100-ri*7), int64(500-ri*3), int64(3-ri/14)
				if mistakes && (ri+y)%17 == 0 {
					male *= 2
				}
				total := male + female + unknown
				if mistakes && (ri*y)%23 == 0 {
					total++
				}
				for cat, v := range map[string]int64{"male": male, "female": female, "unknown": unknown, "total": total} {
					a.Cells[CellRef{t.Key, r.Key, y, cat}] = Cell{State: CellValue, Value: v}
				}
			}
		}
	}
	return a
}

// BenchmarkCheck checks 2,016 cells with a rule of every kind, finding 60
// things wrong.
func BenchmarkCheck(b *testing.B) {
	q, years := benchQuestionnaire()
	a := benchAnswers(q, years, true)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n = len(Check(q, a, years))
	}
	b.ReportMetric(float64(len(a.Cells)), "cells")
	b.ReportMetric(float64(n), "findings")
}

// BenchmarkCheckClean is BenchmarkCheck on figures that break no rule: the
// cost of indexing and comparing alone.
func BenchmarkCheckClean(b *testing.B) {
	q, years := benchQuestionnaire()
	a := benchAnswers(q, years, false)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n = len(Check(q, a, years))
	}
	if n != 0 {
		b.Fatalf("%d findings, want none", n)
	}
	b.ReportMetric(float64(len(a.Cells)), "cells")
}

// BenchmarkCheckBaseline is the least a check can do: visit every cell once.
func BenchmarkCheckBaseline(b *testing.B) {
	q, years := benchQuestionnaire()
	a := benchAnswers(q, years, true)
	b.ReportAllocs()
	var sum int64
	for b.Loop() {
		sum = 0
		for _, cell := range a.Cells {
			if cell.State == CellValue {
				sum += cell.Value
			}
		}
	}
	b.ReportMetric(float64(len(a.Cells)), "cells")
	_ = sum
}
