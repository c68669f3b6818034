// Package pgcluster runs a private PostgreSQL cluster from the system's
// PostgreSQL server binaries: the portal's embedded default database when no
// PORTAL_DATABASE_URL is set, and the test suite's database.
//
// The cluster lives in one directory: initdb on first use, then started on a
// free loopback port (no unix socket, so no path-length or permission trouble
// with the socket directory), password-protected, and reused on every later
// start. Postgres runs as a child of this process and is told to shut down
// fast if this process dies, so a killed portal leaves no server behind; a
// postmaster.pid left by a crash is handled by PostgreSQL itself or, when its
// process is still alive, stopped before the new start.
package pgcluster

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/lib/pq"
)

// superuser is the cluster's bootstrap role; its password is made at initdb
// and kept in the cluster directory, readable by its owner only.
const superuser = "portal"

// ErrNoBinaries is returned (wrapped, with the directories searched) when no
// PostgreSQL server binaries can be found.
var ErrNoBinaries = errors.New("no PostgreSQL server binaries (initdb, postgres) found")

// Options configure Start.
type Options struct {
	// Dir holds the cluster: data/, password, postgresql.log. Created if missing.
	Dir string
	// BinDir is where initdb and postgres are; empty means search the usual places.
	BinDir string
	// Port is the loopback port to listen on; 0 picks a free one at each start.
	Port int
	// Durable keeps fsync on. Tests turn it off: their data is thrown away.
	Durable bool
	// StartTimeout bounds initdb plus the first accepted connection; 0 means 60 s.
	StartTimeout time.Duration
	// Logger receives progress messages; nil means slog.Default().
	Logger *slog.Logger
	// Settings are more server settings, each "name=value", passed as -c
	// (the load run loads pg_stat_statements with them).
	Settings []string
}

// Cluster is a running private PostgreSQL server.
type Cluster struct {
	dir      string
	port     int
	password string
	cmd      *exec.Cmd
	exited   chan struct{} // closed when the server process has exited
	lock     *os.File      // flock held while this process owns the cluster
	log      *slog.Logger
}

// Start initializes the cluster in opts.Dir if needed, starts it, and waits
// until it accepts connections. It fails with an error wrapping
// ErrNoBinaries when the server binaries are missing, and with a clear
// message when another process already runs a cluster from the same directory.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.StartTimeout == 0 {
		opts.StartTimeout = 60 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	ctx, cancel := context.WithTimeout(ctx, opts.StartTimeout)
	defer cancel()

	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	// Binaries first: a machine without PostgreSQL gets that message, and no
	// directory is made for nothing.
	bin, err := FindBinaries(opts.BinDir, readTrimmed(filepath.Join(dir, "data", "PG_VERSION")))
	if err != nil {
		return nil, err
	}
	owner, err := serverOwner()
	if err != nil {
		return nil, err
	}
	if err := prepareDir(dir, owner); err != nil {
		return nil, err
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, lock: lock, log: opts.Logger}
	ok := false
	defer func() {
		if !ok {
			lock.Close()
		}
	}()

	if err := c.initdb(ctx, bin, owner); err != nil {
		return nil, err
	}
	if c.password, err = readSecret(filepath.Join(dir, "password")); err != nil {
		return nil, err
	}
	if err := stopOrphan(ctx, filepath.Join(dir, "data"), c.log); err != nil {
		return nil, err
	}
	// A crashed predecessor's children may hold its shared memory for a
	// moment, and a free port may be taken between choosing and binding it:
	// both pass, so try a few times.
	for attempt := 1; ; attempt++ {
		err = c.start(ctx, bin, owner, opts)
		if err == nil || attempt == 5 || ctx.Err() != nil {
			break
		}
		c.log.Warn("private database did not start, trying again", "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Duration(attempt) * 300 * time.Millisecond):
		}
	}
	if err != nil {
		return nil, err
	}
	ok = true
	return c, nil
}

// RunningURL returns the connection URL of the named database in the
// cluster in dir when another process runs that cluster now (it holds the
// directory's lock), so that a command can work beside a running portal.
// It returns false when nobody runs it, or it cannot be read.
func RunningURL(dir, database string) (string, bool) {
	f, err := os.OpenFile(filepath.Join(dir, "portal.lock"), os.O_RDWR, 0)
	if err != nil {
		return "", false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err == nil {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) // nobody runs it; let Start take it
		return "", false
	}
	port, err := strconv.Atoi(readTrimmed(filepath.Join(dir, "port")))
	password := readTrimmed(filepath.Join(dir, "password"))
	if err != nil || port <= 0 || password == "" {
		return "", false
	}
	c := &Cluster{port: port, password: password}
	return c.URL(database), true
}

// Dir returns the directory that holds the cluster.
func (c *Cluster) Dir() string { return c.dir }

// Port returns the loopback TCP port the server listens on.
func (c *Cluster) Port() int { return c.port }

// URL returns a lib/pq connection URL for the named database as the
// cluster's superuser.
func (c *Cluster) URL(database string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(superuser, c.password),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)),
		Path:     "/" + database,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// CreateDatabase creates the named database unless it exists already.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) error {
	db, err := sql.Open("postgres", c.URL("postgres"))
	if err != nil {
		return fmt.Errorf("pgcluster: create database %s: %w", name, err)
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return fmt.Errorf("pgcluster: create database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name)); err != nil {
		return fmt.Errorf("pgcluster: create database %s: %w", name, err)
	}
	return nil
}

