package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SessionStore returns the store of signed-in sessions: rows in the
// sessions table, so that sessions survive restarts and every replica sees
// them. It satisfies scs.Store and scs.CtxStore (without this package
// importing scs, which would bring net/http into storage). Errors come back
// as forms kinds (KindUnavailable when the database is down).
func (s *Store) SessionStore() SessionStore { return SessionStore{s} }

// SessionStore keeps sessions in PostgreSQL; see Store.SessionStore.
type SessionStore struct{ s *Store }

const findSessionSQL = `SELECT data FROM sessions WHERE token = $1 AND expiry > now()`

func (st SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var data []byte
	err := st.s.db.QueryRowContext(ctx, findSessionSQL, token).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, classify(fmt.Errorf("storage: find session: %w", err))
	}
	return data, true, nil
}

const commitSessionSQL = `
		INSERT INTO sessions (token, data, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry`

func (st SessionStore) CommitCtx(ctx context.Context, token string, data []byte, expiry time.Time) error {
	_, err := st.s.db.ExecContext(ctx, commitSessionSQL, token, data, expiry)
	if err != nil {
		return classify(fmt.Errorf("storage: save session: %w", err))
	}
	return nil
}

func (st SessionStore) DeleteCtx(ctx context.Context, token string) error {
	if _, err := st.s.db.ExecContext(ctx, `DELETE FROM sessions WHERE token = $1`, token); err != nil {
		return classify(fmt.Errorf("storage: delete session: %w", err))
	}
	return nil
}

// The context-free methods scs.Store also asks for; scs calls the Ctx ones.
func (st SessionStore) Find(token string) ([]byte, bool, error) {
	return st.FindCtx(context.Background(), token)
}
func (st SessionStore) Commit(token string, data []byte, expiry time.Time) error {
	return st.CommitCtx(context.Background(), token, data, expiry)
}
func (st SessionStore) Delete(token string) error { return st.DeleteCtx(context.Background(), token) }

// DeleteExpiredSessions removes sessions past their expiry and returns how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE expiry <= now()`)
	if err != nil {
		return 0, classify(fmt.Errorf("storage: delete expired sessions: %w", err))
	}
	return res.RowsAffected()
}
