package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"portal/forms"
)

// TestJointAnswers: the Office's record of who answers on behalf of whom
// decides what a joint submission may say and what tracking counts.
func TestJointAnswers(t *testing.T) {
	s, db := storeWithDB(t)
	ctx := context.Background()
	now := time.Now()
	c := openCall(t, s, now.Add(time.Hour)) // asks WEOG and the EU
	office := forms.Actor{Label: "analyst@unodc.org"}

	fieldsOf := func(err error) map[string]string {
		t.Helper()
		e, ok := err.(*forms.Error)
		if !ok || e.Kind != forms.KindInvalid {
			t.Fatalf("error %v, want KindInvalid", err)
		}
		return e.Fields
	}
	// What may not be recorded is refused, all at once, and nothing of it recorded.
	got := fieldsOf(s.Represent(ctx, c, "EU", []string{"BEL", "KEN", "EU", "XYZ"}, office))
	want := map[string]string{"state:KEN": forms.JointStateNotAsked, "state:EU": forms.JointNotMemberState, "state:XYZ": forms.JointUnknown}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("EU for BEL, KEN, EU, XYZ (-want +got):\n%s", diff)
	}
	if got := fieldsOf(s.Represent(ctx, c, "AUT", []string{"BEL"}, office)); got["organization"] != forms.JointNotOrganization {
		t.Errorf("Austria for Belgium: %v", got)
	}
	if got := fieldsOf(s.Represent(ctx, c, "INTERPOL", []string{"BEL"}, office)); got["organization"] != forms.JointOrgNotAsked {
		t.Errorf("INTERPOL, not asked, for Belgium: %v", got)
	}
	if reps, err := s.Representations(ctx, c); err != nil || len(reps) != 0 {
		t.Fatalf("records after refusals: %v, %v", reps, err)
	}
	// The database refuses a record of the wrong kinds, whoever writes it.
	if _, err := db.ExecContext(ctx, `INSERT INTO representations (call_id, state_id, organization_id, recorded_by)
		SELECT $1, s.id, o.id, 'sql' FROM organizations s, organizations o WHERE s.code = 'USA' AND o.code = 'KEN'`, c.ID); err == nil {
		t.Error("the database took Kenya answering for the United States")
	}

	if err := s.Represent(ctx, c, "EU", []string{"BEL", "LUX", "NLD"}, office); err != nil {
		t.Fatal(err)
	}
	if err := s.Represent(ctx, c, "EU", []string{"NLD"}, office); err != nil { // again: no change, no error
		t.Fatal(err)
	}
	reps, err := s.Representations(ctx, c)
	if err != nil || len(reps) != 1 || reps[0].Organization.Code != "EU" || !cmp.Equal(reps[0].Codes(), []string{"BEL", "LUX", "NLD"}) ||
		reps[0].RecordedBy != office.Label {
		t.Fatalf("records: %+v, %v", reps, err)
	}

	aut, eu := orgRef(t, s, "AUT"), orgRef(t, s, "EU")
	for _, org := range []forms.OrganizationRef{aut, eu} {
		if _, err := saveViews(t, s, c, org, 0, "Views of "+org.Code+"."); err != nil {
			t.Fatal(err)
		}
	}
	// A State naming others, and the EU naming a State outside its record,
	// are refused, and nothing is submitted.
	for _, try := range []struct {
		org   forms.OrganizationRef
		codes []string
	}{{aut, []string{"USA", "CHN", "BRA", "FRA", "GBR", "EU"}}, {aut, []string{"BEL"}}, {eu, []string{"BEL", "FRA"}}} {
		_, err := s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: try.org, User: focalPoint(try.org), Transition: forms.TransitionSubmit, At: now, OnBehalfOf: try.codes, Actor: office})
		if forms.KindOf(err) != forms.KindInvalid || fieldsOf(err)[forms.JointFieldOnBehalfOf] != forms.JointNotRecorded {
			t.Errorf("%s for %v: %v", try.org.Code, try.codes, err)
		}
		if sub, err := s.Submission(ctx, c, try.org); err != nil || sub.State != forms.InDraft {
			t.Errorf("%s after the refusal: %v, %v", try.org.Code, sub.State, err)
		}
	}
	// The EU answers for two of its three: those count, once each.
	if _, err := s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: smallQuestionnaire, Organization: eu, User: focalPoint(eu), Transition: forms.TransitionSubmit, At: now, OnBehalfOf: []string{"BEL", "NLD"}, Actor: office}); err != nil {
		t.Fatal(err)
	}
	coveredBy := func() map[string]string {
		t.Helper()
		rs, err := s.Responses(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, r := range rs {
			if r.CoveredBy != "" {
				out[r.Organization.Code] = r.CoveredBy
			}
		}
		return out
	}
	if diff := cmp.Diff(map[string]string{"BEL": "EU", "NLD": "EU"}, coveredBy()); diff != "" {
		t.Errorf("covered (-want +got):\n%s", diff)
	}
	covers, err := s.CoversOf(ctx, orgRef(t, s, "BEL"))
	if err != nil || covers[c.ID].Organization.Code != "EU" || covers[c.ID].Reference != "CCPCJ22-P4-EU-1" {
		t.Errorf("Belgium's cover: %+v, %v", covers, err)
	}
	if covers, err = s.CoversOf(ctx, orgRef(t, s, "LUX")); err != nil || covers[c.ID].Organization.Code != "EU" || covers[c.ID].Reference != "" {
		t.Errorf("Luxembourg's cover (recorded, left out of the answer): %+v, %v", covers, err)
	}

	// Taken out of the record, the Netherlands are no longer counted, and
	// a second take-out says there is nothing to take.
	if err := s.Unrepresent(ctx, c, "EU", "NLD", office); err != nil {
		t.Fatal(err)
	}
	if err := s.Unrepresent(ctx, c, "EU", "NLD", office); forms.KindOf(err) != forms.KindNotFound {
		t.Errorf("removing twice: %v", err)
	}
	if diff := cmp.Diff(map[string]string{"BEL": "EU"}, coveredBy()); diff != "" {
		t.Errorf("covered after removing NLD (-want +got):\n%s", diff)
	}
	// Another organization may not take a State the EU answers for.
	if _, err := s.SaveCall(ctx, func() forms.Call { c.Audience.Organizations = append(c.Audience.Organizations, "INTERPOL"); return c }(), office); err != nil {
		t.Fatal(err)
	}
	if c, err = s.CallByKey(ctx, c.Key); err != nil {
		t.Fatal(err)
	}
	if got := fieldsOf(s.Represent(ctx, c, "INTERPOL", []string{"BEL"}, office)); got["state:BEL"] != forms.JointTaken {
		t.Errorf("INTERPOL for Belgium, which the EU answers for: %v", got)
	}
	evs, err := s.AuditEvents(ctx, forms.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, ev := range evs {
		if ev.Action == forms.AuditJointRecorded || ev.Action == forms.AuditJointRemoved {
			actions = append(actions, ev.Action+" "+ev.Organization.Code+" "+ev.Details["states"])
		}
	}
	if diff := cmp.Diff([]string{"joint.removed EU NLD", "joint.recorded EU NLD", "joint.recorded EU BEL LUX NLD"}, actions); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
}
