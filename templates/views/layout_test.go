package views

import (
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"

	"portal/forms"
	"portal/forms/definition"
	"portal/templates/form"
	"portal/templates/words"
)

// TestDraftTableMatchesTable writes every table of the built-in
// questionnaires, in every language, with cells in every state, findings,
// unreadable input and an open cell, both ways: from the kept layouts
// (a draft's page) and from a view per cell (Table, which TestGridMarkup
// holds to the template), and wants the same rows, warnings and errors.
func TestDraftTableMatchesTable(t *testing.T) {
	lib, err := definition.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := words.Load()
	if err != nil {
		t.Fatal(err)
	}
	years := []int{2022, 2023}
	var layouts Layouts
	tables, findings := 0, 0
	for _, q := range lib.All() {
		for _, lang := range forms.Languages {
			for si := range q.Sections {
				sec := &q.Sections[si]
				a := forms.Answers{Cells: map[forms.CellRef]forms.Cell{}, Explanations: map[string]string{}}
				in := &form.Input{Errs: map[string]form.Problem{}, Typed: map[string]string{}}
				open := ""
				n := 0
				for _, qq := range sec.Questions {
					if qq.Table == nil {
						continue
					}
					for _, row := range qq.Table.Rows {
						for _, y := range years {
							for _, col := range q.Columns(qq.Table) {
								ref := forms.CellRef{Question: qq.Key, Row: row.Key, Year: y, Category: col}
								n++
								switch n % 7 {
								case 0:
									a.Cells[ref] = forms.Cell{State: forms.CellNotAvailable, Note: "<b>n/a</b> & \"why\""}
								case 1:
									a.Cells[ref] = forms.Cell{State: forms.CellValue, Value: int64(n * 977)}
								case 2:
									a.Cells[ref] = forms.Cell{State: forms.CellNotApplicable, Flags: 1}
								case 3:
									a.Cells[ref] = forms.Cell{State: forms.CellValue, Value: int64(n), Note: "estimated </textarea>", Flags: 6}
								case 4:
									in.Errs[forms.CellField(ref)] = form.Problem{ID: "cell.error.number"}
									in.Typed[forms.CellField(ref)] = "12<x>'\""
								case 5:
									if open == "" {
										open = forms.CellField(ref)
									}
								}
							}
						}
					}
				}
				if n == 0 {
					continue
				}
				txt := cat.Text(lang)
				b := &Builder{Text: txt, Q: q, Years: years, OpenCell: open, Cells: NewCellTexts(txt)}
				fv := b.findings(sec, func(s string) string { return "/s/" + s }, forms.Check(q, a, years), a, in, true)
				for i := range sec.Questions {
					qq := &sec.Questions[i]
					if qq.Table == nil {
						continue
					}
					tables++
					want := b.Table(a, qq, fv, in)
					findings += len(want.Warnings) + len(want.Errors)
					for range 2 { // built, then kept
						b.Layouts = &layouts
						got := b.draftTable(a, qq, fv, in)
						if diff := cmp.Diff(string(want.Head()), string(got.Head())); diff != "" {
							t.Fatalf("%s %s %s: headings differ (-Table +draftTable):\n%s", q.Key, lang, qq.Key, diff)
						}
						if diff := cmp.Diff(string(want.Body(b.Cells)), string(got.Body(b.Cells))); diff != "" {
							t.Fatalf("%s %s %s: rows differ (-Table +draftTable):\n%s", q.Key, lang, qq.Key, diff)
						}
						if diff := cmp.Diff([][]Finding{want.Warnings, want.Errors}, [][]Finding{got.Warnings, got.Errors}); diff != "" {
							t.Fatalf("%s %s %s: findings differ (-Table +draftTable):\n%s", q.Key, lang, qq.Key, diff)
						}
						if diff := cmp.Diff([]any{want.Caption, want.Unit, want.Years, want.Cols}, []any{got.Caption, got.Unit, got.Years, got.Cols}); diff != "" {
							t.Fatalf("%s %s %s: headings differ (-Table +draftTable):\n%s", q.Key, lang, qq.Key, diff)
						}
					}
				}
			}
		}
	}
	if tables == 0 || findings == 0 {
		t.Fatalf("%d tables, %d findings in them: the test shows nothing", tables, findings)
	}
	t.Logf("%d tables, %d findings, %d layouts kept", tables, findings, len(layouts.m))
}

