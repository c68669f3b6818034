package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"portal/forms"
	"portal/forms/definition"
	"portal/forms/synthetic"
	"portal/storage"
	"portal/storage/pgcluster"
	"portal/storage/storagetest"
)

// The load run (make load): off unless -load is given.
var (
	loadRun      = flag.Bool("load", false, "TestLoad: run the load test against `portal serve` (make load)")
	loadClients  = flag.String("load.clients", "16,64", "TestLoad: the numbers of signed-in clients to measure, each in a closed loop")
	loadDuration = flag.Duration("load.duration", 20*time.Second, "TestLoad: how long each measurement lasts")
	loadWarmup   = flag.Duration("load.warmup", 5*time.Second, "TestLoad: how long the clients run before each measurement")
	loadRounds   = flag.Int("load.rounds", 1, "TestLoad: how many times each measurement is taken, in turn")
	loadSection  = flag.String("load.section", "justice", "TestLoad: the section of the demo statistics call the clients open")
	loadBaseline = flag.String("load.baseline", "", "TestLoad: a portal binary to measure in the same run, in turn with this one, as the baseline")
	loadTop      = flag.Int("load.top", 0, "TestLoad: list the statements taking most of PostgreSQL's time, this many")
)

// TestLoad measures a section of the demo statistics call (the justice
// section by default: 624 cells shown, 764 in the draft, every one
// filled) served by `portal serve` on PostgreSQL, with N signed-in clients
// in a closed loop (each asks for the page again as soon as it has read
// it): pages a second, latency p50 and p99, CPU per page of the portal,
// of PostgreSQL and of the clients, and from pg_stat_statements the
// statements per page and the share of PostgreSQL's statement time spent
// planning. With -load.baseline, another portal binary (an older commit's,
// say) is measured in the same run, in turn with this one, on its own
// database of the same cluster, and each figure is also given as a ratio
// to it. See docs/benchmarks.md.
func TestLoad(t *testing.T) {
	if !*loadRun {
		t.Skip("the load run: make load (or go test -run TestLoad ./cmd/portal -load)")
	}
	var levels []int
	for f := range strings.SplitSeq(*loadClients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 250 {
			t.Fatalf("-load.clients: %q is not a number of clients from 1 to 250", f)
		}
		levels = append(levels, n)
	}
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	// Durable, as the portal's own cluster runs (make run): a session's
	// commit on each page waits for its flush.
	cluster, err := pgcluster.Start(ctx, pgcluster.Options{
		Dir: storagetest.NewDir(t) + "/pg", Durable: true, Logger: quiet,
		Settings: []string{"shared_preload_libraries=pg_stat_statements", "pg_stat_statements.track_planning=on"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cluster.Stop(context.Background()) })

	targets := []*loadTarget{{name: "this", bin: portalBin}}
	if *loadBaseline != "" {
		bin, err := filepath.Abs(*loadBaseline)
		if err != nil {
			t.Fatal(err)
		}
		targets = append([]*loadTarget{{name: "baseline", bin: bin}}, targets...)
	}
	for _, tg := range targets {
		tg.start(t, ctx, cluster, slices.Max(levels))
	}

	type key struct {
		target  string
		clients int
	}
	results := map[key][]loadResult{}
	for round := range *loadRounds {
		for _, n := range levels {
			for _, tg := range targets {
				r := tg.measure(t, ctx, cluster, n)
				t.Logf("round %d, %s, %d clients: %s", round+1, tg.name, n, r)
				results[key{tg.name, n}] = append(results[key{tg.name, n}], r)
			}
		}
	}

	t.Logf("%s section, %s warm-up then %s measured, %d round(s); medians of the rounds:", *loadSection, *loadWarmup, *loadDuration, *loadRounds)
	t.Log(loadHeader)
	for _, n := range levels {
		var base loadResult
		for _, tg := range targets {
			r := medianResult(results[key{tg.name, n}])
			t.Log(r.row(tg.name, n))
			if tg.name == "baseline" {
				base = r
			} else if *loadBaseline != "" {
				t.Log(r.ratios(base, n))
			}
		}
	}
}

// loadTarget is one portal binary under load, with its own database.
type loadTarget struct {
	name    string
	bin     string
	base    string // the portal's URL
	page    string // the section's URL
	p       *process
	db      *sql.DB // for pg_stat_statements and pg_stat_database
	dbName  string
	clients []*http.Client // signed in, each from its own loopback address
}

// start creates the target's database, starts its portal on it, fills
// Austria's draft of the demo statistics call, and signs n clients in.
func (tg *loadTarget) start(t *testing.T, ctx context.Context, cluster *pgcluster.Cluster, n int) {
	t.Helper()
	tg.dbName = "portal_" + tg.name
	if err := cluster.CreateDatabase(ctx, tg.dbName); err != nil {
		t.Fatal(err)
	}
	dbURL := cluster.URL(tg.dbName)
	addr := freeAddr(t)
	tg.base = "http://" + addr
	// Logging at warn: a line a request would be what the run measures.
	tg.p = startBinary(t, tg.bin, []string{"PORTAL_DATABASE_URL=" + dbURL, "PORTAL_ADDR=" + addr, "PORTAL_LOG_LEVEL=warn"}, "serve")
	waitReady(t, tg.p, addr, 90*time.Second)

	var err error
	if tg.db, err = sql.Open("postgres", dbURL); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tg.db.Close() })
	if _, err := tg.db.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		t.Fatal(err)
	}
	callKey := fillStatistics(t, ctx, dbURL)
	tg.page = tg.base + "/orgs/AUT/calls/" + callKey + "/" + *loadSection

	tg.clients = make([]*http.Client, n)
	for i := range tg.clients {
		// Sign-in is limited per address: each client has one of its own,
		// so each has its own session, as separate people would.
		local := &net.TCPAddr{IP: net.IPv4(127, 0, byte(1+i/250), byte(1+i%250))}
		// The clients ask for gzip, as browsers do, but inflate a page only
		// to check it (pageReader), so that their CPU leaves more of the
		// machine to the portal and PostgreSQL.
		tr := &http.Transport{DialContext: (&net.Dialer{LocalAddr: local}).DialContext, MaxIdleConnsPerHost: 1, DisableCompression: true}
		t.Cleanup(tr.CloseIdleConnections)
		tg.clients[i] = devSignInVia(t, tg.base, []string{"demo-fp-aut", "demo-contrib-aut"}[i%2], tr)
		tg.clients[i].Timeout = time.Minute
	}
	code, body, err := loadGet(tg.clients[0], tg.page)
	if err != nil || code != http.StatusOK {
		t.Fatalf("%s: GET %s: %d %v", tg.name, tg.page, code, err)
	}
	if filled := strings.Count(body, ` value="`); filled < 100 {
		t.Fatalf("%s: the %s section shows %d values: the draft was not filled", tg.name, *loadSection, filled)
	}
}

