package workbook

import (
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Before excelize opens a workbook, the reader looks at its parts itself,
// streaming: excelize unmarshals a whole sheet (or the whole table of
// shared strings) at the first cell read, at about twenty times its size,
// so a sheet padded with millions of cells would cost gigabytes. The sizes
// in the zip directory can be trusted as upper bounds (archive/zip refuses
// an entry longer than it says), and rows and cells are counted on the XML
// as it streams, stopping at the limit.

// Reading the cells of the hidden metadata sheet and the shared strings
// straight from the package's XML, within the budget.

// metaCells reads the hidden sheet's cells as text, by row then column,
// resolving shared strings by streaming their table. The sheet and every
// value are small, or the workbook is not the portal's.
func (p *pkg) metaCells(s sheetPart) ([][2]string, Problem, bool) {
	if s.size > maxMetaBytes {
		return nil, Problem{Sheet: s.name, Reason: "sheet_too_large", Value: size(s.size), Limit: size(maxMetaBytes)}, false
	}
	cells, pr, ok := p.streamCells(s, maxMetaBytes, maxMetaString, func(_, col int) bool { return col == 1 || col == 2 })
	if !ok {
		if pr.Reason == "" {
			pr.Reason = "not_portal"
		}
		return nil, pr, false
	}
	out := map[int]*[2]string{}
	var order []int
	for _, c := range cells {
		if c.Bytes > maxMetaString {
			return nil, Problem{Reason: "not_portal"}, false
		}
		kv, ok := out[c.Row]
		if !ok {
			kv = &[2]string{}
			out[c.Row] = kv
			order = append(order, c.Row)
		}
		kv[c.Col-1] = c.Value
	}
	rows := make([][2]string, 0, len(order))
	for _, r := range order {
		rows = append(rows, *out[r])
	}
	return rows, Problem{}, true
}

// streamedCell is a cell read by streaming a sheet's XML: its text (a
// shared string resolved), or the first maxValue bytes of it with Runes
// and Bytes measuring the whole; Formula when it holds one.
type streamedCell struct {
	Row, Col     int
	Value        string
	Runes, Bytes int
	Formula      string
	typ          string
	v            strings.Builder
}

// streamCells reads the cells of sheet s that keep wants, streaming its
// XML (at most limit bytes) and then the shared strings they use, keeping
// no more of each value than maxValue bytes: a sheet of any size costs
// only the cells kept. It says false for XML that does not parse (with a
// Problem whose Reason is the caller's to give) or shared strings too
// large to stream.
func (p *pkg) streamCells(s sheetPart, limit int64, maxValue int, keep func(row, col int) bool) ([]*streamedCell, Problem, bool) {
	rc, err := p.files[s.path].Open()
	if err != nil {
		return nil, Problem{}, false
	}
	defer rc.Close()
	d := xml.NewDecoder(io.LimitReader(rc, limit))
	var cells []*streamedCell
	var cur *streamedCell
	row, col, in := 0, 0, ""
	add := func(b *strings.Builder, t []byte) {
		cur.Runes += utf8.RuneCount(t)
		cur.Bytes += len(t)
		if room := maxValue - b.Len(); room > 0 {
			b.Write(t[:min(len(t), room)])
		}
	}
	var formula strings.Builder
	phonetic := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, Problem{}, false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				row, col = row+1, 0
				if r, err := strconv.Atoi(attr(t, "r")); err == nil {
					row = r
				}
			case "c":
				col++
				if ref := attr(t, "r"); ref != "" {
					c, _, err := cellCoordinates(ref)
					if err != nil {
						return nil, Problem{}, false
					}
					col = c
				}
				if keep(row, col) {
					cur = &streamedCell{Row: row, Col: col, typ: attr(t, "t")}
					cells = append(cells, cur)
				}
			case "v", "t", "f":
				if cur != nil && phonetic == 0 {
					in = t.Name.Local
					if in == "f" {
						formula.Reset()
						cur.Formula = "="
					}
				}
			case "rPh":
				phonetic++ // phonetic runs are not part of the text
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "rPh":
				phonetic--
			case "v", "t":
				in = ""
			case "f":
				if cur != nil {
					cur.Formula = "=" + formula.String()
				}
				in = ""
			case "c":
				cur = nil
			}
		case xml.CharData:
			switch in {
			case "v", "t":
				add(&cur.v, t)
			case "f":
				if formula.Len() < 256 {
					formula.Write(t[:min(len(t), 256)])
				}
			}
		}
	}
	need := map[int]string{}
	for _, c := range cells {
		if c.typ == "s" {
			i, err := strconv.Atoi(strings.TrimSpace(c.v.String()))
			if err != nil || i < 0 {
				return nil, Problem{}, false
			}
			need[i] = ""
		}
	}
	var lens map[int][2]int
	if len(need) > 0 {
		var pr Problem
		var ok bool
		if lens, pr, ok = p.sharedStrings(need, maxValue); !ok {
			return nil, pr, false
		}
	}
	for _, c := range cells {
		if c.typ == "s" {
			i, _ := strconv.Atoi(strings.TrimSpace(c.v.String()))
			c.Value, c.Runes, c.Bytes = need[i], lens[i][0], lens[i][1]
		} else {
			c.Value = c.v.String()
		}
		c.v = strings.Builder{}
	}
	return cells, Problem{}, true
}

