package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const goodQuestionnaire = `key: survey
version: 2
title: {en: A survey}
sections:
  - key: s
    title: {en: S}
    questions:
      - {key: agreed, kind: yes_no, label: {en: Agreed}}
      - key: counts
        kind: table
        label: {en: Counts}
        table:
          disaggregation: none
          rows: [{key: a, label: {en: A}}]
rules:
  - {key: counts_range, kind: range, severity: error, question: counts, min: 0}
`

const brokenQuestionnaire = `key: survey
version: two
title: {en: A survey}
sections:
  - key: s
    title: {en: S}
    questions:
      - {key: agreed, kind: yes_no, label: {en: Agreed}, options: []}
`

func TestQuestionnairesCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	broken := filepath.Join(dir, "broken.yaml")
	for name, content := range map[string]string{good: goodQuestionnaire, broken: brokenQuestionnaire} {
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	q := regexp.QuoteMeta
	steps := []struct {
		args     []string
		code     int
		out, err string // regular expressions matched against stdout, stderr
	}{
		{[]string{"questionnaires", "lint", good}, 0, `^` + q(good) + q(": ok (survey v2, 2 questions, 1 rules)") + "\n$", `^$`},
		{[]string{"questionnaires", "lint", broken}, 1,
			`^` + q(broken+":2:10: version must be a whole number") + "\n" +
				q(broken+":8:58: options does not belong to a yes_no question") + `[^\n]*\n$`, `^$`},
		{[]string{"questionnaires", "lint", good, broken}, 1, q(good+": ok") + `(?s:.*)` + q(broken+":2:10:"), ``},
		{[]string{"questionnaires", "lint", good, good}, 1, q(good + ": survey v2 is also defined in " + good), ``},
		{[]string{"questionnaires", "lint", filepath.Join(dir, "missing.yaml")}, 1, `^$`, q(filepath.Join(dir, "missing.yaml")) + ": no such file"},
		{[]string{"questionnaires", "lint", dir}, 1, `^$`, "is a directory"},
		{[]string{"questionnaires", "lint"}, 2, ``, "name at least one file"},
		{[]string{"questionnaires", "list"}, 0, `(?m)^KEY +VERSION +SECTIONS +QUESTIONS +CELLS/YEAR +RULES +TITLE\n(?s:.*)^crime-statistics +1 .*\n(?s:.*)^tourism-views +1 +\d+ +\d+ +0 +0 +Views under`, `^$`},
		{[]string{"questionnaires", "list", "extra"}, 2, ``, "unexpected argument"},
		{[]string{"questionnaires", "--help"}, 0, "portal questionnaires lint FILE", `^$`},
		{[]string{"questionnaires", "lint", "--help"}, 0, "portal questionnaires lint FILE", `^$`},
		{[]string{"questionnaires", "frobnicate"}, 2, ``, `unknown command "frobnicate"`},
	}
	for _, st := range steps {
		code, stdout, stderr := runBinary(t, nil, st.args...)
		if code != st.code || !regexp.MustCompile(st.out).MatchString(stdout) || !regexp.MustCompile(st.err).MatchString(stderr) {
			t.Errorf("portal %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(st.args, " "), code, st.code, stdout, stderr)
		}
		if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine") {
			t.Errorf("portal %s: stderr shows internals: %s", strings.Join(st.args, " "), stderr)
		}
	}
}

// TestQuestionnairesListCounts: the counts of the list are those of the
// definitions: cells per year are rows × (categories + total).
func TestQuestionnairesListCounts(t *testing.T) {
	code, out, errOut := runPortal([]string{"questionnaires", "list"}, nil)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	m := regexp.MustCompile(`(?m)^crime-statistics +1 +(\d+) +(\d+) +(\d+) +(\d+) +Crime and criminal justice statistics$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no line for crime-statistics:\n%s", out)
	}
	for i, what := range []string{"sections", "questions", "cells per year", "rules"} {
		if m[i+1] == "0" {
			t.Errorf("crime-statistics has 0 %s:\n%s", what, out)
		}
	}
}

func TestRunHelpNamesQuestionnaires(t *testing.T) {
	_, out, _ := runPortal([]string{"--help"}, nil)
	if !strings.Contains(out, "portal questionnaires") {
		t.Errorf("--help does not mention portal questionnaires:\n%s", out)
	}
}
