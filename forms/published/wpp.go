package published

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WPPRow is a location's total population in a year, from the medium
// variant of the World Population Prospects.
type WPPRow struct {
	Line       int    // the physical line the record starts on, 1-based
	M49        string // LocID, zero-padded to three digits ("040"); codes over 999 are aggregates
	Year       int
	Population int64    // persons: PopTotal (thousands) × 1000, rounded to the nearest
	Problem    *Problem // non-nil: the reader refuses the row
}

var wppColumns = []string{"LocID", "Variant", "Time", "PopTotal"}

const (
	wppLoc = iota
	wppVariant
	wppTime
	wppPop
)

// ReadWPP reads a CSV of the World Population Prospects
// (WPP2024_TotalPopulationBySex.csv, gzip-compressed or not: told by its
// magic bytes) and calls fn with each row of the Medium variant in order;
// the other variants are skipped unread. fn's error stops the read and is
// returned as is. A file without the columns LocID, Variant, Time and
// PopTotal in its first 50 lines is an error of kind forms.KindInvalid
// (no_header); a gzip stream that does not read, corrupt.
func ReadWPP(r io.Reader, fn func(WPPRow) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return invalid("corrupt", err)
		}
		br = bufio.NewReaderSize(gunzipped{zr}, 64<<10)
	}
	lim := Limits{}.withDefaults()
	var h Header
	c, cols, width, err := findCSVHeader(br, lim, wppColumns, []int{wppLoc, wppVariant, wppTime, wppPop}, &h)
	if err != nil {
		return err
	}
	for {
		line, err := c.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("published: read: %w", err)
		}
		if blank(c.cells) {
			continue
		}
		get := func(j int) string {
			if i := cols[j]; i < len(c.cells) {
				return strings.TrimSpace(string(c.cells[i].b))
			}
			return ""
		}
		if get(wppVariant) != "Medium" {
			continue
		}
		row := wppRow(line, get(wppLoc), get(wppTime), get(wppPop))
		if row.Problem == nil && c.fields != width {
			row.Problem = &Problem{Reason: "columns", Value: strconv.Itoa(c.fields)}
		}
		if err := fn(row); err != nil {
			return err
		}
	}
}

func wppRow(line int, loc, year, pop string) WPPRow {
	row := WPPRow{Line: line}
	id, err := strconv.Atoi(loc)
	if err != nil || id < 0 || id > 99999 || strings.HasPrefix(loc, "+") {
		row.Problem = &Problem{Column: "LocID", Reason: "m49", Value: cut(loc, DefaultMaxCellChars)}
		return row
	}
	row.M49 = strconv.Itoa(id)
	if id < 100 {
		row.M49 = strconv.Itoa(1000 + id)[1:]
	}
	y, ok := readYear(year, false)
	if !ok {
		row.Problem = &Problem{Column: "Time", Reason: "year", Value: cut(year, DefaultMaxCellChars)}
		return row
	}
	row.Year = y
	v, _, reason := parseNumber(pop, false)
	if reason == "" {
		if n, ok := thousands(v); ok && n <= 1e13 {
			row.Population = n
		} else {
			reason = "value"
		}
	}
	if reason != "" {
		row.Problem = &Problem{Column: "PopTotal", Reason: reason, Value: cut(pop, DefaultMaxCellChars)}
	}
	return row
}

// gunzipped reads a gzip stream; what does not inflate is the file's
// fault (corrupt), not the portal's.
type gunzipped struct{ r io.Reader }

func (g gunzipped) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF {
		err = invalid("corrupt", err)
	}
	return n, err
}
