package words

import (
	"testing"

	"portal/forms"
)

func TestNegotiate(t *testing.T) {
	for _, tc := range []struct {
		chosen, accept string
		want           forms.Language
	}{
		{"", "", forms.English},
		{"fr", "ru", forms.French},
		{"de", "ru", forms.Russian},
		{"", "de-AT, de;q=0.9, es;q=0.5", forms.Spanish},
		{"", "zh-Hans-CN", forms.Chinese},
		{"", "ar-EG,ar;q=0.9", forms.Arabic},
		{"", "de, ja", forms.English},
		{"", "not a header;;", forms.English},
	} {
		if got := Negotiate(tc.chosen, tc.accept); got != tc.want {
			t.Errorf("Negotiate(%q, %q) = %s, want %s", tc.chosen, tc.accept, got, tc.want)
		}
	}
}

func TestLanguageNames(t *testing.T) {
	for _, l := range forms.Languages {
		if LanguageName(l) == "" {
			t.Errorf("%s has no name", l)
		}
	}
}
