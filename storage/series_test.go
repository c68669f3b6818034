package storage_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"testing"
	"time"

	"portal/forms"
	"portal/forms/definition"
	"portal/storage"
)

const homicide = "offences/iccs-0101"

func library(t testing.TB) []*forms.Questionnaire {
	t.Helper()
	lib, err := definition.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return lib.All()
}

// allSources are the cells of every series of every built-in questionnaire.
func allSources(t testing.TB) ([]forms.SeriesSource, []forms.SeriesCell) {
	var codes []string
	var cells []forms.SeriesCell
	qs := library(t)
	for _, q := range qs {
		for _, c := range q.SeriesCells() {
			codes = append(codes, c.Code)
			cells = append(cells, c)
		}
	}
	return forms.SeriesSources(qs, codes...), cells
}

// stage stores rows as an upload.
func stage(t testing.TB, s *storage.Store, name string, rows []forms.ImportRow) string {
	t.Helper()
	token, err := s.StageImport(context.Background(), name, fmt.Sprintf("%064x", len(rows)), "analyst", func(put func(forms.ImportRow) error) error {
		for _, r := range rows {
			if err := put(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func count(t testing.TB, db *sql.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func row(line int, area, category, unit string, year int, value string) forms.ImportRow {
	return forms.ImportRow{Line: line, Area: area, AreaName: area, Indicator: "Offences", Dimension: "by type of offence", Category: category,
		Sex: "Total", Age: "Total", Unit: unit, Year: year, Value: value, Source: "CTS"}
}

// figureOf returns the current figure of an area and year, and the
// history behind it.
func figureOf(t testing.TB, s *storage.Store, area string, year int) (cur forms.Figure, history []forms.Figure) {
	t.Helper()
	ctx := context.Background()
	areas, err := s.Areas(ctx)
	if err != nil {
		t.Fatal(err)
	}
	qs := library(t)
	fs, err := s.Figures(ctx, forms.SeriesQuery{Codes: []string{homicide}, Sources: forms.SeriesSources(qs, homicide), History: true}, areas)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Area == area && f.Year == year {
			if f.Current {
				cur = f
			} else {
				history = append(history, f)
			}
		}
	}
	return cur, history
}

// TestImportLifecycle: each row's fate in the dry run, which stores
// nothing; the confirmation; the same file again changes nothing; a
// second import changes a figure; withdrawals restore the earlier state.
func TestImportLifecycle(t *testing.T) {
	s, db := storeWithDB(t)
	ctx := context.Background()
	call, q := crimeStatsCall(t, s, "hist", []int{2021, 2022, 2023})
	acceptSynthetic(t, s, call, q, "AUT")
	actor := forms.Actor{Label: "analyst"}
	if err := s.SaveMappings(ctx, []forms.SeriesMapping{
		{Description: forms.Description{Indicator: "Offences", Dimension: "by type of offence", Category: "Intentional homicide", Sex: "Total", Age: "Total"}, Series: homicide},
		{Description: forms.Description{Indicator: "Offences", Dimension: "by type of offence", Category: "Cybercrime", Sex: "Total", Age: "Total"}},
	}, actor); err != nil {
		t.Fatal(err)
	}
	if err := s.SavePopulations(ctx, []forms.Population{{Code: "AUT", Year: 2020, Population: 8_900_000, Source: "WPP"}}, actor); err != nil {
		t.Fatal(err)
	}
	hom := "Intentional homicide"
	rows := []forms.ImportRow{
		row(10, "AUT", hom, "Counts", 2020, "50"),
		row(11, "AUT", hom, "Counts", 2021, "55"),
		row(12, "AUT", hom, "Rate per 100,000 population", 2020, "0.56"),
		row(13, "GBR_E_W", hom, "Counts", 2020, "500"),
		row(14, "GBR_S", hom, "Counts", 2020, "60"),
		row(15, "GBR_NI", hom, "Counts", 2020, "20"),
		row(16, "PRI", hom, "Counts", 2020, "30"),
		row(17, "XYZ", hom, "Counts", 2020, "3"),
		row(18, "AUT", "Cybercrime", "Counts", 2020, "7"),
		row(19, "AUT", "Theft", "Counts", 2020, "7000"),
		row(20, "AUT", hom, "Counts", 2020, "50"),
		row(21, "AUT", hom, "Counts", 2019, "40"),
		row(22, "AUT", hom, "Counts", 2019, "41"),
		{Line: 23, Area: "AUT", Indicator: "Offences", Unit: "Counts", Problem: "year"},
		row(24, "DEU", hom, "Counts", 2020, "123.5"),
		row(25, "AUT", hom, "Rate per 100,000 population", 2019, "0.45"),
	}
	rows[14].Estimate = true
	sources, cells := allSources(t)
	token := stage(t, s, "cts.csv", rows)
	p, err := s.PlanImport(ctx, token, sources, cells, 50)
	if err != nil {
		t.Fatal(err)
	}
	fates := map[int]string{}
	for fate, ex := range p.Examples {
		for _, r := range ex {
			fates[r.Line] = fate + "/" + r.Reason + "/" + r.Before
		}
	}
	subAUT2021 := ""
	if cur, _ := figureOf(t, s, "AUT", 2021); cur.Origin == forms.OriginAccepted {
		subAUT2021 = cur.Exact
	} else {
		t.Fatalf("AUT 2021 before the import: %+v", cur)
	}
	for line, want := range map[int]string{
		10: "new//", 11: "behind//" + subAUT2021, 12: "rate//", 13: "new//", 14: "new//", 15: "new//", 16: "new//",
		17: "refused/area/", 18: "ignored//", 19: "refused/unmapped/", 20: "repeat//", 21: "new//", 22: "refused/contradicts/",
		23: "refused/year/", 24: "new//", 25: "rate//",
	} {
		if fates[line] != want {
			t.Errorf("line %d: %q, want %q", line, fates[line], want)
		}
	}
	if p.Changes() != 8 || p.Read != 16 || p.Refused["contradicts"] != 1 {
		t.Errorf("plan: %d changes of %d read, refused %v", p.Changes(), p.Read, p.Refused)
	}
	if len(p.Unmapped) != 1 || p.Unmapped[0].Category != "Theft" || p.Unmapped[0].Suggested != "offences/iccs-0502" {
		t.Errorf("unmapped: %+v", p.Unmapped)
	}
	// The rate of 2020 agrees with 50 over 8.9 million (0.56); that of
	// 2019 has no population to be checked against.
	if p.RateChecks.Checked != 1 || p.RateChecks.Differ != 0 {
		t.Errorf("rate checks: %+v", p.RateChecks)
	}
	if n := count(t, db, "imported_figures") + count(t, db, "series_imports"); n != 0 {
		t.Fatalf("the dry run stored %d rows", n)
	}

	imp, err := s.ConfirmImport(ctx, token, sources, actor)
	if err != nil {
		t.Fatal(err)
	}
	if imp.Figures != 8 || imp.Refused != 4 || imp.Taken != 9 {
		t.Errorf("import: %+v", imp)
	}
	cur, _ := figureOf(t, s, "AUT", 2020)
	if cur.Exact != "50" || cur.Origin != forms.OriginImported || cur.Reference != imp.Reference || cur.Source != "CTS" {
		t.Errorf("AUT 2020: %+v", cur)
	}
	cur, hist := figureOf(t, s, "AUT", 2021)
	if cur.Origin != forms.OriginAccepted || len(hist) != 1 || hist[0].Exact != "55" || hist[0].Origin != forms.OriginImported {
		t.Errorf("AUT 2021: the accepted submission counts, the import is history: %+v %+v", cur, hist)
	}
	if cur, _ := figureOf(t, s, "GBR", 2020); cur.Value != 580 || cur.Origin != forms.OriginParts {
		t.Errorf("the United Kingdom's parts cover it: %+v", cur)
	}
	if cur, _ := figureOf(t, s, "DEU", 2020); cur.Exact != "123.5" || !cur.Estimate {
		t.Errorf("an estimate is kept as given: %+v", cur)
	}
	if cur, _ := figureOf(t, s, "PRI", 2020); cur.Exact != "30" {
		t.Errorf("a territory: %+v", cur)
	}

	// The same file again changes nothing.
	token = stage(t, s, "cts.csv", rows)
	if p, err = s.PlanImport(ctx, token, sources, cells, 50); err != nil {
		t.Fatal(err)
	}
	if p.Changes() != 0 || p.Fates[forms.FateUnchanged] != 8 {
		t.Errorf("again: %v", p.Fates)
	}
	if _, err := s.ConfirmImport(ctx, token, sources, actor); forms.KindOf(err) != forms.KindConflict {
		t.Errorf("importing the same file twice: %v", err)
	}
	if n := count(t, db, "series_imports"); n != 1 {
		t.Errorf("%d imports", n)
	}

	// A correction, then its withdrawal, then the first one's.
	token = stage(t, s, "fix.csv", []forms.ImportRow{row(2, "AUT", hom, "Counts", 2020, "52")})
	if p, err = s.PlanImport(ctx, token, sources, cells, 50); err != nil {
		t.Fatal(err)
	}
	if ex := p.Examples[forms.FateChanges]; len(ex) != 1 || ex[0].Before != "50" || ex[0].Value != "52" {
		t.Errorf("changes: %+v", ex)
	}
	fix, err := s.ConfirmImport(ctx, token, sources, actor)
	if err != nil {
		t.Fatal(err)
	}
	if cur, hist := figureOf(t, s, "AUT", 2020); cur.Exact != "52" || len(hist) != 1 || hist[0].Exact != "50" {
		t.Errorf("after the correction: %+v %+v", cur, hist)
	}
	if again, err := s.ConfirmImport(ctx, token, sources, actor); err != nil || !again.Already || again.Reference != fix.Reference {
		t.Errorf("a second click: %+v %v", again, err)
	}
	if _, err := s.WithdrawImport(ctx, fix.Reference, actor); err != nil {
		t.Fatal(err)
	}
	if cur, _ := figureOf(t, s, "AUT", 2020); cur.Exact != "50" {
		t.Errorf("withdrawing the correction restores 50: %+v", cur)
	}
	if _, err := s.WithdrawImport(ctx, imp.Reference, actor); err != nil {
		t.Fatal(err)
	}
	if cur, _ := figureOf(t, s, "AUT", 2020); cur.Exact != "" {
		t.Errorf("withdrawing both leaves nothing: %+v", cur)
	}
	if already, err := s.WithdrawImport(ctx, imp.Reference, actor); err != nil || !already {
		t.Errorf("withdrawing twice: %v %v", already, err)
	}
	if _, err := s.WithdrawImport(ctx, "IMP-2000-0001", actor); forms.KindOf(err) != forms.KindNotFound {
		t.Errorf("withdrawing no import: %v", err)
	}
}

// TestSeriesAggregates: the aggregates of a series over the world, the
// M49 regions and sub-regions and the UN regional groups, from submitted
// and imported figures together, equal those plain SQL computes from the
// same figures.
func TestSeriesAggregates(t *testing.T) {
	s, db := storeWithDB(t)
	ctx := context.Background()
	call, q := crimeStatsCall(t, s, "aggs", []int{2022})
	submitted := []string{"AUT", "KEN", "BRA", "JPN"}
	acceptSynthetic(t, s, call, q, submitted...)
	actor := forms.Actor{Label: "analyst"}
	if err := s.SaveMappings(ctx, []forms.SeriesMapping{{Description: forms.Description{Indicator: "Offences", Dimension: "by type of offence", Category: "Intentional homicide", Sex: "Total", Age: "Total"}, Series: homicide}}, actor); err != nil {
		t.Fatal(err)
	}
	var rows []forms.ImportRow
	var pops []forms.Population
	for i, code := range []string{"DEU", "FRA", "NGA", "EGY", "CHN", "IND", "ARG", "POL", "TUR", "AUT"} {
		rows = append(rows, row(i+2, code, "Intentional homicide", "Counts", 2022, strconv.Itoa(100+37*i)))
		pops = append(pops, forms.Population{Code: code, Year: 2022, Population: int64(5_000_000 + 3_000_000*i), Source: "WPP"})
	}
	rows = append(rows, row(40, "GBR_E_W", "Intentional homicide", "Counts", 2022, "600"), row(41, "GBR_S", "Intentional homicide", "Counts", 2022, "50"),
		row(42, "GBR_NI", "Intentional homicide", "Counts", 2022, "20"))
	pops = append(pops, forms.Population{Code: "GBR", Year: 2022, Population: 67_000_000, Source: "WPP"})
	if err := s.SavePopulations(ctx, pops, actor); err != nil {
		t.Fatal(err)
	}
	sources, cells := allSources(t)
	if _, err := s.ConfirmImport(ctx, stage(t, s, "agg.csv", rows), sources, actor); err != nil {
		t.Fatal(err)
	}
	areas, err := s.Areas(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_ = cells
	qs := library(t)
	figures, err := s.Figures(ctx, forms.SeriesQuery{Codes: []string{homicide}, Sources: forms.SeriesSources(qs, homicide)}, areas)
	if err != nil {
		t.Fatal(err)
	}
	reported, err := s.Figures(ctx, forms.SeriesQuery{Codes: []string{forms.PopulationSeries}, Sources: forms.SeriesSources(qs, forms.PopulationSeries)}, areas)
	if err != nil {
		t.Fatal(err)
	}
	office, _ := s.Populations(ctx)
	popsUsed := forms.PopulationsUsed(reported, office)
	got := forms.AggregateFigures(figures, areas, popsUsed, []int{2022}, nil)

	// The same by plain SQL: the figures as a table (the current ones the
	// test knows: the submissions' own, the imports' for the others, the
	// United Kingdom as the sum of its parts), the populations likewise.
	if _, err := db.Exec(`CREATE TEMP TABLE fig (code text, value float8, pop float8)`); err != nil {
		t.Fatal(err)
	}
	for _, f := range figures {
		if !f.Current || areas[f.Area].Kind != forms.AreaState {
			continue
		}
		var pop sql.NullFloat64
		if p := popsUsed[forms.PopulationKey{Area: f.Area, Year: 2022}]; p.Value > 0 {
			pop = sql.NullFloat64{Float64: float64(p.Value), Valid: true}
		}
		if _, err := db.Exec(`INSERT INTO fig VALUES ($1, $2, $3)`, f.Area, f.Value, pop); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, db, "fig"); n != 14 {
		t.Fatalf("%d States with a figure, want 4 submitted + 9 imported + the United Kingdom", n)
	}
	rs, err := db.Query(`
		WITH sets AS (
		    SELECT 'world' AS kind, '' AS code, o.code AS state FROM organizations o WHERE o.kind = 'member_state'
		    UNION ALL SELECT 'region', o.region_code, o.code FROM organizations o WHERE o.kind = 'member_state'
		    UNION ALL SELECT 'subregion', o.subregion_code, o.code FROM organizations o WHERE o.kind = 'member_state'
		    UNION ALL SELECT 'group', m.group_code, o.code FROM organizations o JOIN regional_group_members m ON m.organization_id = o.id WHERE o.kind = 'member_state')
		SELECT s.kind, s.code, count(*), count(f.value), COALESCE(sum(f.value), 0),
		       COALESCE(percentile_cont(0.5) WITHIN GROUP (ORDER BY f.value * 100000 / f.pop) FILTER (WHERE f.pop > 0), 0),
		       COALESCE(sum(f.value) FILTER (WHERE f.pop > 0) * 100000 / sum(f.pop) FILTER (WHERE f.pop > 0), 0)
		FROM sets s LEFT JOIN fig f ON f.code = s.state GROUP BY s.kind, s.code`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	want := map[string]forms.SeriesAggregate{}
	for rs.Next() {
		var a forms.SeriesAggregate
		var kind string
		if err := rs.Scan(&kind, &a.Code, &a.Members, &a.Reporting, &a.Sum, &a.MedianRate, &a.PooledRate); err != nil {
			t.Fatal(err)
		}
		want[kind+"/"+a.Code] = a
	}
	if len(got) != len(want) || len(got) < 1+5+17+5 {
		t.Fatalf("%d aggregates, SQL has %d", len(got), len(want))
	}
	close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
	for _, a := range got {
		w := want[string(a.Kind)+"/"+a.Code]
		if a.Members != w.Members || a.Reporting != w.Reporting || !close(a.Sum, w.Sum) || !close(a.MedianRate, w.MedianRate) || !close(a.PooledRate, w.PooledRate) {
			t.Errorf("%s %s: got %+v, SQL %+v", a.Kind, a.Code, a, w)
		}
	}
	if w := want["world/"]; w.Reporting != 14 || w.Members != 193 {
		t.Errorf("world: %+v", w)
	}

}

// TestConfirmImportJob: confirming an upload is a job; two requests make
// one; once it has run the upload is an import, and asking again finds
// it; an upload that changes nothing leaves a job done and no import; an
// upload that is not there is not found.
func TestConfirmImportJob(t *testing.T) {
	s, _ := storeWithDB(t)
	ctx := context.Background()
	actor := forms.Actor{Label: "analyst"}
	if err := s.SaveMappings(ctx, []forms.SeriesMapping{{Description: forms.Description{Indicator: "Offences", Dimension: "by type of offence",
		Category: "Intentional homicide", Sex: "Total", Age: "Total"}, Series: homicide}}, actor); err != nil {
		t.Fatal(err)
	}
	rows := []forms.ImportRow{row(2, "DEU", "Intentional homicide", "Counts", 2010, "300")}
	token := stage(t, s, "first.csv", rows)
	for range 2 {
		if imp, err := s.RequestConfirmImport(ctx, token, actor); err != nil || imp.Already {
			t.Fatalf("request: %+v, %v", imp, err)
		}
	}
	if _, done, err := s.ImportOfUpload(ctx, token); err != nil || done {
		t.Fatalf("imported before the job ran: %v, %v", done, err)
	}
	lib, err := definition.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	q, err := s.NewQueue(storage.QueueConfig{Poll: 50 * time.Millisecond, Chores: time.Hour, Questionnaires: lib})
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := s.Jobs(ctx, forms.JobPending, 100)
	if err != nil || len(jobs) != 1 || jobs[0].Kind != storage.KindConfirmImport {
		t.Fatalf("jobs %+v (%v), want one confirmation", jobs, err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		q.Stop(stop)
	})
	waitJob := func(token string) forms.Job {
		t.Helper()
		for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
			job, ok, err := s.ImportRequest(ctx, token)
			if err != nil {
				t.Fatal(err)
			}
			if ok && job.State != forms.JobPending && job.State != forms.JobRunning {
				return job
			}
		}
		t.Fatal("the job did not end in 30 s")
		return forms.Job{}
	}
	if job := waitJob(token); job.State != forms.JobDone {
		t.Fatalf("job %+v", job)
	}
	imp, done, err := s.ImportOfUpload(ctx, token)
	if err != nil || !done || imp.Figures != 1 || imp.ImportedBy != "analyst" || imp.FileName != "first.csv" {
		t.Fatalf("the import: %+v, %v, %v", imp, done, err)
	}
	if again, err := s.RequestConfirmImport(ctx, token, actor); err != nil || !again.Already || again.Reference != imp.Reference {
		t.Errorf("asked again: %+v, %v", again, err)
	}
	if cur, _ := figureOf(t, s, "DEU", 2010); cur.Value != 300 || cur.Reference != imp.Reference {
		t.Errorf("DEU 2010: %+v", cur)
	}

	// The same rows again: nothing to import.
	same := stage(t, s, "again.csv", rows)
	if _, err := s.RequestConfirmImport(ctx, same, actor); err != nil {
		t.Fatal(err)
	}
	if job := waitJob(same); job.State != forms.JobDone {
		t.Fatalf("job %+v", job)
	}
	if _, done, err := s.ImportOfUpload(ctx, same); err != nil || done {
		t.Errorf("an upload that changes nothing was imported: %v, %v", done, err)
	}
	if _, err := s.RequestConfirmImport(ctx, "no-such-upload", actor); forms.KindOf(err) != forms.KindNotFound {
		t.Errorf("an unknown upload: %v", err)
	}
}
