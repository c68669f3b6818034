package export

import (
	"encoding/csv"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// Sheet is one table of a small export (a tracking table, compiled
// answers, a report's annex): a header row and rows held in memory. A
// cell is a string (always text, never a formula), a number, or nil.
type Sheet struct {
	Name   string
	Header []string
	Widths map[int]float64 // by column, from 1
	Rows   [][]any
	// Decimals are the columns (from 1) of numbers shown with two
	// decimals, or as a percentage when the column's header is "share".
	Decimals []int
}

// Workbook writes an XLSX to w: an About sheet of label and value lines
// when about is not empty, then each sheet with a bold header row frozen
// above a table with filters. It opens on the first of the sheets.
func Workbook(w io.Writer, about [][2]string, sheets ...Sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	first := "Sheet1"
	if len(about) > 0 {
		if err := f.SetSheetName(first, "About"); err != nil {
			return err
		}
		for i, row := range about {
			for j, v := range row {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if err := f.SetCellStr("About", cell, v); err != nil {
					return err
				}
			}
		}
		if err := f.SetColWidth("About", "A", "A", 16); err != nil {
			return err
		}
		if err := f.SetColWidth("About", "B", "B", 100); err != nil {
			return err
		}
		first = ""
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF4"}}})
	if err != nil {
		return err
	}
	twoDecimals := "0.00"
	decimal, err := f.NewStyle(&excelize.Style{CustomNumFmt: &twoDecimals})
	if err != nil {
		return err
	}
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 9}) // 0%
	if err != nil {
		return err
	}
	for i, s := range sheets {
		if first != "" {
			if err := f.SetSheetName(first, s.Name); err != nil {
				return err
			}
			first = ""
		} else {
			idx, err := f.NewSheet(s.Name)
			if err != nil {
				return err
			}
			if i == 0 { // open on the data, set while the sheet is empty (excelize reads every sheet back)
				f.SetActiveSheet(idx)
			}
		}
		if err := writeSheet(f, s, head, decimal, pct); err != nil {
			return err
		}
	}
	return writeDirect(f, w)
}

func writeSheet(f *excelize.File, s Sheet, head, decimal, pct int) error {
	sw, err := f.NewStreamWriter(s.Name)
	if err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	for col, wd := range s.Widths {
		if err := sw.SetColWidth(col, col, wd); err != nil {
			return err
		}
	}
	cells := make([]any, len(s.Header))
	for i, h := range s.Header {
		cells[i] = excelize.Cell{Value: h, StyleID: head}
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return err
	}
	for i, r := range s.Rows {
		for _, c := range s.Decimals {
			if v, ok := r[c-1].(float64); ok {
				style := decimal
				if s.Header[c-1] == "share" {
					style = pct
				}
				r[c-1] = excelize.Cell{Value: v, StyleID: style}
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, r); err != nil { // strings go as text: never a formula
			return err
		}
	}
	if len(s.Rows) > 0 {
		last, _ := excelize.CoordinatesToCellName(len(s.Header), len(s.Rows)+1)
		if err := sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: s.Name, StyleName: "TableStyleLight1"}); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// CSV writes a sheet as CSV to w (UTF-8; with a byte order mark when bom,
// which Excel needs to read UTF-8), every text neutralized against
// formulas.
func CSV(w io.Writer, s Sheet, bom bool) error {
	if bom {
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(s.Header); err != nil {
		return err
	}
	rec := make([]string, len(s.Header))
	for _, r := range s.Rows {
		for i := range rec {
			rec[i] = ""
			if i >= len(r) {
				continue
			}
			switch v := r[i].(type) {
			case string:
				rec[i] = Neutralize(v)
			case int:
				rec[i] = strconv.Itoa(v)
			case int64:
				rec[i] = strconv.FormatInt(v, 10)
			case float64:
				rec[i] = strconv.FormatFloat(v, 'f', -1, 64)
			case bool:
				rec[i] = strconv.FormatBool(v)
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
