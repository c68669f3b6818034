package storage_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

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

// TestFindPopulations: the population table's page is filtered, ordered by
// the State's name in the reader's language and paged by the database; a
// search finds a State by its code or by its name in any language, in any
// case and without its accents; a page past the last one still counts.
func TestFindPopulations(t *testing.T) {
	s, _ := storeWithDB(t)
	ctx := context.Background()
	var rows []forms.Population
	for _, code := range []string{"AUT", "EGY", "ARE", "DEU", "CIV", "MEX"} {
		rows = append(rows, forms.Population{Code: code, Year: 2024, Population: 10_000_000, Source: "UN WPP 2024"})
	}
	rows = append(rows, forms.Population{Code: "AUT", Year: 2023, Population: 9_100_000, Source: "Statistik Austria"})
	if err := s.SavePopulations(ctx, rows, forms.Actor{Label: "analyst@unodc.org"}); err != nil {
		t.Fatal(err)
	}
	find := func(f forms.PopulationFilter) (got []string, total int) {
		t.Helper()
		page, err := s.FindPopulations(ctx, f)
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		for _, r := range page.Rows {
			got = append(got, r.State.Code+"/"+strconv.Itoa(r.Year))
		}
		return got, page.Total
	}
	for _, tc := range []struct {
		name  string
		f     forms.PopulationFilter
		want  []string
		total int
	}{
		{"English order", forms.PopulationFilter{Lang: forms.English},
			[]string{"AUT/2023", "AUT/2024", "CIV/2024", "EGY/2024", "DEU/2024", "MEX/2024", "ARE/2024"}, 7},
		{"French order", forms.PopulationFilter{Lang: forms.French},
			[]string{"DEU/2024", "AUT/2023", "AUT/2024", "CIV/2024", "EGY/2024", "ARE/2024", "MEX/2024"}, 7},
		{"a code", forms.PopulationFilter{Search: "deu", Lang: forms.English}, []string{"DEU/2024"}, 1},
		{"a French name", forms.PopulationFilter{Search: " ALLEMAGNE ", Lang: forms.English}, []string{"DEU/2024"}, 1},
		{"without accents", forms.PopulationFilter{Search: "egypte", Lang: forms.French}, []string{"EGY/2024"}, 1},
		{"a straight apostrophe", forms.PopulationFilter{Search: "cote d'ivoire", Lang: forms.English}, []string{"CIV/2024"}, 1},
		{"an Arabic name with a vowel mark", forms.PopulationFilter{Search: "مِصر", Lang: forms.Arabic}, []string{"EGY/2024"}, 1},
		{"a Russian name in another case", forms.PopulationFilter{Search: "ГЕРМАНИЯ", Lang: forms.Russian}, []string{"DEU/2024"}, 1},
		{"a Chinese name", forms.PopulationFilter{Search: "德国", Lang: forms.Chinese}, []string{"DEU/2024"}, 1},
		{"a year", forms.PopulationFilter{Year: 2023, Lang: forms.English}, []string{"AUT/2023"}, 1},
		{"a name and a year", forms.PopulationFilter{Search: "autriche", Year: 2024, Lang: forms.English}, []string{"AUT/2024"}, 1},
		{"nothing", forms.PopulationFilter{Search: "atlantis", Lang: forms.English}, nil, 0},
		{"a wildcard is a character", forms.PopulationFilter{Search: "%", Lang: forms.English}, nil, 0},
		{"the second page", forms.PopulationFilter{Lang: forms.English, Offset: 3, Limit: 3}, []string{"EGY/2024", "DEU/2024", "MEX/2024"}, 7},
		{"the last page", forms.PopulationFilter{Lang: forms.English, Offset: 6, Limit: 3}, []string{"ARE/2024"}, 7},
		{"past the last page", forms.PopulationFilter{Search: "a", Lang: forms.English, Offset: 30, Limit: 3}, nil, 4}, // Austria twice, the Emirates, Germany
	} {
		got, total := find(tc.f)
		if diff := cmp.Diff(tc.want, got); diff != "" || total != tc.total {
			t.Errorf("%s: %d in all, want %d; rows (-want +got):\n%s", tc.name, total, tc.total, diff)
		}
	}
	page, err := s.FindPopulations(ctx, forms.PopulationFilter{Search: "AUT", Year: 2023, Lang: forms.Russian})
	if err != nil || len(page.Rows) != 1 {
		t.Fatalf("%+v, %v", page, err)
	}
	r := page.Rows[0]
	if r.State.Name.In(forms.Russian) != "Австрия" || r.Population != 9_100_000 || r.Source != "Statistik Austria" ||
		r.UpdatedBy != "analyst@unodc.org" || time.Since(r.UpdatedAt) > time.Hour || r.UpdatedAt.Location() != time.UTC {
		t.Errorf("row %+v", r)
	}
	// Every language's order is one the database has.
	for _, l := range forms.Languages {
		if _, err := s.FindPopulations(ctx, forms.PopulationFilter{Lang: l, Limit: 1}); err != nil {
			t.Errorf("%s: %v", l, err)
		}
	}
}
