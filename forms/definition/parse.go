// Package definition reads questionnaire files (docs/questionnaires.md)
// into forms.Questionnaire and checks them, reporting every problem with its
// file, line and column. It also holds the built-in questionnaires.
package definition

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"portal/forms"
)

// Parse reads and checks the questionnaire file named name (used in the
// problems only). It returns the questionnaire, or nil and a Problems that
// lists everything wrong with the file, each with its line and column.
func Parse(name string, data []byte) (*forms.Questionnaire, error) {
	p := &parser{file: name, tables: map[string]*forms.Table{}, tableNodes: map[string]*yaml.Node{}, questions: map[string]forms.Question{}}
	q := p.parse(data)
	if len(p.problems) > 0 {
		p.problems.sort()
		return nil, p.problems
	}
	return q, nil
}

// parser collects the problems of one file.
type parser struct {
	file     string
	problems Problems
	tables   map[string]*forms.Table // the table questions read so far, for rows_from
	// tableNodes are their table: mappings, where series problems are reported
	tableNodes map[string]*yaml.Node
	// questions read so far, for relevant: a condition names an earlier question
	questions map[string]forms.Question
}

func (p *parser) addf(n *yaml.Node, format string, args ...any) {
	pr := Problem{File: p.file, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		pr.Line, pr.Column = n.Line, n.Column
	}
	p.problems = append(p.problems, pr)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// decode parses data into the document's root node, or reports why it
// cannot and returns nil.
func (p *parser) decode(data []byte) (root *yaml.Node) {
	defer func() {
		// yaml.v3 panics on a few malformed inputs instead of failing.
		if r := recover(); r != nil {
			p.addf(nil, "not readable as YAML (%v)", r)
			p.problems[len(p.problems)-1].Line = 1
			root = nil
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.problems = append(p.problems, Problem{File: p.file, Line: 1, Column: 1, Message: "the file is empty"})
			return nil
		}
		p.syntax(err)
		return nil
	}
	var more yaml.Node
	if err := dec.Decode(&more); err == nil {
		p.addf(&more, "a file holds one questionnaire: remove this second document (after ---)")
	} else if !errors.Is(err, io.EOF) {
		p.syntax(err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		p.problems = append(p.problems, Problem{File: p.file, Line: 1, Column: 1, Message: "the file is empty"})
		return nil
	}
	return doc.Content[0]
}

// syntax reports a YAML syntax error, at its line when it gives one (at
// line 1 when not).
func (p *parser) syntax(err error) {
	pr := Problem{File: p.file, Line: 1, Message: strings.TrimPrefix(err.Error(), "yaml: ")}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil && n > 0 {
			pr.Line = n
		}
		pr.Message = m[2]
	}
	pr.Message = "not valid YAML: " + pr.Message
	p.problems = append(p.problems, pr)
}

// plain reports the anchors, aliases and explicit tags anywhere under n:
// the format is plain YAML.
func (p *parser) plain(n *yaml.Node) {
	if n.Anchor != "" {
		p.addf(n, "anchors (&%s) are not allowed: write the content out", n.Anchor)
	}
	if n.Kind == yaml.AliasNode {
		p.addf(n, "aliases (*%s) are not allowed: write the content out", n.Value)
		return
	}
	if n.Style&yaml.TaggedStyle != 0 {
		p.addf(n, "tags (%s) are not allowed", n.Tag)
	}
	for _, c := range n.Content {
		p.plain(c)
	}
}

const (
	tagStr   = "!!str"
	tagInt   = "!!int"
	tagFloat = "!!float"
	tagBool  = "!!bool"
	tagNull  = "!!null"
)

// entry is a key of a mapping and its value.
type entry struct{ key, value *yaml.Node }

// mapping is a YAML mapping read into its entries, first occurrence of
// each key only.
type mapping struct {
	node    *yaml.Node
	entries map[string]entry
	order   []string
}

func (m *mapping) get(key string) (*yaml.Node, bool) {
	e, ok := m.entries[key]
	return e.value, ok
}

// at returns the node of key itself, where problems with its value as a
// whole (a list too short) are reported.
func (m *mapping) at(key string) *yaml.Node {
	return m.entries[key].key
}

// mapping reads n as a mapping, reporting duplicate keys and keys that are
// not plain words. what names n in messages ("the questionnaire", "a
// question"). It reports and returns false when n is not a mapping.
func (p *parser) mapping(n *yaml.Node, what string) (*mapping, bool) {
	if n.Kind == yaml.AliasNode {
		return nil, false // reported by plain
	}
	if n.Kind != yaml.MappingNode {
		p.addf(n, "%s must be a mapping (key: value lines)", what)
		return nil, false
	}
	m := &mapping{node: n, entries: map[string]entry{}}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Tag == tagNull {
			if k.Kind != yaml.AliasNode {
				p.addf(k, "keys must be plain words")
			}
			continue
		}
		if first, dup := m.entries[k.Value]; dup {
			p.addf(k, "duplicate key %s (first at line %d)", k.Value, first.key.Line)
			continue
		}
		m.entries[k.Value] = entry{k, v}
		m.order = append(m.order, k.Value)
	}
	return m, true
}

// named names the item m in messages: "question threats_observed" when its
// key is a plain value, else what ("a question").
func (m *mapping) named(noun, what string) string {
	if k, ok := m.get("key"); ok && k.Kind == yaml.ScalarNode && k.Tag == tagStr && k.Value != "" && len(k.Value) <= 64 {
		return noun + " " + k.Value
	}
	return what
}

// allow reports every key of m not in allowed.
func (p *parser) allow(m *mapping, what string, allowed []string) {
	for _, k := range m.order {
		if !slices.Contains(allowed, k) {
			p.addf(m.entries[k].key, "unknown key %s in %s; allowed here: %s", k, what, strings.Join(allowed, ", "))
		}
	}
}

