package views

import (
	"bytes"
	"html/template"
	"strconv"
)

// Body writes the rows of a statistics table as HTML. The table is the one
// part of the portal's pages that repeats by the thousand (the largest
// section has 624 cells, each with some thirty values), and html/template
// calls its escapers by reflection for every value: written here, into
// one buffer, the section renders several times faster. The markup is the
// one the page template had, byte for byte (TestGridMarkup keeps it so),
// and every value goes through escapeHTML, which escapes as html/template
// does in text, in quoted attributes and in a textarea. A draft's page
// has the rows written into the page itself (Draft.TableRows).
func (tv *Table) Body(t CellTexts) template.HTML {
	var b bytes.Buffer
	tv.writeBody(&b, t)
	return template.HTML(b.String())
}

// Head returns the two rows of the table's headings, years and columns,
// as the page template wrote them (TestHeadMarkup): a draft's page has
// them from the table's layout, written once.
func (tv *Table) Head() template.HTML {
	if tv.grid != nil {
		return tv.grid.layout.head
	}
	var b bytes.Buffer
	writeHead(&b, tv.Years, tv.Cols)
	return template.HTML(b.String())
}

// writeHead writes the headings' rows.
func writeHead(b *bytes.Buffer, years []YearHead, cols []ColHead) {
	b.WriteString(`<tr><td rowspan="2"></td>`)
	for _, y := range years {
		b.WriteString(`<th scope="colgroup" colspan="`)
		b.WriteString(strconv.Itoa(y.Span))
		b.WriteString(`" id="`)
		escapeHTML(b, y.ID)
		b.WriteString(`"><span>`)
		b.WriteString(strconv.Itoa(y.Year))
		b.WriteString(`</span></th>`)
	}
	b.WriteString("</tr>\n        <tr>")
	for _, c := range cols {
		b.WriteString(`<th scope="col" id="`)
		escapeHTML(b, c.ID)
		b.WriteByte('"')
		if c.Total {
			b.WriteString(` class="total"`)
		}
		b.WriteByte('>')
		escapeHTML(b, c.Label)
		b.WriteString(`</th>`)
	}
	b.WriteString(`</tr>`)
}

// rowEnd closes a row.
const rowEnd = "\n      </tr>\n      "

// writeBody writes the rows: a draft page's from its layout, others' from
// their views.
func (tv *Table) writeBody(b *bytes.Buffer, t CellTexts) {
	if tv.grid != nil {
		tv.grid.write(b, t)
		return
	}
	b.Grow(len(tv.Rows) * (200 + len(tv.Cols)*650))
	var attrs bytes.Buffer
	for _, r := range tv.Rows {
		attrs.Reset()
		writeRowAttrs(&attrs, r.RelevantOn, r.RelevantAnswers, r.Within)
		writeRowStart(b, attrs.String(), r.Hidden, r.Unmet)
		writeRowHead(b, r.ID, r.Label, r.ICCS, r.Part)
		for _, c := range r.Cells {
			m := c.markup()
			c.write(b, &m, t)
		}
		b.WriteString(rowEnd)
	}
}

// writeRowAttrs writes the attributes that say when a row is asked, for
// the page's script (relevance.js): its own condition (on, the question,
// and its answers), and within, the heading's id of the row it is a part
// of when that one depends on an answer; nothing for a row always asked.
func writeRowAttrs(b *bytes.Buffer, on, answers, within string) {
	if on != "" {
		b.WriteString(` data-relevant-on="`)
		escapeHTML(b, on)
		b.WriteString(`" data-relevant-answers="`)
		escapeHTML(b, answers)
		b.WriteByte('"')
	}
	if within != "" {
		b.WriteString(` data-relevant-within="`)
		escapeHTML(b, within)
		b.WriteByte('"')
	}
}

// writeRowStart opens a row: its attributes (writeRowAttrs), hidden when
// the answers hide it, and unmet when its own condition, which names a
// question of another page, does not hold (the script cannot tell).
func writeRowStart(b *bytes.Buffer, attrs string, hidden, unmet bool) {
	b.WriteString("<tr")
	b.WriteString(attrs)
	if hidden {
		b.WriteString(" hidden")
	}
	if unmet {
		b.WriteString(" data-relevant-unmet")
	}
	b.WriteByte('>')
}

