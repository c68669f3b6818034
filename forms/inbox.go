package forms

import (
	"slices"
	"strings"
	"time"
)

// Inbox is what waits for whom across the calls open or closed (not in
// preparation, not reported on), as the Office's home shows it.
type Inbox struct {
	// ToReview are the submissions waiting for the Office's decision,
	// the longest waiting first.
	ToReview []Waiting
	// Returned are the submissions the Office returned for clarification,
	// waiting for the organization, the longest waiting first.
	Returned []Waiting
	// Overdue are the calls past their deadline that organizations they
	// ask have not answered, the earliest deadline first.
	Overdue []OverdueCall
}

// Waiting is an organization's answer to a call, waiting since a time.
type Waiting struct {
	Call     Call
	Response Response
	Since    time.Time // when it entered its state
}

// Days is how many whole days it has waited at now.
func (w Waiting) Days(now time.Time) int {
	if w.Since.IsZero() || now.Before(w.Since) {
		return 0
	}
	return int(now.Sub(w.Since) / (24 * time.Hour))
}

// OverdueCall is a call past its deadline with the organizations it asks
// that have not answered.
type OverdueCall struct {
	Call    Call
	Missing int
}

// OfficeInbox sorts the responses to the calls (by call ID, as
// ResponsesTo gives them) into what waits for whom at now.
func OfficeInbox(calls []Call, responses map[int64][]Response, now time.Time) Inbox {
	var in Inbox
	for _, c := range calls {
		if c.State == CallDraft || c.State == CallReported {
			continue // nothing waits on a call in preparation or reported on
		}
		missing := 0
		for _, r := range responses[c.ID] {
			switch {
			case r.State == Submitted:
				in.ToReview = append(in.ToReview, Waiting{Call: c, Response: r, Since: r.StateSince})
			case r.State == Returned:
				in.Returned = append(in.Returned, Waiting{Call: c, Response: r, Since: r.StateSince})
			case !r.Answered():
				missing++
			}
		}
		if missing > 0 && c.Late(now) {
			in.Overdue = append(in.Overdue, OverdueCall{Call: c, Missing: missing})
		}
	}
	oldestFirst := func(a, b Waiting) int {
		if c := a.Since.Compare(b.Since); c != 0 {
			return c
		}
		return strings.Compare(a.Response.Organization.Code, b.Response.Organization.Code)
	}
	slices.SortStableFunc(in.ToReview, oldestFirst)
	slices.SortStableFunc(in.Returned, oldestFirst)
	slices.SortStableFunc(in.Overdue, func(a, b OverdueCall) int { return a.Call.Deadline.Compare(b.Call.Deadline) })
	return in
}
