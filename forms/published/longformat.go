package published

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode"

	"portal/forms"
)

// Row is one data row of a long-format file, as read.
type Row struct {
	// Line is the physical line a CSV record starts on (1-based, counting
	// every line of the file, the title lines and the lines inside quoted
	// fields included), or the row number of an XLSX row.
	Line                                     int
	Area                                     string // Iso3_code, upper-cased: "AUT", "GBR_E_W", "PRI"
	Country, Region, Subregion               string
	Indicator, Dimension, Category, Sex, Age string
	Unit                                     string // as written: "Counts", "Rate per 100,000 population"
	Year                                     int
	Value                                    string // canonical decimal: no exponent, '.' as the mark, never "-0"
	Whole                                    bool   // Value has no fractional part
	Source                                   string // as written
	Sources                                  []string
	Problem                                  *Problem // non-nil: the reader refuses the row
}

// Problem is why a row is refused: the column at fault (its name as the
// format documents it: "Iso3_code", "Year", "VALUE", "LocID", "Time",
// "PopTotal"; "" for the row as a whole), a reason key (see the
// package doc) and the value as read (cut to the limit of a cell).
type Problem struct {
	Column, Reason, Value string
}

// Header is what the reader found out about a file.
type Header struct {
	Format       string // "csv" or "xlsx"
	Line         int    // the header's line (CSV) or row (XLSX)
	Delimiter    rune   // CSV only: ',', ';' or '\t'
	DecimalComma bool   // the file's decimal mark is ',' (see the package doc)
	Gzip         bool   // the CSV was gzip-compressed
}

// Limits bound a read; zero fields take the defaults.
type Limits struct {
	MaxRows      int   // data rows; default 1,000,000
	MaxCellChars int   // characters of a cell; default 500
	MaxXLSXBytes int64 // an XLSX spooled to a temporary file; default 256 MB
}

// Defaults.
const (
	DefaultMaxRows      = 1_000_000
	DefaultMaxCellChars = 500
	DefaultMaxXLSXBytes = 256 << 20
)

func (l Limits) withDefaults() Limits {
	if l.MaxRows <= 0 {
		l.MaxRows = DefaultMaxRows
	}
	if l.MaxCellChars <= 0 {
		l.MaxCellChars = DefaultMaxCellChars
	}
	if l.MaxXLSXBytes <= 0 {
		l.MaxXLSXBytes = DefaultMaxXLSXBytes
	}
	return l
}

// keep is how many bytes of a cell are kept: enough for one character
// more than the limit, whatever the characters.
func (l Limits) keep() int { return 4*l.MaxCellChars + 4 }

// maxHeaderRows is how far down a file the header is looked for.
const maxHeaderRows = 50

// The columns of the long format, by role.
const (
	colArea = iota
	colCountry
	colRegion
	colSubregion
	colIndicator
	colDimension
	colCategory
	colSex
	colAge
	colYear
	colUnit
	colValue
	colSource
	nCols
)

var longColumns = [nCols]string{"Iso3_code", "Country", "Region", "Subregion", "Indicator", "Dimension",
	"Category", "Sex", "Age", "Year", "Unit of measurement", "VALUE", "Source"}

// The columns without which a row of the long format means nothing.
var longRequired = []int{colArea, colIndicator, colYear, colValue}

