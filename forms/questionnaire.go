package forms

import "math"

// A questionnaire is data, not code: a versioned definition (sections,
// questions, statistical tables, and the rules that check answers) loaded
// from a file and checked at start. docs/questionnaires.md describes the
// file format; package forms/definition reads it.

// Text is a text in the UN languages, by language; English is required and
// the others fall back to it.
type Text map[Language]string

// In returns the text in l, or in English when there is none in l.
func (t Text) In(l Language) string {
	if s := t[l]; s != "" {
		return s
	}
	return t[English]
}

// Questionnaire is one version of a questionnaire.
type Questionnaire struct {
	Key         string // stable across versions, such as "tourism-views"
	Version     int    // 1, 2, ...; a submission records the version it was made with
	Title       Text
	Description Text
	// Disaggregations are the breakdowns a statistical table's columns may
	// use (sex, age, citizenship), by key.
	Disaggregations map[string]Disaggregation
	Sections        []Section
	Rules           []Rule
}

// Section groups questions; the form shows one section at a time.
type Section struct {
	Key       string
	Title     Text
	Help      Text
	Questions []Question
}

// QuestionKind is what sort of answer a question takes.
type QuestionKind string

// The kinds of question.
const (
	Narrative      QuestionKind = "text"            // free text, with a maximum length
	SingleChoice   QuestionKind = "single_choice"   // one of the options
	MultipleChoice QuestionKind = "multiple_choice" // any of the options, perhaps "other, please specify"
	YesNo          QuestionKind = "yes_no"
	Date           QuestionKind = "date"
	Number         QuestionKind = "number"
	Attachment     QuestionKind = "file"
	StatTable      QuestionKind = "table" // a statistical table: indicators × years × disaggregation
)

// Question is one question. Only the fields of its kind are set.
type Question struct {
	Key      string // unique in the questionnaire
	Kind     QuestionKind
	Label    Text
	Help     Text
	Required bool
	// Relevant, when set, shows the question only when an earlier answer
	// says so (Questionnaire.Hidden); nil means always shown.
	Relevant *Condition

	MaxLength int // Narrative: in characters; 0 means the default, 10 000

	Options []Option // SingleChoice, MultipleChoice
	Other   bool     // MultipleChoice, SingleChoice: an "other, please specify" option with a text

	Min, Max *float64 // Number: bounds, when set
	Integer  bool     // Number: whole numbers only
	Unit     Text     // Number, StatTable: what is counted ("persons", "offences")

	Accept   []string // Attachment: MIME types accepted
	MaxBytes int64    // Attachment: size limit

	Table *Table // StatTable
}

// Option is one choice of a choice question.
type Option struct {
	Key   string
	Label Text
	// Relevant, when set, offers the option only when an earlier answer
	// says so (Questionnaire.HiddenOptions); never set on a category.
	Relevant *Condition
}

// Table is a statistical table: a row per indicator; columns are the
// reporting years crossed with the categories of one disaggregation, always
// with a total (and only a total when there is no disaggregation).
type Table struct {
	Rows []Indicator
	// Disaggregation is the key of the questionnaire's disaggregation the
	// columns break down by, or "" for a total only.
	Disaggregation string
	// Series says what the table's cells measure (SeriesCells).
	Series TableSeries
}

// Indicator is a row of a statistical table.
type Indicator struct {
	Key   string
	Label Text
	ICCS  string // the ICCS code of the offence, where one applies
	// PartOf is the key of the row this one is a part of (rape within
	// sexual violence), or "".
	PartOf string
	// Series is the row's part of its cells' series codes: the category
	// counted ("iccs-0101" by default where the row has an ICCS code,
	// else the row's key).
	Series string
	// Relevant, when set, asks for the row only when an earlier answer
	// says so (Questionnaire.HiddenRows); nil means always asked. A part
	// of a hidden row is hidden too, whatever its own condition.
	Relevant *Condition
}

// Disaggregation is a breakdown of a count, such as sex (male, female,
// unknown). Its categories plus the total make a table's columns for a year.
type Disaggregation struct {
	Key        string
	Label      Text
	Categories []Option // a category keyed "unknown" is the unknown part
}

// TotalCategory is the column key of the total in every statistical table.
const TotalCategory = "total"

// Severity says what a rule's finding does to a submission.
type Severity string

// The severities.
const (
	// SeverityError blocks submission until corrected.
	SeverityError Severity = "error"
	// SeverityWarning lets the user go on, with a short explanation.
	SeverityWarning Severity = "warning"
)

// RuleKind is what a rule checks.
type RuleKind string

// The kinds of rule. Required comes from Question.Required; the others are
// written in the definition's rules.
const (
	// RuleRequired: the question (or, for a table, at least one cell) is answered.
	RuleRequired RuleKind = "required"
	// RuleRange: a number question's answer, or every value of a table, is within Min..Max.
	RuleRange RuleKind = "range"
	// RulePartsSumToTotal: in a table, the categories (unknown included) add
	// up to the total, per row and year, when all are values.
	RulePartsSumToTotal RuleKind = "parts_sum_to_total"
	// RulePartNotAboveWhole: in a table, a row that is PartOf another is not
	// above it, for the same year and category.
	RulePartNotAboveWhole RuleKind = "part_not_above_whole"
	// RuleNotAbove: a table's value is not above the value of Bound (another
	// table) for the same row, year and category: persons convicted not above
	// persons prosecuted.
	RuleNotAbove RuleKind = "not_above"
	// RuleYearChange: a value changes by more than MaxShare from the previous
	// reporting year (ignoring previous values below MinBase).
	RuleYearChange RuleKind = "change_from_previous_year"
)

