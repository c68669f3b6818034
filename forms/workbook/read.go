package workbook

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"portal/forms"
	"portal/forms/archive"
)

// Limits bound what Read takes in.
type Limits struct {
	MaxBytes    int64 // the file as uploaded
	MaxUnzipped int64 // everything in it, unzipped: a zip bomb is refused before it is opened
}

// maxParts bounds the parts of a workbook: the portal's own has a few
// dozen, and a spreadsheet program that saves it again adds a few more.
const maxParts = 1000

// DefaultLimits: 10 MB uploaded, 100 MB unzipped.
var DefaultLimits = Limits{MaxBytes: 10 << 20, MaxUnzipped: 100 << 20}

// ReadOptions say how to read a workbook.
type ReadOptions struct {
	Limits Limits
	// Questionnaire finds the questionnaire a workbook names.
	Questionnaire func(key string, version int) (*forms.Questionnaire, bool)
	// Texts gives the workbook's own words in a language.
	Texts func(forms.Language) Texts
}

// Problem is something wrong with a workbook, where it is and what it is.
// Reason names the catalogue message "workbook.problem.<reason>"; Value is
// what the cell holds, when it matters.
type Problem struct {
	Sheet, Cell string
	Where       string // the question, or a table's row, year and column
	Reason      string
	Value       string
	Limit       string // for a part too large: what the questionnaire allows
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Sheet != "" {
		b.WriteString(p.Sheet)
		if p.Cell != "" {
			b.WriteString("!" + p.Cell)
		}
		b.WriteString(": ")
	}
	if p.Where != "" {
		b.WriteString(p.Where + ": ")
	}
	b.WriteString(p.Reason)
	if p.Value != "" {
		b.WriteString(" (" + strconv.Quote(p.Value) + ")")
	}
	if p.Limit != "" {
		b.WriteString(" [limit " + p.Limit + "]")
	}
	return b.String()
}

// Message writes the problem for a person, with tf giving the catalogue's
// message with an ID and its template data in the reader's language
// (words.Text's Tf): where it is ("Sheet, cell B7 (the question)"), then
// what it is.
func (p Problem) Message(tf func(id string, data any) string) string {
	var b strings.Builder
	if p.Sheet != "" {
		if p.Cell != "" {
			b.WriteString(tf("workbook.problem.at", map[string]any{"Sheet": p.Sheet, "Cell": p.Cell}))
		} else {
			b.WriteString(p.Sheet)
		}
		if p.Where != "" {
			b.WriteString(" (" + p.Where + ")")
		}
		b.WriteString(": ")
	}
	b.WriteString(tf("workbook.problem."+p.Reason, map[string]any{"Value": p.Value, "Limit": p.Limit}))
	return b.String()
}

// Result is a workbook read without problems: what it is for, and the edit
// it makes to a draft (every field it covers; Base is the caller's to set).
type Result struct {
	Meta Meta
	Edit forms.Edit
}

