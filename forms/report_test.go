package forms

import (
	"reflect"
	"testing"
)

// TestReportTranslations: a translation shows where it translates what the
// original says, and the original shows wherever it does not.
func TestReportTranslations(t *testing.T) {
	d := ReportDraft{ReportText: ReportText{Title: "Views", Introduction: "", Summaries: map[string]string{"a": "Summary A"}},
		Translations: map[Language]ReportText{
			French:  {Title: "Avis", Introduction: "Une introduction sans original.", Summaries: map[string]string{"a": "Résumé A", "b": "Résumé B", "c": ""}},
			Spanish: {Summaries: map[string]string{"b": "Resumen B"}}, // nothing that applies
		}}
	want := map[Language]ReportText{French: {Title: "Avis", Summaries: map[string]string{"a": "Résumé A"}}}
	if got := d.Pruned(); !reflect.DeepEqual(got, want) {
		t.Errorf("Pruned:\n got %+v\nwant %+v", got, want)
	}
	d.Language = French // the original is in French: no French translation
	if got := d.Pruned(); len(got) != 0 {
		t.Errorf("Pruned with the original in French: %+v", got)
	}
	d.Language = "xx"
	if err := d.Validate(&Questionnaire{}); err == nil || err.(*Error).Fields["language"] != "report.error.language" {
		t.Errorf("an unknown language: %v", err)
	}
	d.Language = ""
	if err := d.ValidateTranslation(ReportText{Summaries: map[string]string{"b": "Résumé B"}}); err == nil || err.(*Error).Fields["summary/b"] != "report.error.untranslatable" {
		t.Errorf("a summary the original lacks: %v", err)
	}
	if err := d.ValidateTranslation(ReportText{Title: "Avis", Summaries: map[string]string{"a": "Résumé A"}}); err != nil {
		t.Errorf("a translation of what the original says: %v", err)
	}

	r := Report{Title: "Views", Introduction: "Intro", Questions: []ReportQuestion{{Question: Question{Key: "a"}, Summary: "Summary A"}, {Question: Question{Key: "b"}}},
		Translations: map[Language]ReportText{French: {Title: "Avis", Summaries: map[string]string{"a": "Résumé A"}}}}
	if got := r.TextIn(French); got.Title != "Avis" || got.Introduction != "Intro" || got.Summaries["a"] != "Résumé A" || got.Summaries["b"] != "" {
		t.Errorf("in French: %+v", got)
	}
	if got := r.TextIn(Spanish); got.Title != "Views" || got.Summaries["a"] != "Summary A" {
		t.Errorf("in Spanish (no translation): %+v", got)
	}
	old := Report{Title: "Views", Questions: r.Questions} // a release from before translations
	if got := old.TextIn(French); got.Title != "Views" || got.Summaries["a"] != "Summary A" {
		t.Errorf("an older release in French: %+v", got)
	}
}
