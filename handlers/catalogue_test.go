package handlers

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"portal/forms"
	"portal/templates"
	"portal/templates/words"
)

// The catalogue's own tests (every language has every message, plural
// forms as CLDR has them) are in templates/words; these check that the
// templates ask it for what it has.

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

// TestCountedMessagesUsedWithCount: the templates ask for a counted message
// with its count (Tn), and for other messages without one.
func TestCountedMessagesUsedWithCount(t *testing.T) {
	en := englishCatalogue(t)
	used := regexp.MustCompile(`\.(T|Tf|Tn) "([a-z0-9_.]+)"`)
	err := fs.WalkDir(templates.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		b, err := fs.ReadFile(templates.FS, p)
		if err != nil {
			return err
		}
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			counted := len(en[m[2]]) > 1
			switch {
			case counted && m[1] != "Tn":
				t.Errorf("%s asks for the counted message %q without its count: use .Tn", p, m[2])
			case !counted && m[1] == "Tn":
				t.Errorf("%s asks for %q with a count, but it has no plural forms", p, m[2])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestTemplateMessagesExist: every message a template or the error path
// asks for is in the English catalogue.
func TestTemplateMessagesExist(t *testing.T) {
	en := englishCatalogue(t)
	used := regexp.MustCompile(`\.T[fn]? "([a-z0-9_.]+)"`)
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
}

// englishCatalogue is the English catalogue's messages by ID.
func englishCatalogue(t *testing.T) map[string]words.Message {
	t.Helper()
	cat, err := words.Load()
	if err != nil {
		t.Fatal(err)
	}
	return cat.Messages(forms.English)
}
