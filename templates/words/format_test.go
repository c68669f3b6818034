package words

import (
	"testing"
	"time"

	"portal/forms"
)

func TestFormats(t *testing.T) {
	c := catalogue(t)
	en, fr, ar := c.Text(forms.English), c.Text(forms.French), c.Text(forms.Arabic)
	vienna, err := time.LoadLocation("Europe/Vienna")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 3, 1, 23, 5, 9, 0, vienna) // 22:05:09 UTC
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ got, want string }{
		{en.Timestamp(at), "2025-03-01 22:05 UTC"},
		{en.TimestampSeconds(at), "2025-03-01 22:05:09 UTC"},
		{en.Day(at), "2025-03-01"},
		{en.Clock(at), "22:05 UTC"},
		// A page about a call shows its times in the call's zone, named.
		{en.InZone(vienna).Timestamp(at.UTC()), "2025-03-01 23:05 (Europe/Vienna)"},
		{en.InZone(vienna).Day(at.UTC().Add(time.Hour)), "2025-03-02"},
		// An Arabic page keeps a time's parts in order.
		{ar.Timestamp(at), "\u20662025-03-01 22:05 UTC\u2069"},
		{en.Countdown(now.Add(-time.Minute), now), "the deadline has passed"},
		{en.Countdown(now.Add(90*time.Minute), now), "1 hour left"},
		{en.Countdown(now.Add(47*time.Hour), now), "47 hours left"},
		{en.Countdown(now.Add(72*time.Hour+time.Minute), now), "3 days left"},
		{en.FileSize(1), "1 KB"},
		{en.FileSize(1024), "1 KB"},
		{en.FileSize(1 << 20), "1.0 MB"},
		{en.FileSize(3<<20 + 1<<19), "3.5 MB"},
		{fr.FileSize(1<<20 - 1), "1\u202f024 KB"},
		{en.Megabytes(10 << 20), "10 MB"},
		{en.Rate(12.345), "12.35"},
		{fr.Rate(87.006), "87,01"},
		{fr.Rate(12345.5), "12\u202f345,50"},
		{fr.FileSize(3<<20 + 1<<19), "3,5 MB"},
		{en.Decimal(-0.25, 1), "-0.2"},
		{ar.Decimal(1234.5, 1), "1,234.5"},
		{en.Change(0.25), "+25 %"},
		{en.Change(-0.104), "-10 %"},
		{en.Change(0), "0 %"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
