// Package architecture_test keeps the arrows between the portal's packages
// pointing one way (see docs/architecture.md): the domain depends on
// nothing, storage implements it, handlers speak HTTP without knowing the
// database, and only cmd knows every package.
package architecture_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

type pkg struct {
	ImportPath string
	Standard   bool
	Imports    []string
	Deps       []string
}

// rule says what the non-test code of the packages under Prefix may depend
// on: the standard library only (plus the Allowed packages and what they
// depend on), or anything but the Forbidden prefixes (directly or through
// another package) and the NotImported ones (directly).
type rule struct {
	Prefix      string
	StdOnly     bool
	Allowed     []string
	Forbidden   []string
	NotImported []string
}

var rules = []rule{
	{Prefix: "portal/forms", StdOnly: true},
	{Prefix: "portal/forms/archive", StdOnly: true},
	{Prefix: "portal/forms/demo", StdOnly: true, Allowed: []string{"portal/forms", "portal/forms/synthetic"}},
	{Prefix: "portal/forms/definition", StdOnly: true, Allowed: []string{"portal/forms", "go.yaml.in/yaml/v3"}},
	{Prefix: "portal/forms/published", StdOnly: true, Allowed: []string{"portal/forms"}},
	{Prefix: "portal/forms/export", StdOnly: true, Allowed: []string{"portal/forms", "github.com/xuri/excelize/v2"}},
	{Prefix: "portal/forms/synthetic", StdOnly: true, Allowed: []string{"portal/forms"}},
	{Prefix: "portal/forms/workbook", StdOnly: true, Allowed: []string{"portal/forms", "portal/forms/archive", "github.com/xuri/excelize/v2"}},
	{Prefix: "portal/mail", StdOnly: true, Allowed: []string{"github.com/wneessen/go-mail", "github.com/wneessen/go-mail/smtp"}},
	{Prefix: "portal/migrations", StdOnly: true},
	{Prefix: "portal/internal/heapwatch", StdOnly: true},
	{Prefix: "portal/templates", StdOnly: true},
	{Prefix: "portal/templates/words", StdOnly: true, Allowed: []string{"portal/forms", "portal/templates",
		"github.com/nicksnyder/go-i18n/v2/i18n", "golang.org/x/text/language"}},
	{Prefix: "portal/templates/email", StdOnly: true, Allowed: []string{"portal/forms", "portal/mail", "portal/templates/words"},
		Forbidden: []string{"net/http"}},
	{Prefix: "portal/templates/form", StdOnly: true, Allowed: []string{"portal/forms", "portal/forms/archive",
		"github.com/gabriel-vasile/mimetype"}, Forbidden: []string{"net/http"}},
	{Prefix: "portal/templates/views", StdOnly: true, Allowed: []string{"portal/forms", "portal/templates/charts", "portal/templates/form", "portal/templates/words"},
		Forbidden: []string{"net/http"}},
	{Prefix: "portal/storage", Forbidden: []string{
		"portal/handlers", "portal/templates", "portal/cmd",
		"github.com/gin-gonic/", "net/http",
	}},
	{Prefix: "portal/handlers", Forbidden: []string{
		"portal/storage", "portal/migrations", "portal/cmd",
		"github.com/jmoiron/sqlx", "github.com/lib/pq", "github.com/pressly/goose",
	}, NotImported: []string{"database/sql"}},
	{Prefix: "portal/cmd", Forbidden: []string{
		"portal/storage/storagetest", "portal/handlers/browsertest", "testing",
	}},
}

func TestDependencyDirection(t *testing.T) {
	pkgs := list(t)
	std := map[string]bool{}
	for _, p := range pkgs {
		if p.Standard {
			std[p.ImportPath] = true
		}
	}
	covered := 0
	for _, p := range pkgs {
		if p.Standard || !strings.HasPrefix(p.ImportPath, "portal") {
			continue
		}
		if p.ImportPath == "portal" {
			continue
		}
		r, ok := ruleFor(p.ImportPath)
		if !ok {
			t.Errorf("package %s has no dependency rule: add it to the rules in architecture_test.go and to docs/architecture.md", p.ImportPath)
			continue
		}
		covered++
		allowed := map[string]bool{}
		for _, a := range r.Allowed {
			allowed[a] = true
			for _, q := range pkgs {
				if q.ImportPath == a {
					for _, d := range q.Deps {
						allowed[d] = true
					}
				}
			}
		}
		for _, d := range p.Deps {
			if r.StdOnly && !std[d] && !allowed[d] && !strings.HasPrefix(d, "internal/") && !strings.HasPrefix(d, "vendor/") {
				t.Errorf("%s imports %s: it may use the standard library only%s", p.ImportPath, d, allowedList(r))
			}
			for _, f := range r.Forbidden {
				if under(d, f) {
					t.Errorf("%s depends on %s, which points the wrong way (forbidden: %s)", p.ImportPath, d, f)
				}
			}
		}
		for _, d := range p.Imports {
			for _, f := range r.NotImported {
				if under(d, f) {
					t.Errorf("%s imports %s, which is not its business", p.ImportPath, d)
				}
			}
		}
	}
	if covered < 6 {
		t.Fatalf("checked only %d portal packages; is go list seeing the module?", covered)
	}
}

func allowedList(r rule) string {
	if len(r.Allowed) == 0 {
		return ""
	}
	return " and " + strings.Join(r.Allowed, ", ")
}

// under reports whether package path d is prefix f or below it; a prefix
// ending in "/" matches everything that starts with it.
func under(d, f string) bool {
	if strings.HasSuffix(f, "/") {
		return strings.HasPrefix(d, f)
	}
	return d == f || strings.HasPrefix(d, f+"/")
}

// isTestHelper packages exist for tests; the test-helper rule forbids cmd
// from importing them, and they may import anything.
func isTestHelper(path string) bool {
	return strings.HasSuffix(path, "test")
}

func ruleFor(path string) (rule, bool) {
	if isTestHelper(path) {
		return rule{Prefix: path}, true
	}
	best, found := rule{}, false
	for _, r := range rules {
		if (path == r.Prefix || strings.HasPrefix(path, r.Prefix+"/")) && len(r.Prefix) > len(best.Prefix) {
			best, found = r, true
		}
	}
	return best, found
}

// list runs go list -deps over the module: non-test dependencies only.
func list(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-json=ImportPath,Standard,Imports,Deps", "./...").Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}
