package handlers

import (
	"net/http"
	"strings"
	"testing"
)

// rowConflict makes the review's case on Austria's justice section and
// returns the two clients, the section, the field of a category
// of the row, and the contributor's save's reply (the conflict page).
func rowConflict(t *testing.T) (fp, contrib *http.Client, section string, cell func(cat string) string, r response) {
	t.Helper()
	base, cs := signedIn(t, "demo-fp-aut", "demo-contrib-aut")
	fp, contrib = cs[0], cs[1]
	section = base + "/orgs/AUT/calls/" + demoCall("crime-statistics").Key + "/justice"
	cell = func(cat string) string { return "c/persons_convicted/homicide/2023/" + cat }
	formA := formOf(t, do(t, fp, "GET", section, nil).body)
	formB := formOf(t, do(t, contrib, "GET", section, nil).body)
	formA.Set(cell("male"), "6")
	if r := do(t, fp, "POST", section, formA); r.status != http.StatusSeeOther {
		t.Fatalf("the focal point's save: %d", r.status)
	}
	for cat, v := range map[string]string{"male": "8", "female": "4", "unknown": "0", "total": "12"} {
		formB.Set(cell(cat), v)
	}
	r = do(t, contrib, "POST", section, formB)
	if r.status != http.StatusConflict {
		t.Fatalf("the contributor's save: %d, want 409", r.status)
	}
	return fp, contrib, section, cell, r
}

// TestConflictRowAndRecheck is the review's case: the focal point saves a
// part of a row (male); the contributor, from the page as it was, saves
// the whole row with another male figure. Female, unknown and the total
// merge; male collides. The conflict page names who saved the other
// figure, shows the row as saved and with the contributor's figures, and
// offers the contributor's own figure first. Keeping the other figure
// would leave the row's parts short of its total: the page says so and
// saves only when asked to save anyway; the contributor's own figure
// saves at once.
func TestConflictRowAndRecheck(t *testing.T) {
	fp, contrib, section, cell, r := rowConflict(t)
	for _, want := range []string{
		"Keep what focal.point@austria.example.org saved on",
		`<caption id="conflict-0-row">The row: Persons convicted — Intentional homicide, 2023</caption>`,
		`<th scope="row">As saved now</th><td class="num changed">6</td><td class="num">4</td><td class="num">0</td><td class="num">12</td>`,
		`<th scope="row">With your figures</th><td class="num changed">8</td><td class="num">4</td><td class="num">0</td><td class="num">12</td>`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the conflict page lacks %q", want)
		}
	}
	choice := formOf(t, r.body)
	if choice.Get("choice/"+cell("male")) != "mine" {
		t.Errorf("the choice offered first is %q, want the user's own", choice.Get("choice/"+cell("male")))
	}

	// Keeping the other figure leaves 6 + 4 + 0 short of 12: shown, not saved.
	choice.Set("choice/"+cell("male"), "theirs")
	r = do(t, contrib, "POST", section+"/resolve", choice)
	if r.status != http.StatusConflict || !strings.Contains(r.body, "With these choices, the row would have an error") ||
		!strings.Contains(r.body, `value="theirs" checked`) || !strings.Contains(r.body, `name="anyway"`) {
		t.Fatalf("keeping a figure that breaks the row: %d\n%s", r.status, r.body)
	}
	// Taking their own figure instead saves at once, the row whole.
	choice = formOf(t, r.body)
	choice.Set("choice/"+cell("male"), "mine")
	choice.Del("anyway")
	if r = do(t, contrib, "POST", section+"/resolve", choice); r.status != http.StatusSeeOther {
		t.Fatalf("taking the contributor's figure: %d", r.status)
	}
	if got := formOf(t, do(t, fp, "GET", section, nil).body).Get(cell("male")); got != "8" {
		t.Errorf("male after the choice: %q, want 8", got)
	}
}

// TestConflictSaveAnyway: the user may keep a choice that leaves an error,
// once told; the draft holds it, and the section shows it.
func TestConflictSaveAnyway(t *testing.T) {
	fp, contrib, section, cell, r := rowConflict(t)
	choice := formOf(t, r.body)
	choice.Set("choice/"+cell("male"), "theirs")
	choice.Set("anyway", "1")
	if r := do(t, contrib, "POST", section+"/resolve", choice); r.status != http.StatusSeeOther {
		t.Fatalf("saving anyway: %d", r.status)
	}
	page := do(t, fp, "GET", section, nil).body
	if formOf(t, page).Get(cell("male")) != "6" || !strings.Contains(page, "cell--invalid") {
		t.Error("after saving anyway, the section does not show the other figure with its error")
	}
}
