package workbook

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"portal/forms"
	"portal/internal/heapwatch"
)

// heapBound is the most a read of a statistics workbook may add to the heap,
// whatever the file (docs/workbooks.md).
const heapBound = 64 << 20

// filledCells is every table cell of q for the test's years, each with
// the figure 12,345 and note.
func filledCells(q *forms.Questionnaire, note string) forms.Answers {
	full := forms.Answers{Cells: map[forms.CellRef]forms.Cell{}}
	for _, sec := range q.Sections {
		for _, qq := range sec.Questions {
			if qq.Table == nil {
				continue
			}
			for _, row := range qq.Table.Rows {
				for _, y := range years {
					for _, col := range q.Columns(qq.Table) {
						full.Cells[forms.CellRef{Question: qq.Key, Row: row.Key, Year: y, Category: col}] = forms.Cell{State: forms.CellValue, Value: 12345, Note: note}
					}
				}
			}
		}
	}
	return full
}

// statisticsWorkbook is the portal's own workbook of the statistics
// questionnaire, every table cell filled, and its layout.
func statisticsWorkbook(tb testing.TB, note string) ([]byte, *layout) {
	tb.Helper()
	q, _ := library(tb).Latest("crime-statistics")
	full := filledCells(q, note)
	var buf bytes.Buffer
	if err := Write(&buf, Options{Questionnaire: q, Years: years, Lang: forms.English, Org: "AUT", Call: "c", Texts: texts(forms.English), Answers: full,
		Warnings: mostWarnings()}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes(), newLayout(q, years, forms.English, texts(forms.English))
}

// mostWarnings are as many warnings as a workbook lists, with the longest
// keys a hidden sheet takes.
func mostWarnings() []Warning {
	ws := make([]Warning, MaxWarnings)
	for i := range ws {
		key := strconv.Itoa(i) + "/"
		ws[i] = Warning{Key: key + strings.Repeat("k", forms.MaxFindingKey-len(key)), Where: "Offences — Robbery, 2023, Total",
			Message: "The figure changes by more than 50 % from the year before."}
	}
	return ws
}

// padding is what padded adds to a sheet: rows of inline-string cells
// below everything, from row first, cols cells a row, until cells cells or
// bytes bytes (whichever comes first).
type padding struct {
	first, cols, cells int
	bytes              int64
	text               string
}

// padded rewrites workbook data with the sheet named sheet padded, as a
// spreadsheet program or a person could: the zip is written anew with
// archive/zip, the padding streamed into it.
func padded(tb testing.TB, data []byte, sheet string, pad padding) []byte {
	tb.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		tb.Fatal(err)
	}
	pk, ok := openPackage(z)
	if !ok {
		tb.Fatal("no package")
	}
	sp, ok := pk.sheet(sheet)
	if !ok {
		tb.Fatalf("no sheet %q", sheet)
	}
	row, cells := pad.first, 0
	var b strings.Builder
	return rewritten(tb, data, sp.path, "</sheetData>", pad.bytes, func() string {
		if cells >= pad.cells {
			return ""
		}
		b.Reset()
		fmt.Fprintf(&b, `<row r="%d">`, row)
		for c := 1; c <= pad.cols && cells < pad.cells; c++ {
			fmt.Fprintf(&b, `<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, cell(c, row), pad.text)
			cells++
		}
		b.WriteString("</row>")
		row++
		return b.String()
	})
}

// rewritten rewrites workbook data with what next returns inserted into
// part before the text before, until next returns "" or the insert would
// pass n bytes.
func rewritten(tb testing.TB, data []byte, part, before string, n int64, next func() string) []byte {
	tb.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			tb.Fatal(err)
		}
		content, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			tb.Fatal(err)
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			tb.Fatal(err)
		}
		if f.Name != part {
			w.Write(content)
			continue
		}
		end := bytes.LastIndex(content, []byte(before))
		if end < 0 {
			tb.Fatalf("no %s in %s", before, part)
		}
		w.Write(content[:end])
		var written int64
		for {
			s := next()
			if s == "" || written+int64(len(s)) > n {
				break
			}
			io.WriteString(w, s)
			written += int64(len(s))
		}
		w.Write(content[end:])
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

// bloat is padding of about n bytes: cells of a 100-character text, 20 a row.
func bloat(n int64) padding {
	return padding{first: 1000, cols: 20, cells: 1 << 30, bytes: n, text: strings.Repeat("Lorem ipsum ", 8) + "dolor"}
}

// worstAccepted pads every sheet of the statistics workbook (each table
// cell with a note) to just under what its layout allows, in cells and in
// bytes, the hidden sheet, the shared strings and the comments too.
func worstAccepted(tb testing.TB) []byte {
	data, l := statisticsWorkbook(tb, "Source: ministry of justice")
	b := l.budget(MaxWarnings)
	z, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	pk, _ := openPackage(z)
	names := []string{l.explanations}
	for _, sl := range l.sheets {
		names = append(names, sl.name)
	}
	for _, name := range names {
		lim := b.sheets[name]
		sp, _ := pk.sheet(name)
		rows, cells, _ := pk.count(sp.path, lim)
		cols := 30
		n := min(lim.cells-cells, (lim.rows-rows)*cols)
		// The text that fills the sheet's bytes with its cells left.
		room := lim.bytes - sp.size - int64(n)*64 - int64(n/cols+1)*32
		text := strings.Repeat("x", int(max(1, room/int64(n))))
		data = padded(tb, data, name, padding{first: 2000, cols: cols, cells: n, bytes: lim.bytes - sp.size - 64, text: text})
	}
	ms, _ := pk.sheet(MetaSheet)
	data = padded(tb, data, MetaSheet, padding{first: 1000, cols: 2, cells: 1 << 30, bytes: maxMetaBytes - ms.size - 64, text: "x"})
	i := 0
	data = rewritten(tb, data, pk.strs, "</sst>", b.strings-pk.size(pk.strs)-64, func() string {
		i++
		return "<si><t>" + strconv.Itoa(i) + "</t></si>"
	})
	var comments []string
	var size int64
	for name, f := range pk.files {
		if strings.HasPrefix(path.Base(name), "comments") {
			comments = append(comments, name)
			size += int64(f.UncompressedSize64)
		}
	}
	if len(comments) == 0 {
		tb.Fatal("no comments")
	}
	slices.Sort(comments)
	// Styles: as many cell formats as fit under the limit of other parts.
	data = rewritten(tb, data, "xl/styles.xml", "</cellXfs>", maxOtherPart-pk.size("xl/styles.xml")-64, func() string {
		return `<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyProtection="1"><protection locked="0"/></xf>`
	})
	return rewritten(tb, data, comments[0], "</commentList>", b.comments-size-64, func() string {
		i++
		return `<comment ref="` + cell(40, i) + `" authorId="0"><text><t>` + strconv.Itoa(i) + `</t></text></comment>`
	})
}

// measure reads data and says how much the heap grew at most while it was
// read (sampled every millisecond) and how much was allocated in all (an
// upper bound of the growth that sampling cannot miss).
func measure(tb testing.TB, data []byte, read func([]byte)) (peak, allocated uint64) {
	tb.Helper()
	g := heapwatch.Measure(func() { read(data) })
	return g.Alloc, g.Allocated
}

// TestBloatedSheets: the portal's workbook with about 95 MB of cells added
// to its hidden sheet, or 92 MB to a section's sheet (under the 100 MB
// unzipped cap), or a section's sheet with too many cells, or 8 MB of
// styles, is refused before it is parsed, saying which sheet (or part), how
// large it is and what the questionnaire allows; the read allocates less
// than the bound.
func TestBloatedSheets(t *testing.T) {
	data, l := statisticsWorkbook(t, "")
	police := l.sheets[1].name
	tests := []struct {
		name, sheet, reason string
		data                []byte
	}{
		{"hidden sheet", MetaSheet, "sheet_too_large", padded(t, data, MetaSheet, bloat(95<<20))},
		{"section sheet", police, "sheet_too_large", padded(t, data, police, bloat(92<<20))},
		{"many empty cells", police, "sheet_too_many_cells", padded(t, data, police, padding{first: 1000, cols: 200, cells: 1 << 30, bytes: 300 << 10, text: ""})},
		{"styles", "", "part_too_large", rewritten(t, data, "xl/styles.xml", "</cellXfs>", 8<<20, func() string {
			return `<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>`
		})},
	}
	opts := readOptions(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res *Result
			var problems []Problem
			peak, allocated := measure(t, tt.data, func(data []byte) {
				var err error
				res, problems, err = Read(bytes.NewReader(data), opts)
				if err != nil {
					t.Error(err)
				}
			})
			t.Logf("%d bytes zipped: peak heap +%.1f MB, allocated %.1f MB", len(tt.data), float64(peak)/(1<<20), float64(allocated)/(1<<20))
			if res != nil {
				t.Fatalf("accepted, %d fields", len(res.Edit.Fields))
			}
			if len(problems) != 1 || problems[0].Reason != tt.reason || problems[0].Sheet != tt.sheet || problems[0].Value == "" || problems[0].Limit == "" {
				t.Errorf("problems %v; want one %s of sheet %q, with its size and limit", problems, tt.reason, tt.sheet)
			}
			if allocated > heapBound {
				t.Errorf("the read allocated %d MB; the bound is %d MB", allocated>>20, heapBound>>20)
			}
		})
	}
}

// TestWorstAccepted: a workbook filling everything its layout allows is
// read, within the bound.
func TestWorstAccepted(t *testing.T) {
	data := worstAccepted(t)
	_, l := statisticsWorkbook(t, "")
	t.Logf("budget %+v", l.budget(MaxWarnings))
	z, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	for _, f := range z.File {
		t.Logf("%-36s %9d", f.Name, f.UncompressedSize64)
	}
	opts := readOptions(t)
	var problems []Problem
	peak, allocated := measure(t, data, func(data []byte) {
		var err error
		if _, problems, err = Read(bytes.NewReader(data), opts); err != nil {
			t.Error(err)
		}
	})
	t.Logf("%d bytes zipped: peak heap +%.1f MB, allocated %.1f MB", len(data), float64(peak)/(1<<20), float64(allocated)/(1<<20))
	if len(problems) > 0 {
		t.Fatalf("refused: %v", problems)
	}
	if peak > heapBound {
		t.Errorf("the heap grew by %d MB; the bound is %d MB", peak>>20, heapBound>>20)
	}
}

// TestReadRowsBloated: the first sheet of an uploaded table (the Office's
// populations) is refused when it is far larger than a table, before it is
// parsed; a table of a few hundred rows is read.
func TestReadRowsBloated(t *testing.T) {
	f := excelize.NewFile()
	for r := 1; r <= 300; r++ {
		f.SetSheetRow("Sheet1", cell(1, r), &[]any{"AUT", 2020 + r%5, 9000000 + r})
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	lim := Limits{MaxBytes: 5 << 20, MaxUnzipped: 50 << 20}
	rows, problems, err := ReadRows(bytes.NewReader(buf.Bytes()), lim)
	if err != nil || len(problems) > 0 || len(rows) != 300 {
		t.Fatalf("%d rows, %v %v", len(rows), problems, err)
	}
	bloated := padded(t, buf.Bytes(), "Sheet1", bloat(45<<20))
	peak, allocated := measure(t, bloated, func(data []byte) {
		rows, problems, err = ReadRows(bytes.NewReader(data), lim)
	})
	t.Logf("%d bytes zipped: peak heap +%.1f MB, allocated %.1f MB", len(bloated), float64(peak)/(1<<20), float64(allocated)/(1<<20))
	if err != nil || rows != nil || len(problems) != 1 || problems[0].Reason != "sheet_too_large" || problems[0].Sheet != "Sheet1" {
		t.Errorf("%d rows, %v %v; want sheet_too_large", len(rows), problems, err)
	}
	if allocated > heapBound {
		t.Errorf("the read allocated %d MB; the bound is %d MB", allocated>>20, heapBound>>20)
	}

	// The largest table accepted: the sheet just under its limits, the
	// styles too.
	largest := padded(t, buf.Bytes(), "Sheet1", padding{first: 400, cols: 5, cells: rowsLimit.cells - 1000,
		bytes: rowsLimit.bytes - (64 << 10), text: "Lorem ipsum"})
	largest = rewritten(t, largest, "xl/styles.xml", "</cellXfs>", maxRowsPart-(64<<10), func() string {
		return `<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>`
	})
	peak, allocated = measure(t, largest, func(data []byte) {
		rows, problems, err = ReadRows(bytes.NewReader(data), lim)
	})
	t.Logf("the largest table, %d bytes zipped: peak heap +%.1f MB, allocated %.1f MB", len(largest), float64(peak)/(1<<20), float64(allocated)/(1<<20))
	if err != nil || len(problems) > 0 || len(rows) < 300 {
		t.Fatalf("%d rows, %v %v", len(rows), problems, err)
	}
	if peak > heapBound {
		t.Errorf("the heap grew by %d MB; the bound is %d MB", peak>>20, heapBound>>20)
	}
}

// TestManyParts: a workbook of the portal's with ninety thousand empty
// parts added (9.5 MB zipped, inside the upload limit) is refused from its
// zip directory, before archive/zip or excelize list every part, within
// the heap bound (it was accepted after allocating 186 MB; now 23 MB, most
// of it the upload read into memory).
func TestManyParts(t *testing.T) {
	data, _ := statisticsWorkbook(t, "")
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) > maxParts/10 {
		t.Fatalf("the portal's own workbook has %d parts: maxParts (%d) leaves too little room", len(zr.File), maxParts)
	}
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if err := w.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 90_000 {
		if _, err := w.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("x/%d", i), Method: zip.Store}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > int(DefaultLimits.MaxBytes) {
		t.Fatalf("the file is %d bytes, over the upload limit", buf.Len())
	}
	var problems []Problem
	_, allocated := measure(t, buf.Bytes(), func(data []byte) {
		_, problems, _ = Read(bytes.NewReader(data), readOptions(t))
	})
	t.Logf("%d bytes zipped: allocated %.1f MB", buf.Len(), float64(allocated)/(1<<20))
	if len(problems) != 1 || problems[0].Reason != "zip_bomb" {
		t.Fatalf("problems %+v; want the zip_bomb refusal", problems)
	}
	if allocated > heapBound {
		t.Errorf("the read allocated %d MB; the bound is %d MB", allocated>>20, heapBound>>20)
	}
}
