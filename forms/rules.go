package forms

import (
	"cmp"
	"math"
	"math/bits"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The reasons of RuleInvalid findings, in Finding.Args["Reason"]. The
// interface's catalogue has a message for each ("rule.invalid.<reason>").
const (
	// Answers.Values
	InvalidUnknownQuestion = "unknown_question"   // an answer or cell for a question the questionnaire does not have
	InvalidWrongKind       = "wrong_kind"         // an answer (not cells) for a table question
	InvalidTooLong         = "too_long"           // Args Length, MaxLength (characters)
	InvalidUnknownChoice   = "unknown_choice"     // Args Choices: those not among the options
	InvalidTooManyChoices  = "too_many_choices"   // a single choice with Args Count choices
	InvalidDuplicateChoice = "duplicate_choice"   // Args Choices: those chosen more than once
	InvalidOtherText       = "other_text_missing" // "other" chosen without saying what
	InvalidNotFinite       = "not_finite"         // NaN or an infinity
	InvalidNotWhole        = "not_whole"          // Args Value, on an Integer question
	InvalidOutOfRange      = "out_of_range"       // Args Value and the question's Min and/or Max
	InvalidDate            = "bad_date"           // not a date written YYYY-MM-DD
	// Answers.Cells
	InvalidNotATable       = "not_a_table"      // a cell of a question that is not a table
	InvalidUnknownRow      = "unknown_row"      // a row the table does not have
	InvalidUnknownYear     = "unknown_year"     // a year that is not one of the call's reporting years
	InvalidUnknownCategory = "unknown_category" // a column the table does not have
	InvalidUnknownState    = "unknown_state"    // a CellState that is not one of the four
	InvalidNegative        = "negative_value"   // Args Value, below 0
)

// textMaxLength is the limit of a text whose question sets none, and of the
// "other, please specify" text of a choice question.
const textMaxLength = 10000

// Check runs every check of q on a and returns every finding: input that
// does not fit its question (RuleInvalid, errors), required questions left
// unanswered (RuleRequired, errors), and the findings of q.Rules with their
// severity. years are the call's reporting years; a cell of another year is
// invalid, and change_from_previous_year compares a year only with the year
// before it when that one is among years too.
//
// Findings come in a stable order: by section and question, then for a
// table by row, year (ascending) and column, then invalid before required
// before the rules in q.Rules' order. Question-level findings come before a
// table's cells. Each Key is unique and stays the same across saves:
//
//	invalid/<question>/<reason>                  an answer that does not fit
//	invalid/<question>/<row>/<year>/<category>   a cell that does not fit
//	required/<question>
//	<rule>/<question>                            range on a number question
//	<rule>/<row>/<year>/<category>               table rules (parts_sum_to_total on the total)
//
// A part of a key that is not a plain key ([a-z0-9_-]) is escaped like a
// URL path segment, so that hostile input cannot forge another finding's key.
//
// Args hold the figures for the message's placeholders: Value, Min and Max
// (range), Sum and Total (parts_sum_to_total), Value and Whole
// (part_not_above_whole), Value and Bound (not_above), Value, Previous and
// Share, a whole percentage, absent when the previous value is 0
// (change_from_previous_year); cell values are int64, a number question's
// value and bounds float64. Invalid findings have Args["Reason"] and the
// figures listed with the Invalid* reasons. {{.Row}}, {{.Year}} and
// {{.Category}} come from the finding's fields, not Args: the interface
// shows the row's and category's labels in the user's language.
//
// Blank, not available and not applicable cells, and invalid ones, are
// never compared: a blank is not zero. Rules naming a question of the wrong
// kind, a key already used by an earlier rule, or "required" or "invalid"
// (which would clash with those findings' keys) are skipped; the definition
// checker reports them. Findings of one Rule share its Message map: treat it
// as read-only. Check returns nil when there is nothing to report.
func Check(q *Questionnaire, a Answers, years []int) []Finding {
	if q == nil {
		q = &Questionnaire{}
	}
	c := newChecker(q, years)
	c.checkValues(a.Values)
	c.indexCells(a.Cells)
	for _, qi := range c.order {
		if qi.table != nil && qi.q.Required && !qi.table.entered {
			c.required(qi)
		}
	}
	c.checkRules(a.Values)
	return c.findings()
}

// Unexplained returns the warnings of fs that have no explanation in
// a.Explanations (none, or only blanks), in fs's order. Explanations whose
// key is not among fs (a finding since corrected) are ignored.
func Unexplained(fs []Finding, a Answers) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Severity == SeverityWarning && !explained(f, a) {
			out = append(out, f)
		}
	}
	return out
}

