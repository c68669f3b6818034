package workbook

import (
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
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
	type raw struct {
		row, col int
		typ, v   string
		inline   strings.Builder
	}
	rc, err := p.files[s.path].Open()
	if err != nil {
		return nil, Problem{Reason: "corrupt"}, false
	}
	defer rc.Close()
	d := xml.NewDecoder(io.LimitReader(rc, maxMetaBytes))
	var cells []*raw
	var cur *raw
	row, col, inV, inT := 0, 0, false, false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, Problem{Reason: "corrupt"}, false
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
						return nil, Problem{Reason: "not_portal"}, false
					}
					col = c
				}
				cur = &raw{row: row, col: col, typ: attr(t, "t")}
				cells = append(cells, cur)
			case "v":
				inV = cur != nil
			case "t":
				inT = cur != nil
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "v":
				inV = false
			case "t":
				inT = false
			case "c":
				cur = nil
			}
		case xml.CharData:
			switch {
			case inV:
				cur.v += string(t)
			case inT:
				cur.inline.Write(t)
			}
		}
	}
	need := map[int]string{}
	for _, c := range cells {
		if c.typ == "s" {
			i, err := strconv.Atoi(strings.TrimSpace(c.v))
			if err != nil || i < 0 {
				return nil, Problem{Reason: "not_portal"}, false
			}
			need[i] = ""
		}
	}
	if len(need) > 0 {
		if pr, ok := p.sharedStrings(need); !ok {
			return nil, pr, false
		}
	}
	out := map[int]*[2]string{}
	var order []int
	for _, c := range cells {
		if c.col < 1 || c.col > 2 {
			continue
		}
		var v string
		switch c.typ {
		case "s":
			i, _ := strconv.Atoi(strings.TrimSpace(c.v))
			v = need[i]
		case "inlineStr":
			v = c.inline.String()
		default:
			v = c.v
		}
		kv, ok := out[c.row]
		if !ok {
			kv = &[2]string{}
			out[c.row] = kv
			order = append(order, c.row)
		}
		kv[c.col-1] = v
	}
	rows := make([][2]string, 0, len(order))
	for _, r := range order {
		rows = append(rows, *out[r])
	}
	return rows, Problem{}, true
}

// sharedStrings fills need (index → text) from the table of shared
// strings, streaming it: only the strings asked for are kept.
func (p *pkg) sharedStrings(need map[int]string) (Problem, bool) {
	if p.strs == "" {
		return Problem{Reason: "not_portal"}, false
	}
	if n := p.size(p.strs); n > maxStringsEarly {
		return Problem{Reason: "strings_too_large", Value: size(n), Limit: size(maxStringsEarly)}, false
	}
	last := -1
	for i := range need {
		last = max(last, i)
	}
	rc, err := p.files[p.strs].Open()
	if err != nil {
		return Problem{Reason: "corrupt"}, false
	}
	defer rc.Close()
	d := xml.NewDecoder(io.LimitReader(rc, maxStringsEarly))
	i, depth, inT := -1, 0, false
	var text strings.Builder
	for i <= last {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Problem{Reason: "corrupt"}, false
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
				if text.Len()+len(t) > maxMetaString {
					return Problem{Reason: "not_portal"}, false
				}
				text.Write(t)
			}
		}
	}
	if i < last {
		return Problem{Reason: "not_portal"}, false
	}
	return Problem{}, true
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
