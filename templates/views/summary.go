package views

import (
	"slices"
	"unicode/utf8"

	"portal/forms"
)

// Summary is a draft's answers as the page before submitting shows them:
// section by section, each question with its answer in short, the
// sections with nothing answered called out.
type Summary struct {
	Sections []SectionSummary
	// Empty counts the sections with nothing answered.
	Empty int
}

// SectionSummary is one section of a Summary.
type SectionSummary struct {
	Key, Title, Href string
	Count            string // "Questions answered: 3 of 5"
	Empty            bool   // nothing answered in it
	Answers          []AnswerLine
}

// AnswerLine is a question and its answer in short.
type AnswerLine struct {
	Label, Answer string
	Unanswered    bool
}

// summaryText is how much of a text answer the summary shows.
const summaryText = 240

// Summarize summarizes answers a, assessed as p, with each section's page
// at sectionURL. Questions a hides are left out, and so are tables whose
// every row it hides; the figures of hidden rows are not counted.
func (b *Builder) Summarize(a forms.Answers, p forms.Progress, sectionURL func(string) string) Summary {
	var s Summary
	cells := map[string]int{}
	hiddenRows := b.Q.HiddenRows(a)
	for ref, c := range a.Cells {
		if c.State != forms.CellBlank && !hiddenRows[ref.Question][ref.Row] {
			cells[ref.Question]++
		}
	}
	hidden := b.Q.Hidden(a) // questions an earlier answer hides are not asked
	for si := range b.Q.Sections {
		sec := &b.Q.Sections[si]
		n := p.Sections[sec.Key]
		ss := SectionSummary{Key: sec.Key, Title: sec.Title.In(b.Lang), Href: sectionURL(sec.Key), Empty: n.Answered == 0,
			Count: b.Tf("summary.count", map[string]any{"Answered": n.Answered, "Questions": n.Questions})}
		for qi := range sec.Questions {
			qq := &sec.Questions[qi]
			if hidden[qq.Key] || (qq.Table != nil && len(qq.Table.Rows) > 0 &&
				!slices.ContainsFunc(qq.Table.Rows, func(r forms.Indicator) bool { return !hiddenRows[qq.Key][r.Key] })) {
				continue
			}
			line := AnswerLine{Label: qq.Label.In(b.Lang)}
			if qq.Kind == forms.StatTable {
				if k := cells[qq.Key]; k > 0 {
					line.Answer = b.Tn("summary.figures", k, nil)
				}
			} else if ans, ok := a.Values[qq.Key]; ok {
				line.Answer = shorten(DescribeAnswer(b.Text, qq, ans), summaryText)
			}
			if line.Answer == "" {
				line.Answer, line.Unanswered = b.T("summary.unanswered"), true
			}
			ss.Answers = append(ss.Answers, line)
		}
		if ss.Empty {
			s.Empty++
		}
		s.Sections = append(s.Sections, ss)
	}
	return s
}

// shorten cuts s to at most n characters, at a space when there is one
// near the end, and marks the cut.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	for i := len(r) - 1; i > n*3/4; i-- {
		if r[i] == ' ' {
			r = r[:i]
			break
		}
	}
	return string(r) + "…"
}
