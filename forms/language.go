package forms

// Language is one of the six official languages of the United Nations,
// by its ISO 639-1 code.
type Language string

// The six official languages, in the order the UN lists them.
const (
	Arabic  Language = "ar"
	Chinese Language = "zh"
	English Language = "en"
	French  Language = "fr"
	Russian Language = "ru"
	Spanish Language = "es"
)

// Languages lists the official languages in the order the UN lists them
// (alphabetical in English).
var Languages = []Language{Arabic, Chinese, English, French, Russian, Spanish}

// ParseLanguage returns the official language with the given code, and
// false when code is not one of the six.
func ParseLanguage(code string) (Language, bool) {
	for _, l := range Languages {
		if string(l) == code {
			return l, true
		}
	}
	return "", false
}

// RightToLeft reports whether text in l is written from right to left.
func (l Language) RightToLeft() bool { return l == Arabic }

// Names holds a name in each official language. English is always present;
// In falls back to it for a language that has no name.
type Names struct {
	En, Fr, Es, Ru, Ar, Zh string
}

// In returns the name in language l, or the English name when there is none in l.
func (n Names) In(l Language) string {
	if s, ok := n.Lookup(l); ok {
		return s
	}
	return n.En
}

// Lookup returns the name in language l with no fallback, and whether there is one.
func (n Names) Lookup(l Language) (string, bool) {
	var s string
	switch l {
	case English:
		s = n.En
	case French:
		s = n.Fr
	case Spanish:
		s = n.Es
	case Russian:
		s = n.Ru
	case Arabic:
		s = n.Ar
	case Chinese:
		s = n.Zh
	}
	return s, s != ""
}
