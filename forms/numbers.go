package forms

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Counts (the figures of statistical tables) are written and read in the
// user's language: digit grouping as the language writes it, and whole
// numbers only. Reading never guesses: "1.234" is refused in English, where
// the dot is a decimal point, and read as 1234 in Spanish, where it groups.

// groupSeparator is how a language groups the digits of a large count
// (CLDR); every kind of space is also taken as a group separator on input.
func groupSeparator(l Language) string {
	switch l {
	case French:
		return "\u202f" // narrow no-break space
	case Russian:
		return "\u00a0" // no-break space
	case Spanish:
		return "."
	}
	return "," // English, Arabic (with Western digits, as UN documents write them), Chinese
}

// decimalSeparator is the language's decimal mark, refused in counts.
func decimalSeparator(l Language) string {
	switch l {
	case French, Russian, Spanish:
		return ","
	}
	return "."
}

// FormatCount writes n with the digit grouping of l: 1,234,567 in English,
// 1 234 567 in French.
func FormatCount(n int64, l Language) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	if len(s) <= 4 && l == Spanish { // Spanish does not group four digits
		if neg {
			return "-" + s
		}
		return s
	}
	sep := groupSeparator(l)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, d := range []byte(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteByte(d)
	}
	return b.String()
}

// FormatDecimal writes x rounded to digits decimals, its whole part
// grouped as FormatCount groups it and its decimal mark the language's:
// 87.01 in English, 87,01 in French, 1.234,5 in Spanish.
func FormatDecimal(x float64, digits int, l Language) string {
	s := strconv.FormatFloat(x, 'f', digits, 64)
	whole, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil { // beyond int64: left as strconv writes it
		return s
	}
	out := FormatCount(n, l)
	if n == 0 && strings.HasPrefix(whole, "-") {
		out = "-" + out
	}
	if frac != "" {
		out += decimalSeparator(l) + frac
	}
	return out
}

// The reasons ParseCount refuses a text.
const (
	CountNotNumber = "not_number" // not a number at all ("twelve", "12a")
	CountNotWhole  = "not_whole"  // a decimal ("12.5", or "1.000" where the dot is a decimal point)
	CountNegative  = "negative"   // below zero
	CountTooLarge  = "too_large"  // more than the portal can hold
	CountGrouping  = "grouping"   // digit groups that are not of three ("1,23")
)

// ParseCount reads a count of 0 or more written in language l: digits
// (Western, Arabic-Indic, Persian or full-width), grouped with l's
// separator or any space, every group after the first of three digits. It
// returns the value, or a reason (one of the Count* constants) it is not a
// count. Leading and trailing spaces are ignored; s must not be blank.
func ParseCount(s string, l Language) (int64, string) {
	s = strings.TrimFunc(s, unicode.IsSpace)
	if s == "" {
		return 0, CountNotNumber
	}
	neg := false
	if r, size := utf8.DecodeRuneInString(s); r == '-' || r == '\u2212' {
		neg, s = true, s[size:]
	}
	group, dec := groupSeparator(l), decimalSeparator(l)
	var digits []byte
	groups := []int{0} // the length of each group of digits
	fraction := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case digitOf(r) >= 0:
			d := byte('0' + digitOf(r))
			if fraction {
				if d != '0' {
					return 0, CountNotWhole
				}
				i += size
				continue
			}
			digits = append(digits, d)
			groups[len(groups)-1]++
		case strings.HasPrefix(s[i:], dec) && !fraction:
			fraction = true
			size = len(dec)
		case strings.HasPrefix(s[i:], group) || unicode.IsSpace(r):
			if fraction {
				return 0, CountNotNumber
			}
			if strings.HasPrefix(s[i:], group) {
				size = len(group)
			}
			groups = append(groups, 0)
		default:
			return 0, CountNotNumber
		}
		i += size
	}
	if len(digits) == 0 {
		return 0, CountNotNumber
	}
	if fraction {
		// "12.0" would be read as twelve, but where the same mark groups
		// digits elsewhere ("1.000") it may well mean a thousand: refuse.
		return 0, CountNotWhole
	}
	if len(groups) > 1 {
		if groups[0] < 1 || groups[0] > 3 {
			return 0, CountGrouping
		}
		for _, g := range groups[1:] {
			if g != 3 {
				return 0, CountGrouping
			}
		}
	}
	n, err := strconv.ParseInt(string(digits), 10, 64)
	if err != nil {
		return 0, CountTooLarge
	}
	if neg && n != 0 {
		return 0, CountNegative
	}
	return n, ""
}

// digitOf returns the value of a decimal digit in any of the scripts users
// of the six languages type, or -1.
func digitOf(r rune) int {
	switch {
	case '0' <= r && r <= '9':
		return int(r - '0')
	case '\u0660' <= r && r <= '\u0669': // Arabic-Indic
		return int(r - '\u0660')
	case '\u06f0' <= r && r <= '\u06f9': // Extended Arabic-Indic (Persian)
		return int(r - '\u06f0')
	case '\uff10' <= r && r <= '\uff19': // full-width
		return int(r - '\uff10')
	}
	return -1
}
