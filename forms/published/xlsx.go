package published

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"strconv"
	"strings"
)

// Reading a workbook's sheet by streaming its XML from the zip, without
// excelize: excelize's Rows iterator streams a sheet too, but it first
// reads the whole table of shared strings into a map of strings (several
// times its size), and forms/workbook's streaming reader keeps every cell
// it is asked for, which suits a questionnaire's few thousand cells, not
// half a million rows. Here the shared strings are kept in one byte slice
// with their offsets, within a budget, and a sheet costs one row at a time.

const (
	maxPartBytes    = 1 << 20  // the package's small parts: relationships, the workbook
	maxStringsBytes = 48 << 20 // the shared strings part, unzipped
	maxStringsText  = 24 << 20 // the text of the shared strings kept
)

// sharedStrings is a workbook's table of shared strings, each cut to keep
// bytes: string i is buf[off[i]:off[i+1]].
type sharedStrings struct {
	buf []byte
	off []uint32
}

func (s *sharedStrings) get(i int) ([]byte, bool) {
	if i < 0 || i+1 >= len(s.off) {
		return nil, false
	}
	return s.buf[s.off[i]:s.off[i+1]], true
}

// xlsxBook is a workbook's sheets, in order, and its shared strings.
type xlsxBook struct {
	z      *zip.Reader
	sheets []*zip.File
	strs   *zip.File
}

// openBook finds the sheets and the shared strings of a workbook.
func openBook(ra io.ReaderAt, size int64) (*xlsxBook, error) {
	z, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, invalid("not_xlsx", err)
	}
	files := map[string]*zip.File{}
	for _, f := range z.File {
		files[strings.TrimPrefix(strings.ReplaceAll(f.Name, "\\", "/"), "/")] = f
	}
	var root xRels
	if err := unmarshalPart(files, "_rels/.rels", &root); err != nil {
		return nil, err
	}
	wb := ""
	for _, r := range root.Rels {
		if strings.HasSuffix(r.Type, "/officeDocument") {
			wb = strings.TrimPrefix(r.Target, "/")
		}
	}
	var book xWorkbook
	if err := unmarshalPart(files, wb, &book); err != nil {
		return nil, err
	}
	var rels xRels
	if err := unmarshalPart(files, path.Join(path.Dir(wb), "_rels", path.Base(wb)+".rels"), &rels); err != nil {
		return nil, err
	}
	target := func(r xRel) *zip.File {
		name := path.Join(path.Dir(wb), r.Target)
		if strings.HasPrefix(r.Target, "/") {
			name = path.Clean(r.Target[1:])
		}
		return files[name]
	}
	b := &xlsxBook{z: z}
	for _, r := range rels.Rels {
		if strings.HasSuffix(r.Type, "/sharedStrings") {
			b.strs = target(r)
		}
	}
	for _, s := range book.Sheets {
		for _, r := range rels.Rels {
			if r.ID == s.ID {
				if f := target(r); f != nil {
					b.sheets = append(b.sheets, f)
				}
			}
		}
	}
	if len(b.sheets) == 0 {
		return nil, invalid("not_xlsx", errors.New("no sheet"))
	}
	return b, nil
}

type xRel struct {
	ID     string `xml:"Id,attr"`
	Type   string `xml:"Type,attr"`
	Target string `xml:"Target,attr"`
}

type xRels struct {
	Rels []xRel `xml:"Relationship"`
}

type xWorkbook struct {
	Sheets []struct {
		ID string `xml:"id,attr"` // r:id, in whichever namespace
	} `xml:"sheets>sheet"`
}

func unmarshalPart(files map[string]*zip.File, name string, v any) error {
	f, ok := files[name]
	if !ok {
		return invalid("not_xlsx", errors.New("no part "+strconv.Quote(name)))
	}
	if f.UncompressedSize64 > maxPartBytes {
		return invalid("not_xlsx", errors.New("part "+name+" too large"))
	}
	rc, err := f.Open()
	if err != nil {
		return invalid("not_xlsx", err)
	}
	defer rc.Close()
	if err := xml.NewDecoder(io.LimitReader(rc, maxPartBytes)).Decode(v); err != nil {
		return invalid("not_xlsx", err)
	}
	return nil
}

