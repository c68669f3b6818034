package handlers

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// pageEditor works a section's page over HTTP as the page's script does:
// each autosave sends only the fields changed since their content was
// last saved, each with the draft version that content started from, and
// Save posts the whole form with those versions. It edits cell figures.
type pageEditor struct {
	c       *http.Client
	section string
	loaded  int                 // the version the page was loaded at
	page    url.Values          // the page's inputs as loaded
	form    url.Values          // the page's inputs as they stand
	saved   map[string]fieldVer // the content and version of each field saved since
}

type fieldVer struct {
	value   string
	version int
}

// open loads the section's page afresh; it reports failures with
// t.Errorf, so that it may run in a goroutine.
func (e *pageEditor) open(t *testing.T) bool {
	resp, err := e.c.Get(e.section)
	if err != nil {
		t.Error(err)
		return false
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("opening %s: %d", e.section, resp.StatusCode)
		return false
	}
	e.page = formOf(t, string(body))
	e.form = formOf(t, string(body))
	e.loaded, _ = strconv.Atoi(e.form.Get("version"))
	e.saved = map[string]fieldVer{}
	return true
}

func (e *pageEditor) savedOf(field string) fieldVer {
	if s, ok := e.saved[field]; ok {
		return s
	}
	return fieldVer{value: e.page.Get(field), version: e.loaded}
}

// set types value into a cell.
func (e *pageEditor) set(field, value string) { e.form.Set(field, value) }

