// Package workbook writes a questionnaire as an Excel workbook (XLSX) that
// a focal point fills offline, and reads a filled one back into answers,
// with every problem named by its sheet and cell. Both are pure functions
// over io.Writer and io.Reader and forms types: no HTTP, no SQL.
//
// The layout is computed from the questionnaire, its version, the call's
// reporting years and the language: the writer puts every label and input
// where the layout says, and the reader looks for them there, checking the
// labels so that moved rows are caught rather than read as something else.
// A hidden sheet records what the workbook is for (questionnaire, version,
// organization, call, language, years) and a checksum of the layout.
package workbook

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"portal/forms"
)

// FormatVersion is the version of the layout rules; a workbook of another
// format is refused with a message to download a fresh one.
const FormatVersion = 1

// MetaSheet is the hidden sheet that says what the workbook is for.
const MetaSheet = "_portal"

// The columns of a section sheet: labels, ICCS codes, then inputs.
const (
	colLabel = 1
	colICCS  = 2
	colInput = 3
)

// Texts are the workbook's own words in its language; Text returns the
// interface text with the message ID (the catalogue's "workbook.*" keys).
type Texts func(id string) string

// layout says where everything of a questionnaire goes.
type layout struct {
	q        *forms.Questionnaire
	years    []int
	lang     forms.Language
	sheets   []sheetLayout
	checksum string
	// explanations is the name of the sheet of warnings to explain, when
	// the workbook has one (it is not part of the checksum: which warnings
	// a draft has changes with its figures).
	explanations string
}

type sheetLayout struct {
	name    string
	section *forms.Section
	title   string
	items   []item
	width   int // the last column used
}

// itemKind is what a row of a section sheet holds.
type itemKind int

const (
	itemAnswer   itemKind = iota // a question's answer in the input column
	itemOption                   // one option of a multiple choice: a tick
	itemOther                    // the "other, please specify" text of a choice question
	itemTableRow                 // a row of a statistical table: a cell per year and column
	itemHeading                  // a label only (a table's title, a question with options)
)

// item is one row of a section sheet.
type item struct {
	kind  itemKind
	row   int
	label string // what column A says, checked on reading
	// note follows the label in column A, on a line of its own: when the
	// question or the table's row is asked ("Answer only if ..."). A
	// workbook written without it reads as well.
	note   string
	q      *forms.Question
	option string           // itemOption
	ind    *forms.Indicator // itemTableRow
	cols   []string         // itemTableRow: the column keys, per year
}

// newLayout lays out q for the years in language lang.
func newLayout(q *forms.Questionnaire, years []int, lang forms.Language, t Texts) *layout {
	l := &layout{q: q, years: years, lang: lang}
	used := map[string]bool{MetaSheet: true, listsSheet: true, instructionsSheetName(t): true}
	h := sha256.New()
	fmt.Fprintf(h, "%d|%s|%d|%s|%v\n", FormatVersion, q.Key, q.Version, lang, years)
	for si := range q.Sections {
		sec := &q.Sections[si]
		sl := sheetLayout{name: sheetName(sec.Title.In(lang), used), section: sec, title: sec.Title.In(lang), width: colInput}
		row := 3
		for qi := range sec.Questions {
			qq := &sec.Questions[qi]
			label := qq.Label.In(lang)
			first := len(sl.items)
			var optionNotes []string
			switch qq.Kind {
			case forms.MultipleChoice:
				sl.items = append(sl.items, item{kind: itemHeading, row: row, label: label, q: qq})
				row++
				for _, o := range qq.Options {
					sl.items = append(sl.items, item{kind: itemOption, row: row, label: o.Label.In(lang), q: qq, option: o.Key,
						note: relevantNote(q, o.Relevant, lang, t)})
					row++
				}
				if qq.Other {
					sl.items = append(sl.items, item{kind: itemOption, row: row, label: t("workbook.other"), q: qq, option: "other"})
					row++
					sl.items = append(sl.items, item{kind: itemOther, row: row, label: t("workbook.other.specify"), q: qq})
					row++
				}
			case forms.SingleChoice:
				sl.items = append(sl.items, item{kind: itemAnswer, row: row, label: label, q: qq})
				row++
				// The drop-down lists every option: one asked only after
				// some answer says so under the question's label.
				for _, o := range qq.Options {
					if n := relevantNote(q, o.Relevant, lang, t); n != "" {
						optionNotes = append(optionNotes, o.Label.In(lang)+" — "+n)
					}
				}
				if qq.Other {
					sl.items = append(sl.items, item{kind: itemOther, row: row, label: t("workbook.other.specify"), q: qq})
					row++
				}
			case forms.StatTable:
				sl.items = append(sl.items, item{kind: itemHeading, row: row, label: label, q: qq})
				row += 3 // the title, the years, the columns
				cols := q.Columns(qq.Table)
				if w := colInput + len(years)*len(cols) - 1; w > sl.width {
					sl.width = w
				}
				for ri := range qq.Table.Rows {
					ind := &qq.Table.Rows[ri]
					sl.items = append(sl.items, item{kind: itemTableRow, row: row, label: ind.Label.In(lang), q: qq, ind: ind, cols: cols,
						note: rowNote(q, qq.Table, ind, lang, t)})
					row++
				}
			default:
				sl.items = append(sl.items, item{kind: itemAnswer, row: row, label: label, q: qq})
				row++
			}
			if first < len(sl.items) {
				notes := optionNotes
				if n := relevantNote(q, qq.Relevant, lang, t); n != "" {
					notes = append([]string{n}, notes...)
				}
				sl.items[first].note = strings.Join(notes, "\n")
			}
			row++ // a blank row between questions
		}
		for _, it := range sl.items {
			fmt.Fprintf(h, "%s|%d|%d|%s|%s\n", sl.name, it.kind, it.row, it.label, it.option)
		}
		l.sheets = append(l.sheets, sl)
	}
	l.checksum = hex.EncodeToString(h.Sum(nil))[:16]
	l.explanations = sheetName(t("workbook.explanations"), used)
	return l
}

