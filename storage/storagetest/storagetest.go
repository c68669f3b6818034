// Package storagetest gives each test its own freshly migrated PostgreSQL
// database, cloned from a template database migrated once per test binary.
//
// The server is the one PORTAL_TEST_DATABASE_URL names (a role that may
// create databases), or else a private cluster started for this test binary
// from the system's PostgreSQL binaries: the same code the portal uses for
// its embedded default. Tests never skip for want of a database.
//
// A package that uses it runs its tests through Main:
//
//	func TestMain(m *testing.M) { storagetest.Main(m) }
package storagetest

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lib/pq"

	"portal/storage"
	"portal/storage/pgcluster"
)

// EnvURL names the variable that points the tests at an existing server.
const EnvURL = "PORTAL_TEST_DATABASE_URL"

var (
	setupOnce sync.Once
	setupErr  error
	serverURL *url.URL           // admin connection to the server
	template  string             // name of the migrated template database
	cluster   *pgcluster.Cluster // nil when EnvURL is set
	clusterAt string             // the private cluster's directory
	counter   atomic.Int64
)

// Main runs the tests of a package, then drops its template database and
// stops the private cluster if it started one, and exits.
func Main(m *testing.M) {
	code := m.Run()
	Teardown()
	os.Exit(code)
}

// Teardown drops the template database and stops the private cluster if one
// was started. Main calls it; a TestMain that must clean up more of its own
// after the tests calls m.Run, then Teardown, then its own cleanup, instead.
func Teardown() { teardown() }

// NewDatabase creates a fresh migrated database for t, dropped when t ends,
// and returns its connection URL.
func NewDatabase(t testing.TB) string {
	t.Helper()
	return newDatabase(t, true)
}

// NewEmptyDatabase creates a fresh database for t with no migration applied,
// dropped when t ends, and returns its connection URL.
func NewEmptyDatabase(t testing.TB) string {
	t.Helper()
	return newDatabase(t, false)
}

func newDatabase(t testing.TB, migrated bool) string {
	t.Helper()
	setupOnce.Do(func() { setupErr = setup() })
	if setupErr != nil {
		t.Fatalf("storagetest: no database for tests: %v", setupErr)
	}
	name := fmt.Sprintf("%s_%d", template, counter.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := sql.Open("postgres", withDatabase(serverURL, "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	create := "CREATE DATABASE " + pq.QuoteIdentifier(name)
	if migrated {
		create += " TEMPLATE " + pq.QuoteIdentifier(template)
	}
	if _, err := admin.ExecContext(ctx, create); err != nil {
		t.Fatalf("storagetest: create database: %v", err)
	}
	t.Cleanup(func() { dropDatabase(name) })
	return withDatabase(serverURL, name)
}

// NewStore opens a store on a fresh migrated database, closed when t ends.
func NewStore(t testing.TB) *storage.Store {
	t.Helper()
	s, err := storage.Open(context.Background(), NewDatabase(t))
	if err != nil {
		t.Fatalf("storagetest: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// NewDir returns a new empty directory, removed when t ends, that the
// PostgreSQL server's user can reach (t.TempDir's are private to root).
func NewDir(t testing.TB) string {
	t.Helper()
	dir, err := newDir()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func newDir() (string, error) {
	dir, err := os.MkdirTemp("", "portal-test-")
	if err != nil {
		return "", err
	}
	return dir, os.Chmod(dir, 0o755)
}

func setup() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	raw := os.Getenv(EnvURL)
	if raw == "" {
		dir, err := newDir()
		if err != nil {
			return err
		}
		clusterAt = dir
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		cluster, err = pgcluster.Start(ctx, pgcluster.Options{Dir: dir + "/pg", Logger: quiet})
		if err != nil {
			return fmt.Errorf("%w\n(or set %s to a PostgreSQL server where the tests may create databases)", err, EnvURL)
		}
		raw = cluster.URL("postgres")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%s is not a URL: %w", EnvURL, err)
	}
	serverURL = u
	template = fmt.Sprintf("portal_test_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6)

	admin, err := sql.Open("postgres", withDatabase(u, "postgres"))
	if err != nil {
		return err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(template)); err != nil {
		return fmt.Errorf("create template database: %w", err)
	}
	db, err := sql.Open("postgres", withDatabase(u, template))
	if err != nil {
		return err
	}
	defer db.Close()
	if err := storage.Migrate(ctx, db, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		return fmt.Errorf("migrate template database: %w", err)
	}
	// CREATE DATABASE ... TEMPLATE needs the template to have no sessions.
	return db.Close()
}

func teardown() {
	if serverURL != nil {
		dropDatabase(template)
	}
	if cluster != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = cluster.Stop(ctx) // the directory goes next; nothing to keep
		os.RemoveAll(clusterAt)
	}
}

func dropDatabase(name string) {
	admin, err := sql.Open("postgres", withDatabase(serverURL, "postgres"))
	if err != nil {
		return
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Best effort: a database left behind costs disk space on a test server, nothing more.
	_, _ = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+pq.QuoteIdentifier(name)+" WITH (FORCE)")
}

func withDatabase(u *url.URL, name string) string {
	c := *u
	c.Path = "/" + name
	return c.String()
}
