package words

import (
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"portal/forms"
)

// Text is the interface text in one language: its messages (T, Tf, Tn)
// and numbers, dates and sizes written for its reader. Pages embed it, so
// that templates ask {{.T "id"}}; the zero Text has no catalogue and must
// not be used.
type Text struct {
	Lang forms.Language
	// Zone is the page's time zone: every time the page shows is in it,
	// named (nil is UTC). A page about one call shows the call's zone;
	// the others, the zone the viewer chose.
	Zone *time.Location
	loc  *i18n.Localizer
}

// T returns the message with the given ID. A missing ID shows as the ID
// itself, which the catalogue's tests keep from reaching users.
func (t Text) T(id string) string {
	return t.Tf(id, nil)
}

// Tf is T with template data for the message's placeholders. A counted
// message (one with plural forms) takes its form from data["Count"], by the
// language's CLDR plural rules; see Tn when the count has another name.
func (t Text) Tf(id string, data any) string {
	var count any
	if m, ok := data.(map[string]any); ok {
		count = m["Count"]
	}
	return t.localize(id, count, data)
}

// Tn is the counted message id in the form the language uses for count
// (one hour, two hours, …). Its placeholders come from data; when data is
// nil, the message has {{.Count}} only.
func (t Text) Tn(id string, count int, data any) string {
	if data == nil {
		data = map[string]any{"Count": count}
	}
	return t.localize(id, count, data)
}

func (t Text) localize(id string, count, data any) string {
	s, err := t.loc.Localize(&i18n.LocalizeConfig{MessageID: id, PluralCount: count, TemplateData: data})
	if err != nil && s == "" {
		return id
	}
	return s
}
