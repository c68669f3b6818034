package forms

import (
	"slices"
	"time"
)

// Reminders: a call reminds, on the days it names, the organizations it
// asks that have not answered (not submitted, and not covered by a joint
// submission); a reminder after the deadline only while the call still
// takes answers.

// MaxReminders is the most reminder days a call may have; MaxReminderDays
// the furthest from the deadline a reminder may be, either way.
const (
	MaxReminders    = 6
	MaxReminderDays = 120
)

// ReminderAt returns when the reminder of day d goes out: d days before
// the deadline (after it, when negative), at the same time of day in the
// call's time zone.
func (c Call) ReminderAt(d int) time.Time {
	return c.Deadline.In(c.Location()).AddDate(0, 0, -d)
}

// DueReminder says which reminder of c is due at now, given the days done
// already: the latest whose time has come and that is not done. The
// earlier ones not done are superseded (a call whose reminders were set,
// or that opened, after their time sends only the latest, not a burst):
// they are to be recorded as done without being sent. ok is false when
// nothing is due: the call is not open, has no deadline, or every
// reminder whose time has come is done.
func (c Call) DueReminder(now time.Time, done map[int]bool) (day int, superseded []int, ok bool) {
	if c.State != CallOpen || c.Deadline.IsZero() {
		return 0, nil, false
	}
	days := slices.Clone(c.Reminders)
	slices.Sort(days)
	slices.Reverse(days) // earliest time first: 30, 7, 1, -7
	for _, d := range days {
		if now.Before(c.ReminderAt(d)) {
			break
		}
		if d < 0 && !c.LateAllowed {
			break // the call closes at its deadline: nobody can answer late
		}
		if done[d] {
			continue
		}
		if ok {
			superseded = append(superseded, day)
		}
		day, ok = d, true
	}
	return day, superseded, ok
}

// RemindWhom returns, of the responses to a call, the organizations a
// reminder goes to: those that have not answered.
func RemindWhom(rs []Response) []Organization {
	var out []Organization
	for _, r := range rs {
		if !r.Answered() {
			out = append(out, r.Organization)
		}
	}
	return out
}

// ValidReminders reports whether days are reminder days a call may have:
// at most MaxReminders, each once, none zero, within MaxReminderDays of
// the deadline.
func ValidReminders(days []int) bool {
	if len(days) > MaxReminders {
		return false
	}
	seen := map[int]bool{}
	for _, d := range days {
		if d == 0 || d > MaxReminderDays || d < -MaxReminderDays || seen[d] {
			return false
		}
		seen[d] = true
	}
	return true
}

// Contact is a person through whom an organization's answer to a call is
// chased: a focal point or a contributor.
type Contact struct {
	Name, Email string
	Role        Role
	LastSignIn  time.Time // zero when they never signed in
	Language    Language  // of the mail they receive (see Mail.Language)
}

// Reminded is what an organization was last reminded of a call: when, on
// which day (days before the deadline), and how its messages went.
type Reminded struct {
	At                   time.Time
	Day                  int
	Sent, Queued, Failed int // messages, by state (skipped ones count as failed)
}
