package migrations

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// checksumsFile lists the SHA-256 of every migration, one "<sum>  <file>"
// line each (sha256sum's format), append-only: a migration that has landed
// never changes, so neither does its line.
const checksumsFile = "checksums.txt"

var migrationName = regexp.MustCompile(`^(\d{5})_[a-z0-9_]+\.sql$`)

// TestChecksums fails when a migration differs from the checksum recorded
// for it, when a migration has none, or when a recorded one was removed
// (its file gone, or its line gone while a later migration has one). On a
// branch it also fails when checksums.txt changed or dropped a line that
// the main branch had where the branch began.
func TestChecksums(t *testing.T) {
	data, err := os.ReadFile(checksumsFile)
	if err != nil {
		t.Fatalf("read %s: %v", checksumsFile, err)
	}
	recorded, problems := parseChecksums(data)
	for _, p := range problems {
		t.Error(p)
	}
	files, err := fs.Glob(FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range checkMigrations(recorded, files, func(name string) ([]byte, error) { return fs.ReadFile(FS, name) }) {
		t.Error(p)
	}
	base, ok := landedChecksums(t)
	if !ok {
		return
	}
	landed, _ := parseChecksums(base)
	for _, p := range checkLanded(landed, recorded) {
		t.Error(p)
	}
}

// parseChecksums reads checksums.txt into file → sum, with a problem for
// each line that is not "<64 hex digits>  <migration file>" and each file
// listed twice.
func parseChecksums(data []byte) (map[string]string, []string) {
	out := map[string]string{}
	var problems []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		sum, name, ok := strings.Cut(line, "  ")
		if !ok || len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" || !migrationName.MatchString(name) {
			problems = append(problems, fmt.Sprintf("%s:%d: %q is not \"<sha-256>  <NNNNN_name.sql>\" as sha256sum writes it", checksumsFile, n, line))
			continue
		}
		if _, dup := out[name]; dup {
			problems = append(problems, fmt.Sprintf("%s:%d: %s is listed twice; keep its first line", checksumsFile, n, name))
			continue
		}
		out[name] = sum
	}
	return out, problems
}

// checkMigrations compares the migration files with the recorded sums.
func checkMigrations(recorded map[string]string, files []string, read func(string) ([]byte, error)) []string {
	var problems []string
	last := ""
	for name := range recorded {
		last = max(last, name)
	}
	present := map[string]bool{}
	for _, name := range files {
		present[name] = true
		if !migrationName.MatchString(name) {
			problems = append(problems, fmt.Sprintf("%s: a migration is named NNNNN_what.sql (lower case, digits and _)", name))
			continue
		}
		data, err := read(name)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", name, err))
			continue
		}
		sum := sha256.Sum256(data)
		got := hex.EncodeToString(sum[:])
		want, ok := recorded[name]
		switch {
		case !ok && name < last:
			problems = append(problems, fmt.Sprintf("%s has no line in migrations/%s, but later migrations have: its line was removed. "+
				"Restore it from the main branch (git show main:migrations/%s); a landed migration never changes.", name, checksumsFile, checksumsFile))
		case !ok:
			problems = append(problems, fmt.Sprintf("%s is new: append its checksum to migrations/%s with\n\tcd migrations && sha256sum %s >> %s\n"+
				"and commit that line with the file. Once the file is on main it must never change again.", name, checksumsFile, name, checksumsFile))
		case got != want:
			problems = append(problems, fmt.Sprintf("%s changed (sha-256 %s, recorded %s). A migration is immutable once it has landed on main: "+
				"undo the edit (git checkout main -- migrations/%s) and make the change in a new numbered migration. "+
				"Only a migration that has not landed yet may be edited, and then its line in %s is updated with it.", name, got, want, name, checksumsFile))
		}
	}
	for name := range recorded {
		if !present[name] {
			problems = append(problems, fmt.Sprintf("%s is listed in migrations/%s but its file is gone: a landed migration is never removed or renamed; restore it", name, checksumsFile))
		}
	}
	return problems
}

