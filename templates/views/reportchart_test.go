package views

import (
	"encoding/xml"
	"strconv"
	"strings"
	"testing"

	"portal/forms"
	"portal/templates/words"
)

// The annex's chart of an indicator parses, carries its title, and plots
// each group's pooled rate (the sum of counts over the sum of populations
// of its reporting States) with the median of their rates.
func TestReportGroupChart(t *testing.T) {
	cat, err := words.Load()
	if err != nil {
		t.Fatal(err)
	}
	v := func(n int64) *int64 { return &n }
	r := &forms.Report{
		Groups: []forms.RegionalGroup{{Code: "WEOG", Name: forms.Names{En: "Western European and Others Group"}}, {Code: "AFRICAN", Name: forms.Names{En: "African Group"}}},
		Sources: []forms.ReportSource{
			{Organization: forms.Organization{Code: "AUT", RegionalGroups: []string{"WEOG"}}},
			{Organization: forms.Organization{Code: "DEU", RegionalGroups: []string{"WEOG"}}},
			{Organization: forms.Organization{Code: "KEN", RegionalGroups: []string{"AFRICAN"}}},
		},
		Indicators: []forms.ReportIndicator{{Table: "police_offences", Row: "homicide", Label: forms.Text{forms.English: "Intentional homicide"}, Years: []int{2023},
			Aggregates: []forms.Aggregate{
				{Group: "WEOG", Year: 2023, Reporting: 2, Asked: 29, Rated: 2, MedianRate: 0.8},
				{Group: "AFRICAN", Year: 2023, Reporting: 1, Asked: 54, Rated: 1, MedianRate: 5},
				{Group: "", Year: 2023, Reporting: 3, Asked: 193, Rated: 3, MedianRate: 0.9},
			},
			States: []forms.ReportSeriesRow{
				{Source: "AUT", Values: []*int64{v(80)}, Population: []int64{9_000_000}},
				{Source: "DEU", Values: []*int64{v(700)}, Population: []int64{84_000_000}},
				{Source: "KEN", Values: []*int64{v(2700)}, Population: []int64{54_000_000}},
			}}},
	}
	for _, lang := range []forms.Language{forms.English, forms.Arabic} {
		p := NewReport(cat.Text(lang), r)
		ind := p.Indicators[0]
		svg := string(ind.Chart)
		if !strings.Contains(svg, "<title") || !strings.Contains(svg, "2023") {
			t.Errorf("%s: no title: %.200s", lang, svg)
		}
		dec := xml.NewDecoder(strings.NewReader(svg))
		got, medians := map[string]float64{}, map[string]float64{}
		for {
			tok, err := dec.Token()
			if err != nil {
				if err.Error() != "EOF" {
					t.Fatalf("%s: the chart does not parse: %v", lang, err)
				}
				break
			}
			if e, ok := tok.(xml.StartElement); ok {
				var label, value, class string
				for _, a := range e.Attr {
					switch a.Name.Local {
					case "data-label":
						label = a.Value
					case "data-value":
						value = a.Value
					case "class":
						class = a.Value
					}
				}
				if label != "" && value != "" {
					x, _ := strconv.ParseFloat(value, 64)
					if class == "chart-second" {
						medians[label] = x
					} else {
						got[label] = x
					}
				}
			}
		}
		weog := cat.Text(lang).T("statistics.world")
		want := map[string]float64{
			"Western European and Others Group": float64(80+700) * 100000 / float64(9_000_000+84_000_000),
			"African Group":                     2700 * 100000 / 54_000_000.0,
			weog:                                float64(80+700+2700) * 100000 / float64(9_000_000+84_000_000+54_000_000),
		}
		if lang == forms.Arabic {
			continue // the groups' names are in English here; the world's is translated
		}
		if medians["African Group"] != 5 || medians["Western European and Others Group"] != 0.8 {
			t.Errorf("medians: %v", medians)
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s: %s plotted %v, want %v (all: %v)", lang, k, got[k], w, got)
			}
		}
	}
}

// TestReportAggregatesTable: an indicator's aggregates over several years
// (each group's years in turn, as the store gives them) make one row per
// year with a cell per group, in the groups' order; and a figure from the
// Office's series links to its past source, marked.
func TestReportAggregatesTable(t *testing.T) {
	cat, err := words.Load()
	if err != nil {
		t.Fatal(err)
	}
	v := func(n int64) *int64 { return &n }
	years := []int{2020, 2021, 2022, 2023, 2024}
	var aggs []forms.Aggregate
	for _, g := range []string{"WEOG", "AFRICAN", ""} {
		for _, y := range years {
			aggs = append(aggs, forms.Aggregate{Group: g, Year: y, Reporting: 1, Asked: 2, Sum: int64(y)})
		}
	}
	r := &forms.Report{
		Groups:  []forms.RegionalGroup{{Code: "WEOG"}, {Code: "AFRICAN"}},
		Sources: []forms.ReportSource{{Organization: forms.Organization{Code: "AUT", RegionalGroups: []string{"WEOG"}}, Reference: "R-AUT-1"}},
		Past:    []forms.ReportPast{{Origin: forms.OriginImported, Reference: "IMP-2026-0001", Source: "CTS"}},
		Areas:   []forms.Organization{{Code: "KEN", Name: forms.Names{En: "Kenya"}, RegionalGroups: []string{"AFRICAN"}}},
		Indicators: []forms.ReportIndicator{{Table: "t", Row: "r", Years: years, Aggregates: aggs, States: []forms.ReportSeriesRow{
			{Source: "AUT", Values: []*int64{nil, nil, nil, nil, v(80)}, Population: make([]int64, 5)},
			{Source: "KEN", Values: []*int64{nil, nil, nil, nil, v(90)}, Population: make([]int64, 5), From: []int{0, 0, 0, 0, 1}},
		}}},
	}
	p := NewReport(cat.Text(forms.English), r)
	ind := p.Indicators[0]
	if len(ind.Years) != len(years) || len(ind.Heads) != 3 {
		t.Fatalf("%d years, heads %v", len(ind.Years), ind.Heads)
	}
	for _, y := range ind.Years {
		if len(y.Cells) != 3 || y.Cells[0].Sum != strconv.Itoa(y.Year)[:1]+","+strconv.Itoa(y.Year)[1:] {
			t.Errorf("%d: cells %+v", y.Year, y.Cells)
		}
	}
	if len(ind.States) != 2 || ind.States[0].Past || !ind.States[1].Past || ind.States[1].Anchor != "past-1" || ind.States[1].Reference != "IMP-2026-0001" ||
		ind.States[1].Name != "Kenya" || ind.States[0].Reference != "R-AUT-1" {
		t.Errorf("States: %+v", ind.States)
	}
	if len(p.Past) != 1 || p.Past[0].What != "imported" || p.Past[0].Source != "CTS" {
		t.Errorf("past sources: %+v", p.Past)
	}
}