// relevantNote says when c holds, in lang: "Answer only if the answer to
// “<question>” is <answer>." (the answers joined by " / " when several);
// "" when c is nil: the question or option is always asked.
func relevantNote(q *forms.Questionnaire, c *forms.Condition, lang forms.Language, t Texts) string {
	if c == nil {
		return ""
	}
	on, ok := q.Question(c.Question)
	if !ok {
		return ""
	}
	answers := make([]string, len(c.Answers))
	for i, a := range c.Answers {
		answers[i] = a
		switch {
		case on.Kind == forms.YesNo && a == forms.AnswerYes:
			answers[i] = t("workbook.yes")
		case on.Kind == forms.YesNo && a == forms.AnswerNo:
			answers[i] = t("workbook.no")
		case a == "other" && on.Other:
			answers[i] = t("workbook.other")
		default:
			for _, o := range on.Options {
				if o.Key == a {
					answers[i] = o.Label.In(lang)
				}
			}
		}
	}
	return strings.NewReplacer("{question}", on.Label.In(lang), "{answer}", strings.Join(answers, " / ")).Replace(t("workbook.relevant"))
}

// rowNote says when a table's row is asked: its own condition, then those
// of the rows it is a part of (a part of a row not asked is not asked
// either), each on a line; "" when the row is always asked.
func rowNote(q *forms.Questionnaire, t *forms.Table, ind *forms.Indicator, lang forms.Language, tx Texts) string {
	var notes []string
	for range t.Rows { // at most once per row, should part_of go round
		if n := relevantNote(q, ind.Relevant, lang, tx); n != "" && !slices.Contains(notes, n) {
			notes = append(notes, n)
		}
		i := slices.IndexFunc(t.Rows, func(r forms.Indicator) bool { return r.Key == ind.PartOf })
		if ind.PartOf == "" || i < 0 {
			break
		}
		ind = &t.Rows[i]
	}
	return strings.Join(notes, "\n")
}

// text is what column A says for it: its label, and its note below.
func (it item) text() string {
	if it.note == "" {
		return it.label
	}
	return it.label + "\n" + it.note
}

// sheetName makes a sheet name from a title: Excel allows 31 characters
// and none of []:*?/\; a name already taken gets a number.
func sheetName(title string, used map[string]bool) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\'`, r) {
			return ' '
		}
		return r
	}, title)
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > 28 {
		cut := string([]rune(name)[:28])
		if i := strings.LastIndexByte(cut, ' '); i > 10 {
			cut = cut[:i] // at a word, where there is one
		}
		name = strings.TrimSpace(cut)
	}
	if name == "" {
		name = "Sheet"
	}
	base := name
	for i := 2; used[name]; i++ {
		name = base + " " + strconv.Itoa(i)
	}
	used[name] = true
	return name
}

func instructionsSheetName(t Texts) string {
	name := t("workbook.instructions")
	if name == "" || utf8.RuneCountInString(name) > 31 {
		return "Instructions"
	}
	return name
}

// listsSheet is the hidden sheet holding the lists that drop-down cells offer.
const listsSheet = "_lists"

// cell returns the reference of column col, row row ("C5").
func cell(col, row int) string {
	ref, _ := excelize.CoordinatesToCellName(col, row)
	return ref
}

// tableColumn returns the column of the cell for year index y and column
// index c of a table with n columns a year.
func tableColumn(y, c, n int) int { return colInput + y*n + c }

// markers are what a table cell says for a state rather than a figure, in
// the workbook's language, and what the reader takes in any language.
func markers(t Texts) (na, nap string) { return t("workbook.na"), t("workbook.nap") }
