package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"portal/forms"
	"portal/forms/demo"
	"portal/storage"
	"portal/storage/pgcluster"
	"portal/storage/storagetest"
)

// The fault run's size: `make test` runs a small one, `make faults` the
// full one (32 writers, a 10 s outage, 8 s between faults).
var (
	faultWriters = flag.Int("writers", 8, "TestFaultRun: how many people save at once")
	faultOutage  = flag.Duration("outage", 3*time.Second, "TestFaultRun: how long the database stays down")
	faultPhase   = flag.Duration("phase", 3*time.Second, "TestFaultRun: how long people save between faults")
)

// TestFaultRun has people save the statistics of one draft at once, each
// their own cells, through a portal process killed with SIGKILL and
// started again, a PostgreSQL restart and a database outage, on a private
// PostgreSQL cluster of its own. Every save the portal acknowledged must be
// in the database at the end; no answer may be a 500 or a blank 200 (503,
// "temporarily unavailable", is the answer during the faults).
func TestFaultRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := storagetest.NewDir(t) + "/pg"
	cluster, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cluster.Stop(context.Background()) })
	if err := cluster.CreateDatabase(ctx, "portal"); err != nil {
		t.Fatal(err)
	}
	dbURL := cluster.URL("portal")
	restartDatabase := func(down time.Duration) {
		t.Helper()
		port := cluster.Port()
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := cluster.Stop(sctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(down)
		if cluster, err = pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Port: port, Logger: quiet}); err != nil {
			t.Fatal(err)
		}
	}

	addr := freeAddr(t) // one address throughout: sessions name the provider by it
	base := "http://" + addr
	env := []string{"PORTAL_DATABASE_URL=" + dbURL, "PORTAL_ADDR=" + addr, "PORTAL_LOG_LEVEL=warn"}
	portal := startPortal(t, env, "serve")
	waitReady(t, portal, addr, 90*time.Second)

	var stats forms.Call
	for _, c := range demo.Calls(time.Now()) {
		if c.Questionnaire == "crime-statistics" {
			stats = c
		}
	}
	section := base + "/orgs/AUT/calls/" + stats.Key + "/police"

	// Sign-in is rate-limited per address: a few sessions, shared by the
	// writers as tabs of one browser share theirs.
	tr := &http.Transport{MaxIdleConnsPerHost: *faultWriters}
	t.Cleanup(tr.CloseIdleConnections)
	var sessions []*http.Client
	for i := range min(*faultWriters, 6) {
		sessions = append(sessions, devSignIn(t, base, []string{"demo-fp-aut", "demo-contrib-aut"}[i%2]))
	}
	u, _ := url.Parse(base)
	w := newWriter(t, sessions[0], u, tr)
	code, page, err := w.get(section)
	if err != nil || code != http.StatusOK {
		t.Fatalf("GET the police section: %d %v", code, err)
	}
	var cells []string
	for name := range fieldsOf(page) {
		if strings.HasPrefix(name, "c/police_offences/") {
			cells = append(cells, name)
		}
	}
	sort.Strings(cells)
	if len(cells) < *faultWriters {
		t.Fatalf("the police section has %d cells for %d writers", len(cells), *faultWriters)
	}

	tally := newTally()
	tally.phase("before the faults")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	stopWriters := sync.OnceFunc(func() { close(stop); wg.Wait() })
	defer stopWriters() // also when a fault's step fails the test
	writers := make([]*writer, *faultWriters)
	for i := range writers {
		writers[i] = newWriter(t, sessions[i%len(sessions)], u, tr)
		writers[i].cell, writers[i].autosave, writers[i].first = cells[i], i%2 == 1, int64(i+1)*1_000_000
		wg.Go(func() { writers[i].run(section, tally, stop) })
	}

	started := time.Now()
	phase := func(name string) {
		tally.phase(name)
		time.Sleep(*faultPhase)
	}
	time.Sleep(*faultPhase)

	tally.phase("portal killed, starting again")
	if err := portal.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	portal.wait(t, 10*time.Second)
	portal = startPortal(t, env, "serve")
	waitReady(t, portal, addr, 60*time.Second)
	phase("after the portal's restart")

	tally.phase("PostgreSQL restarting")
	restartDatabase(0)
	readyAfterRestart := timeToReady(t, addr)
	phase("after PostgreSQL's restart")

	tally.phase("database down, then starting")
	restartDatabase(*faultOutage)
	readyAfterOutage := timeToReady(t, addr)
	phase("after the outage")

	stopWriters()
	elapsed := time.Since(started)

	// Every acknowledged figure is in the database: the last acknowledged,
	// or one sent after it whose answer never came (a save may commit and
	// its answer be lost with the killed process).
	s, err := storage.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	call, err := s.CallByKey(ctx, stats.Key)
	if err != nil {
		t.Fatal(err)
	}
	org, err := s.OrganizationByCode(ctx, "AUT")
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.Draft(ctx, call, forms.OrganizationRef{ID: org.ID, Code: org.Code})
	if err != nil {
		t.Fatal(err)
	}
	acked := 0
	for _, w := range writers {
		acked += w.acks
		ref, _ := forms.ParseCellField(w.cell)
		got := d.Answers.Cells[ref]
		switch {
		case w.acked == 0 && (got == forms.Cell{} || slices.Contains(w.unanswered, got.Value)):
		case got.State == forms.CellValue && (got.Value == w.acked || slices.Contains(w.unanswered, got.Value)):
		default:
			t.Errorf("%s: the database holds %+v; the last acknowledged save was %d, and %v were sent after it unanswered", w.cell, got, w.acked, w.unanswered)
		}
	}

	t.Logf("%d writers on a section of %d KB, %v outage, %v between faults, %v in all: %d acknowledged saves, none lost",
		len(writers), len(page)>>10, *faultOutage, *faultPhase, elapsed.Round(time.Second), acked)
	t.Logf("/readyz 200 %v after PostgreSQL's restart, %v after the outage", readyAfterRestart.Round(10*time.Millisecond), readyAfterOutage.Round(10*time.Millisecond))
	for _, line := range tally.report() {
		t.Log(line)
	}
	if tally.bad > 0 {
		t.Errorf("%d answers were neither what a save or a page gets nor 503 (see above)", tally.bad)
	}
	if n := tally.acksIn("after the outage"); n == 0 {
		t.Error("no save was acknowledged after the outage: the portal did not recover")
	}
	if strings.Contains(portal.stderr.String(), "panic") {
		t.Errorf("the portal panicked:\n%s", portal.stderr)
	}
}

