package storage_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"portal/forms"
	"portal/storage"
	"portal/storage/storagetest"
)

// TestHotStatementsPrepareAtStart: Migrate prepares the statements the
// store prepares on each connection, so that one the schema breaks stops
// the start, named, instead of failing the first page that needs it.
func TestHotStatementsPrepareAtStart(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	url := storagetest.NewDatabase(t)
	start := func() (*storage.Store, error) {
		s, err := storage.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s, s.Migrate(ctx, quiet)
	}
	s, err := start()
	if err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	// A schema the store's statements do not fit, as a wrong migration
	// would make: the next start fails, naming the statement.
	if _, _, err := s.SessionStore().Find("x"); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `ALTER TABLE sessions RENAME COLUMN data TO payload`); err != nil {
		t.Fatal(err)
	}
	_, err = start()
	if err == nil || !strings.Contains(err.Error(), "SELECT data FROM sessions") {
		t.Errorf("a start on a schema that breaks a statement: %v; want an error naming the statement", err)
	}
}

// TestPreparedStatementsAfterMigration: a migration run by another replica
// changes the result type of statements this store has prepared (SQLSTATE
// 0A000, "cached plan must not change result type"); they are prepared
// again and work, outside a transaction (a call looked up) and inside one
// (a draft read, a save), where the transaction runs again.
func TestPreparedStatementsAfterMigration(t *testing.T) {
	s, db := storeWithDB(t)
	ctx := context.Background()
	log := s.LogStatements()
	call, q := statsCall(t, s)
	aut := orgRef(t, s, "AUT")
	a, fields := fullTable(q, statsYears)
	res, err := s.SaveDraft(ctx, call, aut, forms.Edit{Fields: fields, Answers: a}, forms.Actor{Label: "test"})
	if err != nil {
		t.Fatal(err)
	}
	before, err := s.Draft(ctx, call, aut)
	if err != nil {
		t.Fatal(err)
	}
	ten := fields[:10]
	edit := func(base int, v int64) forms.Edit {
		e := forms.Edit{Base: base, Fields: ten, Answers: forms.Answers{Cells: map[forms.CellRef]forms.Cell{}}}
		for _, f := range ten {
			ref, _ := forms.ParseCellField(f)
			e.Answers.Cells[ref] = forms.Cell{State: forms.CellValue, Value: v}
		}
		return e
	}
	if res, err = s.SaveDraft(ctx, call, aut, edit(res.Version, 1), forms.Actor{Label: "test"}); err != nil {
		t.Fatal(err)
	}
	if _, replans := log.Prepares(); replans != 0 {
		t.Fatalf("%d statements prepared again before any migration", replans)
	}

	// Migrations of another replica, each changing a column from text to
	// varchar, so that statements prepared here change result type: under
	// a look-up outside any transaction, then a read in one, then a save.
	// Before each, every statement is prepared (again) here.
	value := int64(1)
	warm := func() {
		t.Helper()
		if _, err := s.CallByKey(ctx, call.Key); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Draft(ctx, call, aut); err != nil {
			t.Fatal(err)
		}
		value++
		if res, err = s.SaveDraft(ctx, call, aut, edit(res.Version, value), forms.Actor{Label: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	migrate := func(alter string) {
		t.Helper()
		warm()
		log.Take()
		if _, err := db.ExecContext(ctx, alter); err != nil {
			t.Fatalf("%s: %v", alter, err)
		}
	}
	rollbacks := 0
	migrate(`ALTER TABLE calls ALTER COLUMN reference TYPE varchar(200)`)
	got, err := s.CallByKey(ctx, call.Key)
	if err != nil {
		t.Fatalf("the call, after a migration: %v", err)
	}
	if diff := cmp.Diff(call, got); diff != "" {
		t.Errorf("the call after a migration (-before +after):\n%s", diff)
	}
	rollbacks += countOf(log.Take(), "ROLLBACK")

	migrate(`ALTER TABLE drafts ALTER COLUMN updated_by TYPE varchar(500)`)
	after, err := s.Draft(ctx, call, aut)
	if err != nil {
		t.Fatalf("the draft, after a migration: %v", err)
	}
	for _, f := range ten {
		ref, _ := forms.ParseCellField(f)
		before.Answers.Cells[ref] = forms.Cell{State: forms.CellValue, Value: value}
	}
	if diff := cmp.Diff(before.Answers, after.Answers, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("the draft after a migration (-want +got):\n%s", diff)
	}
	rollbacks += countOf(log.Take(), "ROLLBACK")

	migrate(`ALTER TABLE draft_cells ALTER COLUMN note TYPE varchar(4000)`)
	res, err = s.SaveDraft(ctx, call, aut, edit(res.Version, 100), forms.Actor{Label: "test"})
	if err != nil || len(res.Changes) != len(ten) {
		t.Fatalf("a save after a migration: %d changes, %v", len(res.Changes), err)
	}
	rollbacks += countOf(log.Take(), "ROLLBACK")
	if _, replans := log.Prepares(); replans != 3 {
		t.Errorf("the connection's statements were prepared again %d times, want 3 (once a migration)", replans)
	}
	// The draft's and the save's transactions each ran again.
	if rollbacks != 2 {
		t.Errorf("%d transactions rolled back, want 2", rollbacks)
	}
}

func countOf(s []string, v string) int {
	n := 0
	for i := slices.Index(s, v); i >= 0; i = slices.Index(s, v) {
		n++
		s = s[i+1:]
	}
	return n
}
