package workbook

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"portal/forms"
)

// Meta is what a workbook is for, as its hidden sheet records it.
type Meta struct {
	Format        int
	Questionnaire string
	Version       int
	Org           string // the organization's code; "" for a blank workbook
	Call          string // the call's key; "" for a blank workbook
	Lang          forms.Language
	Years         []int
	Layout        string // checksum of the layout the workbook was written with
	// DraftVersion is the version of the draft the workbook was filled
	// with, when DraftKnown (a blank workbook, or one written before the
	// version was recorded, has none).
	DraftVersion int
	DraftKnown   bool
	// Explanations are the keys of the warnings the explanations sheet
	// lists, in its rows' order.
	Explanations []string
}

// Options say what to write.
type Options struct {
	Questionnaire *forms.Questionnaire
	Years         []int
	Lang          forms.Language
	Org, OrgName  string
	Call, Title   string // the call's key and title
	// Answers prefill the workbook (a draft downloaded from the portal),
	// at DraftVersion: reading it back, the portal knows what changed in
	// the draft since.
	Answers      forms.Answers
	DraftVersion int
	Texts        Texts
	// Warnings are the draft's warnings, in the order the portal lists
	// them: each gets a row of the explanations sheet, with its
	// explanation from Answers, to write or change offline. At most
	// MaxWarnings are written; the sheet says when there are more.
	Warnings []Warning
}

// Warning is a warning on a draft's answers, worded for the workbook's
// reader: where it is and what it says (views' FindingPlace and
// FindingMessage), and the finding's key its explanation is kept under.
type Warning struct {
	Key, Where, Message string
}

// MaxWarnings bounds the rows of the explanations sheet (and so the keys
// its hidden sheet lists, and the texts it may bring): a draft has a few
// dozen warnings at most, in practice.
const MaxWarnings = 100

// Write writes the workbook of o to w.
func Write(w io.Writer, o Options) error {
	f, err := build(o)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Write(w); err != nil {
		return fmt.Errorf("workbook: write: %w", err)
	}
	return nil
}

// build makes the workbook of o.
func build(o Options) (*excelize.File, error) {
	t := o.Texts
	l := newLayout(o.Questionnaire, o.Years, o.Lang, t)
	f := excelize.NewFile()
	b := &builder{f: f, t: t, l: l, o: o}
	if err := b.styles(); err != nil {
		f.Close()
		return nil, err
	}
	steps := []func() error{b.instructions, b.lists}
	for i := range l.sheets {
		steps = append(steps, func() error { return b.section(&l.sheets[i]) })
	}
	steps = append(steps, b.explanations, b.meta)
	for _, step := range steps {
		if err := step(); err != nil {
			f.Close()
			return nil, fmt.Errorf("workbook: %w", err)
		}
	}
	f.SetActiveSheet(0)
	return f, nil
}

type builder struct {
	f *excelize.File
	t Texts
	l *layout
	o Options

	bold, title, wrap, input, inputWrap, count, header, locked int
	listRanges                                                 map[string]string // question → the range of its options
}

func (b *builder) styles() error {
	unlocked := &excelize.Protection{Locked: false}
	border := []excelize.Border{{Type: "left", Color: "8A8A8A", Style: 1}, {Type: "right", Color: "8A8A8A", Style: 1},
		{Type: "top", Color: "8A8A8A", Style: 1}, {Type: "bottom", Color: "8A8A8A", Style: 1}}
	fill := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFFBE6"}}
	specs := []struct {
		to *int
		s  *excelize.Style
	}{
		{&b.bold, &excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}},
		{&b.title, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}},
		{&b.wrap, &excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}},
		{&b.input, &excelize.Style{Protection: unlocked, Border: border, Fill: fill}},
		{&b.inputWrap, &excelize.Style{Protection: unlocked, Border: border, Fill: fill, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}},
		{&b.count, &excelize.Style{Protection: unlocked, Border: border, Fill: fill, NumFmt: 3}}, // #,##0
		{&b.header, &excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Horizontal: "center", WrapText: true},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF4"}}, Border: border}},
		{&b.locked, &excelize.Style{Font: &excelize.Font{Italic: true, Color: "595959"}}},
	}
	for _, sp := range specs {
		id, err := b.f.NewStyle(sp.s)
		if err != nil {
			return fmt.Errorf("workbook: style: %w", err)
		}
		*sp.to = id
	}
	return nil
}

