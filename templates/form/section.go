// Package form reads what a section's HTML form posts back: the fields the
// draft page's template names, as forms.Edit, with what could not be read
// kept as typed and worded by catalogue ID. It knows neither HTTP nor the
// database: a handler passes the parsed form in.
package form

import (
	"net/url"
	"portal/forms"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A section's form names its inputs after the draft's field keys (see
// forms.AnswerField and forms.CellField):
//
//	q/<question>        the answer (a text, a choice, the files kept)
//	o/<question>        the "other, please specify" text of a choice
//	u/<question>        new files for a file question
//	c/<q>/<row>/<y>/<c> a cell's figure, as typed
//	s/<q>/<row>/<y>/<c> a cell's state: "" (a figure), "na", "nap"
//	n/<q>/<row>/<y>/<c> a cell's note
//	f/<q>/<row>/<y>/<c> a cell's flags: national, provisional, estimate
//	x/<finding>         the explanation of a warning
//
// The form always carries every field of its section, so a save covers
// them all; forms.Merge leaves alone those the user did not change. The
// page's script adds two names:
//
//	fields              (autosave) the fields the post covers: only those
//	                    the user changed since their content was last saved
//	v/<field>           the draft version a field's content started from,
//	                    when the script saved it since the page was loaded
//
// so that a page that autosaved some fields does not send the others, as
// loaded, against a newer version (which would undo what others saved).

// Cell states as the form writes them.
const (
	NotAvailable  = "na"
	NotApplicable = "nap"
)

// CellFlags are the form's names of the cell flags, in their order.
var CellFlags = []struct {
	Name string
	Flag forms.CellFlags
}{
	{"national", forms.FlagNationalDefinition},
	{"provisional", forms.FlagProvisional},
	{"estimate", forms.FlagEstimate},
}

// Limits on what a form may carry, beyond the questionnaire's own.
const (
	maxExplanation     = forms.MaxExplanation // characters of an explanation
	maxCellNote        = 1000                 // characters of a cell's note
	maxExplanationKeys = 5000                 // explanations in one form
	MaxFileName        = 200                  // characters kept of an uploaded file's name
)

// Input is a section's form as the user sent it: the edit to save,
// and what could not be read, with the text as typed so that the page can
// show it again.
type Input struct {
	Edit forms.Edit
	// Errs are the inputs that could not be read, by field key; those
	// fields are left out of the edit, so that what was saved stays.
	Errs map[string]Problem
	// Typed holds the text of every cell and number as typed, by field key.
	Typed map[string]string
	// Only, when not nil, holds the fields the post covers (see "fields").
	Only map[string]bool
}

// Problem is why an input could not be read: the catalogue ID of what to
// do, and the message's data.
type Problem struct {
	ID   string
	Data map[string]any
}

// ReadSection reads the form of one section of q. lang is the language
// the page was in, which figures are written in.
func ReadSection(values url.Values, q *forms.Questionnaire, sec *forms.Section, years []int, lang forms.Language) Input {
	in := Input{Errs: map[string]Problem{}, Typed: map[string]string{}}
	in.Edit.Base, _ = strconv.Atoi(values.Get("version"))
	if list, ok := values["fields"]; ok {
		in.Only = make(map[string]bool, len(list))
		for _, f := range list {
			in.Only[f] = true
		}
	}
	a := &in.Edit.Answers
	a.Values, a.Cells, a.Explanations = map[string]forms.Answer{}, map[forms.CellRef]forms.Cell{}, map[string]string{}
	for i := range sec.Questions {
		qq := &sec.Questions[i]
		if qq.Kind == forms.StatTable {
			readTable(values, q, qq, years, lang, &in)
			continue
		}
		field := forms.AnswerField(qq.Key)
		if !in.Covers(field) {
			continue
		}
		ans, err := readAnswer(values, qq, lang, &in)
		if err != nil {
			in.Errs[field] = *err
			continue
		}
		in.Edit.Fields = append(in.Edit.Fields, field)
		a.Values[qq.Key] = ans
	}
	n := 0
	for name, vals := range values {
		key, ok := strings.CutPrefix(name, "x/")
		if !ok || key == "" || len(key) > forms.MaxFindingKey || len(vals) == 0 || !in.Covers(name) {
			continue
		}
		if n++; n > maxExplanationKeys {
			break
		}
		text := CleanText(vals[0])
		field := forms.ExplanationField(key)
		if utf8.RuneCountInString(text) > maxExplanation {
			in.Errs[field] = Problem{ID: "input.explanation.toolong", Data: map[string]any{"Count": maxExplanation}}
			in.Typed[field] = text
			continue
		}
		in.Edit.Fields = append(in.Edit.Fields, field)
		a.Explanations[key] = text
	}
	for _, f := range in.Edit.Fields {
		v, ok := values["v/"+f]
		if !ok || len(v) == 0 {
			continue
		}
		if b, err := strconv.Atoi(v[0]); err == nil {
			if in.Edit.FieldBases == nil {
				in.Edit.FieldBases = map[string]int{}
			}
			in.Edit.FieldBases[f] = b
		}
	}
	return in
}

// Covers says whether the form covers field: every field, unless the post
// lists the ones it carries.
func (in *Input) Covers(field string) bool { return in.Only == nil || in.Only[field] }

// readAnswer reads the answer to a question other than a table.
func readAnswer(values url.Values, q *forms.Question, lang forms.Language, in *Input) (forms.Answer, *Problem) {
	name := forms.AnswerField(q.Key)
	var ans forms.Answer
	switch q.Kind {
	case forms.Narrative:
		ans.Text = CleanText(values.Get(name))
	case forms.SingleChoice, forms.MultipleChoice:
		for _, v := range values[name] {
			// An option's key as posted, cleaned as a text is: a key
			// no option has is kept, for the rules to report.
			if v = CleanText(v); v != "" {
				ans.Choices = append(ans.Choices, v)
			}
		}
		// Kept even when "other" is not ticked: nothing typed is dropped.
		ans.Text = CleanText(values.Get("o/" + q.Key))
	case forms.YesNo:
		switch values.Get(name) {
		case "yes":
			ans.Bool = ptr(true)
		case "no":
			ans.Bool = ptr(false)
		}
	case forms.Date:
		ans.Date = strings.TrimSpace(CleanText(values.Get(name)))
	case forms.Number:
		s := strings.TrimSpace(values.Get(name))
		in.Typed[name] = s
		if s == "" {
			break
		}
		x, err := parseNumber(s, lang)
		if err != nil {
			return ans, err
		}
		ans.Number = &x
	case forms.Attachment:
		for _, v := range values[name] {
			id, err := strconv.ParseInt(v, 10, 64)
			if err == nil && id > 0 && !slices.Contains(ans.Files, id) {
				ans.Files = append(ans.Files, id)
			}
		}
	}
	return ans, nil
}

// parseNumber reads a number question's answer: a count as the language
// writes it, or a decimal with the language's decimal mark.
func parseNumber(s string, lang forms.Language) (float64, *Problem) {
	if n, why := forms.ParseCount(s, lang); why == "" {
		return float64(n), nil
	} else if why == forms.CountNegative {
		return 0, &Problem{ID: "input.number.negative"}
	}
	t := strings.ReplaceAll(s, " ", "")
	if lang == forms.French || lang == forms.Spanish || lang == forms.Russian {
		t = strings.ReplaceAll(t, ",", ".")
	}
	x, err := strconv.ParseFloat(t, 64)
	if err != nil || strings.ContainsAny(t, "eEinfINFxXpP_") {
		return 0, &Problem{ID: "input.number.invalid"}
	}
	return x, nil
}

// readTable reads every cell of a table question for the call's years.
func readTable(values url.Values, q *forms.Questionnaire, tq *forms.Question, years []int, lang forms.Language, in *Input) {
	cols := q.Columns(tq.Table)
	for _, row := range tq.Table.Rows {
		for _, y := range years {
			for _, col := range cols {
				ref := forms.CellRef{Question: tq.Key, Row: row.Key, Year: y, Category: col}
				field := forms.CellField(ref)
				if !in.Covers(field) {
					continue
				}
				cell, err := readCell(values, field, lang, in)
				if err != nil {
					in.Errs[field] = *err
					continue
				}
				in.Edit.Fields = append(in.Edit.Fields, field)
				if cell != (forms.Cell{}) {
					in.Edit.Answers.Cells[ref] = cell
				}
			}
		}
	}
}

// readCell reads a cell: its figure, or its state, with its note and flags.
func readCell(values url.Values, field string, lang forms.Language, in *Input) (forms.Cell, *Problem) {
	rest := field[2:]
	typed := strings.TrimSpace(values.Get(field))
	in.Typed[field] = typed
	var cell forms.Cell
	cell.Note = CleanText(values.Get("n/" + rest))
	for _, f := range values["f/"+rest] {
		for _, fl := range CellFlags {
			if f == fl.Name {
				cell.Flags |= fl.Flag
			}
		}
	}
	if utf8.RuneCountInString(cell.Note) > maxCellNote {
		return cell, &Problem{ID: "input.note.toolong", Data: map[string]any{"Count": maxCellNote}}
	}
	switch state := values.Get("s/" + rest); state {
	case NotAvailable, NotApplicable:
		if typed != "" {
			return cell, &Problem{ID: "input.count.both"}
		}
		cell.State = forms.CellNotAvailable
		if state == NotApplicable {
			cell.State = forms.CellNotApplicable
		}
		return cell, nil
	}
	if typed == "" {
		return cell, nil // blank: not zero
	}
	n, why := forms.ParseCount(typed, lang)
	if why != "" {
		return cell, &Problem{ID: "input.count." + why, Data: map[string]any{"Typed": typed}}
	}
	cell.State, cell.Value = forms.CellValue, n
	return cell, nil
}

// cleanText normalizes what a browser sends for a text: line ends as
// "\n", no control characters but line ends and tabs, no NUL.
func CleanText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if !strings.ContainsFunc(s, func(r rune) bool { return r != '\n' && r != '\t' && unicode.IsControl(r) || r == utf8.RuneError }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == '\r' {
			return '\n'
		}
		if r != '\n' && r != '\t' && unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
}

func ptr[T any](v T) *T { return &v }

// SectionFields returns the key of every answer and cell field of a
// section: the fields its form carries, explanations apart.
func SectionFields(q *forms.Questionnaire, sec *forms.Section, years []int) map[string]bool {
	out := map[string]bool{}
	for _, qq := range sec.Questions {
		if qq.Table == nil {
			out[forms.AnswerField(qq.Key)] = true
			continue
		}
		for _, row := range qq.Table.Rows {
			for _, y := range years {
				for _, col := range q.Columns(qq.Table) {
					out[forms.CellField(forms.CellRef{Question: qq.Key, Row: row.Key, Year: y, Category: col})] = true
				}
			}
		}
	}
	return out
}