// writeRowHead writes a row's heading, after writeRowStart.
func writeRowHead(b *bytes.Buffer, id, label, iccs string, part bool) {
	b.WriteString("\n        <th scope=\"row\" id=\"")
	escapeHTML(b, id)
	b.WriteByte('"')
	if part {
		b.WriteString(` class="part"`)
	}
	b.WriteByte('>')
	escapeHTML(b, label)
	if iccs != "" {
		b.WriteString(` <span class="iccs">ICCS `)
		escapeHTML(b, iccs)
		b.WriteString("</span>")
	}
	b.WriteString("</th>\n        ")
}

// markup escapes c's place in its table.
func (c *Cell) markup() cellMarkup {
	var b bytes.Buffer
	return cellMarkup{headers: escaped(&b, c.Headers), id: escaped(&b, c.ID), frag: fragment(&b, c.ID), name: escaped(&b, c.Name),
		rest: escaped(&b, c.Rest), label: escaped(&b, c.Label), more: escaped(&b, c.More)}
}

// write writes one cell: its input, and the button that opens its details
// (status, note, flags) with the details, or the button that asks for
// them. m is c's place, escaped; c's own ids and labels are not read.
func (c *Cell) write(b *bytes.Buffer, m *cellMarkup, t CellTexts) {
	b.WriteString(`<td headers="`)
	b.WriteString(m.headers)
	b.WriteString(`" class="cell`)
	if c.Total {
		b.WriteString(" total")
	}
	if c.Invalid {
		b.WriteString(" cell--invalid")
	}
	if c.Warned {
		b.WriteString(" cell--warned")
	}
	if c.State != "" {
		b.WriteString(" cell--")
		escapeHTML(b, c.State)
	}
	b.WriteString(`"><input id="`)
	b.WriteString(m.id)
	b.WriteString(`" name="`)
	b.WriteString(m.name)
	b.WriteString(`" value="`)
	escapeHTML(b, c.Value)
	b.WriteString(`" inputmode="numeric" autocomplete="off" aria-label="`)
	b.WriteString(m.label)
	b.WriteByte('"')
	if c.Invalid {
		b.WriteString(` aria-invalid="true"`)
	}
	if c.Describedby != "" {
		b.WriteString(` aria-describedby="`)
		escapeHTML(b, c.Describedby)
		b.WriteByte('"')
	}
	if c.State != "" {
		b.WriteString(` placeholder="`)
		escapeHTML(b, c.Marker)
		b.WriteByte('"')
	}
	b.WriteByte('>')
	if c.Panel {
		// The details open over the page (a popover, without script), so
		// that the row keeps its height; they are inside the form and post
		// with it. A read-only page's form is disabled, its buttons too:
		// there a link opens them (the stylesheet shows the popover that is
		// the page's target) and another closes them.
		if t.readOnly {
			b.WriteString(`<a class="cell-more-btn" id="`)
			b.WriteString(m.id)
			b.WriteString(`-b" href="#`)
			b.WriteString(m.frag)
		} else {
			b.WriteString(`<button type="button" class="cell-more-btn" id="`)
			b.WriteString(m.id)
			b.WriteString(`-b" popovertarget="`)
			b.WriteString(m.id)
		}
		b.WriteString(`-d">`)
		if c.Marker != "" {
			escapeHTML(b, c.Marker)
		} else {
			b.WriteString(`<span aria-hidden="true">…</span>`)
		}
		b.WriteString(`<span class="visually-hidden"> `)
		b.WriteString(m.more)
		if t.readOnly {
			b.WriteString(`</span></a>`)
		} else {
			b.WriteString(`</span></button>`)
		}
		b.WriteString(`<div class="cell-pop" id="`)
		b.WriteString(m.id)
		b.WriteString(`-d" popover role="group" aria-labelledby="`)
		b.WriteString(m.id)
		b.WriteString(`-b"><label for="`)
		b.WriteString(m.id)
		b.WriteString(`-s">`)
		escapeHTML(b, t.State)
		b.WriteString(`</label><select id="`)
		b.WriteString(m.id)
		b.WriteString(`-s" name="s/`)
		b.WriteString(m.rest)
		b.WriteString(`"><option value="">`)
		escapeHTML(b, t.Value)
		b.WriteString(`</option>`)
		stateOption(b, "na", t.NAShort, t.NA, c.State)
		stateOption(b, "nap", t.NAPShort, t.NAP, c.State)
		b.WriteString(`</select><label for="`)
		b.WriteString(m.id)
		b.WriteString(`-n">`)
		escapeHTML(b, t.Note)
		b.WriteString(`</label><textarea id="`)
		b.WriteString(m.id)
		b.WriteString(`-n" name="n/`)
		b.WriteString(m.rest)
		b.WriteString(`" rows="2">`)
		escapeHTML(b, c.Note)
		b.WriteString("</textarea>")
		for _, f := range c.Flags {
			b.WriteString(`<label class="check"><input type="checkbox" name="f/`)
			b.WriteString(m.rest)
			b.WriteString(`" value="`)
			escapeHTML(b, f.Value)
			b.WriteByte('"')
			if f.Checked {
				b.WriteString(" checked")
			}
			b.WriteString("> ")
			escapeHTML(b, f.Label)
			b.WriteString("</label>")
		}
		if t.readOnly {
			b.WriteString(`<a class="cell-pop__close" href="#`)
			b.WriteString(m.frag)
			b.WriteString(`-b">`)
			escapeHTML(b, t.Close)
			b.WriteString("</a></div>")
		} else {
			b.WriteString(`<button type="button" class="cell-pop__close" popovertarget="`)
			b.WriteString(m.id)
			b.WriteString(`-d" popovertargetaction="hide">`)
			escapeHTML(b, t.Close)
			b.WriteString("</button></div>")
		}
	} else {
		b.WriteString(`<button type="submit" name="open" value="`)
		b.WriteString(m.name)
		b.WriteString(`" class="cell-more-btn"><span aria-hidden="true">…</span><span class="visually-hidden"> `)
		b.WriteString(m.more)
		b.WriteString("</span></button>")
	}
	if c.Error != "" {
		b.WriteString(`<p class="field-error" id="`)
		b.WriteString(m.id)
		b.WriteString(`-error">`)
		escapeHTML(b, c.Error)
		b.WriteString("</p>")
	}
	b.WriteString("</td>")
}

