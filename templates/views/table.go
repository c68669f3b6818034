package views

import (
	"slices"
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
	State, Value, NA, NAShort, NAP, NAPShort, Note, Close string
	Flags                                                 []string // in the order of form.CellFlags
	// moreBefore and moreAfter surround a cell's label in "cell.more".
	moreBefore, moreAfter string
	// readOnly: the page's form is disabled (Builder.ReadOnly).
	readOnly bool
}

// NewCellTexts looks the words of the cells up in t's language.
func NewCellTexts(t words.Text) CellTexts {
	c := CellTexts{
		State: t.T("cell.state"), Value: t.T("cell.state.value"), Note: t.T("cell.note"),
		NA: t.T("cell.state.na"), NAShort: t.T("cell.state.na.short"),
		NAP: t.T("cell.state.nap"), NAPShort: t.T("cell.state.nap.short"),
		Close: t.T("cell.close"),
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
	// Width is the class that sizes the cells, grid--d<digits>: room for
	// the digits of the largest figure the table allows (cellDigits).
	Width string
	// Rows are the rows as views, set by Table (the review's grid reads
	// them). A draft's page has none: Body writes its rows from grid.
	Rows []*Row
	// Warnings are the warnings on the table's cells, each with its explanation box.
	Warnings []Finding
	Errors   []Finding

	grid *grid
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
	// Hidden: the answers hide the row (forms.Questionnaire.HiddenRows);
	// a draft's page keeps it, hidden, so that the script can show it again.
	Hidden bool
	// RelevantOn and RelevantAnswers are the row's own condition, as for a
	// Question; Within is the heading's id of the row it is a part of, when
	// that one depends on an answer; Unmet says that its own condition,
	// on a question of another page, does not hold.
	RelevantOn, RelevantAnswers, Within string
	Unmet                               bool
}

// rowRelevance is what a table's row says of when it is asked, whatever
// the answers: the attributes of Row.
type rowRelevance struct {
	on, answers, within string
	// offPage: its own condition names a question on another section's
	// page; with within, the page says whether it holds (Row.Unmet).
	offPage bool
}

// rowsRelevance returns what each row of qq's table says of when it is
// asked, in the table's order, or nil when every row always is.
func (b *Builder) rowsRelevance(qq *forms.Question) []rowRelevance {
	rows := qq.Table.Rows
	if !slices.ContainsFunc(rows, func(r forms.Indicator) bool { return r.Relevant != nil }) {
		return nil
	}
	var section *forms.Section
	for i := range b.Q.Sections {
		if slices.ContainsFunc(b.Q.Sections[i].Questions, func(q forms.Question) bool { return q.Key == qq.Key }) {
			section = &b.Q.Sections[i]
			break
		}
	}
	onPage := func(key string) bool {
		return section != nil && slices.ContainsFunc(section.Questions, func(q forms.Question) bool { return q.Key == key })
	}
	out := make([]rowRelevance, len(rows))
	conditional := map[string]bool{} // the row, or one it is a part of, depends on an answer
	for i, row := range rows {
		rr := &out[i]
		if c := row.Relevant; c != nil {
			rr.on, rr.answers, rr.offPage = c.Question, strings.Join(c.Answers, " "), !onPage(c.Question)
		}
		if row.PartOf != "" && conditional[row.PartOf] {
			rr.within = "h-" + qq.Key + "-r-" + row.PartOf
		}
		if _, seen := conditional[row.Key]; !seen {
			conditional[row.Key] = row.Relevant != nil || rr.within != ""
		}
	}
	return out
}

// unmet says whether the page must say that row's own condition does not
// hold (Row.Unmet): the script can tell neither that condition's answer,
// on another page, nor, when its whole is hidden, whether it holds.
func (b *Builder) unmet(rr rowRelevance, row *forms.Indicator, a forms.Answers) bool {
	return rr.offPage && rr.within != "" && !b.Q.Holds(row.Relevant, a)
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
	// has some, or DetailsOpen (they were asked for, or its input could not
	// be read). Other cells have a button that asks for them, so that a
	// page of hundreds of cells stays light.
	Panel bool
}

// Flag is a cell's flag, as a checkbox.
type Flag struct {
	Value, Label string
	Checked      bool
}

// defaultDigits is the room a table's cells have when no rule bounds its
// figures: nine digits, under a billion, more than any State counts of
// offences, persons or prisoners in a year.
const defaultDigits = 9

// cellDigits is the number of digits of the largest figure qq's cells may
// hold without an error (forms.LargestCount), or defaultDigits; at least 4
// (room for a marker such as "n.ap.") and at most 13, the widest cell the
// stylesheet lays out (a larger figure scrolls in its input).
func (b *Builder) cellDigits(qq *forms.Question) int {
	n := defaultDigits
	if m, ok := b.Q.LargestCount(qq.Key); ok {
		n = len(strconv.FormatInt(m, 10))
	}
	return min(max(n, 4), 13)
}

// widthClass is the class of a table whose cells have room for n digits.
func widthClass(n int) string { return "grid--d" + strconv.Itoa(n) }

// headings are the column headings of qq's table for the builder's years:
// a heading per year, and under it one per column (cols, the
// questionnaire's Columns of the table).
func (b *Builder) headings(qq *forms.Question, cols []string) (years []YearHead, heads []ColHead) {
	for _, y := range b.Years {
		yid := "h-" + qq.Key + "-" + strconv.Itoa(y)
		years = append(years, YearHead{Year: y, ID: yid, Span: len(cols)})
		for _, col := range cols {
			heads = append(heads, ColHead{ID: yid + "-" + col, Label: b.CategoryLabel(qq.Table, col), Total: col == forms.TotalCategory})
		}
	}
	return years, heads
}

// Table lays out a statistical table: a row per indicator, and for
// each year the disaggregation's categories and the total.
func (b *Builder) Table(a forms.Answers, qq *forms.Question, fv Findings, in *form.Input) *Table {
	lang := b.Lang
	cols := b.Q.Columns(qq.Table)
	t := &Table{Caption: qq.Label.In(lang), Unit: qq.Unit.In(lang), Width: widthClass(b.cellDigits(qq))}
	t.Years, t.Cols = b.headings(qq, cols)
	rel, hidden := b.rowsRelevance(qq), b.Q.HiddenRows(a)[qq.Key]
	for ri := range qq.Table.Rows {
		row := &qq.Table.Rows[ri]
		rv := &Row{ID: "h-" + qq.Key + "-r-" + row.Key, Label: row.Label.In(lang), ICCS: row.ICCS, Part: row.PartOf != "", Hidden: hidden[row.Key]}
		if rel != nil {
			rr := rel[ri]
			rv.RelevantOn, rv.RelevantAnswers, rv.Within, rv.Unmet = rr.on, rr.answers, rr.within, b.unmet(rr, row, a)
		}
		ci := 0
		for _, y := range b.Years {
			for _, col := range cols {
				ref := forms.CellRef{Question: qq.Key, Row: row.Key, Year: y, Category: col}
				field := forms.CellField(ref)
				cv := &Cell{ID: CellID(ref), Name: field, Rest: field[2:],
					Headers: rv.ID + " " + t.Years[ci/len(cols)].ID + " " + t.Cols[ci].ID,
					Label:   rv.Label + ", " + strconv.Itoa(y) + ", " + t.Cols[ci].Label, Total: col == forms.TotalCategory}
				cv.More = b.Cells.moreBefore + cv.Label + b.Cells.moreAfter
				ci++
				b.fillCell(cv, a.Cells[ref], field, cv.ID, fv, in, t)
				rv.Cells = append(rv.Cells, cv)
			}
		}
		t.Rows = append(t.Rows, rv)
	}
	return t
}

// draftTable is Table for a draft's page: the same headings, warnings and
// errors, from the table's layout (kept by b.Layouts), and no view per
// cell: Body writes the rows from the layout and the answers, which spares
// a page of 624 cells some 15,000 allocations.
func (b *Builder) draftTable(a forms.Answers, qq *forms.Question, fv Findings, in *form.Input) *Table {
	l := b.Layouts.get(b, qq)
	t := &Table{Caption: l.caption, Unit: l.unit, Years: l.years, Cols: l.cols, Width: l.width,
		grid: &grid{layout: l, b: b, a: a, fv: fv, in: in}}
	if l.relevance {
		t.grid.hidden = b.Q.HiddenRows(a)[qq.Key] // what the answers hide is never kept in the layout
	}
	if len(fv.byCell) > 0 {
		for _, r := range l.rows {
			for i := range r.cells {
				for _, f := range fv.byCell[r.cells[i].field] {
					if f.Warning {
						t.Warnings = append(t.Warnings, f)
					} else {
						t.Errors = append(t.Errors, f)
					}
				}
			}
		}
	}
	return t
}

// fillCell sets what c shows of an answer's cell and of the findings on
// its field: the value or the state, the marker, the details panel, the
// error and the warnings. id is c's input's id. With t, the findings are
// also listed under the table.
func (b *Builder) fillCell(c *Cell, cell forms.Cell, field, id string, fv Findings, in *form.Input, t *Table) {
	c.Note = cell.Note
	switch cell.State {
	case forms.CellValue:
		c.Value = forms.FormatCount(cell.Value, b.Lang)
	case forms.CellNotAvailable:
		c.State, c.Marker = form.NotAvailable, b.Cells.NAShort
	case forms.CellNotApplicable:
		c.State, c.Marker = form.NotApplicable, b.Cells.NAPShort
	}
	if c.Marker == "" && (cell.Note != "" || cell.Flags != 0) {
		c.Marker = "*"
	}
	var ids []string
	if msg, bad := fv.inputErr[field]; bad {
		c.Invalid, c.Error, c.DetailsOpen = true, msg, true
		c.Value = in.Typed[field]
		ids = append(ids, id+"-error")
	}
	if field == b.OpenCell {
		c.DetailsOpen = true
	}
	c.Panel = c.Marker != "" || c.DetailsOpen
	if c.Panel {
		for i, fl := range form.CellFlags {
			c.Flags = append(c.Flags, Flag{Value: fl.Name, Label: b.Cells.Flags[i], Checked: cell.Flags&fl.Flag != 0})
		}
	}
	for _, f := range fv.byCell[field] {
		ids = append(ids, f.ID)
		if f.Warning {
			c.Warned = true
			if t != nil {
				t.Warnings = append(t.Warnings, f)
			}
		} else {
			c.Invalid = true
			if t != nil {
				t.Errors = append(t.Errors, f)
			}
		}
	}
	c.Describedby = strings.Join(ids, " ")
}
