package views

import (
	"time"

	"portal/forms"
	"portal/templates/words"
)

// Inbox is the Office's inbox as its home shows it: what waits for the
// Office, what waits for the States, which calls are past their deadline
// with answers missing.
type Inbox struct {
	ToReview, Returned []InboxRow
	Overdue            []OverdueRow
}

// InboxRow is an answer waiting: whose, to which call, for how long, and
// the page to act on it.
type InboxRow struct {
	Org, Call, Href string
	Waiting         string // "3 days", "since today"
	Days            int
	Late            bool // submitted after the deadline
	Changes         string
}

// OverdueRow is a call past its deadline with the organizations that have
// not answered.
type OverdueRow struct {
	Call, Href, Deadline, Missing string
}

// Empty says whether nothing waits.
func (in Inbox) Empty() bool {
	return len(in.ToReview) == 0 && len(in.Returned) == 0 && len(in.Overdue) == 0
}

// NewInbox words the inbox in t's language at now.
func NewInbox(t words.Text, in forms.Inbox, now time.Time) Inbox {
	row := func(w forms.Waiting) InboxRow {
		r := InboxRow{Org: w.Response.Organization.Name.In(t.Lang), Call: w.Call.Title.In(t.Lang), Days: w.Days(now),
			Href: "/office/calls/" + w.Call.Key + "/orgs/" + w.Response.Organization.Code, Late: w.Response.Late && w.Response.State == forms.Submitted}
		switch {
		case w.Since.IsZero():
		case r.Days == 0:
			r.Waiting = t.T("office.inbox.today")
		default:
			r.Waiting = t.Tn("office.inbox.days", r.Days, nil)
		}
		if w.Response.State == forms.Returned {
			r.Changes = t.T("office.inbox.nochanges")
			if w.Response.Changes > 0 {
				r.Changes = t.Tn("office.inbox.changes", w.Response.Changes, nil)
			}
		}
		return r
	}
	var out Inbox
	for _, w := range in.ToReview {
		out.ToReview = append(out.ToReview, row(w))
	}
	for _, w := range in.Returned {
		out.Returned = append(out.Returned, row(w))
	}
	for _, o := range in.Overdue {
		out.Overdue = append(out.Overdue, OverdueRow{Call: o.Call.Title.In(t.Lang), Href: "/office/calls/" + o.Call.Key,
			Deadline: t.Timestamp(o.Call.Deadline), Missing: t.Tn("office.inbox.missing", o.Missing, nil)})
	}
	return out
}
