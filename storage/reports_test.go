package storage_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"portal/forms"
	"portal/forms/synthetic"
	"portal/storage"
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

	if _, err := s.ReleaseReport(ctx, call, q, actor); forms.KindOf(err) != forms.KindInvalid {
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
	first, err := s.ReleaseReport(ctx, call, q, actor)
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
	second, err := s.ReleaseReport(ctx, call, q, actor)
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
	rep, err := s.PreviewReport(ctx, call, q)
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
		if !reflect.DeepEqual(ind.Aggregates, want) {
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
