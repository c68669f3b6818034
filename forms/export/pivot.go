package export

import (
	"fmt"
	"math"
	"strings"

	"github.com/xuri/excelize/v2"

	"portal/forms"
)

// The pivot sheets of the statistics workbook: one per indicator (a row of
// a table), States down and years across, the totals the States reported.
// They are collected while the long dataset streams, in a table of
// indicators × States × years (a few megabytes for every State over twenty
// years), and written after it.

// Markers in the pivot table for what is not a figure.
const (
	pivotNone          int64 = math.MinInt64 // nothing reported
	pivotNotAvailable  int64 = -1
	pivotNotApplicable int64 = -2
)

type pivotIndicator struct {
	table, row, label, iccs, unit string
	values                        []int64 // by State, then year; nil until a figure comes
}

type pivotTable struct {
	key, label string
	cells      int
}

type pivotState struct {
	code, name, groups string
}

type pivots struct {
	lang       forms.Language
	indicators []pivotIndicator
	// tables are the questionnaire's tables with how many cells each
	// asks for over the years; reported counts each State's figures in
	// each (by State, then table).
	tables     []pivotTable
	tableIndex map[string]int
	reported   [][]int
	index      map[string]int // table/row → indicators
	years      []int
	yearIndex  map[int]int
	states     []pivotState
	stateIndex map[string]int
	flagged    []forms.Flagged
}

func newPivots(m Meta) *pivots {
	p := &pivots{lang: m.Lang, tableIndex: map[string]int{}, index: map[string]int{}, years: m.Call.Years, yearIndex: map[int]int{}, stateIndex: map[string]int{},
		flagged: m.Flagged}
	for i, y := range p.years {
		p.yearIndex[y] = i
	}
	for _, sec := range m.Questionnaire.Sections {
		for _, qq := range sec.Questions {
			if qq.Table == nil {
				continue
			}
			p.tableIndex[qq.Key] = len(p.tables)
			p.tables = append(p.tables, pivotTable{key: qq.Key, label: qq.Label.In(m.Lang),
				cells: len(qq.Table.Rows) * len(m.Questionnaire.Columns(qq.Table)) * len(m.Call.Years)})
			for _, r := range qq.Table.Rows {
				p.index[qq.Key+"/"+r.Key] = len(p.indicators)
				p.indicators = append(p.indicators, pivotIndicator{table: qq.Key, row: r.Key,
					label: qq.Label.In(m.Lang) + " — " + r.Label.In(m.Lang), iccs: r.ICCS, unit: qq.Unit.In(m.Lang)})
			}
		}
	}
	return p
}

// add counts r in its State's coverage, and records it when it is a total.
func (p *pivots) add(r forms.StatRow) {
	si := p.state(r.Organization)
	if ti, ok := p.tableIndex[r.Cell.Question]; ok && r.Value.State == forms.CellValue {
		if _, inYears := p.yearIndex[r.Cell.Year]; inYears {
			p.reported[si][ti]++
		}
	}
	if r.Cell.Category != forms.TotalCategory {
		return
	}
	ii, ok := p.index[r.Cell.Question+"/"+r.Cell.Row]
	yi, okYear := p.yearIndex[r.Cell.Year]
	if !ok || !okYear {
		return
	}
	ind := &p.indicators[ii]
	if need := (si + 1) * len(p.years); len(ind.values) < need {
		grown := make([]int64, max(need, 2*len(ind.values)))
		copy(grown, ind.values)
		for i := len(ind.values); i < len(grown); i++ {
			grown[i] = pivotNone
		}
		ind.values = grown
	}
	v := pivotNone
	switch r.Value.State {
	case forms.CellValue:
		v = r.Value.Value
	case forms.CellNotAvailable:
		v = pivotNotAvailable
	case forms.CellNotApplicable:
		v = pivotNotApplicable
	}
	ind.values[si*len(p.years)+yi] = v
}

