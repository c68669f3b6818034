// Package export writes the statistics the Office has received as a long
// dataset (one row per value) in XLSX or CSV, streamed: rows are written as
// they come, with excelize's StreamWriter for XLSX, so that neither time nor
// memory is bounded by a row cap. Text that comes from a submission is
// never let become a formula. Pure functions over io.Writer and forms
// types: no HTTP, no SQL.
package export

import (
	"archive/zip"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"portal/forms"
)

// Meta describes an export, for its metadata sheet.
type Meta struct {
	Call          forms.Call
	Questionnaire *forms.Questionnaire
	Extracted     time.Time
	Filters       string // what was included, in words
	Lang          forms.Language
	// Flagged are the totals with a break in their series or an outlier
	// among the year's rates (forms.FlagSeries): they are marked in the
	// Data rows, and listed in a Checks sheet of the XLSX.
	Flagged []forms.Flagged
}

// Columns are the long dataset's columns, in order.
var Columns = []string{"iso3", "m49", "iso2", "name", "region", "regional_groups", "table", "indicator_key", "indicator",
	"iccs", "year", "category", "value", "status", "flags", "note", "reference", "version", "submission_state",
	"check", "change", "explanation"}

// Writer writes a long dataset row by row; Close finishes the file.
type Writer struct {
	m    Meta
	rows int
	// labels by table, row and category key, in the export's language
	tables, indicators, iccs, categories map[string]string

	csv *csv.Writer
	x   *excelize.File
	sw  *excelize.StreamWriter
	out io.Writer
	piv *pivots // XLSX only
	pct int     // XLSX style of a share

	flagged map[flagKey]*forms.Flagged
}

// flagKey finds a total among the flagged figures.
type flagKey struct {
	code, question, row string
	year                int
}

// NewCSV starts a CSV long dataset on w (UTF-8; with a byte order mark
// when bom, which Excel needs to read UTF-8).
func NewCSV(w io.Writer, m Meta, bom bool) (*Writer, error) {
	if bom {
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return nil, err
		}
	}
	ew := newWriter(m)
	ew.csv = csv.NewWriter(w)
	if err := ew.csv.Write(Columns); err != nil {
		return nil, err
	}
	return ew, nil
}

// NewXLSX starts an XLSX long dataset written to w on Close: a sheet of
// metadata and definitions, then the data, with a frozen header row and a
// filter.
func NewXLSX(w io.Writer, m Meta) (*Writer, error) {
	ew := newWriter(m)
	ew.out = w
	ew.x = excelize.NewFile()
	ew.piv = newPivots(m)
	if err := ew.metaSheet(); err != nil {
		ew.x.Close()
		return nil, err
	}
	if _, err := ew.x.NewSheet("Data"); err != nil {
		return nil, err
	}
	// Opens on the data. Set now, while the sheets are empty: excelize
	// sets it by reading every sheet back.
	ew.x.SetActiveSheet(1)
	sw, err := ew.x.NewStreamWriter("Data")
	if err != nil {
		return nil, err
	}
	ew.sw = sw
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	widths := map[int]float64{4: 30, 6: 18, 7: 24, 8: 20, 9: 36, 14: 16, 16: 30, 17: 20, 20: 14, 22: 40}
	for col, wd := range widths {
		if err := sw.SetColWidth(col, col, wd); err != nil {
			return nil, err
		}
	}
	if ew.pct, err = ew.x.NewStyle(&excelize.Style{NumFmt: 9}); err != nil { // 0%
		return nil, err
	}
	bold, err := ew.x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF4"}}})
	if err != nil {
		return nil, err
	}
	head := make([]any, len(Columns))
	for i, c := range Columns {
		head[i] = excelize.Cell{Value: c, StyleID: bold}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return nil, err
	}
	return ew, nil
}

