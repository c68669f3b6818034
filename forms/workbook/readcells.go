package workbook

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"portal/forms"
)

// Reading one answer or one table cell of a filled workbook.

func (rd *reader) answer(s string, it item) {
	q := it.q
	at := cell(colInput, it.row)
	if q.Kind == forms.Attachment {
		return // files are attached in the portal
	}
	v, ok := rd.text(s, at, it.label)
	if !ok {
		return
	}
	var ans forms.Answer
	switch q.Kind {
	case forms.Narrative:
		limit := q.MaxLength
		if limit <= 0 {
			limit = 10000
		}
		if n := utf8.RuneCountInString(v); n > limit {
			rd.problem(Problem{Sheet: s, Cell: at, Where: it.label, Reason: "too_long", Value: strconv.Itoa(n) + " > " + strconv.Itoa(limit)})
			return
		}
		ans.Text = v
	case forms.SingleChoice:
		if v != "" {
			found := false
			for _, o := range q.Options {
				if strings.EqualFold(v, o.Label.In(rd.l.lang)) || v == o.Key {
					ans.Choices, found = []string{o.Key}, true
				}
			}
			if q.Other && strings.EqualFold(v, rd.t("workbook.other")) {
				ans.Choices, found = []string{"other"}, true
			}
			if !found {
				rd.problem(Problem{Sheet: s, Cell: at, Where: it.label, Reason: "unknown_choice", Value: v})
				return
			}
		}
	case forms.YesNo:
		switch {
		case v == "":
		case strings.EqualFold(v, rd.t("workbook.yes")) || strings.EqualFold(v, "yes"):
			ans.Bool = ptr(true)
		case strings.EqualFold(v, rd.t("workbook.no")) || strings.EqualFold(v, "no"):
			ans.Bool = ptr(false)
		default:
			rd.problem(Problem{Sheet: s, Cell: at, Where: it.label, Reason: "yes_no", Value: v})
			return
		}
	case forms.Date:
		if v == "" {
			break
		}
		if x, err := strconv.ParseFloat(v, 64); err == nil {
			d, err := excelize.ExcelDateToTime(x, false)
			if err != nil {
				rd.problem(Problem{Sheet: s, Cell: at, Where: it.label, Reason: "date", Value: v})
				return
			}
			v = d.Format(time.DateOnly)
		}
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			rd.problem(Problem{Sheet: s, Cell: at, Where: it.label, Reason: "date", Value: v})
			return
		}
		ans.Date = v
	case forms.Number:
		if v == "" {
			break
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			rd.problem(Problem{Sheet: s, Cell: at, Where: it.label, Reason: "number", Value: v})
			return
		}
		if typ, _ := rd.f.GetCellType(s, at); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
			rd.problem(Problem{Sheet: s, Cell: at, Where: it.label, Reason: "text_number", Value: v})
			return
		}
		ans.Number = &x
	}
	rd.setAnswer(q, ans)
}

// tableCell reads a table cell: a whole number of 0 or more, a state
// marker, or nothing; with its comment as note and flags.
func (rd *reader) tableCell(s, at, where string) (forms.Cell, bool) {
	if f, _ := rd.f.GetCellFormula(s, at); f != "" {
		rd.problem(Problem{Sheet: s, Cell: at, Where: where, Reason: "formula", Value: "=" + f})
		return forms.Cell{}, false
	}
	v, err := rd.f.GetCellValue(s, at, excelize.Options{RawCellValue: true})
	if err != nil {
		rd.problem(Problem{Sheet: s, Cell: at, Where: where, Reason: "unreadable"})
		return forms.Cell{}, false
	}
	v = strings.TrimSpace(v)
	var c forms.Cell
	typ, _ := rd.f.GetCellType(s, at)
	isText := typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString
	switch {
	case v == "":
	// The workbook's own words first: Spanish writes "n.a." for not applicable.
	case strings.EqualFold(v, rd.na):
		c.State = forms.CellNotAvailable
	case strings.EqualFold(v, rd.nap):
		c.State = forms.CellNotApplicable
	case strings.EqualFold(v, "n.a."):
		c.State = forms.CellNotAvailable
	case strings.EqualFold(v, "n.ap."):
		c.State = forms.CellNotApplicable
	default:
		x, err := strconv.ParseFloat(v, 64)
		switch {
		case err != nil && looksLikeNumber(v):
			rd.problem(Problem{Sheet: s, Cell: at, Where: where, Reason: "text_number", Value: v})
			return c, false
		case err != nil:
			rd.problem(Problem{Sheet: s, Cell: at, Where: where, Reason: "not_number", Value: v})
			return c, false
		case isText:
			rd.problem(Problem{Sheet: s, Cell: at, Where: where, Reason: "text_number", Value: v})
			return c, false
		case x < 0:
			rd.problem(Problem{Sheet: s, Cell: at, Where: where, Reason: "negative", Value: v})
			return c, false
		case x != math.Trunc(x):
			rd.problem(Problem{Sheet: s, Cell: at, Where: where, Reason: "not_whole", Value: v})
			return c, false
		case x > 1e15:
			rd.problem(Problem{Sheet: s, Cell: at, Where: where, Reason: "too_large_number", Value: v})
			return c, false
		}
		c.State, c.Value = forms.CellValue, int64(x)
	}
	if text, ok := rd.comments[at]; ok {
		note, flags, bad := rd.parseComment(text)
		if bad {
			rd.problem(Problem{Sheet: s, Cell: at, Where: where, Reason: "control_chars"})
			return c, false
		}
		c.Note, c.Flags = note, flags
	}
	return c, true
}

// looksLikeNumber says whether a text is a number written with separators
// or spaces ("1,234", "1 234", "12.5 "): refused, never guessed.
func looksLikeNumber(v string) bool {
	digits := 0
	for _, r := range v {
		switch {
		case unicode.IsDigit(r):
			digits++
		case strings.ContainsRune(",.' \u00a0\u202f-", r):
		default:
			return false
		}
	}
	return digits > 0
}

// parseComment reads a cell's comment: flags as bracketed tags at its
// start ("[Estimate] [Provisional] text"), in the workbook's language or
// English, and the rest as the note. Spreadsheet programs may put the
// author's name first ("portal:"), which is left out.
func (rd *reader) parseComment(text string) (string, forms.CellFlags, bool) {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if strings.ContainsFunc(text, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' || r == utf8.RuneError }) {
		return "", 0, true
	}
	text = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(text), "portal:"))
	var flags forms.CellFlags
	english := map[string]string{"national": "national definition", "provisional": "provisional", "estimate": "estimate"}
	for {
		if !strings.HasPrefix(text, "[") {
			break
		}
		end := strings.IndexByte(text, ']')
		if end < 0 {
			break
		}
		tag := strings.TrimSpace(text[1:end])
		known := false
		for _, fl := range flagNames {
			if strings.EqualFold(tag, rd.t("workbook.flag."+fl.name)) || strings.EqualFold(tag, english[fl.name]) {
				flags |= fl.flag
				known = true
			}
		}
		if !known {
			break
		}
		text = strings.TrimSpace(text[end+1:])
	}
	return text, flags, false
}
