// Package browsertest drives Debian's Chromium, headless, through chromedp
// for the portal's end-to-end tests. A test that cannot find Chromium fails
// with the command that installs it; it never skips. Every failure saves a
// screenshot of the page as it was (under go test's -outputdir with
// -artifacts, else in a temporary directory named in the test log).
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// EnvChromium names the variable that points at a Chromium or Chrome binary.
const EnvChromium = "PORTAL_CHROMIUM"

// Browser is one headless Chromium with one tab, closed when the test ends.
type Browser struct {
	t   testing.TB
	ctx context.Context

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

// New starts Chromium for t. The whole test must finish within timeout.
func New(t testing.TB, timeout time.Duration) *Browser {
	t.Helper()
	path, err := FindChromium()
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("lang", "en-GB"),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses to run as root with its sandbox
	}
	ctx, cancelTimeout := context.WithTimeout(context.Background(), timeout)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc(); cancelTimeout() })

	if err := chromedp.Do(bctx); err != nil { // starts the browser
		t.Fatalf("browsertest: start Chromium (%s): %v", path, err)
	}
	return watch(t, bctx)
}

// watch returns the Browser of the tab ctx, keeping what it writes to
// the console.
func watch(t testing.TB, ctx context.Context) *Browser {
	b := &Browser{t: t, ctx: ctx}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.console = append(b.console, m)
			b.mu.Unlock()
		}
	}()
	return b
}

// Another opens a tab of the same Chromium in a browser context of its
// own, as another person's browser: it shares no cookies with b. It is
// closed when the test ends.
func (b *Browser) Another() *Browser {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("browsertest: open another browser context: %v", err)
	}
	return watch(b.t, ctx)
}

// FindChromium returns the browser to drive: $PORTAL_CHROMIUM, else the
// first of chromium, chromium-browser, google-chrome on PATH.
func FindChromium() (string, error) {
	if p := os.Getenv(EnvChromium); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("browsertest: no Chromium found: install it (on Debian: apt-get install chromium; `make test` does this when run as root) or set %s", EnvChromium)
}

// Context returns the tab's context, for chromedp calls the helpers below do not cover.
func (b *Browser) Context() context.Context { return b.ctx }

// StepTimeout bounds one call of Do: a step that waits for what never
// comes fails on its own, with a screenshot, instead of using up the test.
const StepTimeout = time.Minute

// Do runs the actions within StepTimeout; on error it saves a screenshot
// and fails the test.
func (b *Browser) Do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, StepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.Fatalf("browser: %v", err)
	}
}

// Press clicks the first element sel matches as the page's own script
// would (for buttons in bars that stick to the window's edge, which a
// click at coordinates can miss when the page reflows meanwhile), waits
// until the page it leads to has loaded, and fails the test unless that
// page answered want. Every click that leaves the page goes through here:
// waiting for an element of the next page instead is fooled when the page
// being left has one too (a notice, a list), and the next step then
// cancels the navigation before the form is sent.
func (b *Browser) Press(sel string, want int) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, StepTimeout)
	defer cancel()
	click := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[string](`(() => { const el = document.querySelector(`+strconv.Quote(sel)+`); if (!el) { throw new Error("nothing matches"); } el.click(); return "pressed"; })()`)(ctx, t)
		return err
	})
	resp, err := chromedp.RunResponse(ctx, click)
	if err != nil {
		b.Fatalf("browser: press %s: %v", sel, err)
	}
	if resp.Status != int64(want) {
		b.Fatalf("browser: press %s: HTTP %d, want %d", sel, resp.Status, want)
	}
}

// Text returns the visible text of the first element sel matches.
func (b *Browser) Text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.Fatalf("browser: text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// Eval evaluates a JavaScript expression in the page and returns its value as a string.
func (b *Browser) Eval(expr string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		b.Fatalf("browser: evaluate %s: %v", expr, err)
	}
	return s
}

// ConsoleErrors returns the errors and uncaught exceptions the pages have
// written to the console so far, including the browser's own reports such as
// Content-Security-Policy violations.
func (b *Browser) ConsoleErrors() []string {
	// Messages arrive asynchronously; give the last ones a moment.
	time.Sleep(200 * time.Millisecond)
	b.mu.Lock()
	defer b.mu.Unlock()
	var errs []string
	for _, m := range b.console {
		if m.Type == chromedp.ConsoleError || m.IsException() {
			errs = append(errs, m.String()+" at "+m.URL)
		}
	}
	return errs
}

