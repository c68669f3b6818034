package views

import (
	"strconv"
	"strings"

	"portal/forms"
)

// Conflict is a field that two people changed from the same version: their
// content and the user's, for the user to choose, with who made the other
// change and when, and for a cell the rest of its row.
type Conflict struct {
	Field              string
	Where              string
	Theirs, Mine, Base string
	MineEncoded        string
	ID                 string
	// By and At say who saved Theirs, and when ("" when unknown).
	By, At string
	// KeepTheirs: the user chose the other person's content (the page
	// offers the user's own first).
	KeepTheirs bool
	// Row is the cell's row for its year, as saved now and with the
	// user's figures; nil for a field that is not a cell.
	Row *ConflictRow
}

// ConflictRow is a row of a table, for one year: each column as saved now
// and as it would be with the user's figures, the cells in conflict marked.
type ConflictRow struct {
	Caption   string
	Heads     []string
	Now, Mine []string
	Changed   []bool
}

// ConflictSource is what the conflict page is built from.
type ConflictSource struct {
	Conflicts []forms.Conflict
	Now       forms.Answers              // the draft as saved now
	Saves     map[string]forms.FieldSave // who last saved each field
	// Theirs are the fields the user chose to leave as saved (a page shown
	// again after a check); the others offer the user's content.
	Theirs map[string]bool
}

// Conflicts describes the conflicts of a save for the user to decide.
func (b *Builder) Conflicts(src ConflictSource) []Conflict {
	mine := map[string]string{}
	for _, c := range src.Conflicts {
		mine[c.Field] = c.Mine
	}
	out := make([]Conflict, 0, len(src.Conflicts))
	for i, c := range src.Conflicts {
		v := Conflict{
			Field: c.Field, ID: "conflict-" + strconv.Itoa(i),
			Where:       b.FieldPlace(c.Field),
			Theirs:      b.DescribeField(c.Field, c.Theirs),
			Mine:        b.DescribeField(c.Field, c.Mine),
			Base:        b.DescribeField(c.Field, c.Base),
			MineEncoded: c.Mine,
			KeepTheirs:  src.Theirs[c.Field],
		}
		if fs, ok := src.Saves[c.Field]; ok {
			v.By, v.At = fs.By, b.Timestamp(fs.At)
		}
		if ref, ok := forms.ParseCellField(c.Field); ok {
			v.Row = b.conflictRow(ref, src.Now, mine)
		}
		out = append(out, v)
	}
	return out
}

// conflictRow lays out ref's row for ref's year: every column as saved in
// now, and with the user's content of the cells in conflict (mine).
func (b *Builder) conflictRow(ref forms.CellRef, now forms.Answers, mine map[string]string) *ConflictRow {
	qq, ok := b.Q.Question(ref.Question)
	if !ok || qq.Table == nil {
		return nil
	}
	label := ref.Row
	for _, r := range qq.Table.Rows {
		if r.Key == ref.Row {
			label = r.Label.In(b.Lang)
		}
	}
	row := &ConflictRow{Caption: qq.Label.In(b.Lang) + " — " + label + ", " + strconv.Itoa(ref.Year)}
	for _, col := range b.Q.Columns(qq.Table) {
		cell := forms.CellRef{Question: ref.Question, Row: ref.Row, Year: ref.Year, Category: col}
		field := forms.CellField(cell)
		row.Heads = append(row.Heads, b.CategoryLabel(qq.Table, col))
		saved := now.Field(field)
		yours, changed := mine[field]
		if !changed {
			yours = saved
		}
		row.Now = append(row.Now, b.cellText(field, saved))
		row.Mine = append(row.Mine, b.cellText(field, yours))
		row.Changed = append(row.Changed, changed)
	}
	return row
}

// cellText is a cell's content in a row of figures: DescribeField, with a
// dash for a blank cell.
func (b *Builder) cellText(field, enc string) string {
	if enc == "" {
		return "—"
	}
	return strings.TrimSpace(b.DescribeField(field, enc))
}
