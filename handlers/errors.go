package handlers

import (
	"errors"
	"net/http"
	"syscall"

	"github.com/gin-gonic/gin"

	"portal/forms"
)

// handlerFunc is a handler that returns its error instead of writing it:
// every error reaches the user through renderError, in one place.
type handlerFunc func(c *gin.Context) error

// handle adapts a handlerFunc to gin.
func (s *Server) handle(h handlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			s.renderError(c, err)
		}
	}
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

// renderError logs err as its kind deserves and shows the user the error
// page for its kind: never the error's text, a stack or SQL.
func (s *Server) renderError(c *gin.Context, err error) {
	if errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) || c.Request.Context().Err() != nil {
		c.Abort() // the client has gone; nobody to answer
		return
	}
	var se *signInError
	if errors.As(err, &se) {
		s.renderSignInError(c, se)
		return
	}
	kind := forms.KindOf(err)
	status := statusOf(kind)
	switch {
	case status >= 500:
		s.log.ErrorContext(c.Request.Context(), "request failed", "err", err, "kind", kind.String(), "request_id", requestIDOf(c))
	default:
		s.log.DebugContext(c.Request.Context(), "request refused", "err", err, "kind", kind.String(), "request_id", requestIDOf(c))
	}
	if c.Writer.Written() {
		c.Abort() // a response is under way; the log is all we can do
		return
	}
	if kind == forms.KindUnavailable {
		c.Header("Retry-After", "30")
	}
	key := errorMessages[kind]
	p := messagePage{basePage: s.newBase(c)}
	p.Heading = p.T(key + ".title")
	p.Body = p.T(key + ".body")
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