// sharedStrings fills need (index → text) from the table of shared
// strings, streaming it: only the strings asked for are kept, each to at
// most maxValue bytes; it returns the length of each in full, in
// characters and bytes. It says false for a table that is missing, does
// not parse or lacks a string asked for (the caller gives the reason), or
// is too large to stream (strings_too_large).
func (p *pkg) sharedStrings(need map[int]string, maxValue int) (map[int][2]int, Problem, bool) {
	if p.strs == "" {
		return nil, Problem{}, false
	}
	if n := p.size(p.strs); n > maxStringsEarly {
		return nil, Problem{Reason: "strings_too_large", Value: size(n), Limit: size(maxStringsEarly)}, false
	}
	last := -1
	for i := range need {
		last = max(last, i)
	}
	rc, err := p.files[p.strs].Open()
	if err != nil {
		return nil, Problem{}, false
	}
	defer rc.Close()
	d := xml.NewDecoder(io.LimitReader(rc, maxStringsEarly))
	lens := make(map[int][2]int, len(need))
	i, depth, inT := -1, 0, false
	var text strings.Builder
	for i <= last {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, Problem{}, false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				i++
				text.Reset()
			case "rPh":
				depth++ // phonetic runs are not part of the text
			case "t":
				inT = depth == 0
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				if _, ok := need[i]; ok {
					need[i] = text.String()
				}
			case "rPh":
				depth--
			case "t":
				inT = false
			}
		case xml.CharData:
			if _, ok := need[i]; ok && inT {
				lens[i] = [2]int{lens[i][0] + utf8.RuneCount(t), lens[i][1] + len(t)}
				if room := maxValue - text.Len(); room > 0 {
					text.Write(t[:min(len(t), room)])
				}
			}
		}
	}
	if i < last {
		return nil, Problem{}, false
	}
	return lens, Problem{}, true
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// cellCoordinates reads a cell reference ("B12") without allocating much;
// it accepts only what excelize would.
func cellCoordinates(ref string) (col, row int, err error) {
	i := 0
	for i < len(ref) && (ref[i] >= 'A' && ref[i] <= 'Z' || ref[i] >= 'a' && ref[i] <= 'z') {
		c := int(ref[i]|0x20) - 'a' + 1
		col = col*26 + c
		i++
		if col > 16384 {
			return 0, 0, errors.New("workbook: column out of range")
		}
	}
	row, err = strconv.Atoi(ref[i:])
	if i == 0 || err != nil || row < 1 {
		return 0, 0, errors.New("workbook: bad cell reference " + strconv.Quote(ref))
	}
	return col, row, nil
}
