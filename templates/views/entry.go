package views

import (
	"time"

	"portal/forms"
	"portal/templates/words"
)

// EntryNote says that the Office entered an organization's answers on its
// behalf, and how they reached it: "Entered by the Office on behalf of
// Austria: received by e-mail on 2026-03-12 from the Ministry of
// Interior". org is the organization's name in t's language; "" when e is
// nil. The day is written as the Office recorded it, in no time zone.
func EntryNote(t words.Text, org string, e *forms.OfficeEntry) string {
	if e == nil {
		return ""
	}
	return t.Tf("entry.note", map[string]any{"Organization": org, "Channel": t.T("entry.channel." + e.Channel),
		"Date": e.ReceivedOn.Format(time.DateOnly), "From": e.ReceivedFrom})
}
