package storage_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"portal/forms"
	"portal/forms/export"
	"portal/forms/synthetic"
	"portal/storage"

	"github.com/xuri/excelize/v2"
)

// reportQuestionnaire has a narrative and a checklist question.
var reportQuestionnaire = &forms.Questionnaire{Key: "small", Version: 1, Title: forms.Text{forms.English: "Small"},
	Sections: []forms.Section{{Key: "s", Title: forms.Text{forms.English: "S"}, Questions: []forms.Question{
		{Key: "views", Kind: forms.Narrative, Required: true, Label: forms.Text{forms.English: "Views"}},
		{Key: "threats", Kind: forms.MultipleChoice, Label: forms.Text{forms.English: "Threats"}, Other: true,
			Options: []forms.Option{{Key: "fraud", Label: forms.Text{forms.English: "Fraud"}}, {Key: "theft", Label: forms.Text{forms.English: "Theft"}}}},
	}}}}

// answerAndAccept saves the organization's answers, submits them and
// accepts them.
func answerAndAccept(t *testing.T, s *storage.Store, call forms.Call, code, views string, threats ...string) {
	t.Helper()
	a := forms.Answers{Values: map[string]forms.Answer{"views": {Text: views}, "threats": {Choices: threats}}}
	submitAndAccept(t, s, call, reportQuestionnaire, orgRef(t, s, code), forms.Edit{Fields: []string{"q/views", "q/threats"}, Answers: a})
}

