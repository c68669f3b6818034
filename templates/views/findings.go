package views

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"

	"portal/forms"
	"portal/templates/form"
)

// Finding is a finding of the rules as the page shows it: worded, placed,
// linked, and for a warning with its explanation box.
type Finding struct {
	Key                                 string
	Where                               string // the question, and for a cell its row, year and column
	Message                             string
	Href                                string
	ID                                  string // the message's element id, for aria-describedby
	Warning                             bool
	ExplainName, Explanation, ExplainID string
	ExplainLabel, ExplainError          string
}

// placed is a finding's view with where it belongs on the page.
type placed struct {
	required bool // a required question not answered yet
	question string
	field    string // the cell's field key, or "" for the question
	view     Finding
}

// Findings are a draft's findings placed at their questions and cells,
// with what the posted form could not read. The zero value places none.
type Findings struct {
	all        []placed
	byQuestion map[string][]Finding
	byCell     map[string][]Finding
	unreadable []Finding
	inputErr   map[string]string // field → message
}

// Placed words and places the findings fs on answers a for a page that
// shows every section at once (the review), with the explanations given.
func (b *Builder) Placed(fs []forms.Finding, a forms.Answers) Findings {
	return b.findings(nil, nil, fs, a, nil, true)
}

// OnQuestion are the findings on question key as a whole, not on its cells.
func (fv Findings) OnQuestion(key string) []Finding { return fv.byQuestion[key] }

// findings words and places a draft's findings for the section sec (nil:
// every section is on the page), and what the posted form in could not
// read. A required question not answered is placed at the question only
// with required (after a first save of the section, or on the way to
// submitting); it is listed among the findings either way.
//
// A finding's ids come from its key, so that they stay the same from one
// save to the next: the page's script puts the findings of an autosave in
// place, and keeps an explanation being typed where it was.
func (b *Builder) findings(sec *forms.Section, sectionURL func(string) string, fs []forms.Finding, a forms.Answers, in *form.Input, required bool) Findings {
	fv := Findings{byQuestion: map[string][]Finding{}, byCell: map[string][]Finding{}, inputErr: map[string]string{}}
	ids := make(map[string]bool, len(fs))
	for _, f := range fs {
		id := findingID(f.Key, ids)
		v := Finding{Key: f.Key, Warning: f.Severity == forms.SeverityWarning, ID: "finding-" + id}
		v.Where = b.FindingPlace(f)
		v.Message = b.FindingMessage(f)
		target := "q-" + f.Question
		field := ""
		if f.Row != "" {
			ref := forms.CellRef{Question: f.Question, Row: f.Row, Year: f.Year, Category: f.Category}
			field = forms.CellField(ref)
			target = CellID(ref)
		}
		if v.Warning {
			v.ExplainName = "x/" + f.Key
			v.ExplainID = "explain-" + id
			v.ExplainLabel = b.T("finding.explain")
			v.Explanation = a.Explanations[f.Key]
			target = v.ExplainID
			if in != nil {
				if e, ok := in.Errs[forms.ExplanationField(f.Key)]; ok {
					v.ExplainError = b.Tf(e.ID, e.Data)
					v.Explanation = in.Typed[forms.ExplanationField(f.Key)]
				}
			}
		}
		v.Href = "#" + target
		if sec != nil && !slices.ContainsFunc(sec.Questions, func(q forms.Question) bool { return q.Key == f.Question }) {
			if other := SectionOf(b.Q, f.Question); other != "" {
				v.Href = sectionURL(other) + "#" + target
			}
		}
		fv.all = append(fv.all, placed{required: f.Kind == forms.RuleRequired, question: f.Question, field: field, view: v})
		if f.Kind == forms.RuleRequired && !required {
			continue
		}
		if field != "" {
			fv.byCell[field] = append(fv.byCell[field], v)
		} else {
			fv.byQuestion[f.Question] = append(fv.byQuestion[f.Question], v)
		}
	}
	if in != nil {
		keys := make([]string, 0, len(in.Errs))
		for k := range in.Errs {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			e := in.Errs[k]
			msg := b.Tf(e.ID, e.Data)
			fv.inputErr[k] = msg
			v := Finding{Key: k, Message: msg, Href: "#" + FieldID(k), Where: b.FieldPlace(k)}
			fv.unreadable = append(fv.unreadable, v)
		}
	}
	return fv
}

// FindingTarget is the id of where the page of f's section takes the user
// to act on f: a warning's explanation box, an error's cell, else the
// question.
func FindingTarget(f forms.Finding) string {
	switch {
	case f.Severity == forms.SeverityWarning:
		return "explain-" + findingID(f.Key, map[string]bool{})
	case f.Row != "":
		return CellID(forms.CellRef{Question: f.Question, Row: f.Row, Year: f.Year, Category: f.Category})
	}
	return "q-" + f.Question
}

// findingID is a short id made from a finding's key, the same on every
// page and save, and unique among taken (which it joins).
func findingID(key string, taken map[string]bool) string {
	h := fnv.New64a()
	h.Write([]byte(key))
	id := strconv.FormatUint(h.Sum64()&(1<<40-1), 36)
	for base, n := id, 2; taken[id]; n++ {
		id = base + "-" + strconv.Itoa(n)
	}
	taken[id] = true
	return id
}

