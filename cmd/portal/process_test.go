package main

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/lib/pq"

	"portal/migrations"
	"portal/storage"
	"portal/storage/storagetest"
)

// portalBin is the portal binary built once for the tests that run it as a
// real process.
var portalBin string

func TestMain(m *testing.M) { os.Exit(runTests(m)) }

// runTests builds the binary, runs the tests, and cleans up after them;
// unlike storagetest.Main it returns, so that its defers run.
func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "portal-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	portalBin = filepath.Join(dir, "portal")
	build := exec.Command("go", "build", "-o", portalBin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "build the portal: %v\n", err)
		return 1
	}
	defer storagetest.Teardown()
	return m.Run()
}

// process is a portal running as a child process.
type process struct {
	cmd    *exec.Cmd
	stdout *lockedBuffer
	stderr *lockedBuffer
	done   chan struct{} // closed once it has exited
	err    error         // Wait's result, set before done closes
}

// startPortal starts the portal binary with args, in an environment that is
// the test's own without PORTAL_* variables plus vars ("NAME=value"). It is
// killed when t ends, if it still runs; its stderr is logged if t failed.
func startPortal(t *testing.T, vars []string, args ...string) *process {
	t.Helper()
	return startBinary(t, portalBin, vars, args...)
}

// startBinary is startPortal with the portal binary at bin.
func startBinary(t *testing.T, bin string, vars []string, args ...string) *process {
	t.Helper()
	p := &process{stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = childEnv(vars)
	p.cmd.Dir = t.TempDir() // a relative PORTAL_DATA_DIR lands here, not in the source tree
	p.cmd.Stdout = p.stdout
	p.cmd.Stderr = p.stderr
	p.cmd.WaitDelay = 5 * time.Second
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start portal %v: %v", args, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill() // fails harmlessly once it has exited
		<-p.done
		if t.Failed() {
			t.Logf("stderr of portal %s:\n%s", strings.Join(args, " "), p.stderr)
		}
	})
	return p
}

// wait waits up to timeout for the process to exit and returns its exit
// code; it fails t if the process does not exit in time.
func (p *process) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		t.Fatalf("portal did not exit within %v", timeout)
	}
	var exit *exec.ExitError
	if errors.As(p.err, &exit) {
		return exit.ExitCode()
	}
	if p.err != nil {
		t.Fatalf("wait for portal: %v", p.err)
	}
	return 0
}

// exited reports whether the process has exited.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// childEnv is this process's environment without PORTAL_* variables, plus vars.
func childEnv(vars []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PORTAL_") {
			env = append(env, kv)
		}
	}
	return append(env, vars...)
}

// lockedBuffer is a bytes.Buffer safe to read while a process writes to it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

var httpClient = &http.Client{Timeout: 5 * time.Second}

