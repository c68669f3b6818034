package definition

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"portal/forms"
)

func questionnaireFile(key string, version int) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte("key: " + key + "\nversion: " + strconv.Itoa(version) + `
title: {en: T}
sections:
  - key: s
    title: {en: S}
    questions: [{key: q, kind: date, label: {en: Q}}]
`)}
}

// keysOf lists a library's questionnaires as key/version.
func keysOf(l *Library) []string {
	var ks []string
	for _, q := range l.All() {
		ks = append(ks, q.Key+"/"+strconv.Itoa(q.Version))
	}
	return ks
}

func TestLoad(t *testing.T) {
	lib, err := Load(fstest.MapFS{
		"b.yaml":       questionnaireFile("beta", 1),
		"a2.yaml":      questionnaireFile("alpha", 2),
		"a1.yaml":      questionnaireFile("alpha", 1),
		"a3.yaml":      questionnaireFile("alpha", 3),
		"notes.txt":    {Data: []byte("not a questionnaire")},
		"sub/x.yaml":   {Data: []byte("not read: only the top directory is")},
		"README.md":    {Data: []byte("# built-in questionnaires")},
		"draft.yml.bk": {Data: []byte("ignored")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := keysOf(lib), []string{"alpha/1", "alpha/2", "alpha/3", "beta/1"}; !slices.Equal(got, want) {
		t.Errorf("All() = %v, want %v", got, want)
	}
	if q, ok := lib.Latest("alpha"); !ok || q.Version != 3 {
		t.Errorf("Latest(alpha) = %v, %v; want version 3", q, ok)
	}
	if q, ok := lib.Version("alpha", 2); !ok || q.Key != "alpha" || q.Version != 2 {
		t.Errorf("Version(alpha, 2) = %v, %v", q, ok)
	}
	if q, ok := lib.Version("alpha", 4); ok {
		t.Errorf("Version(alpha, 4) = %v, want none", q)
	}
	if q, ok := lib.Latest("gamma"); ok {
		t.Errorf("Latest(gamma) = %v, want none", q)
	}
	all := lib.All()
	all[0] = nil
	if lib.All()[0] == nil {
		t.Error("All() returned the library's own slice")
	}
}

func TestLoadNoFiles(t *testing.T) {
	lib, err := Load(fstest.MapFS{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(lib.All()); n != 0 {
		t.Errorf("%d questionnaires, want 0", n)
	}
	if _, ok := lib.Latest("tourism-views"); ok {
		t.Error("Latest found a questionnaire in an empty library")
	}
}

// TestLoadProblems: every problem of every file, and a key and version
// defined twice, naming both files.
func TestLoadProblems(t *testing.T) {
	_, err := Load(fstest.MapFS{
		"one.yaml":    questionnaireFile("alpha", 1),
		"two.yaml":    questionnaireFile("alpha", 1),
		"broken.yaml": {Data: []byte("key: Broken\nversion: 1\ntitle: {en: T}\nsections: []\n")},
		"bad.yaml":    {Data: []byte("key: bad\nversion: x\ntitle: {en: T}\nsections: []\n")},
	})
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("error %v is not Problems", err)
	}
	want := []string{
		"bad.yaml:2:10: version must be a whole number",
		"bad.yaml:4:1: sections: list at least one section",
		`broken.yaml:1:6: key "Broken": use lower-case letters, digits and -, starting with a letter ([a-z][a-z0-9-]*)`,
		"broken.yaml:4:1: sections: list at least one section",
		"two.yaml: alpha version 1 is also defined in one.yaml; give the newer one the next version",
	}
	if got := strings.Split(err.Error(), "\n"); !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestBuiltin: the embedded questionnaires load without a problem, and the
// two the portal starts with are there.
func TestBuiltin(t *testing.T) {
	lib, err := Builtin()
	if err != nil {
		t.Fatalf("Builtin:\n%v", err)
	}
	for _, key := range []string{"tourism-views", "crime-statistics"} {
		q, ok := lib.Latest(key)
		if !ok {
			t.Errorf("no built-in questionnaire %s", key)
			continue
		}
		if q.Title.In(forms.English) == "" || len(q.Sections) == 0 {
			t.Errorf("%s: no title or no sections", key)
		}
	}
}

// TestPopulationBoundsMatchQuestionnaire: the Office's population table
// (forms.ParsePopulations) refuses the figures every version of the
// built-in crime-statistics questionnaire refuses with its rule
// population_range, and no others: one pair of bounds for both.
func TestPopulationBoundsMatchQuestionnaire(t *testing.T) {
	lib, err := Builtin()
	if err != nil {
		t.Fatalf("Builtin:\n%v", err)
	}
	checked := 0
	for _, q := range lib.All() {
		if q.Key != "crime-statistics" {
			continue
		}
		i := slices.IndexFunc(q.Rules, func(r forms.Rule) bool { return r.Key == "population_range" })
		if i < 0 {
			t.Errorf("crime-statistics version %d has no rule population_range", q.Version)
			continue
		}
		r := q.Rules[i]
		if r.Kind != forms.RuleRange || r.Min == nil || r.Max == nil ||
			*r.Min != forms.MinPopulation || *r.Max != forms.MaxPopulation {
			t.Errorf("crime-statistics version %d: population_range is %+v; forms.MinPopulation and MaxPopulation are %d and %d",
				q.Version, r, forms.MinPopulation, forms.MaxPopulation)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no built-in crime-statistics questionnaire")
	}
}