// SectionOf returns the key of the section holding the question.
func SectionOf(q *forms.Questionnaire, question string) string {
	for _, sec := range q.Sections {
		for _, qq := range sec.Questions {
			if qq.Key == question {
				return sec.Key
			}
		}
	}
	return ""
}

// CellID is the id of a cell's input on the page.
func CellID(r forms.CellRef) string {
	return "cell-" + r.Question + "-" + r.Row + "-" + strconv.Itoa(r.Year) + "-" + r.Category
}

// FieldID is the id of the input of a field key (as form.ReadSection names errors).
func FieldID(field string) string {
	if ref, ok := forms.ParseCellField(field); ok {
		return CellID(ref)
	}
	if k, ok := strings.CutPrefix(field, "q/"); ok {
		return "q-" + k
	}
	if k, ok := strings.CutPrefix(field, "u/"); ok {
		return "u-" + k
	}
	return "summary"
}

// FieldPlace names a field for a person: the question, and a cell's row,
// year and column; an explanation, as the explanation of the warning there.
func (b *Builder) FieldPlace(field string) string {
	if ref, ok := forms.ParseCellField(field); ok {
		return b.FindingPlace(forms.Finding{Question: ref.Question, Row: ref.Row, Year: ref.Year, Category: ref.Category})
	}
	if k, ok := strings.CutPrefix(field, "x/"); ok {
		place := ""
		if f, ok := b.Q.FindingAt(k); ok {
			place = b.FindingPlace(f)
		}
		return b.Tf("field.explanation", map[string]any{"Place": place})
	}
	key := field
	if i := strings.IndexByte(field, '/'); i >= 0 {
		key = field[i+1:]
	}
	if qq, ok := b.Q.Question(key); ok {
		return qq.Label.In(b.Lang)
	}
	return ""
}

// FindingPlace names where a finding is: the question's label, and for a
// cell its row, year and column in the user's language.
func (b *Builder) FindingPlace(f forms.Finding) string {
	qq, ok := b.Q.Question(f.Question)
	if !ok {
		return f.Question
	}
	label := qq.Label.In(b.Lang)
	if f.Row == "" || qq.Table == nil {
		return label
	}
	return label + " — " + b.cellLabel(qq, f.Row, f.Year, f.Category)
}

// cellLabel is "Homicide, 2023, Male" in the page's language.
func (b *Builder) cellLabel(qq *forms.Question, row string, year int, cat string) string {
	rowLabel := row
	for _, r := range qq.Table.Rows {
		if r.Key == row {
			rowLabel = r.Label.In(b.Lang)
		}
	}
	return rowLabel + ", " + strconv.Itoa(year) + ", " + b.CategoryLabel(qq.Table, cat)
}

// CategoryLabel names a column of table t: a category of its
// disaggregation, or the total.
func (b *Builder) CategoryLabel(t *forms.Table, cat string) string {
	if cat == forms.TotalCategory {
		return b.T("table.total")
	}
	if t.Disaggregation != "" {
		for _, o := range b.Q.Disaggregations[t.Disaggregation].Categories {
			if o.Key == cat {
				return o.Label.In(b.Lang)
			}
		}
	}
	return cat
}

// FindingMessage is what a finding says, in the page's language: the
// rule's own message from the definition, or the catalogue's for its kind,
// with the figures written as the language writes them.
func (b *Builder) FindingMessage(f forms.Finding) string {
	args := map[string]any{}
	for k, v := range f.Args {
		switch x := v.(type) {
		case int64:
			args[k] = forms.FormatCount(x, b.Lang)
		case int:
			args[k] = forms.FormatCount(int64(x), b.Lang)
		case float64:
			args[k] = strconv.FormatFloat(x, 'f', -1, 64)
		case []string:
			args[k] = strings.Join(x, ", ")
		default:
			args[k] = fmt.Sprint(x)
		}
	}
	args["Year"] = strconv.Itoa(f.Year)
	if qq, ok := b.Q.Question(f.Question); ok && qq.Table != nil {
		for _, r := range qq.Table.Rows {
			if r.Key == f.Row {
				args["Row"] = r.Label.In(b.Lang)
			}
		}
		args["Category"] = b.CategoryLabel(qq.Table, f.Category)
	}
	if msg := f.Message.In(b.Lang); msg != "" {
		for k, v := range args {
			msg = strings.ReplaceAll(msg, "{{."+k+"}}", fmt.Sprint(v))
		}
		return msg
	}
	id := "rule." + string(f.Kind)
	switch f.Kind {
	case forms.RuleInvalid:
		id += "." + fmt.Sprint(f.Args["Reason"])
	case forms.RuleRange:
		_, lo := f.Args["Min"]
		_, hi := f.Args["Max"]
		switch {
		case lo && hi:
			id += ".between"
		case lo:
			id += ".min"
		default:
			id += ".max"
		}
	case forms.RuleYearChange:
		if _, ok := f.Args["Share"]; !ok {
			id += ".fromzero"
		}
	}
	return b.Tf(id, args)
}
