package definition

import (
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"portal/forms"
)

const (
	defaultMaxLength = 10000
	maxMaxLength     = 100000
	defaultMaxSizeMB = 10
	maxMaxSizeMB     = 50
	minOptions       = 2
	minCategories    = 2
	noDisaggregation = "none"
)

// keyIndex reports keys seen twice within one scope (sections, options of a
// question, rows of a table...).
type keyIndex struct {
	what  string // "section", "option"...
	scope string // " in this question"...
	lines map[string]int
}

func newKeyIndex(what, scope string) *keyIndex {
	return &keyIndex{what: what, scope: scope, lines: map[string]int{}}
}

// unique records key, found at n, in ix and reports it if ix has it already.
func (p *parser) unique(ix *keyIndex, n *yaml.Node, key string) {
	if key == "" {
		return
	}
	if line, seen := ix.lines[key]; seen {
		p.addf(n, "duplicate %s key %s%s (first at line %d)", ix.what, key, ix.scope, line)
		return
	}
	ix.lines[key] = n.Line
}

var disaggregationKeys = []string{"label", "categories"}

func (p *parser) disaggregations(n *yaml.Node) map[string]forms.Disaggregation {
	m, ok := p.mapping(n, "disaggregations")
	if !ok {
		return nil
	}
	ds := map[string]forms.Disaggregation{}
	for _, key := range m.order {
		e := m.entries[key]
		what := "disaggregation " + key
		if !itemKey.MatchString(key) {
			p.addf(e.key, "disaggregation key %q: use lower-case letters, digits and _, starting with a letter ([a-z][a-z0-9_]*)", key)
		} else if key == noDisaggregation {
			p.addf(e.key, "disaggregation key none is reserved: a table with disaggregation: none has a total only")
		}
		d := forms.Disaggregation{Key: key}
		ds[key] = d // even when broken, so that tables using it are not reported again
		dm, ok := p.mapping(e.value, what)
		if !ok {
			continue
		}
		p.allow(dm, what, disaggregationKeys)
		p.require(dm, what, disaggregationKeys...)
		if v, ok := dm.get("label"); ok {
			d.Label, _ = p.text(v, what+": label")
		}
		if v, ok := dm.get("categories"); ok {
			d.Categories = p.options(dm.at("categories"), v, what+": categories", "category", " in this disaggregation", minCategories)
			for i, c := range d.Categories {
				if c.Key == forms.TotalCategory {
					p.addf(v.Content[i], "category key total is reserved: the total is always added")
				}
			}
		}
		ds[key] = d
	}
	return ds
}

var (
	optionKeys         = []string{"key", "label"}
	questionOptionKeys = []string{"key", "label", "relevant"}
)

// options reads a list of {key, label}: the options of a choice question
// (which may also have relevant) or the categories of a disaggregation.
// The result has one element per item of the list when n is a list.
func (p *parser) options(at, n *yaml.Node, what, item, scope string, least int) []forms.Option {
	items, ok := p.list(n, what)
	if !ok {
		return nil
	}
	if len(items) < least {
		p.addf(at, "%s: list at least %d, not %d", what, least, len(items))
	}
	seen := newKeyIndex(item, scope)
	opts := make([]forms.Option, len(items))
	for i, it := range items {
		an := "a " + item
		if strings.ContainsAny(item[:1], "aeiou") {
			an = "an " + item
		}
		m, ok := p.mapping(it, an)
		if !ok {
			continue
		}
		allowed := optionKeys
		if item == "option" {
			allowed = questionOptionKeys
		}
		p.allow(m, m.named(item, an), allowed)
		p.require(m, m.named(item, an), optionKeys...)
		if v, ok := m.get("key"); ok {
			opts[i].Key, _ = p.key(v, item+" key")
			p.unique(seen, v, opts[i].Key)
		}
		if v, ok := m.get("label"); ok {
			opts[i].Label, _ = p.text(v, item+" label")
		}
		if v, ok := m.get("relevant"); ok && item == "option" {
			opts[i].Relevant = p.relevant(v, false)
		}
	}
	return opts
}

