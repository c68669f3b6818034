package words

import (
	"strconv"
	"time"

	"portal/forms"
)

// Numbers, dates and sizes as pages, workbooks and messages show them.
// Dates are ISO 8601 in every language, with the zone named; counts group
// their digits as the language does (forms.FormatCount).

// Timestamp writes a moment to the minute, in UTC: "2025-03-01 14:05 UTC".
func (t Text) Timestamp(at time.Time) string {
	return at.UTC().Format("2006-01-02 15:04 UTC")
}

// TimestampSeconds writes a moment to the second, in UTC, for records
// such as the audit log: "2025-03-01 14:05:09 UTC".
func (t Text) TimestampSeconds(at time.Time) string {
	return at.UTC().Format("2006-01-02 15:04:05 UTC")
}

// Day writes a moment's day in UTC: "2025-03-01".
func (t Text) Day(at time.Time) string {
	return at.UTC().Format(time.DateOnly)
}

// Clock writes a moment's time of day in UTC: "14:05".
func (t Text) Clock(at time.Time) string {
	return at.UTC().Format("15:04")
}

// TimeIn writes a moment to the minute in the zone loc, which it names
// (a call's deadline in the call's zone): "2025-03-01 23:59 (Europe/Vienna)".
func (t Text) TimeIn(at time.Time, loc *time.Location) string {
	return at.In(loc).Format("2006-01-02 15:04") + " (" + loc.String() + ")"
}

// Countdown says how long is left from now until deadline ("3 days
// left", "5 hours left" in the last two days), or that it has passed.
func (t Text) Countdown(deadline, now time.Time) string {
	d := deadline.Sub(now)
	switch {
	case d < 0:
		return t.T("deadline.passed")
	case d < 48*time.Hour:
		return t.Tf("deadline.hours", map[string]any{"Count": int(d.Hours())})
	default:
		return t.Tf("deadline.days", map[string]any{"Count": int(d.Hours() / 24)})
	}
}

// FileSize writes a file's size of n bytes: whole kilobytes (rounded up,
// digits grouped as the language does) below a megabyte, megabytes with
// one decimal from there.
func (t Text) FileSize(n int64) string {
	if n < 1<<20 {
		return forms.FormatCount((n+1023)>>10, t.Lang) + " KB"
	}
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
}

// Megabytes writes a limit of n bytes in whole megabytes: "10 MB".
func (t Text) Megabytes(n int64) string {
	return strconv.FormatInt(n>>20, 10) + " MB"
}

// Rate writes a rate (per 100,000 inhabitants) with two decimals.
func (t Text) Rate(x float64) string {
	return strconv.FormatFloat(x, 'f', 2, 64)
}

// Change writes a relative change from the year before, in whole percent
// and signed when it is a rise: 0.25 is "+25 %", -0.1 is "-10 %".
func (t Text) Change(ratio float64) string {
	s := strconv.FormatFloat(ratio*100, 'f', 0, 64) + " %"
	if ratio > 0 {
		s = "+" + s
	}
	return s
}
