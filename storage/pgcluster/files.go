package pgcluster

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Finding PostgreSQL's programs, and the cluster's directory, lock,
// secret and port.

// Binaries are the PostgreSQL server programs the cluster runs.
type Binaries struct {
	Initdb, Postgres string
	Version          string // major version, such as "15"
}

// FindBinaries looks for initdb and postgres: in binDir when it is set;
// otherwise in the Debian layout /usr/lib/postgresql/N/bin (the highest N,
// or the one matching wantVersion when a cluster of that version exists),
// in the directory `pg_config --bindir` names, and on PATH. It returns an
// error wrapping ErrNoBinaries that says what to install when none are found.
func FindBinaries(binDir, wantVersion string) (Binaries, error) {
	var dirs []string
	if binDir != "" {
		dirs = []string{binDir}
	} else {
		debian, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
		sort.Slice(debian, func(i, j int) bool { return majorOf(debian[i]) > majorOf(debian[j]) })
		if wantVersion != "" {
			for i, d := range debian {
				if strconv.Itoa(majorOf(d)) == wantVersion {
					debian[0], debian[i] = debian[i], debian[0]
				}
			}
		}
		dirs = append(dirs, debian...)
		if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
			dirs = append(dirs, strings.TrimSpace(string(out)))
		}
		if p, err := exec.LookPath("initdb"); err == nil {
			dirs = append(dirs, filepath.Dir(p))
		}
		dirs = append(dirs, "/usr/local/pgsql/bin")
	}
	for _, d := range dirs {
		b := Binaries{Initdb: filepath.Join(d, "initdb"), Postgres: filepath.Join(d, "postgres")}
		if !isExecutable(b.Initdb) || !isExecutable(b.Postgres) {
			continue
		}
		out, err := exec.Command(b.Postgres, "--version").Output()
		if err != nil {
			continue
		}
		b.Version = majorFromVersion(string(out))
		if wantVersion != "" && b.Version != wantVersion {
			return Binaries{}, fmt.Errorf("pgcluster: the private database was made by PostgreSQL %s but the server binaries found (%s) are PostgreSQL %s: install postgresql-%s, or set PORTAL_PG_BINDIR to its bin directory", wantVersion, d, b.Version, wantVersion)
		}
		return b, nil
	}
	where := "in " + strings.Join(dirs, ", ")
	if binDir == "" && len(dirs) == 0 {
		where = "on PATH or under /usr/lib/postgresql"
	}
	return Binaries{}, fmt.Errorf("%w %s. Install them (on Debian or Ubuntu: apt-get install postgresql), set PORTAL_PG_BINDIR to their directory, or set PORTAL_DATABASE_URL to use an existing PostgreSQL server", ErrNoBinaries, where)
}

// serverOwner returns the credential to run the server under: nil (this
// process's own) unless this process is root, which PostgreSQL refuses to
// run as; then the postgres user's.
func serverOwner() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("pgcluster: running as root, the private database must run as the postgres user, and there is none (%v): install PostgreSQL from the system's packages, run the portal as another user, or set PORTAL_DATABASE_URL", err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
}

// prepareDir creates the cluster directory, owned by the server's user and
// private to it, and checks that user can reach it.
func prepareDir(dir string, owner *syscall.Credential) error {
	// Parents open to traverse (the postgres user must reach dir), dir private.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("pgcluster: create %s: %w", filepath.Dir(dir), err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("pgcluster: create %s: %w", dir, err)
	}
	if owner == nil {
		return nil
	}
	// Give the directory to the server's user, unless it has it already. A
	// server of a killed portal may still be shutting down and removing its
	// files meanwhile: a file that vanishes needs no owner.
	if fi, err := os.Stat(dir); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	} else if st, ok := fi.Sys().(*syscall.Stat_t); !ok || st.Uid != owner.Uid {
		err := filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
			if err == nil {
				err = os.Lchown(p, int(owner.Uid), int(owner.Gid))
			}
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("pgcluster: give %s to the postgres user: %w", dir, err)
		}
	}
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
		st, _ := fi.Sys().(*syscall.Stat_t)
		mode := fi.Mode().Perm()
		reachable := mode&0o001 != 0 ||
			(st != nil && st.Uid == owner.Uid && mode&0o100 != 0) ||
			(st != nil && st.Gid == owner.Gid && mode&0o010 != 0)
		if !reachable {
			return fmt.Errorf("pgcluster: the postgres user cannot reach %s because %s is private (mode %#o): choose a PORTAL_DATA_DIR it can reach, or run chmod o+x %s", dir, p, mode, p)
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// lockDir takes an exclusive lock on the cluster directory for the life of
// this process, so that two portals never run the same cluster.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "portal.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("pgcluster: another portal process is using the private database in %s: stop it first, or point this one at another PORTAL_DATA_DIR or at a PORTAL_DATABASE_URL", dir)
	}
	return f, nil
}

