package forms

import (
	"slices"
	"strings"
)

// The reasons of RuleInvalid findings, in Finding.Args["Reason"]. The
// interface's catalogue has a message for each ("rule.invalid.<reason>").
const (
	// Answers.Values
	InvalidUnknownQuestion = "unknown_question"   // an answer or cell for a question the questionnaire does not have
	InvalidWrongKind       = "wrong_kind"         // an answer (not cells) for a table question
	InvalidTooLong         = "too_long"           // Args Length, MaxLength (characters)
	InvalidUnknownChoice   = "unknown_choice"     // Args Choices: those not among the options
	InvalidTooManyChoices  = "too_many_choices"   // a single choice with Args Count choices
	InvalidDuplicateChoice = "duplicate_choice"   // Args Choices: those chosen more than once
	InvalidOtherText       = "other_text_missing" // "other" chosen without saying what
	InvalidNotFinite       = "not_finite"         // NaN or an infinity
	InvalidNotWhole        = "not_whole"          // Args Value, on an Integer question
	InvalidOutOfRange      = "out_of_range"       // Args Value and the question's Min and/or Max
	InvalidDate            = "bad_date"           // not a date written YYYY-MM-DD
	// Answers.Cells
	InvalidNotATable       = "not_a_table"      // a cell of a question that is not a table
	InvalidUnknownRow      = "unknown_row"      // a row the table does not have
	InvalidUnknownYear     = "unknown_year"     // a year that is not one of the call's reporting years
	InvalidUnknownCategory = "unknown_category" // a column the table does not have
	InvalidUnknownState    = "unknown_state"    // a CellState that is not one of the four
	InvalidNegative        = "negative_value"   // Args Value, below 0
)

// textMaxLength is the limit of a text whose question sets none, and of the
// "other, please specify" text of a choice question.
const textMaxLength = 10000

// Check runs every check of q on a and returns every finding: input that
// does not fit its question (RuleInvalid, errors), required questions left
// unanswered (RuleRequired, errors), and the findings of q.Rules with their
// severity. years are the call's reporting years; a cell of another year is
// invalid, and change_from_previous_year compares a year only with the year
// before it when that one is among years too.
//
// Findings come in a stable order: by section and question, then for a
// table by row, year (ascending) and column, then invalid before required
// before the rules in q.Rules' order. Question-level findings come before a
// table's cells. Each Key is unique and stays the same across saves:
//
//	invalid/<question>/<reason>                  an answer that does not fit
//	invalid/<question>/<row>/<year>/<category>   a cell that does not fit
//	required/<question>
//	<rule>/<question>                            range on a number question
//	<rule>/<row>/<year>/<category>               table rules (parts_sum_to_total on the total)
//
// A part of a key that is not a plain key ([a-z0-9_-]) is escaped like a
// URL path segment, so that hostile input cannot forge another finding's key.
//
// Args hold the figures for the message's placeholders: Value, Min and Max
// (range), Sum and Total (parts_sum_to_total), Value and Whole
// (part_not_above_whole), Value and Bound (not_above), Value, Previous and
// Share, a whole percentage, absent when the previous value is 0
// (change_from_previous_year); cell values are int64, a number question's
// value and bounds float64. Invalid findings have Args["Reason"] and the
// figures listed with the Invalid* reasons. {{.Row}}, {{.Year}} and
// {{.Category}} come from the finding's fields, not Args: the interface
// shows the row's and category's labels in the user's language.
//
// Blank, not available and not applicable cells, and invalid ones, are
// never compared: a blank is not zero. Rules naming a question of the wrong
// kind, a key already used by an earlier rule, or "required" or "invalid"
// (which would clash with those findings' keys) are skipped; the definition
// checker reports them. Findings of one Rule share its Message map: treat it
// as read-only. Check returns nil when there is nothing to report.
//
// Only the answers of the questions a shows, and the cells of the rows it
// shows, are checked (Visible): a hidden question is not required, a
// table whose every row is hidden neither, and their answers and cells
// are neither checked nor compared, by any rule and in either direction.
func Check(q *Questionnaire, a Answers, years []int) []Finding {
	if q == nil {
		q = &Questionnaire{}
	}
	r := q.relevance(a)
	hidden := r.questions
	a = q.visible(a, r)
	c := newChecker(q, years)
	c.hidden = hidden
	c.checkValues(a.Values)
	c.indexCells(a.Cells)
	for _, qi := range c.order {
		if qi.table != nil && qi.q.Required && !qi.table.entered && !r.skipped(qi.q.Key) {
			c.required(qi)
		}
	}
	c.checkRules(a.Values)
	return c.findings()
}

