package forms

import (
	"cmp"
	"math"
	"math/bits"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// The rules of a questionnaire's tables: ranges, parts that sum to their
// total or stay below their whole, changes from year to year; and the
// order findings are reported in.

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

// FindingAt says where the finding keyed key is (its Question, and for a
// table's cell its Row, Year and Category), read from the key alone: the
// place of an explanation whose finding is not at hand. It says false for
// a key no rule of q makes.
func (q *Questionnaire) FindingAt(key string) (Finding, bool) {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		u, err := url.PathUnescape(p)
		if err != nil {
			return Finding{}, false
		}
		parts[i] = u
	}
	var f Finding
	switch parts[0] {
	case string(RuleInvalid), string(RuleRequired):
		if len(parts) < 2 {
			return Finding{}, false
		}
		f.Question = parts[1]
		if parts[0] == string(RuleInvalid) && len(parts) == 5 {
			parts = parts[1:] // invalid/<question>/<row>/<year>/<category>
		} else {
			parts = nil
		}
	default:
		i := slices.IndexFunc(q.Rules, func(r Rule) bool { return r.Key == parts[0] })
		if i < 0 {
			return Finding{}, false
		}
		f.Question = q.Rules[i].Question
	}
	if len(parts) == 4 {
		y, err := strconv.Atoi(parts[2])
		if err != nil {
			return Finding{}, false
		}
		f.Row, f.Year, f.Category = parts[1], y, parts[3]
	}
	if _, ok := q.Question(f.Question); !ok {
		return Finding{}, false
	}
	return f, true
}