// stopOrphan clears the way for a start. A postmaster.pid names the process
// that last ran the cluster. If that process is still a postgres serving
// this data directory, it is an orphan (its portal died without the death
// signal reaching it) and is stopped. If the pid now belongs to another
// process (after a reboot, perhaps another PostgreSQL server), the file is
// stale and removed, since PostgreSQL would take that process for a running
// server and refuse to start. If no process has the pid, PostgreSQL ignores
// the file itself. The caller holds the directory's lock, so no portal is
// using the cluster.
func stopOrphan(ctx context.Context, data string, log *slog.Logger) error {
	pidFile := filepath.Join(data, "postmaster.pid")
	first := strings.SplitN(readTrimmed(pidFile), "\n", 2)[0]
	pid, err := strconv.Atoi(first)
	if err != nil || pid <= 0 {
		return nil
	}
	if !alive(pid) {
		return nil
	}
	args := strings.Split(readTrimmed(fmt.Sprintf("/proc/%d/cmdline", pid)), "\x00")
	i := slices.Index(args, "-D")
	if readTrimmed(fmt.Sprintf("/proc/%d/comm", pid)) != "postgres" || i < 0 || i+1 >= len(args) || args[i+1] != data {
		log.Warn("removing a stale postmaster.pid whose pid now belongs to another process", "pid", pid, "file", pidFile)
		if err := os.Remove(pidFile); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("pgcluster: remove stale %s: %w", pidFile, err)
		}
		return nil
	}
	log.Warn("stopping a private database left running by an earlier portal", "pid", pid)
	p, err := os.FindProcess(pid)
	if err != nil {
		return nil
	}
	_ = p.Signal(syscall.SIGINT)
	for i := 0; ; i++ {
		if !alive(pid) {
			return nil
		}
		if i == 200 { // 20 s
			_ = p.Signal(syscall.SIGQUIT)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("pgcluster: an earlier server (pid %d) in %s did not stop: %w", pid, data, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// alive reports whether a process with the pid exists and has not exited (a
// zombie waiting for its parent, perhaps an init that does not reap, has).
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	stat := readTrimmed(fmt.Sprintf("/proc/%d/stat", pid))
	if i := strings.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z'
	}
	return true
}

func writeSecret(path string, owner *syscall.Credential) error {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(b)+"\n"), 0o600); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if owner != nil {
		if err := os.Chown(path, int(owner.Uid), int(owner.Gid)); err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
	}
	return nil
}

func readSecret(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("pgcluster: read the private database's password: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgcluster: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// serverEnv is the environment for initdb and postgres: ours without the
// PG* variables, which would otherwise steer them.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			env = append(env, kv)
		}
	}
	return append(env, "LC_ALL=C")
}

func readTrimmed(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

func majorOf(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// majorFromVersion reads "postgres (PostgreSQL) 15.19 (Debian ...)" as "15".
func majorFromVersion(s string) string {
	for _, f := range strings.Fields(s) {
		if f != "" && f[0] >= '0' && f[0] <= '9' {
			return strings.SplitN(f, ".", 2)[0]
		}
	}
	return ""
}

func logSince(path string, offset int64) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	if offset >= 0 && offset <= int64(len(b)) {
		b = b[offset:]
	}
	return lastLines(b, 15)
}

func lastLines(b []byte, n int) string {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
