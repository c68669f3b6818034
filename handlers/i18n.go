package handlers

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"portal/forms"
	"portal/templates"
)

// langCookie remembers the language a user chose with the switcher.
const langCookie = "portal_lang"

// languageNames are the languages' own names, shown in the switcher in
// their own language and script.
var languageNames = map[forms.Language]string{
	forms.Arabic:  "العربية",
	forms.Chinese: "中文",
	forms.English: "English",
	forms.French:  "Français",
	forms.Russian: "Русский",
	forms.Spanish: "Español",
}

// catalogue holds the interface text in the six languages.
type catalogue struct {
	bundle  *i18n.Bundle
	matcher language.Matcher
	tags    []forms.Language // in matcher order
}

func loadCatalogue() (*catalogue, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	cat := &catalogue{bundle: b}
	// English first: the matcher falls back to its first tag.
	order := []forms.Language{forms.English}
	for _, l := range forms.Languages {
		if l != forms.English {
			order = append(order, l)
		}
	}
	var tags []language.Tag
	for _, l := range order {
		path := "locales/" + string(l) + ".json"
		if _, err := b.LoadMessageFileFS(templates.FS, path); err != nil {
			return nil, fmt.Errorf("handlers: catalogue %s: %w", path, err)
		}
		cat.tags = append(cat.tags, l)
		tags = append(tags, language.Make(string(l)))
	}
	cat.matcher = language.NewMatcher(tags)
	return cat, nil
}

// pluralForms are the CLDR plural categories a counted message may have.
var pluralForms = []string{"zero", "one", "two", "few", "many", "other"}

// readMessages reads language l's catalogue: each message by ID, as its
// forms by CLDR plural category; a message that counts nothing has the
// single form "other".
func readMessages(l forms.Language) (map[string]map[string]string, error) {
	raw, err := fs.ReadFile(templates.FS, "locales/"+string(l)+".json")
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("locales/%s.json: %w", l, err)
	}
	msgs := make(map[string]map[string]string, len(m))
	for id, v := range m {
		var text string
		if err := json.Unmarshal(v, &text); err == nil {
			msgs[id] = map[string]string{"other": text}
			continue
		}
		var byForm map[string]string
		if err := json.Unmarshal(v, &byForm); err != nil {
			return nil, fmt.Errorf("locales/%s.json: %s: a text, or its plural forms: %w", l, id, err)
		}
		msgs[id] = byForm
	}
	return msgs, nil
}

// messageIDs lists the IDs in the English catalogue, for tests.
func messageIDs() ([]string, error) {
	m, err := readMessages(forms.English)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	return ids, nil
}

// Messages returns language l's interface text by message ID, for what
// has no page (the command line): a counted message in its "other" form.
func Messages(l forms.Language) (map[string]string, error) {
	m, err := readMessages(l)
	if err != nil {
		return nil, err
	}
	texts := make(map[string]string, len(m))
	for id, f := range m {
		texts[id] = f["other"]
	}
	return texts, nil
}

// languageOf picks the request's language: the switcher's cookie, else the
// browser's Accept-Language, else English.
func (cat *catalogue) languageOf(r *http.Request) forms.Language {
	if ck, err := r.Cookie(langCookie); err == nil {
		if l, ok := forms.ParseLanguage(ck.Value); ok {
			return l
		}
	}
	if h := r.Header.Get("Accept-Language"); h != "" {
		wanted, _, err := language.ParseAcceptLanguage(h)
		if err == nil && len(wanted) > 0 {
			_, i, conf := cat.matcher.Match(wanted...)
			if conf != language.No {
				return cat.tags[i]
			}
		}
	}
	return forms.English
}

// localizer returns a translator into l that falls back to English for a
// message l does not have.
func (cat *catalogue) localizer(l forms.Language) *i18n.Localizer {
	return i18n.NewLocalizer(cat.bundle, string(l), string(forms.English))
}

// switchLanguage remembers the chosen language and returns to the page the
// user was on (a local path only, so the link cannot send anyone elsewhere).
func (s *Server) switchLanguage(c *gin.Context) error {
	l, ok := forms.ParseLanguage(c.Param("code"))
	if !ok {
		return forms.Errorf(forms.KindNotFound, "no such language")
	}
	http.SetCookie(c.Writer, &http.Cookie{
		Name:     langCookie,
		Value:    string(l),
		Path:     "/",
		MaxAge:   365 * 24 * 3600,
		HttpOnly: true,
		Secure:   s.secure(),
		SameSite: http.SameSiteLaxMode,
	})
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusSeeOther, localPath(c.Query("next")))
	return nil
}

// localPath returns next when it is a path on this site, and "/" otherwise.
func localPath(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return u.RequestURI()
}
