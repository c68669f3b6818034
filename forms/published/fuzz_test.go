package published

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

// FuzzReadLongFormat: whatever the bytes, the reader does not panic, and
// every row it takes has a year from 1900 to 2100 and a value in canonical
// form that strconv.ParseFloat reads, whole when Whole says so.
func FuzzReadLongFormat(f *testing.F) {
	f.Add([]byte(quirksCSV))
	f.Add([]byte("Iso3_code,Indicator,Year,VALUE\nAUT,x,2020,\"1,234.5\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ReadLongFormat(bytes.NewReader(data), Limits{MaxRows: 1000, MaxCellChars: 50}, func(r Row) error {
			if r.Problem != nil {
				if r.Problem.Reason == "" {
					t.Errorf("line %d: a problem without a reason", r.Line)
				}
				return nil
			}
			if r.Year < 1900 || r.Year > 2100 {
				t.Errorf("line %d: year %d taken", r.Line, r.Year)
			}
			v, err := strconv.ParseFloat(r.Value, 64)
			if err != nil || v < 0 || strings.ContainsAny(r.Value, "eE+-") || r.Whole == strings.Contains(r.Value, ".") {
				t.Errorf("line %d: value %q (whole %v) taken: %v", r.Line, r.Value, r.Whole, err)
			}
			if len([]rune(r.Indicator)) > 50 || len([]rune(r.Country)) > 50 {
				t.Errorf("line %d: a cell over the limit taken", r.Line)
			}
			if state, _ := SplitArea(r.Area); len(state) != 3 {
				t.Errorf("line %d: area %q taken", r.Line, r.Area)
			}
			return nil
		})
	})
}

// FuzzReadWPP: whatever the bytes, no panic, and every row taken has an
// M49 code of three digits or more, a year from 1900 to 2100 and a
// population of 0 or more.
func FuzzReadWPP(f *testing.F) {
	f.Add([]byte(wppCSV))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = ReadWPP(bytes.NewReader(data), func(r WPPRow) error {
			if r.Problem != nil {
				return nil
			}
			if _, err := strconv.Atoi(r.M49); err != nil || len(r.M49) < 3 || r.Year < 1900 || r.Year > 2100 || r.Population < 0 {
				t.Errorf("line %d: row taken: %+v", r.Line, r)
			}
			return nil
		})
	})
}
