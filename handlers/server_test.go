package handlers

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

func TestLandingPage(t *testing.T) {
	s := newServer(t, "http://127.0.0.1:8080")
	tests := []struct {
		name    string
		header  []string
		lang    string
		dir     string
		heading string
	}{
		{"default English", nil, "en", "ltr", "Member State submissions portal"},
		{"browser asks French", []string{"Accept-Language: fr-CH, fr;q=0.9, en;q=0.8"}, "fr", "ltr", "Portail"},
		{"browser asks an unknown language", []string{"Accept-Language: de-DE"}, "en", "ltr", "Member State"},
		{"cookie chooses Arabic over the browser", []string{"Cookie: portal_lang=ar", "Accept-Language: fr"}, "ar", "rtl", "بوابة"},
		{"cookie with nonsense falls back", []string{"Cookie: portal_lang=xx\"><script>"}, "en", "ltr", "Member State"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, s, "/", tt.header...)
			if r.status != http.StatusOK {
				t.Fatalf("status %d, want 200\n%s", r.status, r.body)
			}
			if want := `<html lang="` + tt.lang + `" dir="` + tt.dir + `">`; !strings.Contains(r.body, want) {
				t.Errorf("page lacks %s", want)
			}
			h1 := regexp.MustCompile(`<h1>([^<]*)</h1>`).FindStringSubmatch(r.body)
			if h1 == nil || !strings.Contains(h1[1], tt.heading) {
				t.Errorf("heading %q, want one containing %q", h1, tt.heading)
			}
			if !strings.Contains(r.body, "193") {
				t.Error("the landing page should count the 193 Member States from the database")
			}
			if strings.Contains(r.body, "<script>") {
				t.Error("the page carries a script the input put there")
			}
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	for _, base := range []string{"http://127.0.0.1:8080", "https://portal.example.org"} {
		s := newServer(t, base)
		for _, path := range []string{"/", "/healthz", "/no/such/page", "/static/portal.css"} {
			r := get(t, s, path)
			csp := r.header.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("%s %s: CSP %q lacks %s", base, path, csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
				t.Errorf("%s %s: CSP allows unsafe code: %q", base, path, csp)
			}
			for h, want := range map[string]string{
				"X-Content-Type-Options": "nosniff",
				"Referrer-Policy":        "same-origin",
				"X-Frame-Options":        "DENY",
			} {
				if got := r.header.Get(h); got != want {
					t.Errorf("%s %s: %s = %q, want %q", base, path, h, got, want)
				}
			}
			hsts := r.header.Get("Strict-Transport-Security")
			if https := strings.HasPrefix(base, "https"); https != (hsts != "") {
				t.Errorf("%s %s: Strict-Transport-Security = %q; want it exactly when the base URL is https", base, path, hsts)
			}
		}
	}
}

func TestNotFoundPage(t *testing.T) {
	s := newServer(t, "http://127.0.0.1:8080")
	for _, path := range []string{"/no/such/page", "/static/nothing.css", "/language/de", "/%2e%2e/%2e%2e/etc/passwd"} {
		r := get(t, s, path)
		if r.status != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, r.status)
		}
	}
	r := get(t, s, "/no/such/page", "Accept-Language: es")
	if !strings.Contains(r.body, "<h1>") || !strings.Contains(r.body, `lang="es"`) {
		t.Errorf("404 page should be a full page in the user's language:\n%s", r.body)
	}
}

// TestPanicShowsFriendlyPage: a handler that panics gives the error page
// with a reference, never the panic's text or a stack.
func TestPanicShowsFriendlyPage(t *testing.T) {
	s := newServer(t, "http://127.0.0.1:8080")
	s.engine.GET("/test-panic", func(*gin.Context) { panic("secret detail: pq: relation does not exist") })
	r := get(t, s, "/test-panic")
	if r.status != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", r.status)
	}
	for _, leak := range []string{"secret detail", "pq:", "goroutine", ".go:"} {
		if strings.Contains(r.body, leak) {
			t.Errorf("error page shows %q", leak)
		}
	}
	id := r.header.Get("X-Request-ID")
	if id == "" || !strings.Contains(r.body, id) {
		t.Errorf("error page should quote the request id %q for the user to report", id)
	}
}

func TestRequestID(t *testing.T) {
	s := newServer(t, "http://127.0.0.1:8080")
	if got := get(t, s, "/healthz", "X-Request-ID: proxy-given-id-123").header.Get("X-Request-ID"); got != "proxy-given-id-123" {
		t.Errorf("a well-formed incoming id should be kept; got %q", got)
	}
	for _, bad := range []string{"short", "has spaces in it", "<script>alert(1)</script>", strings.Repeat("a", 65)} {
		got := get(t, s, "/healthz", "X-Request-ID: "+bad).header.Get("X-Request-ID")
		if got == bad || !regexp.MustCompile(`^[0-9a-f]{24}$`).MatchString(got) {
			t.Errorf("incoming id %q: response id %q, want a fresh one", bad, got)
		}
	}
}

