package views

import (
	"strconv"
	"strings"

	"portal/forms"
	"portal/templates/form"
	"portal/templates/words"
)

// CellTexts are the words every cell of a table repeats, looked up in the
// catalogue once a page rather than once a cell: a page of tables has
// hundreds of cells.
type CellTexts struct {
	State, Value, NA, NAShort, NAP, NAPShort, Note string
	Flags                                          []string // in the order of form.CellFlags
	// moreBefore and moreAfter surround a cell's label in "cell.more".
	moreBefore, moreAfter string
}

// NewCellTexts looks the words of the cells up in t's language.
func NewCellTexts(t words.Text) CellTexts {
	c := CellTexts{
		State: t.T("cell.state"), Value: t.T("cell.state.value"), Note: t.T("cell.note"),
		NA: t.T("cell.state.na"), NAShort: t.T("cell.state.na.short"),
		NAP: t.T("cell.state.nap"), NAPShort: t.T("cell.state.nap.short"),
	}
	for _, fl := range form.CellFlags {
		c.Flags = append(c.Flags, t.T("cell.flag."+fl.Name))
	}
	const mark = "\x00"
	c.moreBefore, c.moreAfter, _ = strings.Cut(t.Tf("cell.more", map[string]any{"Label": mark}), mark)
	return c
}

// Table is a statistical table of a section: its headings and rows of cells.
type Table struct {
	Caption string
	Unit    string
	Years   []YearHead
	Cols    []ColHead // per year, in order
	Rows    []*Row
	// Warnings are the warnings on the table's cells, each with its explanation box.
	Warnings []Finding
	Errors   []Finding
}

// YearHead heads the columns of one year.
type YearHead struct {
	Year int
	ID   string
	Span int
}

// ColHead heads one column: a category, or the total.
type ColHead struct {
	ID, Label string
	Total     bool
}

// Row is an indicator's row of cells.
type Row struct {
	ID, Label, ICCS string
	Part            bool
	Cells           []*Cell
}

// Cell is one cell of a table: its input and the details of its state.
type Cell struct {
	ID, Name, Rest     string // input id, the value field's name, and the key for s/, n/, f/
	Headers            string
	Label              string // "Homicide, 2023, Male"
	More               string // the details button's name: "Status, note and flags: Homicide, 2023, Male"
	Value              string
	State              string // "", "na", "nap"
	Note               string
	Flags              []Flag
	Marker             string // what the details button shows
	Invalid, Warned    bool
	Describedby        string
	Error              string
	DetailsOpen, Total bool
	// Comments counts the comments on the cell, and CommentHref is where
	// to write one (the review sets them).
	Comments    int
	CommentHref string
	// Panel: the cell's details (state, note, flags) are on the page: it
	// has some, or an error, or was asked for. Other cells have a button that
	// asks for them, so that a page of hundreds of cells stays light.
	Panel bool
}

// Flag is a cell's flag, as a checkbox.
type Flag struct {
	Value, Label string
	Checked      bool
}

// Table lays out a statistical table: a row per indicator, and for
// each year the disaggregation's categories and the total.
func (b *Builder) Table(a forms.Answers, qq *forms.Question, fv Findings, in *form.Input) *Table {
	lang := b.Lang
	cols := b.Q.Columns(qq.Table)
	t := &Table{Caption: qq.Label.In(lang), Unit: qq.Unit.In(lang)}
	for _, y := range b.Years {
		yid := "h-" + qq.Key + "-" + strconv.Itoa(y)
		t.Years = append(t.Years, YearHead{Year: y, ID: yid, Span: len(cols)})
		for _, col := range cols {
			t.Cols = append(t.Cols, ColHead{ID: yid + "-" + col, Label: b.CategoryLabel(qq.Table, col), Total: col == forms.TotalCategory})
		}
	}
	for _, row := range qq.Table.Rows {
		rv := &Row{ID: "h-" + qq.Key + "-r-" + row.Key, Label: row.Label.In(lang), ICCS: row.ICCS, Part: row.PartOf != ""}
		ci := 0
		for _, y := range b.Years {
			for _, col := range cols {
				ref := forms.CellRef{Question: qq.Key, Row: row.Key, Year: y, Category: col}
				field := forms.CellField(ref)
				cell := a.Cells[ref]
				cv := &Cell{ID: CellID(ref), Name: field, Rest: field[2:], Note: cell.Note,
					Headers: rv.ID + " " + t.Years[ci/len(cols)].ID + " " + t.Cols[ci].ID,
					Label:   rv.Label + ", " + strconv.Itoa(y) + ", " + t.Cols[ci].Label, Total: col == forms.TotalCategory}
				cv.More = b.Cells.moreBefore + cv.Label + b.Cells.moreAfter
				ci++
				switch cell.State {
				case forms.CellValue:
					cv.Value = forms.FormatCount(cell.Value, lang)
				case forms.CellNotAvailable:
					cv.State, cv.Marker = form.NotAvailable, b.Cells.NAShort
				case forms.CellNotApplicable:
					cv.State, cv.Marker = form.NotApplicable, b.Cells.NAPShort
				}
				if cv.Marker == "" && (cell.Note != "" || cell.Flags != 0) {
					cv.Marker = "*"
				}
				var ids []string
				if msg, bad := fv.inputErr[field]; bad {
					cv.Invalid, cv.Error, cv.DetailsOpen = true, msg, true
					cv.Value = in.Typed[field]
					ids = append(ids, cv.ID+"-error")
				}
				if field == b.OpenCell {
					cv.DetailsOpen = true
				}
				cv.Panel = cv.Marker != "" || cv.DetailsOpen
				if cv.Panel {
					for i, fl := range form.CellFlags {
						cv.Flags = append(cv.Flags, Flag{Value: fl.Name, Label: b.Cells.Flags[i], Checked: cell.Flags&fl.Flag != 0})
					}
				}
				for _, f := range fv.byCell[field] {
					ids = append(ids, f.ID)
					if f.Warning {
						cv.Warned = true
						t.Warnings = append(t.Warnings, f)
					} else {
						cv.Invalid = true
						t.Errors = append(t.Errors, f)
					}
				}
				cv.Describedby = strings.Join(ids, " ")
				rv.Cells = append(rv.Cells, cv)
			}
		}
		t.Rows = append(t.Rows, rv)
	}
	return t
}
