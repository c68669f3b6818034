package forms

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

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
