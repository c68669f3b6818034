package forms

import (
	"slices"
	"testing"
	"time"
)

// TestOfficeInbox: submissions wait for review and returned ones for their
// organization, the longest waiting first; a call past its deadline is
// overdue with the organizations that have not answered (one covered by a
// joint answer has); calls in preparation and those reported on are left
// out.
func TestOfficeInbox(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	org := func(code string) Organization { return Organization{Code: code} }
	open := Call{ID: 1, Key: "open", State: CallOpen, Deadline: now.Add(10 * day)}
	past := Call{ID: 2, Key: "past", State: CallClosed, Deadline: now.Add(-3 * day)}
	prep := Call{ID: 3, Key: "prep", State: CallDraft, Deadline: now.Add(-3 * day)}
	done := Call{ID: 4, Key: "done", State: CallReported, Deadline: now.Add(-30 * day)}
	responses := map[int64][]Response{
		1: {
			{Organization: org("AUT"), State: Submitted, StateSince: now.Add(-2 * day)},
			{Organization: org("BEL"), State: Submitted, StateSince: now.Add(-5 * day), Late: true},
			{Organization: org("CAN"), State: Returned, StateSince: now.Add(-1 * day), Changes: 3},
			{Organization: org("DEU"), State: NotStarted},
		},
		2: {
			{Organization: org("ESP"), State: Submitted, StateSince: now.Add(-3*day - time.Hour)},
			{Organization: org("FRA"), State: InDraft},
			{Organization: org("GRC"), State: NotStarted},
			{Organization: org("HRV"), State: NotStarted, CoveredBy: "EU"},
			{Organization: org("ITA"), State: Accepted},
		},
		3: {{Organization: org("JPN"), State: Submitted, StateSince: now.Add(-9 * day)}},
		4: {{Organization: org("KEN"), State: NotStarted}, {Organization: org("LUX"), State: Returned, StateSince: now.Add(-40 * day)}},
	}
	in := OfficeInbox([]Call{open, past, prep, done}, responses, now)
	var review []string
	for _, w := range in.ToReview {
		review = append(review, w.Call.Key+"/"+w.Response.Organization.Code)
	}
	if got, want := review, []string{"open/BEL", "past/ESP", "open/AUT"}; !slices.Equal(got, want) {
		t.Errorf("to review %v, want %v (the longest waiting first, none of a call in preparation)", got, want)
	}
	if got := in.ToReview[0].Days(now); got != 5 {
		t.Errorf("BEL waits %d days, want 5", got)
	}
	if got := in.ToReview[1].Days(now); got != 3 {
		t.Errorf("ESP waits %d days, want 3 (whole days)", got)
	}
	if len(in.Returned) != 1 || in.Returned[0].Response.Organization.Code != "CAN" {
		t.Errorf("returned %+v, want CAN alone (LUX answered a call reported on)", in.Returned)
	}
	if len(in.Overdue) != 1 || in.Overdue[0].Call.Key != "past" || in.Overdue[0].Missing != 2 {
		t.Errorf("overdue %+v, want the past call with 2 missing (FRA, GRC; HRV is covered)", in.Overdue)
	}
	if (Waiting{}).Days(now) != 0 || (Waiting{Since: now.Add(time.Hour)}).Days(now) != 0 {
		t.Error("an answer with no time, or one in the future, waits 0 days")
	}
}