// stateOption writes the option of a cell's status menu for state (na,
// nap), chosen when it is the cell's.
func stateOption(b *bytes.Buffer, state, short, label, current string) {
	b.WriteString(`<option value="`)
	b.WriteString(state)
	b.WriteString(`" data-short="`)
	escapeHTML(b, short)
	b.WriteByte('"')
	if current == state {
		b.WriteString(" selected")
	}
	b.WriteByte('>')
	escapeHTML(b, label)
	b.WriteString("</option>")
}

// escapeHTML writes s escaped as html/template escapes a value in text, in
// a quoted attribute and in a textarea: the same replacements, so that the
// same page comes out whichever writes it.
func escapeHTML(b *bytes.Buffer, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var r string
		switch s[i] {
		case 0:
			r = "\uFFFD"
		case '"':
			r = "&#34;"
		case '&':
			r = "&amp;"
		case '\'':
			r = "&#39;"
		case '+':
			r = "&#43;"
		case '<':
			r = "&lt;"
		case '>':
			r = "&gt;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(r)
		last = i + 1
	}
	b.WriteString(s[last:])
}

// fragment returns s as html/template writes it in a URL's fragment: every
// byte but an unreserved one (letters, digits, "-._~") percent-encoded. A
// cell's id needs none of it.
func fragment(buf *bytes.Buffer, s string) string {
	const hex = "0123456789abcdef"
	buf.Reset()
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			buf.WriteByte(c)
			continue
		}
		buf.WriteByte('%')
		buf.WriteByte(hex[c>>4])
		buf.WriteByte(hex[c&15])
	}
	if buf.Len() == len(s) {
		return s
	}
	return buf.String()
}
