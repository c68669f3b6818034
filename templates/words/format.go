package words

import (
	"strconv"
	"time"

	"portal/forms"
)

// Numbers, dates and sizes as pages, workbooks and messages show them.
// Dates are ISO 8601 in every language; a page shows its times in one
// zone (Text.Zone), named beside each. Counts group their digits as the
// language does (forms.FormatCount), and decimals take its decimal mark
// (forms.FormatDecimal). In a right-to-left page a time is isolated as
// left-to-right text, so that its date and hour keep their order.

// zone is the page's zone.
func (t Text) zone() *time.Location {
	if t.Zone == nil {
		return time.UTC
	}
	return t.Zone
}

// ZoneName names the page's zone: "UTC", "Europe/Vienna".
func (t Text) ZoneName() string { return t.zone().String() }

// InZone returns t showing times in loc.
func (t Text) InZone(loc *time.Location) Text {
	t.Zone = loc
	return t
}

// stamp writes at in the page's zone with layout, and names the zone.
func (t Text) stamp(at time.Time, layout string) string {
	z := t.zone()
	s := at.In(z).Format(layout)
	if z == time.UTC {
		s += " UTC"
	} else {
		s += " (" + z.String() + ")"
	}
	return t.isolate(s)
}

// isolate keeps s left to right inside a right-to-left page (Unicode's
// left-to-right isolate): "2025-03-01 14:05 UTC" read in Arabic would
// otherwise show its parts in reverse order.
func (t Text) isolate(s string) string {
	if t.Lang.RightToLeft() {
		return "\u2066" + s + "\u2069"
	}
	return s
}

// Timestamp writes a moment to the minute in the page's zone, named:
// "2025-03-01 14:05 UTC", "2025-03-01 15:05 (Europe/Vienna)".
func (t Text) Timestamp(at time.Time) string {
	return t.stamp(at, "2006-01-02 15:04")
}

// TimestampSeconds writes a moment to the second, for records such as
// the audit log and receipts: "2025-03-01 14:05:09 UTC".
func (t Text) TimestampSeconds(at time.Time) string {
	return t.stamp(at, "2006-01-02 15:04:05")
}

// Day writes a moment's day in the page's zone: "2025-03-01".
func (t Text) Day(at time.Time) string {
	return at.In(t.zone()).Format(time.DateOnly)
}

// Clock writes a moment's time of day in the page's zone, named: "14:05 UTC".
func (t Text) Clock(at time.Time) string {
	return t.stamp(at, "15:04")
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
	return forms.FormatDecimal(float64(n)/(1<<20), 1, t.Lang) + " MB"
}

// Megabytes writes a limit of n bytes in whole megabytes: "10 MB".
func (t Text) Megabytes(n int64) string {
	return strconv.FormatInt(n>>20, 10) + " MB"
}

// Rate writes a rate (per 100,000 inhabitants) with two decimals, in the
// language's digits and marks: 1,234.56 in English, 1 234,56 in French.
func (t Text) Rate(x float64) string {
	return forms.FormatDecimal(x, 2, t.Lang)
}

// Decimal writes x with digits decimals as the language writes numbers.
func (t Text) Decimal(x float64, digits int) string {
	return forms.FormatDecimal(x, digits, t.Lang)
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