// Blocking returns the findings of fs that stop a submission, in fs's
// order: the errors (and anything that is not a warning) and the warnings
// without an explanation.
func Blocking(fs []Finding, a Answers) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Severity != SeverityWarning || !explained(f, a) {
			out = append(out, f)
		}
	}
	return out
}

func explained(f Finding, a Answers) bool {
	return strings.TrimSpace(a.Explanations[f.Key]) != ""
}

// SectionState is how far a section of a questionnaire has got.
type SectionState string

// The states of a section, by precedence: a section with an error shows
// it whatever else is true.
const (
	SectionHasErrors  SectionState = "has_errors"  // a finding in it is an error (a missing required answer aside)
	SectionNotStarted SectionState = "not_started" // nothing answered in it
	SectionInProgress SectionState = "in_progress" // something answered, a required question still empty
	SectionComplete   SectionState = "complete"    // every required question answered, no error
)

// SectionStates returns the state of every section of q, by section key,
// given the answers a and their findings fs from Check. Warnings, explained
// or not, do not change a section's state. A question counts as answered as
// for RuleRequired: a non-blank text, a choice, a yes or no, a date, a
// number, a file, a non-blank cell.
func SectionStates(q *Questionnaire, a Answers, fs []Finding) map[string]SectionState {
	if q == nil {
		return map[string]SectionState{}
	}
	type where struct {
		q       *Question
		section int
	}
	index := make(map[string]where)
	for si := range q.Sections {
		qs := q.Sections[si].Questions
		for qi := range qs {
			if _, dup := index[qs[qi].Key]; !dup {
				index[qs[qi].Key] = where{&qs[qi], si}
			}
		}
	}
	answered := make([]bool, len(q.Sections))
	missing := make([]bool, len(q.Sections))
	errs := make([]bool, len(q.Sections))
	for key, ans := range a.Values {
		if w, ok := index[key]; ok && w.q.Kind != StatTable && !emptyAnswer(w.q, ans) {
			answered[w.section] = true
		}
	}
	for ref, cell := range a.Cells {
		if cell.State == CellBlank {
			continue
		}
		if w, ok := index[ref.Question]; ok && w.q.Kind == StatTable {
			answered[w.section] = true
		}
	}
	for _, f := range fs {
		w, ok := index[f.Question]
		switch {
		case !ok:
		case f.Kind == RuleRequired:
			missing[w.section] = true
		case f.Severity != SeverityWarning:
			errs[w.section] = true
		}
	}
	states := make(map[string]SectionState, len(q.Sections))
	for si, s := range q.Sections {
		if _, dup := states[s.Key]; dup {
			continue
		}
		switch {
		case errs[si]:
			states[s.Key] = SectionHasErrors
		case !answered[si]:
			states[s.Key] = SectionNotStarted
		case missing[si]:
			states[s.Key] = SectionInProgress
		default:
			states[s.Key] = SectionComplete
		}
	}
	return states
}

// emptyAnswer says whether ans leaves q unanswered, looking only at the
// field of q's kind.
func emptyAnswer(q *Question, ans Answer) bool {
	switch q.Kind {
	case Narrative:
		return strings.TrimSpace(ans.Text) == ""
	case SingleChoice, MultipleChoice:
		return len(ans.Choices) == 0
	case YesNo:
		return ans.Bool == nil
	case Date:
		return ans.Date == ""
	case Number:
		return ans.Number == nil
	case Attachment:
		return len(ans.Files) == 0
	}
	return true
}

func zeroAnswer(ans Answer) bool {
	return ans.Text == "" && len(ans.Choices) == 0 && ans.Bool == nil && ans.Date == "" &&
		ans.Number == nil && len(ans.Files) == 0
}

