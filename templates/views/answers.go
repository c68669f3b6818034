package views

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"portal/forms"
	"portal/templates/form"
	"portal/templates/words"
)

// Comment is a comment on a submission, or on one of its answers or cells.
type Comment struct {
	Author, At, Body, Where, Href string
	Field                         string // the answer or cell it is about, "" for the whole submission
	OfficeLabel                   string // "the Office", in the page's language
	Office                        bool
	Version                       int
}

// DescribeAnswer is an answer to question q as a report shows it.
func DescribeAnswer(t words.Text, q *forms.Question, a forms.Answer) string {
	one := &forms.Questionnaire{Sections: []forms.Section{{Questions: []forms.Question{*q}}}}
	field := forms.AnswerField(q.Key)
	b := &Builder{Text: t, Q: one}
	return b.DescribeField(field, forms.Answers{Values: map[string]forms.Answer{q.Key: a}}.Field(field))
}

// Question is a question of a section with its answer, as its inputs show it.
type Question struct {
	Key, Kind, ID, Name string
	Label, Help         string
	Required            bool
	Describedby         string
	Error               string    // what could not be read, at the field
	Findings            []Finding // findings on the question (not its cells)
	Comments            []Comment // the Office's comments on the question or its cells

	Text      string // narrative; the other text of a choice
	MaxLength int
	Length    int
	Options   []Option
	Other     bool
	Bool      string // "yes", "no", ""
	Value     string // date, number (as typed or formatted)
	Unit      string
	Files     []File
	Accept    string
	MaxMB     int64
	MaxFiles  int   // files one save may carry
	QuotaMB   int64 // what the draft's files may weigh together
	Table     *Table

	// Hidden: an earlier answer hides the question (forms.Questionnaire.Hidden);
	// the page keeps it, hidden, so that the script can show it again.
	Hidden bool
	// RelevantOn is the key of the question whose answer shows this one,
	// RelevantAnswers those answers, space-separated; "" when always shown.
	RelevantOn, RelevantAnswers string
}

// Option is a choice of a question: a checkbox or a radio button.
type Option struct {
	Value, Label, ID string
	Checked          bool
	// Hidden, RelevantOn and RelevantAnswers are as for Question, for an
	// option offered only after some answer.
	Hidden                      bool
	RelevantOn, RelevantAnswers string
}

// File is a file attached to a file question.
type File struct {
	ID                int64
	Name, Href, Size  string
	UploadedBy, Where string
}

