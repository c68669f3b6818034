package storage

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/lib/pq"
)

// The store's connections come from connector, which wraps lib/pq's:
//
//   - A hot statement (one of hotStatements: those behind every page, a
//     draft's section and a save) is prepared once per connection, on its
//     first use there, and executed by name from then on: PostgreSQL parses
//     and plans it once per connection instead of at every execution (it
//     was 57 % of PostgreSQL's time behind the statistics section). The
//     store prepares them all at start (Store.Migrate), so that a broken
//     hot statement stops the start rather than a page.
//   - A prepared statement whose result type a migration changed (SQLSTATE
//     0A000, "cached plan must not change result type", when a replica
//     that started before the migration runs it) is prepared again, with
//     every other of its connection: at once and transparently outside a
//     transaction; inside one, which that error has aborted, withTx runs
//     the transaction again (see errPlanChanged).
//   - A test may log the statements the store sends (Store.LogStatements),
//     to count those behind a page.
//
// Other statements go to lib/pq as they are, unnamed: parsed and planned
// at each execution, in one round trip (binary_parameters, see Open).
type connector struct {
	pq  driver.Connector
	hot map[string]bool // the statements prepared once per connection; not changed after Open
	log atomic.Pointer[StatementLog]
}

// pqConn is what the store uses of lib/pq's connections; newConnector
// checks that they have it all, so that nothing lib/pq does (its
// conversions of parameters, its checks of a connection before reuse) is
// lost in the wrapping.
type pqConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.QueryerContext
	driver.ExecerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
	driver.NamedValueChecker
}

func newConnector(pq driver.Connector) *connector {
	hot := map[string]bool{}
	for _, q := range hotStatements() {
		hot[q] = true
	}
	return &connector{pq: pq, hot: hot}
}

func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.pq.Connect(ctx)
	if err != nil {
		return nil, err
	}
	pc, ok := dc.(pqConn)
	if !ok {
		dc.Close()
		return nil, fmt.Errorf("storage: the driver's connection (%T) lacks a method the store uses", dc)
	}
	return &conn{pqConn: pc, c: c, stmts: map[string]driver.Stmt{}}, nil
}

func (c *connector) Driver() driver.Driver { return c.pq.Driver() }

// conn is one connection, with its prepared statements. database/sql uses
// a connection from one goroutine at a time, so it needs no lock.
type conn struct {
	pqConn
	c     *connector
	stmts map[string]driver.Stmt // hot statements prepared here, by SQL
	stale []driver.Stmt          // prepared statements to close once out of the transaction
	inTx  bool
}

// errPlanChanged marks the error of a prepared statement whose result
// type a migration changed, met inside a transaction: the connection's
// statements are dropped, and withTx runs the transaction again.
var errPlanChanged = errors.New("storage: a prepared statement's result type changed")

// planChanged reports whether err is PostgreSQL's "cached plan must not
// change result type".
func planChanged(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "0A000" && strings.Contains(pqErr.Message, "cached plan")
}

func (cn *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cn.c.log.Load().add(query)
	if !cn.c.hot[query] {
		return cn.pqConn.QueryContext(ctx, query, args)
	}
	st, err := cn.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := st.(driver.StmtQueryContext).QueryContext(ctx, args)
	if planChanged(err) {
		if st, err = cn.replan(ctx, query, err); err != nil {
			return nil, err
		}
		rows, err = st.(driver.StmtQueryContext).QueryContext(ctx, args)
	}
	return rows, err
}

func (cn *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cn.c.log.Load().add(query)
	if !cn.c.hot[query] {
		return cn.pqConn.ExecContext(ctx, query, args)
	}
	st, err := cn.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	res, err := st.(driver.StmtExecContext).ExecContext(ctx, args)
	if planChanged(err) {
		if st, err = cn.replan(ctx, query, err); err != nil {
			return nil, err
		}
		res, err = st.(driver.StmtExecContext).ExecContext(ctx, args)
	}
	return res, err
}

// prepared returns the connection's prepared statement of the hot query,
// preparing it on first use.
func (cn *conn) prepared(ctx context.Context, query string) (driver.Stmt, error) {
	if !cn.inTx {
		cn.closeStale()
	}
	if st, ok := cn.stmts[query]; ok {
		return st, nil
	}
	st, err := cn.pqConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	cn.c.log.Load().prepared()
	cn.stmts[query] = st
	return st, nil
}

// replan drops the connection's prepared statements after the execution
// of query failed with err because its result type changed: a migration
// ran, which may have changed others too, and each is prepared again at
// its next use. Outside a transaction it prepares query again and returns
// it; inside one, which err has aborted, it returns errPlanChanged.
func (cn *conn) replan(ctx context.Context, query string, err error) (driver.Stmt, error) {
	for _, st := range cn.stmts {
		cn.stale = append(cn.stale, st)
	}
	clear(cn.stmts)
	cn.c.log.Load().replanned()
	if cn.inTx {
		return nil, fmt.Errorf("%w: %w", errPlanChanged, err)
	}
	return cn.prepared(ctx, query)
}

