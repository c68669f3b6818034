// Package views turns domain values into what a page shows: a section's
// questions with their answers, the findings worded and placed, the
// statistical tables, the conflicts of a save, an answer described for a
// person. It knows neither HTTP nor the database (as miniflux's ui/view):
// the handlers load what a page needs and hand it here with the words of
// the page's language.
package views

import (
	"bytes"
	"html/template"
	"slices"

	"portal/forms"
	"portal/templates/form"
	"portal/templates/words"
)

// A Builder builds the views of the answers to one questionnaire, for the
// years of one call, in one language.
type Builder struct {
	words.Text
	Q     *forms.Questionnaire
	Years []int
	// Cells are the words every cell of a table repeats (NewCellTexts); a
	// Builder that shows no table needs none.
	Cells CellTexts
	// OpenCell is the field of the cell whose details the user asked for
	// without the script.
	OpenCell string
	// Layouts keeps the layouts of the tables, or nil (each page lays its
	// tables out).
	Layouts *Layouts
	// ReadOnly: the page shows the draft in a disabled form, whose buttons
	// do nothing; the cells' details open with links instead.
	ReadOnly bool
}

// Source is what the page of a draft's section is built from.
type Source struct {
	Section *forms.Section
	Draft   forms.Draft // its files
	// Answers are what the page shows: the draft's, or what was just typed over them.
	Answers  forms.Answers
	Progress forms.Progress // Answers assessed (forms.Assess)
	Input    *form.Input    // the form just posted, or nil
	// ShowRequired places "answer this question" at the required questions
	// not answered: once the section has been saved with something in it,
	// after Save, or on the way from the submission page. Before that a
	// fresh section is not a page of errors.
	ShowRequired bool
	// SectionURL is the page of a section of the draft, FileURL a file's.
	SectionURL func(section string) string
	FileURL    func(id int64) string
	FileQuota  int64                // what the draft's files may weigh together
	Comments   map[string][]Comment // the Office's comments, by question
}

// Draft is what the page of a draft's section shows of it.
type Draft struct {
	Sections   []SectionLink
	Current    *SectionLink // the page's, among Sections
	Section    Section
	Prev, Next *SectionLink
	Errors     []Finding // every error of the draft, this section's first
	Warnings   []Finding // every warning, explained or not
	Missing    []Finding // required questions not answered yet
	Unreadable []Finding // inputs of the posted form that could not be read
	CellText   CellTexts // the words every cell of the section's tables repeats
	// OpenCell is the field of the cell whose details panel the user asked
	// for without the script (the script opens panels in place).
	OpenCell  string
	HasTables bool
	Multipart bool // the form carries files
	// Relevance: a question of the section, an option or a table's row
	// depends on an answer, so the page loads the script that shows and
	// hides it as the answer changes.
	Relevance bool
	// Marks are the section's cells that carry a finding, for the page's
	// script to mark after an autosave (the rows are not sent again).
	Marks []CellMark
	// Problems counts what in this section stops the submission.
	Problems int

	out *bytes.Buffer // the page being rendered (RenderInto), or nil
}

// RenderInto hands d the buffer its page is about to be rendered into, so
// that TableRows writes there. The renderer calls it before executing the
// page's template.
func (d *Draft) RenderInto(buf *bytes.Buffer) { d.out = buf }

// TableRows writes the rows of t (Table.Body) into the page being rendered
// and returns nothing, or returns them when the renderer gave no buffer:
// a section's rows are some 400 KB, which html/template would copy
// through fmt's buffer on their way to the page. The template executes
// in order, straight into that buffer, so the rows land where the call
// stands.
func (d *Draft) TableRows(t *Table) template.HTML {
	if d.out == nil {
		return t.Body(d.CellText)
	}
	t.writeBody(d.out, d.CellText)
	return ""
}

