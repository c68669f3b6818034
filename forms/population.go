package forms

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Population is one figure of the Office's population table: a State's
// population in a year, and where the figure comes from.
type Population struct {
	Code       string // the State's ISO 3166-1 alpha-3 code
	Year       int
	Population int64
	Source     string
	// The upload that gave a stored figure (read only: Populations):
	// PopulationUploadTable or PopulationUploadWPP and the file's name;
	// empty for a figure stored before uploads were recorded.
	UploadKind string
	FileName   string
}

// The kinds of upload to the population table.
const (
	PopulationUploadTable = "table" // the Office's own table (ParsePopulations)
	PopulationUploadWPP   = "wpp"   // the UN World Population Prospects as published (WPPFigures)
)

// PopulationUpload is one upload to the population table. ID 0 is none: a
// figure stored before uploads were recorded.
type PopulationUpload struct {
	ID         int64
	Kind       string // PopulationUploadTable or PopulationUploadWPP
	FileName   string
	Rows       int // the figures it stored
	UploadedAt time.Time
	UploadedBy string
}

// PopulationHistory is a figure of the population table that a later
// upload replaced (or that was removed): what it was, the upload that had
// given it, and when it was replaced.
type PopulationHistory struct {
	Population int64
	Source     string
	Upload     PopulationUpload
	UpdatedAt  time.Time
	UpdatedBy  string
	ReplacedAt time.Time
}

// PopulationSummary describes the Office's population table.
type PopulationSummary struct {
	Rows, States        int
	FirstYear, LastYear int
	UpdatedAt           time.Time
	UpdatedBy           string
}

// PopulationRow is one stored figure of the Office's population table, as
// the table's page shows it: the State, and who uploaded the figure when.
type PopulationRow struct {
	State      OrganizationRef
	Year       int
	Population int64
	Source     string
	UpdatedAt  time.Time
	UpdatedBy  string
	Upload     PopulationUpload // the upload that gave the figure
	Replaced   int              // how many earlier figures for the State and year it replaced
	// The figures it replaced, the latest first; at most
	// MaxPopulationHistory of them.
	History []PopulationHistory
}

// MaxPopulationHistory bounds the earlier figures read for one State and
// year.
const MaxPopulationHistory = 20

// PopulationFilter selects and pages the rows of the Office's population
// table. Search matches a State's code or any part of its name in any
// language, ignoring case and accents; Year 0 is every year. Rows are
// ordered by the State's name in Lang, then year.
type PopulationFilter struct {
	Search string
	Year   int
	Lang   Language
	Offset int
	Limit  int // MaxPopulationPage when 0 or more
}

// MaxPopulationPage bounds the rows of the population table read at once.
const MaxPopulationPage = 500

// PopulationPage is one page of the rows a PopulationFilter selects, and
// how many it selects in all.
type PopulationPage struct {
	Rows  []PopulationRow
	Total int
}

// Where a rate's population comes from.
const (
	PopulationReported = "reported" // the State's own figure, in its submission
	PopulationOffice   = "office"   // the Office's population table
)

// TableProblem is what is wrong with one line of an uploaded table.
type TableProblem struct {
	Line   int    // 1 is the header
	Column string // the column's heading, when the problem is in one cell
	Reason string // a message key: table.error.<reason>
	Value  string
}

// The plausible population of a State, in persons: the bounds of the
// built-in crime-statistics questionnaire's rule population_range, which a
// test in forms/definition keeps equal to these. A figure below the
// minimum is most likely given in thousands.
const (
	MinPopulation = 1000
	MaxPopulation = 2_000_000_000
)

// MaxPopulationRows bounds an uploaded population table: every State for
// two centuries is far less.
const MaxPopulationRows = 100000

// ParsePopulations reads a population table: a header line naming the
// columns iso3 (or code), year and population, and optionally source, in
// any order and case; then one line per State and year. A line without a
// source takes defaultSource. Every problem is returned with its line;
// the figures are only good when there is none. A population that is not
// a whole number above 0 has the reason "population"; one outside
// MinPopulation and MaxPopulation "population_range". known says whether
// a code names a State.
func ParsePopulations(rows [][]string, defaultSource string, known func(code string) bool) ([]Population, []TableProblem) {
	if len(rows) == 0 {
		return nil, []TableProblem{{Line: 1, Reason: "empty"}}
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		case "iso3", "code", "iso":
			col["iso3"] = i
		case "year":
			col["year"] = i
		case "population", "value":
			col["population"] = i
		case "source":
			col["source"] = i
		}
	}
	var problems []TableProblem
	for _, c := range []string{"iso3", "year", "population"} {
		if _, ok := col[c]; !ok {
			problems = append(problems, TableProblem{Line: 1, Column: c, Reason: "column_missing"})
		}
	}
	if _, ok := col["source"]; !ok && strings.TrimSpace(defaultSource) == "" {
		problems = append(problems, TableProblem{Line: 1, Column: "source", Reason: "source_missing"})
	}
	if len(problems) > 0 {
		return nil, problems
	}
	if len(rows)-1 > MaxPopulationRows {
		return nil, []TableProblem{{Line: MaxPopulationRows + 2, Reason: "too_many", Value: strconv.Itoa(MaxPopulationRows)}}
	}
	cell := func(r []string, c string) string {
		i, ok := col[c]
		if !ok || i >= len(r) {
			return ""
		}
		return strings.TrimSpace(r[i])
	}
	seen := map[string]int{}
	var out []Population
	for n, r := range rows[1:] {
		line := n + 2
		if strings.TrimSpace(strings.Join(r, "")) == "" {
			continue // a blank line
		}
		p := Population{Code: strings.ToUpper(cell(r, "iso3")), Source: cell(r, "source")}
		ok := true
		bad := func(column, reason, value string) {
			problems = append(problems, TableProblem{Line: line, Column: column, Reason: reason, Value: value})
			ok = false
		}
		if !known(p.Code) {
			bad("iso3", "unknown_state", p.Code)
		}
		y, err := wholeNumber(cell(r, "year"))
		if err != nil || y < 1900 || y > 2100 {
			bad("year", "year", cell(r, "year"))
		}
		p.Year = int(y)
		if p.Population, err = wholeNumber(cell(r, "population")); err != nil || p.Population <= 0 {
			bad("population", "population", cell(r, "population"))
		} else if p.Population < MinPopulation || p.Population > MaxPopulation {
			bad("population", "population_range", cell(r, "population"))
		}
		if p.Source == "" {
			p.Source = defaultSource
		}
		if utf8.RuneCountInString(p.Source) > 200 {
			bad("source", "source_long", "")
		} else if strings.TrimSpace(p.Source) == "" {
			bad("source", "source", "")
		}
		key := p.Code + "/" + strconv.Itoa(p.Year)
		if first, dup := seen[key]; dup && ok {
			bad("year", "duplicate", strconv.Itoa(first))
		}
		if ok {
			seen[key] = line
			out = append(out, p)
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	if len(out) == 0 {
		return nil, []TableProblem{{Line: 2, Reason: "empty"}}
	}
	return out, nil
}

// wholeNumber reads a whole number as a spreadsheet or a person writes it:
// 8917000, 8,917,000, 8 917 000, or 8.917E+6 (a spreadsheet's raw value).
func wholeNumber(s string) (int64, error) {
	if n, reason := ParseCount(s, English); reason == "" {
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1e15 {
		return 0, &Error{Kind: KindInvalid, Message: "not a whole number"}
	}
	return int64(f), nil
}