// question builds the view of one question with its answer.
func (b *Builder) question(src *Source, a forms.Answers, qq *forms.Question, fv Findings) *Question {
	lang, in := b.Lang, src.Input
	field := forms.AnswerField(qq.Key)
	v := &Question{Key: qq.Key, Kind: string(qq.Kind), ID: "q-" + qq.Key, Name: field,
		Label: qq.Label.In(lang), Help: qq.Help.In(lang), Required: qq.Required, Unit: qq.Unit.In(lang)}
	if c := qq.Relevant; c != nil {
		v.RelevantOn, v.RelevantAnswers = c.Question, strings.Join(c.Answers, " ")
	}
	v.Findings = fv.byQuestion[qq.Key]
	v.Error = fv.inputErr[field]
	if msg := fv.inputErr["u/"+qq.Key]; msg != "" {
		v.Error = msg
	}
	var ids []string
	if v.Help != "" {
		ids = append(ids, v.ID+"-help")
	}
	if v.Error != "" {
		ids = append(ids, v.ID+"-error")
	}
	for _, f := range v.Findings {
		ids = append(ids, f.ID)
	}
	ans := a.Values[qq.Key]
	switch qq.Kind {
	case forms.Narrative:
		v.Text = ans.Text
		v.MaxLength = qq.MaxLength
		if v.MaxLength <= 0 {
			v.MaxLength = 10000
		}
		v.Length = utf8.RuneCountInString(ans.Text)
		ids = append(ids, v.ID+"-count")
	case forms.SingleChoice, forms.MultipleChoice:
		for _, o := range qq.Options {
			opt := Option{Value: o.Key, Label: o.Label.In(lang), ID: v.ID + "-" + o.Key, Checked: slices.Contains(ans.Choices, o.Key)}
			if c := o.Relevant; c != nil {
				opt.RelevantOn, opt.RelevantAnswers = c.Question, strings.Join(c.Answers, " ")
				opt.Hidden = b.Q.HiddenOptions(a)[qq.Key][o.Key]
			}
			v.Options = append(v.Options, opt)
		}
		if qq.Other {
			v.Other = true
			v.Options = append(v.Options, Option{Value: "other", Label: b.T("question.other"), ID: v.ID + "-other", Checked: slices.Contains(ans.Choices, "other")})
		}
		v.Text = ans.Text
	case forms.YesNo:
		if ans.Bool != nil {
			v.Bool = map[bool]string{true: "yes", false: "no"}[*ans.Bool]
		}
	case forms.Date:
		v.Value = ans.Date
	case forms.Number:
		if ans.Number != nil {
			x := *ans.Number
			if x == float64(int64(x)) && x >= 0 {
				v.Value = forms.FormatCount(int64(x), lang)
			} else {
				v.Value = strconv.FormatFloat(x, 'f', -1, 64)
			}
		}
		if in != nil && v.Error != "" {
			v.Value = in.Typed[field]
		}
	case forms.Attachment:
		v.Accept = strings.Join(qq.Accept, ",")
		v.MaxMB = qq.MaxBytes >> 20
		if v.MaxMB == 0 {
			v.MaxMB = 10
		}
		v.MaxFiles, v.QuotaMB = form.MaxFilesPerSave, src.FileQuota>>20
		for _, id := range ans.Files {
			info, ok := src.Draft.Files[id]
			if !ok {
				continue
			}
			v.Files = append(v.Files, File{ID: id, Name: info.Name, Href: src.FileURL(id),
				Size: b.FileSize(info.Size), UploadedBy: info.UploadedBy})
		}
	case forms.StatTable:
		v.Table = b.draftTable(a, qq, fv, in)
	}
	v.Describedby = strings.Join(ids, " ")
	return v
}

// DescribeField writes a field's content (as forms.Answers.Field encodes
// it) for a person: a figure, "not available", a text, the options chosen.
func (b *Builder) DescribeField(field, enc string) string {
	if enc == "" {
		return b.T("conflict.empty")
	}
	var a forms.Answers
	if err := a.SetField(field, enc); err != nil {
		return enc
	}
	if ref, ok := forms.ParseCellField(field); ok {
		c := a.Cells[ref]
		var parts []string
		switch c.State {
		case forms.CellValue:
			parts = append(parts, forms.FormatCount(c.Value, b.Lang))
		case forms.CellNotAvailable:
			parts = append(parts, b.T("cell.state.na"))
		case forms.CellNotApplicable:
			parts = append(parts, b.T("cell.state.nap"))
		default:
			parts = append(parts, b.T("conflict.empty"))
		}
		for _, fl := range form.CellFlags {
			if c.Flags&fl.Flag != 0 {
				parts = append(parts, b.T("cell.flag."+fl.Name))
			}
		}
		if c.Note != "" {
			parts = append(parts, b.Tf("conflict.note", map[string]any{"Note": c.Note}))
		}
		return strings.Join(parts, "; ")
	}
	if k, ok := strings.CutPrefix(field, "x/"); ok {
		return a.Explanations[k]
	}
	key := field[2:]
	ans := a.Values[key]
	qq, ok := b.Q.Question(key)
	if !ok {
		return enc
	}
	switch qq.Kind {
	case forms.SingleChoice, forms.MultipleChoice:
		var labels []string
		for _, ch := range ans.Choices {
			l := ch
			for _, o := range qq.Options {
				if o.Key == ch {
					l = o.Label.In(b.Lang)
				}
			}
			if ch == "other" {
				l = b.T("question.other") + ": " + ans.Text
			}
			labels = append(labels, l)
		}
		return strings.Join(labels, "; ")
	case forms.YesNo:
		if ans.Bool != nil && *ans.Bool {
			return b.T("question.yes")
		}
		return b.T("question.no")
	case forms.Date:
		return ans.Date
	case forms.Number:
		if ans.Number != nil {
			return strconv.FormatFloat(*ans.Number, 'f', -1, 64)
		}
	case forms.Attachment:
		return b.Tf("conflict.files", map[string]any{"Count": len(ans.Files)})
	}
	return ans.Text
}