// readStrings streams the table of shared strings, keeping keep bytes of
// each. A table over the budget is refused (strings_too_large).
func (b *xlsxBook) readStrings(keep int) (*sharedStrings, error) {
	s := &sharedStrings{off: []uint32{0}}
	if b.strs == nil {
		return s, nil
	}
	if b.strs.UncompressedSize64 > maxStringsBytes {
		return nil, invalid("strings_too_large", nil)
	}
	rc, err := b.strs.Open()
	if err != nil {
		return nil, invalid("corrupt", err)
	}
	defer rc.Close()
	s.buf = make([]byte, 0, min(int(b.strs.UncompressedSize64), maxStringsText))
	d := xml.NewDecoder(io.LimitReader(rc, maxStringsBytes))
	depth, inT, start := 0, false, 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return s, nil
		}
		if err != nil {
			return nil, invalid("corrupt", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				start = len(s.buf)
			case "rPh":
				depth++ // phonetic runs are not part of the text
			case "t":
				inT = depth == 0
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				s.off = append(s.off, uint32(len(s.buf)))
			case "rPh":
				depth--
			case "t":
				inT = false
			}
		case xml.CharData:
			if inT {
				if room := keep - (len(s.buf) - start); room > 0 {
					if len(s.buf)+min(room, len(t)) > maxStringsText {
						return nil, invalid("strings_too_large", nil)
					}
					s.buf = append(s.buf, t[:min(room, len(t))]...)
				}
			}
		}
	}
}

// sheetReader reads a sheet's rows one at a time, keeping the first
// maxFields columns, each to keep bytes.
type sheetReader struct {
	d     *xml.Decoder
	rc    io.Closer
	strs  *sharedStrings
	keep  int
	cells []cell
	row   int
	seen  int // rows and cells seen, kept or not
}

func (b *xlsxBook) sheet(i int, strs *sharedStrings, keep int) (*sheetReader, error) {
	rc, err := b.sheets[i].Open()
	if err != nil {
		return nil, invalid("corrupt", err)
	}
	return &sheetReader{d: xml.NewDecoder(rc), rc: rc, strs: strs, keep: keep}, nil
}

func (s *sheetReader) Close() error { return s.rc.Close() }

// next reads the next row and returns its number; io.EOF after the last.
// The cells of the row are s.cells, by column (empty where absent).
func (s *sheetReader) next() (int, error) {
	var cur *cell
	col, typ, in, depth := 0, "", "", 0
	inRow := false
	var raw []byte // the shared string's index
	for {
		tok, err := s.d.RawToken()
		if err == io.EOF {
			return 0, io.EOF
		}
		if err != nil {
			return 0, invalid("corrupt", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				inRow = true
				s.seen++
				s.row++
				if r, err := strconv.Atoi(attr(t, "r")); err == nil && r > 0 {
					s.row = r
				}
				for i := range s.cells {
					s.cells[i].b, s.cells[i].runes, s.cells[i].numeric = s.cells[i].b[:0], 0, false
				}
				s.cells = s.cells[:0]
				col = 0
			case "c":
				s.seen++
				col++
				if ref := attr(t, "r"); ref != "" {
					if c := refColumn(ref); c > 0 {
						col = c
					}
				}
				cur, typ, raw = nil, attr(t, "t"), raw[:0]
				if inRow && col <= maxFields {
					for len(s.cells) < col {
						if len(s.cells) == cap(s.cells) {
							s.cells = append(s.cells, cell{})
							continue
						}
						s.cells = s.cells[:len(s.cells)+1]
						c := &s.cells[len(s.cells)-1]
						c.b, c.runes, c.numeric = c.b[:0], 0, false
					}
					cur = &s.cells[col-1]
					cur.b, cur.runes, cur.numeric = cur.b[:0], 0, typ == "" || typ == "n"
				}
			case "v", "t":
				in = t.Name.Local
			case "rPh":
				depth++
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "row":
				if inRow {
					return s.row, nil
				}
			case "c":
				if cur != nil && typ == "s" {
					i, err := strconv.Atoi(strings.TrimSpace(string(raw)))
					str, ok := s.strs.get(i)
					if err != nil || !ok {
						return 0, invalid("corrupt", errors.New("shared string "+strconv.Quote(string(raw))))
					}
					cur.b = append(cur.b, str...)
					cur.runes = countRunes(str) // cut to keep bytes, still over any limit
				}
				cur = nil
			case "v", "t":
				in = ""
			case "rPh":
				depth--
			}
		case xml.CharData:
			if cur == nil || in == "" || depth > 0 {
				continue
			}
			if typ == "s" {
				if len(raw) < 32 {
					raw = append(raw, t[:min(len(t), 32)]...)
				}
				continue
			}
			cur.runes += countRunes(t)
			if room := s.keep - len(cur.b); room > 0 {
				cur.b = append(cur.b, t[:min(room, len(t))]...)
			}
		}
	}
}

func countRunes(b []byte) int {
	n := 0
	for _, c := range b {
		if c&0xC0 != 0x80 {
			n++
		}
	}
	return n
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// refColumn reads the column of a cell reference ("AB12" → 28); 0 when it
// is not one.
func refColumn(ref string) int {
	col := 0
	for i := 0; i < len(ref); i++ {
		c := ref[i] | 0x20
		if c < 'a' || c > 'z' {
			if i == 0 {
				return 0
			}
			break
		}
		col = col*26 + int(c-'a') + 1
		if col > 16384 {
			return 0
		}
	}
	return col
}
