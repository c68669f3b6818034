package handlers

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"

	"portal/forms"
)

// Session keys.
const (
	sessUserID   = "user_id"
	sessOrgID    = "org_id"   // the organization the user is acting for
	sessIDToken  = "id_token" // for the provider's end-session endpoint
	sessUnderWay = "auth_pending"
	sessFlash    = "flash" // a message ID to show on the next page
)

// ctxSession marks a request whose session is loaded.
const ctxSession = "session"

// Session lifetimes: a session ends after this long without a request, and
// in any case this long after sign-in.
const (
	sessionIdleTimeout = 2 * time.Hour
	sessionLifetime    = 12 * time.Hour
)

// The session cookie's names. On https it carries the __Host- prefix: the
// browser then takes it only when Secure, with Path=/ and no Domain, so
// that neither a neighbouring subdomain nor a plain-http page can plant or
// overwrite it. Browsers accept the prefix from https only, so plain-http
// development keeps the bare name.
const (
	sessionCookie     = "portal_session"
	hostSessionCookie = "__Host-" + sessionCookie
)

func newSessionManager(store scs.Store, secure bool) *scs.SessionManager {
	sm := scs.New()
	sm.Store = store
	sm.IdleTimeout = sessionIdleTimeout
	sm.Lifetime = sessionLifetime
	sm.Cookie.Name = sessionCookie
	if secure {
		sm.Cookie.Name = hostSessionCookie
	}
	sm.Cookie.Domain = "" // the portal's host alone (and required by __Host-)
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = secure
	sm.Cookie.Path = "/"
	sm.Cookie.Persist = false // a browser session cookie; the server enforces the timeouts
	return sm
}

// session loads the request's session from the store and commits it
// (writing the cookie) just before the first byte of the response, the way
// scs's LoadAndSave does, so that it also works for streamed downloads.
func (s *Server) session(c *gin.Context) {
	var token string
	if ck, err := c.Request.Cookie(s.sessions.Cookie.Name); err == nil {
		token = ck.Value
	}
	if s.sessions.Cookie.Name != sessionCookie {
		if _, err := c.Request.Cookie(sessionCookie); err == nil {
			// A session cookie without the prefix, from before it or planted:
			// never read, since anyone who could set a cookie for the domain
			// could have set it, but removed. Its holder signs in again.
			http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
		}
	}
	ctx, err := s.sessions.Load(c.Request.Context(), token)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.Request = c.Request.WithContext(ctx)
	c.Set(ctxSession, true)
	c.Writer.Header().Add("Vary", "Cookie")
	w := &sessionWriter{ResponseWriter: c.Writer}
	w.commit = func() {
		switch s.sessions.Status(ctx) {
		case scs.Modified:
			token, expiry, err := s.sessions.Commit(ctx)
			if err != nil {
				s.log.ErrorContext(ctx, "save session", "err", err, "request_id", requestIDOf(c))
				return
			}
			s.sessions.WriteSessionCookie(ctx, w.ResponseWriter, token, expiry)
		case scs.Destroyed:
			s.sessions.WriteSessionCookie(ctx, w.ResponseWriter, "", time.Time{})
		}
	}
	c.Writer = w
	c.Next()
	w.once.Do(w.commit) // a response with no body (a redirect after a POST)
}

// sessionWriter commits the session before anything is written.
type sessionWriter struct {
	gin.ResponseWriter
	once   sync.Once
	commit func()
}

func (w *sessionWriter) Write(b []byte) (int, error) {
	w.once.Do(w.commit)
	return w.ResponseWriter.Write(b)
}

func (w *sessionWriter) WriteString(s string) (int, error) {
	w.once.Do(w.commit)
	return w.ResponseWriter.WriteString(s)
}

func (w *sessionWriter) WriteHeaderNow() {
	w.once.Do(w.commit)
	w.ResponseWriter.WriteHeaderNow()
}

func (w *sessionWriter) Flush() {
	w.once.Do(w.commit)
	w.ResponseWriter.Flush()
}

// flash leaves a message (a catalogue ID) for the next page the user sees.
func (s *Server) flash(c *gin.Context, id string) {
	if c.GetBool(ctxSession) {
		s.sessions.Put(c.Request.Context(), sessFlash, id)
	}
}

// flashN leaves the counted message id, in the form count takes, for the
// next page.
func (s *Server) flashN(c *gin.Context, id string, count int) {
	s.flash(c, id+"#"+strconv.Itoa(count))
}

// popFlash returns and forgets the message left for this page, if any.
func (s *Server) popFlash(c *gin.Context) string {
	if !c.GetBool(ctxSession) {
		return ""
	}
	return s.sessions.PopString(c.Request.Context(), sessFlash)
}

// keep holds v, as JSON, in the session under key: what a user typed or
// chose that a later page shows again (a refused text, the conflicts of a
// save, a form posted after the session ended).
func (s *Server) keep(c *gin.Context, key string, v any) {
	if !c.GetBool(ctxSession) {
		return
	}
	if b, err := json.Marshal(v); err == nil {
		s.sessions.Put(c.Request.Context(), key, string(b))
	}
}