// TestRowRelevanceMarkup: a table's rows say when they are asked, for the
// page's script: their own condition, the row they are a part of when that
// one depends on an answer, hidden when the answers hide them, and, for a
// condition on another page's question (which the script cannot read),
// whether it holds when the script could need it. The kept layout holds
// none of what depends on the answers: the same layout serves every draft.
func TestRowRelevanceMarkup(t *testing.T) {
	label := func(s string) forms.Text { return forms.Text{forms.English: s} }
	cond := func(q string) *forms.Condition {
		return &forms.Condition{Question: q, Answers: []string{forms.AnswerYes}}
	}
	q := &forms.Questionnaire{Key: "w", Version: 1, Sections: []forms.Section{
		{Key: "law", Title: label("Law"), Questions: []forms.Question{
			{Key: "law", Kind: forms.YesNo, Label: label("Cyber offences?")},
			{Key: "apart", Kind: forms.YesNo, Label: label("Pangolins apart?")},
		}},
		{Key: "police", Title: label("Police"), Questions: []forms.Question{
			{Key: "seized", Kind: forms.YesNo, Label: label("Wildlife an offence?")},
			{Key: "t", Kind: forms.StatTable, Label: label("T"), Table: &forms.Table{Rows: []forms.Indicator{
				{Key: "theft", Label: label("Theft")},
				{Key: "wildlife", Label: label("Wildlife"), Relevant: cond("seized")},
				{Key: "ivory", Label: label("of which: ivory"), PartOf: "wildlife"},
				{Key: "pangolin", Label: label("of which: pangolins"), PartOf: "wildlife", Relevant: cond("apart")},
				{Key: "cyber", Label: label("Cyber"), Relevant: cond("law")},
			}}},
		}},
	}}
	cat, err := words.Load()
	if err != nil {
		t.Fatal(err)
	}
	txt := cat.Text(forms.English)
	var layouts Layouts
	qq, _ := q.Question("t")
	tr := regexp.MustCompile(`<tr[^>]*>\s*<th scope="row" id="h-t-r-([a-z]+)"`)
	yes, no := true, false
	for _, tt := range []struct {
		name               string
		seized, apart, law *bool
		want               map[string]string
	}{
		{"unanswered", nil, nil, nil, map[string]string{
			"theft":    `<tr>`,
			"wildlife": `<tr data-relevant-on="seized" data-relevant-answers="yes" hidden>`,
			"ivory":    `<tr data-relevant-within="h-t-r-wildlife" hidden>`,
			"pangolin": `<tr data-relevant-on="apart" data-relevant-answers="yes" data-relevant-within="h-t-r-wildlife" hidden data-relevant-unmet>`,
			"cyber":    `<tr data-relevant-on="law" data-relevant-answers="yes" hidden>`,
		}},
		{"yes on this page, no on the other", &yes, &no, &no, map[string]string{
			"theft":    `<tr>`,
			"wildlife": `<tr data-relevant-on="seized" data-relevant-answers="yes">`,
			"ivory":    `<tr data-relevant-within="h-t-r-wildlife">`,
			"pangolin": `<tr data-relevant-on="apart" data-relevant-answers="yes" data-relevant-within="h-t-r-wildlife" hidden data-relevant-unmet>`,
			"cyber":    `<tr data-relevant-on="law" data-relevant-answers="yes" hidden>`,
		}},
		{"no on this page, yes on the other", &no, &yes, &yes, map[string]string{
			"theft":    `<tr>`,
			"wildlife": `<tr data-relevant-on="seized" data-relevant-answers="yes" hidden>`,
			"ivory":    `<tr data-relevant-within="h-t-r-wildlife" hidden>`,
			"pangolin": `<tr data-relevant-on="apart" data-relevant-answers="yes" data-relevant-within="h-t-r-wildlife" hidden>`,
			"cyber":    `<tr data-relevant-on="law" data-relevant-answers="yes">`,
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := forms.Answers{Values: map[string]forms.Answer{"seized": {Bool: tt.seized}, "apart": {Bool: tt.apart}, "law": {Bool: tt.law}}}
			b := &Builder{Text: txt, Q: q, Years: []int{2024}, Cells: NewCellTexts(txt)}
			want := string(b.Table(a, qq, Findings{}, nil).Body(b.Cells))
			b.Layouts = &layouts
			if got := string(b.draftTable(a, qq, Findings{}, nil).Body(b.Cells)); got != want {
				t.Fatalf("rows differ (-Table +draftTable):\n%s", cmp.Diff(want, got))
			}
			got := map[string]string{}
			for _, m := range tr.FindAllStringSubmatch(want, -1) {
				got[m[1]] = regexp.MustCompile(`^<tr[^>]*>`).FindString(m[0])
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}
