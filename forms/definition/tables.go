package definition

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"portal/forms"
)

// Reading a table question: its rows, their parts, its disaggregation.

func (p *parser) table(n *yaml.Node, ds map[string]forms.Disaggregation) *forms.Table {
	m, ok := p.mapping(n, "table")
	if !ok {
		return nil
	}
	t := &forms.Table{}
	p.allow(m, "table", tableKeys)
	p.require(m, "table", "disaggregation")
	if v, ok := m.get("disaggregation"); ok {
		if s, ok := p.str(v, "disaggregation"); ok && s != noDisaggregation {
			t.Disaggregation = s
			if _, ok := ds[s]; !ok {
				defined := "none is defined"
				if len(ds) > 0 {
					defined = "defined: " + strings.Join(slices.Sorted(maps.Keys(ds)), ", ")
				}
				p.addf(v, "disaggregation %s is not defined under disaggregations (%s); or use none for a total only", s, defined)
			}
		}
	}
	if v, ok := m.get("series"); ok {
		t.Series = p.tableSeries(v)
	}
	from, hasFrom := m.get("rows_from")
	v, ok := m.get("rows")
	switch {
	case ok && hasFrom:
		p.addf(from, "rows_from: give the rows here or take them from another table, not both")
		return t
	case hasFrom:
		// The same rows as an earlier table, labels and conditions and
		// all: the justice tables share their offences without repeating
		// six languages each.
		if key, ok := p.str(from, "rows_from"); ok {
			if earlier, ok := p.tables[key]; ok {
				t.Rows = slices.Clone(earlier.Rows)
			} else {
				p.addf(from, "rows_from: %s is not a table question before this one", key)
			}
		}
		return t
	case !ok:
		p.addf(n, "table: rows is missing (or rows_from, naming an earlier table whose rows to use)")
		return t
	}
	items, ok := p.list(v, "rows")
	if !ok {
		return t
	}
	if len(items) == 0 {
		p.addf(m.at("rows"), "rows: list at least one row")
	}
	rowIx := newKeyIndex("row", " in this table")
	partOf := make([]*yaml.Node, len(items))
	t.Rows = make([]forms.Indicator, len(items))
	for i, it := range items {
		rm, ok := p.mapping(it, "a row")
		if !ok {
			continue
		}
		r := &t.Rows[i]
		p.allow(rm, rm.named("row", "a row"), rowKeys)
		p.require(rm, rm.named("row", "a row"), "key", "label")
		if v, ok := rm.get("key"); ok {
			r.Key, _ = p.key(v, "row key")
			p.unique(rowIx, v, r.Key)
		}
		if v, ok := rm.get("label"); ok {
			r.Label, _ = p.text(v, "label")
		}
		if v, ok := rm.get("iccs"); ok {
			// Unquoted digits are taken as written: 0101 stays 0101.
			if s, ok := p.str(v, "iccs"); ok {
				if !iccsCode.MatchString(s) || (v.Tag != tagStr && v.Tag != tagInt) {
					p.addf(v, "iccs %q must be an ICCS code of 2 to 6 digits, such as \"0101\"", s)
				}
				r.ICCS = s
			}
		}
		if v, ok := rm.get("series"); ok {
			if s, ok := p.str(v, "series"); ok {
				if !rowSeries.MatchString(s) {
					p.addf(v, "series %q: use lower-case letters, digits, _ and -, such as all_offences", s)
				}
				r.Series = s
			}
		}
		if v, ok := rm.get("part_of"); ok {
			if s, ok := p.str(v, "part_of"); ok {
				r.PartOf = s
				partOf[i] = v
			}
		}
		if v, ok := rm.get("relevant"); ok {
			// A part of a row that is not asked is not asked either: its
			// own condition, if any, is needed on top of its whole's.
			r.Relevant = p.relevant(v, true)
		}
	}
	p.checkPartOf(t.Rows, partOf)
	return t
}

// checkPartOf reports part_of naming a row that is not in the table, the
// row itself, or a row that comes later.
func (p *parser) checkPartOf(rows []forms.Indicator, nodes []*yaml.Node) {
	index := map[string]int{}
	for i, r := range rows {
		if _, dup := index[r.Key]; !dup && r.Key != "" {
			index[r.Key] = i
		}
	}
	for i, r := range rows {
		if r.PartOf == "" || nodes[i] == nil {
			continue
		}
		j, ok := index[r.PartOf]
		switch {
		case !ok:
			p.addf(nodes[i], "part_of: there is no row %s in this table", r.PartOf)
		case j == i:
			p.addf(nodes[i], "part_of: row %s cannot be a part of itself", r.Key)
		case j > i:
			if cycle := partOfCycle(rows, index, i); cycle != nil {
				p.addf(nodes[i], "part_of: rows %s form a cycle; a part must name an earlier row", strings.Join(cycle, " → "))
			} else {
				p.addf(nodes[i], "part_of: row %s comes later in the table; a part must name an earlier row", r.PartOf)
			}
		}
	}
}

