package handlers

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"portal/storage"
	"portal/storage/pgcluster"
	"portal/storage/storagetest"
)

// TestDatabaseOutage stops the database under a running portal: /readyz
// says 503 and pages say "temporarily unavailable" (never a 500 with SQL in
// it); when the database is back, the same portal serves again.
func TestDatabaseOutage(t *testing.T) {
	ctx := context.Background()
	dir := storagetest.NewDir(t) + "/pg"
	start := func(port int) *pgcluster.Cluster {
		c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Port: port, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	stop := func(c *pgcluster.Cluster) {
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := c.Stop(sctx); err != nil {
			t.Fatal(err)
		}
	}
	cluster := start(0)
	t.Cleanup(func() { stop(cluster) })
	if err := cluster.CreateDatabase(ctx, "portal"); err != nil {
		t.Fatal(err)
	}
	store, err := storage.Open(ctx, cluster.URL("portal"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := store.Migrate(ctx, quiet); err != nil {
		t.Fatal(err)
	}
	s := newServerWith(t, "http://127.0.0.1:8080", store)

	if r := get(t, s, "/readyz"); r.status != http.StatusOK {
		t.Fatalf("/readyz before the outage: %d", r.status)
	}
	if r := get(t, s, "/"); r.status != http.StatusOK {
		t.Fatalf("/ before the outage: %d", r.status)
	}

	stop(cluster)

	if r := get(t, s, "/readyz"); r.status != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the database down: %d, want 503", r.status)
	}
	if r := get(t, s, "/healthz"); r.status != http.StatusOK {
		t.Errorf("/healthz with the database down: %d, want 200 (the process is alive)", r.status)
	}
	r := get(t, s, "/", "Accept-Language: fr")
	if r.status != http.StatusServiceUnavailable {
		t.Errorf("/ with the database down: %d, want 503", r.status)
	}
	if r.header.Get("Retry-After") == "" {
		t.Error("503 page should say when to retry")
	}
	if !strings.Contains(r.body, "Temporairement indisponible") {
		t.Errorf("503 page should say, in the user's language, that the portal is temporarily unavailable:\n%s", r.body)
	}
	for _, leak := range []string{"pq:", "dial tcp", "connection refused", "SELECT", "127.0.0.1:"} {
		if strings.Contains(r.body, leak) {
			t.Errorf("503 page leaks %q", leak)
		}
	}

	cluster = start(cluster.Port())
	deadline := time.Now().Add(15 * time.Second)
	for get(t, s, "/readyz").status != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("/readyz did not recover after the database came back")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if r := get(t, s, "/"); r.status != http.StatusOK {
		t.Errorf("/ after the database came back: %d, want 200", r.status)
	}
}
