package forms

import (
	"net/url"
	"slices"
	"strings"
)

// Relevance (skip logic): a question, an option of a choice question or a
// row of a statistical table may be asked only when an earlier answer says
// so, as ODK's "relevant". A hidden question's answers, and a hidden row's
// cells, are not required, not checked, not submitted and not counted; a
// draft keeps what was typed, so that changing the earlier answer back
// restores it.

// Condition says when a question, an option or a row is shown: when the answer to Question
// (a yes/no, single or multiple choice question that comes earlier) is
// one of Answers. For a yes/no question the answers are "yes" and "no";
// for a choice question, option keys: the condition holds when one of
// them is chosen (ticked, for a multiple choice).
type Condition struct {
	Question string
	Answers  []string
}

// The answers a Condition names for a yes/no question.
const (
	AnswerYes = "yes"
	AnswerNo  = "no"
)

// Holds says whether the answer ans to the question q, the one the
// condition names, satisfies c. An unanswered question satisfies no
// condition.
func (c *Condition) Holds(q *Question, ans Answer) bool {
	if c == nil {
		return true
	}
	var given []string
	switch q.Kind {
	case YesNo:
		if ans.Bool == nil {
			return false
		}
		if *ans.Bool {
			given = []string{AnswerYes}
		} else {
			given = []string{AnswerNo}
		}
	case SingleChoice, MultipleChoice:
		given = ans.Choices
	default:
		return false
	}
	for _, g := range given {
		for _, w := range c.Answers {
			if g == w {
				return true
			}
		}
	}
	return false
}

// Hidden returns the keys of the questions of q that answers a hide, or
// nil when a hides none. A question is hidden when the question its
// condition names is hidden, or when the condition does not hold. The
// questionnaire is taken in order, so a condition naming a later question
// (which the definition checker refuses) sees that question as shown.
func (q *Questionnaire) Hidden(a Answers) map[string]bool {
	return q.relevance(a).questions
}

// HiddenOptions returns, by question key, the options of a choice
// question that answers a hide (Option.Relevant), or nil when a hides
// none. The options of a hidden question are not listed: the whole
// question is hidden.
func (q *Questionnaire) HiddenOptions(a Answers) map[string]map[string]bool {
	return q.relevance(a).options
}

// HiddenRows returns, by table question key, the rows of the statistical
// tables that answers a hide (Indicator.Relevant), or nil when a hides
// none. A row is hidden when its condition does not hold, or when the row
// it is a part of (PartOf, an earlier row) is hidden. The rows of a hidden
// table are not listed: the whole table is hidden.
func (q *Questionnaire) HiddenRows(a Answers) map[string]map[string]bool {
	return q.relevance(a).rows
}

// Holds says whether c holds given answers a as the questionnaire's
// relevance sees them: not when the question c names is hidden, nor by a
// tick of a hidden option. A nil c always holds.
func (q *Questionnaire) Holds(c *Condition, a Answers) bool {
	if c == nil {
		return true
	}
	r := q.relevance(a)
	return r.shows(q, c, a)
}

// relevance is what answers hide: questions, options of shown questions,
// and rows of shown tables.
type relevance struct {
	questions map[string]bool
	options   map[string]map[string]bool
	rows      map[string]map[string]bool
	// emptied are the shown tables whose every row is hidden: like a
	// hidden question, such a table is neither required nor counted.
	emptied map[string]bool
	// answers are the answers of the questions with hidden options, those
	// options taken out: what later conditions, checks and submissions see.
	answers map[string]Answer
}

// skipped says whether the question keyed key is not asked: hidden, or a
// table whose every row is hidden.
func (r *relevance) skipped(key string) bool {
	return r.questions[key] || r.emptied[key]
}

// rowHidden says whether the row keyed row of the table keyed question is
// hidden, the table itself aside.
func (r *relevance) rowHidden(question, row string) bool {
	return r.rows[question][row]
}

