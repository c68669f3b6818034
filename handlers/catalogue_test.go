package handlers

import (
	"encoding/json"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"portal/forms"
	"portal/templates"
)

// TestTemplatesParse parses every page with the layout, as New does.
func TestTemplatesParse(t *testing.T) {
	p, err := loadPages()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := fs.Glob(templates.FS, "pages/*.html")
	if len(p.sets) != len(files) || len(files) == 0 {
		t.Fatalf("%d template sets for %d page files", len(p.sets), len(files))
	}
}

var placeholder = regexp.MustCompile(`\{\{[^}]*\}\}`)

// TestCataloguesComplete: every language has every message English has,
// with the same placeholders, and nothing else.
func TestCataloguesComplete(t *testing.T) {
	en := readCatalogue(t, forms.English)
	for _, l := range forms.Languages {
		if l == forms.English {
			continue
		}
		other := readCatalogue(t, l)
		if diff := cmp.Diff(keys(en), keys(other)); diff != "" {
			t.Errorf("%s.json keys differ from en.json (-en +%s):\n%s", l, l, diff)
		}
		for id, text := range en {
			want := placeholder.FindAllString(text, -1)
			got := placeholder.FindAllString(other[id], -1)
			sort.Strings(want)
			sort.Strings(got)
			if !slices.Equal(want, got) {
				t.Errorf("%s %s: placeholders %v, English has %v", l, id, got, want)
			}
		}
	}
}

// TestTemplateMessagesExist: every message a template or the error path
// asks for is in the English catalogue.
func TestTemplateMessagesExist(t *testing.T) {
	en := readCatalogue(t, forms.English)
	used := regexp.MustCompile(`\.Tf? "([a-z0-9_.]+)"`)
	err := fs.WalkDir(templates.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !regexp.MustCompile(`\.html$`).MatchString(p) {
			return err
		}
		b, err := fs.ReadFile(templates.FS, p)
		if err != nil {
			return err
		}
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			if _, ok := en[m[1]]; !ok {
				t.Errorf("%s uses message %q, which en.json lacks", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range errorMessages {
		for _, id := range []string{key + ".title", key + ".body"} {
			if _, ok := en[id]; !ok {
				t.Errorf("error page message %q missing from en.json", id)
			}
		}
	}
	ids, err := messageIDs()
	if err != nil || len(ids) != len(en) {
		t.Errorf("messageIDs = %d ids, %v; want %d", len(ids), err, len(en))
	}
}

func readCatalogue(t *testing.T, l forms.Language) map[string]string {
	t.Helper()
	b, err := fs.ReadFile(templates.FS, "locales/"+string(l)+".json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s.json: %v", l, err)
	}
	return m
}

func keys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