// Rule checks answers. Which fields matter depends on the kind.
type Rule struct {
	Key      string // unique in the questionnaire; findings are keyed by it
	Kind     RuleKind
	Severity Severity
	Question string   // the question or table checked
	Bound    string   // RuleNotAbove: the table that bounds Question
	Rows     []string // table rules: only these rows ("" = every row)
	Min, Max *float64 // RuleRange
	MaxShare float64  // RuleYearChange: 0.5 is a change of more than 50 %
	MinBase  int64    // RuleYearChange: ignore previous values below this
	Message  Text     // shown to the user; each kind has a default
}

// CellState says what a cell of a statistical table holds. A blank is not
// zero: it is a figure not given yet.
type CellState uint8

// The states of a cell.
const (
	CellBlank         CellState = iota // nothing entered
	CellValue                          // a whole number of 0 or more, in Cell.Value
	CellNotAvailable                   // the figure exists but is not available
	CellNotApplicable                  // the figure does not exist in this country
)

// CellFlags qualify a figure.
type CellFlags uint8

// The flags of a cell.
const (
	FlagNationalDefinition CellFlags = 1 << iota // the national definition differs from the standard
	FlagProvisional                              // a provisional figure
	FlagEstimate                                 // an estimate
)

// CellRef names a cell: a table question, a row, a year, a category
// (TotalCategory for the total).
type CellRef struct {
	Question string
	Row      string
	Year     int
	Category string
}

// Cell is a cell's content.
type Cell struct {
	State CellState
	Value int64 // when State is CellValue
	Note  string
	Flags CellFlags
}

// Answer is the answer to a question other than a table. Only the field of
// the question's kind is used.
type Answer struct {
	Text    string   `json:"text,omitempty"`    // Narrative; the "other" text of a choice question
	Choices []string `json:"choices,omitempty"` // SingleChoice (one), MultipleChoice; "other" for the other option
	Bool    *bool    `json:"bool,omitempty"`    // YesNo
	Date    string   `json:"date,omitempty"`    // Date, as YYYY-MM-DD
	Number  *float64 `json:"number,omitempty"`  // Number
	Files   []int64  `json:"files,omitempty"`   // Attachment: attachment ids
}

// Answers are everything entered in a draft or a submission: answers by
// question key, table cells, and the explanations given for warnings, by
// the finding's key.
type Answers struct {
	Values       map[string]Answer
	Cells        map[CellRef]Cell
	Explanations map[string]string
}

// Finding is what a rule found wrong with some answers.
type Finding struct {
	// Key identifies the finding stably across saves, so that an
	// explanation stays attached to it: the rule's key and where it applies,
	// such as "convicted_not_above_prosecuted/homicide/2023/male".
	Key      string
	Rule     string
	Kind     RuleKind
	Severity Severity
	Question string
	Row      string // for tables
	Year     int    // for tables
	Category string // for tables
	// Message is the rule's own message, if the definition gives one;
	// otherwise the interface shows its catalogue's message for the kind
	// ("rule.<kind>"). Args fill the placeholders of either ({{.Value}},
	// {{.Total}}, {{.Bound}}, {{.Previous}}, {{.Share}}, ...).
	Message Text
	Args    map[string]any
}

// RuleInvalid is the kind of the findings for input that does not fit its
// question: a text too long, an unknown choice, a number out of bounds, a
// cell outside its table. They are always errors and need no rule; their
// Args["Reason"] says which (the Invalid* constants).
const RuleInvalid RuleKind = "invalid"

// Question returns the question keyed key, in whichever section it is, and
// whether there is one. It returns a pointer into q, not a copy.
func (q *Questionnaire) Question(key string) (*Question, bool) {
	if q == nil {
		return nil, false
	}
	for i := range q.Sections {
		qs := q.Sections[i].Questions
		for j := range qs {
			if qs[j].Key == key {
				return &qs[j], true
			}
		}
	}
	return nil, false
}

// LargestCount returns the largest figure a cell of the table question
// keyed question may hold without an error: the smallest Max of the range
// rules that are errors on every row of that table, and true. Without
// such a rule it returns 0 and false: a figure is then bounded only by
// what the portal can hold. The page sizes the table's cells from it.
func (q *Questionnaire) LargestCount(question string) (int64, bool) {
	if q == nil {
		return 0, false
	}
	largest, bounded := int64(0), false
	for i := range q.Rules {
		r := &q.Rules[i]
		if r.Kind != RuleRange || r.Question != question || severity(r) != SeverityError || r.Max == nil || len(r.Rows) > 0 {
			continue
		}
		m := int64(0)
		switch {
		case *r.Max >= math.MaxInt64:
			m = math.MaxInt64
		case *r.Max > 0:
			m = int64(math.Floor(*r.Max))
		}
		if !bounded || m < largest {
			largest, bounded = m, true
		}
	}
	return largest, bounded
}

// Columns returns the column keys of t for one reporting year: the category
// keys of its disaggregation, then TotalCategory; only TotalCategory when t
// has no disaggregation or names one q does not have. A category keyed like
// the total, or repeated, is left out so that every column key is unique.
func (q *Questionnaire) Columns(t *Table) []string {
	var cats []Option
	if q != nil && t != nil && t.Disaggregation != "" {
		cats = q.Disaggregations[t.Disaggregation].Categories
	}
	cols := make([]string, 0, len(cats)+1)
next:
	for _, c := range cats {
		if c.Key == TotalCategory {
			continue
		}
		for _, k := range cols { // a handful of categories: a scan beats a map
			if k == c.Key {
				continue next
			}
		}
		cols = append(cols, c.Key)
	}
	return append(cols, TotalCategory)
}