// Screenshot saves a full-page PNG named name in the test's artifact
// directory and returns its path.
func (b *Browser) Screenshot(name string) string {
	b.t.Helper()
	// Quality 100 makes a PNG; anything less, a JPEG.
	return b.save(name, chromedp.FullScreenshot(100))
}

// WindowScreenshot saves a PNG of what the window shows, as a person sees
// it (a full-page one draws what sticks to the window's edges where the
// window's edge was), and returns its path.
func (b *Browser) WindowScreenshot(name string) string {
	b.t.Helper()
	return b.save(name, chromedp.CaptureScreenshot())
}

// save takes the screenshot and saves it as Screenshot says.
func (b *Browser) save(name string, shot chromedp.Action[[]byte]) string {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, shot)
	if err != nil {
		b.t.Logf("browser: screenshot: %v", err)
		return ""
	}
	dir := b.t.TempDir()
	if a, ok := b.t.(interface{ ArtifactDir() string }); ok {
		dir = namedArtifactDir(a.ArtifactDir(), b.t.Name())
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Logf("browser: screenshot: %v", err)
		return ""
	}
	b.t.Logf("screenshot: %s", path)
	return path
}

// namedArtifactDir returns a directory named for the test beside dir, the
// one go test gave it, when that one is named only by a number (as
// go1.26's -artifacts names every test's directory): screenshots then say
// which test took them. A dir already under the test's name is kept.
func namedArtifactDir(dir, test string) string {
	parent := filepath.Dir(dir)
	if filepath.Base(parent) != "_artifacts" {
		return dir
	}
	named := filepath.Join(parent, strings.NewReplacer("/", "__", string(filepath.Separator), "__").Replace(test))
	if err := os.MkdirAll(named, 0o755); err != nil {
		return dir
	}
	_ = os.Remove(dir) // the numbered one, empty; a failure leaves an empty directory
	return named
}

// Fatalf saves a screenshot of the page and logs its address and the
// beginning of its text (which the test log keeps when screenshots are
// gone), then fails the test.
func (b *Browser) Fatalf(format string, args ...any) {
	b.t.Helper()
	b.Screenshot("failure")
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	var loc, text string
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) (err error) {
		if loc, err = chromedp.Location()(ctx, t); err != nil {
			return err
		}
		text, err = chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 1500) : ""`)(ctx, t)
		return err
	})); err == nil {
		b.t.Logf("the page at %s reads:\n%s", loc, text)
	}
	b.t.Fatalf(format, args...)
}

// EnvAxe names the variable that points at axe.min.js; by default it is
// node_modules/axe-core/axe.min.js at the top of the module (make test
// installs it from package.json with npm ci).
const EnvAxe = "PORTAL_AXE_JS"

// Violation is an accessibility problem axe-core found on the page.
type Violation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

func (v Violation) String() string {
	return fmt.Sprintf("%s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(v.Targets, ", "))
}

// Axe runs axe-core's WCAG 2.1 A and AA rules on the current page and
// returns the violations of serious or critical impact. It fails the test
// when axe-core is not installed, with the command that installs it.
func (b *Browser) Axe() []Violation {
	b.t.Helper()
	path := os.Getenv(EnvAxe)
	if path == "" {
		path = filepath.Join(moduleRoot(), "node_modules", "axe-core", "axe.min.js")
	}
	src, err := os.ReadFile(path)
	if err != nil {
		b.t.Fatalf("browsertest: axe-core not found (%v): run `make node-tools` (npm ci) or set %s", err, EnvAxe)
	}
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](string(src)+";true")); err != nil {
		b.Fatalf("browsertest: load axe-core: %v", err)
	}
	const run = `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}).then(r =>
		r.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v => ({
			id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(" ")).slice(0, 5)})))`
	out, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]Violation](run, chromedp.EvalAsValue, chromedp.EvalAwaitPromise))
	if err != nil {
		b.Fatalf("browsertest: run axe-core: %v", err)
	}
	return out
}

// CheckAccessible runs Axe and fails the test, naming the page, when it
// finds a serious or critical violation.
func (b *Browser) CheckAccessible(page string) {
	b.t.Helper()
	if v := b.Axe(); len(v) > 0 {
		lines := make([]string, 0, len(v))
		for _, x := range v {
			lines = append(lines, x.String())
		}
		b.Fatalf("%s: accessibility violations:\n%s", page, strings.Join(lines, "\n"))
	}
}

// moduleRoot is the directory of go.mod above the working directory (go
// test runs in the package's directory).
func moduleRoot() string {
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if d == filepath.Dir(d) {
			return dir
		}
	}
}
