// Package words is the portal's interface text in the six languages: the
// catalogue (templates/locales/*.json, read once), the choice of a
// reader's language, plural-aware lookup, and numbers, dates and sizes
// written for the reader. It knows nothing of HTTP, so pages, workbooks,
// the command line and e-mail share it.
package words

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"portal/forms"
	"portal/templates"
)

// Catalogue holds the interface text in the six languages. It does not
// change once loaded and is safe for concurrent use.
type Catalogue struct {
	bundle   *i18n.Bundle
	messages map[forms.Language]map[string]Message
}

// Message is a message's text by CLDR plural category ("one", "few",
// "other", ...); a message that counts nothing has "other" alone.
type Message map[string]string

// PluralForms are the CLDR plural categories a counted message may have,
// in CLDR's order.
var PluralForms = []string{"zero", "one", "two", "few", "many", "other"}

// Load returns the catalogue, reading the locale files the first time it
// is called. An error means a locale file is not valid, which the
// catalogue's tests prevent.
func Load() (*Catalogue, error) { return load() }

var load = sync.OnceValues(func() (*Catalogue, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	cat := &Catalogue{bundle: b, messages: map[forms.Language]map[string]Message{}}
	for _, l := range forms.Languages {
		path := "locales/" + string(l) + ".json"
		raw, err := fs.ReadFile(templates.FS, path)
		if err != nil {
			return nil, fmt.Errorf("words: %w", err)
		}
		if _, err := b.ParseMessageFileBytes(raw, path); err != nil {
			return nil, fmt.Errorf("words: %s: %w", path, err)
		}
		if cat.messages[l], err = parseMessages(raw); err != nil {
			return nil, fmt.Errorf("words: %s: %w", path, err)
		}
	}
	return cat, nil
})

// parseMessages reads a locale file's messages: each a text, or its texts
// by plural category. go-i18n reads the same bytes for the bundle; this
// keeps the forms as written, unknown categories included, for the
// listing and the catalogue's tests.
func parseMessages(raw []byte) (map[string]Message, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	msgs := make(map[string]Message, len(m))
	for id, v := range m {
		var text string
		if err := json.Unmarshal(v, &text); err == nil {
			msgs[id] = Message{"other": text}
			continue
		}
		var byForm Message
		if err := json.Unmarshal(v, &byForm); err != nil {
			return nil, fmt.Errorf("%s: a text, or its plural forms: %w", id, err)
		}
		msgs[id] = byForm
	}
	return msgs, nil
}

// Messages lists language l's messages by ID, as written in its locale
// file, for what shows text without a page (the command line) and for
// tests. The result is a copy.
func (c *Catalogue) Messages(l forms.Language) map[string]Message {
	out := make(map[string]Message, len(c.messages[l]))
	for id, m := range c.messages[l] {
		cp := make(Message, len(m))
		for form, text := range m {
			cp[form] = text
		}
		out[id] = cp
	}
	return out
}

// Text returns the interface text in language l; a message l lacks falls
// back to English.
func (c *Catalogue) Text(l forms.Language) Text {
	return Text{Lang: l, loc: i18n.NewLocalizer(c.bundle, string(l), string(forms.English))}
}