func newWriter(m Meta) *Writer {
	w := &Writer{m: m, tables: map[string]string{}, indicators: map[string]string{}, iccs: map[string]string{}, categories: map[string]string{},
		flagged: make(map[flagKey]*forms.Flagged, len(m.Flagged))}
	for i, f := range m.Flagged {
		w.flagged[flagKey{f.Organization.Code, f.Series.Question, f.Series.Row, f.Year}] = &m.Flagged[i]
	}
	q := m.Questionnaire
	for _, sec := range q.Sections {
		for _, qq := range sec.Questions {
			if qq.Table == nil {
				continue
			}
			w.tables[qq.Key] = qq.Label.In(m.Lang)
			for _, r := range qq.Table.Rows {
				w.indicators[qq.Key+"/"+r.Key] = r.Label.In(m.Lang)
				w.iccs[qq.Key+"/"+r.Key] = r.ICCS
			}
		}
	}
	for key, d := range q.Disaggregations {
		for _, c := range d.Categories {
			w.categories[key+"/"+c.Key] = c.Label.In(m.Lang)
		}
	}
	return w
}

// Row writes one value.
func (w *Writer) Row(r forms.StatRow) error {
	w.rows++
	status := "value"
	var value any = r.Value.Value
	switch r.Value.State {
	case forms.CellNotAvailable:
		status, value = "not_available", ""
	case forms.CellNotApplicable:
		status, value = "not_applicable", ""
	case forms.CellBlank:
		status, value = "blank", ""
	}
	var flags []string
	for _, f := range []struct {
		name string
		flag forms.CellFlags
	}{{"national_definition", forms.FlagNationalDefinition}, {"provisional", forms.FlagProvisional}, {"estimate", forms.FlagEstimate}} {
		if r.Value.Flags&f.flag != 0 {
			flags = append(flags, f.name)
		}
	}
	tk := r.Cell.Question + "/" + r.Cell.Row
	var check, explanation string
	var change any = ""
	if r.Cell.Category == forms.TotalCategory && r.Value.State == forms.CellValue {
		if f := w.flagged[flagKey{r.Organization.Code, r.Cell.Question, r.Cell.Row, r.Cell.Year}]; f != nil {
			check, explanation = checkWords(f), f.Explanation
			if f.HasChange {
				change = f.Change
			}
		}
	}
	vals := []any{r.Organization.Code, r.Organization.M49, r.ISO2, r.Organization.Name.In(w.m.Lang), r.Region,
		strings.Join(r.Organization.RegionalGroups, " "), r.Cell.Question, r.Cell.Row, w.indicators[tk], w.iccs[tk],
		r.Cell.Year, w.category(r.Cell), value, status, strings.Join(flags, " "), r.Value.Note, r.Reference, r.Version, string(r.State),
		check, change, explanation}
	if w.csv != nil {
		rec := make([]string, len(vals))
		for i, v := range vals {
			switch x := v.(type) {
			case string:
				rec[i] = Neutralize(x)
			case int64:
				rec[i] = strconv.FormatInt(x, 10)
			case int:
				rec[i] = strconv.Itoa(x)
			case float64:
				rec[i] = strconv.FormatFloat(x, 'f', -1, 64)
			}
		}
		return w.csv.Write(rec)
	}
	if ch, ok := change.(float64); ok {
		vals[len(vals)-2] = excelize.Cell{Value: ch, StyleID: w.pct}
	}
	w.piv.add(r)
	cell, err := excelize.CoordinatesToCellName(1, w.rows+1)
	if err != nil {
		return err
	}
	return w.sw.SetRow(cell, vals) // strings go as text: never a formula
}

func (w *Writer) category(c forms.CellRef) string {
	if c.Category == forms.TotalCategory {
		return "Total"
	}
	for _, sec := range w.m.Questionnaire.Sections {
		for _, qq := range sec.Questions {
			if qq.Key == c.Question && qq.Table != nil {
				if l, ok := w.categories[qq.Table.Disaggregation+"/"+c.Category]; ok {
					return l
				}
			}
		}
	}
	return c.Category
}

// Rows says how many rows were written.
func (w *Writer) Rows() int { return w.rows }

// Close finishes the file: flushes the CSV, or writes the XLSX to its writer.
func (w *Writer) Close() error {
	if w.csv != nil {
		w.csv.Flush()
		return w.csv.Error()
	}
	defer w.x.Close()
	last, _ := excelize.CoordinatesToCellName(len(Columns), w.rows+1)
	if w.rows > 0 { // a table gives the header row its filters
		if err := w.sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: "Values", StyleName: "TableStyleLight1"}); err != nil {
			return err
		}
	}
	if err := w.sw.Flush(); err != nil {
		return err
	}
	if err := w.piv.write(w.x); err != nil {
		return err
	}
	return writeDirect(w.x, w.out)
}

