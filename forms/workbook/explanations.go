package workbook

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"portal/forms"
)

// The explanations sheet: a row per warning on the draft's figures (where,
// what it says, and the explanation, an input), so that explanations
// travel with the figures they explain. The hidden sheet lists the
// warnings' keys in the rows' order; the reader takes column C of each row
// as the explanation of that key, and nothing else from the sheet.

// The explanations sheet's columns, and its first warning's row (after the
// title, the help and the headers).
const (
	colWhere       = 1
	colWarning     = 2
	colExplanation = 3
	firstWarning   = 4
)

// warnings are the warnings the workbook lists: the first MaxWarnings.
func (b *builder) warnings() []Warning {
	return b.o.Warnings[:min(len(b.o.Warnings), MaxWarnings)]
}

// explanations writes the explanations sheet, when the draft has warnings.
func (b *builder) explanations() error {
	ws := b.warnings()
	if len(ws) == 0 {
		return nil
	}
	s := b.l.explanations
	if _, err := b.f.NewSheet(s); err != nil {
		return err
	}
	help := b.t("workbook.explanations.help")
	if len(b.o.Warnings) > len(ws) {
		help += "\n" + b.t("workbook.explanations.more")
	}
	cells := []struct {
		at    string
		v     string
		style int
	}{
		{cell(1, 1), s, b.title},
		{cell(1, 2), help, b.wrap},
		{cell(colWhere, 3), b.t("workbook.explanations.where"), b.header},
		{cell(colWarning, 3), b.t("workbook.explanations.warning"), b.header},
		{cell(colExplanation, 3), b.t("workbook.explanations.text"), b.header},
	}
	for _, c := range cells {
		if err := b.f.SetCellStr(s, c.at, c.v); err != nil {
			return err
		}
		if err := b.f.SetCellStyle(s, c.at, c.at, c.style); err != nil {
			return err
		}
	}
	if err := b.f.MergeCell(s, cell(1, 2), cell(colExplanation, 2)); err != nil {
		return err
	}
	if err := b.f.SetRowHeight(s, 2, 64); err != nil {
		return err
	}
	for i, w := range ws {
		row := firstWarning + i
		for col, v := range map[int]string{colWhere: w.Where, colWarning: w.Message, colExplanation: b.o.Answers.Explanations[w.Key]} {
			if v != "" {
				if err := b.f.SetCellStr(s, cell(col, row), v); err != nil {
					return err
				}
			}
		}
		if err := b.f.SetCellStyle(s, cell(colWhere, row), cell(colWarning, row), b.wrap); err != nil {
			return err
		}
		if err := b.f.SetCellStyle(s, cell(colExplanation, row), cell(colExplanation, row), b.inputWrap); err != nil {
			return err
		}
	}
	last := cell(colExplanation, firstWarning+len(ws)-1)
	if err := b.validate(s, cell(colExplanation, firstWarning)+":"+last, func(dv *excelize.DataValidation) error {
		dv.Type = "textLength"
		return dv.SetRange(0, forms.MaxExplanation, excelize.DataValidationTypeTextLength, excelize.DataValidationOperatorBetween)
	}); err != nil {
		return err
	}
	for col, width := range map[string]float64{"A": 40, "B": 50, "C": 60} {
		if err := b.f.SetColWidth(s, col, col, width); err != nil {
			return err
		}
	}
	if err := b.f.SetPanes(s, &excelize.Panes{Freeze: true, YSplit: firstWarning - 1, TopLeftCell: cell(1, firstWarning), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if b.o.Lang.RightToLeft() {
		if err := b.f.SetSheetView(s, -1, &excelize.ViewOptions{RightToLeft: ptr(true)}); err != nil {
			return err
		}
	}
	return b.f.ProtectSheet(s, &excelize.SheetProtectionOptions{SelectLockedCells: true, SelectUnlockedCells: true,
		FormatRows: true, FormatColumns: true})
}

// explanations reads the explanations of the warnings the hidden sheet
// lists, each from its row: a blank cell clears the explanation. The sheet
// is streamed, never given to excelize: its budget allows long texts, which
// excelize would hold at many times their size, and only the cells of
// those rows are kept.
func (rd *reader) explanations(pk *pkg, keys []string) {
	s := rd.l.explanations
	sp, ok := pk.sheet(s)
	if !ok {
		rd.problem(Problem{Sheet: s, Reason: "sheet_missing"})
		return
	}
	last := firstWarning + len(keys) - 1
	maxValue := forms.MaxExplanation*utf8.UTFMax + 1
	cells, pr, ok := pk.streamCells(sp, rd.budget.sheets[s].bytes, maxValue, func(row, col int) bool {
		return row >= firstWarning && row <= last && (col == colWhere || col == colExplanation)
	})
	if !ok {
		if pr.Reason == "" {
			pr.Reason = "corrupt"
		}
		rd.problem(pr)
		return
	}
	where := map[int]string{}
	text := map[int]*streamedCell{}
	for _, c := range cells {
		if c.Col == colWhere {
			where[c.Row] = strings.TrimSpace(c.Value)
		} else {
			text[c.Row] = c
		}
	}
	a := &rd.res.Edit.Answers
	for i, key := range keys {
		row := firstWarning + i
		at := cell(colExplanation, row)
		v := ""
		if c := text[row]; c != nil {
			switch {
			case c.Formula != "":
				rd.problem(Problem{Sheet: s, Cell: at, Where: where[row], Reason: "formula", Value: c.Formula})
				continue
			case c.Runes > forms.MaxExplanation:
				rd.problem(Problem{Sheet: s, Cell: at, Where: where[row], Reason: "too_long",
					Value: strconv.Itoa(c.Runes) + " > " + strconv.Itoa(forms.MaxExplanation)})
				continue
			}
			var reason string
			if v, reason = cleanText(c.Value); reason != "" {
				rd.problem(Problem{Sheet: s, Cell: at, Where: where[row], Reason: reason})
				continue
			}
		}
		rd.res.Edit.Fields = append(rd.res.Edit.Fields, forms.ExplanationField(key))
		if v != "" {
			if a.Explanations == nil {
				a.Explanations = map[string]string{}
			}
			a.Explanations[key] = v
		}
	}
}
