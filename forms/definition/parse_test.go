package definition

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"portal/forms"
)

func ptr(f float64) *float64 { return &f }

func en(s string) forms.Text { return forms.Text{forms.English: s} }

func TestParseValid(t *testing.T) {
	data, err := os.ReadFile("testdata/valid.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse("valid.yaml", data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := &forms.Questionnaire{
		Key:         "full-example",
		Version:     3,
		Title:       forms.Text{forms.English: "Every feature", forms.French: "Toutes les fonctions"},
		Description: forms.Text{forms.English: "A questionnaire: with a colon", forms.Arabic: "وصف"},
		Disaggregations: map[string]forms.Disaggregation{
			"sex": {Key: "sex", Label: en("Sex"), Categories: []forms.Option{
				{Key: "male", Label: en("Male")},
				{Key: "female", Label: en("Female")},
				{Key: "unknown", Label: en("Unknown")},
			}},
		},
		Sections: []forms.Section{
			{Key: "general", Title: en("General"), Help: en("Folded text."), Questions: []forms.Question{
				{Key: "narrative", Kind: forms.Narrative, Label: en("Describe"), Required: true, MaxLength: 10000},
				{Key: "short_text", Kind: forms.Narrative, Label: en("Briefly"), MaxLength: 500},
				{Key: "one", Kind: forms.SingleChoice, Label: en("Pick one"), Options: []forms.Option{
					{Key: "a", Label: en("A")},
					{Key: "b", Label: forms.Text{forms.English: "B", forms.Chinese: "乙"}},
				}},
				{Key: "many", Kind: forms.MultipleChoice, Label: en("Pick any"), Help: en("Tick all that apply."), Other: true,
					Options: []forms.Option{{Key: "x", Label: en("X")}, {Key: "y", Label: en("Y")}}},
				{Key: "agreed", Kind: forms.YesNo, Label: en("Agreed")},
				{Key: "since", Kind: forms.Date, Label: en("Since when?")},
				{Key: "population", Kind: forms.Number, Label: en("Population"), Min: ptr(0), Max: ptr(2e9), Integer: true, Unit: en("persons")},
				{Key: "share", Kind: forms.Number, Label: en("Share"), Min: ptr(0.5)},
				{Key: "documents", Kind: forms.Attachment, Label: en("Documents"), Accept: []string{"application/pdf", "image/*"}, MaxBytes: 20 << 20},
				{Key: "annex", Kind: forms.Attachment, Label: en("Annex"), Accept: []string{"text/csv"}, MaxBytes: 10 << 20},
			}},
			{Key: "statistics", Title: en("Statistics"), Questions: []forms.Question{
				{Key: "police_offences", Kind: forms.StatTable, Label: en("Offences recorded by the police"), Unit: en("offences"),
					Table: &forms.Table{Rows: []forms.Indicator{
						{Key: "homicide", ICCS: "0101", Label: en("Intentional homicide")},
						{Key: "sexual_violence", ICCS: "0301", Label: en("Sexual violence")},
						{Key: "rape", ICCS: "03011", PartOf: "sexual_violence", Label: en("of which: rape")},
					}}},
				{Key: "persons_prosecuted", Kind: forms.StatTable, Label: en("Persons prosecuted"),
					Table: &forms.Table{Disaggregation: "sex", Rows: []forms.Indicator{
						{Key: "homicide", Label: en("Intentional homicide")},
						{Key: "robbery", Label: en("Robbery")},
					}}},
				{Key: "persons_convicted", Kind: forms.StatTable, Label: en("Persons convicted"), Required: true,
					Table: &forms.Table{Disaggregation: "sex", Rows: []forms.Indicator{
						{Key: "homicide", Label: en("Intentional homicide")},
					}}},
			}},
		},
		Rules: []forms.Rule{
			{Key: "prosecuted_parts_add_up", Kind: forms.RulePartsSumToTotal, Severity: forms.SeverityError, Question: "persons_prosecuted"},
			{Key: "rape_within_sexual_violence", Kind: forms.RulePartNotAboveWhole, Severity: forms.SeverityError, Question: "police_offences", Rows: []string{"rape"}},
			{Key: "convicted_not_above_prosecuted", Kind: forms.RuleNotAbove, Severity: forms.SeverityWarning,
				Question: "persons_convicted", Bound: "persons_prosecuted", Rows: []string{"homicide"},
				Message: forms.Text{
					forms.English: "More persons convicted ({{.Value}}) than prosecuted ({{.Bound}}) in {{.Year}}.",
					forms.French:  "Plus de personnes condamnées ({{ .Value }}) que poursuivies ({{.Bound}}).",
				}},
			{Key: "police_year_change", Kind: forms.RuleYearChange, Severity: forms.SeverityWarning, Question: "police_offences", MaxShare: 0.5, MinBase: 20},
			{Key: "population_range", Kind: forms.RuleRange, Severity: forms.SeverityError, Question: "population", Min: ptr(1000), Max: ptr(2000000000)},
			{Key: "offences_not_negative", Kind: forms.RuleRange, Severity: forms.SeverityError, Question: "police_offences", Min: ptr(0)},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Parse(valid.yaml) mismatch (-want +got):\n%s", diff)
	}
}

// head is the start of a valid questionnaire (3 lines) for the snippets
// below; each adds what it tests.
const head = "key: k\nversion: 1\ntitle: {en: T}\n"

// oneQuestion is head plus a section whose only question is q (indented
// under "questions:").
func oneQuestion(q string) string {
	return head + "sections:\n  - key: s\n    title: {en: S}\n    questions:\n" + q
}

// relevance is oneQuestion with, before qs, a yes_no question yn, a text
// txt, a single choice one (options a, b) and a multiple choice many
// (a, b and other).
func relevance(qs string) string {
	return oneQuestion(`      - {key: yn, kind: yes_no, label: {en: YN}}
      - {key: txt, kind: text, label: {en: T}}
      - {key: one, kind: single_choice, label: {en: O}, options: [{key: a, label: {en: A}}, {key: b, label: {en: B}}]}
      - {key: many, kind: multiple_choice, label: {en: M}, other: true, options: [{key: a, label: {en: A}}, {key: b, label: {en: B}}]}
` + qs)
}

// tables is head with disaggregation sex, two tables (t_none without
// disaggregation, rows a, b with b part_of a; t_sex by sex, rows a, c),
// a number question n and a text question x; then rules.
func tables(rules string) string {
	return head + `disaggregations:
  sex:
    label: {en: Sex}
    categories: [{key: male, label: {en: M}}, {key: female, label: {en: F}}]
sections:
  - key: s
    title: {en: S}
    questions:
      - key: t_none
        kind: table
        label: {en: T}
        table:
          disaggregation: none
          rows: [{key: a, label: {en: A}}, {key: b, part_of: a, label: {en: B}}]
      - key: t_sex
        kind: table
        label: {en: T}
        table:
          disaggregation: sex
          rows: [{key: a, label: {en: A}}, {key: c, label: {en: C}}]
      - key: t_sex2
        kind: table
        label: {en: T}
        table: {disaggregation: sex, rows: [{key: z, label: {en: Z}}]}
      - key: n
        kind: number
        label: {en: N}
      - key: x
        kind: text
        label: {en: X}
rules:
` + rules
}

// TestParseProblems: each definition has one kind of problem (sometimes
// reported more than once); the line marked "# !" (or line 1 when none is)
// must carry a problem whose message contains want.
func TestParseProblems(t *testing.T) {
	tests := []struct {
		name, yaml, want string
		count            int // problems expected in all; 0 means 1
		column           int // checked when not 0
	}{
		// The file as YAML.
		{"empty file", "", "the file is empty", 0, 0},
		{"only a comment", "# nothing\n", "the file is empty", 0, 0},
		{"not YAML", "key: k\nversion: [1\n", "not valid YAML", 0, 0},
		{"tab indentation", "key: k\n\tversion: 1 # !\n", "not valid YAML", 0, 0},
		{"two documents", head + "sections: []\n--- # !\nkey: other\n", "one questionnaire", 2, 0},
		{"not a mapping", "- a # !\n- b\n", "the questionnaire must be a mapping", 0, 0},
		{"anchor", "key: k\nversion: 1\ntitle: &t {en: T} # !\nsections: []\n", "anchors (&t) are not allowed", 2, 8},
		{"alias", "key: k\nversion: 1\ntitle: {en: T}\ndescription: &d {en: D}\nsections: []\nx: *d # !\n", "aliases (*d) are not allowed", 4, 0},
		{"tag", "key: k\nversion: !!int 1 # !\ntitle: {en: T}\nsections: []\n", "tags (!!int) are not allowed", 2, 0},
		{"custom tag", "key: k\nversion: 1\ntitle: !text {en: T} # !\nsections: []\n", "tags (!text) are not allowed", 2, 0},
		{"duplicate key", head + "key: k2 # !\nsections: []\n", "duplicate key key (first at line 1)", 2, 1},
		{"complex key", head + "? [a, b] # !\n: c\nsections: []\n", "keys must be plain words", 2, 0},

		// The questionnaire.
		{"unknown key", head + "titel: {en: T} # !\nsections: []\n", "unknown key titel in the questionnaire; allowed here: key, version, title, description, disaggregations, sections, rules", 2, 1},
		{"missing title", "key: k # !\nversion: 1\nsections:\n  - key: s\n    title: {en: S}\n    questions: [{key: q, kind: date, label: {en: Q}}]\n", "the questionnaire has no title, which is required", 0, 1},
		{"version not a number", "key: k\nversion: one # !\ntitle: {en: T}\nsections: []\n", "version must be a whole number", 2, 10},
		{"version a fraction", "key: k\nversion: 1.5 # !\ntitle: {en: T}\nsections: []\n", "version must be a whole number", 2, 0},
		{"version 0", "key: k\nversion: 0 # !\ntitle: {en: T}\nsections: []\n", "version must be a whole number of 1 or more", 2, 0},
		{"questionnaire key pattern", "key: Tourism_Views # !\nversion: 1\ntitle: {en: T}\nsections: []\n", `key "Tourism_Views": use lower-case letters, digits and -`, 2, 6},
		{"no sections", head + "sections: [] # !\n", "list at least one section", 0, 1},

		// Texts.
		{"text without en", "key: k\nversion: 1\ntitle: {fr: T} # !\nsections: []\n", "title has no English (en)", 2, 0},
		{"unknown language", "key: k\nversion: 1\ntitle: {en: T, de: T} # !\nsections: []\n", "de is not a language code; use en, fr, es, ru, ar or zh", 2, 0},
		{"text a string", "key: k\nversion: 1\ntitle: T # !\nsections: []\n", "title must be a text by language", 2, 0},
		{"text blank", "key: k\nversion: 1\ntitle: {en: ' '} # !\nsections: []\n", "title.en must not be blank", 2, 0},
		{"text empty", "key: k\nversion: 1\ntitle: {en: } # !\nsections: []\n", "title.en must not be empty", 2, 0},
		{"text a list", "key: k\nversion: 1\ntitle: {en: [a]} # !\nsections: []\n", "title.en must be a single value", 2, 0},

		// Sections and questions.
		{"section key pattern", head + "sections:\n  - key: Threats # !\n    title: {en: S}\n    questions: [{key: q, kind: date, label: {en: Q}}]\n", "section key \"Threats\"", 0, 0},
		{"duplicate section", head + "sections:\n  - {key: s, title: {en: S}, questions: [{key: q, kind: date, label: {en: Q}}]}\n  - {key: s, title: {en: S}, questions: [{key: r, kind: date, label: {en: Q}}]} # !\n", "duplicate section key s (first at line 5)", 0, 0},
		{"section without questions", head + "sections:\n  - key: s # !\n    title: {en: S}\n", "section s has no questions, which is required", 0, 0},
		{"section empty questions", head + "sections:\n  - key: s\n    title: {en: S}\n    questions: [] # !\n", "list at least one question", 0, 0},
		{"unknown section key", head + "sections:\n  - key: s\n    title: {en: S}\n    intro: {en: I} # !\n    questions: [{key: q, kind: date, label: {en: Q}}]\n", "unknown key intro in section s; allowed here: key, title, help, questions", 0, 0},
		{"question key pattern", oneQuestion("      - key: 1st # !\n        kind: date\n        label: {en: Q}\n"), `question key "1st"`, 0, 0},
		{"duplicate question across sections", head + "sections:\n  - {key: s, title: {en: S}, questions: [{key: q, kind: date, label: {en: Q}}]}\n  - {key: t, title: {en: T}, questions: [{key: q, kind: date, label: {en: Q}}]} # !\n", "duplicate question key q (question keys are unique in the whole questionnaire) (first at line 5)", 0, 0},
		{"missing label", oneQuestion("      - key: q # !\n        kind: date\n"), "question q has no label, which is required", 0, 0},
		{"unknown kind", oneQuestion("      - key: q\n        kind: essay # !\n        label: {en: Q}\n"), `kind "essay" is not a kind of question; use one of text, single_choice`, 0, 0},
		{"misspelt question key", oneQuestion("      - key: q\n        kind: date\n        label: {en: Q}\n        hepl: {en: H} # !\n"), "unknown key hepl in date question q; allowed here: key, kind, label, help, required", 0, 0},
		{"field of another kind", oneQuestion("      - key: q\n        kind: yes_no\n        label: {en: Q}\n        options: [] # !\n"), "options does not belong to a yes_no question (only to single_choice, multiple_choice)", 0, 0},
		{"max_length on a number", oneQuestion("      - key: q\n        kind: number\n        label: {en: Q}\n        max_length: 5 # !\n"), "max_length does not belong to a number question (only to text); a number question has: key, kind, label, help, required, relevant, min, max, integer, unit", 0, 0},
		{"required not a bool", oneQuestion("      - key: q\n        kind: date\n        label: {en: Q}\n        required: yes # !\n"), "required must be true or false", 0, 0},
		{"max_length 0", oneQuestion("      - key: q\n        kind: text\n        label: {en: Q}\n        max_length: 0 # !\n"), "max_length must be from 1 to 100000 characters, not 0", 0, 0},
		{"max_length too big", oneQuestion("      - key: q\n        kind: text\n        label: {en: Q}\n        max_length: 100001 # !\n"), "max_length must be from 1 to 100000 characters, not 100001", 0, 0},
		{"max_length a word", oneQuestion("      - key: q\n        kind: text\n        label: {en: Q}\n        max_length: long # !\n"), "max_length must be a whole number", 0, 0},

		// Relevance.
		{"relevant on a later question", relevance("      - {key: d, kind: date, label: {en: D}, relevant: {question: later, answer: yes}} # !\n      - {key: later, kind: yes_no, label: {en: L}}\n"), "relevant: later is not a question before this one", 0, 0},
		{"relevant on itself", relevance("      - {key: d, kind: yes_no, label: {en: D}, relevant: {question: d, answer: yes}} # !\n"), "relevant: d is not a question before this one", 0, 0},
		{"relevant on an unknown question", relevance("      - {key: d, kind: date, label: {en: D}, relevant: {question: nope, answer: yes}} # !\n"), "relevant: nope is not a question before this one", 0, 0},
		{"relevant on a text", relevance("      - {key: d, kind: date, label: {en: D}, relevant: {question: txt, answer: x}} # !\n"), "relevant: question txt is a text question; a question can depend only on a yes_no, single_choice or multiple_choice question", 0, 0},
		{"relevant yes_no answer", relevance("      - {key: d, kind: date, label: {en: D}, relevant: {question: yn, answer: maybe}} # !\n"), "relevant: maybe is not an answer to question yn; use yes, no", 0, 0},
		{"relevant yes_no true", relevance("      - {key: d, kind: date, label: {en: D}, relevant: {question: yn, answer: true}} # !\n"), "relevant: true is not an answer to question yn; use yes, no", 0, 0},
		{"relevant unknown option", relevance("      - key: d\n        kind: date\n        label: {en: D}\n        relevant:\n          question: many\n          answer: [a, z] # !\n"), "relevant: z is not an answer to question many; use a, b, other", 0, 0},
		{"relevant empty list", relevance("      - {key: d, kind: date, label: {en: D}, relevant: {question: one, answer: []}} # !\n"), "relevant: answer: list at least one answer", 0, 0},
		{"relevant without answer", relevance("      - {key: d, kind: date, label: {en: D}, relevant: {question: one}} # !\n"), "relevant has no answer, which is required", 0, 0},
		{"relevant misspelt key", relevance("      - {key: d, kind: date, label: {en: D}, relevant: {question: one, answers: a}} # !\n"), "unknown key answers in relevant; allowed here: question, answer", 2, 0},
		{"option relevant on its own question", relevance("      - key: d\n        kind: single_choice\n        label: {en: D}\n        options:\n          - {key: a, label: {en: A}}\n          - {key: b, label: {en: B}, relevant: {question: d, answer: a}} # !\n"), "relevant: d is not a question before this one", 0, 0},
		{"option relevant unknown answer", relevance("      - key: d\n        kind: multiple_choice\n        label: {en: D}\n        options:\n          - {key: a, label: {en: A}}\n          - {key: b, label: {en: B}, relevant: {question: one, answer: c}} # !\n"), "relevant: c is not an answer to question one; use a, b", 0, 0},
		{"category relevant", head + "disaggregations:\n  sex:\n    label: {en: Sex}\n    categories:\n      - {key: male, label: {en: M}}\n      - {key: female, label: {en: F}, relevant: {question: q, answer: a}} # !\nsections: []\n", "unknown key relevant in category female; allowed here: key, label", 2, 0},
		{"relevant a string", relevance("      - {key: d, kind: date, label: {en: D}, relevant: yn} # !\n"), "relevant (question: and answer:) must be a mapping", 0, 0},

		// Choice questions.
		{"one option", oneQuestion("      - key: q\n        kind: single_choice\n        label: {en: Q}\n        options: # !\n          - {key: a, label: {en: A}}\n"), "options: list at least 2, not 1", 0, 0},
		{"no options", oneQuestion("      - key: q # !\n        kind: multiple_choice\n        label: {en: Q}\n"), "multiple_choice question q has no options, which is required", 0, 0},
		{"duplicate option", oneQuestion("      - key: q\n        kind: single_choice\n        label: {en: Q}\n        options:\n          - {key: a, label: {en: A}}\n          - {key: a, label: {en: B}} # !\n"), "duplicate option key a in this question (first at line 12)", 0, 0},
		{"option key pattern", oneQuestion("      - key: q\n        kind: single_choice\n        label: {en: Q}\n        options:\n          - {key: a-b, label: {en: A}} # !\n          - {key: c, label: {en: C}}\n"), `option key "a-b"`, 0, 0},
		{"option without label", oneQuestion("      - key: q\n        kind: single_choice\n        label: {en: Q}\n        options:\n          - {key: a} # !\n          - {key: c, label: {en: C}}\n"), "option a has no label", 0, 0},
		{"option keyed other with other", oneQuestion("      - key: q\n        kind: single_choice\n        label: {en: Q}\n        other: true\n        options:\n          - {key: other, label: {en: A}} # !\n          - {key: c, label: {en: C}}\n"), "option key other is taken by other: true", 0, 0},

		// Numbers and files.
		{"number min above max", oneQuestion("      - key: q\n        kind: number\n        label: {en: Q}\n        min: 10 # !\n        max: 1\n"), "min (10) is above max (1)", 0, 0},
		{"number min a word", oneQuestion("      - key: q\n        kind: number\n        label: {en: Q}\n        min: none # !\n"), "min must be a number", 0, 0},
		{"number min infinite", oneQuestion("      - key: q\n        kind: number\n        label: {en: Q}\n        min: -.inf # !\n"), "min must be a number", 0, 0},
		{"accept empty", oneQuestion("      - key: q\n        kind: file\n        label: {en: Q}\n        accept: [] # !\n"), "accept: list at least one MIME type", 0, 0},
		{"accept missing", oneQuestion("      - key: q # !\n        kind: file\n        label: {en: Q}\n"), "file question q has no accept, which is required", 0, 0},
		{"accept not a MIME type", oneQuestion("      - key: q\n        kind: file\n        label: {en: Q}\n        accept:\n          - .pdf # !\n"), `".pdf" is not a MIME type`, 0, 0},
		{"max_size_mb too big", oneQuestion("      - key: q\n        kind: file\n        label: {en: Q}\n        accept: [application/pdf]\n        max_size_mb: 51 # !\n"), "max_size_mb must be from 1 to 50, not 51", 0, 0},
		{"max_size_mb 0", oneQuestion("      - key: q\n        kind: file\n        label: {en: Q}\n        accept: [application/pdf]\n        max_size_mb: 0 # !\n"), "max_size_mb must be from 1 to 50, not 0", 0, 0},

		// Disaggregations and tables.
		{"undefined disaggregation", oneQuestion("      - key: q\n        kind: table\n        label: {en: Q}\n        table:\n          disaggregation: age # !\n          rows: [{key: a, label: {en: A}}]\n"), "disaggregation age is not defined under disaggregations (none is defined); or use none", 0, 0},
		{"table without disaggregation", oneQuestion("      - key: q\n        kind: table\n        label: {en: Q}\n        table:\n          rows: [{key: a, label: {en: A}}] # !\n"), "table has no disaggregation, which is required", 0, 0},
		{"table without rows", oneQuestion("      - key: q\n        kind: table\n        label: {en: Q}\n        table:\n          disaggregation: none\n          rows: [] # !\n"), "rows: list at least one row", 0, 0},
		{"duplicate row", oneQuestion("      - key: q\n        kind: table\n        label: {en: Q}\n        table:\n          disaggregation: none\n          rows:\n            - {key: a, label: {en: A}}\n            - {key: a, label: {en: B}} # !\n"), "duplicate row key a in this table (first at line 14)", 0, 0},
		{"row key pattern", oneQuestion("      - key: q\n        kind: table\n        label: {en: Q}\n        table:\n          disaggregation: none\n          rows:\n            - {key: A1, label: {en: A}} # !\n"), `row key "A1"`, 0, 0},
		{"unknown row key", oneQuestion("      - key: q\n        kind: table\n        label: {en: Q}\n        table:\n          disaggregation: none\n          rows:\n            - {key: a, code: x, label: {en: A}} # !\n"), "unknown key code in row a; allowed here: key, label, iccs, series, part_of, relevant", 0, 0},
		{"part_of unknown", oneQuestion("      - key: q\n        kind: table\n        label: {en: Q}\n        table:\n          disaggregation: none\n          rows:\n            - {key: a, label: {en: A}}\n            - {key: b, part_of: x, label: {en: B}} # !\n"), "part_of: there is no row x in this table", 0, 0},
		{"rule key kept for the portal", tables("  - {key: invalid, kind: range, severity: error, question: n, min: 0} # !\n"), "rule key invalid is kept for the portal's own checks", 0, 0},
		{"rows_from unknown", oneQuestion("      - key: q\n        kind: table\n        label: {en: Q}\n        table:\n          disaggregation: none\n          rows_from: other # !\n"), "rows_from: other is not a table question before this one", 0, 0},
		{"rows_from and rows", oneQuestion("      - key: q\n        kind: table\n        label: {en: Q}\n        table:\n          disaggregation: none\n          rows_from: q # !\n          rows: [{key: a, label: {en: A}}]\n"), "not both", 0, 0},
		{"rows_from a later table", head + "sections:\n  - key: s\n    title: {en: S}\n    questions:\n      - {key: a, kind: table, label: {en: A}, table: {disaggregation: none, rows_from: b}} # !\n      - {key: b, kind: table, label: {en: B}, table: {disaggregation: none, rows: [{key: r, label: {en: R}}]}}\n", "rows_from: b is not a table question before this one", 0, 0},
		{"part_of later", oneQuestion("      - key: q\n        kind: table\n        label: {en: Q}\n        table:\n          disaggregation: none\n          rows:\n            - {key: a, part_of: b, label: {en: A}} # !\n            - {key: b, label: {en: B}}\n"), "part_of: row b comes later in the table; a part must name an earlier row", 0, 0},
		{"part_of cycle", oneQuestion("      - key: q\n        kind: table\n        label: {en: Q}\n        table:\n          disaggregation: none\n          rows:\n            - {key: a, part_of: c, label: {en: A}} # !\n            - {key: b, part_of: a, label: {en: B}}\n            - {key: c, part_of: b, label: {en: C}}\n"), "part_of: rows a → c → b → a form a cycle", 0, 0},
		{"part_of itself", oneQuestion("      - key: q\n        kind: table\n        label: {en: Q}\n        table:\n          disaggregation: none\n          rows:\n            - {key: a, part_of: a, label: {en: A}} # !\n"), "row a cannot be a part of itself", 0, 0},
		{"iccs one digit", oneQuestion("      - key: q\n        kind: table\n        label: {en: Q}\n        table:\n          disaggregation: none\n          rows:\n            - {key: a, iccs: \"1\", label: {en: A}} # !\n"), `iccs "1" must be an ICCS code of 2 to 6 digits`, 0, 0},
		{"iccs seven digits", oneQuestion("      - key: q\n        kind: table\n        label: {en: Q}\n        table:\n          disaggregation: none\n          rows:\n            - {key: a, iccs: 1234567, label: {en: A}} # !\n"), `iccs "1234567" must be an ICCS code`, 0, 0},
		{"iccs letters", oneQuestion("      - key: q\n        kind: table\n        label: {en: Q}\n        table:\n          disaggregation: none\n          rows:\n            - {key: a, iccs: 01a, label: {en: A}} # !\n"), `iccs "01a"`, 0, 0},
		{"iccs a float", oneQuestion("      - key: q\n        kind: table\n        label: {en: Q}\n        table:\n          disaggregation: none\n          rows:\n            - {key: a, iccs: 1e3, label: {en: A}} # !\n"), `iccs "1e3"`, 0, 0},
		{"row relevant on a later question", relevance("      - {key: t, kind: table, label: {en: T}, table: {disaggregation: none, rows: [{key: a, label: {en: A}, relevant: {question: later, answer: \"yes\"}}]}} # !\n      - {key: later, kind: yes_no, label: {en: L}}\n"), "relevant: later is not a question before this table; a row can depend only on an earlier answer", 0, 0},
		{"row relevant on its own table", relevance("      - key: t\n        kind: table\n        label: {en: T}\n        table:\n          disaggregation: none\n          rows:\n            - key: a\n              label: {en: A}\n              relevant: {question: t, answer: a} # !\n"), "relevant: t is not a question before this table", 0, 36},
		{"row relevant on a text", relevance("      - key: t\n        kind: table\n        label: {en: T}\n        table:\n          disaggregation: none\n          rows:\n            - {key: a, label: {en: A}, relevant: {question: txt, answer: x}} # !\n"), "relevant: question txt is a text question; a row can depend only on a yes_no, single_choice or multiple_choice question", 0, 0},
		{"row relevant on a table", relevance("      - {key: t0, kind: table, label: {en: T0}, table: {disaggregation: none, rows: [{key: a, label: {en: A}}]}}\n      - key: t\n        kind: table\n        label: {en: T}\n        table:\n          disaggregation: none\n          rows:\n            - {key: a, label: {en: A}, relevant: {question: t0, answer: a}} # !\n"), "relevant: question t0 is a table question; a row can depend only on", 0, 0},
		{"row relevant unknown answer", relevance("      - key: t\n        kind: table\n        label: {en: T}\n        table:\n          disaggregation: none\n          rows:\n            - key: a\n              label: {en: A}\n              relevant:\n                question: yn\n                answer: oui # !\n"), "relevant: oui is not an answer to question yn; use yes, no", 0, 25},
		{"row relevant without question", relevance("      - key: t\n        kind: table\n        label: {en: T}\n        table:\n          disaggregation: none\n          rows:\n            - {key: a, label: {en: A}, relevant: {answer: \"yes\"}} # !\n"), "relevant has no question, which is required", 0, 0},
		{"category total", head + "disaggregations:\n  sex:\n    label: {en: Sex}\n    categories:\n      - {key: male, label: {en: M}}\n      - {key: total, label: {en: T}} # !\nsections: []\n", "category key total is reserved", 2, 0},
		{"duplicate category", head + "disaggregations:\n  sex:\n    label: {en: Sex}\n    categories:\n      - {key: male, label: {en: M}}\n      - {key: male, label: {en: T}} # !\nsections: []\n", "duplicate category key male in this disaggregation", 2, 0},
		{"one category", head + "disaggregations:\n  sex:\n    label: {en: Sex}\n    categories: # !\n      - {key: male, label: {en: M}}\nsections: []\n", "categories: list at least 2, not 1", 2, 0},
		{"disaggregation none", head + "disaggregations:\n  none: # !\n    label: {en: Sex}\n    categories: [{key: a, label: {en: A}}, {key: b, label: {en: B}}]\nsections: []\n", "disaggregation key none is reserved", 2, 0},
		{"disaggregation key pattern", head + "disaggregations:\n  Sex: # !\n    label: {en: Sex}\n    categories: [{key: a, label: {en: A}}, {key: b, label: {en: B}}]\nsections: []\n", `disaggregation key "Sex"`, 2, 0},
		{"disaggregation without label", head + "disaggregations:\n  sex:\n    categories: [{key: a, label: {en: A}}, {key: b, label: {en: B}}] # !\nsections: []\n", "disaggregation sex has no label", 2, 0},

		// Rules.
		{"unknown rule kind", tables("  - key: r\n    kind: sum # !\n    severity: error\n    question: t_sex\n"), `kind "sum" is not a kind of rule; use one of range, parts_sum_to_total`, 0, 0},
		{"required as a rule", tables("  - key: r\n    kind: required # !\n    severity: error\n    question: x\n"), "required is not written as a rule: put required: true on the question", 0, 0},
		{"unknown severity", tables("  - key: r\n    kind: parts_sum_to_total\n    severity: fatal # !\n    question: t_sex\n"), `severity "fatal": use error`, 0, 0},
		{"missing severity", tables("  - key: r # !\n    kind: parts_sum_to_total\n    question: t_sex\n"), "rule r has no severity, which is required", 0, 0},
		{"rule key pattern", tables("  - key: R1 # !\n    kind: parts_sum_to_total\n    severity: error\n    question: t_sex\n"), `rule key "R1"`, 0, 0},
		{"duplicate rule", tables("  - {key: r, kind: parts_sum_to_total, severity: error, question: t_sex}\n  - {key: r, kind: part_not_above_whole, severity: error, question: t_none} # !\n"), "duplicate rule key r (first at line", 0, 0},
		{"unknown rule field", tables("  - key: r\n    kind: parts_sum_to_total\n    severity: error\n    question: t_sex\n    bound: t_sex2 # !\n"), "bound does not belong to a parts_sum_to_total rule (only to not_above)", 0, 0},
		{"misspelt rule field", tables("  - key: r\n    kind: parts_sum_to_total\n    severity: error\n    question: t_sex\n    row: [a] # !\n"), "unknown key row in parts_sum_to_total rule r; allowed here: key, kind, severity, question, message, rows", 0, 0},
		{"question not found", tables("  - key: r\n    kind: parts_sum_to_total\n    severity: error\n    question: t_age # !\n"), "question: there is no question t_age", 0, 0},
		{"range on a text", tables("  - key: r\n    kind: range\n    severity: error\n    question: x # !\n    min: 0\n"), "question x is a text question; a range rule checks a number question or a table", 0, 0},
		{"table rule on a number", tables("  - key: r\n    kind: change_from_previous_year\n    severity: warning\n    question: n # !\n    max_share: 0.5\n"), "question n is a number question; a change_from_previous_year rule checks a table", 0, 0},
		{"parts_sum_to_total without disaggregation", tables("  - key: r\n    kind: parts_sum_to_total\n    severity: error\n    question: t_none # !\n"), "table t_none has no disaggregation (disaggregation: none)", 0, 0},
		{"part_not_above_whole without part_of", tables("  - key: r\n    kind: part_not_above_whole\n    severity: error\n    question: t_sex # !\n"), "table t_sex has no row with part_of", 0, 0},
		{"part_not_above_whole row without part_of", tables("  - key: r\n    kind: part_not_above_whole\n    severity: error\n    question: t_none\n    rows:\n      - b\n      - a # !\n"), "row a has no part_of", 0, 0},
		{"rule row unknown", tables("  - key: r\n    kind: parts_sum_to_total\n    severity: error\n    question: t_sex\n    rows: [a, q] # !\n"), "rows: table t_sex has no row q", 0, 0},
		{"rule rows empty", tables("  - key: r\n    kind: parts_sum_to_total\n    severity: error\n    question: t_sex\n    rows: [] # !\n"), "rows: list at least one row, or leave rows out", 0, 0},
		{"rule row twice", tables("  - key: r\n    kind: parts_sum_to_total\n    severity: error\n    question: t_sex\n    rows:\n      - a\n      - a # !\n"), "duplicate row key a in rows", 0, 0},
		{"not_above without bound", tables("  - key: r # !\n    kind: not_above\n    severity: warning\n    question: t_sex\n"), "not_above rule r has no bound, which is required", 0, 0},
		{"not_above bound unknown", tables("  - key: r\n    kind: not_above\n    severity: warning\n    question: t_sex\n    bound: t_age # !\n"), "bound: there is no question t_age", 0, 0},
		{"not_above bound not a table", tables("  - key: r\n    kind: not_above\n    severity: warning\n    question: t_sex\n    bound: n # !\n"), "bound n is a number question; the bound of a not_above rule is a table", 0, 0},
		{"not_above other disaggregation", tables("  - key: r\n    kind: not_above\n    severity: warning\n    question: t_sex\n    bound: t_none # !\n"), "bound t_none is broken down by none and t_sex by sex; a not_above rule compares tables with the same disaggregation", 0, 0},
		{"not_above bound itself", tables("  - key: r\n    kind: not_above\n    severity: warning\n    question: t_sex\n    bound: t_sex # !\n"), "bound is the table the rule checks", 0, 0},
		{"not_above no common row", tables("  - key: r\n    kind: not_above\n    severity: warning\n    question: t_sex\n    bound: t_sex2 # !\n"), "tables t_sex and t_sex2 have no row key in common", 0, 0},
		{"change without max_share", tables("  - key: r # !\n    kind: change_from_previous_year\n    severity: warning\n    question: t_sex\n"), "needs max_share, more than 0", 0, 0},
		{"change max_share 0", tables("  - key: r\n    kind: change_from_previous_year\n    severity: warning\n    question: t_sex\n    max_share: 0 # !\n"), "max_share must be more than 0", 0, 0},
		{"change min_base negative", tables("  - key: r\n    kind: change_from_previous_year\n    severity: warning\n    question: t_sex\n    max_share: 0.2\n    min_base: -1 # !\n"), "min_base must be a whole number of 0 or more", 0, 0},
		{"change min_base fraction", tables("  - key: r\n    kind: change_from_previous_year\n    severity: warning\n    question: t_sex\n    max_share: 0.2\n    min_base: 1.5 # !\n"), "min_base must be a whole number", 0, 0},
		{"range without bounds", tables("  - key: r # !\n    kind: range\n    severity: error\n    question: n\n"), "a range rule needs min, max or both", 0, 0},
		{"range min above max", tables("  - key: r\n    kind: range\n    severity: error\n    question: n\n    min: 5 # !\n    max: 4\n"), "min (5) is above max (4)", 0, 0},
		{"range min a string", tables("  - key: r\n    kind: range\n    severity: error\n    question: n\n    min: \"5\" # !\n"), "min must be a number", 0, 0},
		{"message unknown placeholder", tables("  - key: r\n    kind: range\n    severity: error\n    question: n\n    min: 0\n    message:\n      en: fine {{.Value}}\n      fr: \"{{.Valeur}} hors limites\" # !\n"), "message.fr: {{.Valeur}} is not a placeholder; use only {{.Value}} {{.Total}}", 0, 0},
		{"message function", tables("  - key: r\n    kind: range\n    severity: error\n    question: n\n    min: 0\n    message: {en: \"{{printf \\\"%d\\\" .Value}}\"} # !\n"), "is not a placeholder", 0, 0},
		{"message if", tables("  - key: r\n    kind: range\n    severity: error\n    question: n\n    min: 0\n    message: {en: \"{{if .Value}}x{{end}}\"} # !\n"), "{{if .Value}}x{{end}} is not a placeholder", 0, 0},
		{"message nested field", tables("  - key: r\n    kind: range\n    severity: error\n    question: n\n    min: 0\n    message: {en: \"{{.Value.X}}\"} # !\n"), "{{.Value.X}} is not a placeholder", 0, 0},
		{"message broken template", tables("  - key: r\n    kind: range\n    severity: error\n    question: n\n    min: 0\n    message: {en: \"{{.Value\"} # !\n"), "message.en: unclosed action", 0, 0},
		{"message define", tables("  - key: r\n    kind: range\n    severity: error\n    question: n\n    min: 0\n    message: {en: \"{{define \\\"x\\\"}}y{{end}}\"} # !\n"), "not define or block", 0, 0},
		{"message without en", tables("  - key: r\n    kind: range\n    severity: error\n    question: n\n    min: 0\n    message: {fr: \"x\"} # !\n"), "message has no English (en)", 0, 0},
		{"rules not a list", tables("  key: r # !\n"), "rules must be a list", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := 1
			for i, l := range strings.Split(tt.yaml, "\n") {
				if strings.HasSuffix(l, "# !") {
					line = i + 1
				}
			}
			q, err := Parse("test.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("Parse accepted it: %+v", q)
			}
			if q != nil {
				t.Errorf("Parse returned a questionnaire with its problems")
			}
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("error is %T, not Problems: %v", err, err)
			}
			found := false
			for _, p := range ps {
				if p.File != "test.yaml" {
					t.Errorf("problem names file %q, want test.yaml", p.File)
				}
				if p.Line == line && strings.Contains(p.Message, tt.want) && (tt.column == 0 || p.Column == tt.column) {
					found = true
				}
			}
			if !found {
				t.Errorf("no problem at line %d (column %d) containing %q; got:\n%v", line, tt.column, tt.want, err)
			}
			if want := max(tt.count, 1); len(ps) != want {
				t.Errorf("%d problems, want %d:\n%v", len(ps), want, err)
			}
		})
	}
}

