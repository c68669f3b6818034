package handlers

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
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
	s := newServerWith(t, "http://127.0.0.1:8080", migratedStore(t, cluster))

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

// TestReadyAfterDatabaseRestart: once PostgreSQL is back from a restart,
// /readyz says so at once, though the pool still holds connections from
// before the restart: a load balancer routing on it must not keep the
// replica out while its pages already work.
func TestReadyAfterDatabaseRestart(t *testing.T) {
	ctx := context.Background()
	dir := storagetest.NewDir(t) + "/pg"
	cluster, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cluster.Stop(context.Background()) })
	s := newServerWith(t, "http://127.0.0.1:8080", migratedStore(t, cluster))

	// Requests at once leave the pool holding idle connections.
	var wg sync.WaitGroup
	for range 12 {
		wg.Go(func() { get(t, s, "/") })
	}
	wg.Wait()

	port := cluster.Port()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := cluster.Stop(sctx); err != nil {
		t.Fatal(err)
	}
	if cluster, err = pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Port: port, Logger: quiet}); err != nil {
		t.Fatal(err)
	}

	for i := range 12 {
		if r := get(t, s, "/readyz"); r.status != http.StatusOK {
			t.Fatalf("/readyz #%d after the database came back: %d %q, want 200", i+1, r.status, r.body)
		}
	}
	if r := get(t, s, "/"); r.status != http.StatusOK {
		t.Errorf("/ after the database came back: %d, want 200", r.status)
	}
}

// TestDatabaseConnectionReset: when the database's connections are reset
// (as some are while PostgreSQL restarts), a page says "temporarily
// unavailable" with 503, never a blank 200 as if the browser had gone.
func TestDatabaseConnectionReset(t *testing.T) {
	ctx := context.Background()
	u, err := url.Parse(storagetest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := newResetProxy(t, u.Host)
	u.Host = proxy.addr()
	store, err := storage.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	s := newServerWith(t, "http://127.0.0.1:8080", store)
	if r := get(t, s, "/"); r.status != http.StatusOK {
		t.Fatalf("/ before the reset: %d", r.status)
	}

	proxy.resetting.Store(true)
	r := get(t, s, "/", "Accept-Language: fr")
	if r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, "Temporairement indisponible") {
		t.Errorf("/ while the database's connections are reset: %d, want 503 saying it is temporarily unavailable; body %q", r.status, r.body)
	}
	if r.header.Get("Retry-After") == "" {
		t.Error("503 page should say when to retry")
	}

	proxy.resetting.Store(false)
	if r := get(t, s, "/"); r.status != http.StatusOK {
		t.Errorf("/ after the resets: %d, want 200", r.status)
	}
}

// resetProxy relays loopback TCP connections to the database. While
// resetting is set, it answers whatever a connection sends next with a TCP
// reset, as the connections of a restarting PostgreSQL may be answered.
type resetProxy struct {
	ln        net.Listener
	resetting atomic.Bool
}

func newResetProxy(t *testing.T, target string) *resetProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &resetProxy{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			go p.relay(client.(*net.TCPConn), target)
		}
	}()
	return p
}

func (p *resetProxy) addr() string { return p.ln.Addr().String() }

func (p *resetProxy) relay(client *net.TCPConn, target string) {
	server, err := net.Dial("tcp", target)
	if err != nil {
		client.Close()
		return
	}
	defer server.Close()
	go func() {
		_, _ = io.Copy(client, server) // ends when either side closes
		client.Close()
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := client.Read(buf)
		if n > 0 && p.resetting.Load() {
			_ = client.SetLinger(0) // close with a reset, not a goodbye
			client.Close()
			return
		}
		if n > 0 {
			if _, err := server.Write(buf[:n]); err != nil {
				client.Close()
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// migratedStore makes the portal's database on cluster, migrated, and
// opens a store on it, closed when the test ends.
func migratedStore(t *testing.T, cluster *pgcluster.Cluster) *storage.Store {
	t.Helper()
	ctx := context.Background()
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
	return store
}