var sectionKeys = []string{"key", "title", "help", "questions"}

func (p *parser) sections(at, n *yaml.Node, ds map[string]forms.Disaggregation) []forms.Section {
	items, ok := p.list(n, "sections")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		p.addf(at, "sections: list at least one section")
	}
	sectionIx := newKeyIndex("section", "")
	questionIx := newKeyIndex("question", " (question keys are unique in the whole questionnaire)")
	secs := make([]forms.Section, len(items))
	for i, it := range items {
		m, ok := p.mapping(it, "a section")
		if !ok {
			continue
		}
		s := &secs[i]
		p.allow(m, m.named("section", "a section"), sectionKeys)
		p.require(m, m.named("section", "a section"), "key", "title", "questions")
		if v, ok := m.get("key"); ok {
			s.Key, _ = p.key(v, "section key")
			p.unique(sectionIx, v, s.Key)
		}
		if v, ok := m.get("title"); ok {
			s.Title, _ = p.text(v, "title")
		}
		if v, ok := m.get("help"); ok {
			s.Help, _ = p.text(v, "help")
		}
		if v, ok := m.get("questions"); ok {
			qs, ok := p.list(v, "questions")
			if ok && len(qs) == 0 {
				p.addf(m.at("questions"), "questions: list at least one question")
			}
			for _, qn := range qs {
				if q, ok := p.question(qn, ds, questionIx); ok {
					s.Questions = append(s.Questions, q)
				}
			}
		}
	}
	return secs
}

var (
	commonQuestionKeys = []string{"key", "kind", "label", "help", "required", "relevant"}
	kindKeys           = map[forms.QuestionKind][]string{
		forms.Narrative:      {"max_length"},
		forms.SingleChoice:   {"options", "other"},
		forms.MultipleChoice: {"options", "other"},
		forms.YesNo:          nil,
		forms.Date:           nil,
		forms.Number:         {"min", "max", "integer", "unit"},
		forms.Attachment:     {"accept", "max_size_mb"},
		forms.StatTable:      {"table", "unit"},
	}
	kindRequired = map[forms.QuestionKind][]string{
		forms.SingleChoice:   {"options"},
		forms.MultipleChoice: {"options"},
		forms.Attachment:     {"accept"},
		forms.StatTable:      {"table"},
	}
	// questionKinds in the order of the documentation.
	questionKinds = []forms.QuestionKind{forms.Narrative, forms.SingleChoice, forms.MultipleChoice,
		forms.YesNo, forms.Date, forms.Number, forms.Attachment, forms.StatTable}
)

// kindsWithField lists the question kinds that have field.
func kindsWithField(field string) []string {
	var ks []string
	for _, k := range questionKinds {
		if slices.Contains(kindKeys[k], field) {
			ks = append(ks, string(k))
		}
	}
	return ks
}