// TestParseReportsEveryProblem: a file with many problems gets them all,
// in line order, in the file:line:col: message format.
func TestParseReportsEveryProblem(t *testing.T) {
	data, err := os.ReadFile("testdata/broken.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse("testdata/broken.yaml", data)
	if err == nil {
		t.Fatal("Parse accepted testdata/broken.yaml")
	}
	want := []string{
		"testdata/broken.yaml:2:10: version must be a whole number",
		"testdata/broken.yaml:3:8: title has no English (en), which is required",
		"testdata/broken.yaml:3:9: title: de is not a language code; use en, fr, es, ru, ar or zh",
		"testdata/broken.yaml:11:9: unknown key hlep in yes_no question agreed; allowed here: key, kind, label, help, required, relevant",
		"testdata/broken.yaml:12:9: options does not belong to a yes_no question (only to single_choice, multiple_choice); a yes_no question has: key, kind, label, help, required, relevant",
		"testdata/broken.yaml:13:9: question agreed has no label, which is required",
		"testdata/broken.yaml:13:14: duplicate question key agreed (question keys are unique in the whole questionnaire) (first at line 8)",
		"testdata/broken.yaml:16:27: disaggregation age is not defined under disaggregations (none is defined); or use none for a total only",
		`testdata/broken.yaml:21:15: severity "fatal": use error (blocks submission) or warning (needs an explanation)`,
		"testdata/broken.yaml:22:15: question: there is no question police",
	}
	got := strings.Split(err.Error(), "\n")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems mismatch (-want +got):\n%s", diff)
	}
}

