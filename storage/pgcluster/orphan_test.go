package pgcluster

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestOrphanStopped: a server still running from the data directory while
// no portal holds the lock (its portal died and the death signal did not
// reach it) is stopped, and the new start serves the same data.
func TestOrphanStopped(t *testing.T) {
	base, err := os.MkdirTemp("", "pgcluster-orphan-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := Options{Dir: filepath.Join(base, "pg"), Durable: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	orphan, err := Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { orphan.Kill() })
	if err := orphan.CreateDatabase(ctx, "kept"); err != nil {
		t.Fatal(err)
	}
	orphan.lock.Close() // its portal is gone; its server is not

	c, err := Start(ctx, opts)
	if err != nil {
		t.Fatalf("start over an orphan: %v", err)
	}
	defer c.Stop(ctx)
	select {
	case <-orphan.exited:
	case <-time.After(5 * time.Second):
		t.Fatal("the orphan server is still running")
	}
	db, err := sql.Open("postgres", c.URL("kept"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("the new server lost the data: %v", err)
	}
}