// state returns o's index, adding it when it comes first.
func (p *pivots) state(o forms.Organization) int {
	si, ok := p.stateIndex[o.Code]
	if !ok {
		si = len(p.states)
		p.stateIndex[o.Code] = si
		p.states = append(p.states, pivotState{o.Code, o.Name.In(p.lang), strings.Join(o.RegionalGroups, " ")})
		p.reported = append(p.reported, make([]int, len(p.tables)))
	}
	return si
}

// stateSheet starts a streamed sheet of States down and heads across: a
// title, a note, then the header row (iso3, name, regional groups, the
// heads), frozen with the States' codes and names. The heads' columns are
// width wide, or as wide says for some (by column, from 1).
func stateSheet(f *excelize.File, name, about, note string, heads []any, width float64, wide map[int]float64, head, title int) (*excelize.StreamWriter, error) {
	if _, err := f.NewSheet(name); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: 2, YSplit: 3, TopLeftCell: "C4", ActivePane: "bottomRight"}); err != nil {
		return nil, err
	}
	for col, w := range []float64{8, 32, 18} {
		if err := sw.SetColWidth(col+1, col+1, w); err != nil {
			return nil, err
		}
	}
	for col := 4; col <= 3+len(heads); col++ {
		w := width
		if x, ok := wide[col]; ok {
			w = x
		}
		if err := sw.SetColWidth(col, col, w); err != nil {
			return nil, err
		}
	}
	if err := sw.SetRow("A1", []any{excelize.Cell{Value: about, StyleID: title}}); err != nil {
		return nil, err
	}
	if err := sw.SetRow("A2", []any{note}); err != nil {
		return nil, err
	}
	row := []any{excelize.Cell{Value: "iso3", StyleID: head}, excelize.Cell{Value: "name", StyleID: head}, excelize.Cell{Value: "regional_groups", StyleID: head}}
	for _, h := range heads {
		row = append(row, excelize.Cell{Value: h, StyleID: head})
	}
	return sw, sw.SetRow("A3", row)
}

