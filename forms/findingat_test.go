package forms

import "testing"

// Every finding Check makes can be placed again from its key alone:
// rules on cells, on whole tables, invalid cells (with keys that need
// escaping) and required questions.
func TestFindingAt(t *testing.T) {
	q := statsQuestionnaire(
		Rule{Key: "parts", Kind: RulePartsSumToTotal, Question: "prosecuted"},
		Rule{Key: "conv", Kind: RuleNotAbove, Severity: SeverityWarning, Question: "convicted", Bound: "prosecuted"},
		Rule{Key: "jump", Kind: RuleYearChange, Severity: SeverityWarning, Question: "offences", MaxShare: 0.5},
	)
	q.Sections[0].Questions[1].Required = true
	a := join(
		sex("prosecuted", "homicide", 2023, 5, 5, 0, 12),
		sex("convicted", "homicide", 2023, 9, 1, 0, 10),
		cellList{c("offences", "theft", 2022, "total", 100), c("offences", "theft", 2023, "total", 900),
			c("offences", "no such row/ü", 2023, "total", 1)},
	).answers()
	fs := Check(q, a, years)
	kinds := map[RuleKind]bool{}
	for _, f := range fs {
		kinds[f.Kind] = true
		got, ok := q.FindingAt(f.Key)
		if !ok {
			t.Errorf("FindingAt(%q) found nothing", f.Key)
			continue
		}
		if got.Question != f.Question || got.Row != f.Row || got.Year != f.Year || got.Category != f.Category {
			t.Errorf("FindingAt(%q) = %s %s %d %s, want %s %s %d %s", f.Key, got.Question, got.Row, got.Year, got.Category,
				f.Question, f.Row, f.Year, f.Category)
		}
	}
	for _, k := range []RuleKind{RulePartsSumToTotal, RuleNotAbove, RuleYearChange, RuleInvalid, RuleRequired} {
		if !kinds[k] {
			t.Errorf("the answers made no %s finding; the test covers less than it says (findings: %v)", k, fs)
		}
	}
	for _, key := range []string{"", "nope/x", "jump/theft/notayear/total", "required/nope", "jump/%zz/2023/total"} {
		if f, ok := q.FindingAt(key); ok {
			t.Errorf("FindingAt(%q) = %+v, want nothing", key, f)
		}
	}
}
