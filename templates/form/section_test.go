package form

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"portal/forms"
	"portal/forms/definition"
)

var fuzzYears = []int{2022, 2023}

// fuzzSections are the sections of the built-in questionnaires, in order.
func fuzzSections(t testing.TB) (qs []*forms.Questionnaire, secs []*forms.Section) {
	lib, err := definition.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range lib.All() {
		for i := range q.Sections {
			qs, secs = append(qs, q), append(secs, &q.Sections[i])
		}
	}
	return qs, secs
}

var fuzzLanguages = []forms.Language{forms.English, forms.French, forms.Spanish, forms.Russian, forms.Arabic, forms.Chinese}

// FuzzReadSection posts any body to any section of the built-in
// questionnaires in any language. Whatever arrives, reading it never
// panics, and what it reads is an edit the draft can take: fields of that
// section only (or explanations), each once, none both read and refused,
// within the fields the post says it covers, with texts cleaned and
// bounded, figures not negative, and every field's content one that
// encodes and decodes to itself. Then the edit, written back as the page
// writes its inputs, reads the same.
func FuzzReadSection(f *testing.F) {
	qs, secs := fuzzSections(f)
	for _, s := range []string{
		"version=3&end=1",
		"q/threats_observed=terrorism&q/threats_observed=other&o/threats_observed=Piracy&q/threats_nature=Vols%0D%0A%C3%A0+la+tire&end=1",
		"c/police_offences/homicide/2023/total=1%2C234&s/police_offences/homicide/2023/male=na&n/police_offences/homicide/2023/male=note&f/police_offences/homicide/2023/male=estimate",
		"c/police_offences/homicide/2023/total=1+234&c/police_offences/homicide/2022/total=-5&c/police_offences/robbery/2022/total=12.5",
		"fields=c/police_offences/homicide/2023/total&c/police_offences/homicide/2023/total=7&c/police_offences/robbery/2023/total=9&v/c/police_offences/homicide/2023/total=2",
		"x/sum-police_offences=Because%00of+a+reform&x/=empty&x/" + strings.Repeat("k", 400) + "=long",
		"q/partnerships=yes&q/partnership_count=%D9%A1%D9%A2&q/start=2023-01-01",
		"c/police_offences/homicide/2023/total=%EF%BC%91%EF%BC%92&c/police_offences/homicide/2023/male=1e9&c/police_offences/homicide/2023/female=0x10",
	} {
		for i := range 3 {
			f.Add(s, uint8(i), uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, body string, which, langIndex uint8) {
		values, err := url.ParseQuery(body)
		if err != nil {
			return // the handler refuses a form it cannot parse
		}
		i := int(which) % len(secs)
		q, sec := qs[i], secs[i]
		lang := fuzzLanguages[int(langIndex)%len(fuzzLanguages)]
		in := ReadSection(values, q, sec, fuzzYears, lang)
		checkInput(t, q, sec, in)

		// Written back as the page writes it, the edit reads the same.
		again := ReadSection(writeBack(q, in.Edit, lang), q, sec, fuzzYears, lang)
		if len(again.Errs) > 0 {
			t.Fatalf("the edit written back does not read: %v\nedit: %+v", again.Errs, in.Edit)
		}
		for _, field := range in.Edit.Fields {
			if forms.FieldKind(field) == 'x' {
				continue // explanations are written by the page only for warnings found
			}
			if a, b := in.Edit.Answers.Field(field), again.Edit.Answers.Field(field); a != b {
				t.Fatalf("%s read %q, written back and read again %q", field, a, b)
			}
		}
	})
}

func checkInput(t *testing.T, q *forms.Questionnaire, sec *forms.Section, in Input) {
	t.Helper()
	fields := SectionFields(q, sec, fuzzYears)
	seen := map[string]bool{}
	for _, field := range in.Edit.Fields {
		if seen[field] {
			t.Fatalf("%s read twice", field)
		}
		seen[field] = true
		if !fields[field] && forms.FieldKind(field) != 'x' {
			t.Fatalf("%s is not a field of section %s", field, sec.Key)
		}
		if _, refused := in.Errs[field]; refused {
			t.Fatalf("%s both read and refused", field)
		}
		if in.Only != nil && !in.Only[field] {
			t.Fatalf("%s read, but the post covers only %v", field, in.Only)
		}
		enc := in.Edit.Answers.Field(field)
		var back forms.Answers
		if err := back.SetField(field, enc); err != nil {
			t.Fatalf("%s: its content %q does not decode: %v", field, enc, err)
		}
		if got := back.Field(field); got != enc {
			t.Fatalf("%s: %q decodes and encodes as %q", field, enc, got)
		}
	}
	for field, p := range in.Errs {
		if !strings.HasPrefix(p.ID, "input.") {
			t.Fatalf("%s refused with %q, not a catalogue entry of the inputs", field, p.ID)
		}
	}
	a := in.Edit.Answers
	clean := func(what, s string, max int) {
		if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r != '\n' && r != '\t' && unicode.IsControl(r) }) {
			t.Fatalf("%s kept unclean: %q", what, s)
		}
		if max > 0 && utf8.RuneCountInString(s) > max {
			t.Fatalf("%s kept %d characters, more than %d", what, utf8.RuneCountInString(s), max)
		}
	}
	for k, v := range a.Values {
		clean("answer "+k, v.Text, 0)
		if v.Number != nil && *v.Number < 0 {
			t.Fatalf("answer %s is negative: %v", k, *v.Number)
		}
	}
	for ref, c := range a.Cells {
		clean("note of "+forms.CellField(ref), c.Note, maxCellNote)
		if c.Value < 0 || c.State != forms.CellValue && c.Value != 0 {
			t.Fatalf("cell %s read as %+v", forms.CellField(ref), c)
		}
	}
	for k, v := range a.Explanations {
		clean("explanation "+k, v, maxExplanation)
	}
}

