package demo

import (
	"testing"
	"time"

	"portal/forms"
	"portal/forms/definition"
)

func TestCalls(t *testing.T) {
	now := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	calls := Calls(now)
	if len(calls) != 2 || calls[0].Key != "ccpcj-tourism-views" || calls[1].Key != "crime-statistics-2026" {
		t.Fatalf("calls %v", calls)
	}
	if got := calls[1].Years; len(got) != 4 || got[0] != 2022 || got[3] != 2025 {
		t.Errorf("statistics years %v, want 2022 to 2025", got)
	}
	if d := calls[0].Deadline; d.Location().String() != "Europe/Vienna" || d.Hour() != 23 || d.Minute() != 59 {
		t.Errorf("views deadline %v, want 23:59 in Vienna", d)
	}
	for _, c := range calls {
		for _, l := range forms.Languages {
			if c.Title[l] == "" {
				t.Errorf("%s has no title in %s", c.Key, l)
			}
		}
	}
}

// TestAnswers: the demo answers leave no question of the views
// questionnaire but its tables unanswered, and Germany's statistics hold
// an explained break.
func TestAnswers(t *testing.T) {
	lib, err := definition.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	views, _ := lib.Latest("tourism-views")
	a := Answers(views, "Austria")
	for _, sec := range views.Sections {
		for _, q := range sec.Questions {
			if _, ok := a.Values[q.Key]; !ok && q.Kind != forms.StatTable && q.Kind != forms.Attachment && q.Kind != forms.Date && q.Kind != forms.Number {
				t.Errorf("%s (%s) unanswered", q.Key, q.Kind)
			}
		}
	}
	stats, _ := lib.Latest("crime-statistics")
	years := []int{2022, 2023, 2024, 2025}
	deu := Statistics(stats, years, "DEU")
	if len(deu.Explanations) == 0 {
		t.Error("Germany's figures explain no break")
	}
	if aut := Statistics(stats, years, "AUT"); len(aut.Explanations) != 0 {
		t.Errorf("Austria's figures explain %d breaks", len(aut.Explanations))
	}
}