// checker holds one run of Check: the questionnaire indexed by key, the
// cells of every table laid out in a grid, and the findings so far.
type checker struct {
	q         *Questionnaire
	years     []int // ascending, without repeats
	yearsFrom int   // years[0] when years run without a gap, so a year's index is a subtraction
	gapless   bool
	questions map[string]*questionInfo
	order     []*questionInfo // in section and question order, repeats left out
	tables    []*tableInfo
	rowIDs    map[string]int32 // every row key of every table, numbered
	found     []Finding
	places    []place // where each of found goes in the order of findings
}

type questionInfo struct {
	q     *Question
	ord   int        // place in the questionnaire, for the order of findings
	table *tableInfo // StatTable only
}

// tableInfo is a table's rows and columns and the valid cells entered in
// it, in a grid: the cell of row r, year index y and column c is at
// (r*len(years)+y)*len(cols)+c.
type tableInfo struct {
	info    *questionInfo
	rows    []string
	rowOf   []int32 // the index of each row, by its number in checker.rowIDs; -1 for none
	partOf  []int   // the index of the row each row is part of, or -1
	cols    []string
	colIdx  map[string]int // only for tables with many columns; a scan is faster for a few
	grid    []int64        // the cells' values, or noValue
	entered bool           // some cell at a valid place is not blank
}

// noValue is the grid's entry for a cell that is not a value of 0 or more:
// blank, not available, not applicable or invalid. Rules compare values only.
const noValue = -1

// place is what puts a finding in order.
type place struct {
	ord    int // question; unknown questions after every known one, by key
	qKey   string
	row    int // -1 for question-level findings; unknown rows after the table's rows, by key
	rowKey string
	year   int
	col    int
	colKey string
	rule   int // -2 invalid, -1 required, then the index in q.Rules
	key    string
	i      int // in checker.found
}

// placed is a finding and its place, as made.
type placed struct {
	place
	f Finding
}

const (
	orderInvalid  = -2
	orderRequired = -1
)

func newChecker(q *Questionnaire, years []int) *checker {
	ys := slices.Clone(years)
	slices.Sort(ys)
	ys = slices.Compact(ys)
	c := &checker{q: q, years: ys, questions: make(map[string]*questionInfo)}
	if n := len(ys); n > 0 && ys[n-1]-ys[0] == n-1 {
		c.gapless, c.yearsFrom = true, ys[0]
	}
	cells, rows := 0, 0
	for si := range q.Sections {
		for _, qq := range q.Sections[si].Questions {
			if qq.Kind == StatTable && qq.Table != nil {
				rows = max(rows, len(qq.Table.Rows))
			}
		}
	}
	c.rowIDs = make(map[string]int32, rows) // tables mostly share their rows
	for si := range q.Sections {
		qs := q.Sections[si].Questions
		for qj := range qs {
			qq := &qs[qj]
			if _, dup := c.questions[qq.Key]; dup {
				continue
			}
			qi := &questionInfo{q: qq, ord: len(c.order)}
			c.questions[qq.Key] = qi
			c.order = append(c.order, qi)
			if qq.Kind != StatTable {
				continue
			}
			t := c.newTableInfo(qq.Table)
			t.info, qi.table = qi, t
			c.tables = append(c.tables, t)
			cells += len(t.rows) * len(ys) * len(t.cols)
		}
	}
	grid := make([]int64, cells) // one allocation for every table
	for i := range grid {
		grid[i] = noValue
	}
	for _, t := range c.tables {
		n := len(t.rows) * len(ys) * len(t.cols)
		t.grid, grid = grid[:n:n], grid[n:]
	}
	return c
}

