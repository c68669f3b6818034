package storage_test

import (
	"context"
	"testing"

	"portal/forms"
	"portal/forms/synthetic"
)

// TestOfficePopulations: a State that reported no population gets its
// rates from the Office's table, marked as such, and counts in the median
// rate; a State's own figure always wins over the table's; uploading the
// same State and year again replaces the figure.
func TestOfficePopulations(t *testing.T) {
	s, _ := storeWithDB(t)
	ctx := context.Background()
	call, q := crimeStatsCall(t, s, "pop", []int{2024, 2025})
	acceptSynthetic(t, s, call, q, "DEU")
	// Mexico says its population is not available.
	mex := orgRef(t, s, "MEX")
	a := synthetic.Statistics(q, call.Years, "MEX")
	for ref := range a.Cells {
		if ref.Question == "population_by_year" {
			a.Cells[ref] = forms.Cell{State: forms.CellNotAvailable}
		}
	}
	submitAndAccept(t, s, call, q, mex, forms.Edit{Fields: a.Fields(), Answers: a})
	ind := forms.Series{Question: "police_offences", Row: "homicide", Category: "total"}
	before, _ := s.Aggregates(ctx, call, ind, false)

	actor := forms.Actor{Label: "analyst"}
	if err := s.SavePopulations(ctx, []forms.Population{{Code: "MEX", Year: 2024, Population: 1, Source: "first"}}, actor); err != nil {
		t.Fatal(err)
	}
	if err := s.SavePopulations(ctx, []forms.Population{
		{Code: "MEX", Year: 2024, Population: 129_000_000, Source: "UN WPP 2024"},
		{Code: "MEX", Year: 2025, Population: 130_000_000, Source: "UN WPP 2024"},
		{Code: "DEU", Year: 2024, Population: 1, Source: "never used"},
	}, actor); err != nil {
		t.Fatal(err)
	}
	if err := s.SavePopulations(ctx, []forms.Population{{Code: "XXX", Year: 2024, Population: 5, Source: "x"}}, actor); forms.KindOf(err) != forms.KindInvalid {
		t.Fatalf("a population of no State: %v, want KindInvalid", err)
	}
	sum, err := s.PopulationSummary(ctx)
	if err != nil || sum.Rows != 3 || sum.States != 2 || sum.FirstYear != 2024 || sum.LastYear != 2025 || sum.UpdatedBy != "analyst" {
		t.Fatalf("summary %+v, %v", sum, err)
	}
	series, err := s.Series(ctx, call, ind, false)
	if err != nil {
		t.Fatal(err)
	}
	deu := synthetic.Statistics(q, call.Years, "DEU")
	for _, v := range series {
		switch v.Organization.Code {
		case "MEX":
			want := map[int]int64{2024: 129_000_000, 2025: 130_000_000}[v.Year]
			if v.Population != want || v.PopulationSource != forms.PopulationOffice {
				t.Errorf("Mexico %d: population %d from %q, want %d from the Office", v.Year, v.Population, v.PopulationSource, want)
			}
		case "DEU":
			want := deu.Cells[forms.CellRef{Question: "population_by_year", Row: "population", Year: v.Year, Category: "total"}].Value
			if v.Population != want || v.PopulationSource != forms.PopulationReported {
				t.Errorf("Germany %d: population %d from %q, want its own %d", v.Year, v.Population, v.PopulationSource, want)
			}
		}
	}
	after, _ := s.Aggregates(ctx, call, ind, false)
	for i := range after {
		if after[i].Group == "" && after[i].Rated != before[i].Rated+1 {
			t.Errorf("world %d: %d rated States, want %d (Mexico now has a population)", after[i].Year, after[i].Rated, before[i].Rated+1)
		}
	}
}
