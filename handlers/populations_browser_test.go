package handlers

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portal/forms"
	"portal/handlers/browsertest"
	"portal/storage/storagetest"
)

// TestBrowserPopulationTable opens the population table's page with a
// few hundred stored figures, in English and in Arabic, at 1366 px and on
// a phone (390 px): axe-core finds no serious problem; on the phone the
// page keeps its width and the table scrolls in its own box; in Arabic
// the State's name is the rightmost column.
func TestBrowserPopulationTable(t *testing.T) {
	store := storagetest.NewStore(t)
	var rows []forms.Population
	for _, code := range []string{"AUT", "CIV", "DEU", "EGY", "FRA", "KEN", "MEX"} {
		for y := 1990; y <= 2025; y++ {
			rows = append(rows, forms.Population{Code: code, Year: y, Population: 5_000_000 + int64(y)*1000,
				Source: "UN World Population Prospects 2024, medium variant"})
		}
	}
	if err := store.SavePopulations(context.Background(), rows, forms.Actor{Label: "Office analyst (demo)"}); err != nil {
		t.Fatal(err)
	}
	ts, _ := startServer(t, store)
	b := browsertest.New(t, 3*time.Minute)
	b.Do(chromedp.Navigate(ts.URL + "/"))
	browserSignIn(b, ts.URL, "demo-analyst")
	for _, lang := range []string{"en", "ar"} {
		b.Do(chromedp.Navigate(ts.URL + "/language/" + lang + "?next=/office"))
		for _, width := range []int64{1366, 390} {
			name := lang + "-" + strconv.FormatInt(width, 10)
			b.Do(chromedp.EmulateViewport(width, 900),
				chromedp.Navigate(ts.URL+"/office/populations?q=a&page=2"), chromedp.WaitVisible(chromedp.CSS(`#population-rows table`)))
			b.CheckAccessible(name + " population table")
			b.Screenshot(name + "-populations")
			if got := b.Eval(`String(document.documentElement.scrollWidth)`); got != strconv.FormatInt(width, 10) {
				b.Fatalf("%s: the page is %s px wide", name, got)
			}
			if width == 390 && b.Eval(`(() => { const s = document.querySelector('#population-rows .table-scroll'); return String(s.scrollWidth > s.clientWidth) })()`) != "true" {
				b.Fatalf("%s: the table does not scroll in its box", name)
			}
			rightmost := b.Eval(`(() => { const r = document.querySelector('#population-rows tbody tr'); const name = r.querySelector('th').getBoundingClientRect(), code = r.querySelector('td').getBoundingClientRect(); return String(name.left > code.left) })()`)
			if want := strconv.FormatBool(lang == "ar"); rightmost != want {
				b.Fatalf("%s: the State's name right of its code: %s, want %s", name, rightmost, want)
			}
		}
	}
}