// writeCoverage adds the Coverage sheet: who reported what, as the share
// of each table's cells over the years that each State filled with a
// figure.
func (p *pivots) writeCoverage(f *excelize.File, head, title int) error {
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 9})
	if err != nil {
		return err
	}
	heads := make([]any, len(p.tables))
	for i, t := range p.tables {
		heads[i] = t.label
	}
	sw, err := stateSheet(f, "Coverage", "Who reported what",
		"For each State and table: the share of the table's cells over the call's years that hold a figure (not available, not applicable and blank cells do not count).",
		heads, 16, nil, head, title)
	if err != nil {
		return err
	}
	for si, st := range p.states {
		row := []any{st.code, st.name, st.groups}
		for ti, t := range p.tables {
			share := 0.0
			if t.cells > 0 {
				share = float64(p.reported[si][ti]) / float64(t.cells)
			}
			row = append(row, excelize.Cell{Value: share, StyleID: pct})
		}
		cell, _ := excelize.CoordinatesToCellName(1, si+4)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// writeChecks adds the Checks sheet: every total marked as a break in its
// State's series or an outlier among the year's rates, indicator by
// indicator, with the change, the rate and what the State explained.
func (p *pivots) writeChecks(f *excelize.File, head, title, number int) error {
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 9})
	if err != nil {
		return err
	}
	decimal := "0.00"
	rate, err := f.NewStyle(&excelize.Style{CustomNumFmt: &decimal})
	if err != nil {
		return err
	}
	heads := []any{"indicator", "iccs", "year", "value", "check", "change", "explanation", "rate_per_100000", "population_source"}
	sw, err := stateSheet(f, "Checks", "Breaks in series and outliers",
		"A break: a change from the year before larger than the table's rule allows (else 50 %), with what the State explained when it submitted. "+
			"An outlier: a rate per 100,000 whose modified z-score among the States' rates that year is above 3.5 (with at least 5 States rated).",
		heads, 14, map[int]float64{4: 40, 10: 60}, head, title)
	if err != nil {
		return err
	}
	line := 4
	for i := range p.flagged {
		fl := &p.flagged[i]
		label := fl.Series.Question + "/" + fl.Series.Row
		iccs := ""
		if ii, ok := p.index[label]; ok {
			label, iccs = p.indicators[ii].label, p.indicators[ii].iccs
		}
		var change, r any
		if fl.HasChange {
			change = excelize.Cell{Value: fl.Change, StyleID: pct}
		}
		if v, ok := fl.Rate(); ok {
			r = excelize.Cell{Value: v, StyleID: rate}
		}
		row := []any{fl.Organization.Code, fl.Organization.Name.In(p.lang), strings.Join(fl.Organization.RegionalGroups, " "),
			label, iccs, fl.Year, excelize.Cell{Value: fl.Value, StyleID: number}, checkWords(fl), change, fl.Explanation, r, fl.PopulationSource}
		cell, _ := excelize.CoordinatesToCellName(1, line)
		if err := sw.SetRow(cell, row); err != nil { // strings go as text: never a formula
			return err
		}
		line++
	}
	if line > 4 {
		last, _ := excelize.CoordinatesToCellName(3+len(heads), line-1)
		if err := sw.AddTable(&excelize.Table{Range: "A3:" + last, Name: "Checks", StyleName: "TableStyleLight1"}); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// write adds a sheet per indicator that has a figure, in the
// questionnaire's order: a title, then States × years, the header row and
// columns frozen, whole numbers grouped by thousands.
func (p *pivots) write(f *excelize.File) error {
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF4"}}})
	if err != nil {
		return err
	}
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}})
	if err != nil {
		return err
	}
	number, err := f.NewStyle(&excelize.Style{NumFmt: 3}) // #,##0
	if err != nil {
		return err
	}
	muted, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "5A5A5A", Italic: true}, Alignment: &excelize.Alignment{Horizontal: "right"}})
	if err != nil {
		return err
	}
	if err := p.writeCoverage(f, head, title); err != nil {
		return err
	}
	if err := p.writeChecks(f, head, title, number); err != nil {
		return err
	}
	names := map[string]string{}
	for n, ind := range p.indicators {
		if ind.values == nil {
			continue
		}
		name := fmt.Sprintf("%02d %s", n+1, ind.row)
		if len(name) > 31 {
			name = name[:31]
		}
		if names[name] != "" {
			name = fmt.Sprintf("%02d", n+1)
		}
		names[name] = ind.label
		about := ind.label
		if ind.iccs != "" {
			about += " (ICCS " + ind.iccs + ")"
		}
		if ind.unit != "" {
			about += " · " + ind.unit
		}
		years := make([]any, len(p.years))
		for i, y := range p.years {
			years[i] = y
		}
		sw, err := stateSheet(f, name, about, "Totals as reported; n/a: not available; –: not applicable; blank: not reported. Table "+ind.table+", row "+ind.row+".",
			years, 12, nil, head, title)
		if err != nil {
			return err
		}
		line := 4
		for si, st := range p.states {
			if (si+1)*len(p.years) > len(ind.values) {
				break
			}
			vals := ind.values[si*len(p.years) : (si+1)*len(p.years)]
			row := []any{st.code, st.name, st.groups}
			has := false
			for _, v := range vals {
				switch v {
				case pivotNone:
					row = append(row, nil)
				case pivotNotAvailable:
					row, has = append(row, excelize.Cell{Value: "n/a", StyleID: muted}), true
				case pivotNotApplicable:
					row, has = append(row, excelize.Cell{Value: "–", StyleID: muted}), true
				default:
					row, has = append(row, excelize.Cell{Value: v, StyleID: number}), true
				}
			}
			if !has {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(1, line)
			if err := sw.SetRow(cell, row); err != nil {
				return err
			}
			line++
		}
		if line > 4 { // a table gives the header row its filters, streamed (AutoFilter would parse the sheet back)
			last, _ := excelize.CoordinatesToCellName(3+len(p.years), line-1)
			if err := sw.AddTable(&excelize.Table{Range: "A3:" + last, Name: fmt.Sprintf("Pivot%02d", n+1), StyleName: "TableStyleLight1"}); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return nil
}