// fillStatistics fills every cell of Austria's draft of the demo
// statistics call with rule-consistent figures, and returns the call's key.
func fillStatistics(t *testing.T, ctx context.Context, dbURL string) string {
	t.Helper()
	s, err := storage.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	lib, err := definition.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	calls, err := s.Calls(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(calls, func(c forms.Call) bool { return c.Questionnaire == "crime-statistics" })
	if i < 0 {
		t.Fatal("the portal made no demo statistics call")
	}
	call := calls[i]
	q, ok := lib.Version(call.Questionnaire, call.Version)
	if !ok {
		t.Fatalf("questionnaire %s v%d", call.Questionnaire, call.Version)
	}
	o, err := s.OrganizationByCode(ctx, "AUT")
	if err != nil {
		t.Fatal(err)
	}
	a := synthetic.Statistics(q, call.Years, "AUT")
	if fs := forms.Check(q, a, call.Years); len(fs) != 0 {
		t.Fatalf("the synthetic figures have %d findings, the first %+v", len(fs), fs[0])
	}
	ref := forms.OrganizationRef{ID: o.ID, Code: o.Code, Name: o.Name}
	if _, err := s.SaveDraft(ctx, call, ref, forms.Edit{Fields: a.Fields(), Answers: a}, forms.Actor{Label: "load"}); err != nil {
		t.Fatal(err)
	}
	return call.Key
}

// loadGet asks for url accepting gzip and returns the page, inflated.
func loadGet(c *http.Client, url string) (int, string, error) {
	resp, err := getGzip(c, url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var body io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return resp.StatusCode, "", err
		}
		body = zr
	}
	b, err := io.ReadAll(body)
	return resp.StatusCode, string(b), err
}

