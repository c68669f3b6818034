package words

import (
	"golang.org/x/text/language"

	"portal/forms"
)

// languageNames are the languages' own names, as the language switcher
// shows them: each in its own language and script.
var languageNames = map[forms.Language]string{
	forms.Arabic:  "العربية",
	forms.Chinese: "中文",
	forms.English: "English",
	forms.French:  "Français",
	forms.Russian: "Русский",
	forms.Spanish: "Español",
}

// LanguageName is l's name in l itself ("Français", "中文").
func LanguageName(l forms.Language) string { return languageNames[l] }

// matched are the languages in matcher's order: English first, since the
// matcher falls back to its first tag.
var matched, matcher = func() ([]forms.Language, language.Matcher) {
	ls := []forms.Language{forms.English}
	for _, l := range forms.Languages {
		if l != forms.English {
			ls = append(ls, l)
		}
	}
	tags := make([]language.Tag, len(ls))
	for i, l := range ls {
		tags[i] = language.Make(string(l))
	}
	return ls, language.NewMatcher(tags)
}()

// Negotiate picks a reader's language: chosen, when it is the code of one
// of the six languages (the switcher's choice), else the best match for
// acceptLanguage (an Accept-Language header), else English.
func Negotiate(chosen, acceptLanguage string) forms.Language {
	if l, ok := forms.ParseLanguage(chosen); ok {
		return l
	}
	if acceptLanguage != "" {
		wanted, _, err := language.ParseAcceptLanguage(acceptLanguage)
		if err == nil && len(wanted) > 0 {
			_, i, conf := matcher.Match(wanted...)
			if conf != language.No {
				return matched[i]
			}
		}
	}
	return forms.English
}