// partOfCycle returns the keys of the cycle through row i (ending with i's
// key again), or nil when following part_of from i does not come back to it.
func partOfCycle(rows []forms.Indicator, index map[string]int, i int) []string {
	path := []string{rows[i].Key}
	seen := map[int]bool{i: true}
	for j := i; ; {
		next, ok := index[rows[j].PartOf]
		if !ok || rows[j].PartOf == "" {
			return nil
		}
		path = append(path, rows[next].Key)
		if next == i {
			return path
		}
		if seen[next] {
			return nil // a cycle that does not pass through i
		}
		seen[next] = true
		j = next
	}
}

// tableSeries reads what a table's cells measure: {indicator, unit,
// total_repeats}, each optional.
func (p *parser) tableSeries(n *yaml.Node) forms.TableSeries {
	var ts forms.TableSeries
	m, ok := p.mapping(n, "series")
	if !ok {
		return ts
	}
	p.allow(m, "series", seriesKeys)
	if v, ok := m.get("indicator"); ok {
		ts.Indicator, _ = p.key(v, "series indicator")
	}
	if v, ok := m.get("unit"); ok {
		ts.Unit, _ = p.key(v, "series unit")
	}
	if v, ok := m.get("total_repeats"); ok {
		ts.TotalRepeats, _ = p.key(v, "total_repeats")
	}
	return ts
}

// checkSeries reports two cells of the questionnaire with the same series
// code, and a total_repeats that names no earlier table or whose totals
// are not all series of that table.
func (p *parser) checkSeries(q *forms.Questionnaire) {
	type at struct{ question, row, category string }
	first := map[string]at{}
	var repeats []forms.SeriesCell
	for _, c := range q.SeriesCells() {
		if c.Repeat {
			repeats = append(repeats, c)
			continue
		}
		if f, dup := first[c.Code]; dup {
			if f.question == c.Question && f.row == c.Row {
				continue // a row key given twice, reported as such
			}
			if f.question == c.Question {
				p.addf(p.tableNodes[c.Question], "series %s is given twice in table %s (rows %s and %s); give the rows different series", c.Code, c.Question, f.row, c.Row)
			} else {
				p.addf(p.tableNodes[c.Question], "series %s of table %s, row %s, is also that of table %s, row %s; give one of them another series, or mark this table's total as total_repeats: %s", c.Code, c.Question, c.Row, f.question, f.row, f.question)
			}
			continue
		}
		first[c.Code] = at{c.Question, c.Row, c.Category}
	}
	reported := map[string]bool{}
	for _, c := range repeats {
		t := p.tables[c.Question]
		if reported[c.Question] || t == nil {
			continue
		}
		f, ok := first[c.Code]
		switch {
		case p.tables[t.Series.TotalRepeats] == nil:
			p.addf(p.tableNodes[c.Question], "total_repeats: %s is not a table question of this questionnaire", t.Series.TotalRepeats)
		case !ok || f.question != t.Series.TotalRepeats || f.category != forms.TotalCategory:
			p.addf(p.tableNodes[c.Question], "total_repeats: the total of row %s (series %s) is not a total of table %s; give both tables the same indicator and row series", c.Row, c.Code, t.Series.TotalRepeats)
		default:
			continue
		}
		reported[c.Question] = true
	}
}

// SeriesUnit is the unit a series code has, and where it was first seen
// ("crime-statistics v1").
type SeriesUnit struct{ Unit, From string }

// CheckUnits reports each series of q (read from file) whose unit differs
// from the one known gives it, and adds q's series to known: a code keeps
// its unit in every questionnaire and version, or two figures of one
// series could not be read together.
func CheckUnits(file string, q *forms.Questionnaire, known map[string]SeriesUnit) Problems {
	var ps Problems
	id := fmt.Sprintf("%s v%d", q.Key, q.Version)
	for _, c := range q.SeriesCells() {
		if c.Repeat {
			continue
		}
		k, ok := known[c.Code]
		switch {
		case !ok:
			known[c.Code] = SeriesUnit{c.Unit, id}
		case k.Unit != c.Unit && k.From != id:
			ps = append(ps, Problem{File: file, Message: fmt.Sprintf("series %s (table %s) is counted in %s here but in %s in %s; a series keeps its unit: give the table another indicator", c.Code, c.Question, c.Unit, k.Unit, k.From)})
		}
	}
	return ps
}
