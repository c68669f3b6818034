package definition

import (
	"cmp"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"

	"portal/forms"
)

// builtinFS holds the built-in questionnaires, every version of each.
//
//go:embed builtin/*.yaml
var builtinFS embed.FS

// builtinDir is where the built-in files are in the source tree, so that a
// problem in one names the file a developer edits.
const builtinDir = "forms/definition/builtin"

// Library is a set of questionnaires, every version of each, at most one
// per key and version. It does not change once loaded.
type Library struct {
	all []*forms.Questionnaire // sorted by key, then version
}

// Builtin parses the questionnaires embedded from builtin/*.yaml. The
// error is a Problems listing every problem of every file, including two
// files with the same key and version.
func Builtin() (*Library, error) {
	sub, err := fs.Sub(builtinFS, "builtin")
	if err != nil {
		return nil, fmt.Errorf("definition: built-in questionnaires: %w", err)
	}
	return load(sub, builtinDir)
}

// Load parses every *.yaml file at the top of fsys, as Builtin does.
// Problems name the files by their path in fsys. The error is a Problems,
// or the error of reading the directory or a file.
func Load(fsys fs.FS) (*Library, error) {
	return load(fsys, "")
}

func load(fsys fs.FS, dir string) (*Library, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("definition: list questionnaires: %w", err)
	}
	var (
		problems Problems
		lib      Library
		fileOf   = map[*forms.Questionnaire]string{}
	)
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("definition: read questionnaire: %w", err)
		}
		file := name
		if dir != "" {
			file = path.Join(dir, name)
		}
		q, err := Parse(file, data)
		if ps, ok := err.(Problems); ok {
			problems = append(problems, ps...)
			continue
		} else if err != nil {
			return nil, err
		}
		fileOf[q] = file
		lib.all = append(lib.all, q)
	}
	slices.SortStableFunc(lib.all, compareQuestionnaires)
	units := map[string]SeriesUnit{}
	for _, q := range lib.all {
		problems = append(problems, CheckUnits(fileOf[q], q, units)...)
	}
	for i := 1; i < len(lib.all); i++ {
		a, b := lib.all[i-1], lib.all[i]
		if a.Key == b.Key && a.Version == b.Version {
			problems = append(problems, Problem{
				File:    fileOf[b],
				Message: fmt.Sprintf("%s version %d is also defined in %s; give the newer one the next version", b.Key, b.Version, fileOf[a]),
			})
		}
	}
	if len(problems) > 0 {
		problems.sort()
		return nil, problems
	}
	return &lib, nil
}

func compareQuestionnaires(a, b *forms.Questionnaire) int {
	return cmp.Or(cmp.Compare(a.Key, b.Key), cmp.Compare(a.Version, b.Version))
}

// All returns every questionnaire, sorted by key, then version. The slice
// is the caller's; the questionnaires are shared and must not be changed.
func (l *Library) All() []*forms.Questionnaire {
	return slices.Clone(l.all)
}

// Latest returns the highest version of the questionnaire key, and false
// when the library has none.
func (l *Library) Latest(key string) (*forms.Questionnaire, bool) {
	var latest *forms.Questionnaire
	for _, q := range l.all {
		if q.Key == key {
			latest = q // sorted by version: the last one wins
		}
	}
	return latest, latest != nil
}

// Version returns the given version of the questionnaire key, and false
// when the library does not have it.
func (l *Library) Version(key string, version int) (*forms.Questionnaire, bool) {
	i, found := slices.BinarySearchFunc(l.all, &forms.Questionnaire{Key: key, Version: version}, compareQuestionnaires)
	if !found {
		return nil, false
	}
	return l.all[i], true
}
