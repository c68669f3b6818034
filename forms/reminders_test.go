package forms

import (
	"slices"
	"testing"
	"time"
)

// TestDueReminder: who gets what on which day, for a call with reminders
// 30, 7 and 1 days before its deadline and 7 days after, on a fake clock.
func TestDueReminder(t *testing.T) {
	vienna, err := time.LoadLocation("Europe/Vienna")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Date(2026, 3, 31, 23, 59, 0, 0, vienna) // the clocks change on 29 March
	call := Call{State: CallOpen, Deadline: deadline, TimeZone: "Europe/Vienna", Reminders: []int{7, -7, 30, 1}, LateAllowed: true}
	at := func(month time.Month, day, hour int) time.Time {
		return time.Date(2026, month, day, hour, 0, 0, 0, vienna)
	}
	tests := []struct {
		name       string
		call       Call
		now        time.Time
		done       []int
		day        int
		superseded []int
		ok         bool
	}{
		{"long before", call, at(2, 1, 12), nil, 0, nil, false},
		{"the minute before 30 days", call, at(3, 1, 23).Add(58 * time.Minute), nil, 0, nil, false},
		{"30 days before", call, at(3, 2, 0), nil, 30, nil, true},
		{"30 done", call, at(3, 10, 0), []int{30}, 0, nil, false},
		{"7 days before, across the change of clocks", call, at(3, 24, 23).Add(59 * time.Minute), []int{30}, 7, nil, true},
		{"reminders set late: only the latest goes", call, at(3, 31, 12), nil, 1, []int{30, 7}, true},
		{"all before done", call, at(4, 3, 0), []int{30, 7, 1}, 0, nil, false},
		{"a week late", call, at(4, 7, 23).Add(59 * time.Minute), []int{30, 7, 1}, -7, nil, true},
		{"after the deadline, a call that takes no late answers", func() Call { c := call; c.LateAllowed = false; return c }(), at(4, 8, 0), []int{30, 7, 1}, 0, nil, false},
		{"a closed call", func() Call { c := call; c.State = CallClosed; return c }(), at(3, 5, 0), nil, 0, nil, false},
		{"no reminders", func() Call { c := call; c.Reminders = nil; return c }(), at(3, 31, 0), nil, 0, nil, false},
		{"no deadline", func() Call { c := call; c.Deadline = time.Time{}; return c }(), at(3, 31, 0), nil, 0, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := map[int]bool{}
			for _, d := range tt.done {
				done[d] = true
			}
			day, superseded, ok := tt.call.DueReminder(tt.now, done)
			if day != tt.day || ok != tt.ok || !slices.Equal(superseded, tt.superseded) {
				t.Errorf("DueReminder(%s) = %d %v %v, want %d %v %v", tt.now, day, superseded, ok, tt.day, tt.superseded, tt.ok)
			}
		})
	}
	if got := call.ReminderAt(7); !got.Equal(time.Date(2026, 3, 24, 23, 59, 0, 0, vienna)) {
		t.Errorf("7 days before the deadline: %s (the clock time stays across the change of clocks)", got)
	}
}

// TestRemindWhom: a reminder goes to those that have not answered: not to
// those who submitted, were accepted, were returned (the Office awaits
// them, and said so) or are covered by a joint submission.
func TestRemindWhom(t *testing.T) {
	org := func(code string) Organization { return Organization{Code: code} }
	rs := []Response{
		{Organization: org("AUT"), State: NotStarted},
		{Organization: org("BEL"), State: InDraft},
		{Organization: org("DEU"), State: Submitted},
		{Organization: org("ESP"), State: Accepted},
		{Organization: org("FRA"), State: Returned},
		{Organization: org("NLD"), State: NotStarted, CoveredBy: "EU"},
		{Organization: org("ITA"), State: InDraft, Versions: 1}, // withdrawn after submitting
	}
	var got []string
	for _, o := range RemindWhom(rs) {
		got = append(got, o.Code)
	}
	if want := []string{"AUT", "BEL", "ITA"}; !slices.Equal(got, want) {
		t.Errorf("reminded %v, want %v", got, want)
	}
}

func TestValidReminders(t *testing.T) {
	for _, tt := range []struct {
		days []int
		ok   bool
	}{
		{nil, true}, {[]int{30, 7, 1, -7}, true}, {[]int{0}, false}, {[]int{7, 7}, false},
		{[]int{121}, false}, {[]int{-121}, false}, {[]int{1, 2, 3, 4, 5, 6, 7}, false},
	} {
		if got := ValidReminders(tt.days); got != tt.ok {
			t.Errorf("ValidReminders(%v) = %v, want %v", tt.days, got, tt.ok)
		}
	}
}