// newTableInfo indexes a table's rows and columns. Tables mostly share
// their rows' keys, so one map numbers the keys of all of them and each
// table maps those numbers to its rows.
func (c *checker) newTableInfo(tab *Table) *tableInfo {
	if tab == nil {
		tab = &Table{}
	}
	t := &tableInfo{
		rows:   make([]string, 0, len(tab.Rows)),
		partOf: make([]int, 0, len(tab.Rows)),
		cols:   c.q.Columns(tab),
	}
	wholes := make([]string, 0, len(tab.Rows))
	for _, r := range tab.Rows {
		id, ok := c.rowIDs[r.Key]
		if !ok {
			id = int32(len(c.rowIDs))
			c.rowIDs[r.Key] = id
		}
		for int(id) >= len(t.rowOf) {
			t.rowOf = append(t.rowOf, -1)
		}
		if t.rowOf[id] >= 0 { // a repeated row: the first counts
			continue
		}
		t.rowOf[id] = int32(len(t.rows))
		t.rows = append(t.rows, r.Key)
		wholes = append(wholes, r.PartOf)
	}
	for i, w := range wholes {
		p, ok := c.row(t, w)
		if !ok || w == "" || p == i {
			p = -1
		}
		t.partOf = append(t.partOf, p)
	}
	if len(t.cols) > 8 {
		t.colIdx = make(map[string]int, len(t.cols))
		for i, k := range t.cols {
			t.colIdx[k] = i
		}
	}
	return t
}

func (t *tableInfo) col(key string) (int, bool) {
	if t.colIdx != nil {
		i, ok := t.colIdx[key]
		return i, ok
	}
	for i, k := range t.cols {
		if k == key {
			return i, true
		}
	}
	return 0, false
}

// table returns the table question keyed key, or nil. A questionnaire has
// a few tables: comparing keys, mostly of different lengths, is quicker
// than hashing them.
func (c *checker) table(key string) *tableInfo {
	if len(c.tables) > 8 {
		if qi := c.questions[key]; qi != nil {
			return qi.table
		}
		return nil
	}
	for _, t := range c.tables {
		if t.info.q.Key == key {
			return t
		}
	}
	return nil
}

// row returns the index of t's row keyed key.
func (c *checker) row(t *tableInfo, key string) (int, bool) {
	id, ok := c.rowIDs[key]
	if !ok || int(id) >= len(t.rowOf) || t.rowOf[id] < 0 {
		return 0, false
	}
	return int(t.rowOf[id]), true
}

func (c *checker) year(y int) (int, bool) {
	if c.gapless {
		i := y - c.yearsFrom
		return i, i >= 0 && i < len(c.years)
	}
	return slices.BinarySearch(c.years, y)
}

func (c *checker) at(t *tableInfo, r, y, col int) int64 {
	return t.grid[(r*len(c.years)+y)*len(t.cols)+col]
}

// checkValues checks the answers to questions other than tables: input
// that does not fit, and required questions left empty.
func (c *checker) checkValues(values map[string]Answer) {
	for _, qi := range c.order {
		q := qi.q
		ans, ok := values[q.Key]
		if ok && !zeroAnswer(ans) {
			if q.Kind == StatTable {
				c.invalid(qi, InvalidWrongKind, nil)
			} else {
				c.checkAnswer(qi, ans)
			}
		}
		if q.Required && q.Kind != StatTable && emptyAnswer(q, ans) {
			c.required(qi)
		}
	}
	for key, ans := range values {
		if _, known := c.questions[key]; !known && !zeroAnswer(ans) {
			c.add(placed{place: place{ord: len(c.order), qKey: key, row: -1, col: -1, rule: orderInvalid}, f: Finding{
				Key:      "invalid/" + escape(key) + "/" + InvalidUnknownQuestion,
				Rule:     string(RuleInvalid),
				Kind:     RuleInvalid,
				Severity: SeverityError,
				Question: key,
				Args:     map[string]any{"Reason": InvalidUnknownQuestion},
			}})
		}
	}
}

func (c *checker) checkAnswer(qi *questionInfo, ans Answer) {
	q := qi.q
	switch q.Kind {
	case Narrative:
		limit := q.MaxLength
		if limit <= 0 {
			limit = textMaxLength
		}
		c.checkLength(qi, ans.Text, limit)
	case SingleChoice, MultipleChoice:
		c.checkChoices(qi, ans)
	case Number:
		if ans.Number == nil {
			return
		}
		x := *ans.Number
		if math.IsNaN(x) || math.IsInf(x, 0) {
			c.invalid(qi, InvalidNotFinite, nil)
			return
		}
		if q.Integer && x != math.Trunc(x) {
			c.invalid(qi, InvalidNotWhole, map[string]any{"Value": x})
		}
		if (q.Min != nil && x < *q.Min) || (q.Max != nil && x > *q.Max) {
			args := map[string]any{"Value": x}
			bounds(args, q.Min, q.Max)
			c.invalid(qi, InvalidOutOfRange, args)
		}
	case Date:
		if ans.Date != "" && !validDate(ans.Date) {
			c.invalid(qi, InvalidDate, nil)
		}
	}
}

