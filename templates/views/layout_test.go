package views

import (
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