func TestSwitchLanguage(t *testing.T) {
	s := newServer(t, "https://portal.example.org")
	tests := []struct{ next, want string }{
		{"/", "/"},
		{"/calls?year=2025", "/calls?year=2025"},
		{"", "/"},
		{"//evil.example/", "/"},
		{"https://evil.example/", "/"},
		{"/\\evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"/ok\r\nSet-Cookie: x=y", "/"},
	}
	for _, tt := range tests {
		r := get(t, s, "/language/ru?next="+url.QueryEscape(tt.next))
		if r.status != http.StatusSeeOther {
			t.Errorf("next=%q: status %d, want 303", tt.next, r.status)
			continue
		}
		if got := r.header.Get("Location"); got != tt.want {
			t.Errorf("next=%q: redirect to %q, want %q", tt.next, got, tt.want)
		}
		ck := r.header.Get("Set-Cookie")
		for _, want := range []string{"portal_lang=ru", "HttpOnly", "Secure", "SameSite=Lax"} {
			if !strings.Contains(ck, want) {
				t.Errorf("cookie %q lacks %s", ck, want)
			}
		}
	}
}

func TestStaticAssets(t *testing.T) {
	s := newServer(t, "http://127.0.0.1:8080")
	versioned := s.assets.url("portal.css")
	r := get(t, s, versioned)
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/css") {
		t.Fatalf("%s: %d %s", versioned, r.status, r.header.Get("Content-Type"))
	}
	if cc := r.header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("current version should be cached for good; Cache-Control %q", cc)
	}
	if cc := get(t, s, "/static/portal.css?v=old").header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("another version must be revalidated; Cache-Control %q", cc)
	}
	if r := get(t, s, versioned, "If-None-Match: "+r.header.Get("ETag")); r.status != http.StatusNotModified {
		t.Errorf("conditional request: status %d, want 304", r.status)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	s := newServer(t, "http://127.0.0.1:8080")
	if r := get(t, s, "/healthz"); r.status != http.StatusOK {
		t.Errorf("/healthz: %d", r.status)
	}
	if r := get(t, s, "/readyz"); r.status != http.StatusOK {
		t.Errorf("/readyz: %d", r.status)
	}
	get(t, s, "/")
	get(t, s, "/nothing/here")
	m := get(t, s, "/metrics").body
	for _, want := range []string{
		`portal_http_requests_total{method="GET",route="/",status="200"} 1`,
		`portal_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`portal_http_request_duration_seconds_bucket`,
		`go_goroutines`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestMetricsOnlyForMonitoring(t *testing.T) {
	s := newServer(t, "http://127.0.0.1:8080")
	if r := get(t, s, "/metrics", "X-Forwarded-For: 203.0.113.9"); r.status != http.StatusForbidden {
		t.Errorf("/metrics forwarded by a proxy: %d, want 403", r.status)
	}
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.RemoteAddr = "198.51.100.7:40000"
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("/metrics from another machine: %d, want 403", rec.Code)
	}

	s.opts.MetricsToken = "scrape-secret"
	e := s.engine
	e.GET("/metrics-with-token", s.metrics.handler(s.opts.MetricsToken))
	for _, tt := range []struct {
		auth string
		want int
	}{
		{"", http.StatusForbidden},
		{"Bearer wrong", http.StatusForbidden},
		{"Bearer scrape-secret", http.StatusOK},
	} {
		req := httptest.NewRequest(http.MethodGet, "/metrics-with-token", nil)
		req.RemoteAddr = "198.51.100.7:40000"
		if tt.auth != "" {
			req.Header.Set("Authorization", tt.auth)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("/metrics with %q: %d, want %d", tt.auth, rec.Code, tt.want)
		}
	}
}

func TestRequestBodyLimit(t *testing.T) {
	s := newServer(t, "http://127.0.0.1:8080")
	big := strings.NewReader("email=" + strings.Repeat("a", maxFormBytes))
	req := httptest.NewRequest(http.MethodPost, "/signout", big)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "Too much sent at once") {
		t.Errorf("oversized form: %d, want 413 with a page that says so", rec.Code)
	}

	// A form that carries files is bounded by its route: a multipart body
	// larger than a form is refused on a route that takes no files, and
	// refused by a route that does only beyond its own bound.
	multi := func(path string, n int) int {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(strings.Repeat("a", n)))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec.Code
	}
	if got := multi("/signout", 2*maxFormBytes); got != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MB multipart to /signout: %d, want 413", got)
	}
	if got := multi("/office/populations", maxUploadBytes+1); got != http.StatusRequestEntityTooLarge {
		t.Errorf("more than any route takes: %d, want 413", got)
	}
	// Past the sign-in check, the population table's route reads what it
	// is sent; a visitor is sent to sign in before that.
	if got := multi("/office/populations", 2*maxFormBytes); got != http.StatusForbidden {
		t.Errorf("2 MB multipart from a visitor to a route taking files: %d, want 403 (not signed in), not 413", got)
	}
}

// TestCompression: pages go compressed to browsers that accept it, and as
// they are to those that do not.
func TestCompression(t *testing.T) {
	h := newServer(t, "http://127.0.0.1")
	r := get(t, h, "/", "Accept-Encoding: gzip, deflate, br")
	if r.status != 200 || r.header.Get("Content-Encoding") != "gzip" || !strings.Contains(strings.Join(r.header.Values("Vary"), ","), "Accept-Encoding") {
		t.Errorf("with gzip accepted: %d, Content-Encoding %q, Vary %q", r.status, r.header.Get("Content-Encoding"), r.header.Values("Vary"))
	}
	zr, err := gzip.NewReader(strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	page, err := io.ReadAll(zr)
	if err != nil || !strings.Contains(string(page), "Member State submissions portal") {
		t.Errorf("the compressed page does not read back: %v", err)
	}
	if r = get(t, h, "/"); r.header.Get("Content-Encoding") != "" || !strings.Contains(r.body, "Member State submissions portal") {
		t.Errorf("without gzip accepted: Content-Encoding %q", r.header.Get("Content-Encoding"))
	}
}
