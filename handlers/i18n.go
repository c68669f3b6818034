package handlers

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/forms"
	"portal/templates/words"
)

// langCookie remembers the language a user chose with the switcher.
const langCookie = "portal_lang"

// languageOf picks the request's language: the switcher's cookie, else the
// browser's Accept-Language, else English.
func languageOf(r *http.Request) forms.Language {
	var chosen string
	if ck, err := r.Cookie(langCookie); err == nil {
		chosen = ck.Value
	}
	return words.Negotiate(chosen, r.Header.Get("Accept-Language"))
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
