package forms

import "strings"

// Series codes: what each cell of a statistical table measures, in a
// vocabulary that outlives questionnaire versions and calls. Two cells of
// two versions (or two questionnaires) with the same code are the same
// series, so a State's figures can be followed across every call and
// every import of past data.
//
// A code is the table's indicator, the row's category and, outside the
// total column, the disaggregation's category:
//
//	offences/iccs-0101                  offences of intentional homicide, total
//	persons_convicted/iccs-0101/sex:male
//	persons_prosecuted/all_offences/age:juvenile
//
// which mirrors the long format the Office publishes (Indicator,
// Category, Sex, Age or another Dimension; the unit apart).

// TableSeries declares the series of a table's cells.
type TableSeries struct {
	// Indicator is what is counted ([a-z][a-z0-9_]*); the table's key by
	// default.
	Indicator string
	// Unit is the unit of measurement ([a-z][a-z0-9_]*), "count" by
	// default; a code keeps its unit in every version.
	Unit string
	// TotalRepeats names an earlier table whose totals this table's total
	// column repeats (the persons prosecuted by age repeat the total of
	// those by sex): its total cells are then not a series of their own.
	TotalRepeats string
}

// DefaultSeriesUnit is the unit of a table that declares none.
const DefaultSeriesUnit = "count"

// SeriesCell is one cell of a table (for every reporting year) and the
// series it measures.
type SeriesCell struct {
	Code, Unit              string
	Question, Row, Category string
	// Repeat: the cell repeats a series another table gives (a total of a
	// table with TotalRepeats); it is not counted as that series.
	Repeat bool
	// Labels, for people: the table's, the row's and the column's
	// (Category "" for the total).
	TableLabel, RowLabel, CategoryLabel Text
	ICCS                                string
}

// SeriesCode is the code of a cell whose table counts indicator, whose row
// is category rowSeries and whose column is category of disaggregation
// (category TotalCategory for the total).
func SeriesCode(indicator, rowSeries, disaggregation, category string) string {
	code := indicator + "/" + rowSeries
	if category != TotalCategory && category != "" {
		code += "/" + disaggregation + ":" + category
	}
	return code
}

// RowSeries is a row's category in series codes: its own declaration, else
// its ICCS code, else its key.
func RowSeries(r Indicator) string {
	switch {
	case r.Series != "":
		return r.Series
	case r.ICCS != "":
		return "iccs-" + r.ICCS
	}
	return r.Key
}

// SeriesCells lists every cell of every table of q with its series, table
// by table, row by row, the total first.
func (q *Questionnaire) SeriesCells() []SeriesCell {
	var out []SeriesCell
	for _, sec := range q.Sections {
		for _, qq := range sec.Questions {
			t := qq.Table
			if t == nil {
				continue
			}
			ind, unit := t.Series.Indicator, t.Series.Unit
			if ind == "" {
				ind = qq.Key
			}
			if unit == "" {
				unit = DefaultSeriesUnit
			}
			for _, r := range t.Rows {
				for _, col := range q.Columns(t) {
					c := SeriesCell{Code: SeriesCode(ind, RowSeries(r), t.Disaggregation, col), Unit: unit,
						Question: qq.Key, Row: r.Key, Category: col, TableLabel: qq.Label, RowLabel: r.Label, ICCS: r.ICCS}
					if col == TotalCategory {
						c.Repeat = t.Series.TotalRepeats != ""
					} else {
						for _, o := range q.Disaggregations[t.Disaggregation].Categories {
							if o.Key == col {
								c.CategoryLabel = o.Label
							}
						}
					}
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// SeriesIndicator is the indicator part of a code.
func SeriesIndicator(code string) string {
	ind, _, _ := strings.Cut(code, "/")
	return ind
}