// getGzip sends a GET accepting gzip, as browsers do; the transport, which
// does not decompress, leaves the body as it came.
func getGzip(c *http.Client, url string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept-Encoding", "gzip")
	return c.Do(req)
}

// pageReader reads a client's pages as they come, compressed, to their
// end, and inflates one only to check it: a page is whole when it holds the
// form's last field (name="end"); a compressed page whose size inflated
// (gzip's trailer) is that of the last page found whole is taken as whole
// too. Inflating and searching 400 KB a page was most of the clients' CPU.
type pageReader struct {
	buf  bytes.Buffer
	size uint32 // inflated, of the last page found whole; 0 before
}

// get asks for url and reports whether the page came whole.
func (pr *pageReader) get(c *http.Client, url string) (bool, error) {
	resp, err := getGzip(c, url)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	pr.buf.Reset()
	if _, err := pr.buf.ReadFrom(resp.Body); err != nil {
		return false, err
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" || pr.buf.Len() < 18 {
		return false, nil
	}
	z := pr.buf.Bytes()
	size := binary.LittleEndian.Uint32(z[len(z)-4:])
	if size == pr.size {
		return true, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		return false, nil
	}
	page, err := io.ReadAll(zr)
	if err != nil || !bytes.Contains(page, []byte(`name="end"`)) || uint32(len(page)) != size {
		return false, nil
	}
	pr.size = size
	return true, nil
}

// loadResult is one measurement.
type loadResult struct {
	pages, failed int
	perSecond     float64
	p50, p99      time.Duration
	// CPU per page, in milliseconds: the portal, PostgreSQL (every process
	// of the cluster), the clients (this test process), and the machine's
	// busy share over the measurement.
	portalCPU, pgCPU, clientCPU float64
	busy                        float64
	// From pg_stat_statements, per page: statements, and milliseconds
	// planning and executing them; new database connections per page.
	statements, planMS, execMS float64
	connections                float64
	top                        []string
}

// perCoreSecond is the pages served per second of CPU of the server
// side, the portal and PostgreSQL: the throughput a core would give, the
// clients apart, whatever else the machine runs meanwhile.
func (r loadResult) perCoreSecond() float64 {
	if r.portalCPU+r.pgCPU == 0 {
		return 0
	}
	return 1000 / (r.portalCPU + r.pgCPU)
}

// planShare is the share of PostgreSQL's statement time spent planning.
func (r loadResult) planShare() float64 {
	if r.planMS+r.execMS == 0 {
		return 0
	}
	return r.planMS / (r.planMS + r.execMS)
}

const loadHeader = "portal | clients | pages/s | p50 ms | p99 ms | portal CPU ms/page | PostgreSQL CPU ms/page | pages per core-second (portal + PostgreSQL) | client CPU ms/page | machine busy | statements/page | planning ms/page | executing ms/page | planning share | new connections/page | failed"

func (r loadResult) row(name string, n int) string {
	return fmt.Sprintf("%s | %d | %.1f | %.1f | %.1f | %.2f | %.2f | %.1f | %.2f | %.0f %% | %.1f | %.3f | %.3f | %.0f %% | %.3f | %d",
		name, n, r.perSecond, ms(r.p50), ms(r.p99), r.portalCPU, r.pgCPU, r.perCoreSecond(), r.clientCPU, 100*r.busy,
		r.statements, r.planMS, r.execMS, 100*r.planShare(), r.connections, r.failed)
}

func (r loadResult) ratios(base loadResult, n int) string {
	ratio := func(a, b float64) string {
		if b == 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f×", a/b)
	}
	return fmt.Sprintf("this / baseline | %d | %s | %s | %s | %s | %s | %s | %s | | %s | %s | %s | | | |",
		n, ratio(r.perSecond, base.perSecond), ratio(ms(r.p50), ms(base.p50)), ratio(ms(r.p99), ms(base.p99)),
		ratio(r.portalCPU, base.portalCPU), ratio(r.pgCPU, base.pgCPU), ratio(r.perCoreSecond(), base.perCoreSecond()), ratio(r.clientCPU, base.clientCPU),
		ratio(r.statements, base.statements), ratio(r.planMS, base.planMS), ratio(r.execMS, base.execMS))
}