// get fetches url and returns the status code and body.
func get(url string) (int, string, error) {
	resp, err := httpClient.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// waitReady polls /readyz at addr until it answers 200; it fails t if that
// takes longer than timeout or the process exits first.
func waitReady(t *testing.T, p *process, addr string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for {
		code, body, err := get("http://" + addr + "/readyz")
		if err == nil && code == http.StatusOK {
			return
		}
		last = fmt.Sprintf("status %d %q, error %v", code, body, err)
		if p.exited() {
			t.Fatalf("portal exited before /readyz answered 200 (last answer: %s)", last)
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz did not answer 200 within %v (last answer: %s)", timeout, last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// processesMentioning returns the pids of processes whose command line
// contains s.
func processesMentioning(s string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && bytes.Contains(cmdline, []byte(s)) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// waitNoProcessMentions waits up to timeout until no process mentions s;
// it returns the survivors, if any.
func waitNoProcessMentions(s string, timeout time.Duration) []int {
	deadline := time.Now().Add(timeout)
	for {
		pids := processesMentioning(s)
		if len(pids) == 0 || time.Now().After(deadline) {
			return pids
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestTwoMigratesAtOnce(t *testing.T) {
	t.Parallel()
	dbURL := storagetest.NewEmptyDatabase(t)

	var procs []*process
	for range 2 {
		procs = append(procs, startPortal(t, []string{"PORTAL_DATABASE_URL=" + dbURL}, "migrate"))
	}
	for i, p := range procs {
		if code := p.wait(t, 2*time.Minute); code != 0 {
			t.Fatalf("migrate #%d exited %d, want 0", i+1, code)
		}
	}

	files, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migration files embedded (%v)", err)
	}
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var count int
	if err := db.QueryRow(`SELECT count(*) FROM goose_db_version WHERE version_id > 0`).Scan(&count); err != nil {
		t.Fatal(err)
	}
	if want := len(files) + len(storage.GoMigrations()); count != want {
		t.Errorf("goose_db_version holds %d applied migrations, want %d (%v and the job queue's)", count, want, files)
	}
	for _, f := range files {
		version, err := strconv.ParseInt(strings.SplitN(f, "_", 2)[0], 10, 64)
		if err != nil {
			t.Fatalf("migration %s has no version number: %v", f, err)
		}
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM goose_db_version WHERE version_id = $1`, version).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("migration %s (version %d) recorded %d times, want once", f, version, n)
		}
	}
}

func TestKilledPortalRestarts(t *testing.T) {
	t.Parallel()
	dataDir := storagetest.NewDir(t) + "/var"
	// Registered after NewDir's cleanup, so it runs before the directory goes:
	// whatever happened, give the private postgres time to stop.
	t.Cleanup(func() {
		if pids := waitNoProcessMentions(dataDir, 30*time.Second); len(pids) > 0 {
			t.Errorf("processes %v still use %s", pids, dataDir)
		}
	})
	env := func(addr string) []string {
		return []string{"PORTAL_DATA_DIR=" + dataDir, "PORTAL_ADDR=" + addr}
	}

	addr := freeAddr(t)
	first := startPortal(t, env(addr), "serve")
	waitReady(t, first, addr, 90*time.Second)
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if code := first.wait(t, 10*time.Second); code != -1 {
		t.Errorf("killed portal: exit code %d, want -1 (killed by a signal)", code)
	}

	addr = freeAddr(t)
	second := startPortal(t, env(addr), "serve")
	waitReady(t, second, addr, 60*time.Second)
	code, body, err := get("http://" + addr + "/")
	if err != nil || code != http.StatusOK || !strings.Contains(body, "193") {
		t.Errorf("GET / after restart: status %d, error %v, mentions 193: %v", code, err, strings.Contains(body, "193"))
	}

	if err := second.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := second.wait(t, 30*time.Second); code != 0 {
		t.Fatalf("portal exited %d after SIGTERM, want 0", code)
	}
	if pids := processesMentioning(dataDir); len(pids) > 0 {
		t.Errorf("after the portal stopped, processes %v still mention %s", pids, dataDir)
	}
	pidFile := filepath.Join(dataDir, "pg", "data", "postmaster.pid")
	if _, err := os.Stat(pidFile); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s is still there after the portal stopped (stat: %v)", pidFile, err)
	}
}

func TestNoPostgresBinaries(t *testing.T) {
	t.Parallel()
	p := startPortal(t, []string{
		"PORTAL_PG_BINDIR=" + t.TempDir(),
		"PORTAL_DATA_DIR=" + storagetest.NewDir(t) + "/var",
	}, "migrate")
	if code := p.wait(t, 30*time.Second); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	stderr := p.stderr.String()
	for _, want := range []string{"apt-get install postgresql", "PORTAL_DATABASE_URL"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not contain %q", want)
		}
	}
	for _, unwanted := range []string{"goroutine", "panic"} {
		if strings.Contains(stderr, unwanted) {
			t.Errorf("stderr contains %q", unwanted)
		}
	}
}

func TestProductionRefusesUnsafeSettings(t *testing.T) {
	t.Parallel()
	p := startPortal(t, []string{"PORTAL_ENV=production"}, "serve")
	if code := p.wait(t, 10*time.Second); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	stderr := p.stderr.String()
	for _, want := range []string{"PORTAL_DATABASE_URL", "PORTAL_BASE_URL"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not name %s", want)
		}
	}
}

// TestAddressTaken: with its address taken by another program, the portal
// fails at once, before starting its database, migrating or seeding, and
// says what to do.
func TestAddressTaken(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	dataDir := storagetest.NewDir(t) + "/var"
	started := time.Now()
	p := startPortal(t, []string{"PORTAL_DATA_DIR=" + dataDir, "PORTAL_ADDR=" + taken.Addr().String()}, "serve")
	if code := p.wait(t, 30*time.Second); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if took := time.Since(started); took > 5*time.Second {
		t.Errorf("the portal took %v to fail, want at once", took)
	}
	stderr := p.stderr.String()
	for _, want := range []string{taken.Addr().String(), "another program is using that address", "PORTAL_ADDR"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr)
		}
	}
	for _, unwanted := range []string{"migrat", "database", "WARN", "goroutine"} {
		if strings.Contains(strings.ToLower(stderr), strings.ToLower(unwanted)) {
			t.Errorf("stderr mentions %q: the portal did more than fail:\n%s", unwanted, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dataDir, "pg")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the private database was set up in %s/pg before the portal failed (stat: %v)", dataDir, err)
	}
}