// Read reads a filled workbook. It reads the whole of it before deciding:
// problems come back all together, with their sheet and cell, and then the
// result is nil. It never evaluates a formula, never guesses a number
// written as text, and refuses what is not an XLSX of the portal: a file
// over the size limit, one whose content would unzip past the limit, an
// .xls, a workbook with macros, a CSV renamed. The error is for failures
// of the reader itself, not of the file.
func Read(r io.Reader, o ReadOptions) (*Result, []Problem, error) {
	if o.Limits.MaxBytes <= 0 {
		o.Limits = DefaultLimits
	}
	data, err := io.ReadAll(io.LimitReader(r, o.Limits.MaxBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("workbook: read: %w", err)
	}
	z, p, ok := sniff(data, o.Limits)
	if !ok {
		return nil, []Problem{p}, nil
	}
	pk, ok := openPackage(z)
	if !ok {
		return nil, []Problem{{Reason: "corrupt"}}, nil
	}
	ms, ok := pk.sheet(MetaSheet)
	if !ok {
		return nil, []Problem{{Reason: "not_portal"}}, nil
	}
	kv, p, ok := pk.metaCells(ms)
	if !ok {
		return nil, []Problem{p}, nil
	}
	meta, problem := readMeta(kv)
	if problem != "" {
		return nil, []Problem{{Reason: problem}}, nil
	}
	q, ok := o.Questionnaire(meta.Questionnaire, meta.Version)
	if !ok {
		return nil, []Problem{{Reason: "unknown_questionnaire", Value: meta.Questionnaire + " v" + strconv.Itoa(meta.Version)}}, nil
	}
	t := o.Texts(meta.Lang)
	l := newLayout(q, meta.Years, meta.Lang, t)
	if l.checksum != meta.Layout {
		return nil, []Problem{{Reason: "layout_changed"}}, nil
	}
	// Nothing is parsed whole before every part is known to fit the layout.
	bud := l.budget(len(meta.Explanations))
	if problems := pk.checkBudget(bud); len(problems) > 0 {
		return nil, problems, nil
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: o.Limits.MaxUnzipped, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return nil, []Problem{{Reason: "corrupt"}}, nil
	}
	defer f.Close()
	rd := &reader{f: f, t: t, l: l, budget: bud, res: &Result{Meta: meta}}
	rd.res.Edit.Answers = forms.Answers{Values: map[string]forms.Answer{}, Cells: map[forms.CellRef]forms.Cell{}}
	rd.na, rd.nap = markers(t)
	sheets := map[string]bool{}
	for _, s := range f.GetSheetList() {
		sheets[s] = true
	}
	for i := range l.sheets {
		sl := &l.sheets[i]
		if !sheets[sl.name] {
			rd.problem(Problem{Sheet: sl.name, Reason: "sheet_missing"})
			continue
		}
		rd.sheet(sl)
	}
	if len(meta.Explanations) > 0 {
		rd.explanations(pk, meta.Explanations)
	}
	if len(rd.problems) > 0 {
		return nil, rd.problems, nil
	}
	return rd.res, nil, nil
}

// sniff refuses what is not a reasonable XLSX before anything parses it.
func sniff(data []byte, lim Limits) (*zip.Reader, Problem, bool) {
	switch {
	case int64(len(data)) > lim.MaxBytes:
		return nil, Problem{Reason: "too_large", Value: strconv.FormatInt(lim.MaxBytes>>20, 10) + " MB"}, false
	case len(data) == 0:
		return nil, Problem{Reason: "empty"}, false
	case bytes.HasPrefix(data, []byte("\xd0\xcf\x11\xe0")):
		return nil, Problem{Reason: "xls"}, false // the old binary format, or an encrypted workbook
	case !bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return nil, Problem{Reason: "not_workbook"}, false
	}
	// The directory first, walked without allocating per part: archive/zip
	// (and excelize after it) allocates for every part it lists.
	dir, ok := archive.Walk(data, maxParts)
	switch {
	case !ok:
		return nil, Problem{Reason: "corrupt"}, false
	case dir.Entries > maxParts || dir.Inflated > uint64(lim.MaxUnzipped):
		return nil, Problem{Reason: "zip_bomb"}, false
	}
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, Problem{Reason: "corrupt"}, false
	}
	for _, e := range z.File {
		if strings.EqualFold(e.Name, "xl/vbaProject.bin") {
			return nil, Problem{Reason: "macros"}, false
		}
	}
	return z, Problem{}, true
}

