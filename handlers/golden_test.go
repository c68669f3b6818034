package handlers

import (
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden pages in testdata/golden")

// goldenPage is one page of the demo as a user sees it: who asks (a dev
// account, or "" for a visitor), in which language, for what address.
type goldenPage struct {
	name, subject, lang, path string
}

// goldenPages are the pages TestGoldenPages keeps: every kind of page the
// demo has, for each role, in English and in a right-to-left and a
// non-Latin language for a few.
func goldenPages(year string) []goldenPage {
	views := "/orgs/AUT/calls/ccpcj-tourism-views"
	stats := "/orgs/AUT/calls/crime-statistics-" + year
	office := "/office/calls/ccpcj-tourism-views"
	officeStats := "/office/calls/crime-statistics-" + year
	return []goldenPage{
		{"landing", "", "en", "/"},
		{"landing-ar", "", "ar", "/"},
		{"signed-out-zh", "", "zh", "/signed-out"},
		{"not-found", "", "en", "/no/such/page"},
		{"fp-home", "demo-fp-aut", "en", "/home"},
		{"fp-organization", "demo-fp-aut", "en", "/orgs/AUT"},
		{"fp-organization-fr", "demo-fp-aut", "fr", "/orgs/AUT"},
		{"fp-views-draft", "demo-fp-aut", "en", views},
		{"fp-views-threats", "demo-fp-aut", "en", views + "/threats"},
		{"fp-views-partnerships-ar", "demo-fp-aut", "ar", views + "/partnerships"},
		{"fp-views-submission", "demo-fp-aut", "en", views + "/submission"},
		{"fp-stats-draft", "demo-fp-aut", "en", stats},
		{"fp-stats-justice", "demo-fp-aut", "en", stats + "/justice"},
		{"fp-stats-police-ru", "demo-fp-aut", "ru", stats + "/police"},
		{"fp-stats-population", "demo-fp-aut", "en", stats + "/population"},
		{"ken-home", "demo-fp-ken", "en", "/home"},
		{"ken-organization", "demo-fp-ken", "en", "/orgs/KEN"},
		{"ken-stats-justice", "demo-fp-ken", "en", "/orgs/KEN/calls/crime-statistics-" + year + "/justice"},
		{"ken-views-submission", "demo-fp-ken", "en", "/orgs/KEN/calls/ccpcj-tourism-views/submission"},
		{"ken-views-receipt", "demo-fp-ken", "en", "/orgs/KEN/calls/ccpcj-tourism-views/receipts/1"},
		{"ken-views-threats", "demo-fp-ken", "es", "/orgs/KEN/calls/ccpcj-tourism-views/threats"},
		{"ken-other-org", "demo-fp-ken", "en", "/orgs/AUT"},
		{"untourism-organization", "demo-fp-untourism", "en", "/orgs/UNTOURISM"},
		{"contrib-home", "demo-contrib-aut", "en", "/home"},
		{"newcomer-home", "demo-newcomer", "en", "/home"},
		{"office", "demo-analyst", "en", "/office"},
		{"office-tracking", "demo-analyst", "en", office},
		{"office-tracking-stats", "demo-analyst", "fr", officeStats},
		{"office-review-fra", "demo-analyst", "en", office + "/orgs/FRA"},
		{"office-review-ken-stats", "demo-analyst", "en", officeStats + "/orgs/KEN"},
		{"office-review-deu-stats", "demo-analyst", "en", officeStats + "/orgs/DEU"},
		{"office-review-mex-stats", "demo-analyst", "en", officeStats + "/orgs/MEX"},
		{"office-statistics", "demo-analyst", "en", officeStats + "/statistics"},
		{"office-coverage", "demo-analyst", "en", officeStats + "/coverage"},
		{"office-views", "demo-analyst", "en", office + "/views"},
		{"office-report", "demo-analyst", "en", office + "/report"},
		{"office-report-preview", "demo-analyst", "en", office + "/report/preview"},
		{"office-populations", "demo-analyst", "en", "/office/populations"},
		{"office-org-aut", "demo-analyst", "en", "/orgs/AUT"},
		{"office-draft-aut", "demo-analyst", "en", views + "/threats"},
		{"office-entry-fra", "demo-analyst", "en", office + "/orgs/FRA/enter"},
		{"office-entry-fra-threats-ar", "demo-analyst", "ar", office + "/orgs/FRA/enter/threats"},
		{"admin-new-call", "demo-admin", "en", "/office/calls/new"},
		{"admin-edit-call", "demo-admin", "en", office + "/edit"},
		{"admin-invitations", "demo-admin", "en", "/office/invitations"},
		{"admin-users", "demo-admin", "en", "/office/users"},
		{"commission", "demo-commission", "en", "/commission"},
		{"commission-release", "demo-commission", "en", "/commission/reports/ccpcj-tourism-views/1"},
		{"commission-release-zh", "demo-commission", "zh", "/commission/reports/ccpcj-tourism-views/1"},
		{"commission-office-forbidden", "demo-commission", "en", "/office"},
	}
}

// goldenVarying are the parts of a page that change from run to run
// without any change of code: times (the demo is seeded relative to now,
// saves and sign-ins are stamped when they happen) and the checksums and
// ids made from them, and the days left before a deadline (demo deadlines
// are at the end of a day in the call's time zone, 30 and 60 days after
// the UTC day the demo was made: one day fewer once that zone's day has
// turned). A static file's content hash is left out too: the pages compare
// their markup, and a change of style sheet or script is not one of it.
var goldenVarying = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(/static/[a-z.-]+)\?v=[0-9a-f]+`), "${1}?v=ASSET"},
	{regexp.MustCompile(`\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?`), "DATE"},
	{regexp.MustCompile(`\b\d{1,2}:\d{2}\b`), "TIME"},
	{regexp.MustCompile(`(?i)[0-9a-f]{16,}`), "HEX"},
	{regexp.MustCompile(`data-x="\d+"`), `data-x="DAY"`}, // a chart over dates: days since 1970
	{regexp.MustCompile(`(\(Europe/Vienna\)[^0-9\n]*)\d+`), "${1}N"},
	{regexp.MustCompile(`(class="due__deadline">[^\n]*?— )\d+`), "${1}N"},
}

func normalizeGolden(body string) string {
	for _, v := range goldenVarying {
		body = v.re.ReplaceAllString(body, v.with)
	}
	return body
}

// TestGoldenPages renders a fixed set of the demo's pages and compares them
// byte for byte (times aside) with testdata/golden, so that a change meant
// to keep behaviour (a reshaping of the code) is checked against what users
// saw before it. After a change that is meant to alter pages, rerun with
// -update and read the diff of testdata/golden before committing it.
func TestGoldenPages(t *testing.T) {
	ts, _ := startServer(t, nil)
	year := strconv.Itoa(time.Now().Year())
	clients := map[string]*http.Client{"": newClient(t)}
	dir := filepath.Join("testdata", "golden")
	if *updateGolden {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range goldenPages(year) {
		c, ok := clients[p.subject]
		if !ok {
			c = clientAs(t, ts.URL, p.subject)
			clients[p.subject] = c
		}
		r := do(t, c, "GET", ts.URL+p.path, nil, "Accept-Language: "+p.lang)
		got := strconv.Itoa(r.status) + "\n" + normalizeGolden(strings.ReplaceAll(r.body, ts.URL, "BASE"))
		file := filepath.Join(dir, p.name+".html")
		if *updateGolden {
			if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Errorf("%s: %v (run with -update to write it)", p.name, err)
			continue
		}
		if got != string(want) {
			t.Errorf("%s (%s as %q): the page differs from %s:\n%s", p.name, p.path, p.subject, file, firstDifference(string(want), got))
		}
	}
}

// firstDifference shows the first line where got leaves want, with its
// neighbours.
func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\n- " + wl + "\n+ " + gl
		}
	}
	return "(same lines, different ends)"
}