// checkLanded reports each line of the landed list that the current list
// drops or changes.
func checkLanded(landed, recorded map[string]string) []string {
	var problems []string
	for name, sum := range landed {
		switch got, ok := recorded[name]; {
		case !ok:
			problems = append(problems, fmt.Sprintf("migrations/%s lost the line of %s that main has: restore it (%s  %s)", checksumsFile, name, sum, name))
		case got != sum:
			problems = append(problems, fmt.Sprintf("migrations/%s changed the line of %s that main has (%s): %s is immutable; restore its file and its line", checksumsFile, name, sum, name))
		}
	}
	return problems
}

// landedChecksums returns checksums.txt as it was on main where the current
// branch began (git merge-base HEAD main), and false when there is no git,
// no main branch, or no checksums.txt there (the test then relies on the
// file in the working tree alone).
func landedChecksums(t *testing.T) ([]byte, bool) {
	git := func(args ...string) ([]byte, error) {
		cmd := exec.Command("git", args...)
		cmd.Stderr = nil
		return cmd.Output()
	}
	base, err := git("merge-base", "HEAD", "main")
	if err != nil {
		t.Logf("no main branch to compare %s with (%v); checked against the working tree only", checksumsFile, err)
		return nil, false
	}
	prefix, err := git("rev-parse", "--show-prefix")
	if err != nil {
		t.Logf("git rev-parse: %v", err)
		return nil, false
	}
	data, err := git("show", strings.TrimSpace(string(base))+":"+strings.TrimSpace(string(prefix))+checksumsFile)
	if err != nil {
		t.Logf("main has no %s yet where this branch began", checksumsFile)
		return nil, false
	}
	return data, true
}

// TestChecksumProblems checks that each kind of change is caught and
// named, with what to do.
func TestChecksumProblems(t *testing.T) {
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	contents := map[string]string{"00001_a.sql": "one", "00002_b.sql": "two", "00003_c.sql": "three"}
	read := func(name string) ([]byte, error) { return []byte(contents[name]), nil }
	all := map[string]string{"00001_a.sql": sum("one"), "00002_b.sql": sum("two"), "00003_c.sql": sum("three")}
	without := func(name string) map[string]string {
		m := map[string]string{}
		for k, v := range all {
			if k != name {
				m[k] = v
			}
		}
		return m
	}
	files := []string{"00001_a.sql", "00002_b.sql", "00003_c.sql"}
	for _, tc := range []struct {
		name     string
		recorded map[string]string
		files    []string
		want     string // in the only problem; "" for none
	}{
		{"all recorded", all, files, ""},
		{"a new file", without("00003_c.sql"), files, "cd migrations && sha256sum 00003_c.sql >> checksums.txt"},
		{"a line removed", without("00002_b.sql"), files, "00002_b.sql has no line in migrations/checksums.txt, but later migrations have: its line was removed"},
		{"a landed file edited", map[string]string{"00001_a.sql": sum("one"), "00002_b.sql": sum("two, before"), "00003_c.sql": sum("three")}, files, "00002_b.sql changed"},
		{"a file removed", all, files[:2], "00003_c.sql is listed in migrations/checksums.txt but its file is gone"},
		{"a badly named file", all, append(files, "00004 x.SQL"), "a migration is named NNNNN_what.sql"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := checkMigrations(tc.recorded, tc.files, read)
			if tc.want == "" {
				if len(got) > 0 {
					t.Fatalf("problems %q, want none", got)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0], tc.want) {
				t.Fatalf("problems %q, want one saying %q", got, tc.want)
			}
		})
	}

	if _, problems := parseChecksums([]byte(sum("one") + "  00001_a.sql\n" + sum("one") + "  00001_a.sql\nnot a line\n")); len(problems) != 2 {
		t.Errorf("parse: problems %q, want a duplicate and a malformed line", problems)
	}
	landed := without("00003_c.sql")
	if got := checkLanded(landed, all); len(got) != 0 {
		t.Errorf("a line appended: problems %q, want none", got)
	}
	if got := checkLanded(all, without("00002_b.sql")); len(got) != 1 || !strings.Contains(got[0], "lost the line of 00002_b.sql") {
		t.Errorf("a landed line removed: problems %q", got)
	}
	changed := without("")
	changed["00001_a.sql"] = sum("edited")
	if got := checkLanded(all, changed); len(got) != 1 || !strings.Contains(got[0], "changed the line of 00001_a.sql") {
		t.Errorf("a landed line changed: problems %q", got)
	}
}
