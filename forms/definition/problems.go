package definition

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a questionnaire file, where it is.
type Problem struct {
	File string
	// Line and Column are 1-based; 0 when unknown (a YAML syntax error
	// gives a line only; a clash between two files has neither).
	Line, Column int
	Message      string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		b.WriteString(":" + strconv.Itoa(p.Line))
		if p.Column > 0 {
			b.WriteString(":" + strconv.Itoa(p.Column))
		}
	}
	b.WriteString(": " + p.Message)
	return b.String()
}

// Problems is every problem found in one or more files, in file and line
// order. It is the error Parse, Load and Builtin return.
type Problems []Problem

// Error prints one problem per line as file:line:col: message (without
// the column, or the line, when they are unknown).
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

func (ps Problems) sort() {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
}
