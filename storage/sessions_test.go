package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"

	"portal/storage"
	"portal/storage/storagetest"
)

// The store must satisfy scs's interfaces; this is where that is checked,
// since the storage package itself does not import scs.
var (
	_ scs.Store    = storage.SessionStore{}
	_ scs.CtxStore = storage.SessionStore{}
)

func TestSessionStore(t *testing.T) {
	s := storagetest.NewStore(t)
	st := s.SessionStore()
	ctx := context.Background()
	if _, found, err := st.FindCtx(ctx, "nope"); err != nil || found {
		t.Fatalf("FindCtx of an unknown token = found %v, err %v", found, err)
	}
	if err := st.CommitCtx(ctx, "tok", []byte("data-1"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := st.CommitCtx(ctx, "tok", []byte("data-2"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	b, found, err := st.FindCtx(ctx, "tok")
	if err != nil || !found || string(b) != "data-2" {
		t.Fatalf("FindCtx = %q, %v, %v; want the last commit", b, found, err)
	}
	if err := st.CommitCtx(ctx, "old", []byte("x"), time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := st.FindCtx(ctx, "old"); found {
		t.Error("an expired session was found")
	}
	if n, err := s.DeleteExpiredSessions(ctx); err != nil || n != 1 {
		t.Errorf("DeleteExpiredSessions = %d, %v; want 1", n, err)
	}
	if err := st.DeleteCtx(ctx, "tok"); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := st.FindCtx(ctx, "tok"); found {
		t.Error("a deleted session was found")
	}
}
