package forms

import "testing"

func TestFormatCount(t *testing.T) {
	tests := []struct {
		n    int64
		l    Language
		want string
	}{
		{0, English, "0"},
		{1234567, English, "1,234,567"},
		{1234567, French, "1\u202f234\u202f567"},
		{1234567, Russian, "1\u00a0234\u00a0567"},
		{1234, Spanish, "1234"},
		{12345, Spanish, "12.345"},
		{123, Chinese, "123"},
		{1000, Arabic, "1,000"},
	}
	for _, tt := range tests {
		if got := FormatCount(tt.n, tt.l); got != tt.want {
			t.Errorf("FormatCount(%d, %s) = %q, want %q", tt.n, tt.l, got, tt.want)
		}
		if n, why := ParseCount(FormatCount(tt.n, tt.l), tt.l); why != "" || n != tt.n {
			t.Errorf("ParseCount(FormatCount(%d, %s)) = %d, %q", tt.n, tt.l, n, why)
		}
	}
}

func TestParseCount(t *testing.T) {
	tests := []struct {
		s    string
		l    Language
		want int64
		why  string
	}{
		{"12", English, 12, ""},
		{"  12 ", English, 12, ""},
		{"0", English, 0, ""},
		{"1,234", English, 1234, ""},
		{"1 234", English, 1234, ""},
		{"1 234", French, 1234, ""},
		{"1\u202f234", French, 1234, ""},
		{"1.234", Spanish, 1234, ""},
		{"١٢٣", Arabic, 123, ""},
		{"１２", Chinese, 12, ""},
		{"twelve", English, 0, CountNotNumber},
		{"12a", English, 0, CountNotNumber},
		{"", English, 0, CountNotNumber},
		{"-", English, 0, CountNotNumber},
		{"12.5", English, 0, CountNotWhole},
		{"12.0", English, 0, CountNotWhole},
		{"1.000", English, 0, CountNotWhole},
		{"12,5", French, 0, CountNotWhole},
		{"1,5", English, 0, CountGrouping},
		{"12,34,567", English, 0, CountGrouping},
		{",123", English, 0, CountGrouping},
		{"-3", English, 0, CountNegative},
		{"−3", English, 0, CountNegative},
		{"99999999999999999999", English, 0, CountTooLarge},
		{"=1+1", English, 0, CountNotNumber},
	}
	for _, tt := range tests {
		n, why := ParseCount(tt.s, tt.l)
		if n != tt.want || why != tt.why {
			t.Errorf("ParseCount(%q, %s) = %d, %q; want %d, %q", tt.s, tt.l, n, why, tt.want, tt.why)
		}
	}
}

func FuzzParseCount(f *testing.F) {
	for _, s := range []string{"12", "1,234", "1 234", "1.5", "-3", "١٢", "12,34"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, l := range Languages {
			n, why := ParseCount(s, l)
			if why != "" {
				continue
			}
			if n < 0 {
				t.Fatalf("ParseCount(%q, %s) = %d", s, l, n)
			}
			if m, why := ParseCount(FormatCount(n, l), l); why != "" || m != n {
				t.Fatalf("%q in %s: %d does not round-trip: %d %q", s, l, n, m, why)
			}
		}
	})
}