// TestReportRelease: releasing needs a title; a release holds the
// accepted submissions only, each answer naming its source's version; a
// release never changes, not when a submission changes afterwards nor by
// SQL; the next release is numbered 2 and sees the change.
func TestReportRelease(t *testing.T) {
	s, db := storeWithDB(t)
	ctx := context.Background()
	call := openCall(t, s, time.Now().Add(24*time.Hour))
	q := reportQuestionnaire
	actor := forms.Actor{Label: "analyst@unodc.org"}

	if _, err := s.ReleaseReport(ctx, call, q, []*forms.Questionnaire{q}, actor); forms.KindOf(err) != forms.KindInvalid {
		t.Fatalf("a release without a title: %v, want KindInvalid", err)
	}
	answerAndAccept(t, s, call, "AUT", "Austria's views.", "fraud")
	answerAndAccept(t, s, call, "DEU", "=HYPERLINK(\"http://x\")", "fraud", "theft")
	// France submits but is not accepted: not in the report.
	fra := orgRef(t, s, "FRA")
	if _, err := s.SaveDraft(ctx, call, fra, forms.Edit{Fields: []string{"q/views"}, Answers: forms.Answers{Values: map[string]forms.Answer{"views": {Text: "France"}}}}, actor); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transition(ctx, forms.TransitionRequest{Call: call, Questionnaire: q, Organization: fra, User: focalPoint(fra), Transition: forms.TransitionSubmit, At: time.Now(), Actor: actor}); err != nil {
		t.Fatal(err)
	}

	draft := forms.ReportDraft{ReportText: forms.ReportText{Title: "Views of Member States", Introduction: "In its resolution 2012/19…", Summaries: map[string]string{"views": "Two States answered."}},
		Translations: map[forms.Language]forms.ReportText{
			forms.French:  {Title: "Avis des États Membres", Summaries: map[string]string{"views": "Deux États ont répondu.", "none": "Sans original."}},
			forms.Russian: {}, // nothing: not kept
		}}
	if err := s.SaveReportDraft(ctx, call, draft, actor); err != nil {
		t.Fatal(err)
	}
	got, err := s.ReportDraft(ctx, call)
	if err != nil || got.Title != draft.Title || got.Summaries["views"] != "Two States answered." || got.UpdatedBy != actor.Label {
		t.Fatalf("report draft read back: %+v, %v", got, err)
	}
	if want := map[forms.Language]forms.ReportText{forms.French: {Title: "Avis des États Membres", Summaries: map[string]string{"views": "Deux États ont répondu."}}}; !reflect.DeepEqual(got.Translations, want) {
		t.Fatalf("translations read back: %+v, want them pruned to what the original says: %+v", got.Translations, want)
	}
	first, err := s.ReleaseReport(ctx, call, q, []*forms.Questionnaire{q}, actor)
	if err != nil {
		t.Fatal(err)
	}
	if first.Number != 1 || first.Title != draft.Title || first.ReleasedBy != actor.Label {
		t.Fatalf("first release: number %d, title %q, by %q", first.Number, first.Title, first.ReleasedBy)
	}
	var codes []string
	for _, src := range first.Sources {
		codes = append(codes, src.Organization.Code+"/"+src.Reference)
	}
	if strings.Join(codes, " ") != "AUT/CCPCJ22-P4-AUT-1 DEU/CCPCJ22-P4-DEU-1" {
		t.Fatalf("sources %v, want Austria and Germany's first versions (France is not accepted)", codes)
	}
	if len(first.Questions) != 2 || first.Questions[0].Summary != "Two States answered." || len(first.Questions[0].Answers) != 2 {
		t.Fatalf("questions %+v", first.Questions)
	}
	if a := first.Questions[0].Answers[1]; a.Source != "DEU" || a.Answer.Text != "=HYPERLINK(\"http://x\")" {
		t.Fatalf("Germany's answer %+v", a)
	}
	freq := first.Frequencies(&first.Questions[1], forms.Text{forms.English: "Other"})
	if len(freq) != 3 || freq[0].Total != 2 || freq[1].Total != 1 || freq[2].Total != 0 || freq[0].Groups["WEOG"] != 2 {
		t.Fatalf("frequencies %+v", freq)
	}
	if first.Call.Asked == 0 || first.Call.Reference != "CCPCJ22-P4" {
		t.Fatalf("call %+v", first.Call)
	}
	if fr := first.TextIn(forms.French); fr.Title != "Avis des États Membres" || fr.Summaries["views"] != "Deux États ont répondu." {
		t.Fatalf("the release in French: %+v", fr)
	}
	if list, err := s.Releases(ctx, call.Key); err != nil || len(list) != 1 || list[0].TitleIn(forms.French) != "Avis des États Membres" || list[0].TitleIn(forms.Spanish) != draft.Title {
		t.Fatalf("the releases' titles: %+v, %v", list, err)
	}

	// The release is frozen, in the database too.
	if _, err := db.ExecContext(ctx, `UPDATE report_releases SET title = 'changed'`); err == nil || !strings.Contains(err.Error(), "cannot be changed") {
		t.Fatalf("UPDATE of a release: %v, want refused", err)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM report_releases`); err == nil {
		t.Fatal("DELETE of a release was allowed")
	}

	// France's submission is accepted after the release: release 1 stays as it was.
	if _, err := s.Transition(ctx, forms.TransitionRequest{Call: call, Questionnaire: q, Organization: fra, User: analyst, Transition: forms.TransitionAccept, At: time.Now(), Actor: actor}); err != nil {
		t.Fatal(err)
	}
	again, err := s.Release(ctx, call.Key, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(normalize(again), normalize(first)) {
		t.Fatalf("release 1 changed after the submissions did:\nbefore %+v\nafter  %+v", first, again)
	}
	second, err := s.ReleaseReport(ctx, call, q, []*forms.Questionnaire{q}, actor)
	if err != nil {
		t.Fatal(err)
	}
	if second.Number != 2 || len(second.Sources) != 3 {
		t.Fatalf("second release: number %d with %d sources, want 2 with 3", second.Number, len(second.Sources))
	}
	list, err := s.Releases(ctx, call.Key)
	if err != nil || len(list) != 2 || list[0].Number != 2 || list[1].Number != 1 || list[1].Sources != 2 {
		t.Fatalf("releases %+v, %v", list, err)
	}
	if _, err := s.Release(ctx, call.Key, 3); forms.KindOf(err) != forms.KindNotFound {
		t.Fatalf("release 3: %v, want KindNotFound", err)
	}
}

// normalize drops what JSON does not keep (monotonic clock readings,
// locations) so that a report read back compares with the one released.
func normalize(r forms.Report) forms.Report {
	r.ReleasedAt = r.ReleasedAt.UTC().Round(0)
	r.Call.Deadline = r.Call.Deadline.UTC().Round(0)
	for i := range r.Sources {
		r.Sources[i].SubmittedAt = r.Sources[i].SubmittedAt.UTC().Round(0)
	}
	return r
}

// TestReportStatisticalAnnex: the annex holds every indicator of the
// statistics questionnaire with the same aggregates and values the
// statistics pages show, computed in the same snapshot.
func TestReportStatisticalAnnex(t *testing.T) {
	s, db := storeWithDB(t)
	ctx := context.Background()
	call, q := crimeStatsCall(t, s, "annex", []int{2024, 2025})
	acceptSynthetic(t, s, call, q, "KEN", "MEX", "DEU")
	// Who reported what: the counts frozen with each version are the cells' own.
	cov, err := s.Coverage(ctx, call, false)
	if err != nil || len(cov) != 3 {
		t.Fatalf("coverage: %d rows, %v", len(cov), err)
	}
	for _, row := range cov {
		want := map[string]int{}
		for ref, c := range synthetic.Statistics(q, call.Years, row.Organization.Code).Cells {
			if c.State == forms.CellValue {
				want[ref.Question]++
			}
		}
		if !reflect.DeepEqual(row.Figures, want) {
			t.Errorf("%s: figures %v, want %v", row.Organization.Code, row.Figures, want)
		}
	}
	if _, err := db.ExecContext(ctx, `UPDATE submission_table_counts SET figures = 0`); err == nil || !strings.Contains(err.Error(), "cannot be changed") {
		t.Errorf("UPDATE of frozen counts: %v", err)
	}
	rep, err := s.PreviewReport(ctx, call, q, library(t))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Number != 0 || len(rep.Sources) != 3 {
		t.Fatalf("preview: number %d, %d sources", rep.Number, len(rep.Sources))
	}
	series := forms.ReportSeries(q)
	if len(rep.Indicators) != len(series) || len(series) < 10 {
		t.Fatalf("%d indicators in the annex, %d series in the questionnaire", len(rep.Indicators), len(series))
	}
	for i, ind := range rep.Indicators {
		want, err := s.Aggregates(ctx, call, series[i], false)
		if err != nil {
			t.Fatal(err)
		}
		// The annex's aggregates are Go's (forms.CallAggregates), these the
		// database's: the same but for the last bits of the rates.
		if !sameAggregates(ind.Aggregates, want) {
			t.Fatalf("%s/%s: aggregates %+v, want %+v", ind.Table, ind.Row, ind.Aggregates, want)
		}
		values, _ := s.Series(ctx, call, series[i], false)
		got := rep.SeriesValues(&ind)
		if len(got) != len(values) || len(values) == 0 {
			t.Fatalf("%s/%s: %d values, want %d", ind.Table, ind.Row, len(got), len(values))
		}
		for j, v := range values {
			g := got[j]
			if g.Organization.Code != v.Organization.Code || g.Year != v.Year || g.Value != v.Value || g.Population != v.Population || g.PopulationSource != v.PopulationSource {
				t.Fatalf("%s/%s: value %d is %+v, want %+v", ind.Table, ind.Row, j, g, v)
			}
		}
	}
}

// TestReportAnnexWithImports: where no accepted submission to the call
// gives a State's figure, the annex takes the one the Office's series
// give (an import, another call's submission, the sum of a State's
// parts), marked with where it comes from; the aggregates count it; the
// release keeps it all, and the annex workbook says each figure's origin.
// The call's long dataset has the same figures, as rows of their origin.
func TestReportAnnexWithImports(t *testing.T) {
	s, _ := storeWithDB(t)
	ctx := context.Background()
	call, q := crimeStatsCall(t, s, "annex-imports", []int{2022})
	acceptSynthetic(t, s, call, q, "AUT", "KEN")
	other, _ := crimeStatsCall(t, s, "annex-other", []int{2021, 2022})
	acceptSynthetic(t, s, other, q, "BRA")
	actor := forms.Actor{Label: "analyst"}
	if err := s.SaveMappings(ctx, []forms.SeriesMapping{{Description: forms.Description{Indicator: "Offences", Dimension: "by type of offence",
		Category: "Intentional homicide", Sex: "Total", Age: "Total"}, Series: homicide}}, actor); err != nil {
		t.Fatal(err)
	}
	rows := []forms.ImportRow{
		row(2, "DEU", "Intentional homicide", "Counts", 2022, "245"),
		row(3, "AUT", "Intentional homicide", "Counts", 2022, "999999"), // the accepted submission wins
		row(4, "GBR_E_W", "Intentional homicide", "Counts", 2022, "600"), row(5, "GBR_S", "Intentional homicide", "Counts", 2022, "50"),
		row(6, "GBR_NI", "Intentional homicide", "Counts", 2022, "20"),
		row(7, "DEU", "Intentional homicide", "Counts", 2021, "230"), // the year before: for the checks, not in the annex
	}
	sources, _ := allSources(t)
	imp, err := s.ConfirmImport(ctx, stage(t, s, "past.csv", rows), sources, actor)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveReportDraft(ctx, call, forms.ReportDraft{ReportText: forms.ReportText{Title: "Statistics"}}, actor); err != nil {
		t.Fatal(err)
	}
	released, err := s.ReleaseReport(ctx, call, q, library(t), actor)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.Release(ctx, call.Key, released.Number) // as stored and read back
	if err != nil {
		t.Fatal(err)
	}
	var ind *forms.ReportIndicator
	for _, c := range q.SeriesCells() {
		if c.Code == homicide {
			for i := range rep.Indicators {
				if rep.Indicators[i].Table == c.Question && rep.Indicators[i].Row == c.Row {
					ind = &rep.Indicators[i]
				}
			}
		}
	}
	if ind == nil {
		t.Fatal("no homicide indicator in the annex")
	}
	aut := synthetic.Statistics(q, call.Years, "AUT")
	byState := map[string]forms.SeriesValue{}
	for _, v := range rep.SeriesValues(ind) {
		if v.Year != 2022 {
			t.Errorf("%s: a figure of %d in the annex", v.Organization.Code, v.Year)
		}
		byState[v.Organization.Code] = v
	}
	if len(byState) != 5 {
		t.Fatalf("annex figures of %v, want AUT, KEN, BRA, DEU and GBR", byState)
	}
	var autValue int64
	for ref, c := range aut.Cells {
		if ref.Question == ind.Table && ref.Row == ind.Row && ref.Category == forms.TotalCategory && ref.Year == 2022 {
			autValue = c.Value
		}
	}
	if v := byState["AUT"]; v.Value != autValue || v.Past != nil {
		t.Errorf("AUT: %+v, want its submission's %d", v, autValue)
	}
	deu, gbr := byState["DEU"], byState["GBR"]
	if deu.Value != 245 || deu.Origin != forms.OriginImported || deu.Past == nil || deu.Past.Reference != imp.Reference || deu.Past.Source != "CTS" {
		t.Errorf("DEU: %+v (past %+v), want 245 from %s", deu, deu.Past, imp.Reference)
	}
	if deu.Organization.Name.In(forms.French) != "Allemagne" || len(deu.Organization.RegionalGroups) == 0 {
		t.Errorf("DEU's names and groups are not kept: %+v", deu.Organization)
	}
	if gbr.Value != 670 || gbr.Origin != forms.OriginParts || gbr.Past == nil || gbr.Past.Reference != imp.Reference {
		t.Errorf("GBR: %+v (past %+v), want 670 as the sum of its parts", gbr, gbr.Past)
	}
	bra := byState["BRA"]
	if bra.Origin != forms.OriginCall || bra.Past == nil || bra.Past.Call != other.Key || !strings.HasPrefix(bra.Past.Reference, other.Reference) {
		t.Errorf("BRA: %+v (past %+v), want the other call's figure", bra, bra.Past)
	}
	if len(rep.Past) != 3 || len(rep.Areas) != 3 {
		t.Errorf("past %+v, areas %+v: want the import, the other call and the parts; BRA, DEU and GBR", rep.Past, rep.Areas)
	}
	// The world's aggregate counts the five.
	for _, a := range ind.Aggregates {
		if a.Group == "" && a.Year == 2022 {
			if want := autValue + byState["KEN"].Value + bra.Value + 245 + 670; a.Reporting != 5 || a.Sum != want {
				t.Errorf("world 2022: %d reporting, sum %d; want 5 and %d", a.Reporting, a.Sum, want)
			}
		}
	}
	// The long dataset: the same figures after the submissions' rows.
	past := map[string]string{}
	if err := s.CallStatisticsRows(ctx, call, q, library(t), false, func(r forms.StatRow) error {
		if r.Cell.Question == ind.Table && r.Cell.Row == ind.Row && r.Cell.Category == forms.TotalCategory {
			past[r.Organization.Code] = fmt.Sprintf("%s %d %s %s", r.State, r.Value.Value, r.Reference, r.Value.Note)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"AUT": fmt.Sprintf("accepted %d %s ", autValue, byStateRef(rep, "AUT")),
		"KEN": fmt.Sprintf("accepted %d %s ", byState["KEN"].Value, byStateRef(rep, "KEN")),
		"BRA": fmt.Sprintf("call %d %s ", bra.Value, bra.Past.Reference), "DEU": "imported 245 " + imp.Reference + " CTS",
		"GBR": "parts 670 " + imp.Reference + " "}; !reflect.DeepEqual(past, want) {
		t.Errorf("the long dataset's homicide rows: %v, want %v", past, want)
	}
	// The annex workbook says where each figure comes from.
	var buf bytes.Buffer
	if err := export.Annex(&buf, &rep, forms.English, func(*forms.Question, forms.Answer) string { return "" }); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	sheet, err := f.GetRows("Values")
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range sheet[0] {
		col[h] = i
	}
	seen := map[string]string{}
	for _, r := range sheet[1:] {
		cell := func(name string) string { // trailing empty cells are not read
			if i := col[name]; i < len(r) {
				return r[i]
			}
			return ""
		}
		if cell("indicator_key") == ind.Row && cell("table") == ind.Table {
			seen[cell("iso3")] = cell("origin") + " " + cell("reference") + " " + cell("source")
		}
	}
	want := map[string]string{"AUT": "submission " + byStateRef(rep, "AUT") + " ", "KEN": "submission " + byStateRef(rep, "KEN") + " ",
		"BRA": "call " + bra.Past.Reference + " " + other.Key, "DEU": "imported " + imp.Reference + " CTS", "GBR": "parts " + imp.Reference + " "}
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("annex rows %v, want %v", seen, want)
	}
}

// byStateRef is the receipt of a State's source in a report.
func byStateRef(r forms.Report, code string) string {
	src, _ := r.Source(code)
	return src.Reference
}

// sameAggregates compares aggregates, their median rates to 1e-9 of their size.
func sameAggregates(a, b []forms.Aggregate) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if math.Abs(x.MedianRate-y.MedianRate) > 1e-9*math.Max(1, math.Abs(y.MedianRate)) {
			return false
		}
		x.MedianRate = y.MedianRate
		if x != y {
			return false
		}
	}
	return true
}