// Stop shuts the server down: a fast shutdown (clients disconnected, data
// flushed), escalated to an immediate one if ctx ends first. It is safe to
// call more than once.
func (c *Cluster) Stop(ctx context.Context) error {
	defer c.lock.Close()
	if c.cmd == nil || c.cmd.Process == nil {
		return nil
	}
	select {
	case <-c.exited:
		return nil
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGINT) // fast shutdown; an error means it has gone already
	select {
	case <-c.exited:
		c.log.Info("private database stopped")
		return nil
	case <-ctx.Done():
	}
	_ = c.cmd.Process.Signal(syscall.SIGQUIT) // immediate shutdown; recovery runs at the next start
	select {
	case <-c.exited:
		return fmt.Errorf("pgcluster: stop: fast shutdown timed out, stopped immediately: %w", ctx.Err())
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.exited
		return fmt.Errorf("pgcluster: stop: server killed after it ignored shutdown: %w", ctx.Err())
	}
}

// Kill stops the server at once with SIGKILL, as a crash would, leaving its
// postmaster.pid behind. It exists for tests of crash recovery.
func (c *Cluster) Kill() {
	if c.cmd != nil && c.cmd.Process != nil {
		_ = c.cmd.Process.Kill() // it may have exited already
		<-c.exited
	}
	c.lock.Close()
}

func (c *Cluster) initdb(ctx context.Context, bin Binaries, owner *syscall.Credential) error {
	data := filepath.Join(c.dir, "data")
	marker := filepath.Join(c.dir, "initialized")
	if _, err := os.Stat(marker); err == nil {
		return nil
	}
	// No marker: never initialized, or initdb was interrupted. Start clean.
	if err := os.RemoveAll(data); err != nil {
		return fmt.Errorf("pgcluster: remove incomplete cluster: %w", err)
	}
	pwfile := filepath.Join(c.dir, "password")
	if err := writeSecret(pwfile, owner); err != nil {
		return err
	}
	c.log.Info("creating the private database (first start)", "dir", c.dir, "postgres", bin.Version)
	cmd := exec.CommandContext(ctx, bin.Initdb,
		"--pgdata="+data,
		"--username="+superuser,
		"--pwfile="+pwfile,
		"--auth=scram-sha-256",
		"--encoding=UTF8",
		"--no-locale",
		"--no-instructions",
	)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: owner, Setpgid: true}
	cmd.Dir = c.dir
	cmd.Env = serverEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pgcluster: initdb in %s: %w\n%s", data, err, lastLines(out, 15))
	}
	if err := os.WriteFile(marker, []byte(bin.Version+"\n"), 0o600); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	return nil
}

func (c *Cluster) start(ctx context.Context, bin Binaries, owner *syscall.Credential, opts Options) error {
	port := opts.Port
	if port == 0 {
		var err error
		if port, err = freePort(); err != nil {
			return err
		}
	}
	logPath := filepath.Join(c.dir, "postgresql.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("pgcluster: open server log: %w", err)
	}
	defer logFile.Close() // the child has its own copy of the descriptor
	logStart, _ := logFile.Seek(0, 2)

	args := []string{
		"-D", filepath.Join(c.dir, "data"),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "port=" + strconv.Itoa(port),
		"-c", "unix_socket_directories=",
		"-c", "logging_collector=off",
		"-c", "max_connections=200",
	}
	if !opts.Durable {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	for _, kv := range opts.Settings {
		args = append(args, "-c", kv)
	}
	// Not CommandContext: the server must outlive the start-up context.
	cmd := exec.Command(bin.Postgres, args...)
	cmd.Dir = c.dir
	cmd.Env = serverEnv()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: owner,
		// Its own process group: a Ctrl-C in the terminal reaches the portal,
		// which stops the server after its last request.
		Setpgid: true,
		// If the portal dies without stopping it, postgres gets a fast shutdown.
		Pdeathsig: syscall.SIGINT,
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("pgcluster: start postgres: %w", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait() // the exit status is read from the log when it matters
		close(exited)
	}()
	c.cmd, c.exited, c.port = cmd, exited, port

	db, err := sql.Open("postgres", c.URL("postgres"))
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	defer db.Close()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		pingCtx, cancel := context.WithTimeout(ctx, time.Second)
		err := db.PingContext(pingCtx)
		cancel()
		if err == nil {
			// For other processes (the command line) while this one runs it.
			if err := os.WriteFile(filepath.Join(c.dir, "port"), []byte(strconv.Itoa(port)+"\n"), 0o600); err != nil {
				return fmt.Errorf("pgcluster: %w", err)
			}
			c.log.Info("private database ready", "port", port, "dir", c.dir)
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("pgcluster: postgres exited while starting; its log says:\n%s", logSince(logPath, logStart))
		case <-ctx.Done():
			_ = cmd.Process.Kill()
			<-exited
			return fmt.Errorf("pgcluster: postgres did not accept connections in time (%v); its log says:\n%s", err, logSince(logPath, logStart))
		case <-tick.C:
		}
	}
}
