package forms

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

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