// readMeta reads the hidden sheet's rows, or says what is wrong with them.
func readMeta(rows [][2]string) (Meta, string) {
	if len(rows) == 0 {
		return Meta{}, "not_portal"
	}
	kv := map[string]string{}
	var explain []string
	for _, r := range rows {
		if r[0] == "explain" {
			explain = append(explain, r[1])
			continue
		}
		if r[0] != "" && r[1] != "" {
			kv[r[0]] = r[1]
		}
	}
	m := Meta{Questionnaire: kv["questionnaire"], Org: kv["organization"], Call: kv["call"], Lang: forms.Language(kv["language"]), Layout: kv["layout"]}
	m.Format, _ = strconv.Atoi(kv["format"])
	m.Version, _ = strconv.Atoi(kv["version"])
	if v, err := strconv.Atoi(kv["draft_version"]); err == nil && v >= 0 {
		m.DraftVersion, m.DraftKnown = v, true
	}
	if m.Format != FormatVersion {
		return m, "old_format"
	}
	// The keys of warnings: as many as the writer writes, each once, each
	// a finding's key as a form would post it.
	seen := make(map[string]bool, len(explain))
	for _, k := range explain {
		if k == "" || len(k) > forms.MaxFindingKey || seen[k] || len(explain) > MaxWarnings {
			return m, "not_portal"
		}
		seen[k] = true
	}
	m.Explanations = explain
	if _, ok := forms.ParseLanguage(string(m.Lang)); !ok || m.Questionnaire == "" || m.Version < 1 {
		return m, "not_portal"
	}
	if kv["years"] != "" {
		for _, y := range strings.Split(kv["years"], ",") {
			n, err := strconv.Atoi(y)
			if err != nil {
				return m, "not_portal"
			}
			m.Years = append(m.Years, n)
		}
	}
	return m, ""
}

type reader struct {
	f        *excelize.File
	t        Texts
	l        *layout
	budget   budget
	na, nap  string
	res      *Result
	problems []Problem
	comments map[string]string // cell → comment text, of the sheet being read
}

// maxProblems bounds the report: a workbook full of mistakes says the first hundred.
const maxProblems = 100

func (rd *reader) problem(p Problem) {
	if len(rd.problems) < maxProblems {
		rd.problems = append(rd.problems, p)
	}
}

func (rd *reader) sheet(sl *sheetLayout) {
	s := sl.name
	for _, it := range sl.items {
		got, _ := rd.f.GetCellValue(s, cell(colLabel, it.row))
		if got = strings.TrimSpace(got); got != strings.TrimSpace(it.label) && got != strings.TrimSpace(it.text()) {
			rd.problem(Problem{Sheet: s, Cell: cell(colLabel, it.row), Where: it.label, Reason: "moved", Value: got})
			return // nothing below can be trusted to be where it should
		}
	}
	rd.comments = map[string]string{}
	if cs, err := rd.f.GetComments(s); err == nil {
		for _, c := range cs {
			text := c.Text
			if text == "" {
				for _, p := range c.Paragraph {
					text += p.Text
				}
			}
			rd.comments[c.Cell] = text
		}
	}
	a := &rd.res.Edit.Answers
	for _, it := range sl.items {
		switch it.kind {
		case itemOption:
			v, ok := rd.text(s, cell(colInput, it.row), it.label)
			if !ok {
				continue
			}
			ans := a.Values[it.q.Key]
			if v != "" {
				ans.Choices = append(ans.Choices, it.option)
			}
			rd.setAnswer(it.q, ans)
		case itemOther:
			v, ok := rd.text(s, cell(colInput, it.row), it.label)
			if !ok {
				continue
			}
			ans := a.Values[it.q.Key]
			ans.Text = v
			rd.setAnswer(it.q, ans)
		case itemAnswer:
			rd.answer(s, it)
		case itemTableRow:
			for y, year := range rd.l.years {
				for c, col := range it.cols {
					ref := forms.CellRef{Question: it.q.Key, Row: it.ind.Key, Year: year, Category: col}
					at := cell(tableColumn(y, c, len(it.cols)), it.row)
					where := it.label + ", " + strconv.Itoa(year) + ", " + rd.columnLabel(it, col)
					if v, ok := rd.tableCell(s, at, where); ok {
						rd.res.Edit.Fields = append(rd.res.Edit.Fields, forms.CellField(ref))
						if v != (forms.Cell{}) {
							a.Cells[ref] = v
						}
					}
				}
			}
		}
	}
}

