package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"portal/forms"
	"portal/forms/definition"
)

const questionnairesUsage = `Usage:
  portal questionnaires list              list the built-in questionnaires
  portal questionnaires lint FILE...      check questionnaire files

lint prints every problem of each FILE as file:line:col: message and exits 1
if there is any; for a file without problems it prints one line,
"FILE: ok (key vN, N questions, N rules)". The file format is described in
docs/questionnaires.md. Neither command needs the database.
`

// questionnairesCommand runs `portal questionnaires ...` and returns the exit code.
func questionnairesCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, questionnairesUsage)
		return 0
	}
	sub, args := args[0], args[1:]
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			fmt.Fprint(stdout, questionnairesUsage)
			return 0
		}
	}
	switch sub {
	case "list":
		if len(args) > 0 {
			fmt.Fprintf(stderr, "portal questionnaires list: unexpected argument %q\n\n%s", args[0], questionnairesUsage)
			return 2
		}
		return listQuestionnaires(stdout, stderr)
	case "lint":
		if len(args) == 0 {
			fmt.Fprintf(stderr, "portal questionnaires lint: name at least one file\n\n%s", questionnairesUsage)
			return 2
		}
		return lintQuestionnaires(args, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "portal questionnaires: unknown command %q\n\n%s", sub, questionnairesUsage)
		return 2
	}
}

// questionnaireSize counts what a questionnaire holds.
type questionnaireSize struct {
	sections, questions, cellsPerYear, rules int
}

func sizeOf(q *forms.Questionnaire) questionnaireSize {
	s := questionnaireSize{sections: len(q.Sections), rules: len(q.Rules)}
	for _, sec := range q.Sections {
		s.questions += len(sec.Questions)
		for _, qq := range sec.Questions {
			if qq.Table != nil {
				cats := len(q.Disaggregations[qq.Table.Disaggregation].Categories)
				s.cellsPerYear += len(qq.Table.Rows) * (cats + 1) // + the total
			}
		}
	}
	return s
}

func listQuestionnaires(stdout, stderr io.Writer) int {
	lib, err := definition.Builtin()
	if err != nil {
		fmt.Fprintf(stderr, "portal questionnaires list: the built-in questionnaires have problems:\n%v\n", err)
		return 1
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tVERSION\tSECTIONS\tQUESTIONS\tCELLS/YEAR\tRULES\tTITLE")
	for _, q := range lib.All() {
		s := sizeOf(q)
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%s\n", q.Key, q.Version, s.sections, s.questions, s.cellsPerYear, s.rules, shorten(q.Title.In(forms.English), 70))
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(stderr, "portal questionnaires list: %v\n", err)
		return 1
	}
	return 0
}

// shorten cuts s to at most n characters, ending it with … when cut.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// lintQuestionnaires checks each file, that no two of them have the
// same key and version, and that each series keeps the unit the built-in
// questionnaires and the files before give it.
func lintQuestionnaires(files []string, stdout, stderr io.Writer) int {
	code := 0
	fileOf := map[string]string{} // "key vN" -> the first file that has it
	units := map[string]definition.SeriesUnit{}
	if lib, err := definition.Builtin(); err == nil {
		for _, q := range lib.All() {
			definition.CheckUnits("", q, units)
		}
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				fmt.Fprintf(stderr, "portal questionnaires lint: %s: no such file\n", file)
			} else {
				fmt.Fprintf(stderr, "portal questionnaires lint: %v\n", err)
			}
			code = 1
			continue
		}
		q, err := definition.Parse(file, data)
		if err != nil {
			fmt.Fprintln(stdout, err)
			code = 1
			continue
		}
		id := fmt.Sprintf("%s v%d", q.Key, q.Version)
		if first, dup := fileOf[id]; dup {
			fmt.Fprintf(stdout, "%s: %s is also defined in %s; give the newer one the next version\n", file, id, first)
			code = 1
			continue
		}
		fileOf[id] = file
		if ps := definition.CheckUnits(file, q, units); len(ps) > 0 {
			fmt.Fprintln(stdout, ps)
			code = 1
			continue
		}
		s := sizeOf(q)
		fmt.Fprintf(stdout, "%s: ok (%s, %d questions, %d rules)\n", file, id, s.questions, s.rules)
	}
	return code
}
