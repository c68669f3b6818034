package views

import (
	"testing"
	"time"

	"portal/forms"
	"portal/templates/words"
)

func TestEntryNote(t *testing.T) {
	cat, err := words.Load()
	if err != nil {
		t.Fatal(err)
	}
	e := &forms.OfficeEntry{Channel: forms.ChannelPost, ReceivedOn: time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC), ReceivedFrom: "the Permanent Mission"}
	for _, tc := range []struct {
		lang forms.Language
		org  string
		want string
	}{
		{forms.English, "Austria", "Entered by the Office on behalf of Austria: received by post on 2026-03-12 from the Permanent Mission"},
		{forms.French, "Autriche", "Saisi par l’Office pour le compte de : Autriche — reçu par courrier postal le 2026-03-12 de the Permanent Mission"},
	} {
		if got := EntryNote(cat.Text(tc.lang), tc.org, e); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.lang, got, tc.want)
		}
	}
	if got := EntryNote(cat.Text(forms.English), "Austria", nil); got != "" {
		t.Errorf("no entry: %q, want nothing", got)
	}
}