// kept decodes into v what keep held under key, forgetting it when pop,
// and reports whether there was any (a value that does not decode is
// none).
func (s *Server) kept(c *gin.Context, key string, v any, pop bool) bool {
	if !c.GetBool(ctxSession) {
		return false
	}
	raw := s.sessions.GetString(c.Request.Context(), key)
	if pop {
		raw = s.sessions.PopString(c.Request.Context(), key)
	}
	return raw != "" && json.Unmarshal([]byte(raw), v) == nil
}

// keptText is what a user typed into a free-text form (a comment, a return
// message) that the server refused, held in the session for the page they
// are sent back to, so that a refusal never loses what was typed.
type keptText struct {
	Field   string `json:"field,omitempty"` // the answer or cell a comment is about
	Body    string `json:"body"`
	Problem string `json:"problem"`          // catalogue ID of why it was refused
	Length  int    `json:"length,omitempty"` // the text's length, in characters
}

// textForm is what a free-text form shows: the text kept from a refused
// post, if any, and why it was refused, in the page's language.
type textForm struct {
	Field, Body, Error string
}

func keptKey(page, form string) string { return "kept:" + page + "#" + form }

// keepText holds k for the form named form on the page at path page.
func (s *Server) keepText(c *gin.Context, page, form string, k keptText) {
	s.keep(c, keptKey(page, form), k)
}

// popKept returns, once, what keepText held for that form on that page.
func (s *Server) popKept(c *gin.Context, b *basePage, page, form string) textForm {
	var k keptText
	if !s.kept(c, keptKey(page, form), &k, true) {
		return textForm{}
	}
	return textForm{Field: k.Field, Body: k.Body,
		Error: b.Tf(k.Problem, map[string]string{"Length": forms.FormatCount(int64(k.Length), b.Lang), "Max": forms.FormatCount(maxComment, b.Lang)})}
}

// maxUnsaved bounds the form keepUnsaved holds (as encoded in the
// request): the largest section's is some 60 KB.
const maxUnsaved = 1 << 20

func unsavedKey(path string) string { return "unsaved:" + path }

// keepsUnsaved is the middleware of a route whose form is kept over the
// end of a session (keepUnsaved), whole when it carries the field named:
// the long texts people type, a section of a questionnaire and a report's
// frame. It runs before requireUser, which refuses a visitor whatever
// this did not keep.
func (s *Server) keepsUnsaved(whole string) gin.HandlerFunc {
	return func(c *gin.Context) {
		switch {
		case s.currentUser(c) != nil:
		case tooLarge(c.Request):
			s.renderError(c, errTooLarge)
			return
		case isAutosave(c):
			// The page's script: it keeps what was typed and says so.
			s.renderError(c, &pageError{status: http.StatusUnauthorized, autosave: "signedout",
				title: "error.forbidden.title", body: "draft.autosave.signedout"})
			return
		case s.keepUnsaved(c, whole):
			c.Redirect(http.StatusSeeOther, "/signin?next="+url.QueryEscape(c.Request.URL.Path))
			c.Abort()
			return
		}
		c.Next()
	}
}

// keepUnsaved holds a form posted after the session had ended (it expired
// while the page was open, or its twelve hours ran out), so that the user
// signs in again and finds what they typed on the same page, to check and
// save: a session's end does not lose the work of an afternoon. It keeps
// the form's texts and figures (not its files), and reports whether it
// did. Autosaves are not kept: the page still holds what they carried.
func (s *Server) keepUnsaved(c *gin.Context, whole string) bool {
	if c.Request.Method != http.MethodPost || !c.GetBool(ctxSession) {
		return false
	}
	var vals url.Values
	if strings.HasPrefix(c.ContentType(), "multipart/form-data") {
		if err := c.Request.ParseMultipartForm(maxFormMemory); err != nil {
			return false
		}
		defer c.Request.MultipartForm.RemoveAll()
		vals = url.Values(c.Request.MultipartForm.Value)
	} else if err := c.Request.ParseForm(); err == nil {
		vals = c.Request.PostForm
	}
	if !vals.Has(whole) || len(vals.Encode()) > maxUnsaved {
		return false
	}
	// Anyone may post here, each post making a session of up to a megabyte:
	// a few per address, then one a minute, so that nobody fills the store.
	if ok, _ := s.unsaved.allow(c.ClientIP(), time.Now()); !ok {
		return false
	}
	s.keep(c, unsavedKey(c.Request.URL.Path), vals)
	return true
}

// popUnsaved returns, once, the form keepUnsaved held for this page, set
// as the request's posted form for the page's own reader; false when none.
func (s *Server) popUnsaved(c *gin.Context) bool {
	var vals url.Values
	if !s.kept(c, unsavedKey(c.Request.URL.Path), &vals, true) {
		return false
	}
	c.Request.PostForm = vals
	return true
}
