package export

import (
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"portal/forms"
)

// Annex writes a released report's annex to w as XLSX: what the report
// is (About), the submission versions it draws on (Sources), every answer
// (Answers), the checklist counts (Frequencies), and the statistical annex
// as the regional aggregates with their coverage (Aggregates) and every
// State's figures with their rates (Values). Every sheet has a frozen
// header row with filters; names are in lang; describe gives an answer's
// text as the report shows it.
func Annex(w io.Writer, r *forms.Report, lang forms.Language, describe func(*forms.Question, forms.Answer) string) error {
	f := excelize.NewFile()
	defer f.Close()
	a := &annex{f: f}
	if err := a.about(r, lang); err != nil {
		return err
	}
	groupNames := map[string]string{"": "World"}
	for _, g := range r.Groups {
		groupNames[g.Code] = g.Name.In(lang)
	}
	name := map[string]forms.Organization{}
	var rows [][]any
	for _, s := range r.Sources {
		name[s.Organization.Code] = s.Organization
		rows = append(rows, []any{s.Organization.Code, s.Organization.M49, s.Organization.Name.In(lang), strings.Join(s.Organization.RegionalGroups, " "),
			s.Reference, s.Version, s.SubmittedAt.UTC().Format(time.RFC3339), s.Checksum})
	}
	if err := a.sheet("Sources", []string{"iso3", "m49", "name", "regional_groups", "reference", "version", "submitted_at", "sha256"},
		map[int]float64{3: 36, 4: 18, 5: 22, 7: 22, 8: 66}, rows); err != nil {
		return err
	}

	rows = nil
	var freq [][]any
	respondents := r.Respondents()
	respondents[""] = len(r.Sources)
	for i := range r.Questions {
		rq := &r.Questions[i]
		for _, ans := range rq.Answers {
			o := name[ans.Source]
			src, _ := r.Source(ans.Source)
			rows = append(rows, []any{rq.Question.Key, rq.Question.Label.In(lang), o.Code, o.Name.In(lang), strings.Join(o.RegionalGroups, " "),
				describe(&rq.Question, ans.Answer), src.Reference})
		}
		if rq.Question.Kind != forms.MultipleChoice {
			continue
		}
		for _, fr := range r.Frequencies(rq, forms.Text{forms.English: "Other"}) {
			for _, g := range append([]string{""}, groupCodes(r.Groups)...) {
				n := fr.Total
				if g != "" {
					n = fr.Groups[g]
				}
				share := 0.0
				if respondents[g] > 0 {
					share = float64(n) / float64(respondents[g])
				}
				freq = append(freq, []any{rq.Question.Key, rq.Question.Label.In(lang), fr.Option.Key, fr.Option.Label.In(lang), g, groupNames[g], respondents[g], n, share})
			}
		}
	}
	if err := a.sheet("Answers", []string{"question_key", "question", "iso3", "name", "regional_groups", "answer", "reference"},
		map[int]float64{1: 18, 2: 40, 4: 30, 5: 18, 6: 90, 7: 22}, rows); err != nil {
		return err
	}
	if err := a.sheet("Frequencies", []string{"question_key", "question", "option_key", "option", "group", "group_name", "respondents", "count", "share"},
		map[int]float64{1: 18, 2: 40, 3: 18, 4: 36, 6: 40}, freq, 9); err != nil {
		return err
	}

	rows = nil
	var values [][]any
	for _, ind := range r.Indicators {
		label := ind.Label.In(lang)
		for _, ag := range ind.Aggregates {
			var median any = ""
			if ag.Rated > 0 {
				median = ag.MedianRate
			}
			var sum any = ""
			if ag.Reporting > 0 {
				sum = ag.Sum
			}
			rows = append(rows, []any{ind.Table, ind.Row, label, ind.ICCS, ag.Year, ag.Group, groupNames[ag.Group], ag.Reporting, ag.Asked, sum, median, ag.Rated})
		}
		for _, v := range ind.Values {
			src, _ := r.Source(v.Organization.Code)
			var pop, rate any = "", ""
			if x, ok := v.Rate(); ok {
				pop, rate = v.Population, x
			}
			values = append(values, []any{ind.Table, ind.Row, label, ind.ICCS, v.Organization.Code, v.Organization.Name.In(lang),
				strings.Join(v.Organization.RegionalGroups, " "), v.Year, v.Value, pop, v.PopulationSource, rate, src.Reference})
		}
	}
	if err := a.sheet("Aggregates", []string{"table", "indicator_key", "indicator", "iccs", "year", "group", "group_name", "reporting", "asked", "sum", "median_rate_per_100000", "rated"},
		map[int]float64{1: 20, 2: 20, 3: 50, 7: 40, 11: 24}, rows, 11); err != nil {
		return err
	}
	if err := a.sheet("Values", []string{"table", "indicator_key", "indicator", "iccs", "iso3", "name", "regional_groups", "year", "value", "population", "population_source", "rate_per_100000", "reference"},
		map[int]float64{1: 20, 2: 20, 3: 50, 6: 30, 7: 18, 11: 18, 12: 18, 13: 22}, values, 12); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	_, err := f.WriteTo(w)
	return err
}