func (c *checker) checkLength(qi *questionInfo, s string, limit int) {
	if len(s) <= limit { // no more characters than bytes
		return
	}
	if n := utf8.RuneCountInString(s); n > limit {
		c.invalid(qi, InvalidTooLong, map[string]any{"Length": n, "MaxLength": limit})
	}
}

func (c *checker) checkChoices(qi *questionInfo, ans Answer) {
	q := qi.q
	if q.Kind == SingleChoice && len(ans.Choices) > 1 {
		c.invalid(qi, InvalidTooManyChoices, map[string]any{"Count": len(ans.Choices)})
	}
	isOption := func(k string) bool {
		for _, o := range q.Options {
			if o.Key == k {
				return true
			}
		}
		return false
	}
	var options map[string]bool // for many options, a map keeps this linear
	if len(q.Options)*len(ans.Choices) > 64 {
		options = make(map[string]bool, len(q.Options))
		for _, o := range q.Options {
			options[o.Key] = true
		}
		isOption = func(k string) bool { return options[k] }
	}
	var seen map[string]int // how often each was chosen
	if len(ans.Choices) > 1 {
		seen = make(map[string]int, len(ans.Choices))
	}
	var unknown, repeated []string
	other := false
	for _, k := range ans.Choices {
		if seen != nil {
			seen[k]++
			if n := seen[k]; n > 1 {
				if n == 2 {
					repeated = append(repeated, k)
				}
				continue
			}
		}
		switch {
		case isOption(k):
		case k == "other" && q.Other:
			other = true
		default:
			unknown = append(unknown, k)
		}
	}
	if unknown != nil {
		c.invalid(qi, InvalidUnknownChoice, map[string]any{"Choices": unknown})
	}
	if repeated != nil {
		c.invalid(qi, InvalidDuplicateChoice, map[string]any{"Choices": repeated})
	}
	if other && strings.TrimSpace(ans.Text) == "" {
		c.invalid(qi, InvalidOtherText, nil)
	}
	c.checkLength(qi, ans.Text, textMaxLength)
}

