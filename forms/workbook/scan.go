package workbook

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"

	"portal/forms"
)

// Before excelize opens a workbook, the reader looks at its parts itself,
// streaming: excelize unmarshals a whole sheet (or the whole table of
// shared strings) at the first cell read, at about twenty times its size,
// so a sheet padded with millions of cells would cost gigabytes. The sizes
// in the zip directory can be trusted as upper bounds (archive/zip refuses
// an entry longer than it says), and rows and cells are counted on the XML
// as it streams, stopping at the limit.

// Limits known before the questionnaire is: the hidden sheet is a few
// hundred bytes, and nothing else is read before the layout is known but
// the few shared strings it uses.
const (
	maxMetaBytes    = 128 << 10 // with the keys of MaxWarnings warnings
	maxPackageBytes = 1 << 20   // _rels/.rels, the workbook part, its relationships
	maxStringsEarly = 16 << 20  // the shared strings, before the layout gives their budget
	maxMetaString   = 4 << 10   // one value of the hidden sheet
)

// A workbook's package: its parts by name and its sheets in order.
type pkg struct {
	files  map[string]*zip.File
	sheets []sheetPart
	strs   string // the shared strings part, "" when none
}

type sheetPart struct {
	name, path string
	size       int64
}

var errTooLarge = errors.New("workbook: part over its limit")

// The relationships' namespace, and the strict one excelize reads as it.
const (
	relationships       = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	strictRelationships = "http://purl.oclc.org/ooxml/officeDocument/relationships"
)

func relType(t string) string {
	return strings.Replace(t, strictRelationships, relationships, 1)
}

// openPackage finds the sheets of a zip, their comments and the shared
// strings exactly as excelize will (the same names for the same parts, the
// same first or last match), so that what is checked here is what excelize
// parses; ok is false when a part that says where the others are is too
// large.
func openPackage(z *zip.Reader) (*pkg, bool) {
	p := &pkg{files: map[string]*zip.File{}}
	for _, f := range z.File {
		name := strings.ReplaceAll(f.Name, "\\", "/")
		switch strings.ToLower(name) {
		case "[content_types].xml":
			name = "[Content_Types].xml"
		case "xl/sharedstrings.xml":
			name = "xl/sharedStrings.xml"
		}
		p.files[name] = f
	}
	var root xRels
	if p.unmarshal("_rels/.rels", &root) == errTooLarge {
		return nil, false
	}
	wb := ""
	for _, r := range root.Rels {
		if relType(r.Type) == relationships+"/officeDocument" {
			wb = strings.TrimPrefix(r.Target, "/")
			break
		}
	}
	relsPath := "_rels/" + path.Base(wb) + ".rels"
	if dir := path.Dir(wb); dir != "." {
		relsPath = strings.TrimPrefix(dir+"/_rels/"+path.Base(wb)+".rels", "/")
	}
	var book xWorkbook
	var rels xRels
	if p.unmarshal(wb, &book) == errTooLarge || p.unmarshal(relsPath, &rels) == errTooLarge {
		return nil, false
	}
	for _, s := range book.Sheets {
		var id, target string
		for _, a := range s.Attrs {
			if a.Name.Local == "id" && (a.Name.Space == relationships || a.Name.Space == strictRelationships) {
				id = a.Value
			}
		}
		for _, r := range rels.Rels {
			if r.ID == id {
				target = r.Target
			}
		}
		name := strings.TrimPrefix(strings.ReplaceAll(path.Clean(path.Dir(wb)+"/"+target), "\\", "/"), "/")
		if strings.HasPrefix(target, "/") {
			name = strings.TrimPrefix(strings.ReplaceAll(path.Clean(target), "\\", "/"), "/")
		}
		f, ok := p.files[name]
		if target == "" || !ok {
			continue // excelize does not see it either
		}
		p.sheets = append(p.sheets, sheetPart{name: s.Name, path: name, size: int64(f.UncompressedSize64)})
	}
	if _, ok := p.files["xl/sharedStrings.xml"]; ok {
		p.strs = "xl/sharedStrings.xml" // wherever the relationships say
	}
	return p, true
}

// comments lists the comments parts of the sheets, as excelize finds them;
// ok is false when a sheet's relationships are too large to read.
func (p *pkg) comments() ([]string, bool) {
	seen := map[string]bool{}
	var out []string
	for _, s := range p.sheets {
		var rels xRels
		if p.unmarshal("xl/worksheets/_rels/"+path.Base(s.path)+".rels", &rels) == errTooLarge {
			return nil, false
		}
		for _, r := range rels.Rels {
			if relType(r.Type) != relationships+"/comments" {
				continue
			}
			name := r.Target
			if !strings.HasPrefix(name, "/") {
				name = "xl" + strings.TrimPrefix(name, "..")
			}
			if name = strings.TrimPrefix(name, "/"); !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
			break
		}
	}
	return out, true
}

