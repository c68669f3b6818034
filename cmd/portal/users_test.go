package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"portal/storage/storagetest"
)

// runBinary runs the built binary to completion and returns its exit code,
// stdout and stderr.
func runBinary(t *testing.T, vars []string, args ...string) (int, string, string) {
	t.Helper()
	p := startPortal(t, vars, args...)
	code := p.wait(t, time.Minute)
	return code, p.stdout.String(), p.stderr.String()
}

func TestUsersCommands(t *testing.T) {
	t.Parallel()
	env := []string{"PORTAL_DATABASE_URL=" + storagetest.NewDatabase(t)}
	steps := []struct {
		args     []string
		code     int
		out, err string // substrings expected in stdout, stderr
	}{
		{[]string{"users", "invite", "--email", "Focal.Point@BMI.gv.at", "--org", "aut", "--role", "focal_point"}, 0, `Invited focal\.point@bmi\.gv\.at as focal_point of AUT`, ""},
		{[]string{"users", "invite", "--email", "focal.point@bmi.gv.at", "--org", "AUT", "--role", "focal_point"}, 1, "", "already invited"},
		{[]string{"users", "grant", "--email", "chief@unodc.example.org", "--role", "admin"}, 0, "Invited chief@unodc.example.org as admin", ""},
		{[]string{"users", "list"}, 0, `focal\.point@bmi\.gv\.at +focal_point of AUT`, ""},
		{[]string{"users", "revoke", "--email", "focal.point@bmi.gv.at", "--org", "AUT", "--role", "focal_point"}, 0, "Revoked the open invitation", ""},
		{[]string{"users", "revoke", "--email", "focal.point@bmi.gv.at", "--org", "AUT", "--role", "focal_point"}, 1, "", "no open invitation"},
		// Bad input: each says what is wrong and changes nothing.
		{[]string{"users", "invite", "--email", "not-an-address", "--org", "AUT", "--role", "focal_point"}, 1, "", "--email: Enter an e-mail address"},
		{[]string{"users", "invite", "--email", "x@example.org", "--org", "XYZ", "--role", "focal_point"}, 1, "", "no such organization"},
		{[]string{"users", "invite", "--email", "x@example.org", "--org", "AUT", "--role", "admin"}, 1, "", "focal_point or contributor"},
		{[]string{"users", "grant", "--email", "x@example.org", "--role", "focal_point"}, 1, "", "analyst, commission or admin"},
		{[]string{"users", "revoke", "--email", "x@example.org", "--role", "contributor"}, 1, "", "--org is needed"},
		{[]string{"users", "frobnicate"}, 2, "", "unknown command"},
		{[]string{"users", "list", "extra"}, 2, "", "unexpected argument"},
	}
	for _, st := range steps {
		code, stdout, stderr := runBinary(t, env, st.args...)
		if code != st.code || !regexp.MustCompile(st.out).MatchString(stdout) || !regexp.MustCompile(st.err).MatchString(stderr) {
			t.Errorf("portal %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(st.args, " "), code, st.code, stdout, stderr)
		}
		if strings.Contains(stderr, "panic") || strings.Contains(stderr, "pq:") || strings.Contains(stderr, "storage:") {
			t.Errorf("portal %s: stderr shows internals: %s", strings.Join(st.args, " "), stderr)
		}
	}
	_, stdout, _ := runBinary(t, env, "users", "list")
	if strings.Contains(stdout, "x@example.org") {
		t.Errorf("a refused command left an invitation behind:\n%s", stdout)
	}
}

// TestUsersBesideRunningPortal: the command line works while a development
// portal runs its private database.
func TestUsersBesideRunningPortal(t *testing.T) {
	t.Parallel()
	dataDir := storagetest.NewDir(t) + "/var"
	addr := freeAddr(t)
	env := []string{"PORTAL_DATA_DIR=" + dataDir, "PORTAL_ADDR=" + addr}
	p := startPortal(t, env, "serve")
	waitReady(t, p, addr, 90*time.Second)
	code, stdout, stderr := runBinary(t, env, "users", "list")
	if code != 0 || !strings.Contains(stdout, "focal.point@austria.example.org") {
		t.Fatalf("users list beside a running portal: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
}
