package synthetic

import (
	"strconv"

	"portal/forms"
)

// Past series, as the Office's long format publishes them: made from the
// same profiles as the synthetic submissions, for the demo's history and
// for sample files to import. Not real data.

// HistorySeries are the series the demo's history covers.
var HistorySeries = []string{
	"offences/iccs-0101", "offences/iccs-0401", "offences/iccs-0501", "offences/iccs-0502",
	"victims_of_homicide/iccs-0101", "victims_of_homicide/iccs-0101/sex:male", "victims_of_homicide/iccs-0101/sex:female",
	"persons_convicted/all_offences", "persons_held/all_prisoners",
}

// Counts and rates, as the long format writes its units.
const (
	UnitCounts = "Counts"
	UnitRate   = "Rate per 100,000 population"
)

// History calls fn with the long-format rows of the State's figures of
// the series codes over the years, described as the questionnaire labels
// them in English (so that forms.SuggestSeries maps them back), counts
// and, for intentional homicide, the rate per 100,000 inhabitants; and
// returns the State's population by year.
func History(q *forms.Questionnaire, codes []string, years []int, state, name string, fn func(forms.ImportRow) error) (map[int]int64, error) {
	a := Statistics(q, years, state)
	want := map[string]bool{}
	for _, c := range codes {
		want[c] = true
	}
	pops := map[int]int64{}
	for _, y := range years {
		if v := a.Cells[forms.CellRef{Question: "population_by_year", Row: "population", Year: y, Category: forms.TotalCategory}]; v.State == forms.CellValue {
			pops[y] = v.Value
		}
	}
	line := 0
	for _, c := range q.SeriesCells() {
		if !want[c.Code] || c.Repeat {
			continue
		}
		d := Describe(c)
		for _, y := range years {
			v := a.Cells[forms.CellRef{Question: c.Question, Row: c.Row, Year: y, Category: c.Category}]
			if v.State != forms.CellValue {
				continue
			}
			line++
			r := forms.ImportRow{Line: line, Area: state, AreaName: name, Indicator: d.Indicator, Dimension: d.Dimension, Category: d.Category,
				Sex: d.Sex, Age: d.Age, Unit: UnitCounts, Year: y, Value: strconv.FormatInt(v.Value, 10), Source: "CTS"}
			if err := fn(r); err != nil {
				return nil, err
			}
			if c.Code == "offences/iccs-0101" && pops[y] > 0 {
				line++
				r.Line, r.Unit = line, UnitRate
				r.Value = strconv.FormatFloat(float64(v.Value)*100000/float64(pops[y]), 'f', 2, 64)
				if err := fn(r); err != nil {
					return nil, err
				}
			}
		}
	}
	return pops, nil
}

// Describe is how the long format describes a cell's series: the table's
// and the row's English labels, and the column's category as a sex, an
// age or another dimension.
func Describe(c forms.SeriesCell) forms.Description {
	d := forms.Description{Indicator: c.TableLabel[forms.English], Dimension: "Total", Category: c.RowLabel[forms.English], Sex: "Total", Age: "Total"}
	if c.ICCS != "" {
		d.Dimension = "by type of offence"
	}
	switch _, col, _ := cutColumn(c.Code); col {
	case "":
	case "sex":
		d.Sex = c.CategoryLabel[forms.English]
	case "age":
		d.Age = c.CategoryLabel[forms.English]
	default:
		d.Dimension, d.Category = "by "+col, c.CategoryLabel[forms.English]
	}
	return d
}

// cutColumn splits a code's column part ("sex:male") into the
// disaggregation and the category.
func cutColumn(code string) (rest, disaggregation, category string) {
	n := 0
	for i := range len(code) {
		if code[i] == '/' {
			n++
			if n == 2 {
				col := code[i+1:]
				for j := range len(col) {
					if col[j] == ':' {
						return code[:i], col[:j], col[j+1:]
					}
				}
				return code[:i], col, ""
			}
		}
	}
	return code, "", ""
}
