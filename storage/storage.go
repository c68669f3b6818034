// Package storage implements the portal's domain (package forms) on
// PostgreSQL through sqlx and lib/pq. Each method opens at most one
// transaction; database errors come back as forms error kinds, so callers
// never see a driver error or SQL text.
package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"

	"portal/forms"
)

// Store is the portal's data on one PostgreSQL database. It is safe for
// concurrent use; all state is in the database, so any number of portal
// processes may share it.
type Store struct {
	db        *sqlx.DB
	connector *connector // the pool's, and for a connection outside it (Ping)
	// queue inserts the jobs the store's changes cause.
	queue *river.Client[*sql.Tx]
}

// maxConns is the most connections a store opens.
const maxConns = 25

// Open connects to the database at dsn (a postgres:// URL or a key=value
// string) and checks that it answers. The error names the server, never the
// password, and has kind forms.KindUnavailable when the server cannot be reached.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pq.NewConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", Redact(dsn), err)
	}
	// A statement with parameters goes in one round trip (parse, bind and
	// execute together) rather than two (lib/pq otherwise waits for the
	// parse before it binds). []byte parameters then travel in binary, so
	// the store passes JSON and text as strings.
	cfg.BinaryParameters = true
	pqConn, err := pq.NewConnectorConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", Redact(dsn), err)
	}
	conn := newConnector(pqConn)
	db := sqlx.NewDb(sql.OpenDB(conn), "postgres")
	// As many idle connections kept as open: under load, a connection
	// closed for being one idle too many is opened again a moment later
	// (a new server process, authentication, and the hot statements
	// prepared again).
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	db.SetConnMaxLifetime(time.Hour)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, classify(fmt.Errorf("storage: connect to %s: %w", Redact(dsn), err))
	}
	// Jobs are inserted by a client of their own that works none: any store
	// can cause work (a command line, a test), which the replicas' queues
	// (NewQueue) do.
	inserter, err := river.NewClient(riverdatabasesql.New(db.DB), &river.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("storage: open %s: job queue: %w", Redact(dsn), err)
	}
	return &Store{db: db, connector: conn, queue: inserter}, nil
}

// Close closes the connection pool.
func (s *Store) Close() error { return s.db.Close() }

// Ping checks that the database answers now; the error has kind
// forms.KindUnavailable when it does not. When a connection of the pool
// fails (it may be one the server cut when it restarted), a new connection
// decides: the answer is about the database, not about the pool's old
// connections, which queries replace as they meet them.
func (s *Store) Ping(ctx context.Context) error {
	if s.db.PingContext(ctx) == nil {
		return nil
	}
	conn, err := s.connector.Connect(ctx)
	if err != nil {
		return classify(fmt.Errorf("storage: ping: %w", err))
	}
	defer conn.Close()
	if p, ok := conn.(driver.Pinger); ok {
		if err := p.Ping(ctx); err != nil {
			return classify(fmt.Errorf("storage: ping: %w", err))
		}
	}
	return nil
}

// Redact returns dsn with any password replaced, fit for logs and messages.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return "the configured database"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	u.RawQuery = ""
	return u.String()
}

// classify maps a database error onto a forms error kind, keeping the
// original in the chain for logs: the one place where a query that found no
// row (sql.ErrNoRows) becomes KindNotFound.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return forms.Wrap(forms.KindNotFound, err, "not found")
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		switch {
		case pqErr.Code.Class() == "08", // connection exception
			pqErr.Code == "57P01", pqErr.Code == "57P02", pqErr.Code == "57P03", // shutting down, starting up
			pqErr.Code == "53300": // too many connections
			return forms.Wrap(forms.KindUnavailable, err, "")
		case pqErr.Code == "23505": // unique_violation
			return forms.Wrap(forms.KindConflict, err, "")
		case pqErr.Code.Class() == "23", pqErr.Code.Class() == "22": // integrity, data exception
			return forms.Wrap(forms.KindInvalid, fmt.Errorf("%w: %w", forms.ErrConstraint, err), "")
		}
		return err
	}
	var netErr net.Error
	if errors.Is(err, driver.ErrBadConn) || errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, context.DeadlineExceeded) {
		return forms.Wrap(forms.KindUnavailable, err, "")
	}
	return err
}

// Analyze refreshes PostgreSQL's statistics of the tables, as autovacuum
// does in time: after a bulk load (portal demo generate), so that the next
// queries are planned on the data as it is.
func (s *Store) Analyze(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `ANALYZE`); err != nil {
		return classify(fmt.Errorf("storage: analyze: %w", err))
	}
	return nil
}