// writeBack writes an edit's fields as the section's form writes its
// inputs: figures as the language writes them, a cell's state, note and
// flags, a choice's options and its other text.
func writeBack(q *forms.Questionnaire, e forms.Edit, lang forms.Language) url.Values {
	v := url.Values{}
	for _, field := range e.Fields {
		if ref, ok := forms.ParseCellField(field); ok {
			c := e.Answers.Cells[ref]
			rest := field[2:]
			switch c.State {
			case forms.CellValue:
				v.Set(field, forms.FormatCount(c.Value, lang))
			case forms.CellNotAvailable:
				v.Set("s/"+rest, NotAvailable)
			case forms.CellNotApplicable:
				v.Set("s/"+rest, NotApplicable)
			}
			v.Set("n/"+rest, c.Note)
			for _, fl := range CellFlags {
				if c.Flags&fl.Flag != 0 {
					v.Add("f/"+rest, fl.Name)
				}
			}
			continue
		}
		key, ok := strings.CutPrefix(field, "q/")
		if !ok {
			continue
		}
		qq, _ := q.Question(key)
		ans := e.Answers.Values[key]
		switch qq.Kind {
		case forms.Narrative:
			v.Set(field, ans.Text)
		case forms.SingleChoice, forms.MultipleChoice:
			v[field] = slices.Clone(ans.Choices)
			v.Set("o/"+key, ans.Text)
		case forms.YesNo:
			if ans.Bool != nil {
				v.Set(field, map[bool]string{true: "yes", false: "no"}[*ans.Bool])
			}
		case forms.Date:
			v.Set(field, ans.Date)
		case forms.Number:
			if ans.Number != nil {
				x := *ans.Number
				if x == float64(int64(x)) && x >= 0 {
					v.Set(field, forms.FormatCount(int64(x), lang))
				} else {
					s := strconv.FormatFloat(x, 'f', -1, 64)
					if lang == forms.French || lang == forms.Spanish || lang == forms.Russian {
						s = strings.ReplaceAll(s, ".", ",")
					}
					v.Set(field, s)
				}
			}
		case forms.Attachment:
			for _, id := range ans.Files {
				v.Add(field, strconv.FormatInt(id, 10))
			}
		}
	}
	return v
}