func groupCodes(groups []forms.RegionalGroup) []string {
	out := make([]string, len(groups))
	for i, g := range groups {
		out[i] = g.Code
	}
	return out
}

type annex struct{ f *excelize.File }

// about fills the first sheet: what the report is.
func (a *annex) about(r *forms.Report, lang forms.Language) error {
	const s = "About"
	if err := a.f.SetSheetName("Sheet1", s); err != nil {
		return err
	}
	rows := [][2]string{
		{"Report", r.Title},
		{"Release", strconv.Itoa(r.Number)},
		{"Released", r.ReleasedAt.UTC().Format(time.RFC3339)},
		{"Released by", r.ReleasedBy},
		{"Call", r.Call.Title.In(lang) + " (" + r.Call.Reference + ")"},
		{"Mandate", r.Call.Mandate.In(lang)},
		{"For", r.Call.Body.In(lang)},
		{"Respondents", strconv.Itoa(len(r.Sources)) + " of " + strconv.Itoa(r.Call.Asked) + " asked"},
		{"Included", "accepted submissions, each at its latest version (see Sources)"},
		{"Rates", "per 100,000 inhabitants, from the population each State reported for the year, else the Office's population table (population_source: reported or office)"},
		{"Aggregates", "sums over the States reporting (coverage: reporting of asked); median of the reporting States' rates"},
	}
	for i, row := range rows {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := a.f.SetCellStr(s, cell, v); err != nil {
				return err
			}
		}
	}
	if err := a.f.SetColWidth(s, "A", "A", 16); err != nil {
		return err
	}
	return a.f.SetColWidth(s, "B", "B", 100)
}

// sheet writes a sheet of rows under a bold, frozen header with filters,
// streamed; the columns listed in rateCols (1-based) get two decimals, or
// a percentage when their header is "share".
func (a *annex) sheet(name string, header []string, widths map[int]float64, rows [][]any, rateCols ...int) error {
	if _, err := a.f.NewSheet(name); err != nil {
		return err
	}
	sw, err := a.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	for col, wd := range widths {
		if err := sw.SetColWidth(col, col, wd); err != nil {
			return err
		}
	}
	bold, err := a.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF4"}}})
	if err != nil {
		return err
	}
	twoDecimals := "0.00"
	rate, err := a.f.NewStyle(&excelize.Style{CustomNumFmt: &twoDecimals})
	if err != nil {
		return err
	}
	pct, err := a.f.NewStyle(&excelize.Style{NumFmt: 9}) // 0%
	if err != nil {
		return err
	}
	head := make([]any, len(header))
	for i, h := range header {
		head[i] = excelize.Cell{Value: h, StyleID: bold}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	for i, r := range rows {
		for _, c := range rateCols {
			if v, ok := r[c-1].(float64); ok {
				style := rate
				if header[c-1] == "share" {
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
	if len(rows) > 0 {
		last, _ := excelize.CoordinatesToCellName(len(header), len(rows)+1)
		if err := sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: name, StyleName: "TableStyleLight1"}); err != nil {
			return err
		}
	}
	return sw.Flush()
}