func (b *builder) instructions() error {
	name := instructionsSheetName(b.t)
	if err := b.f.SetSheetName("Sheet1", name); err != nil {
		return err
	}
	rows := [][2]string{
		{b.o.Questionnaire.Title.In(b.o.Lang), ""},
		{"", ""},
		{b.t("workbook.organization"), b.o.OrgName},
		{b.t("workbook.call"), b.o.Title},
		{b.t("workbook.questionnaire"), b.o.Questionnaire.Key + " v" + strconv.Itoa(b.o.Questionnaire.Version)},
	}
	if len(b.o.Years) > 0 {
		ys := make([]string, len(b.o.Years))
		for i, y := range b.o.Years {
			ys[i] = strconv.Itoa(y)
		}
		rows = append(rows, [2]string{b.t("workbook.years"), strings.Join(ys, ", ")})
	}
	rows = append(rows, [2]string{"", ""})
	for i := 1; i <= 7; i++ {
		rows = append(rows, [2]string{b.t("workbook.help." + strconv.Itoa(i)), ""})
	}
	if len(b.o.Warnings) > 0 {
		rows = append(rows, [2]string{b.t("workbook.help.explanations"), ""})
	}
	for i, r := range rows {
		if err := b.f.SetCellStr(name, cell(1, i+1), r[0]); err != nil {
			return err
		}
		if r[1] != "" {
			if err := b.f.SetCellStr(name, cell(2, i+1), r[1]); err != nil {
				return err
			}
			continue
		}
		if r[0] == "" || i == 0 {
			continue
		}
		// A line of help: over both columns, wrapped.
		if err := b.f.MergeCell(name, cell(1, i+1), cell(2, i+1)); err != nil {
			return err
		}
		if err := b.f.SetCellStyle(name, cell(1, i+1), cell(2, i+1), b.wrap); err != nil {
			return err
		}
		if err := b.f.SetRowHeight(name, i+1, 48); err != nil {
			return err
		}
	}
	if err := b.f.SetCellStyle(name, "A1", "A1", b.title); err != nil {
		return err
	}
	if err := b.f.SetColWidth(name, "A", "A", 40); err != nil {
		return err
	}
	if err := b.f.SetColWidth(name, "B", "B", 70); err != nil {
		return err
	}
	if b.o.Lang.RightToLeft() {
		if err := b.f.SetSheetView(name, -1, &excelize.ViewOptions{RightToLeft: ptr(true)}); err != nil {
			return err
		}
	}
	return b.f.ProtectSheet(name, &excelize.SheetProtectionOptions{SelectLockedCells: true, SelectUnlockedCells: true})
}

// lists writes the hidden sheet of drop-down lists: yes and no, the tick of
// an option, the two cell states, and each single choice's options.
func (b *builder) lists() error {
	if _, err := b.f.NewSheet(listsSheet); err != nil {
		return err
	}
	na, nap := markers(b.t)
	fixed := [][]string{{b.t("workbook.yes"), b.t("workbook.no")}, {b.t("workbook.tick")}, {na, nap}}
	for c, vals := range fixed {
		for r, v := range vals {
			if err := b.f.SetCellStr(listsSheet, cell(c+1, r+1), v); err != nil {
				return err
			}
		}
	}
	b.listRanges = map[string]string{}
	col := len(fixed) + 1
	for _, sl := range b.l.sheets {
		for _, it := range sl.items {
			if it.kind != itemAnswer || it.q.Kind != forms.SingleChoice {
				continue
			}
			labels := make([]string, 0, len(it.q.Options)+1)
			for _, o := range it.q.Options {
				labels = append(labels, o.Label.In(b.o.Lang))
			}
			if it.q.Other {
				labels = append(labels, b.t("workbook.other"))
			}
			for r, label := range labels {
				if err := b.f.SetCellStr(listsSheet, cell(col, r+1), label); err != nil {
					return err
				}
			}
			name, _ := excelize.ColumnNumberToName(col)
			b.listRanges[it.q.Key] = fmt.Sprintf("%s!$%s$1:$%s$%d", listsSheet, name, name, len(labels))
			col++
		}
	}
	return b.f.SetSheetVisible(listsSheet, false, true)
}

// validate adds a drop-down or range check to a cell range.
func (b *builder) validate(sheet, sqref string, set func(dv *excelize.DataValidation) error) error {
	dv := excelize.NewDataValidation(true)
	dv.Sqref = sqref
	if err := set(dv); err != nil {
		return err
	}
	dv.SetError(excelize.DataValidationErrorStyleStop, b.t("workbook.invalid.title"), b.t("workbook.invalid.body"))
	return b.f.AddDataValidation(sheet, dv)
}

// meta writes the hidden sheet that says what the workbook is for.
func (b *builder) meta() error {
	if _, err := b.f.NewSheet(MetaSheet); err != nil {
		return err
	}
	ys := make([]string, len(b.o.Years))
	for i, y := range b.o.Years {
		ys[i] = strconv.Itoa(y)
	}
	rows := [][2]string{
		{"format", strconv.Itoa(FormatVersion)},
		{"questionnaire", b.o.Questionnaire.Key},
		{"version", strconv.Itoa(b.o.Questionnaire.Version)},
		{"organization", b.o.Org},
		{"call", b.o.Call},
		{"language", string(b.o.Lang)},
		{"years", strings.Join(ys, ",")},
		{"layout", b.l.checksum},
	}
	if b.o.Org != "" {
		rows = append(rows, [2]string{"draft_version", strconv.Itoa(b.o.DraftVersion)})
	}
	for _, sl := range b.l.sheets {
		rows = append(rows, [2]string{"sheet:" + sl.section.Key, sl.name})
	}
	for _, w := range b.warnings() {
		rows = append(rows, [2]string{"explain", w.Key})
	}
	for i, r := range rows {
		if err := b.f.SetCellStr(MetaSheet, cell(1, i+1), r[0]); err != nil {
			return err
		}
		if err := b.f.SetCellStr(MetaSheet, cell(2, i+1), r[1]); err != nil {
			return err
		}
	}
	if err := b.f.SetSheetVisible(MetaSheet, false, true); err != nil {
		return err
	}
	return b.f.ProtectSheet(MetaSheet, &excelize.SheetProtectionOptions{})
}

func ptr[T any](v T) *T { return &v }