// closeStale closes the statements dropped since their result type
// changed; not inside a transaction, which may be aborted.
func (cn *conn) closeStale() {
	for _, st := range cn.stale {
		// A statement that does not close stays on the server until the
		// connection ends; it is no longer used.
		_ = st.Close()
	}
	cn.stale = nil
}

func (cn *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	cn.c.log.Load().add("BEGIN")
	cn.closeStale()
	tx, err := cn.pqConn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	cn.inTx = true
	return &txn{Tx: tx, cn: cn}, nil
}

// Close closes the connection; its prepared statements end with it.
func (cn *conn) Close() error { return cn.pqConn.Close() }

// txn ends a transaction of a conn.
type txn struct {
	driver.Tx
	cn *conn
}

func (t *txn) Commit() error {
	t.cn.c.log.Load().add("COMMIT")
	t.cn.inTx = false
	return t.Tx.Commit()
}

func (t *txn) Rollback() error {
	t.cn.c.log.Load().add("ROLLBACK")
	t.cn.inTx = false
	return t.Tx.Rollback()
}

// prepareAll prepares every hot statement on the connection, so that a
// broken one fails now, and names those that do not prepare.
func (cn *conn) prepareAll(ctx context.Context) error {
	var errs []error
	for _, q := range hotStatements() {
		if _, err := cn.prepared(ctx, q); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", strings.Join(strings.Fields(q), " "), err))
		}
	}
	return errors.Join(errs...)
}

// prepareHot prepares the hot statements on a connection of the pool; the
// error names each that does not prepare, after a migration.
func (s *Store) prepareHot(ctx context.Context) error {
	c, err := s.db.Conn(ctx)
	if err != nil {
		return classify(fmt.Errorf("storage: prepare statements: %w", err))
	}
	defer c.Close()
	err = c.Raw(func(dc any) error {
		cn, ok := dc.(*conn)
		if !ok {
			return fmt.Errorf("a connection of type %T", dc)
		}
		return cn.prepareAll(ctx)
	})
	if err != nil {
		return classify(fmt.Errorf("storage: prepare statements: %w", err))
	}
	return nil
}

// hotStatements are the statements prepared once per connection: those
// behind every page of a signed-in user (the session, the user), a
// draft's section (the organization, the call, the draft, its
// submission), the organization's page, and a save of a draft.
func hotStatements() []string {
	return []string{
		findSessionSQL, commitSessionSQL, userByIDSQL, organizationByCodeSQL, callByKeySQL,
		draftSQL, draftAnswersSQL, draftCellsSQL, draftExplanationsSQL, filesSQL, submissionSQL, versionsSQL,
		membersSQL, organizationInvitationsSQL, callsSQL, submissionsOfSQL, versionsOfSQL, coversOfSQL,
		ensureDraftSQL, lockDraftSQL, draftAnswersOfSQL, draftCellsOfSQL, draftExplanationsOfSQL, fieldsAtSQL,
		upsertAnswersSQL, deleteAnswersSQL, upsertCellsSQL, deleteCellsSQL, upsertExplanationsSQL, deleteExplanationsSQL,
		recordSaveSQL, draftVersionSQL, deleteUnusedFilesSQL, insertAuditSQL,
	}
}

// StatementLog holds the statements a store sent while it logged them
// (Store.LogStatements): for tests that count the statements behind a
// page, so that a query added per row of something fails them.
type StatementLog struct {
	mu         sync.Mutex
	statements []string
	prepares   int
	replans    int
}

// LogStatements starts logging every statement the store sends, on any
// connection, into a new log, and returns it; a later call starts another.
// For tests: the log grows until Take empties it.
func (s *Store) LogStatements() *StatementLog {
	l := &StatementLog{}
	s.connector.log.Store(l)
	return l
}

// Take returns the statements logged since the last Take, in the order
// they were sent (BEGIN, COMMIT and ROLLBACK as such), and empties the log.
func (l *StatementLog) Take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.statements
	l.statements = nil
	return out
}

// Prepares returns how many times a hot statement was prepared on a
// connection, and how many of those were again, after its result type changed.
func (l *StatementLog) Prepares() (prepares, replans int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.prepares, l.replans
}

func (l *StatementLog) add(query string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.statements = append(l.statements, strings.Join(strings.Fields(query), " "))
	l.mu.Unlock()
}

func (l *StatementLog) prepared() {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.prepares++
	l.mu.Unlock()
}

func (l *StatementLog) replanned() {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.replans++
	l.mu.Unlock()
}