func TestProblemsError(t *testing.T) {
	ps := Problems{
		{File: "a.yaml", Line: 3, Column: 7, Message: "one"},
		{File: "a.yaml", Line: 4, Message: "no column"},
		{File: "b.yaml", Message: "no line"},
	}
	want := "a.yaml:3:7: one\na.yaml:4: no column\nb.yaml: no line"
	if got := ps.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// FuzzParse: no input makes Parse panic, and it returns either a
// questionnaire or problems that each have a message and a line.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil {
		f.Fatal(err)
	}
	builtins, err := filepath.Glob("builtin/*.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range append(files, builtins...) {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		q, err := Parse("fuzz.yaml", data)
		if (q == nil) == (err == nil) {
			t.Fatalf("Parse returned %v and %v: want exactly one", q, err)
		}
		if err == nil {
			return
		}
		var ps Problems
		if !errors.As(err, &ps) || len(ps) == 0 {
			t.Fatalf("error %T %v is not a non-empty Problems", err, err)
		}
		for _, p := range ps {
			if p.Message == "" || p.Line < 1 {
				t.Errorf("problem without message or line: %+v", p)
			}
		}
	})
}

// TestRelevant: a condition on a yes_no question, and one naming a list
// of options across sections.
func TestRelevant(t *testing.T) {
	q, err := Parse("relevant.yaml", []byte(relevance(`      - key: d
        kind: date
        label: {en: D}
        relevant: {question: yn, answer: "yes"}
  - key: s2
    title: {en: S2}
    questions:
      - {key: n, kind: number, label: {en: N}, relevant: {question: many, answer: [b, other]}}
      - key: m
        kind: multiple_choice
        label: {en: M}
        options:
          - {key: x, label: {en: X}}
          - {key: y, label: {en: Y}, relevant: {question: yn, answer: "no"}}
`)))
	if err != nil {
		t.Fatal(err)
	}
	d, _ := q.Question("d")
	n, _ := q.Question("n")
	if diff := cmp.Diff(&forms.Condition{Question: "yn", Answers: []string{"yes"}}, d.Relevant); diff != "" {
		t.Errorf("d.Relevant (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(&forms.Condition{Question: "many", Answers: []string{"b", "other"}}, n.Relevant); diff != "" {
		t.Errorf("n.Relevant (-want +got):\n%s", diff)
	}
	mq, _ := q.Question("m")
	if diff := cmp.Diff(&forms.Condition{Question: "yn", Answers: []string{"no"}}, mq.Options[1].Relevant); diff != "" || mq.Options[0].Relevant != nil {
		t.Errorf("option y's relevant (-want +got):\n%s", diff)
	}
}

// TestRelevantRows: a row asked only after some answer, its part (which
// has no condition of its own: it goes with its whole), and a table whose
// rows come from it, conditions and all.
func TestRelevantRows(t *testing.T) {
	q, err := Parse("relevant-rows.yaml", []byte(relevance(`  - key: s2
    title: {en: S2}
    questions:
      - key: police
        kind: table
        label: {en: Police}
        table:
          disaggregation: none
          rows:
            - {key: theft, label: {en: Theft}}
            - key: wildlife
              label: {en: Wildlife}
              relevant: {question: yn, answer: "yes"}
            - {key: ivory, part_of: wildlife, label: {en: Ivory}}
            - {key: cyber, label: {en: Cyber}, relevant: {question: many, answer: [b, other]}}
      - {key: prosecuted, kind: table, label: {en: Prosecuted}, table: {disaggregation: none, rows_from: police}}
`)))
	if err != nil {
		t.Fatal(err)
	}
	police, _ := q.Question("police")
	want := []*forms.Condition{nil, {Question: "yn", Answers: []string{"yes"}}, nil, {Question: "many", Answers: []string{"b", "other"}}}
	for i, row := range police.Table.Rows {
		if diff := cmp.Diff(want[i], row.Relevant); diff != "" {
			t.Errorf("row %s's relevant (-want +got):\n%s", row.Key, diff)
		}
	}
	prosecuted, _ := q.Question("prosecuted")
	if diff := cmp.Diff(police.Table.Rows, prosecuted.Table.Rows); diff != "" {
		t.Errorf("rows_from (-police +prosecuted):\n%s", diff)
	}
	no := false
	hidden := q.HiddenRows(forms.Answers{Values: map[string]forms.Answer{"yn": {Bool: &no}, "many": {Choices: []string{"b"}}}})
	if diff := cmp.Diff(map[string]map[string]bool{"police": {"wildlife": true, "ivory": true}, "prosecuted": {"wildlife": true, "ivory": true}}, hidden); diff != "" {
		t.Errorf("HiddenRows with No (-want +got):\n%s", diff)
	}
}

// TestRowsFrom: a table may take its rows, labels and all, from an earlier table.
func TestRowsFrom(t *testing.T) {
	q, err := Parse("rows-from.yaml", []byte(head+`sections:
  - key: s
    title: {en: S}
    questions:
      - key: prosecuted
        kind: table
        label: {en: Persons prosecuted}
        table:
          disaggregation: none
          rows:
            - {key: homicide, iccs: "0101", label: {en: Homicide, fr: Homicide}}
            - {key: theft, iccs: "0502", label: {en: Theft}}
      - key: convicted
        kind: table
        label: {en: Persons convicted}
        table: {disaggregation: none, rows_from: prosecuted}
`))
	if err != nil {
		t.Fatal(err)
	}
	a, b := q.Sections[0].Questions[0].Table, q.Sections[0].Questions[1].Table
	if diff := cmp.Diff(a.Rows, b.Rows); diff != "" {
		t.Errorf("rows_from rows (-prosecuted +convicted):\n%s", diff)
	}
	b.Rows[0].Key = "changed"
	if a.Rows[0].Key != "homicide" {
		t.Error("the tables share one slice of rows; each must have its own")
	}
}