// hideRows hides the rows of the shown table qq whose condition does not
// hold, or whose whole is hidden: the rows are taken in order, and a part
// names an earlier row.
func (r *relevance) hideRows(q *Questionnaire, qq *Question, a Answers) {
	rows := qq.Table.Rows
	var hidden map[string]bool
	for i := range rows {
		row := &rows[i]
		if (row.PartOf == "" || !hidden[row.PartOf]) && (row.Relevant == nil || r.shows(q, row.Relevant, a)) {
			continue
		}
		if hidden == nil {
			hidden = map[string]bool{}
		}
		hidden[row.Key] = true
	}
	if hidden == nil {
		return
	}
	if r.rows == nil {
		r.rows = map[string]map[string]bool{}
	}
	r.rows[qq.Key] = hidden
	if !slices.ContainsFunc(rows, func(row Indicator) bool { return !hidden[row.Key] }) {
		if r.emptied == nil {
			r.emptied = map[string]bool{}
		}
		r.emptied[qq.Key] = true
	}
}

func (r *relevance) hide(key string) {
	if r.questions == nil {
		r.questions = map[string]bool{}
	}
	r.questions[key] = true
}

// shows says whether c holds given the answers so far, hidden ones aside.
func (r *relevance) shows(q *Questionnaire, c *Condition, a Answers) bool {
	on, ok := q.Question(c.Question)
	if !ok || r.questions[c.Question] {
		return false
	}
	ans, filtered := r.answers[c.Question]
	if !filtered {
		ans = a.Values[c.Question]
	}
	return c.Holds(on, ans)
}

func (q *Questionnaire) relevance(a Answers) relevance {
	var r relevance
	if q == nil {
		return r
	}
	for si := range q.Sections {
		qs := q.Sections[si].Questions
		for qi := range qs {
			qq := &qs[qi]
			if c := qq.Relevant; c != nil && !r.shows(q, c, a) {
				r.hide(qq.Key)
				continue
			}
			if qq.Kind == StatTable && qq.Table != nil {
				r.hideRows(q, qq, a)
				continue
			}
			for _, o := range qq.Options {
				if o.Relevant == nil || r.shows(q, o.Relevant, a) {
					continue
				}
				if r.options == nil {
					r.options = map[string]map[string]bool{}
				}
				if r.options[qq.Key] == nil {
					r.options[qq.Key] = map[string]bool{}
				}
				r.options[qq.Key][o.Key] = true
			}
			if hiddenOpts := r.options[qq.Key]; len(hiddenOpts) > 0 {
				ans, ok := a.Values[qq.Key]
				if !ok || !slices.ContainsFunc(ans.Choices, func(c string) bool { return hiddenOpts[c] }) {
					continue
				}
				kept := make([]string, 0, len(ans.Choices))
				for _, c := range ans.Choices {
					if !hiddenOpts[c] {
						kept = append(kept, c)
					}
				}
				if len(kept) == 0 {
					kept = nil
				}
				ans.Choices = kept
				if r.answers == nil {
					r.answers = map[string]Answer{}
				}
				r.answers[qq.Key] = ans
			}
		}
	}
	return r
}

// Shown says whether the question keyed key is shown given answers a: it
// is, unless Hidden says otherwise. A question q does not have is shown.
func (q *Questionnaire) Shown(key string, a Answers) bool {
	return !q.Hidden(a)[key]
}

// Visible returns a without the answers, cells and explanations of the
// questions a hides, without the cells of the rows it hides and the
// explanations of findings on them, and without the choices of the
// options it hides: what is checked, submitted and counted. When a hides
// nothing, it returns a itself; otherwise a new Answers that shares no map
// with a.
func (q *Questionnaire) Visible(a Answers) Answers {
	return q.visible(a, q.relevance(a))
}