// timeToReady polls /readyz until it answers 200 and returns how long that took.
func timeToReady(t *testing.T, addr string) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		if code, _, err := get("http://" + addr + "/readyz"); err == nil && code == http.StatusOK {
			return time.Since(start)
		}
		if time.Since(start) > 60*time.Second {
			t.Fatal("/readyz did not answer 200 within 60 s of the database's return")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// writer is one person saving their own cell of the section, again and
// again, as a browser does: load the section, change the cell, save.
type writer struct {
	c          *http.Client
	cell       string
	autosave   bool  // save as the page's script does (the changed field, answered in JSON), else as the Save button (the whole form, answered by a redirect)
	first      int64 // the first figure; each save sends the next
	n          int64
	acked      int64   // the last figure acknowledged
	acks       int     // how many saves were acknowledged
	unanswered []int64 // figures sent since, whose answer never came
}

// newWriter returns a writer with a browser of its own, signed in with
// the session of signedIn.
func newWriter(t *testing.T, signedIn *http.Client, u *url.URL, tr *http.Transport) *writer {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	jar.SetCookies(u, signedIn.Jar.Cookies(u))
	return &writer{c: &http.Client{Jar: jar, Transport: tr, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (w *writer) get(target string) (int, string, error) {
	resp, err := w.c.Get(target)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func (w *writer) run(section string, tally *tally, stop chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		code, page, err := w.get(section)
		tally.answer("GET section", code, len(page), err, code == http.StatusOK && page != "")
		if err != nil || code != http.StatusOK || page == "" {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		form := fieldsOf(page)
		if form.Get("version") == "" || form.Get("end") != "1" {
			tally.odd(fmt.Sprintf("GET section: a 200 without the form (%d bytes)", len(page)))
			continue
		}
		figure := w.first + w.n
		w.n++
		form.Set(w.cell, strconv.FormatInt(figure, 10))
		if w.autosave {
			form.Set("fields", w.cell) // as the page's script does: only what changed
		}
		req, _ := http.NewRequest(http.MethodPost, section, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		what := "Save"
		if w.autosave {
			req.Header.Set("X-Autosave", "1")
			what = "autosave"
		}
		w.unanswered = append(w.unanswered, figure)
		resp, err := w.c.Do(req)
		if err != nil {
			tally.answer(what, 0, 0, err, false)
			continue
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		var ok bool
		if w.autosave {
			var reply struct{ Status string }
			ok = resp.StatusCode == http.StatusOK && json.Unmarshal(body, &reply) == nil && reply.Status == "saved"
		} else {
			loc, _ := resp.Location()
			ok = resp.StatusCode == http.StatusSeeOther && loc != nil && loc.Path == req.URL.Path
		}
		tally.answer(what, resp.StatusCode, len(body), err, ok)
		if ok && err == nil {
			w.acked, w.acks, w.unanswered = figure, w.acks+1, nil
		}
	}
}

// tally counts the answers by phase of the run and kind.
type tally struct {
	mu     sync.Mutex
	now    string
	phases []string
	counts map[string]map[string]int // phase → kind of answer → how many
	bad    int
}

func newTally() *tally { return &tally{counts: map[string]map[string]int{}} }

func (t *tally) phase(name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.now = name
	t.phases = append(t.phases, name)
	t.counts[name] = map[string]int{}
}

// answer counts one answer: err for no answer at all (the portal is
// down), else its status; ok when it is what the request wants.
func (t *tally) answer(what string, status, size int, err error, ok bool) {
	switch {
	case ok && err == nil && strings.HasPrefix(what, "GET"):
		t.count(what+": 200", false)
	case ok && err == nil:
		t.count(what+": acknowledged", false)
	case err != nil:
		t.count(what+": no answer (connection refused or cut)", false)
	case status == http.StatusServiceUnavailable:
		t.count(what+": 503", false)
	case status == http.StatusOK && size == 0:
		t.count(what+": a blank 200", true)
	default:
		t.count(fmt.Sprintf("%s: %d", what, status), true)
	}
}

func (t *tally) odd(what string) { t.count(what, true) }

func (t *tally) count(kind string, bad bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.counts[t.now][kind]++
	if bad {
		t.bad++
	}
}

func (t *tally) acksIn(phase string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.counts[phase]["Save: acknowledged"] + t.counts[phase]["autosave: acknowledged"]
}

func (t *tally) report() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	for _, p := range t.phases {
		var kinds []string
		for k, n := range t.counts[p] {
			kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
		}
		sort.Strings(kinds)
		out = append(out, p+": "+strings.Join(kinds, ", "))
	}
	return out
}

var (
	inputRe  = regexp.MustCompile(`<input ([^>]*)>`)
	attrRe   = regexp.MustCompile(`(?:^|\s)(name|value|type)="([^"]*)"`)
	selectRe = regexp.MustCompile(`(?s)<select [^>]*name="([^"]*)"[^>]*>(.*?)</select>`)
	chosenRe = regexp.MustCompile(`<option value="([^"]*)"[^>]* selected>`)
	areaRe   = regexp.MustCompile(`(?s)<textarea ([^>]*)>(.*?)</textarea>`)
	unescape = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&quot;", `"`, "&amp;", "&")
)

// fieldsOf returns what the page's forms would send as they are: every
// input, select and textarea with its current value.
func fieldsOf(page string) url.Values {
	v := url.Values{}
	attrs := func(s string) map[string]string {
		m := map[string]string{}
		for _, a := range attrRe.FindAllStringSubmatch(s, -1) {
			m[a[1]] = unescape.Replace(a[2])
		}
		return m
	}
	for _, m := range inputRe.FindAllStringSubmatch(page, -1) {
		a := attrs(m[1])
		if a["name"] == "" || a["type"] == "file" {
			continue
		}
		if (a["type"] == "checkbox" || a["type"] == "radio") && !strings.Contains(m[1], " checked") {
			continue
		}
		v.Add(a["name"], a["value"])
	}
	for _, m := range areaRe.FindAllStringSubmatch(page, -1) {
		v.Add(attrs(m[1])["name"], unescape.Replace(m[2]))
	}
	for _, m := range selectRe.FindAllStringSubmatch(page, -1) {
		chosen := ""
		if sel := chosenRe.FindStringSubmatch(m[2]); sel != nil {
			chosen = sel[1]
		}
		v.Add(m[1], chosen)
	}
	return v
}
