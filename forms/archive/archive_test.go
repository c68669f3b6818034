package archive

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
)

// zipOf writes a zip archive of the named parts, each holding size bytes.
func zipOf(tb testing.TB, size int, names ...string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, n := range names {
		f, err := w.Create(n)
		if err != nil {
			tb.Fatal(err)
		}
		f.Write([]byte(strings.Repeat("x", size)))
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestWalk(t *testing.T) {
	for _, tc := range []struct {
		name   string
		data   []byte
		limit  int
		want   Listing
		wantOK bool
	}{
		{"a document", zipOf(t, 1000, "[Content_Types].xml", "word/document.xml"), 10, Listing{Entries: 2, Inflated: 2000}, true},
		{"a VBA project", zipOf(t, 10, "[Content_Types].xml", "word/vbaProject.bin"), 10, Listing{Entries: 2, Inflated: 20, Macros: true}, true},
		{"OpenDocument scripts", zipOf(t, 10, "mimetype", "Basic/script-lc.xml"), 10, Listing{Entries: 2, Inflated: 20, Macros: true}, true},
		{"more parts than the limit", zipOf(t, 0, "a", "b", "c"), 2, Listing{Entries: 3}, true},
		{"no zip", []byte("%PDF-1.4"), 10, Listing{}, false},
		{"an end record only", []byte("PK\x05\x06" + strings.Repeat("\x00", 18)), 10, Listing{}, true},
	} {
		got, ok := Walk(tc.data, tc.limit)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("%s: %+v %v; want %+v %v", tc.name, got, ok, tc.want, tc.wantOK)
		}
	}
}

// FuzzWalk: walking a zip's central directory never panics, and what it
// counts is what archive/zip reads, so that the bounds checked before a
// file is taken are the bounds of what a reader of the file sees.
func FuzzWalk(f *testing.F) {
	f.Add(zipOf(f, 100, "[Content_Types].xml", "word/document.xml"))
	f.Add(zipOf(f, 10, "[Content_Types].xml", "word/vbaProject.bin"))
	f.Add(zipOf(f, 0, "mimetype", "a", "b"))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, data []byte) {
		const limit = 5000
		l, ok := Walk(data, limit)
		if !ok || l.Entries > limit {
			return
		}
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		var inflated uint64
		for _, f := range zr.File {
			inflated += min(f.UncompressedSize64, 1<<40)
		}
		if len(zr.File) != l.Entries || inflated != l.Inflated {
			t.Errorf("walked %d entries of %d bytes; archive/zip reads %d of %d", l.Entries, l.Inflated, len(zr.File), inflated)
		}
	})
}