// Draft builds the view of src's section. b.Cells is filled here when the
// section has tables.
func (b *Builder) Draft(src Source) Draft {
	lang := b.Lang
	var p Draft
	p.OpenCell = b.OpenCell
	states := src.Progress.States
	for _, sec := range b.Q.Sections {
		l := SectionLink{Key: sec.Key, Title: sec.Title.In(lang), Href: src.SectionURL(sec.Key), State: string(states[sec.Key]), Current: sec.Key == src.Section.Key}
		l.StateLabel = b.T("section.state." + l.State)
		p.Sections = append(p.Sections, l)
	}
	for i := range p.Sections {
		if p.Sections[i].Current {
			p.Current = &p.Sections[i]
		}
		if p.Sections[i].Current && i+1 < len(p.Sections) {
			p.Next = &SectionLink{Key: p.Sections[i+1].Key, Title: p.Sections[i+1].Title, Href: p.Sections[i+1].Href}
		}
		if p.Sections[i].Current && i > 0 {
			prev := p.Sections[i-1]
			p.Prev = &prev
		}
	}
	fv := b.findings(src.Section, src.SectionURL, src.Progress.Findings, src.Answers, src.Input, src.ShowRequired)
	if slices.ContainsFunc(src.Section.Questions, func(q forms.Question) bool { return q.Kind == forms.StatTable }) {
		b.Cells = NewCellTexts(b.Text)
		b.Cells.readOnly = b.ReadOnly
		p.CellText = b.Cells
	}
	p.Section = Section{Key: src.Section.Key, Title: src.Section.Title.In(lang), Help: src.Section.Help.In(lang)}
	hidden := b.Q.Hidden(src.Answers)
	for i := range src.Section.Questions {
		qq := &src.Section.Questions[i]
		v := b.question(&src, src.Answers, qq, fv)
		v.Comments = src.Comments[qq.Key]
		v.Hidden = hidden[qq.Key]
		if qq.Relevant != nil || slices.ContainsFunc(qq.Options, func(o forms.Option) bool { return o.Relevant != nil }) ||
			(qq.Table != nil && slices.ContainsFunc(qq.Table.Rows, func(r forms.Indicator) bool { return r.Relevant != nil })) {
			p.Relevance = true
		}
		p.Section.Questions = append(p.Section.Questions, v)
		if qq.Kind == forms.Attachment {
			p.Multipart = true
		}
		if qq.Kind == forms.StatTable {
			p.HasTables = true
		}
	}
	// The summary: this section's findings first, then the others'.
	inSection := map[string]bool{}
	for _, qq := range src.Section.Questions {
		inSection[qq.Key] = true
	}
	for _, pass := range []bool{true, false} {
		for _, f := range fv.all {
			if inSection[f.question] != pass {
				continue
			}
			switch {
			case f.required:
				p.Missing = append(p.Missing, f.view)
			case f.view.Warning:
				p.Warnings = append(p.Warnings, f.view)
			default:
				p.Errors = append(p.Errors, f.view)
			}
		}
	}
	if src.Input != nil {
		p.Unreadable = fv.unreadable
	}
	marks := map[string]int{}
	for _, f := range fv.all {
		if f.field == "" || !inSection[f.question] {
			continue
		}
		ref, _ := forms.ParseCellField(f.field)
		i, ok := marks[f.field]
		if !ok {
			i = len(p.Marks)
			marks[f.field] = i
			p.Marks = append(p.Marks, CellMark{ID: CellID(ref)})
		}
		m := &p.Marks[i]
		if f.view.Warning {
			m.Warned = true
		} else {
			m.Invalid = true
		}
		if m.Describedby != "" {
			m.Describedby += " "
		}
		m.Describedby += f.view.ID
	}
	for _, f := range src.Progress.Blocking {
		if inSection[f.Question] {
			p.Problems++
		}
	}
	return p
}

// CellMark is how a cell of a table shows its findings: marked invalid
// (an error) or warned, and described by the findings' messages.
type CellMark struct {
	ID          string `json:"id"`
	Invalid     bool   `json:"invalid,omitempty"`
	Warned      bool   `json:"warned,omitempty"`
	Describedby string `json:"describedby"`
}

// SectionLink is a section in the list of a draft's sections, with its state.
type SectionLink struct {
	Key, Title, Href  string
	State, StateLabel string
	Current           bool
}

// Section is the section a page shows, with its questions.
type Section struct {
	Key, Title, Help string
	Questions        []*Question
}