func kindNames() string {
	names := make([]string, len(questionKinds))
	for i, k := range questionKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// question reads a question. It returns false only when n is not a
// mapping; a question with problems is returned so that rules naming it are
// checked against what it is.
func (p *parser) question(n *yaml.Node, ds map[string]forms.Disaggregation, questionIx *keyIndex) (forms.Question, bool) {
	var q forms.Question
	m, ok := p.mapping(n, "a question")
	if !ok {
		return q, false
	}
	p.require(m, m.named("question", "a question"), "key", "kind", "label")
	if v, ok := m.get("key"); ok {
		q.Key, _ = p.key(v, "question key")
		p.unique(questionIx, v, q.Key)
	}
	kindKnown := false
	if v, ok := m.get("kind"); ok {
		if s, ok := p.str(v, "kind"); ok {
			q.Kind = forms.QuestionKind(s)
			if _, kindKnown = kindKeys[q.Kind]; !kindKnown {
				p.addf(v, "kind %q is not a kind of question; use one of %s", s, kindNames())
			}
		}
	}
	if kindKnown {
		allowed := append(slices.Clone(commonQuestionKeys), kindKeys[q.Kind]...)
		for _, k := range m.order {
			if slices.Contains(allowed, k) {
				continue
			}
			key := m.entries[k].key
			if others := kindsWithField(k); len(others) > 0 {
				p.addf(key, "%s does not belong to a %s question (only to %s); a %s question has: %s",
					k, q.Kind, strings.Join(others, ", "), q.Kind, strings.Join(allowed, ", "))
			} else {
				p.addf(key, "unknown key %s in %s; allowed here: %s", k, m.named(string(q.Kind)+" question", "a "+string(q.Kind)+" question"), strings.Join(allowed, ", "))
			}
		}
		p.require(m, m.named(string(q.Kind)+" question", "a "+string(q.Kind)+" question"), kindRequired[q.Kind]...)
	} else {
		// Without a kind, refuse only what no kind has.
		all := slices.Clone(commonQuestionKeys)
		for _, k := range questionKinds {
			all = append(all, kindKeys[k]...)
		}
		slices.Sort(all)
		all = slices.Compact(all)
		p.allow(m, m.named("question", "a question"), all)
	}
	if v, ok := m.get("label"); ok {
		q.Label, _ = p.text(v, "label")
	}
	if v, ok := m.get("help"); ok {
		q.Help, _ = p.text(v, "help")
	}
	if v, ok := m.get("required"); ok {
		q.Required, _ = p.boolean(v, "required")
	}
	if v, ok := m.get("relevant"); ok {
		q.Relevant = p.relevant(v, false)
	}
	defer func() {
		if q.Key != "" {
			if _, seen := p.questions[q.Key]; !seen {
				p.questions[q.Key] = q
			}
		}
	}()
	if !kindKnown {
		return q, true
	}

	switch q.Kind {
	case forms.Narrative:
		q.MaxLength = defaultMaxLength
		if v, ok := m.get("max_length"); ok {
			if n, ok := p.integer(v, "max_length"); ok {
				if n < 1 || n > maxMaxLength {
					p.addf(v, "max_length must be from 1 to %d characters, not %d", maxMaxLength, n)
				} else {
					q.MaxLength = int(n)
				}
			}
		}
	case forms.SingleChoice, forms.MultipleChoice:
		if v, ok := m.get("other"); ok {
			q.Other, _ = p.boolean(v, "other")
		}
		if v, ok := m.get("options"); ok {
			q.Options = p.options(m.at("options"), v, "options", "option", " in this question", minOptions)
			for i, o := range q.Options {
				if q.Other && o.Key == "other" {
					p.addf(v.Content[i], "option key other is taken by other: true (\"Other, please specify\"); use another key")
				}
			}
		}
	case forms.Number:
		if v, ok := m.get("min"); ok {
			if f, ok := p.number(v, "min"); ok {
				q.Min = &f
			}
		}
		if v, ok := m.get("max"); ok {
			if f, ok := p.number(v, "max"); ok {
				q.Max = &f
			}
		}
		if q.Min != nil && q.Max != nil && *q.Min > *q.Max {
			v, _ := m.get("min")
			p.addf(v, "min (%v) is above max (%v)", *q.Min, *q.Max)
		}
		if v, ok := m.get("integer"); ok {
			q.Integer, _ = p.boolean(v, "integer")
		}
		if v, ok := m.get("unit"); ok {
			q.Unit, _ = p.text(v, "unit")
		}
	case forms.Attachment:
		q.MaxBytes = defaultMaxSizeMB << 20
		if v, ok := m.get("accept"); ok {
			q.Accept = p.accept(m.at("accept"), v)
		}
		if v, ok := m.get("max_size_mb"); ok {
			if n, ok := p.integer(v, "max_size_mb"); ok {
				if n < 1 || n > maxMaxSizeMB {
					p.addf(v, "max_size_mb must be from 1 to %d, not %d", maxMaxSizeMB, n)
				} else {
					q.MaxBytes = n << 20
				}
			}
		}
	case forms.StatTable:
		if v, ok := m.get("unit"); ok {
			q.Unit, _ = p.text(v, "unit")
		}
		if v, ok := m.get("table"); ok {
			q.Table = p.table(v, ds)
			if q.Table != nil && q.Key != "" {
				p.tables[q.Key] = q.Table
				p.tableNodes[q.Key] = v
			}
		}
	}
	return q, true
}

var relevantKeys = []string{"question", "answer"}

// relevant reads the condition of a question, an option or (with row) a
// table's row: {question: KEY, answer: VALUE}, VALUE one answer or a list
// of them (any of), naming a yes_no or choice question that comes earlier
// (before the table, for a row). Since only earlier questions may be
// named, conditions cannot form a cycle.
func (p *parser) relevant(n *yaml.Node, row bool) *forms.Condition {
	before, who := "this one", "a question"
	if row {
		before, who = "this table", "a row"
	}
	m, ok := p.mapping(n, "relevant (question: and answer:)")
	if !ok {
		return nil
	}
	p.allow(m, "relevant", relevantKeys)
	p.require(m, "relevant", relevantKeys...)
	c := &forms.Condition{}
	var on *forms.Question
	if v, ok := m.get("question"); ok {
		if s, ok := p.str(v, "relevant: question"); ok {
			c.Question = s
			if q, seen := p.questions[s]; !seen {
				p.addf(v, "relevant: %s is not a question before %s; %s can depend only on an earlier answer", s, before, who)
			} else if q.Kind != forms.YesNo && q.Kind != forms.SingleChoice && q.Kind != forms.MultipleChoice {
				p.addf(v, "relevant: question %s is a %s question; %s can depend only on a yes_no, single_choice or multiple_choice question", s, q.Kind, who)
			} else {
				on = &q
			}
		}
	}
	v, ok := m.get("answer")
	if !ok {
		return c
	}
	items := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		items = v.Content
		if len(items) == 0 {
			p.addf(v, "relevant: answer: list at least one answer")
		}
	}
	for _, it := range items {
		s, ok := p.str(it, "relevant: answer")
		if !ok {
			continue
		}
		c.Answers = append(c.Answers, s)
		if on == nil {
			continue
		}
		var valid []string
		if on.Kind == forms.YesNo {
			valid = []string{forms.AnswerYes, forms.AnswerNo}
		} else {
			for _, o := range on.Options {
				valid = append(valid, o.Key)
			}
			if on.Other {
				valid = append(valid, "other")
			}
		}
		if !slices.Contains(valid, s) {
			p.addf(it, "relevant: %s is not an answer to question %s; use %s", s, on.Key, strings.Join(valid, ", "))
		}
	}
	return c
}

var mimeType = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9!#$&^_.+-]*/([a-zA-Z0-9][a-zA-Z0-9!#$&^_.+-]*|\*)$`)

func (p *parser) accept(at, n *yaml.Node) []string {
	items, ok := p.list(n, "accept")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		p.addf(at, "accept: list at least one MIME type, such as application/pdf")
	}
	var types []string
	for _, it := range items {
		s, ok := p.str(it, "a MIME type")
		if !ok {
			continue
		}
		if !mimeType.MatchString(s) {
			p.addf(it, "accept: %q is not a MIME type such as application/pdf", s)
			continue
		}
		types = append(types, s)
	}
	return types
}

var (
	tableKeys  = []string{"disaggregation", "series", "rows", "rows_from"}
	seriesKeys = []string{"indicator", "unit", "total_repeats"}
	rowKeys    = []string{"key", "label", "iccs", "series", "part_of", "relevant"}
	iccsCode   = regexp.MustCompile(`^[0-9]{2,6}$`)
	rowSeries  = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
)
