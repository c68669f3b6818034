package pgcluster_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/lib/pq"

	"portal/storage/pgcluster"
)

func newDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "pgcluster-test-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // the postgres user must reach it when we are root
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "pg")
}

// start starts the cluster in dir as the portal does, durable.
func start(t *testing.T, dir string) *pgcluster.Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Durable: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return c
}

func stop(t *testing.T, c *pgcluster.Cluster) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
}

func exec(t *testing.T, c *pgcluster.Cluster, query string) {
	t.Helper()
	db, err := sql.Open("postgres", c.URL("portal"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func count(t *testing.T, c *pgcluster.Cluster) int {
	t.Helper()
	db, err := sql.Open("postgres", c.URL("portal"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM kept`).Scan(&n); err != nil {
		t.Fatalf("read back: %v", err)
	}
	return n
}

// TestDataOutlivesRestartAndCrash writes, stops, starts again and reads; then
// kills the server as a crash would (leaving postmaster.pid) and starts again.
func TestDataOutlivesRestartAndCrash(t *testing.T) {
	dir := newDir(t)

	c := start(t, dir)
	if err := c.CreateDatabase(context.Background(), "portal"); err != nil {
		t.Fatal(err)
	}
	exec(t, c, `CREATE TABLE kept (n int)`)
	exec(t, c, `INSERT INTO kept VALUES (1), (2)`)
	stop(t, c)
	if _, err := os.Stat(filepath.Join(dir, "data", "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("postmaster.pid after a clean stop: %v, want none", err)
	}

	c = start(t, dir)
	if got := count(t, c); got != 2 {
		t.Fatalf("after restart: %d rows, want 2", got)
	}
	exec(t, c, `INSERT INTO kept VALUES (3)`)
	c.Kill()
	if _, err := os.Stat(filepath.Join(dir, "data", "postmaster.pid")); err != nil {
		t.Fatalf("a crash should leave postmaster.pid behind: %v", err)
	}

	c = start(t, dir)
	defer stop(t, c)
	if got := count(t, c); got != 3 {
		t.Fatalf("after crash: %d rows, want 3", got)
	}
}

// TestSecondOwnerRefused: two processes must never run one cluster.
func TestSecondOwnerRefused(t *testing.T) {
	dir := newDir(t)
	c := start(t, dir)
	defer stop(t, c)
	_, err := pgcluster.Start(context.Background(), pgcluster.Options{Dir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err == nil || !strings.Contains(err.Error(), "another portal process") {
		t.Fatalf("second Start on the same directory: %v, want a refusal naming the other process", err)
	}
}

func TestNoBinariesSaysWhatToInstall(t *testing.T) {
	_, err := pgcluster.FindBinaries(t.TempDir(), "")
	if !errors.Is(err, pgcluster.ErrNoBinaries) {
		t.Fatalf("FindBinaries(empty dir) = %v, want ErrNoBinaries", err)
	}
	for _, want := range []string{"apt-get install postgresql", "PORTAL_PG_BINDIR", "PORTAL_DATABASE_URL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not mention %q", err, want)
		}
	}
}

func TestPasswordRequired(t *testing.T) {
	dir := newDir(t)
	c := start(t, dir)
	defer stop(t, c)
	u := strings.Replace(c.URL("postgres"), "portal:", "portal:wrong", 1)
	db, err := sql.Open("postgres", u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ping(); err == nil {
		t.Fatal("connected with a wrong password; the private cluster must require its own")
	}
}

// TestStalePidOfAnotherServer: after a reboot the pid in a stale
// postmaster.pid may belong to another PostgreSQL server. Starting must
// neither stop that server nor fail.
func TestStalePidOfAnotherServer(t *testing.T) {
	other := start(t, newDir(t))
	defer stop(t, other)
	otherPid := strings.SplitN(readFile(t, filepath.Join(other.Dir(), "data", "postmaster.pid")), "\n", 2)[0]

	dir := newDir(t)
	c := start(t, dir)
	c.Kill() // leaves its postmaster.pid behind
	pidFile := filepath.Join(dir, "data", "postmaster.pid")
	lines := strings.SplitN(readFile(t, pidFile), "\n", 2)
	if err := os.WriteFile(pidFile, []byte(otherPid+"\n"+lines[1]), 0o600); err != nil {
		t.Fatal(err)
	}

	c = start(t, dir)
	defer stop(t, c)
	db, err := sql.Open("postgres", other.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ping(); err != nil {
		t.Fatalf("the other server was disturbed: %v", err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