func (r loadResult) String() string {
	s := fmt.Sprintf("%.1f pages/s, p50 %.1f ms, p99 %.1f ms; CPU ms/page: portal %.2f, PostgreSQL %.2f (%.1f pages per core-second), clients %.2f (machine %.0f %% busy); %.1f statements/page, planning %.3f ms + executing %.3f ms a page (planning %.0f %%); %.3f new connections/page; %d failed",
		r.perSecond, ms(r.p50), ms(r.p99), r.portalCPU, r.pgCPU, r.perCoreSecond(), r.clientCPU, 100*r.busy,
		r.statements, r.planMS, r.execMS, 100*r.planShare(), r.connections, r.failed)
	for _, l := range r.top {
		s += "\n\t" + l
	}
	return s
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// medianResult takes each figure's median over the rounds.
func medianResult(rs []loadResult) loadResult {
	med := func(f func(loadResult) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return loadResult{
		pages:       int(med(func(r loadResult) float64 { return float64(r.pages) })),
		failed:      int(med(func(r loadResult) float64 { return float64(r.failed) })),
		perSecond:   med(func(r loadResult) float64 { return r.perSecond }),
		p50:         time.Duration(med(func(r loadResult) float64 { return float64(r.p50) })),
		p99:         time.Duration(med(func(r loadResult) float64 { return float64(r.p99) })),
		portalCPU:   med(func(r loadResult) float64 { return r.portalCPU }),
		pgCPU:       med(func(r loadResult) float64 { return r.pgCPU }),
		clientCPU:   med(func(r loadResult) float64 { return r.clientCPU }),
		busy:        med(func(r loadResult) float64 { return r.busy }),
		statements:  med(func(r loadResult) float64 { return r.statements }),
		planMS:      med(func(r loadResult) float64 { return r.planMS }),
		execMS:      med(func(r loadResult) float64 { return r.execMS }),
		connections: med(func(r loadResult) float64 { return r.connections }),
	}
}

// measure runs n of the target's clients in a closed loop: warm-up, then
// the measurement, whose pages and figures it returns.
func (tg *loadTarget) measure(t *testing.T, ctx context.Context, cluster *pgcluster.Cluster, n int) loadResult {
	t.Helper()
	var (
		measuring atomic.Bool
		stop      atomic.Bool
		mu        sync.Mutex
		latencies []time.Duration
		failed    int
		wg        sync.WaitGroup
	)
	for _, c := range tg.clients[:n] {
		wg.Go(func() {
			var pr pageReader
			for !stop.Load() {
				start := time.Now()
				whole, err := pr.get(c, tg.page)
				took := time.Since(start)
				if !measuring.Load() {
					continue
				}
				mu.Lock()
				if err != nil || !whole {
					failed++
				} else {
					latencies = append(latencies, took)
				}
				mu.Unlock()
			}
		})
	}
	time.Sleep(*loadWarmup)

	if _, err := tg.db.ExecContext(ctx, `SELECT pg_stat_statements_reset()`); err != nil {
		t.Fatal(err)
	}
	before := tg.snapshot(t, ctx, cluster)
	mu.Lock()
	latencies, failed = latencies[:0], 0
	mu.Unlock()
	measuring.Store(true)
	time.Sleep(*loadDuration)
	measuring.Store(false)
	after := tg.snapshot(t, ctx, cluster)
	mu.Lock()
	lat, r := slices.Clone(latencies), loadResult{failed: failed}
	mu.Unlock()
	stop.Store(true)
	wg.Wait()

	slices.Sort(lat)
	r.pages = len(lat)
	if r.pages == 0 {
		t.Fatalf("%s, %d clients: no page was served (%d failed)", tg.name, n, r.failed)
	}
	elapsed := after.at.Sub(before.at)
	pages := float64(r.pages)
	r.perSecond = pages / elapsed.Seconds()
	r.p50, r.p99 = lat[len(lat)/2], lat[min(len(lat)-1, len(lat)*99/100)]
	tick := 1000.0 / float64(clockTicks) // ms a tick
	r.portalCPU = float64(after.portal-before.portal) * tick / pages
	r.pgCPU = float64(after.postgres-before.postgres) * tick / pages
	r.clientCPU = float64(after.client-before.client) / float64(time.Millisecond) / pages
	if total := after.machineTotal - before.machineTotal; total > 0 {
		r.busy = 1 - float64(after.machineIdle-before.machineIdle)/float64(total)
	}
	r.connections = float64(after.sessions-before.sessions) / pages

	var calls, planMS, execMS float64
	if err := tg.db.QueryRowContext(ctx, `
		SELECT coalesce(sum(calls), 0), coalesce(sum(total_plan_time), 0), coalesce(sum(total_exec_time), 0)
		FROM pg_stat_statements
		WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND query NOT LIKE '%pg_stat%'`).Scan(&calls, &planMS, &execMS); err != nil {
		t.Fatal(err)
	}
	r.statements, r.planMS, r.execMS = calls/pages, planMS/pages, execMS/pages
	if *loadTop > 0 {
		rows, err := tg.db.QueryContext(ctx, `
			SELECT calls, total_plan_time, total_exec_time, regexp_replace(query, '\s+', ' ', 'g')
			FROM pg_stat_statements
			WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
			  AND query NOT LIKE '%pg_stat%'
			ORDER BY total_plan_time + total_exec_time DESC LIMIT $1`, *loadTop)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c, p, e float64
			var q string
			if err := rows.Scan(&c, &p, &e, &q); err != nil {
				t.Fatal(err)
			}
			r.top = append(r.top, fmt.Sprintf("%.2f a page, planning %.3f ms, executing %.3f ms a page: %.150s", c/pages, p/pages, e/pages, q))
		}
		rows.Close()
	}
	return r
}

// loadSnapshot is what measure compares before and after.
type loadSnapshot struct {
	at                        time.Time
	portal, postgres          int64 // CPU, in clock ticks
	client                    time.Duration
	machineTotal, machineIdle int64 // ticks
	sessions                  int64 // connections made to the database so far
}

// clockTicks is the kernel's USER_HZ, the unit of /proc's CPU times: 100
// on Linux.
const clockTicks = 100

func (tg *loadTarget) snapshot(t *testing.T, ctx context.Context, cluster *pgcluster.Cluster) loadSnapshot {
	t.Helper()
	s := loadSnapshot{at: time.Now()}
	var err error
	if s.portal, _, err = procCPU(tg.p.cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	if s.postgres, err = clusterCPU(cluster); err != nil {
		t.Fatal(err)
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	s.client = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	if s.machineTotal, s.machineIdle, err = machineCPU(); err != nil {
		t.Fatal(err)
	}
	if err := tg.db.QueryRowContext(ctx, `SELECT sessions FROM pg_stat_database WHERE datname = current_database()`).Scan(&s.sessions); err != nil {
		t.Fatal(err)
	}
	return s
}

// procCPU returns the CPU a process has used (user and system, in clock
// ticks), and what its children that have ended used.
func procCPU(pid int) (self, children int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	// The command name, in parentheses, may hold spaces: count from after it.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("/proc/%d/stat: %q", pid, b)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 15 {
		return 0, 0, fmt.Errorf("/proc/%d/stat: %q", pid, b)
	}
	// Fields 14 to 17 of stat (utime, stime, cutime, cstime) are 11 to 14 here.
	var v [4]int64
	for k := range v {
		if v[k], err = strconv.ParseInt(f[11+k], 10, 64); err != nil {
			return 0, 0, err
		}
	}
	return v[0] + v[1], v[2] + v[3], nil
}

// clusterCPU returns the CPU the cluster has used: the postmaster, the
// processes it runs now, and those that have ended (connections closed).
func clusterCPU(cluster *pgcluster.Cluster) (int64, error) {
	b, err := os.ReadFile(filepath.Join(cluster.Dir(), "data", "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	pm, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		return 0, err
	}
	self, ended, err := procCPU(pm)
	if err != nil {
		return 0, err
	}
	total := self + ended
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		status, err := os.ReadFile(filepath.Join("/proc", e.Name(), "status"))
		if err != nil || !bytes.Contains(status, []byte("\nPPid:\t"+strconv.Itoa(pm)+"\n")) {
			continue
		}
		if cpu, _, err := procCPU(pid); err == nil { // one that ended meanwhile is counted by the postmaster
			total += cpu
		}
	}
	return total, nil
}

// machineCPU returns the machine's CPU time, all of it and idle, in ticks.
func machineCPU() (total, idle int64, err error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	for i, s := range f[1:] {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, 0, err
		}
		if i < 8 { // guest times are counted in user already
			total += v
		}
		if i == 3 || i == 4 {
			idle += v
		}
	}
	return total, idle, nil
}
