package handlers

import (
	"context"
	"database/sql"
	"maps"
	"net/http"
	"strings"
	"testing"

	"portal/storage"
	"portal/storage/storagetest"
)

const (
	questionnaireAnswered = "Organizations have already answered this call, so its questionnaire cannot change"
	yearsAnswered         = "Organizations have already answered this call, so its reporting years cannot change"
)

// TestCallFormKeepsAnsweredQuestionnaire: once organizations have answered
// a call (the demo's views call has submissions), the call form refuses
// another questionnaire or other years, saying why at the field, and saves
// nothing; other fields still change, and the audit log says what changed.
func TestCallFormKeepsAnsweredQuestionnaire(t *testing.T) {
	base, cs := signedIn(t, "demo-analyst")
	analyst := cs[0]
	const edit = "/office/calls/ccpcj-tourism-views/edit"
	r := do(t, analyst, "GET", base+edit, nil)
	if r.status != http.StatusOK {
		t.Fatalf("edit form: %d", r.status)
	}
	form := formOf(t, r.body)
	if form.Get("questionnaire") != "tourism-views@1" {
		t.Fatalf("the form's questionnaire: %q", form.Get("questionnaire"))
	}
	for _, tc := range []struct {
		name, questionnaire, years string
		want, notWant              []string
	}{
		{"another questionnaire and years", "crime-statistics@1", "2021-2024", []string{questionnaireAnswered, yearsAnswered}, nil},
		{"years", "tourism-views@1", "2024", []string{yearsAnswered}, []string{questionnaireAnswered}},
	} {
		changed := maps.Clone(form)
		changed.Set("questionnaire", tc.questionnaire)
		changed.Set("years", tc.years)
		r := do(t, analyst, "POST", base+edit, changed)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", tc.name, r.status)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.body, `<p class="field-error">`+w) && !strings.Contains(r.body, `<p class="field-error" id="call-years-error">`+w) {
				t.Errorf("%s: the page does not say at its field %q", tc.name, w)
			}
		}
		for _, w := range tc.notWant {
			if strings.Contains(r.body, w) {
				t.Errorf("%s: the page says %q", tc.name, w)
			}
		}
		if !strings.Contains(r.body, `value="`+tc.years+`"`) {
			t.Errorf("%s: the years typed are not kept", tc.name)
		}
	}
	if r := do(t, analyst, "GET", base+edit, nil); formOf(t, r.body).Get("questionnaire") != "tourism-views@1" || formOf(t, r.body).Get("years") != "" {
		t.Errorf("after the refusals the call has %q for %q", formOf(t, r.body).Get("questionnaire"), formOf(t, r.body).Get("years"))
	}
	// The rest may change; the audit log records what did.
	form.Set("title_fr", "Vues sur le tourisme")
	if r := do(t, analyst, "POST", base+edit, form); r.status != http.StatusSeeOther {
		t.Fatalf("changing the French title: %d\n%s", r.status, r.body)
	}
	r = do(t, analyst, "GET", base+"/office/audit?action=call.saved", nil)
	if !strings.Contains(r.body, "title.fr.to: Vues sur le tourisme") || !strings.Contains(r.body, "title.fr.from: Vues sur la coopération") {
		t.Errorf("the audit log does not show the title's change")
	}
}

// TestReviewReadsVersionWithItsQuestionnaire: a submitted version is shown
// with the questionnaire it was made with, even when its call's has been
// changed since (here behind the portal's back).
func TestReviewReadsVersionWithItsQuestionnaire(t *testing.T) {
	url := storagetest.NewDatabase(t)
	store, err := storage.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	ts, _ := startServer(t, store)
	analyst := clientAs(t, ts.URL, "demo-analyst")
	const review = "/office/calls/ccpcj-tourism-views/orgs/KEN"
	const answer = "Kenya: "
	if r := do(t, analyst, "GET", ts.URL+review, nil); r.status != http.StatusOK || !strings.Contains(r.body, answer) {
		t.Fatalf("Kenya's submission before the change: %d", r.status)
	}
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE calls SET questionnaire_key = 'crime-statistics', reporting_years = '{2021,2022}' WHERE key = 'ccpcj-tourism-views'`); err != nil {
		t.Fatal(err)
	}
	r := do(t, analyst, "GET", ts.URL+review, nil)
	if r.status != http.StatusOK || !strings.Contains(r.body, answer) {
		t.Errorf("Kenya's submission after the call's questionnaire changed: %d, its answers shown: %v", r.status, strings.Contains(r.body, answer))
	}
}