// post sends a request and decodes an autosave's reply; it reports
// failures with t.Errorf, so that it may run in a goroutine.
func (e *pageEditor) post(t testing.TB, form url.Values, header ...string) (int, autosaveReply, string) {
	req, err := http.NewRequest("POST", e.section, strings.NewReader(form.Encode()))
	if err != nil {
		t.Error(err)
		return 0, autosaveReply{}, ""
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, kv := range header {
		k, v, _ := strings.Cut(kv, ": ")
		req.Header.Set(k, v)
	}
	resp, err := e.c.Do(req)
	if err != nil {
		t.Error(err)
		return 0, autosaveReply{}, ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var reply autosaveReply
	if len(header) > 0 {
		if err := json.Unmarshal(body, &reply); err != nil {
			t.Errorf("autosave reply %d: %s", resp.StatusCode, body)
		}
	}
	return resp.StatusCode, reply, resp.Header.Get("Location")
}

// autosave sends what changed, as the script does, and returns the reply.
func (e *pageEditor) autosave(t testing.TB) autosaveReply {
	var changed []string
	for f := range e.form {
		if strings.HasPrefix(f, "c/") && e.form.Get(f) != e.savedOf(f).value {
			changed = append(changed, f)
		}
	}
	slices.Sort(changed)
	post := url.Values{"version": {strconv.Itoa(e.loaded)}, "end": {"1"}}
	for _, f := range changed {
		post.Add("fields", f)
		post.Set("v/"+f, strconv.Itoa(e.savedOf(f).version))
		post.Set(f, e.form.Get(f))
	}
	status, reply, _ := e.post(t, post, "X-Autosave: 1", "Accept: application/json")
	if status != http.StatusOK {
		t.Errorf("autosave: %d %+v", status, reply)
		return reply
	}
	if reply.Version != 0 {
		for _, f := range changed {
			if !slices.Contains(reply.Unsettled, f) {
				e.saved[f] = fieldVer{value: post.Get(f), version: reply.Version}
			}
		}
	}
	return reply
}

// save presses Save: the whole form, with the version of each field saved
// since the page was loaded; then the page loads afresh.
func (e *pageEditor) save(t *testing.T) bool {
	post := url.Values{}
	for k, vs := range e.form {
		post[k] = vs
	}
	for f, s := range e.saved {
		if s.version != e.loaded {
			post.Set("v/"+f, strconv.Itoa(s.version))
		}
	}
	status, _, loc := e.post(t, post)
	if status != http.StatusSeeOther || !strings.HasSuffix(loc, strings.TrimPrefix(e.section, baseOf(e.section))) {
		t.Errorf("save: %d to %q", status, loc)
		return false
	}
	return e.open(t)
}

func baseOf(u string) string {
	p, _ := url.Parse(u)
	return p.Scheme + "://" + p.Host
}

// emptyCells returns the first n cell fields of a section's form that are
// blank, in the form's order.
func emptyCells(t *testing.T, form url.Values, n int) []string {
	t.Helper()
	var out []string
	for f := range form {
		if strings.HasPrefix(f, "c/") && form.Get(f) == "" {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	if len(out) < n {
		t.Fatalf("the section has %d blank cells; want %d", len(out), n)
	}
	return out[:n]
}

// TestAutosaveKeepsOthersFigures is the review's case: Austria's focal
// point (A) and contributor (B) open the justice section at one version;
// A types 111 in one cell, B 222 in another, then 333 in that same cell,
// each autosaved. A's cell keeps 111, and nobody is told of a conflict
// that is none. A's Save then posts the whole form, B's cell in it as A
// loaded it: B's figure stays too.
func TestAutosaveKeepsOthersFigures(t *testing.T) {
	base, cs := signedIn(t, "demo-fp-aut", "demo-contrib-aut")
	section := base + "/orgs/AUT/calls/" + demoCall("crime-statistics").Key + "/justice"
	a := &pageEditor{c: cs[0], section: section}
	b := &pageEditor{c: cs[1], section: section}
	if !a.open(t) || !b.open(t) {
		t.FailNow()
	}
	cells := emptyCells(t, a.form, 2)
	mine, theirs := cells[0], cells[1]

	step := func(who *pageEditor, field, value string) {
		t.Helper()
		who.set(field, value)
		if reply := who.autosave(t); reply.Status != "saved" || reply.Version == 0 {
			t.Fatalf("autosave of %s = %s: %+v", field, value, reply)
		}
	}
	step(a, mine, "111")
	step(b, theirs, "222")
	step(b, theirs, "333")
	check := func(when string) {
		t.Helper()
		now := formOf(t, do(t, cs[0], "GET", section, nil).body)
		if now.Get(mine) != "111" || now.Get(theirs) != "333" {
			t.Fatalf("%s: A's cell %q (want 111), B's cell %q (want 333)", when, now.Get(mine), now.Get(theirs))
		}
	}
	check("after the autosaves")

	a.set(mine, "112")
	a.save(t)
	now := formOf(t, do(t, cs[0], "GET", section, nil).body)
	if now.Get(mine) != "112" || now.Get(theirs) != "333" {
		t.Fatalf("after A's Save: A's cell %q (want 112), B's cell %q (want 333)", now.Get(mine), now.Get(theirs))
	}
	// A true conflict is still one: B changes A's cell from what B last
	// saw of it (blank).
	b.set(mine, "999")
	if reply := b.autosave(t); reply.Status != "conflict" || !slices.Contains(reply.Unsettled, mine) {
		t.Fatalf("B overwriting A's figure unseen: %+v", reply)
	}
	// and the next autosave collides again rather than writing it.
	b.set(theirs, "334")
	if reply := b.autosave(t); reply.Status != "conflict" || !slices.Contains(reply.Unsettled, mine) || slices.Contains(reply.Unsettled, theirs) {
		t.Fatalf("B's next autosave: %+v", reply)
	}
	now = formOf(t, do(t, cs[0], "GET", section, nil).body)
	if now.Get(mine) != "112" || now.Get(theirs) != "334" {
		t.Fatalf("after B's conflict: A's cell %q (want 112), B's cell %q (want 334)", now.Get(mine), now.Get(theirs))
	}
}

// TestAutosaveConcurrentEditors has two, then eight people on one section
// at once, each typing in cells of their own and autosaving after every
// change, pressing Save now and then: at the end every figure that was
// acknowledged is there, and no autosave was told of a conflict.
func TestAutosaveConcurrentEditors(t *testing.T) {
	for _, n := range []int{2, 8} {
		t.Run(fmt.Sprintf("%d editors", n), func(t *testing.T) {
			base, cs := signedIn(t, "demo-fp-aut", "demo-contrib-aut")
			section := base + "/orgs/AUT/calls/" + demoCall("crime-statistics").Key + "/justice"
			const perEditor, rounds = 3, 8
			editors := make([]*pageEditor, n)
			for i := range editors {
				editors[i] = &pageEditor{c: cs[i%2], section: section}
				if !editors[i].open(t) {
					t.FailNow()
				}
			}
			cells := emptyCells(t, editors[0].form, n*perEditor)
			acked := make([]map[string]string, n)
			var wg sync.WaitGroup
			for i, e := range editors {
				acked[i] = map[string]string{}
				own := cells[i*perEditor : (i+1)*perEditor]
				wg.Go(func() {
					for r := range rounds {
						field := own[r%perEditor]
						value := strconv.Itoa(100 + 10*r + i)
						e.set(field, value)
						if r == rounds/2 {
							if !e.save(t) {
								return
							}
							acked[i][field] = value
							continue
						}
						reply := e.autosave(t)
						if reply.Status != "saved" {
							t.Errorf("editor %d, round %d: %+v", i, r, reply)
							return
						}
						acked[i][field] = value
					}
				})
			}
			wg.Wait()
			now := formOf(t, do(t, cs[0], "GET", section, nil).body)
			lost := 0
			for i := range editors {
				for f, v := range acked[i] {
					if got := now.Get(f); got != v {
						lost++
						t.Errorf("editor %d's %s: %q, acknowledged %q", i, f, got, v)
					}
				}
			}
			if lost > 0 {
				t.Fatalf("%d acknowledged figures lost", lost)
			}
		})
	}
}
