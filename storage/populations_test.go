package storage_test

import (
	"context"
	"strconv"
	"strings"
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

// TestPopulationUploads: every upload is recorded with its kind, file and
// rows, and marks the figures it gives; a figure replaced goes to the
// history with the upload that had given it; a figure given again unchanged
// keeps no history; a WPP file's rows for areas that are not States of the
// directory (an aggregate, a territory, an unknown code) are not stored.
func TestPopulationUploads(t *testing.T) {
	s, db := storeWithDB(t)
	ctx := context.Background()
	actor := forms.Actor{Label: "analyst@unodc.org"}
	first, err := s.SavePopulationUpload(ctx, forms.PopulationUpload{Kind: forms.PopulationUploadTable, FileName: "pop.csv"},
		[]forms.Population{{Code: "MEX", Year: 2024, Population: 129_000_000, Source: "INEGI"}, {Code: "AUT", Year: 2024, Population: 9_100_000, Source: "INEGI"}}, actor, nil)
	if err != nil {
		t.Fatal(err)
	}
	var kind, file, by string
	var rows int
	if err := db.QueryRow(`SELECT kind, file_name, rows, uploaded_by FROM population_uploads WHERE id = $1`, first).Scan(&kind, &file, &rows, &by); err != nil ||
		kind != "table" || file != "pop.csv" || rows != 2 || by != actor.Label {
		t.Fatalf("upload %d: %q %q %d %q, %v", first, kind, file, rows, by, err)
	}

	orgs, err := s.Organizations(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, o := range orgs {
		if o.IsState() && o.M49 != "" {
			states[o.M49] = o.Code
		}
	}
	if states["484"] != "MEX" || states["040"] != "AUT" {
		t.Fatalf("M49 of Mexico and Austria: %q %q", states["484"], states["040"])
	}
	w := forms.NewWPPFigures("WPP 2024", states)
	w.Add(10, "484", 2024, 130_861_007, "", "", "")
	w.Add(11, "484", 2025, 131_946_900, "", "", "")
	w.Add(12, "040", 2024, 9_100_000, "", "", "")     // unchanged, but now from the WPP
	w.Add(13, "900", 2024, 8_161_972_572, "", "", "") // the world
	w.Add(14, "344", 2024, 7_414_909, "", "", "")     // Hong Kong, a territory
	w.Add(15, "999", 2024, 1_000, "", "", "")         // no area at all
	if problems, n := w.Done(); n != 0 || w.Skipped != 3 || w.States != 2 || len(w.Figures) != 3 {
		t.Fatalf("problems %v (%d), skipped %d, States %d, figures %+v", problems, n, w.Skipped, w.States, w.Figures)
	}
	second, err := s.SavePopulationUpload(ctx, forms.PopulationUpload{Kind: forms.PopulationUploadWPP, FileName: "WPP2024.csv.gz"}, w.Figures, actor,
		map[string]string{"skipped": strconv.Itoa(w.Skipped)})
	if err != nil {
		t.Fatal(err)
	}
	var stored int
	if err := db.QueryRow(`SELECT count(*) FROM populations WHERE upload_id = $1`, second).Scan(&stored); err != nil || stored != 3 {
		t.Fatalf("%d figures of the WPP upload, want 3: %v", stored, err)
	}
	var details string
	if err := db.QueryRow(`SELECT details::text FROM audit_events WHERE action = 'populations.saved' ORDER BY id DESC LIMIT 1`).Scan(&details); err != nil ||
		!strings.Contains(details, `"kind": "wpp"`) || !strings.Contains(details, `"skipped": "3"`) || !strings.Contains(details, `"rows": "3"`) {
		t.Errorf("audit details %s, %v", details, err)
	}

	page, err := s.FindPopulations(ctx, forms.PopulationFilter{Lang: forms.English})
	if err != nil || page.Total != 3 {
		t.Fatalf("%+v, %v", page, err)
	}
	got := map[string]forms.PopulationRow{}
	for _, r := range page.Rows {
		got[r.State.Code+"/"+strconv.Itoa(r.Year)] = r
	}
	mex := got["MEX/2024"]
	if mex.Population != 130_861_007 || mex.Upload.ID != second || mex.Upload.Kind != "wpp" || mex.Upload.FileName != "WPP2024.csv.gz" ||
		mex.Upload.Rows != 3 || mex.Upload.UploadedBy != actor.Label || mex.Replaced != 1 || len(mex.History) != 1 {
		t.Fatalf("Mexico 2024: %+v", mex)
	}
	h := mex.History[0]
	if h.Population != 129_000_000 || h.Source != "INEGI" || h.Upload.ID != first || h.Upload.Kind != "table" || h.Upload.FileName != "pop.csv" ||
		h.UpdatedBy != actor.Label || h.ReplacedAt.Before(h.UpdatedAt) {
		t.Errorf("Mexico 2024's earlier figure: %+v", h)
	}
	if aut := got["AUT/2024"]; aut.Replaced != 1 || aut.Upload.ID != second || aut.History[0].Source != "INEGI" {
		t.Errorf("Austria 2024 (its source changed): %+v", aut)
	}
	if r := got["MEX/2025"]; r.Replaced != 0 || len(r.History) != 0 || r.Upload.ID != second {
		t.Errorf("Mexico 2025: %+v", r)
	}
	// The same figure and source again: the table marks the new upload, the
	// history stays as it was.
	third, err := s.SavePopulationUpload(ctx, forms.PopulationUpload{Kind: forms.PopulationUploadWPP, FileName: "again.csv"},
		[]forms.Population{{Code: "MEX", Year: 2025, Population: 131_946_900, Source: "WPP 2024"}}, actor, nil)
	if err != nil {
		t.Fatal(err)
	}
	var hist int
	if err := db.QueryRow(`SELECT count(*) FROM population_history`).Scan(&hist); err != nil || hist != 2 {
		t.Errorf("%d figures in the history, want 2: %v", hist, err)
	}
	all, err := s.Populations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		if p.Code == "MEX" && p.Year == 2025 && (p.UploadKind != "wpp" || p.FileName != "again.csv") {
			t.Errorf("Mexico 2025 in the download: %+v (upload %d)", p, third)
		}
	}
	// A figure of no State: nothing is stored, not even the upload.
	var uploads int
	if _, err := s.SavePopulationUpload(ctx, forms.PopulationUpload{Kind: forms.PopulationUploadWPP},
		[]forms.Population{{Code: "XXX", Year: 2024, Population: 5, Source: "x"}}, actor, nil); forms.KindOf(err) != forms.KindInvalid {
		t.Errorf("a figure of no State: %v", err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM population_uploads`).Scan(&uploads); err != nil || uploads != 3 {
		t.Errorf("%d uploads, want 3: %v", uploads, err)
	}
}
