package workbook

import (
	"fmt"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"portal/forms"
)

// Writing a section's sheet: its questions, its tables' headers and cells.

func (b *builder) section(sl *sheetLayout) error {
	s := sl.name
	if _, err := b.f.NewSheet(s); err != nil {
		return err
	}
	if err := b.f.SetCellStr(s, "A1", sl.title); err != nil {
		return err
	}
	if err := b.f.SetCellStyle(s, "A1", "A1", b.title); err != nil {
		return err
	}
	if err := b.f.SetColWidth(s, "A", "A", 48); err != nil {
		return err
	}
	if err := b.f.SetColWidth(s, "B", "B", 9); err != nil {
		return err
	}
	last, _ := excelize.ColumnNumberToName(max(sl.width, colInput+5))
	if err := b.f.SetColWidth(s, "C", last, 12); err != nil {
		return err
	}
	a := b.o.Answers
	na, nap := markers(b.t)
	for _, it := range sl.items {
		if err := b.f.SetCellStr(s, cell(colLabel, it.row), it.text()); err != nil {
			return err
		}
		style := b.wrap
		if it.kind == itemHeading {
			style = b.bold
		}
		if err := b.f.SetCellStyle(s, cell(colLabel, it.row), cell(colLabel, it.row), style); err != nil {
			return err
		}
		in := cell(colInput, it.row)
		ans := a.Values[it.q.Key]
		switch it.kind {
		case itemHeading:
			if it.q.Kind == forms.StatTable {
				if err := b.tableHeader(s, it); err != nil {
					return err
				}
			}
		case itemOption:
			if err := b.f.SetCellStyle(s, in, in, b.input); err != nil {
				return err
			}
			if err := b.validate(s, in, func(dv *excelize.DataValidation) error { dv.SetSqrefDropList(listsSheet + "!$B$1:$B$1"); return nil }); err != nil {
				return err
			}
			if slices.Contains(ans.Choices, it.option) {
				if err := b.f.SetCellStr(s, in, b.t("workbook.tick")); err != nil {
					return err
				}
			}
		case itemOther:
			if err := b.wideInput(s, it.row, sl.width, ans.Text); err != nil {
				return err
			}
		case itemAnswer:
			if err := b.answer(s, it, sl.width, ans); err != nil {
				return err
			}
		case itemTableRow:
			if it.ind.ICCS != "" {
				if err := b.f.SetCellStr(s, cell(colICCS, it.row), it.ind.ICCS); err != nil {
					return err
				}
			}
			first, lastCell := cell(colInput, it.row), cell(tableColumn(len(b.l.years)-1, len(it.cols)-1, len(it.cols)), it.row)
			if err := b.f.SetCellStyle(s, first, lastCell, b.count); err != nil {
				return err
			}
			if err := b.validate(s, first+":"+lastCell, func(dv *excelize.DataValidation) error {
				// A whole number of 0 or more, or one of the two states.
				dv.Type = "custom"
				dv.Formula1 = fmt.Sprintf(`OR(AND(ISNUMBER(%[1]s),%[1]s>=0,%[1]s=INT(%[1]s)),%[1]s="%[2]s",%[1]s="%[3]s")`, first, na, nap)
				return nil
			}); err != nil {
				return err
			}
			for y, year := range b.l.years {
				for c, col := range it.cols {
					ref := forms.CellRef{Question: it.q.Key, Row: it.ind.Key, Year: year, Category: col}
					at := cell(tableColumn(y, c, len(it.cols)), it.row)
					if err := b.writeCell(s, at, a.Cells[ref], na, nap); err != nil {
						return err
					}
				}
			}
		}
	}
	if b.o.Lang.RightToLeft() {
		if err := b.f.SetSheetView(s, -1, &excelize.ViewOptions{RightToLeft: ptr(true)}); err != nil {
			return err
		}
	}
	// The section's title stays in view, and on a sheet of tables so do
	// the row labels and ICCS codes while the years scroll across.
	panes := &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}
	if slices.ContainsFunc(sl.items, func(it item) bool { return it.kind == itemTableRow }) {
		panes = &excelize.Panes{Freeze: true, XSplit: colInput - 1, YSplit: 1, TopLeftCell: cell(colInput, 2), ActivePane: "bottomRight"}
	}
	if err := b.f.SetPanes(s, panes); err != nil {
		return err
	}
	// Printed across, as wide as the page.
	if err := b.f.SetPageLayout(s, &excelize.PageLayoutOptions{Orientation: ptr("landscape"), FitToWidth: ptr(1), FitToHeight: ptr(0)}); err != nil {
		return err
	}
	if err := b.f.SetSheetProps(s, &excelize.SheetPropsOptions{FitToPage: ptr(true)}); err != nil {
		return err
	}
	return b.f.ProtectSheet(s, &excelize.SheetProtectionOptions{SelectLockedCells: true, SelectUnlockedCells: true,
		EditObjects: true, FormatColumns: true, FormatRows: true})
}

