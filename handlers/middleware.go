package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

const requestIDKey = "request_id"

// validRequestID accepts a proxy's request id only when it is short and plain.
var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// requestID gives every request an id, taken from a well-formed
// X-Request-ID header or made here, echoed in the response and in every log line.
func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if !validRequestID.MatchString(id) {
		b := make([]byte, 12)
		_, _ = rand.Read(b) // crypto/rand.Read never fails on Linux
		id = hex.EncodeToString(b)
	}
	c.Set(requestIDKey, id)
	c.Header("X-Request-ID", id)
	c.Next()
}

func requestIDOf(c *gin.Context) string { return c.GetString(requestIDKey) }

// logRequests writes one line per request. It logs the path, never the
// query, which may carry sign-in codes.
func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	status := c.Writer.Status()
	level := s.log.Info
	switch {
	case status >= 500:
		level = s.log.Error
	case c.FullPath() == "/healthz" || c.FullPath() == "/readyz" || c.FullPath() == "/metrics" || c.FullPath() == "/static/*file":
		level = s.log.Debug
	}
	level("request",
		"method", c.Request.Method,
		"path", c.Request.URL.Path,
		"route", c.FullPath(),
		"status", status,
		"bytes", c.Writer.Size(),
		"duration", time.Since(start),
		"client", c.ClientIP(),
		"request_id", requestIDOf(c),
	)
}

// securityHeaders sets the headers every response carries: a strict
// Content-Security-Policy (no inline script or style, no framing), and
// HSTS when the portal is served over https.
func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	if s.secure() {
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
	c.Next()
}

// secure reports whether the portal is served over https.
func (s *Server) secure() bool { return s.opts.BaseURL.Scheme == "https" }

// recoverPanics turns a panic into the friendly error page; the stack goes
// to the log only.
func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v) // net/http's way of dropping a connection on purpose
			}
			s.log.Error("panic", "value", fmt.Sprint(v), "stack", string(debug.Stack()), "request_id", requestIDOf(c))
			s.renderError(c, fmt.Errorf("panic: %v", v))
		}
	}()
	c.Next()
}

// maxFormBytes bounds the body of an ordinary request (a form).
const maxFormBytes = 1 << 20

// maxUploadBytes bounds a form that carries files: the largest attachment a
// questionnaire may allow (50 MB), and the rest of the form. Each file is
// then held to its own question's limit.
const maxUploadBytes = 50<<20 + maxFormBytes

// uploadRoutes are the routes whose multipart forms may carry files.
var uploadRoutes = map[string]bool{"/orgs/:code/calls/:call/:section": true, "/orgs/:code/calls/:call/workbook": true, "/office/populations": true}

// limitBody refuses a request body larger than its route allows with a
// page that says so, and cuts off one that lies about its length.
func (s *Server) limitBody(c *gin.Context) {
	limit := int64(maxFormBytes)
	if uploadRoutes[c.FullPath()] && strings.HasPrefix(c.ContentType(), "multipart/form-data") {
		limit = maxUploadBytes
	}
	if c.Request.ContentLength > limit {
		p := messagePage{basePage: s.newBase(c)}
		p.Heading = p.T("error.toolarge.title")
		p.Title, p.Body = p.Heading, p.T("error.toolarge.body")
		s.render(c, http.StatusRequestEntityTooLarge, "message", &p)
		c.Abort()
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	c.Next()
}
