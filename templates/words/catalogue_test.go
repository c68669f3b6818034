package words

import (
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"text/template"

	"github.com/google/go-cmp/cmp"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"

	"portal/forms"
)

var placeholder = regexp.MustCompile(`\{\{[^}]*\}\}`)

// TestCataloguesComplete: every language has every message English has,
// with the same placeholders, and nothing else. A counted message has, in
// each language, exactly the plural forms that language's CLDR rules use;
// its "zero", "one" and "two" forms may leave a placeholder out (Arabic
// writes "ساعتان", two hours, without the figure), the others have them all.
func TestCataloguesComplete(t *testing.T) {
	en := readCatalogue(t, forms.English)
	want := map[forms.Language][]string{}
	for _, l := range forms.Languages {
		want[l] = cldrForms(t, l)
	}
	for _, l := range forms.Languages {
		other := readCatalogue(t, l)
		if diff := cmp.Diff(keys(en), keys(other)); diff != "" {
			t.Errorf("%s.json keys differ from en.json (-en +%s):\n%s", l, l, diff)
		}
		for id, msg := range en {
			wantPh := placeholders(msg["other"])
			counted := len(msg) > 1
			if counted {
				if diff := cmp.Diff(want[l], formsOf(other[id])); diff != "" {
					t.Errorf("%s %s: plural forms differ from what CLDR's rules use (-want +got):\n%s", l, id, diff)
				}
			} else if len(other[id]) > 1 {
				t.Errorf("%s %s has plural forms, English has none", l, id)
			}
			for form, text := range other[id] {
				got := placeholders(text)
				spelledOut := counted && (form == "zero" || form == "one" || form == "two")
				if !slices.Equal(wantPh, got) && !(spelledOut && isSubset(got, wantPh)) {
					t.Errorf("%s %s (%s): placeholders %v, English has %v", l, id, form, got, wantPh)
				}
			}
		}
	}
}

// TestCountedMessagesArePlural: a message that shows a count has plural
// forms, so that no language reads "1 hours".
func TestCountedMessagesArePlural(t *testing.T) {
	count := regexp.MustCompile(`\{\{(\.Count|len )`)
	for id, msg := range readCatalogue(t, forms.English) {
		if len(msg) == 1 && count.MatchString(msg["other"]) {
			t.Errorf("%s counts (%q) but has no plural forms", id, msg["other"])
		}
	}
}

// pluralCounts are the counts every counted message is tried with: between
// them they reach each CLDR category of the six languages.
var pluralCounts = []int{0, 1, 2, 5, 11, 101}

// TestPluralForms renders every counted message with each of pluralCounts
// in each language, and checks that the form shown is the one CLDR's rules
// (as golang.org/x/text implements them, independently of go-i18n) pick.
func TestPluralForms(t *testing.T) {
	c := catalogue(t)
	en := readCatalogue(t, forms.English)
	for _, l := range forms.Languages {
		cat := readCatalogue(t, l)
		b := c.Text(l)
		for id, msg := range en {
			if len(msg) == 1 {
				continue
			}
			for _, n := range pluralCounts {
				form := cldrForm(l, n)
				data := map[string]any{}
				for _, ph := range placeholders(msg["other"]) {
					if name, ok := strings.CutPrefix(strings.Trim(ph, "{}"), "."); ok {
						data[name] = n
					}
				}
				data["Count"] = n
				want := execute(t, cat[id][form], data)
				if got := b.Tn(id, n, data); got != want {
					t.Errorf("%s %s with %d: %q; want the %s form %q", l, id, n, got, form, want)
				}
			}
		}
	}
}