// tableHeader writes a table's years (merged over their columns) and columns.
func (b *builder) tableHeader(s string, it item) error {
	cols := b.o.Questionnaire.Columns(it.q.Table)
	yr, cr := it.row+1, it.row+2
	for _, h := range []struct {
		c   int
		txt string
	}{{colLabel, b.t("workbook.indicator")}, {colICCS, "ICCS"}} {
		if err := b.f.SetCellStr(s, cell(h.c, cr), h.txt); err != nil {
			return err
		}
	}
	for y, year := range b.l.years {
		from, to := cell(tableColumn(y, 0, len(cols)), yr), cell(tableColumn(y, len(cols)-1, len(cols)), yr)
		if err := b.f.SetCellInt(s, from, int64(year)); err != nil {
			return err
		}
		if len(cols) > 1 {
			if err := b.f.MergeCell(s, from, to); err != nil {
				return err
			}
		}
		for c, col := range cols {
			label := b.t("workbook.total")
			if col != forms.TotalCategory {
				for _, o := range b.o.Questionnaire.Disaggregations[it.q.Table.Disaggregation].Categories {
					if o.Key == col {
						label = o.Label.In(b.o.Lang)
					}
				}
			}
			if err := b.f.SetCellStr(s, cell(tableColumn(y, c, len(cols)), cr), label); err != nil {
				return err
			}
		}
	}
	last := cell(tableColumn(len(b.l.years)-1, len(cols)-1, len(cols)), cr)
	return b.f.SetCellStyle(s, cell(colLabel, yr), last, b.header)
}

// writeCell writes a table cell: its figure or state, and its note and
// flags as the cell's comment.
func (b *builder) writeCell(s, at string, c forms.Cell, na, nap string) error {
	switch c.State {
	case forms.CellValue:
		if err := b.f.SetCellInt(s, at, c.Value); err != nil {
			return err
		}
	case forms.CellNotAvailable:
		if err := b.f.SetCellStr(s, at, na); err != nil {
			return err
		}
	case forms.CellNotApplicable:
		if err := b.f.SetCellStr(s, at, nap); err != nil {
			return err
		}
	}
	if c.Note == "" && c.Flags == 0 {
		return nil
	}
	var text strings.Builder
	for _, fl := range flagNames {
		if c.Flags&fl.flag != 0 {
			text.WriteString("[" + b.t("workbook.flag."+fl.name) + "] ")
		}
	}
	text.WriteString(c.Note)
	return b.f.AddComment(s, excelize.Comment{Cell: at, Author: "portal", Paragraph: []excelize.RichTextRun{{Text: strings.TrimSpace(text.String())}}})
}

// flagNames are the flags as comments tag them.
var flagNames = []struct {
	name string
	flag forms.CellFlags
}{
	{"national", forms.FlagNationalDefinition},
	{"provisional", forms.FlagProvisional},
	{"estimate", forms.FlagEstimate},
}

// answer writes the input of a question other than a table or a multiple choice.
func (b *builder) answer(s string, it item, width int, ans forms.Answer) error {
	in := cell(colInput, it.row)
	q := it.q
	switch q.Kind {
	case forms.Narrative:
		return b.wideInput(s, it.row, width, ans.Text)
	case forms.Attachment:
		if err := b.f.SetCellStr(s, in, b.t("workbook.file")); err != nil {
			return err
		}
		return b.f.SetCellStyle(s, in, in, b.locked)
	}
	if err := b.f.SetCellStyle(s, in, in, b.input); err != nil {
		return err
	}
	switch q.Kind {
	case forms.SingleChoice:
		if err := b.validate(s, in, func(dv *excelize.DataValidation) error { dv.SetSqrefDropList(b.listRanges[q.Key]); return nil }); err != nil {
			return err
		}
		for _, o := range q.Options {
			if slices.Contains(ans.Choices, o.Key) {
				return b.f.SetCellStr(s, in, o.Label.In(b.o.Lang))
			}
		}
		if slices.Contains(ans.Choices, "other") {
			return b.f.SetCellStr(s, in, b.t("workbook.other"))
		}
	case forms.YesNo:
		if err := b.validate(s, in, func(dv *excelize.DataValidation) error { dv.SetSqrefDropList(listsSheet + "!$A$1:$A$2"); return nil }); err != nil {
			return err
		}
		if ans.Bool != nil {
			word := b.t("workbook.no")
			if *ans.Bool {
				word = b.t("workbook.yes")
			}
			return b.f.SetCellStr(s, in, word)
		}
	case forms.Date:
		if ans.Date != "" {
			return b.f.SetCellStr(s, in, ans.Date)
		}
	case forms.Number:
		if ans.Number != nil {
			return b.f.SetCellFloat(s, in, *ans.Number, -1, 64)
		}
	}
	return nil
}

// wideInput is a text input over the whole width of the sheet, wrapped.
func (b *builder) wideInput(s string, row, width int, text string) error {
	from, to := cell(colInput, row), cell(max(width, colInput+5), row)
	if err := b.f.MergeCell(s, from, to); err != nil {
		return err
	}
	if err := b.f.SetCellStyle(s, from, to, b.inputWrap); err != nil {
		return err
	}
	if err := b.f.SetRowHeight(s, row, 90); err != nil {
		return err
	}
	if text != "" {
		return b.f.SetCellStr(s, from, text)
	}
	return nil
}
