package storage_test

import (
	"context"
	"database/sql"
	"io"
	"io/fs"
	"log/slog"
	"sync"
	"testing"

	"portal/migrations"
	"portal/storage"
	"portal/storage/storagetest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// migrationFiles counts the migrations: the SQL files and those in Go.
func migrationFiles(t *testing.T) int {
	t.Helper()
	files, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no embedded migrations: %v", err)
	}
	return len(files) + len(storage.GoMigrations())
}

func appliedVersions(t *testing.T, db *sql.DB) []int64 {
	t.Helper()
	rows, err := db.Query(`SELECT version_id FROM goose_db_version WHERE version_id > 0 ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var vs []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	return vs
}

func TestMigrateEmptyDatabaseThenAgain(t *testing.T) {
	db, err := sql.Open("postgres", storagetest.NewEmptyDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := storage.Migrate(ctx, db, quiet); err != nil {
		t.Fatalf("first run: %v", err)
	}
	first := appliedVersions(t, db)
	if len(first) != migrationFiles(t) {
		t.Fatalf("applied %v, want one row per migration file (%d)", first, migrationFiles(t))
	}
	if err := storage.Migrate(ctx, db, quiet); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if again := appliedVersions(t, db); len(again) != len(first) {
		t.Fatalf("second run applied more: %v, then %v", first, again)
	}
}

// TestMigrateConcurrently: replicas starting together each migrate; the
// advisory lock must make one apply and the others find nothing to do.
func TestMigrateConcurrently(t *testing.T) {
	url := storagetest.NewEmptyDatabase(t)
	const replicas = 4
	var wg sync.WaitGroup
	errs := make([]error, replicas)
	for i := range replicas {
		wg.Go(func() {
			db, err := sql.Open("postgres", url)
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			errs[i] = storage.Migrate(context.Background(), db, quiet)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got, want := len(appliedVersions(t, db)), migrationFiles(t); got != want {
		t.Fatalf("%d migrations recorded, want each of %d once", got, want)
	}
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	db, err := sql.Open("postgres", storagetest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO audit_events (actor, action) VALUES ('system', 'test.event')`); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE audit_events SET actor = 'someone else'`,
		`DELETE FROM audit_events`,
		`TRUNCATE audit_events`,
	} {
		if _, err := db.Exec(q); err == nil {
			t.Errorf("%s succeeded on the audit log", q)
		}
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM audit_events WHERE actor = 'system'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("audit row after refused changes: n=%d err=%v, want 1 unchanged", n, err)
	}
}

// TestMigrateJobs: the Go migration gives the job queue its tables at
// River's schema version the migration names, once, however many replicas
// migrate.
func TestMigrateJobs(t *testing.T) {
	db, err := sql.Open("postgres", storagetest.NewEmptyDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := storage.Migrate(context.Background(), db, quiet); err != nil {
		t.Fatal(err)
	}
	var top, n int
	if err := db.QueryRow(`SELECT max(version), count(*) FROM river_migration`).Scan(&top, &n); err != nil {
		t.Fatal(err)
	}
	if top != storage.RiverVersion || n != storage.RiverVersion {
		t.Errorf("River's schema at version %d with %d steps recorded, want %d", top, n, storage.RiverVersion)
	}
	for _, table := range []string{"river_job", "river_leader", "river_queue"} {
		var ok bool
		if err := db.QueryRow(`SELECT to_regclass($1) IS NOT NULL`, table).Scan(&ok); err != nil || !ok {
			t.Errorf("no table %s (%v)", table, err)
		}
	}
}