// Unexplained returns the warnings of fs that have no explanation in
// a.Explanations (none, or only blanks), in fs's order. Explanations whose
// key is not among fs (a finding since corrected) are ignored.
func Unexplained(fs []Finding, a Answers) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Severity == SeverityWarning && !explained(f, a) {
			out = append(out, f)
		}
	}
	return out
}

// Blocking returns the findings of fs that stop a submission, in fs's
// order: the errors (and anything that is not a warning) and the warnings
// without an explanation.
func Blocking(fs []Finding, a Answers) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Severity != SeverityWarning || !explained(f, a) {
			out = append(out, f)
		}
	}
	return out
}

func explained(f Finding, a Answers) bool {
	return strings.TrimSpace(a.Explanations[f.Key]) != ""
}

// SectionState is how far a section of a questionnaire has got.
type SectionState string

// The states of a section, by precedence: a section with an error shows
// it whatever else is true, then one with a warning not explained.
const (
	SectionHasErrors   SectionState = "has_errors"  // a finding in it is an error (a missing required answer aside)
	SectionUnexplained SectionState = "unexplained" // a warning in it is not explained yet: it stops the submission
	SectionNotStarted  SectionState = "not_started" // nothing answered in it
	SectionInProgress  SectionState = "in_progress" // something answered, a required question still empty
	SectionComplete    SectionState = "complete"    // every required question answered, no error
)

// SectionStates returns the state of every section of q, by section key,
// given the answers a and their findings fs from Check. A section is
// complete exactly when nothing in it stops the submission (Blocking): an
// explained warning does not change its state, one not explained does.
// Hidden questions (Questionnaire.Hidden) and rows (HiddenRows) do not
// count: a section whose every question is hidden, or a table whose every
// row is, is complete. A question counts as answered as
// for RuleRequired: a non-blank text, a choice, a yes or no, a date, a
// number, a file, a non-blank cell.
func SectionStates(q *Questionnaire, a Answers, fs []Finding) map[string]SectionState {
	if q == nil {
		return map[string]SectionState{}
	}
	r := q.relevance(a)
	a = q.visible(a, r) // a hidden answer does not start a section
	type where struct {
		q       *Question
		section int
	}
	index := make(map[string]where)
	for si := range q.Sections {
		qs := q.Sections[si].Questions
		for qi := range qs {
			if _, dup := index[qs[qi].Key]; !dup {
				index[qs[qi].Key] = where{&qs[qi], si}
			}
		}
	}
	answered := make([]bool, len(q.Sections))
	for si, s := range q.Sections {
		// A section whose every question is hidden has nothing left to do.
		answered[si] = (len(r.questions) > 0 || len(r.emptied) > 0) && !slices.ContainsFunc(s.Questions, func(qq Question) bool { return !r.skipped(qq.Key) })
	}
	missing := make([]bool, len(q.Sections))
	errs := make([]bool, len(q.Sections))
	unexplained := make([]bool, len(q.Sections))
	for key, ans := range a.Values {
		if w, ok := index[key]; ok && w.q.Kind != StatTable && !emptyAnswer(w.q, ans) {
			answered[w.section] = true
		}
	}
	for ref, cell := range a.Cells {
		if cell.State == CellBlank {
			continue
		}
		if w, ok := index[ref.Question]; ok && w.q.Kind == StatTable {
			answered[w.section] = true
		}
	}
	for _, f := range fs {
		w, ok := index[f.Question]
		switch {
		case !ok:
		case f.Kind == RuleRequired:
			missing[w.section] = true
		case f.Severity != SeverityWarning:
			errs[w.section] = true
		case !explained(f, a):
			unexplained[w.section] = true
		}
	}
	states := make(map[string]SectionState, len(q.Sections))
	for si, s := range q.Sections {
		if _, dup := states[s.Key]; dup {
			continue
		}
		switch {
		case errs[si]:
			states[s.Key] = SectionHasErrors
		case unexplained[si]:
			states[s.Key] = SectionUnexplained
		case !answered[si]:
			states[s.Key] = SectionNotStarted
		case missing[si]:
			states[s.Key] = SectionInProgress
		default:
			states[s.Key] = SectionComplete
		}
	}
	return states
}

// emptyAnswer says whether ans leaves q unanswered, looking only at the
// field of q's kind.
func emptyAnswer(q *Question, ans Answer) bool {
	switch q.Kind {
	case Narrative:
		return strings.TrimSpace(ans.Text) == ""
	case SingleChoice, MultipleChoice:
		return len(ans.Choices) == 0
	case YesNo:
		return ans.Bool == nil
	case Date:
		return ans.Date == ""
	case Number:
		return ans.Number == nil
	case Attachment:
		return len(ans.Files) == 0
	}
	return true
}

func zeroAnswer(ans Answer) bool {
	return ans.Text == "" && len(ans.Choices) == 0 && ans.Bool == nil && ans.Date == "" &&
		ans.Number == nil && len(ans.Files) == 0
}
