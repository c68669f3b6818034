package published

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxDigits is the most significant digits a value may have: what a
// spreadsheet holds exactly, and beyond any count or rate published.
const maxDigits = 15

// parseNumber reads a number written by a person or a program: an
// optional sign, digits with an optional decimal mark and grouping (see
// the package doc for how the mark is decided), or a plain number with an
// exponent ("1.5E3"). It returns the number in canonical form (no
// exponent, '.' as the mark, no leading or trailing zeros, never "-0"),
// whether it is whole, and "" or the reason it is refused: value_missing,
// value, value_negative or value_precision (with the canonical form).
func parseNumber(s string, decimalComma bool) (canon string, whole bool, reason string) {
	s = strings.TrimFunc(s, unicode.IsSpace)
	if s == "" {
		return "", false, "value_missing"
	}
	neg := false
	switch {
	case s[0] == '-' || s[0] == '+':
		neg = s[0] == '-'
		s = s[1:]
	case strings.HasPrefix(s, "\u2212"): // the minus sign
		neg, s = true, s[len("\u2212"):]
	}
	exp := 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil || len(s[i+1:]) > 5 || strings.HasPrefix(s[i+1:], "+-") {
			return "", false, "value"
		}
		exp, s = e, s[:i]
		if strings.IndexFunc(s, func(r rune) bool { return r != '.' && (r < '0' || r > '9') }) >= 0 {
			return "", false, "value" // an exponent only after a plain number
		}
	}
	intPart, frac, ok := splitMark(s, decimalComma)
	if !ok {
		return "", false, "value"
	}
	if exp > 100 || exp < -100 {
		return "", false, "value"
	}
	canon, whole, digits := canonical(intPart, frac, exp)
	if neg && canon != "0" {
		canon = "-" + canon
	}
	switch {
	case digits > maxDigits:
		return canon, whole, "value_precision"
	case neg && canon != "0":
		return canon, whole, "value_negative"
	}
	return canon, whole, ""
}

// splitMark finds the decimal mark of s and returns the digits before it
// (grouping removed, checked to be in threes) and after it.
func splitMark(s string, decimalComma bool) (intPart, frac string, ok bool) {
	dots, commas := strings.Count(s, "."), strings.Count(s, ",")
	mark := -1
	switch {
	case dots > 0 && commas > 0:
		// Both: the last one is the mark, and it comes once.
		mark = max(strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ','))
		if strings.Count(s, s[mark:mark+1]) != 1 {
			return "", "", false
		}
	case dots+commas == 1:
		mark = strings.IndexAny(s, ".,")
		fileMark := byte('.')
		if decimalComma {
			fileMark = ','
		}
		if s[mark] != fileMark && groupedThousands(s[:mark], s[mark+1:]) {
			mark = -1 // "1,234" in a file of decimal points: grouping
		}
	}
	intPart, frac = s, ""
	if mark >= 0 {
		intPart, frac = s[:mark], s[mark+1:]
	}
	for _, r := range frac {
		if r < '0' || r > '9' {
			return "", "", false
		}
	}
	intPart, ok = ungroup(intPart)
	if !ok || intPart == "" && frac == "" {
		return "", "", false
	}
	return intPart, frac, true
}

// groupedThousands says whether before+sep+after reads as a grouping of
// thousands: three digits after, and before grouped in threes itself.
func groupedThousands(before, after string) bool {
	if len(after) != 3 || strings.Trim(after, "0123456789") != "" {
		return false
	}
	d, ok := ungroup(before)
	return ok && d != "" && len(strings.TrimLeft(d, "0123456789")) == 0 && before[0] != '0'
}

// ungroup removes the grouping of an integer part ("1 234 567",
// "1.234.567", "1'234"): one kind of separator between groups of three
// digits after a first group of one to three.
func ungroup(s string) (string, bool) {
	var sep rune = -1
	var b strings.Builder
	group, groups := 0, 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteByte(byte(r))
			group++
			continue
		case unicode.IsSpace(r):
			r = ' '
		case r == '.' || r == ',' || r == '\'' || r == '\u2019':
		default:
			return "", false
		}
		if sep >= 0 && r != sep || group == 0 || group > 3 || groups > 0 && group != 3 {
			return "", false
		}
		sep, group = r, 0
		groups++
	}
	if groups > 0 && group != 3 {
		return "", false
	}
	return b.String(), true
}

// canonical writes the decimal number intPart.frac × 10^exp without
// exponent, leading zeros or trailing zeros after the mark, and counts its
// significant digits (the zeros that end a whole number count).
func canonical(intPart, frac string, exp int) (string, bool, int) {
	digits := intPart + frac
	point := len(intPart) + exp
	switch {
	case point < 0:
		digits = strings.Repeat("0", -point) + digits
		point = 0
	case point > len(digits):
		digits += strings.Repeat("0", point-len(digits))
	}
	i, f := strings.TrimLeft(digits[:point], "0"), strings.TrimRight(digits[point:], "0")
	sig := len(i) + len(f)
	if i == "" {
		sig = len(strings.TrimLeft(f, "0"))
		i = "0"
	}
	if f == "" {
		return i, true, sig
	}
	return i + "." + f, false, sig
}

// numericCell reads the raw number of a spreadsheet's numeric cell,
// rounded to the 15 significant digits a spreadsheet holds (the 16th and
// 17th are the noise of binary fractions: 0.30000000000000004).
func numericCell(raw string) (string, bool, string) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", false, "value_missing"
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return "", false, "value"
	}
	s := strconv.FormatFloat(f, 'e', -1, 64)
	if m, _, _ := strings.Cut(s, "e"); len(strings.Trim(m, "-.")) > maxDigits {
		s = strconv.FormatFloat(f, 'e', maxDigits-1, 64)
	}
	return parseNumber(s, false)
}

// thousands multiplies a canonical non-negative decimal by a thousand and
// rounds it to the nearest whole (halves away from zero).
func thousands(canon string) (int64, bool) {
	i, f, _ := strings.Cut(canon, ".")
	f += "0000"
	n, err := strconv.ParseInt(i+f[:3], 10, 64)
	if err != nil {
		return 0, false
	}
	if f[3] >= '5' {
		n++
	}
	return n, n >= 0
}

// validText returns s trimmed, with invalid UTF-8 replaced, and whether it
// was valid.
func validText(b []byte) (string, bool) {
	s := strings.TrimFunc(string(b), unicode.IsSpace)
	if utf8.ValidString(s) {
		return s, true
	}
	return strings.ToValidUTF8(s, "\uFFFD"), false
}