// validDate says whether s is a real date written YYYY-MM-DD.
func validDate(s string) bool {
	if len(s) != len("2006-01-02") {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func bounds(args map[string]any, lo, hi *float64) {
	if lo != nil {
		args["Min"] = *lo
	}
	if hi != nil {
		args["Max"] = *hi
	}
}

// indexCells puts every valid cell in its table's grid, once, and reports
// the cells that do not fit.
func (c *checker) indexCells(cells map[CellRef]Cell) {
	for ref, cell := range cells {
		if cell == (Cell{}) { // nothing in it: as if absent
			continue
		}
		t := c.table(ref.Question)
		if t == nil {
			if qi := c.questions[ref.Question]; qi != nil {
				c.invalidCell(qi, ref, InvalidNotATable, nil)
			} else {
				c.invalidCell(nil, ref, InvalidUnknownQuestion, nil)
			}
			continue
		}
		qi := t.info
		r, ok := c.row(t, ref.Row)
		if !ok {
			c.invalidCell(qi, ref, InvalidUnknownRow, nil)
			continue
		}
		y, ok := c.year(ref.Year)
		if !ok {
			c.invalidCell(qi, ref, InvalidUnknownYear, nil)
			continue
		}
		col, ok := t.col(ref.Category)
		if !ok {
			c.invalidCell(qi, ref, InvalidUnknownCategory, nil)
			continue
		}
		switch {
		case cell.State > CellNotApplicable:
			c.invalidCell(qi, ref, InvalidUnknownState, nil)
		case cell.State == CellValue && cell.Value < 0:
			c.invalidCell(qi, ref, InvalidNegative, map[string]any{"Value": cell.Value})
		case cell.State == CellBlank:
			continue
		default:
			if cell.State == CellValue {
				t.grid[(r*len(c.years)+y)*len(t.cols)+col] = cell.Value
			}
		}
		t.entered = true // something was entered, even if it is wrong
	}
}

func (c *checker) invalid(qi *questionInfo, reason string, args map[string]any) {
	if args == nil {
		args = make(map[string]any, 1)
	}
	args["Reason"] = reason
	c.add(placed{place: place{ord: qi.ord, qKey: qi.q.Key, row: -1, col: -1, rule: orderInvalid}, f: Finding{
		Key:      "invalid/" + escape(qi.q.Key) + "/" + reason,
		Rule:     string(RuleInvalid),
		Kind:     RuleInvalid,
		Severity: SeverityError,
		Question: qi.q.Key,
		Args:     args,
	}})
}

// invalidCell reports a cell that does not fit; qi is nil when the
// questionnaire has no such question.
func (c *checker) invalidCell(qi *questionInfo, ref CellRef, reason string, args map[string]any) {
	if args == nil {
		args = make(map[string]any, 1)
	}
	args["Reason"] = reason
	p := placed{place: place{ord: len(c.order), qKey: ref.Question, rowKey: ref.Row, year: ref.Year, colKey: ref.Category, rule: orderInvalid}}
	if qi != nil {
		p.ord = qi.ord
		if t := qi.table; t != nil {
			p.row, p.col = len(t.rows), len(t.cols)
			if r, ok := c.row(t, ref.Row); ok {
				p.row = r
			}
			if col, ok := t.col(ref.Category); ok {
				p.col = col
			}
		}
	}
	p.f = Finding{
		Key:      cellKey("invalid/"+escape(ref.Question), ref.Row, ref.Year, ref.Category),
		Rule:     string(RuleInvalid),
		Kind:     RuleInvalid,
		Severity: SeverityError,
		Question: ref.Question,
		Row:      ref.Row,
		Year:     ref.Year,
		Category: ref.Category,
		Args:     args,
	}
	c.add(p)
}

func (c *checker) required(qi *questionInfo) {
	c.add(placed{place: place{ord: qi.ord, qKey: qi.q.Key, row: -1, col: -1, rule: orderRequired}, f: Finding{
		Key:      "required/" + escape(qi.q.Key),
		Rule:     string(RuleRequired),
		Kind:     RuleRequired,
		Severity: SeverityError,
		Question: qi.q.Key,
	}})
}

func (c *checker) checkRules(values map[string]Answer) {
	used := make(map[string]bool, len(c.q.Rules))
	for ri := range c.q.Rules {
		r := &c.q.Rules[ri]
		if used[r.Key] || r.Key == string(RuleRequired) || r.Key == string(RuleInvalid) {
			continue
		}
		used[r.Key] = true
		qi := c.questions[r.Question]
		if qi == nil {
			continue
		}
		t := qi.table
		if t == nil {
			if r.Kind == RuleRange && qi.q.Kind == Number {
				c.rangeNumber(ri, r, qi, values[r.Question])
			}
			continue
		}
		switch r.Kind {
		case RuleRange:
			c.rangeTable(ri, r, t)
		case RulePartsSumToTotal:
			c.partsSumToTotal(ri, r, t)
		case RulePartNotAboveWhole:
			c.partNotAboveWhole(ri, r, t)
		case RuleNotAbove:
			if b := c.questions[r.Bound]; b != nil && b.table != nil && b.table != t {
				c.notAbove(ri, r, t, b.table)
			}
		case RuleYearChange:
			c.yearChange(ri, r, t)
		}
	}
}

// rows returns the rows r applies to: r.Rows where given (those t has),
// else every row, or only the rows that are part of another when partsOnly.
func (c *checker) rows(r *Rule, t *tableInfo, partsOnly bool) []int {
	var out []int
	if len(r.Rows) == 0 {
		out = make([]int, 0, len(t.rows))
		for i := range t.rows {
			if !partsOnly || t.partOf[i] >= 0 {
				out = append(out, i)
			}
		}
		return out
	}
	seen := make([]bool, len(t.rows))
	for _, k := range r.Rows {
		if i, ok := c.row(t, k); ok && !seen[i] {
			seen[i] = true
			out = append(out, i)
		}
	}
	return out
}

func (c *checker) rangeNumber(ri int, r *Rule, qi *questionInfo, ans Answer) {
	if ans.Number == nil {
		return
	}
	x := *ans.Number
	if math.IsNaN(x) || math.IsInf(x, 0) { // reported as invalid
		return
	}
	if (r.Min != nil && x < *r.Min) || (r.Max != nil && x > *r.Max) {
		args := map[string]any{"Value": x}
		bounds(args, r.Min, r.Max)
		c.add(placed{place: place{ord: qi.ord, qKey: qi.q.Key, row: -1, col: -1, rule: ri}, f: Finding{
			Key:      r.Key + "/" + escape(qi.q.Key),
			Rule:     r.Key,
			Kind:     r.Kind,
			Severity: severity(r),
			Question: qi.q.Key,
			Message:  r.Message,
			Args:     args,
		}})
	}
}

func (c *checker) rangeTable(ri int, r *Rule, t *tableInfo) {
	if r.Min == nil && r.Max == nil {
		return
	}
	for _, row := range c.rows(r, t, false) {
		for y := range c.years {
			for col := range t.cols {
				v := c.at(t, row, y, col)
				if v == noValue {
					continue
				}
				x := float64(v)
				if (r.Min != nil && x < *r.Min) || (r.Max != nil && x > *r.Max) {
					args := c.cellArgs(3)
					args["Value"] = v
					bounds(args, r.Min, r.Max)
					c.ruleCell(ri, r, t, row, y, col, args)
				}
			}
		}
	}
}

func (c *checker) partsSumToTotal(ri int, r *Rule, t *tableInfo) {
	parts := len(t.cols) - 1 // the total is the last column
	if parts < 1 {
		return
	}
	for _, row := range c.rows(r, t, false) {
	years:
		for y := range c.years {
			total := c.at(t, row, y, parts)
			if total == noValue {
				continue
			}
			var sum uint64
			overflow := false
			for col := range parts {
				v := c.at(t, row, y, col)
				if v == noValue {
					continue years
				}
				var carry uint64
				sum, carry = bits.Add64(sum, uint64(v), 0)
				overflow = overflow || carry != 0
			}
			if overflow || sum > math.MaxInt64 {
				sum = math.MaxInt64 // more than any total: reported, saturated
			} else if int64(sum) == total {
				continue
			}
			args := c.cellArgs(2)
			args["Sum"], args["Total"] = int64(sum), total
			c.ruleCell(ri, r, t, row, y, parts, args)
		}
	}
}

func (c *checker) partNotAboveWhole(ri int, r *Rule, t *tableInfo) {
	for _, row := range c.rows(r, t, true) {
		whole := t.partOf[row]
		if whole < 0 {
			continue
		}
		for y := range c.years {
			for col := range t.cols {
				p, w := c.at(t, row, y, col), c.at(t, whole, y, col)
				if p == noValue || w == noValue || p <= w {
					continue
				}
				args := c.cellArgs(2)
				args["Value"], args["Whole"] = p, w
				c.ruleCell(ri, r, t, row, y, col, args)
			}
		}
	}
}

func (c *checker) notAbove(ri int, r *Rule, t, bound *tableInfo) {
	// the bound's column for each of t's, once
	bcols := make([]int, len(t.cols))
	for col, k := range t.cols {
		bc, ok := bound.col(k)
		if !ok {
			bc = -1
		}
		bcols[col] = bc
	}
	for _, row := range c.rows(r, t, false) {
		brow, ok := c.row(bound, t.rows[row])
		if !ok {
			continue
		}
		for y := range c.years {
			for col, bc := range bcols {
				if bc < 0 {
					continue
				}
				v, b := c.at(t, row, y, col), c.at(bound, brow, y, bc)
				if v == noValue || b == noValue || v <= b {
					continue
				}
				args := c.cellArgs(2)
				args["Value"], args["Bound"] = v, b
				c.ruleCell(ri, r, t, row, y, col, args)
			}
		}
	}
}

func (c *checker) yearChange(ri int, r *Rule, t *tableInfo) {
	for _, row := range c.rows(r, t, false) {
		for y := 1; y < len(c.years); y++ {
			if c.years[y-1] != c.years[y]-1 { // the previous year is not reported
				continue
			}
			for col := range t.cols {
				v, p := c.at(t, row, y, col), c.at(t, row, y-1, col)
				if v == noValue || p == noValue {
					continue
				}
				var share float64
				switch {
				case p == 0: // no share of nothing: any rise above the base counts
					if v <= r.MinBase {
						continue
					}
				case p < r.MinBase:
					continue
				default:
					share = math.Abs(float64(v-p)) / float64(p)
					if !(share > r.MaxShare) {
						continue
					}
				}
				args := c.cellArgs(3)
				args["Value"], args["Previous"] = v, p
				if p != 0 {
					pct := math.Round(share * 100)
					if pct >= math.MaxInt64 {
						pct = math.MaxInt64
					}
					args["Share"] = int64(pct)
				}
				c.ruleCell(ri, r, t, row, y, col, args)
			}
		}
	}
}

// cellArgs returns the Args of a finding on a cell, with room for n
// entries. They leave out the row, year and category, which the finding
// has: the interface shows their labels in the user's language.
func (c *checker) cellArgs(n int) map[string]any {
	return make(map[string]any, n)
}

// cellKey returns prefix/row/year/category, escaping row and category, in
// one allocation.
func cellKey(prefix, row string, year int, category string) string {
	var buf [128]byte
	b := append(buf[:0], prefix...)
	b = append(b, '/')
	b = append(b, escape(row)...)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(year), 10)
	b = append(b, '/')
	b = append(b, escape(category)...)
	return string(b)
}

func (c *checker) ruleCell(ri int, r *Rule, t *tableInfo, row, y, col int, args map[string]any) {
	year := c.years[y]
	c.add(placed{place: place{ord: t.info.ord, qKey: t.info.q.Key, row: row, rowKey: t.rows[row], year: year, col: col, colKey: t.cols[col], rule: ri}, f: Finding{
		Key:      cellKey(r.Key, t.rows[row], year, t.cols[col]),
		Rule:     r.Key,
		Kind:     r.Kind,
		Severity: severity(r),
		Question: t.info.q.Key,
		Row:      t.rows[row],
		Year:     year,
		Category: t.cols[col],
		Message:  r.Message,
		Args:     args,
	}})
}

// severity is the rule's severity; anything but a warning is an error.
func severity(r *Rule) Severity {
	if r.Severity == SeverityWarning {
		return SeverityWarning
	}
	return SeverityError
}

func (c *checker) add(p placed) {
	if c.found == nil {
		c.found, c.places = make([]Finding, 0, 32), make([]place, 0, 32)
	}
	p.place.key, p.place.i = p.f.Key, len(c.found)
	c.found = append(c.found, p.f)
	c.places = append(c.places, p.place)
}

func (c *checker) findings() []Finding {
	if len(c.found) == 0 {
		return nil
	}
	slices.SortFunc(c.places, comparePlaces)
	// Put found in that order in place, one cycle of the permutation at a
	// time: found[k] is to become found[places[k].i].
	fs := c.found
	for k := range c.places {
		if c.places[k].i < 0 || c.places[k].i == k {
			continue
		}
		first := fs[k]
		for j := k; ; {
			from := c.places[j].i
			c.places[j].i = -1
			if from == k {
				fs[j] = first
				break
			}
			fs[j] = fs[from]
			j = from
		}
	}
	return fs
}

func comparePlaces(a, b place) int {
	return cmp.Or(
		cmp.Compare(a.ord, b.ord),
		strings.Compare(a.qKey, b.qKey),
		cmp.Compare(a.row, b.row),
		strings.Compare(a.rowKey, b.rowKey),
		cmp.Compare(a.year, b.year),
		cmp.Compare(a.col, b.col),
		strings.Compare(a.colKey, b.colKey),
		cmp.Compare(a.rule, b.rule),
		strings.Compare(a.key, b.key),
	)
}

// escape returns s as a segment of a finding's key: as it is when it is a
// plain key, else escaped so that it cannot contain a "/".
func escape(s string) string {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !('a' <= b && b <= 'z' || '0' <= b && b <= '9' || b == '_' || b == '-') {
			return url.PathEscape(s)
		}
	}
	return s
}

// CellFinding is the key of the finding of rule on the cell ref: the key
// its explanation is stored under.
func CellFinding(rule string, ref CellRef) string {
	return cellKey(rule, ref.Row, ref.Year, ref.Category)
}
