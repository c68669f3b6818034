package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"portal/forms"
)

// handlerFunc is a handler that returns its error instead of writing it:
// every error reaches the user through renderError, in one place.
type handlerFunc func(c *gin.Context) error

// handle adapts a handlerFunc to gin. It runs last on every route, once
// the route's middleware has set what the request may send.
func (s *Server) handle(h handlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Writer = &responseWriter{ResponseWriter: c.Writer}
		if tooLarge(c.Request) {
			s.renderError(c, errTooLarge)
			return
		}
		if err := h(c); err != nil {
			s.renderError(c, err)
		}
	}
}

// pageError is a failure with words of its own rather than its kind's: too
// much sent, too many requests, an autosave refused. It goes through
// renderError like every other failure.
type pageError struct {
	status      int
	title, body string         // catalogue entries of the page's heading and text
	count       int            // the count a counted body takes its plural form from
	data        map[string]any // the body's placeholders
	retryAfter  int            // seconds, when the client should try again
	// autosave is the status word of the autosave's JSON reply ("locked",
	// "signedout"); "invalid" when empty.
	autosave string
	err      error // the cause, for the log
}

func (e *pageError) Error() string {
	if e.err != nil {
		return e.body + ": " + e.err.Error()
	}
	return e.body
}

func (e *pageError) Unwrap() error { return e.err }

// text is the page's text in b's language.
func (e *pageError) text(b basePage) string {
	if e.count != 0 {
		return b.Tn(e.body, e.count, e.data)
	}
	return b.Tf(e.body, e.data)
}

// responseWriter remembers whether writing the response failed: the one
// sign, besides the request's cancelled context, that the client has gone.
type responseWriter struct {
	gin.ResponseWriter
	failed bool
}

func (w *responseWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	if err != nil {
		w.failed = true
	}
	return n, err
}

func (w *responseWriter) WriteString(s string) (int, error) {
	n, err := w.ResponseWriter.WriteString(s)
	if err != nil {
		w.failed = true
	}
	return n, err
}

// clientGone reports whether the client's own connection has gone, so that
// there is nobody to answer: its request was cancelled, or writing to it
// failed. A connection reset or broken pipe in err alone says nothing of
// the client: it may be the database's connection, as when PostgreSQL
// restarts, and that is the database being unavailable.
func clientGone(c *gin.Context) bool {
	if c.Request.Context().Err() != nil {
		return true
	}
	w, ok := c.Writer.(*responseWriter)
	return ok && w.failed
}

// statusOf maps a domain error kind onto its HTTP status: the only place
// that does.
func statusOf(k forms.Kind) int {
	switch k {
	case forms.KindNotFound:
		return http.StatusNotFound
	case forms.KindForbidden:
		return http.StatusForbidden
	case forms.KindConflict:
		return http.StatusConflict
	case forms.KindInvalid:
		return http.StatusBadRequest
	case forms.KindUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// errorMessages names the catalogue entries of each kind's page.
var errorMessages = map[forms.Kind]string{
	forms.KindNotFound:    "error.notfound",
	forms.KindForbidden:   "error.forbidden",
	forms.KindConflict:    "error.conflict",
	forms.KindInvalid:     "error.invalid",
	forms.KindUnavailable: "error.unavailable",
	forms.KindInternal:    "error.internal",
}

// messagePage is a page that says one thing: an error, a refusal, a notice.
type messagePage struct {
	basePage
	Heading, Body         string
	ActionURL, ActionText string // an optional way forward besides the home page
}

// isAutosave reports whether the request is the page script's autosave of
// a draft's section, which is answered in JSON.
func isAutosave(c *gin.Context) bool {
	return c.Request.Method == http.MethodPost && c.FullPath() == sectionRoute && c.GetHeader("X-Autosave") != ""
}

// logFailure logs a request's failure as it deserves: at error level what
// answers 5xx and what the database refused by a constraint (a bug: see
// forms.ErrConstraint), at debug level a refusal of the user's request.
func (s *Server) logFailure(c *gin.Context, err error, status int) {
	kind := forms.KindOf(err)
	switch {
	case status >= 500:
		s.log.ErrorContext(c.Request.Context(), "request failed", "err", err, "kind", kind.String(), "request_id", requestIDOf(c))
	case errors.Is(err, forms.ErrConstraint):
		s.log.ErrorContext(c.Request.Context(), "request refused by a database constraint", "err", err, "kind", kind.String(), "request_id", requestIDOf(c))
	default:
		s.log.DebugContext(c.Request.Context(), "request refused", "err", err, "kind", kind.String(), "request_id", requestIDOf(c))
	}
}

// renderError logs err as its kind deserves and shows the user the error
// page for its kind: never the error's text, a stack or SQL.
func (s *Server) renderError(c *gin.Context, err error) {
	if clientGone(c) {
		s.log.DebugContext(c.Request.Context(), "client gone", "err", err, "request_id", requestIDOf(c))
		c.Abort()
		return
	}
	var se *signInError
	if errors.As(err, &se) {
		s.renderSignInError(c, se)
		return
	}
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		err = &pageError{status: errTooLarge.status, title: errTooLarge.title, body: errTooLarge.body, err: err}
	}
	kind := forms.KindOf(err)
	status := statusOf(kind)
	key := errorMessages[kind]
	pe := &pageError{status: status, title: key + ".title", body: key + ".body"}
	if kind == forms.KindUnavailable {
		pe.retryAfter = 30
	}
	if errors.As(err, &pe) {
		status = pe.status
	}
	s.logFailure(c, err, status)
	if c.Writer.Written() {
		c.Abort() // a response is under way; the log is all we can do
		return
	}
	if pe.retryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(pe.retryAfter))
	}
	b := s.newBase(c)
	if isAutosave(c) {
		// The page's script, which shows the message and keeps what was typed.
		reply := autosaveReply{Status: pe.autosave, Message: b.T("draft.autosave.failed")}
		if reply.Status == "" {
			reply.Status = "invalid"
		} else {
			reply.Message = pe.text(b)
		}
		c.AbortWithStatusJSON(status, reply)
		return
	}
	p := messagePage{basePage: b}
	p.Heading = p.T(pe.title)
	p.Body = pe.text(p.basePage)
	p.Title = p.Heading
	if status >= 500 {
		p.RequestID = requestIDOf(c)
	}
	s.render(c, status, "message", &p)
	c.Abort()
}

// renderSignInError audits a failed sign-in and tells the user what went
// wrong in words they can act on, with a way to try again.
func (s *Server) renderSignInError(c *gin.Context, se *signInError) {
	s.logSignInFailure(c, se)
	s.audit(c, nil, forms.AuditEvent{Action: forms.AuditSignInFailed, Target: se.email, Details: map[string]string{"reason": se.reason}})
	p := messagePage{basePage: s.newBase(c)}
	p.Heading = p.T("auth.error.title")
	p.Title = p.Heading
	p.Body = s.signInMessage(p.basePage, se.reason)
	p.ActionURL, p.ActionText = "/signin", p.T("auth.error.retry")
	s.render(c, se.status, "message", &p)
	c.Abort()
}