// ReadLongFormat reads a UNODC long-format file, CSV (gzip-compressed or
// not) or XLSX (told by the zip's magic bytes), and calls fn with each data
// row in order, blank rows skipped, repeated rows passed on. A row the
// reader refuses comes with its Problem; fn's error stops the read and is
// returned as is.
//
// An XLSX is read through its zip directory, which needs random access:
// when r is an io.ReaderAt and an io.Seeker (an *os.File, a
// multipart.File) it is read in place, otherwise it is spooled to a
// temporary file (at most lim.MaxXLSXBytes), removed before returning.
//
// Errors of kind forms.KindInvalid, the reason key as Message: no_header
// (no header among the first 50 rows; Fields["missing"] lists the columns
// missing from the row that came closest), not_tabular (neither CSV nor
// XLSX), not_xlsx, corrupt, strings_too_large, file_too_large,
// too_many_rows (rows before the limit were already passed to fn).
func ReadLongFormat(r io.Reader, lim Limits, fn func(Row) error) (Header, error) {
	lim = lim.withDefaults()
	br := bufio.NewReaderSize(r, 64<<10)
	magic, _ := br.Peek(4) // short files are read as CSV and found wanting
	switch {
	case bytes.HasPrefix(magic, []byte("PK\x03\x04")):
		return readXLSX(r, br, lim, fn)
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return Header{Format: "csv", Gzip: true}, invalid("corrupt", err)
		}
		h, err := readLongCSV(bufio.NewReaderSize(gunzipped{zr}, 64<<10), lim, fn)
		h.Gzip = true
		return h, err
	}
	return readLongCSV(br, lim, fn)
}

// ReadLongFormatAt reads a long-format XLSX or CSV of size bytes at ra,
// as ReadLongFormat does, without spooling.
func ReadLongFormatAt(ra io.ReaderAt, size int64, lim Limits, fn func(Row) error) (Header, error) {
	lim = lim.withDefaults()
	var magic [4]byte
	if n, _ := ra.ReadAt(magic[:], 0); n == 4 && string(magic[:]) == "PK\x03\x04" {
		return readBook(ra, size, lim, fn)
	}
	return ReadLongFormat(io.NewSectionReader(ra, 0, size), lim, fn)
}

func readXLSX(r io.Reader, br *bufio.Reader, lim Limits, fn func(Row) error) (Header, error) {
	if ra, ok := r.(interface {
		io.ReaderAt
		io.Seeker
	}); ok {
		if size, err := ra.Seek(0, io.SeekEnd); err == nil {
			return readBook(ra, size, lim, fn)
		}
	}
	tmp, err := os.CreateTemp("", "longformat-*.xlsx")
	if err != nil {
		return Header{Format: "xlsx"}, fmt.Errorf("published: spool the workbook: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	n, err := io.Copy(tmp, io.LimitReader(br, lim.MaxXLSXBytes+1))
	switch {
	case err != nil:
		return Header{Format: "xlsx"}, fmt.Errorf("published: spool the workbook: %w", err)
	case n > lim.MaxXLSXBytes:
		return Header{Format: "xlsx"}, invalid("file_too_large", nil)
	}
	return readBook(tmp, n, lim, fn)
}

func readBook(ra io.ReaderAt, size int64, lim Limits, fn func(Row) error) (Header, error) {
	h := Header{Format: "xlsx"}
	book, err := openBook(ra, size)
	if err != nil {
		return h, err
	}
	strs, err := book.readStrings(lim.keep())
	if err != nil {
		return h, err
	}
	var closest []string
	for i := range book.sheets {
		s, err := book.sheet(i, strs, lim.keep())
		if err != nil {
			return h, err
		}
		cols, missing, err := findSheetHeader(s, &h)
		if err != nil || cols != nil {
			if err == nil {
				err = readRows(lim, cols, fn, func() (int, []cell, int, error) {
					line, err := s.next()
					if err == nil && s.seen > 64*(lim.MaxRows+maxHeaderRows) {
						err = invalid("too_many_rows", nil)
					}
					return line, s.cells, -1, err
				}, 0, false)
			}
			s.Close()
			return h, err
		}
		s.Close()
		if closest == nil || len(missing) < len(closest) {
			closest = missing
		}
	}
	return h, noHeader(closest)
}

// findSheetHeader looks for the header among a sheet's first rows.
func findSheetHeader(s *sheetReader, h *Header) (cols []int, closest []string, err error) {
	for range maxHeaderRows {
		row, err := s.next()
		if err == io.EOF {
			return nil, closest, nil
		}
		if err != nil {
			return nil, nil, err
		}
		names := make([]string, len(s.cells))
		for i, c := range s.cells {
			names[i] = string(c.b)
		}
		cols, missing := matchHeader(names, longColumns[:], longRequired)
		if cols != nil {
			h.Line = row
			return cols, nil, nil
		}
		if closest == nil || len(missing) < len(closest) {
			closest = missing
		}
	}
	return nil, closest, nil
}

func readLongCSV(br *bufio.Reader, lim Limits, fn func(Row) error) (Header, error) {
	h := Header{Format: "csv"}
	c, cols, width, err := findCSVHeader(br, lim, longColumns[:], longRequired, &h)
	if err != nil {
		return h, err
	}
	h.DecimalComma = h.Delimiter == ';'
	return h, readRows(lim, cols, fn, func() (int, []cell, int, error) {
		line, err := c.next()
		return line, c.cells, c.fields, err
	}, width, h.DecimalComma)
}

// findCSVHeader looks for the header among the first lines, trying each
// delimiter on each line, and returns a reader of the records after it,
// the columns by role and the number of cells of the header.
func findCSVHeader(br *bufio.Reader, lim Limits, names []string, required []int, h *Header) (*csvReader, []int, int, error) {
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xEF\xBB\xBF")) {
		br.Discard(3) //nolint:errcheck // peeked
	}
	if head, _ := br.Peek(512); bytes.IndexByte(head, 0) >= 0 || bytes.HasPrefix(head, []byte("\xD0\xCF\x11\xE0")) {
		return nil, nil, 0, invalid("not_tabular", nil)
	}
	var buf []byte
	var closest []string
	for n := 1; n <= maxHeaderRows; n++ {
		line, err := headerLine(br, buf)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, 0, fmt.Errorf("published: read: %w", err)
		}
		buf = line
		for _, d := range []byte{',', ';', '\t'} {
			if bytes.IndexByte(line, d) < 0 {
				continue
			}
			cells := splitLine(line, d)
			cols, missing := matchHeader(cells, names, required)
			if cols != nil {
				h.Line, h.Delimiter = n, rune(d)
				return newCSVReader(br, d, n, lim.keep()), cols, len(cells), nil
			}
			if closest == nil || len(missing) < len(closest) {
				closest = missing
			}
		}
	}
	return nil, nil, 0, noHeader(closest)
}

