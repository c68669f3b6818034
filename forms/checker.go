package forms

import (
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The checker indexes a draft's answers and cells once, and checks that
// each is a value its question can take.

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
	hidden    map[string]bool  // questions the answers hide: never required
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
		if q.Required && q.Kind != StatTable && emptyAnswer(q, ans) && !c.hidden[q.Key] {
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
