package handlers

import (
	"context"
	"database/sql"
	"testing"

	"portal/storage"
	"portal/storage/storagetest"
)

// TestLanguageRemembered: the language a person signs in with, and the
// one they switch to, is recorded as theirs: the mail they receive is
// written in it.
func TestLanguageRemembered(t *testing.T) {
	url := storagetest.NewDatabase(t)
	store, err := storage.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ts, _ := startServer(t, store)
	lang := func() string {
		t.Helper()
		var l string
		if err := db.QueryRow(`SELECT language FROM users WHERE email = 'focal.point@austria.example.org'`).Scan(&l); err != nil {
			t.Fatal(err)
		}
		return l
	}
	c := clientAs(t, ts.URL, "demo-fp-aut")
	if got := lang(); got != "en" {
		t.Errorf("after signing in: %q, want en", got)
	}
	do(t, c, "GET", ts.URL+"/language/ar?next=/home", nil)
	if got := lang(); got != "ar" {
		t.Errorf("after switching to Arabic: %q, want ar", got)
	}
}