// matchHeader finds the columns named in cells (case, spaces, underscores
// and a byte-order mark aside), the first of each name; nil and the
// missing names unless every required one is there.
func matchHeader(cells []string, names []string, required []int) ([]int, []string) {
	cols := make([]int, len(names))
	for i := range cols {
		cols[i] = -1
	}
	for i, c := range cells {
		key := headerKey(c)
		for j, n := range names {
			if cols[j] < 0 && key == headerKey(n) {
				cols[j] = i
			}
		}
	}
	var missing []string
	for _, j := range required {
		if cols[j] < 0 {
			missing = append(missing, names[j])
		}
	}
	if missing != nil {
		return nil, missing
	}
	return cols, nil
}

func headerKey(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '_' || r == '\uFEFF' {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// readRows calls fn with each data row that next gives: its line, its
// cells and how many there are in the record (-1 for XLSX, whose rows are
// sparse), which must be width, the header's.
func readRows(lim Limits, cols []int, fn func(Row) error, next func() (int, []cell, int, error), width int, decimalComma bool) error {
	rows := 0
	for {
		line, cells, fields, err := next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if forms.KindOf(err) == forms.KindInvalid {
				return err
			}
			return fmt.Errorf("published: read: %w", err)
		}
		if blank(cells) {
			continue
		}
		if rows++; rows > lim.MaxRows {
			return invalid("too_many_rows", nil)
		}
		row := longRow(line, cells, cols, lim, decimalComma)
		if fields >= 0 && fields != width && row.Problem == nil {
			row.Problem = &Problem{Reason: "columns", Value: strconv.Itoa(fields)}
		}
		if err := fn(row); err != nil {
			return err
		}
	}
}

func blank(cells []cell) bool {
	for _, c := range cells {
		if len(bytes.TrimFunc(c.b, unicode.IsSpace)) > 0 {
			return false
		}
	}
	return true
}

// longRow reads a data row; its Problem is the first found, column by
// column, then the area, the year and the value.
func longRow(line int, cells []cell, cols []int, lim Limits, decimalComma bool) Row {
	row := Row{Line: line}
	fail := func(col int, reason, value string) {
		if row.Problem == nil {
			name := ""
			if col >= 0 {
				name = longColumns[col]
			}
			row.Problem = &Problem{Column: name, Reason: reason, Value: value}
		}
	}
	var text [nCols]string
	var numeric [nCols]bool
	for j, i := range cols {
		if i < 0 || i >= len(cells) {
			continue
		}
		s, ok := validText(cells[i].b)
		if cells[i].runes > lim.MaxCellChars {
			s = cut(s, lim.MaxCellChars)
			fail(j, "cell_too_long", s)
		} else if !ok {
			fail(j, "encoding", s)
		}
		text[j], numeric[j] = s, cells[i].numeric
	}
	row.Area = strings.ToUpper(text[colArea])
	row.Country, row.Region, row.Subregion = text[colCountry], text[colRegion], text[colSubregion]
	row.Indicator, row.Dimension, row.Category = text[colIndicator], text[colDimension], text[colCategory]
	row.Sex, row.Age, row.Unit = text[colSex], text[colAge], text[colUnit]
	row.Source, row.Sources = text[colSource], splitSources(text[colSource])
	if !validArea(row.Area) {
		fail(colArea, "area", row.Area)
	}
	if y, ok := readYear(text[colYear], numeric[colYear]); ok {
		row.Year = y
	} else {
		fail(colYear, "year", text[colYear])
	}
	read := parseNumber
	if numeric[colValue] {
		read = func(s string, _ bool) (string, bool, string) { return numericCell(s) }
	}
	v, whole, reason := read(text[colValue], decimalComma)
	row.Value, row.Whole = v, whole
	if reason != "" {
		fail(colValue, reason, text[colValue])
		if reason != "value_negative" && reason != "value_precision" {
			row.Value, row.Whole = "", false
		}
	}
	return row
}

// readYear reads a year, a whole number from 1900 to 2100.
func readYear(s string, numeric bool) (int, bool) {
	v, whole, reason := parseNumber(s, false)
	if numeric {
		v, whole, reason = numericCell(s)
	}
	if reason != "" || !whole || len(v) != 4 {
		return 0, false
	}
	y, err := strconv.Atoi(v)
	return y, err == nil && y >= 1900 && y <= 2100
}

// validArea: three letters, then parts of the State after underscores
// ("GBR_E_W"), 20 characters at most.
func validArea(a string) bool {
	state, part := SplitArea(a)
	if len(state) != 3 || len(a) > 20 || strings.HasSuffix(a, "_") {
		return false
	}
	for i := range 3 {
		if state[i] < 'A' || state[i] > 'Z' {
			return false
		}
	}
	for _, r := range part {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// SplitArea splits an area code into the State's code and the part of it
// ("GBR_E_W" → "GBR", "E_W"; "AUT" → "AUT", ""). A territory that is not a
// Member State ("PRI", "HKG") is a code of its own, with no part.
func SplitArea(code string) (state, part string) {
	state, part, _ = strings.Cut(strings.ToUpper(strings.TrimSpace(code)), "_")
	return state, part
}

// splitSources splits "CTS/Eurostat/NSO" or "CTS; NSO" into its sources.
func splitSources(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == ';' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// cut keeps the first n characters of s.
func cut(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// invalid is the error of a file the reader refuses, its reason as the
// message; cause is kept for logs.
func invalid(reason string, cause error) error {
	return &forms.Error{Kind: forms.KindInvalid, Message: reason, Err: cause}
}

// noHeader is the error of a file without its header; missing is what the
// closest row lacked.
func noHeader(missing []string) error {
	e := &forms.Error{Kind: forms.KindInvalid, Message: "no_header", Err: errors.New("no header in the first 50 rows")}
	if len(missing) > 0 {
		e.Fields = map[string]string{"missing": strings.Join(missing, ", ")}
	}
	return e
}
