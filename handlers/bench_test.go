package handlers

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/gin-gonic/gin"
)

// BenchmarkBareGin is the baseline: a bare gin engine answering a fixed
// page, no middleware. The portal's figures are read as ratios against it,
// measured in the same run (docs/benchmarks.md).
func BenchmarkBareGin(b *testing.B) {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	page := []byte("<!doctype html><title>bare</title><h1>bare</h1>")
	e.GET("/", func(c *gin.Context) { c.Data(http.StatusOK, "text/html; charset=utf-8", page) })
	serveLoop(b, e, httptest.NewRequest(http.MethodGet, "/", nil))
}

// BenchmarkHealthz: the portal's whole middleware stack (request id,
// logging, metrics, security headers, recovery) around the cheapest handler.
func BenchmarkHealthz(b *testing.B) {
	serveLoop(b, newServer(b, "http://127.0.0.1:8080"), httptest.NewRequest(http.MethodGet, "/healthz", nil))
}

// BenchmarkLandingPage: two queries on the real database, then the page
// rendered in French with the layout and the catalogue.
func BenchmarkLandingPage(b *testing.B) {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Accept-Language", "fr")
	serveLoop(b, newServer(b, "http://127.0.0.1:8080"), req)
}

func serveLoop(b *testing.B, h http.Handler, req *http.Request) {
	b.Helper()
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkOrganizationPage: a signed-in focal point's organization home:
// the session and the user loaded from PostgreSQL, the access decision, the
// members and invitations queries, and the page.
func BenchmarkOrganizationPage(b *testing.B) {
	ts, s := startServer(b, nil)
	c := newClient(b)
	if r := signIn(b, c, ts.URL, "demo-fp-aut"); r.status != http.StatusSeeOther {
		b.Fatalf("sign-in: %d", r.status)
	}
	u, _ := url.Parse(ts.URL)
	req := httptest.NewRequest(http.MethodGet, "/orgs/AUT", nil)
	for _, ck := range c.Jar.Cookies(u) {
		req.AddCookie(ck)
	}
	serveLoop(b, s, req)
}
