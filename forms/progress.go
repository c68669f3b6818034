package forms

// Progress is how far a draft has got, as every page that says so reads
// it: the section list and section pages, the organization's home, the
// submission page and its gate. One definition serves them all: a section
// is complete exactly when nothing in it stops the submission, and the
// draft may be submitted exactly when nothing does.
type Progress struct {
	// States are the sections' states, by section key (SectionStates).
	States map[string]SectionState
	// Sections count each section's questions and those answered, by key.
	Sections map[string]Count
	// Count is over the whole questionnaire.
	Count
	// Findings are every finding of the rules on the answers (Check).
	Findings []Finding
	// Blocking are the findings that stop the submission (Blocking).
	Blocking []Finding
}

// Count is how many questions there are, and how many are answered (as
// RuleRequired counts an answer: a non-blank text, a choice, a yes or no,
// a date, a number, a file, a table with a non-blank cell).
type Count struct {
	Answered, Questions int
}

// Percent is the share of questions answered, rounded down: 100 only when
// every question is answered.
func (c Count) Percent() int {
	if c.Questions == 0 {
		return 0
	}
	return c.Answered * 100 / c.Questions
}

// Assess checks answers a to q for the call's years and says how far they
// have got. Questions a hides (Questionnaire.Hidden) are not counted, nor
// a table whose every row it hides; a table counts as answered when a cell
// of a row it shows is not blank.
func Assess(q *Questionnaire, a Answers, years []int) Progress {
	fs := Check(q, a, years)
	r := q.relevance(a)
	a = q.visible(a, r)
	p := Progress{States: SectionStates(q, a, fs), Sections: map[string]Count{}, Findings: fs, Blocking: Blocking(fs, a)}
	if q == nil {
		return p
	}
	tables := map[string]bool{}
	for ref, cell := range a.Cells {
		if cell.State != CellBlank {
			tables[ref.Question] = true
		}
	}
	seen := map[string]bool{}
	for si := range q.Sections {
		sec := &q.Sections[si]
		var c Count
		for qi := range sec.Questions {
			qq := &sec.Questions[qi]
			if seen[qq.Key] || r.skipped(qq.Key) {
				continue
			}
			seen[qq.Key] = true
			c.Questions++
			if qq.Kind == StatTable {
				if tables[qq.Key] {
					c.Answered++
				}
			} else if ans, ok := a.Values[qq.Key]; ok && !emptyAnswer(qq, ans) {
				c.Answered++
			}
		}
		p.Sections[sec.Key] = c
		p.Answered += c.Answered
		p.Questions += c.Questions
	}
	return p
}

// Ready says whether nothing stops the submission.
func (p Progress) Ready() bool { return len(p.Blocking) == 0 }