// metaSheet writes what the export holds: the call, its mandate, when it
// was extracted, what was included, and what each column means.
func (w *Writer) metaSheet() error {
	const s = "About"
	if err := w.x.SetSheetName("Sheet1", s); err != nil {
		return err
	}
	l := w.m.Lang
	rows := [][2]string{
		{"Call", w.m.Call.Title.In(l) + " (" + w.m.Call.Key + ")"},
		{"Mandate", w.m.Call.Mandate.In(l)},
		{"For", w.m.Call.Body.In(l)},
		{"Questionnaire", w.m.Questionnaire.Key + " v" + strconv.Itoa(w.m.Questionnaire.Version)},
		{"Extracted", w.m.Extracted.UTC().Format(time.RFC3339)},
		{"Included", w.m.Filters},
		{"Sheets", "Data: one row per value (the columns below). Coverage: the share of each table's cells each State filled with a figure. Checks: the totals marked break or outlier, with what the States explained. Then one sheet per indicator: the totals, States × years."},
		{"", ""},
		{"Column", "Meaning"},
	}
	defs := map[string]string{
		"iso3": "ISO 3166-1 alpha-3 code of the State (or the organization's code)", "m49": "UN M49 code",
		"iso2": "ISO 3166-1 alpha-2 code", "name": "name", "region": "M49 region", "regional_groups": "UN regional groups",
		"table": "the questionnaire's table", "indicator_key": "the indicator's key", "indicator": "the indicator",
		"iccs": "ICCS code of the offence, where one applies", "year": "reporting year", "category": "disaggregation category, or Total",
		"value": "the figure, when status is value", "status": "value, not_available, not_applicable or blank",
		"flags": "national_definition, provisional, estimate", "note": "the State's note on the figure; for an imported figure, the source the import gives",
		"reference": "receipt number of the submitted version, or the reference of the import (the references summed, for parts)", "version": "version number (0 for an imported figure)",
		"submission_state": "accepted or submitted; where no submission to the call gives a figure, what counts in the Office's series: imported (an import of past series), call (another call's submission) or parts (the sum of a State's parts)",
		"check":            "for a total: break (a change from the year before larger than the table's rule allows, else 50 %), outlier (a rate per 100,000 far from the other States' that year), or both",
		"change":           "for a total marked break: the change from the year before, as a share (0.6 is +60 %)",
		"explanation":      "for a break: what the State explained of it when it submitted",
	}
	for _, c := range Columns {
		rows = append(rows, [2]string{c, defs[c]})
	}
	for i, r := range rows {
		for j, v := range r {
			if err := w.x.SetCellStr(s, fmt.Sprintf("%c%d", 'A'+j, i+1), v); err != nil {
				return err
			}
		}
	}
	if err := w.x.SetColWidth(s, "A", "A", 22); err != nil {
		return err
	}
	return w.x.SetColWidth(s, "B", "B", 90)
}

// checkWords says what f was flagged for, in the check column's words.
func checkWords(f *forms.Flagged) string {
	switch {
	case f.Break && f.Outlier:
		return "break outlier"
	case f.Break:
		return "break"
	}
	return "outlier"
}

// Neutralize keeps a text that a spreadsheet program would take for a
// formula (it begins with =, +, -, @, a tab or a carriage return) as text,
// by putting an apostrophe before it.
func Neutralize(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// writeDirect writes f to out as its ZIP is made. excelize's WriteTo
// builds the whole file in a bytes.Buffer first: for the long dataset,
// tens of megabytes held, and as much again each time the buffer grows.
// Given a ZIP writer on out, excelize's buffer stays empty (nothing goes
// to it but what WriteTo then copies: nothing).
func writeDirect(f *excelize.File, out io.Writer) error {
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(out) })
	_, err := f.WriteTo(io.Discard)
	return err
}
