package views

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"
	"sync"

	"portal/forms"
	"portal/templates/form"
)

// Layout is what a statistical table shows whatever its answers, in one
// language for one call's years: its headings, and each row's heading and
// each cell's ids, names and labels, escaped for the page. Laying a table
// out is most of the work of writing it (the largest section has 624
// cells, each with six ids and labels), and the same for every draft:
// Layouts keeps them. A Layout is never changed once built.
type Layout struct {
	caption, unit string
	width         string // Table.Width
	years         []YearHead
	cols          []ColHead
	head          template.HTML // the headings' rows (Table.Head)
	rows          []rowLayout
	relevance     bool // some row depends on an answer
}

type rowLayout struct {
	attrs string // the row's attributes of when it is asked (writeRowAttrs)
	head  string // the row's heading, as Body writes them
	cells []cellLayout
	row   *forms.Indicator
	rel   rowRelevance
}

type cellLayout struct {
	ref       forms.CellRef
	field, id string // as they are: findings are found by field; an error's id is id+"-error"
	total     bool
	markup    cellMarkup
}

// cellMarkup is what a cell's markup repeats of its place in the table,
// escaped as html/template escapes a quoted attribute or text.
type cellMarkup struct {
	headers, id, name, rest, label, more string
	frag                                 string // the id in a link's fragment
}

// maxLayouts bounds Layouts: there is a layout per table of a
// questionnaire, language and set of years of a call, some hundreds for the
// portal's questionnaires and calls. Beyond, a layout is built for its page
// and not kept.
const maxLayouts = 1024

// Layouts keeps the layouts of statistical tables for the life of the
// portal, keyed by questionnaire, question, years and language. Safe for
// concurrent use; the zero value is ready, and a nil *Layouts keeps none.
type Layouts struct {
	mu sync.RWMutex
	m  map[layoutKey]*Layout
}

type layoutKey struct {
	q        *forms.Questionnaire // the questionnaires are loaded once, at start
	question string
	years    string
	lang     forms.Language
}

// get returns the layout of qq as b lays it out, from ls or built (and kept).
func (ls *Layouts) get(b *Builder, qq *forms.Question) *Layout {
	if ls == nil {
		return b.layout(qq)
	}
	var years strings.Builder
	for _, y := range b.Years {
		years.WriteString(strconv.Itoa(y))
		years.WriteByte(' ')
	}
	key := layoutKey{q: b.Q, question: qq.Key, years: years.String(), lang: b.Lang}
	ls.mu.RLock()
	l := ls.m[key]
	ls.mu.RUnlock()
	if l != nil {
		return l
	}
	l = b.layout(qq)
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.m == nil {
		ls.m = map[layoutKey]*Layout{}
	}
	if kept := ls.m[key]; kept != nil {
		return kept
	}
	if len(ls.m) < maxLayouts {
		ls.m[key] = l
	}
	return l
}

// layout lays qq's table out: the headings and the cells as Table names
// and labels them.
func (b *Builder) layout(qq *forms.Question) *Layout {
	lang := b.Lang
	cols := b.Q.Columns(qq.Table)
	l := &Layout{caption: qq.Label.In(lang), unit: qq.Unit.In(lang), width: widthClass(b.cellDigits(qq))}
	l.years, l.cols = b.headings(qq, cols)
	var buf bytes.Buffer
	writeHead(&buf, l.years, l.cols)
	l.head = template.HTML(buf.String())
	rel := b.rowsRelevance(qq)
	l.relevance = rel != nil
	for ri := range qq.Table.Rows {
		row := &qq.Table.Rows[ri]
		rowID, rowLabel := "h-"+qq.Key+"-r-"+row.Key, row.Label.In(lang)
		rl := rowLayout{row: row, cells: make([]cellLayout, 0, len(l.cols))}
		if rel != nil {
			rl.rel = rel[ri]
			buf.Reset()
			writeRowAttrs(&buf, rl.rel.on, rl.rel.answers, rl.rel.within)
			rl.attrs = buf.String()
		}
		buf.Reset()
		writeRowHead(&buf, rowID, rowLabel, row.ICCS, row.PartOf != "")
		rl.head = buf.String()
		ci := 0
		for _, y := range b.Years {
			for _, col := range cols {
				ref := forms.CellRef{Question: qq.Key, Row: row.Key, Year: y, Category: col}
				field := forms.CellField(ref)
				id := CellID(ref)
				label := rowLabel + ", " + strconv.Itoa(y) + ", " + l.cols[ci].Label
				rl.cells = append(rl.cells, cellLayout{ref: ref, field: field, id: id, total: col == forms.TotalCategory,
					markup: cellMarkup{
						headers: escaped(&buf, rowID+" "+l.years[ci/len(cols)].ID+" "+l.cols[ci].ID),
						id:      escaped(&buf, id), frag: fragment(&buf, id), name: escaped(&buf, field), rest: escaped(&buf, field[2:]),
						label: escaped(&buf, label),
						more:  escaped(&buf, b.Cells.moreBefore+label+b.Cells.moreAfter),
					}})
				ci++
			}
		}
		l.rows = append(l.rows, rl)
	}
	return l
}

// escaped returns s escaped by escapeHTML, using buf.
func escaped(buf *bytes.Buffer, s string) string {
	buf.Reset()
	escapeHTML(buf, s)
	if buf.Len() == len(s) {
		return s
	}
	return buf.String()
}

// grid is what Body writes a draft page's rows from: the table's layout,
// and the answers and findings its cells show.
type grid struct {
	layout *Layout
	b      *Builder
	a      forms.Answers
	fv     Findings
	in     *form.Input
	hidden map[string]bool // the rows the answers hide
}

// write writes the rows: each cell as Table would view it, from its layout.
func (g *grid) write(buf *bytes.Buffer, t CellTexts) {
	var c Cell
	for i := range g.layout.rows {
		r := &g.layout.rows[i]
		writeRowStart(buf, r.attrs, g.hidden[r.row.Key], g.layout.relevance && g.b.unmet(r.rel, r.row, g.a))
		buf.WriteString(r.head)
		for i := range r.cells {
			cl := &r.cells[i]
			c = Cell{Total: cl.total}
			g.b.fillCell(&c, g.a.Cells[cl.ref], cl.field, cl.id, g.fv, g.in, nil)
			c.write(buf, &cl.markup, t)
		}
		buf.WriteString(rowEnd)
	}
}
