package storage_test

import (
	"context"
	"database/sql"
	"reflect"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"portal/forms"
	"portal/migrations"
	"portal/storage"
	"portal/storage/storagetest"
)

// TestVersionKeepsItsQuestionnaire: a submitted version records the
// questionnaire and years it was made with, and is read with them after
// its call's have changed.
func TestVersionKeepsItsQuestionnaire(t *testing.T) {
	s, db := storeWithDB(t)
	ctx := context.Background()
	aut := orgRef(t, s, "AUT")
	now := time.Now()
	c := openCall(t, s, now.Add(24*time.Hour))
	if _, err := saveViews(t, s, c, aut, 0, "Views."); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: aut, User: focalPoint(aut), Transition: forms.TransitionSubmit, At: now, Actor: forms.Actor{Label: "fp"}}); err != nil {
		t.Fatal(err)
	}
	// Changed behind the portal's back (the store refuses it, see
	// TestAnsweredCallKeepsQuestionnaireAndYears).
	if _, err := db.ExecContext(ctx, `UPDATE calls SET questionnaire_key = 'other', questionnaire_version = 3, reporting_years = '{2024,2025}' WHERE id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	c, err := s.CallByKey(ctx, c.Key)
	if err != nil || c.Questionnaire != "other" {
		t.Fatalf("the changed call: %+v %v", c, err)
	}
	v, err := s.SubmissionVersion(ctx, c, aut, 1)
	if err != nil {
		t.Fatal(err)
	}
	if v.Questionnaire != "small" || v.QuestionnaireVersion != 1 || len(v.Years) != 0 || v.Answers.Values["views"].Text != "Views." {
		t.Errorf("version 1 read as %s v%d for %v with %+v, want small v1 with no years and its answer", v.Questionnaire, v.QuestionnaireVersion, v.Years, v.Answers.Values)
	}
	sub, err := s.Submission(ctx, c, aut)
	if err != nil || len(sub.Versions) != 1 || sub.Versions[0].Questionnaire != "small" || sub.Versions[0].QuestionnaireVersion != 1 {
		t.Errorf("the submission's versions: %+v %v", sub.Versions, err)
	}
}

// TestAnsweredCallKeepsQuestionnaireAndYears: a call's questionnaire and
// years may change until an organization answers it, then no longer
// (KindConflict naming the fields), while its other fields may.
func TestAnsweredCallKeepsQuestionnaireAndYears(t *testing.T) {
	s := storagetest.NewStore(t)
	ctx := context.Background()
	aut := orgRef(t, s, "AUT")
	act := forms.Actor{Label: "analyst"}
	c := openCall(t, s, time.Now().Add(24*time.Hour))

	// Nothing answered yet: free to change.
	c.Version, c.Years = 2, []int{2024}
	c, err := s.SaveCall(ctx, c, act)
	if err != nil || c.Version != 2 || !reflect.DeepEqual(c.Years, []int{2024}) {
		t.Fatalf("changing an unanswered call: %+v %v", c, err)
	}
	c.Version, c.Years = 1, nil
	if c, err = s.SaveCall(ctx, c, act); err != nil {
		t.Fatal(err)
	}
	if answered, err := s.CallAnswered(ctx, c); err != nil || answered {
		t.Fatalf("answered before any answer: %v %v", answered, err)
	}

	if _, err := saveViews(t, s, c, aut, 0, "Views."); err != nil {
		t.Fatal(err)
	}
	if answered, err := s.CallAnswered(ctx, c); err != nil || !answered {
		t.Fatalf("answered after an answer: %v %v", answered, err)
	}
	for _, tc := range []struct {
		name   string
		change func(*forms.Call)
		want   map[string]string
	}{
		{"another version", func(c *forms.Call) { c.Version = 2 }, map[string]string{"questionnaire": "call.invalid.questionnaire.answered"}},
		{"another questionnaire", func(c *forms.Call) { c.Questionnaire = "other" }, map[string]string{"questionnaire": "call.invalid.questionnaire.answered"}},
		{"years", func(c *forms.Call) { c.Years = []int{2023} }, map[string]string{"years": "call.invalid.years.answered"}},
		{"both", func(c *forms.Call) { c.Version, c.Years = 2, []int{2023} },
			map[string]string{"questionnaire": "call.invalid.questionnaire.answered", "years": "call.invalid.years.answered"}},
	} {
		changed := c
		tc.change(&changed)
		_, err := s.SaveCall(ctx, changed, act)
		wantKind(t, tc.name, err, forms.KindConflict)
		var fe *forms.Error
		if e, ok := err.(*forms.Error); ok {
			fe = e
		}
		if fe == nil || !reflect.DeepEqual(fe.Fields, tc.want) {
			t.Errorf("%s: %v, want the fields %v", tc.name, err, tc.want)
		}
	}
	if got, err := s.CallByKey(ctx, c.Key); err != nil || got.Questionnaire != "small" || got.Version != 1 || len(got.Years) != 0 {
		t.Errorf("after the refusals: %+v %v", got, err)
	}
	// Everything else may still change.
	c.Title[forms.French] = "Petit appel"
	if _, err := s.SaveCall(ctx, c, act); err != nil {
		t.Errorf("changing the title of an answered call: %v", err)
	}
}

// TestCallEditAudited: the audit event of a call's edit records each
// field it changed, before and after, and nothing it left alone.
func TestCallEditAudited(t *testing.T) {
	s := storagetest.NewStore(t)
	ctx := context.Background()
	c := openCall(t, s, time.Date(2027, 3, 31, 22, 59, 0, 0, time.UTC))
	c.Title[forms.French] = "Petit appel"
	c.Deadline = time.Date(2027, 4, 30, 21, 59, 0, 0, time.UTC)
	c.Audience.Groups = []string{"WEOG", "GRULAC"}
	c.State = forms.CallClosed
	if _, err := s.SaveCall(ctx, c, forms.Actor{Label: "analyst"}); err != nil {
		t.Fatal(err)
	}
	evs, err := s.AuditEvents(ctx, forms.AuditFilter{Action: forms.AuditCallSaved})
	if err != nil || len(evs) != 2 {
		t.Fatalf("call events: %+v %v", evs, err)
	}
	want := map[string]string{
		"state":      "closed",
		"state.from": "open", "state.to": "closed",
		"title.fr.from": "", "title.fr.to": "Petit appel",
		"deadline.from": "2027-03-31T22:59:00Z", "deadline.to": "2027-04-30T21:59:00Z",
		"audience.groups.from": "WEOG", "audience.groups.to": "GRULAC,WEOG",
	}
	if got := evs[0].Details; !reflect.DeepEqual(got, want) {
		t.Errorf("the edit's details:\n got %v\nwant %v", got, want)
	}
	// The creation records what the call was made with.
	if d := evs[1].Details; d["questionnaire.to"] != "small@1" || d["key.to"] != "small-call" || d["questionnaire.from"] != "" {
		t.Errorf("the creation's details: %v", d)
	}
}

// TestMigrationRecordsVersionsQuestionnaire: versions submitted before
// migration 00012 take their call's questionnaire and years.
func TestMigrationRecordsVersionsQuestionnaire(t *testing.T) {
	db, err := sql.Open("postgres", storagetest.NewEmptyDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 11); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `
		WITH c AS (INSERT INTO calls (key, title, questionnaire_key, questionnaire_version, reporting_years)
		           VALUES ('old-call', '{"en": "Old"}', 'crime-statistics', 2, '{2021,2022}') RETURNING id),
		     d AS (INSERT INTO drafts (call_id, organization_id, version, state, submitted_versions)
		           SELECT c.id, o.id, 1, 'submitted', 1 FROM c, organizations o WHERE o.code = 'AUT' RETURNING id)
		INSERT INTO submission_versions (draft_id, number, reference, draft_version, submitted_by, late, checksum)
		SELECT d.id, 1, 'OLD-AUT-1', 1, 'fp', false, repeat('a', 64) FROM d`); err != nil {
		t.Fatal(err)
	}
	if err := storage.Migrate(ctx, db, quiet); err != nil {
		t.Fatal(err)
	}
	var key, years string
	var version int
	if err := db.QueryRowContext(ctx, `SELECT questionnaire_key, questionnaire_version, reporting_years::text FROM submission_versions`).Scan(&key, &version, &years); err != nil {
		t.Fatal(err)
	}
	if key != "crime-statistics" || version != 2 || years != "{2021,2022}" {
		t.Errorf("the old version records %s v%d %s, want its call's crime-statistics v2 {2021,2022}", key, version, years)
	}
	if _, err := db.ExecContext(ctx, `UPDATE submission_versions SET questionnaire_version = 1`); err == nil {
		t.Error("a version's questionnaire can be changed after the migration")
	}
}

// TestCallEditWaitsForSaveInProgress: a first answer being saved while the
// Office changes the call's questionnaire is either in before the change,
// which is then refused, or not at all: the change waits for the save.
func TestCallEditWaitsForSaveInProgress(t *testing.T) {
	s, db := storeWithDB(t)
	ctx := context.Background()
	aut := orgRef(t, s, "AUT")
	c := openCall(t, s, time.Now().Add(24*time.Hour))
	var draftID int64
	if err := db.QueryRowContext(ctx, `INSERT INTO drafts (call_id, organization_id) VALUES ($1, $2) RETURNING id`, c.ID, aut.ID).Scan(&draftID); err != nil {
		t.Fatal(err)
	}
	// A save as SaveDraft makes it, holding the draft's row, not yet committed.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT id FROM drafts WHERE id = $1 FOR UPDATE`, draftID); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO draft_answers (draft_id, question, answer) VALUES ($1, 'views', '{"text": "Views."}')`, draftID); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		changed := c
		changed.Version = 2
		_, err := s.SaveCall(ctx, changed, forms.Actor{Label: "analyst"})
		done <- err
	}()
	// Wait until the edit waits on the save's lock.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var waiting bool
		if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database()
			AND wait_event_type = 'Lock' AND query LIKE '%FROM drafts WHERE call_id%FOR SHARE%')`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("the edit did not wait for the save in progress: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the edit neither waits nor ends")
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	wantKind(t, "changing the questionnaire as the first answer is saved", <-done, forms.KindConflict)
}
