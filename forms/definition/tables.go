package definition

import (
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
