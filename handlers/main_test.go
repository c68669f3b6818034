package handlers

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"portal/storage/storagetest"
)

func TestMain(m *testing.M) { storagetest.Main(m) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// newServer returns the portal's handler on a fresh database of its own.
func newServer(t testing.TB, baseURL string) *Server {
	t.Helper()
	return newServerWith(t, baseURL, storagetest.NewStore(t))
}

func newServerWith(t testing.TB, baseURL string, store Store) *Server {
	t.Helper()
	u, err := url.Parse(baseURL)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{BaseURL: u, Version: "test", Logger: quiet, Store: store})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

type response struct {
	status int
	header http.Header
	body   string
}

// get serves one GET through the real router; header is "Name: value" pairs.
func get(t *testing.T, h http.Handler, target string, header ...string) response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for _, kv := range header {
		k, v, _ := strings.Cut(kv, ": ")
		req.Header.Add(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return response{rec.Code, rec.Header(), rec.Body.String()}
}
