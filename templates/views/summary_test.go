package views

import (
	"testing"

	"portal/forms"
	"portal/forms/definition"
	"portal/templates/words"
)

// TestSummarySkipsHidden: the summary before submitting lists the
// partners only when the State said there are partnerships.
func TestSummarySkipsHidden(t *testing.T) {
	lib, err := definition.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := words.Load()
	if err != nil {
		t.Fatal(err)
	}
	q, _ := lib.Latest("tourism-views")
	b := &Builder{Text: cat.Text(forms.English), Q: q}
	for _, exists := range []bool{false, true} {
		a := forms.Answers{Values: map[string]forms.Answer{"ppp_exists": {Bool: &exists}, "ppp_partners": {Choices: []string{"transport"}}}}
		s := b.Summarize(a, forms.Assess(q, a, nil), func(string) string { return "" })
		var labels []string
		for _, sec := range s.Sections {
			if sec.Key == "partnerships" {
				for _, l := range sec.Answers {
					labels = append(labels, l.Label)
				}
			}
		}
		if want := map[bool]int{false: 1, true: 3}[exists]; len(labels) != want {
			t.Errorf("partnerships %v: the summary lists %q, want %d questions", exists, labels, want)
		}
	}
}