type xRels struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

type xWorkbook struct {
	Sheets []struct {
		Name  string     `xml:"name,attr"`
		Attrs []xml.Attr `xml:",any,attr"`
	} `xml:"sheets>sheet"`
}

// unmarshal decodes a small part of the package.
func (p *pkg) unmarshal(name string, v any) error {
	f, ok := p.files[name]
	if !ok {
		return errors.New("workbook: no part " + name)
	}
	if f.UncompressedSize64 > maxPackageBytes {
		return errTooLarge
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return xml.NewDecoder(io.LimitReader(rc, maxPackageBytes)).Decode(v)
}

func (p *pkg) sheet(name string) (sheetPart, bool) {
	for _, s := range p.sheets {
		if s.name == name {
			return s, true
		}
	}
	return sheetPart{}, false
}

func (p *pkg) size(name string) int64 {
	if f, ok := p.files[name]; ok {
		return int64(f.UncompressedSize64)
	}
	return 0
}

// unzipped is the size of every part together.
func (p *pkg) unzipped() int64 {
	var n int64
	for _, f := range p.files {
		n += int64(f.UncompressedSize64)
	}
	return n
}

// checkOtherParts refuses every XML part over max that is not a sheet, the
// shared strings or one of known: excelize parses the styles, the theme,
// the chain of calculations and relationships when it opens a file, and
// they are a few kilobytes in any workbook.
func (p *pkg) checkOtherParts(known map[string]bool, max int64) []Problem {
	known[p.strs] = true
	for _, s := range p.sheets {
		known[s.path] = true
	}
	var names []string
	for name, f := range p.files {
		lower := strings.ToLower(name)
		if !known[name] && (strings.HasSuffix(lower, ".xml") || strings.HasSuffix(lower, ".rels")) && int64(f.UncompressedSize64) > max {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var out []Problem
	for _, name := range names {
		out = append(out, Problem{Reason: "part_too_large", Value: name + ", " + size(p.size(name)), Limit: size(max)})
	}
	return out
}

// limit is how large a sheet may be: bytes unzipped, rows and cells.
type limit struct {
	bytes       int64
	rows, cells int
}

// checkSheet refuses a sheet over its limit: first by its size in the zip
// directory, then by counting its rows and cells as its XML streams (never
// more of it than the limit in bytes).
func (p *pkg) checkSheet(s sheetPart, lim limit) (Problem, bool) {
	if s.size > lim.bytes {
		return Problem{Sheet: s.name, Reason: "sheet_too_large", Value: size(s.size), Limit: size(lim.bytes)}, false
	}
	rows, cells, err := p.count(s.path, lim)
	switch {
	case err != nil:
		return Problem{Sheet: s.name, Reason: "corrupt"}, false
	case rows > lim.rows:
		return Problem{Sheet: s.name, Reason: "sheet_too_many_rows", Value: strconv.Itoa(rows), Limit: strconv.Itoa(lim.rows)}, false
	case cells > lim.cells:
		return Problem{Sheet: s.name, Reason: "sheet_too_many_cells", Value: strconv.Itoa(cells), Limit: strconv.Itoa(lim.cells)}, false
	}
	return Problem{}, true
}

// count counts a sheet's rows and cells, reading at most lim.bytes of it
// (its size was checked) and keeping nothing.
func (p *pkg) count(name string, lim limit) (rows, cells int, err error) {
	rc, err := p.files[name].Open()
	if err != nil {
		return 0, 0, err
	}
	defer rc.Close()
	d := xml.NewDecoder(io.LimitReader(rc, lim.bytes))
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return rows, cells, nil
		}
		if err != nil {
			return rows, cells, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			switch se.Name.Local {
			case "row":
				rows++
			case "c":
				cells++
			}
		}
	}
}

// size writes a number of bytes for a person: "95.3 MB", "64 KB".
func size(n int64) string {
	if n >= 1<<20 {
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	}
	return strconv.FormatInt((n+1023)>>10, 10) + " KB"
}

// What a workbook of a layout may hold, generously: a spreadsheet program
// re-saving it adds styles, empty cells and rows; a person may type beside
// the inputs. Twice the layout's grid and a thousand cells more is far
// beyond that, and far below what would cost memory.
const (
	cellBytes       = 160       // one cell's XML, with its reference, style and type
	charBytes       = 8         // one character of text, UTF-8 and escaped
	textBytes       = 4         // one character of free text in the shared strings
	sheetOverhead   = 256 << 10 // a sheet's views, columns, merges, validations, protection
	otherSheetBytes = 1 << 20   // the instructions, the lists, a sheet a person added
	otherSheetRows  = 2000
	otherSheetCells = 20000
	noteBytes       = 1 << 10   // a table cell's comment, on average
	warningChars    = 300       // where a warning is, or what it says
	packageOverhead = 4 << 20   // styles, theme, drawings of comments, properties, images
	maxOtherPart    = 256 << 10 // any other XML part
)

// budget is what a workbook of the layout may hold.
type budget struct {
	sheets   map[string]limit // the section sheets, by name
	strings  int64            // the shared strings
	comments int64            // every comments part together
	total    int64            // every part together, unzipped
}

func (l *layout) budget(warnings int) budget {
	b := budget{sheets: map[string]limit{}}
	var text, tableCells int64
	for _, sl := range l.sheets {
		last := 1
		var chars, labels int64
		for _, it := range sl.items {
			last = max(last, it.row)
			labels += int64(len(it.text()))
			switch {
			case it.kind == itemOther:
				chars += 10000
			case it.kind == itemAnswer && it.q.Kind == forms.Narrative:
				n := it.q.MaxLength
				if n <= 0 {
					n = 10000
				}
				chars += int64(n)
			case it.kind == itemTableRow:
				tableCells += int64(len(l.years) * len(it.cols))
			default:
				chars += 256
			}
		}
		grid := (last + 1) * sl.width
		lim := limit{rows: 2*last + 100, cells: 2*grid + 1000}
		lim.bytes = int64(lim.cells)*cellBytes + (chars+int64(len(sl.title)))*charBytes + labels*charBytes + sheetOverhead
		b.sheets[sl.name] = lim
		b.total += lim.bytes
		text += (chars+int64(len(sl.title)))*charBytes + labels*charBytes + int64(lim.cells)*32
	}
	if warnings > 0 {
		// A row per warning: where, what it says (a few hundred
		// characters each) and an explanation. Free text in UTF-8 takes
		// at most 4 bytes a character but for a few escapes; the shared
		// strings grow by that alone (excelize holds them whole, at many
		// times their size), the sheet, which is streamed, by more.
		last := firstWarning + warnings
		chars := int64(warnings) * (forms.MaxExplanation + 2*warningChars)
		lim := limit{rows: 2*last + 100, cells: 2*last*colExplanation + 1000}
		lim.bytes = int64(lim.cells)*cellBytes + chars*charBytes + sheetOverhead
		b.sheets[l.explanations] = lim
		b.total += lim.bytes
		text += chars * textBytes
	}
	b.strings = text + sheetOverhead // and the few words of the instructions and the lists
	b.comments = tableCells*noteBytes + sheetOverhead
	b.total += b.strings + 2*b.comments + 2*otherSheetBytes + packageOverhead
	return b
}

// checkBudget refuses every part of the workbook that is over what the
// layout allows: each sheet, the shared strings, the comments, the whole.
func (p *pkg) checkBudget(b budget) []Problem {
	var out []Problem
	for _, s := range p.sheets {
		if s.name == MetaSheet {
			continue // checked already
		}
		lim, ok := b.sheets[s.name]
		if !ok {
			lim = limit{bytes: otherSheetBytes, rows: otherSheetRows, cells: otherSheetCells}
		}
		if pr, ok := p.checkSheet(s, lim); !ok {
			out = append(out, pr)
		}
	}
	if n := p.size(p.strs); n > b.strings {
		out = append(out, Problem{Reason: "strings_too_large", Value: size(n), Limit: size(b.strings)})
	}
	parts, ok := p.comments()
	if !ok {
		return append(out, Problem{Reason: "corrupt"})
	}
	var comments int64
	for _, name := range parts {
		comments += p.size(name)
	}
	if comments > b.comments {
		out = append(out, Problem{Reason: "comments_too_large", Value: size(comments), Limit: size(b.comments)})
	}
	known := map[string]bool{}
	for _, name := range parts {
		known[name] = true
	}
	out = append(out, p.checkOtherParts(known, maxOtherPart)...)
	if n := p.unzipped(); len(out) == 0 && n > b.total {
		out = append(out, Problem{Reason: "unzipped_too_large", Value: size(n), Limit: size(b.total)})
	}
	return out
}