// visible is Visible with the relevance of a already worked out. The
// choices of hidden options are taken out of their answers.
func (q *Questionnaire) visible(a Answers, r relevance) Answers {
	hidden := r.questions
	if len(hidden) == 0 && len(r.answers) == 0 && len(r.rows) == 0 {
		return a
	}
	out := Answers{Values: make(map[string]Answer, len(a.Values)), Cells: make(map[CellRef]Cell, len(a.Cells)),
		Explanations: make(map[string]string, len(a.Explanations))}
	for k, v := range a.Values {
		if filtered, ok := r.answers[k]; ok {
			if zeroAnswer(filtered) {
				continue // only hidden options were ticked
			}
			v = filtered
		}
		if !hidden[k] {
			out.Values[k] = v
		}
	}
	for ref, c := range a.Cells {
		if !hidden[ref.Question] && !r.rowHidden(ref.Question, ref.Row) {
			out.Cells[ref] = c
		}
	}
	for k, e := range a.Explanations {
		if !r.explainsHidden(q, k) {
			out.Explanations[k] = e
		}
	}
	return out
}

// explainsHidden says whether the finding keyed key (see Check) is about
// what r hides: invalid/<question>/... or required/<question> of a hidden
// question, invalid/<table>/<row>/<year>/<category> of a hidden row, or a
// rule's finding when the rule checks a hidden question or, on a table,
// a hidden row (of either table, for not_above, which compares the two).
func (r *relevance) explainsHidden(q *Questionnaire, key string) bool {
	first, rest, _ := strings.Cut(key, "/")
	if first == string(RuleInvalid) || first == string(RuleRequired) {
		question, cell, _ := strings.Cut(rest, "/")
		if r.skipped(question) {
			return true
		}
		if first == string(RuleInvalid) && strings.Count(cell, "/") == 2 {
			row, _, _ := strings.Cut(cell, "/")
			return r.rowHidden(question, unescape(row))
		}
		return false
	}
	for i := range q.Rules {
		rule := &q.Rules[i]
		if rule.Key != first {
			continue
		}
		if r.questions[rule.Question] || (rule.Kind == RuleNotAbove && r.questions[rule.Bound]) {
			return true
		}
		if strings.Count(rest, "/") != 2 {
			return false // a number question's range
		}
		row, _, _ := strings.Cut(rest, "/")
		row = unescape(row)
		return r.rowHidden(rule.Question, row) || (rule.Kind == RuleNotAbove && r.rowHidden(rule.Bound, row))
	}
	return false
}

// unescape undoes escape on a part of a finding's key.
func unescape(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// HiddenKeys returns the keys of Hidden(a) in questionnaire order.
func (q *Questionnaire) HiddenKeys(a Answers) []string {
	hidden := q.Hidden(a)
	if len(hidden) == 0 {
		return nil
	}
	var keys []string
	for si := range q.Sections {
		for _, qq := range q.Sections[si].Questions {
			if hidden[qq.Key] {
				keys = append(keys, qq.Key)
			}
		}
	}
	return keys
}

// hasRelevance says whether some question of q depends on an answer.
func (q *Questionnaire) hasRelevance() bool {
	if q == nil {
		return false
	}
	for si := range q.Sections {
		for _, qq := range q.Sections[si].Questions {
			if qq.Relevant != nil {
				return true
			}
		}
	}
	return false
}

// VisibleViews returns vs without the answers that the other answers of
// the same organization hide, and without the ticks of hidden options, in
// vs's order. Versions submitted since
// relevance hold none; older ones may (a partner ticked after "no
// partnerships"), and the compiled views and the report leave them out.
func (q *Questionnaire) VisibleViews(vs []ViewAnswer) []ViewAnswer {
	if !q.hasRelevance() {
		return vs
	}
	byOrg := map[string]Answers{}
	for _, v := range vs {
		a, ok := byOrg[v.Organization.Code]
		if !ok {
			a = Answers{Values: map[string]Answer{}}
			byOrg[v.Organization.Code] = a
		}
		a.Values[v.Question] = v.Answer
	}
	rel := make(map[string]relevance, len(byOrg))
	for org, a := range byOrg {
		rel[org] = q.relevance(a)
	}
	out := make([]ViewAnswer, 0, len(vs))
	for _, v := range vs {
		r := rel[v.Organization.Code]
		if r.questions[v.Question] {
			continue
		}
		if filtered, ok := r.answers[v.Question]; ok {
			if zeroAnswer(filtered) {
				continue
			}
			v.Answer = filtered
		}
		out = append(out, v)
	}
	return out
}
