package forms

import "testing"

// TestLargestCount: the smallest maximum of the error range rules on a
// whole table; warnings, rules on some rows only, other questions and
// other kinds do not bound it.
func TestLargestCount(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	rule := func(question string, sev Severity, max *float64, rows ...string) Rule {
		return Rule{Kind: RuleRange, Severity: sev, Question: question, Max: max, Rows: rows}
	}
	for _, tc := range []struct {
		name    string
		rules   []Rule
		want    int64
		bounded bool
	}{
		{"no rule", nil, 0, false},
		{"an error", []Rule{rule("t", SeverityError, f(2e9))}, 2_000_000_000, true},
		{"no severity is an error", []Rule{rule("t", "", f(999.5))}, 999, true},
		{"the smallest of two", []Rule{rule("t", SeverityError, f(5e6)), rule("t", SeverityError, f(1e5))}, 100_000, true},
		{"a warning", []Rule{rule("t", SeverityWarning, f(100))}, 0, false},
		{"some rows only", []Rule{rule("t", SeverityError, f(100), "a")}, 0, false},
		{"a minimum only", []Rule{rule("t", SeverityError, nil)}, 0, false},
		{"another table", []Rule{rule("u", SeverityError, f(100))}, 0, false},
		{"another kind", []Rule{{Kind: RuleNotAbove, Question: "t", Max: f(100)}}, 0, false},
		{"below zero", []Rule{rule("t", SeverityError, f(-5))}, 0, true},
		{"beyond int64", []Rule{rule("t", SeverityError, f(1e30))}, 1<<63 - 1, true},
	} {
		q := &Questionnaire{Rules: tc.rules}
		if got, bounded := q.LargestCount("t"); got != tc.want || bounded != tc.bounded {
			t.Errorf("%s: LargestCount = %d, %v; want %d, %v", tc.name, got, bounded, tc.want, tc.bounded)
		}
	}
	var none *Questionnaire
	if _, bounded := none.LargestCount("t"); bounded {
		t.Error("a nil questionnaire bounds a table")
	}
}