func (rd *reader) columnLabel(it item, col string) string {
	if col == forms.TotalCategory {
		return rd.t("workbook.total")
	}
	for _, o := range rd.l.q.Disaggregations[it.q.Table.Disaggregation].Categories {
		if o.Key == col {
			return o.Label.In(rd.l.lang)
		}
	}
	return col
}

// setAnswer records a question's answer, covering its field.
func (rd *reader) setAnswer(q *forms.Question, ans forms.Answer) {
	field := forms.AnswerField(q.Key)
	e := &rd.res.Edit
	if _, seen := e.Answers.Values[q.Key]; !seen {
		e.Fields = append(e.Fields, field)
	}
	e.Answers.Values[q.Key] = ans
}

// text reads a text cell: no formula, no control characters.
func (rd *reader) text(s, at, where string) (string, bool) {
	if f, _ := rd.f.GetCellFormula(s, at); f != "" {
		rd.problem(Problem{Sheet: s, Cell: at, Where: where, Reason: "formula", Value: "=" + f})
		return "", false
	}
	v, err := rd.f.GetCellValue(s, at, excelize.Options{RawCellValue: true})
	if err != nil {
		rd.problem(Problem{Sheet: s, Cell: at, Where: where, Reason: "unreadable"})
		return "", false
	}
	v, reason := cleanText(v)
	if reason != "" {
		rd.problem(Problem{Sheet: s, Cell: at, Where: where, Reason: reason})
		return "", false
	}
	return v, true
}

// cleanText is the text of a cell as the portal keeps it (lines ending in
// a line feed, trimmed), or the reason it is refused: control characters.
func cleanText(v string) (string, string) {
	v = strings.ReplaceAll(v, "\r\n", "\n")
	if strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' || r == utf8.RuneError }) {
		return "", "control_chars"
	}
	return strings.TrimSpace(v), ""
}

// What ReadRows takes in: a table of a few thousand rows is a few hundred
// kilobytes of XML.
var rowsLimit = limit{bytes: 2 << 20, rows: 20000, cells: 100000}

const (
	maxRowsStrings = 1 << 20
	maxRowsPart    = 1 << 20 // styles and the like, of a workbook made by anyone
)

// ReadRows reads the first sheet of an uploaded XLSX as text, row by row
// (cells as stored: numbers unformatted), with the same refusals as Read
// (too large, not a workbook, the old format, macros, a zip bomb), and a
// first sheet over 2 MB unzipped, 20,000 rows or 100,000 cells, shared
// strings or any other XML part over 1 MB, refused before they are parsed.
func ReadRows(r io.Reader, lim Limits) ([][]string, []Problem, error) {
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("workbook: read: %w", err)
	}
	z, p, ok := sniff(data, lim)
	if !ok {
		return nil, []Problem{p}, nil
	}
	pk, ok := openPackage(z)
	if !ok {
		return nil, []Problem{{Reason: "corrupt"}}, nil
	}
	if len(pk.sheets) == 0 {
		return nil, []Problem{{Reason: "empty"}}, nil
	}
	for _, sp := range pk.sheets {
		// excelize finds a sheet by its name in any case: every sheet so named.
		if !strings.EqualFold(sp.name, pk.sheets[0].name) {
			continue
		}
		if p, ok := pk.checkSheet(sp, rowsLimit); !ok {
			return nil, []Problem{p}, nil
		}
	}
	if n := pk.size(pk.strs); n > maxRowsStrings {
		return nil, []Problem{{Reason: "strings_too_large", Value: size(n), Limit: size(maxRowsStrings)}}, nil
	}
	if problems := pk.checkOtherParts(map[string]bool{}, maxRowsPart); len(problems) > 0 {
		return nil, problems, nil
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: lim.MaxUnzipped, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return nil, []Problem{{Reason: "corrupt"}}, nil
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, []Problem{{Reason: "empty"}}, nil
	}
	rows, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, []Problem{{Reason: "corrupt"}}, nil
	}
	return rows, nil, nil
}