// TestPluralFormsRead checks a few counted messages word for word.
func TestPluralFormsRead(t *testing.T) {
	c := catalogue(t)
	for _, tc := range []struct {
		lang forms.Language
		id   string
		want map[int]string // by count
	}{
		{forms.English, "deadline.hours", map[int]string{0: "0 hours left", 1: "1 hour left", 2: "2 hours left", 101: "101 hours left"}},
		{forms.English, "conflict.files", map[int]string{1: "1 file", 5: "5 files"}},
		{forms.English, "statistics.checks.breaks", map[int]string{1: "1 break in series", 11: "11 breaks in series"}},
		{forms.French, "deadline.hours", map[int]string{0: "0 heure restante", 1: "1 heure restante", 2: "2 heures restantes", 1000000: "1000000 d’heures restantes"}},
		{forms.Spanish, "deadline.hours", map[int]string{1: "queda 1 hora", 2: "quedan 2 horas", 0: "quedan 0 horas", 1000000: "quedan 1000000 de horas"}},
		{forms.Russian, "deadline.hours", map[int]string{1: "остался 1 час", 2: "осталось 2 часа", 5: "осталось 5 часов", 11: "осталось 11 часов", 21: "остался 21 час", 101: "остался 101 час"}},
		{forms.Russian, "conflict.files", map[int]string{1: "1 файл", 2: "2 файла", 5: "5 файлов", 11: "11 файлов", 22: "22 файла"}},
		{forms.Arabic, "deadline.hours", map[int]string{0: "لم تبقَ أي ساعة", 1: "بقيت ساعة واحدة", 2: "بقيت ساعتان", 5: "بقيت 5 ساعات", 11: "بقيت 11 ساعة", 101: "بقيت 101 ساعة"}},
		{forms.Chinese, "deadline.hours", map[int]string{1: "剩余1小时", 5: "剩余5小时"}},
	} {
		b := c.Text(tc.lang)
		for n, want := range tc.want {
			if got := b.Tn(tc.id, n, nil); got != want {
				t.Errorf("%s %s with %d: %q; want %q", tc.lang, tc.id, n, got, want)
			}
		}
	}
}

// cldrForm is the CLDR plural category of the whole number n in l.
func cldrForm(l forms.Language, n int) string {
	return formName[plural.Cardinal.MatchPlural(language.Make(string(l)), n, 0, 0, 0, 0)]
}

// cldrForms are the CLDR plural categories l uses, for whole numbers and
// decimals (Russian uses "other" for decimals only): those golang.org/x/text
// picks, and those go-i18n, whose CLDR is newer, picks (French and Spanish
// "many", for millions).
func cldrForms(t *testing.T, l forms.Language) []string {
	tag := language.Make(string(l))
	probe := i18n.NewBundle(tag)
	msg := &i18n.Message{ID: "probe", Zero: "zero", One: "one", Two: "two", Few: "few", Many: "many", Other: "other"}
	if err := probe.AddMessages(tag, msg); err != nil {
		t.Fatal(err)
	}
	loc := i18n.NewLocalizer(probe, string(l))
	seen := map[string]bool{}
	pick := func(count any) {
		f, err := loc.Localize(&i18n.LocalizeConfig{MessageID: "probe", PluralCount: count})
		if err != nil {
			t.Fatal(err)
		}
		seen[f] = true
	}
	for n := range 1200 {
		seen[formName[plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0)]] = true
		seen[formName[plural.Cardinal.MatchPlural(tag, n, 1, 1, 5, 5)]] = true // n.5
		pick(n)
		pick(strconv.Itoa(n) + ".5")
	}
	pick(1000000)
	var fs []string
	for _, f := range PluralForms {
		if seen[f] {
			fs = append(fs, f)
		}
	}
	return fs
}

var formName = map[plural.Form]string{plural.Zero: "zero", plural.One: "one", plural.Two: "two", plural.Few: "few", plural.Many: "many", plural.Other: "other"}

func formsOf(msg Message) []string {
	var fs []string
	for _, f := range PluralForms {
		if _, ok := msg[f]; ok {
			fs = append(fs, f)
		}
	}
	if len(fs) != len(msg) {
		fs = append(fs, "(an unknown form)")
	}
	return fs
}

func placeholders(text string) []string {
	ps := placeholder.FindAllString(text, -1)
	sort.Strings(ps)
	return slices.Compact(ps)
}

func isSubset(small, big []string) bool {
	for _, s := range small {
		if !slices.Contains(big, s) {
			return false
		}
	}
	return true
}

func execute(t *testing.T, text string, data any) string {
	t.Helper()
	tmpl, err := template.New("").Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	if err := tmpl.Execute(&sb, data); err != nil {
		t.Fatal(err)
	}
	return sb.String()
}

// readCatalogue reads language l's messages by ID, each as its forms by
// plural category ("other" alone for a message that counts nothing).
func readCatalogue(t *testing.T, l forms.Language) map[string]Message {
	t.Helper()
	return catalogue(t).Messages(l)
}

func catalogue(t *testing.T) *Catalogue {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func keys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
