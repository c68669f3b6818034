package definition

import (
	"slices"
	"strings"
	"text/template"
	"text/template/parse"

	"go.yaml.in/yaml/v3"

	"portal/forms"
)

var (
	commonRuleKeys = []string{"key", "kind", "severity", "question", "message"}
	ruleKindKeys   = map[forms.RuleKind][]string{
		forms.RuleRange:             {"min", "max"},
		forms.RulePartsSumToTotal:   {"rows"},
		forms.RulePartNotAboveWhole: {"rows"},
		forms.RuleNotAbove:          {"bound", "rows"},
		forms.RuleYearChange:        {"max_share", "min_base", "rows"},
	}
	ruleKinds = []forms.RuleKind{forms.RuleRange, forms.RulePartsSumToTotal, forms.RulePartNotAboveWhole,
		forms.RuleNotAbove, forms.RuleYearChange}
	// placeholders a rule's message may use, as documented.
	placeholders = []string{"Value", "Total", "Sum", "Whole", "Bound", "Previous", "Share", "Min", "Max", "Row", "Year", "Category"}
)

func ruleKindNames() string {
	names := make([]string, len(ruleKinds))
	for i, k := range ruleKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// ruleRefs are the nodes of a rule's references, checked once every
// question is known.
type ruleRefs struct {
	question, bound, rows *yaml.Node
}

func (p *parser) rules(n *yaml.Node, q *forms.Questionnaire) []forms.Rule {
	items, ok := p.list(n, "rules")
	if !ok {
		return nil
	}
	questions := map[string]*forms.Question{}
	for i := range q.Sections {
		for j := range q.Sections[i].Questions {
			qq := &q.Sections[i].Questions[j]
			if _, dup := questions[qq.Key]; !dup && qq.Key != "" {
				questions[qq.Key] = qq
			}
		}
	}
	ruleIx := newKeyIndex("rule", "")
	var rules []forms.Rule
	for _, it := range items {
		r, refs, ok := p.rule(it, ruleIx)
		if !ok {
			continue
		}
		p.checkRefs(&r, refs, questions)
		rules = append(rules, r)
	}
	return rules
}

// rule reads a rule's own fields; checkRefs then checks what it names.
func (p *parser) rule(n *yaml.Node, ruleIx *keyIndex) (forms.Rule, ruleRefs, bool) {
	var (
		r    forms.Rule
		refs ruleRefs
	)
	m, ok := p.mapping(n, "a rule")
	if !ok {
		return r, refs, false
	}
	p.require(m, m.named("rule", "a rule"), "key", "kind", "severity", "question")
	if v, ok := m.get("key"); ok {
		r.Key, _ = p.key(v, "rule key")
		p.unique(ruleIx, v, r.Key)
		if r.Key == string(forms.RuleRequired) || r.Key == string(forms.RuleInvalid) {
			p.addf(v, "rule key %s is kept for the portal's own checks; choose another", r.Key)
		}
	}
	kindKnown := false
	if v, ok := m.get("kind"); ok {
		if s, ok := p.str(v, "kind"); ok {
			r.Kind = forms.RuleKind(s)
			_, kindKnown = ruleKindKeys[r.Kind]
			switch {
			case r.Kind == forms.RuleRequired:
				p.addf(v, "required is not written as a rule: put required: true on the question")
			case !kindKnown:
				p.addf(v, "kind %q is not a kind of rule; use one of %s", s, ruleKindNames())
			}
		}
	}
	if kindKnown {
		allowed := append(slices.Clone(commonRuleKeys), ruleKindKeys[r.Kind]...)
		for _, k := range m.order {
			if slices.Contains(allowed, k) {
				continue
			}
			key := m.entries[k].key
			var others []string
			for _, rk := range ruleKinds {
				if slices.Contains(ruleKindKeys[rk], k) {
					others = append(others, string(rk))
				}
			}
			if len(others) > 0 {
				p.addf(key, "%s does not belong to a %s rule (only to %s); a %s rule has: %s",
					k, r.Kind, strings.Join(others, ", "), r.Kind, strings.Join(allowed, ", "))
			} else {
				p.addf(key, "unknown key %s in %s; allowed here: %s", k, m.named(string(r.Kind)+" rule", "a "+string(r.Kind)+" rule"), strings.Join(allowed, ", "))
			}
		}
	} else {
		all := slices.Clone(commonRuleKeys)
		for _, k := range ruleKinds {
			all = append(all, ruleKindKeys[k]...)
		}
		slices.Sort(all)
		p.allow(m, m.named("rule", "a rule"), slices.Compact(all))
	}
	if v, ok := m.get("severity"); ok {
		if s, ok := p.str(v, "severity"); ok {
			r.Severity = forms.Severity(s)
			if r.Severity != forms.SeverityError && r.Severity != forms.SeverityWarning {
				p.addf(v, "severity %q: use error (blocks submission) or warning (needs an explanation)", s)
			}
		}
	}
	if v, ok := m.get("question"); ok {
		if s, ok := p.str(v, "question"); ok {
			r.Question = s
			refs.question = v
		}
	}
	if v, ok := m.get("message"); ok {
		if t, ok := p.text(v, "message"); ok {
			r.Message = t
			p.checkMessage(v)
		}
	}
	if !kindKnown {
		return r, refs, true
	}

	if v, ok := m.get("rows"); ok {
		if items, ok := p.list(v, "rows"); ok {
			if len(items) == 0 {
				p.addf(m.at("rows"), "rows: list at least one row, or leave rows out for every row")
			}
			for _, it := range items {
				if s, ok := p.str(it, "a row"); ok {
					r.Rows = append(r.Rows, s)
				}
			}
			if len(r.Rows) == len(items) {
				refs.rows = v
			}
		}
	}
	switch r.Kind {
	case forms.RuleRange:
		minN, hasMin := m.get("min")
		maxN, hasMax := m.get("max")
		if !hasMin && !hasMax {
			p.addf(m.node, "a range rule needs min, max or both")
		}
		if hasMin {
			if f, ok := p.number(minN, "min"); ok {
				r.Min = &f
			}
		}
		if hasMax {
			if f, ok := p.number(maxN, "max"); ok {
				r.Max = &f
			}
		}
		if r.Min != nil && r.Max != nil && *r.Min > *r.Max {
			p.addf(minN, "min (%v) is above max (%v)", *r.Min, *r.Max)
		}
	case forms.RuleNotAbove:
		p.require(m, m.named("not_above rule", "a not_above rule"), "bound")
		if v, ok := m.get("bound"); ok {
			if s, ok := p.str(v, "bound"); ok {
				r.Bound = s
				refs.bound = v
			}
		}
	case forms.RuleYearChange:
		if v, ok := m.get("max_share"); ok {
			if f, ok := p.number(v, "max_share"); ok {
				if f <= 0 {
					p.addf(v, "max_share must be more than 0 (0.5 is a change of more than 50 %%)")
				}
				r.MaxShare = f
			}
		} else {
			p.addf(m.node, "a change_from_previous_year rule needs max_share, more than 0 (0.5 is a change of more than 50 %%)")
		}
		if v, ok := m.get("min_base"); ok {
			if n, ok := p.integer(v, "min_base"); ok {
				if n < 0 {
					p.addf(v, "min_base must be a whole number of 0 or more")
				}
				r.MinBase = n
			}
		}
	}
	return r, refs, true
}

// checkRefs checks that the questions and rows a rule names exist and are
// of the kind the rule checks.
func (p *parser) checkRefs(r *forms.Rule, refs ruleRefs, questions map[string]*forms.Question) {
	if refs.question == nil {
		return
	}
	q, ok := questions[r.Question]
	if !ok {
		p.addf(refs.question, "question: there is no question %s", r.Question)
		return
	}
	if r.Kind == forms.RuleRange {
		if q.Kind != forms.Number && q.Kind != forms.StatTable {
			p.addf(refs.question, "question %s is a %s question; a range rule checks a number question or a table", q.Key, q.Kind)
		}
		return
	}
	if _, known := ruleKindKeys[r.Kind]; !known {
		return
	}
	if q.Kind != forms.StatTable {
		p.addf(refs.question, "question %s is a %s question; a %s rule checks a table", q.Key, q.Kind, r.Kind)
		return
	}
	if q.Table == nil {
		return // the table itself is reported
	}
	rows := map[string]forms.Indicator{}
	for _, row := range q.Table.Rows {
		rows[row.Key] = row
	}
	switch r.Kind {
	case forms.RulePartsSumToTotal:
		if q.Table.Disaggregation == "" {
			p.addf(refs.question, "table %s has no disaggregation (disaggregation: none), so there are no parts to add up to its total", q.Key)
		}
	case forms.RulePartNotAboveWhole:
		if !slices.ContainsFunc(q.Table.Rows, func(row forms.Indicator) bool { return row.PartOf != "" }) {
			p.addf(refs.question, "table %s has no row with part_of, so there is no part to compare with its whole", q.Key)
		}
	case forms.RuleNotAbove:
		if refs.bound == nil {
			break
		}
		b, ok := questions[r.Bound]
		switch {
		case !ok:
			p.addf(refs.bound, "bound: there is no question %s", r.Bound)
		case b.Kind != forms.StatTable:
			p.addf(refs.bound, "bound %s is a %s question; the bound of a not_above rule is a table", b.Key, b.Kind)
		case b.Key == q.Key:
			p.addf(refs.bound, "bound is the table the rule checks; name another table")
		case b.Table == nil:
		case b.Table.Disaggregation != q.Table.Disaggregation:
			p.addf(refs.bound, "bound %s is broken down by %s and %s by %s; a not_above rule compares tables with the same disaggregation",
				b.Key, disaggregationName(b.Table), q.Key, disaggregationName(q.Table))
		default:
			common := false
			for _, row := range b.Table.Rows {
				if _, ok := rows[row.Key]; ok {
					common = true
				}
			}
			if !common {
				p.addf(refs.bound, "tables %s and %s have no row key in common, so there is nothing to compare", q.Key, b.Key)
			}
			if refs.rows != nil {
				for i, key := range r.Rows {
					if _, inQ := rows[key]; inQ && !slices.ContainsFunc(b.Table.Rows, func(row forms.Indicator) bool { return row.Key == key }) {
						p.addf(refs.rows.Content[i], "rows: table %s, the bound, has no row %s", b.Key, key)
					}
				}
			}
		}
	}
	if refs.rows == nil {
		return
	}
	seen := newKeyIndex("row", " in rows")
	for i, key := range r.Rows {
		n := refs.rows.Content[i]
		p.unique(seen, n, key)
		row, ok := rows[key]
		switch {
		case !ok:
			p.addf(n, "rows: table %s has no row %s", q.Key, key)
		case r.Kind == forms.RulePartNotAboveWhole && row.PartOf == "":
			p.addf(n, "rows: row %s has no part_of, so it has no whole to compare with", key)
		}
	}
}

func disaggregationName(t *forms.Table) string {
	if t.Disaggregation == "" {
		return "none"
	}
	return t.Disaggregation
}

// checkMessage checks each language of a rule's message: a text/template
// with the documented placeholders only, and nothing else between {{ }}.
func (p *parser) checkMessage(n *yaml.Node) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		code, v := n.Content[i].Value, n.Content[i+1]
		t, err := template.New("message").Parse(v.Value)
		if err != nil {
			msg := err.Error()
			if _, after, ok := strings.Cut(msg, "template: message:"); ok {
				msg = strings.TrimLeft(after, "0123456789:")
				msg = strings.TrimSpace(msg)
			}
			p.addf(v, "message.%s: %s; write placeholders as {{.Value}}", code, msg)
			continue
		}
		if len(t.Templates()) > 1 {
			p.addf(v, "message.%s: only placeholders such as {{.Value}} are allowed, not define or block", code)
			continue
		}
		if t.Tree == nil {
			continue
		}
		for _, node := range t.Tree.Root.Nodes {
			switch node := node.(type) {
			case *parse.TextNode:
			case *parse.ActionNode:
				name, ok := placeholderName(node)
				switch {
				case !ok:
					p.addf(v, "message.%s: %s is not a placeholder; use only %s", code, node, placeholderList())
				case !slices.Contains(placeholders, name):
					p.addf(v, "message.%s: {{.%s}} is not a placeholder; use only %s", code, name, placeholderList())
				}
			default:
				p.addf(v, "message.%s: %s is not a placeholder; use only %s", code, node, placeholderList())
			}
		}
	}
}

// placeholderName returns X for an action that is just {{.X}}.
func placeholderName(a *parse.ActionNode) (string, bool) {
	if a.Pipe == nil || len(a.Pipe.Decl) > 0 || len(a.Pipe.Cmds) != 1 || len(a.Pipe.Cmds[0].Args) != 1 {
		return "", false
	}
	f, ok := a.Pipe.Cmds[0].Args[0].(*parse.FieldNode)
	if !ok || len(f.Ident) != 1 {
		return "", false
	}
	return f.Ident[0], true
}

func placeholderList() string {
	var b strings.Builder
	for i, p := range placeholders {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString("{{." + p + "}}")
	}
	return b.String()
}
