package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
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

// errTooLarge refuses a request that sends more than its route takes.
var errTooLarge = &pageError{status: http.StatusRequestEntityTooLarge, title: "error.toolarge.title", body: "error.toolarge.body"}

// limitBody refuses at once a body larger than any route takes, and bounds
// what may be read of the others to what an ordinary form needs; a route
// whose form carries files raises the bound (takesFiles) before anything is
// read. handle refuses a request whose stated length passes its route's
// bound, and reading past it fails with *http.MaxBytesError, which
// renderError shows as the same page.
func (s *Server) limitBody(c *gin.Context) {
	if c.Request.ContentLength > maxUploadBytes {
		s.renderError(c, errTooLarge)
		return
	}
	c.Request.Body = &limitedBody{raw: c.Request.Body, w: c.Writer, limit: maxFormBytes}
	c.Next()
}

// takesFiles lets a route's multipart form carry files, up to maxUploadBytes.
func (s *Server) takesFiles(c *gin.Context) {
	if b, ok := c.Request.Body.(*limitedBody); ok && strings.HasPrefix(c.ContentType(), "multipart/form-data") {
		b.limit = maxUploadBytes
	}
	c.Next()
}

// limitedBody is a request body bounded by http.MaxBytesReader at the limit
// its route sets before the first read.
type limitedBody struct {
	raw   io.ReadCloser
	w     http.ResponseWriter
	limit int64
	r     io.ReadCloser
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.r == nil {
		b.r = http.MaxBytesReader(b.w, b.raw, b.limit)
	}
	return b.r.Read(p)
}

func (b *limitedBody) Close() error { return b.raw.Close() }

// tooLarge reports whether the request says it sends more than its route takes.
func tooLarge(r *http.Request) bool {
	b, ok := r.Body.(*limitedBody)
	return ok && r.ContentLength > b.limit
}

// rateLimiter allows each client address a burst of requests and then a
// steady rate. Limits are per process; behind a load balancer with N
// replicas a client gets up to N times the rate.
type rateLimiter struct {
	every time.Duration
	burst int

	mu      sync.Mutex
	clients map[string]*clientLimit
	swept   time.Time
}

type clientLimit struct {
	limiter *rate.Limiter
	seen    time.Time
}

func newRateLimiter(every time.Duration, burst int) *rateLimiter {
	return &rateLimiter{every: every, burst: burst, clients: map[string]*clientLimit{}}
}

// allow reports whether the client may make a request now, and if not, how long to wait.
func (l *rateLimiter) allow(client string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > 10*time.Minute { // forget clients idle long enough to be full again
		for k, c := range l.clients {
			if now.Sub(c.seen) > time.Duration(l.burst)*l.every {
				delete(l.clients, k)
			}
		}
		l.swept = now
	}
	c, ok := l.clients[client]
	if !ok {
		c = &clientLimit{limiter: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.clients[client] = c
	}
	c.seen = now
	r := c.limiter.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// limit answers 429 with the page that says so once the client has used its share.
func (s *Server) limit(l *rateLimiter) gin.HandlerFunc {
	return func(c *gin.Context) {
		ok, wait := l.allow(c.ClientIP(), time.Now())
		if ok {
			c.Next()
			return
		}
		secs := int(wait/time.Second) + 1
		s.renderError(c, &pageError{status: http.StatusTooManyRequests, title: "ratelimit.title", body: "ratelimit.body",
			count: secs, data: map[string]any{"Seconds": secs}, retryAfter: secs})
	}
}
