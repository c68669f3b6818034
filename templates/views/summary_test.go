package views

import (
	"testing"

	"github.com/google/go-cmp/cmp"

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

// TestQuestionMarksRelevance: a question's view says what it depends on
// and whether it is hidden, and so does each option.
func TestQuestionMarksRelevance(t *testing.T) {
	cat, err := words.Load()
	if err != nil {
		t.Fatal(err)
	}
	q := &forms.Questionnaire{Sections: []forms.Section{{Key: "s", Questions: []forms.Question{
		{Key: "yn", Kind: forms.YesNo},
		{Key: "who", Kind: forms.MultipleChoice, Relevant: &forms.Condition{Question: "yn", Answers: []string{"yes"}}, Options: []forms.Option{
			{Key: "a"}, {Key: "b", Relevant: &forms.Condition{Question: "yn", Answers: []string{"no", "yes"}}},
		}},
		{Key: "how", Kind: forms.SingleChoice, Options: []forms.Option{
			{Key: "a"}, {Key: "b", Relevant: &forms.Condition{Question: "yn", Answers: []string{"yes"}}},
		}},
	}}}}
	b := &Builder{Text: cat.Text(forms.English), Q: q}
	no := false
	a := forms.Answers{Values: map[string]forms.Answer{"yn": {Bool: &no}}}
	hidden := q.Hidden(a)
	who := b.question(&Source{}, a, &q.Sections[0].Questions[1], Findings{})
	who.Hidden = hidden["who"]
	if !who.Hidden || who.RelevantOn != "yn" || who.RelevantAnswers != "yes" || who.Options[1].RelevantAnswers != "no yes" {
		t.Errorf("who: %+v", who)
	}
	how := b.question(&Source{}, a, &q.Sections[0].Questions[2], Findings{})
	if how.Options[0].Hidden || !how.Options[1].Hidden || how.Options[1].RelevantOn != "yn" || how.RelevantOn != "" {
		t.Errorf("how: %+v", how.Options)
	}
}

// TestSummarySkipsHiddenRows: the summary counts the figures of the rows
// asked only; a table whose every row is hidden is not listed.
func TestSummarySkipsHiddenRows(t *testing.T) {
	cat, err := words.Load()
	if err != nil {
		t.Fatal(err)
	}
	law := &forms.Condition{Question: "law", Answers: []string{forms.AnswerYes}}
	label := func(s string) forms.Text { return forms.Text{forms.English: s} }
	q := &forms.Questionnaire{Sections: []forms.Section{{Key: "s", Title: label("S"), Questions: []forms.Question{
		{Key: "law", Kind: forms.YesNo, Label: label("An offence?")},
		{Key: "police", Kind: forms.StatTable, Label: label("Police"), Table: &forms.Table{Rows: []forms.Indicator{{Key: "theft"}, {Key: "wildlife", Relevant: law}}}},
		{Key: "species", Kind: forms.StatTable, Label: label("Species"), Table: &forms.Table{Rows: []forms.Indicator{{Key: "wildlife", Relevant: law}}}},
	}}}}
	b := &Builder{Text: cat.Text(forms.English), Q: q}
	at := func(table, row string) forms.CellRef {
		return forms.CellRef{Question: table, Row: row, Year: 2024, Category: forms.TotalCategory}
	}
	for _, law := range []bool{false, true} {
		a := forms.Answers{Values: map[string]forms.Answer{"law": {Bool: &law}}, Cells: map[forms.CellRef]forms.Cell{
			at("police", "theft"):     {State: forms.CellValue, Value: 3},
			at("police", "wildlife"):  {State: forms.CellValue, Value: 4},
			at("species", "wildlife"): {State: forms.CellNotAvailable},
		}}
		s := b.Summarize(a, forms.Assess(q, a, []int{2024}), func(string) string { return "" })
		got := map[string]string{}
		for _, l := range s.Sections[0].Answers {
			got[l.Label] = l.Answer
		}
		want := map[string]string{"An offence?": "No", "Police": "1 cell filled"}
		if law {
			want = map[string]string{"An offence?": "Yes", "Police": "2 cells filled", "Species": "1 cell filled"}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("law %v: the summary (-want +got):\n%s", law, diff)
		}
	}
}