// require reports each key missing from m.
func (p *parser) require(m *mapping, what string, keys ...string) {
	for _, k := range keys {
		if _, ok := m.entries[k]; !ok {
			p.addf(m.node, "%s has no %s, which is required", what, k)
		}
	}
}

// str reads a scalar as a string; null (an empty value) is refused.
func (p *parser) str(n *yaml.Node, what string) (string, bool) {
	switch {
	case n.Kind == yaml.AliasNode:
		return "", false
	case n.Kind != yaml.ScalarNode:
		p.addf(n, "%s must be a single value, not a list or a mapping", what)
		return "", false
	case n.Tag == tagNull:
		p.addf(n, "%s must not be empty", what)
		return "", false
	}
	return n.Value, true
}

func (p *parser) integer(n *yaml.Node, what string) (int64, bool) {
	var v int64
	if n.Kind == yaml.AliasNode {
		return 0, false
	}
	if n.Kind != yaml.ScalarNode || n.Tag != tagInt || n.Decode(&v) != nil {
		p.addf(n, "%s must be a whole number", what)
		return 0, false
	}
	return v, true
}

func (p *parser) number(n *yaml.Node, what string) (float64, bool) {
	var v float64
	if n.Kind == yaml.AliasNode {
		return 0, false
	}
	if n.Kind != yaml.ScalarNode || (n.Tag != tagInt && n.Tag != tagFloat) || n.Decode(&v) != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		p.addf(n, "%s must be a number", what)
		return 0, false
	}
	return v, true
}

func (p *parser) boolean(n *yaml.Node, what string) (bool, bool) {
	var v bool
	if n.Kind == yaml.AliasNode {
		return false, false
	}
	if n.Kind != yaml.ScalarNode || n.Tag != tagBool || n.Decode(&v) != nil {
		p.addf(n, "%s must be true or false", what)
		return false, false
	}
	return v, true
}

func (p *parser) list(n *yaml.Node, what string) ([]*yaml.Node, bool) {
	if n.Kind == yaml.AliasNode {
		return nil, false
	}
	if n.Kind != yaml.SequenceNode {
		p.addf(n, "%s must be a list", what)
		return nil, false
	}
	return n.Content, true
}

// text reads a text: a mapping of language codes to strings, English
// required. Numbers and true/false are taken as written.
func (p *parser) text(n *yaml.Node, what string) (forms.Text, bool) {
	if n.Kind == yaml.ScalarNode {
		p.addf(n, "%s must be a text by language, such as {en: ...}", what)
		return nil, false
	}
	m, ok := p.mapping(n, what+" (a text by language, such as {en: ...})")
	if !ok {
		return nil, false
	}
	t := forms.Text{}
	valid := true
	for _, code := range m.order {
		e := m.entries[code]
		l, known := forms.ParseLanguage(code)
		if !known {
			p.addf(e.key, "%s: %s is not a language code; use en, fr, es, ru, ar or zh", what, code)
			valid = false
			continue
		}
		s, ok := p.str(e.value, what+"."+code)
		if !ok {
			valid = false
			continue
		}
		if strings.TrimSpace(s) == "" {
			p.addf(e.value, "%s.%s must not be blank", what, code)
			valid = false
			continue
		}
		t[l] = s
	}
	if _, ok := m.entries["en"]; !ok {
		p.addf(n, "%s has no English (en), which is required", what)
		valid = false
	}
	return t, valid
}

var (
	questionnaireKey = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	itemKey          = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// key reads a key and checks it against the pattern of item keys.
func (p *parser) key(n *yaml.Node, what string) (string, bool) {
	s, ok := p.str(n, what)
	if !ok {
		return "", false
	}
	if !itemKey.MatchString(s) {
		p.addf(n, "%s %q: use lower-case letters, digits and _, starting with a letter ([a-z][a-z0-9_]*)", what, s)
		return s, false
	}
	return s, true
}

var topKeys = []string{"key", "version", "title", "description", "disaggregations", "sections", "rules"}

// parse reads the whole questionnaire, collecting problems as it goes.
func (p *parser) parse(data []byte) *forms.Questionnaire {
	root := p.decode(data)
	if root == nil {
		return nil
	}
	p.plain(root)
	m, ok := p.mapping(root, "the questionnaire")
	if !ok {
		return nil
	}
	p.allow(m, "the questionnaire", topKeys)
	p.require(m, "the questionnaire", "key", "version", "title", "sections")
	q := &forms.Questionnaire{}
	if n, ok := m.get("key"); ok {
		if s, ok := p.str(n, "key"); ok {
			if !questionnaireKey.MatchString(s) {
				p.addf(n, "key %q: use lower-case letters, digits and -, starting with a letter ([a-z][a-z0-9-]*)", s)
			}
			q.Key = s
		}
	}
	if n, ok := m.get("version"); ok {
		if v, ok := p.integer(n, "version"); ok {
			if v < 1 || v > math.MaxInt32 {
				p.addf(n, "version must be a whole number of 1 or more")
			}
			q.Version = int(v)
		}
	}
	if n, ok := m.get("title"); ok {
		q.Title, _ = p.text(n, "title")
	}
	if n, ok := m.get("description"); ok {
		q.Description, _ = p.text(n, "description")
	}
	if n, ok := m.get("disaggregations"); ok {
		q.Disaggregations = p.disaggregations(n)
	}
	if n, ok := m.get("sections"); ok {
		q.Sections = p.sections(m.at("sections"), n, q.Disaggregations)
	}
	if n, ok := m.get("rules"); ok {
		q.Rules = p.rules(n, q)
	}
	p.checkSeries(q)
	return q
}
