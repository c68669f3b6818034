package forms

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// partnerships is a small views questionnaire: partners are asked only
// when there are partnerships; the description only when the partners
// include hotels or "other"; a table only when the country keeps figures.
func partnerships() *Questionnaire {
	return &Questionnaire{Key: "p", Version: 1,
		Sections: []Section{
			{Key: "a", Questions: []Question{
				{Key: "exists", Kind: YesNo, Required: true},
				{Key: "partners", Kind: MultipleChoice, Required: true, Other: true,
					Options:  []Option{{Key: "hotels"}, {Key: "ngos"}},
					Relevant: &Condition{Question: "exists", Answers: []string{AnswerYes}}},
			}},
			{Key: "b", Questions: []Question{
				{Key: "describe", Kind: Narrative, Required: true, MaxLength: 5,
					Relevant: &Condition{Question: "partners", Answers: []string{"hotels", "other"}}},
				{Key: "figures", Kind: StatTable, Required: true, Table: &Table{Rows: []Indicator{{Key: "r"}}},
					Relevant: &Condition{Question: "exists", Answers: []string{AnswerYes}}},
			}},
		},
		Rules: []Rule{{Key: "figures_range", Kind: RuleRange, Severity: SeverityWarning, Question: "figures", Max: f64(10)}},
	}
}

func TestHiddenAndVisible(t *testing.T) {
	q := partnerships()
	ref := CellRef{Question: "figures", Row: "r", Year: 2024, Category: TotalCategory}
	typed := Answers{
		Values: map[string]Answer{
			"partners": {Choices: []string{"hotels"}},
			"describe": {Text: "Too long a text"},
		},
		Cells:        map[CellRef]Cell{ref: {State: CellValue, Value: 50}},
		Explanations: map[string]string{"figures_range/r/2024/total": "a big year", "required/describe": "x", "other": "kept"},
	}
	tests := []struct {
		name   string
		exists *bool
		hidden []string
	}{
		{"unanswered hides what depends on it", nil, []string{"partners", "describe", "figures"}},
		{"no hides partners, and so the description", yes(false), []string{"partners", "describe", "figures"}},
		{"yes shows them", yes(true), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := typed
			a.Values = map[string]Answer{"exists": {Bool: tt.exists}, "partners": typed.Values["partners"], "describe": typed.Values["describe"]}
			if diff := cmp.Diff(tt.hidden, q.HiddenKeys(a)); diff != "" {
				t.Errorf("HiddenKeys (-want +got):\n%s", diff)
			}
			for _, k := range []string{"exists", "partners", "describe", "figures"} {
				want := true
				for _, h := range tt.hidden {
					if h == k {
						want = false
					}
				}
				if got := q.Shown(k, a); got != want {
					t.Errorf("Shown(%s) = %v, want %v", k, got, want)
				}
			}
			v := q.Visible(a)
			if len(tt.hidden) == 0 {
				if diff := cmp.Diff(a, v); diff != "" {
					t.Errorf("Visible changed answers that hide nothing (-want +got):\n%s", diff)
				}
				return
			}
			want := Answers{Values: map[string]Answer{"exists": {Bool: tt.exists}}, Cells: map[CellRef]Cell{},
				Explanations: map[string]string{"other": "kept"}}
			if diff := cmp.Diff(want, v); diff != "" {
				t.Errorf("Visible (-want +got):\n%s", diff)
			}
			if len(a.Values) != 3 || len(a.Cells) != 1 {
				t.Errorf("Visible changed its argument: %+v", a)
			}
		})
	}
}

// TestCheckSkipsHidden: Austria answered No to partnerships and still
// ticked Hotels: the hidden answer is neither required nor checked, and
// nothing it would break is reported; with Yes, all of it is.
func TestCheckSkipsHidden(t *testing.T) {
	q := partnerships()
	ref := CellRef{Question: "figures", Row: "r", Year: 2024, Category: TotalCategory}
	a := Answers{Values: map[string]Answer{
		"exists":   {Bool: yes(false)},
		"partners": {Choices: []string{"hotels", "nonsense"}},
		"describe": {Text: "Too long a text"},
	}, Cells: map[CellRef]Cell{ref: {State: CellValue, Value: 50}}}
	if fs := Check(q, a, []int{2024}); len(fs) != 0 {
		t.Errorf("Check with No: %d findings, want none: %+v", len(fs), fs)
	}
	p := Assess(q, a, []int{2024})
	if want := (Count{Answered: 1, Questions: 1}); p.Count != want {
		t.Errorf("Assess with No: count %+v, want %+v", p.Count, want)
	}
	if want := map[string]Count{"a": {1, 1}, "b": {0, 0}}; !cmp.Equal(want, p.Sections) {
		t.Errorf("Assess with No: sections %+v, want %+v", p.Sections, want)
	}
	if !p.Ready() || p.States["a"] != SectionComplete || p.States["b"] != SectionComplete {
		t.Errorf("Assess with No: ready %v, states %v", p.Ready(), p.States)
	}

	a.Values["exists"] = Answer{Bool: yes(true)}
	var keys []string
	for _, f := range Check(q, a, []int{2024}) {
		keys = append(keys, f.Key)
	}
	want := []string{"invalid/partners/unknown_choice", "invalid/describe/too_long", "figures_range/r/2024/total"}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("Check with Yes (-want +got):\n%s", diff)
	}
	if p := Assess(q, a, []int{2024}); p.Count != (Count{Answered: 4, Questions: 4}) {
		t.Errorf("Assess with Yes: %+v", p.Count)
	}

	delete(a.Values, "describe") // partners still include hotels: the description is required
	a.Values["partners"] = Answer{Choices: []string{"hotels"}}
	keys = nil
	for _, f := range Check(q, a, []int{2024}) {
		keys = append(keys, f.Key)
	}
	if diff := cmp.Diff([]string{"required/describe", "figures_range/r/2024/total"}, keys); diff != "" {
		t.Errorf("Check with Yes, no description (-want +got):\n%s", diff)
	}
	a.Values["partners"] = Answer{Choices: []string{"ngos"}}
	if fs := Check(q, a, []int{2024}); len(fs) != 1 {
		t.Errorf("Check with NGOs only: %+v, want only the range warning", fs)
	}
}

// TestVisibleViews: Austria, in a version submitted before relevance,
// answered No to partnerships and still ticked hotels: the compiled views
// and the report leave the partners out; Kenya's Yes keeps them.
func TestVisibleViews(t *testing.T) {
	q := partnerships()
	aut, ken := Organization{Code: "AUT"}, Organization{Code: "KEN"}
	vs := []ViewAnswer{
		{Organization: aut, Question: "exists", Answer: Answer{Bool: yes(false)}},
		{Organization: aut, Question: "partners", Answer: Answer{Choices: []string{"hotels"}}},
		{Organization: ken, Question: "exists", Answer: Answer{Bool: yes(true)}},
		{Organization: ken, Question: "partners", Answer: Answer{Choices: []string{"hotels"}}},
	}
	got := q.VisibleViews(vs)
	if len(got) != 3 || got[1].Organization.Code != "KEN" || got[2].Question != "partners" {
		t.Errorf("VisibleViews: %+v", got)
	}
	r := AssembleReport(Call{}, q, ReportDraft{}, ReportInputs{Answers: vs})
	for _, rq := range r.Questions {
		if rq.Question.Key == "partners" && (len(rq.Answers) != 1 || rq.Answers[0].Source != "KEN") {
			t.Errorf("the report's partners: %+v", rq.Answers)
		}
	}
}

// TestHiddenOptions: an option offered only with some earlier answer is
// taken out of the choices when that answer is not given: not checked,
// not counted, and not seen by conditions on its question.
func TestHiddenOptions(t *testing.T) {
	q := &Questionnaire{Key: "o", Version: 1, Sections: []Section{{Key: "s", Questions: []Question{
		{Key: "tourism_police", Kind: YesNo},
		{Key: "who", Kind: MultipleChoice, Required: true, Options: []Option{
			{Key: "police"},
			{Key: "tourist_police", Relevant: &Condition{Question: "tourism_police", Answers: []string{AnswerYes}}},
		}},
		{Key: "how", Kind: Narrative, Required: true, Relevant: &Condition{Question: "who", Answers: []string{"tourist_police"}}},
	}}}}
	a := Answers{Values: map[string]Answer{
		"tourism_police": {Bool: yes(false)},
		"who":            {Choices: []string{"tourist_police"}},
	}}
	if diff := cmp.Diff(map[string]map[string]bool{"who": {"tourist_police": true}}, q.HiddenOptions(a)); diff != "" {
		t.Errorf("HiddenOptions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"how"}, q.HiddenKeys(a)); diff != "" {
		t.Errorf("HiddenKeys: a condition on a hidden option holds (-want +got):\n%s", diff)
	}
	v := q.Visible(a)
	if _, ok := v.Values["who"]; ok || len(a.Values["who"].Choices) != 1 {
		t.Errorf("Visible: %+v (from %+v)", v.Values, a.Values)
	}
	var keys []string
	for _, f := range Check(q, a, nil) {
		keys = append(keys, f.Key)
	}
	if diff := cmp.Diff([]string{"required/who"}, keys); diff != "" {
		t.Errorf("Check (-want +got):\n%s", diff)
	}
	a.Values["tourism_police"] = Answer{Bool: yes(true)}
	if q.HiddenOptions(a) != nil || q.Hidden(a) != nil {
		t.Errorf("with Yes: options %v, questions %v", q.HiddenOptions(a), q.Hidden(a))
	}
	keys = nil
	for _, f := range Check(q, a, nil) {
		keys = append(keys, f.Key)
	}
	if diff := cmp.Diff([]string{"required/how"}, keys); diff != "" {
		t.Errorf("Check with Yes (-want +got):\n%s", diff)
	}
}

// wildlife is a small statistics questionnaire whose police table asks for
// wildlife trafficking, and its part ivory, only where it is an offence;
// pangolins only where, besides, the country keeps them apart. The
// prosecuted table asks for wildlife always; a table of wildlife alone
// asks for nothing when it is not an offence.
func wildlife() *Questionnaire {
	law := &Condition{Question: "law", Answers: []string{AnswerYes}}
	return &Questionnaire{Key: "w", Version: 1,
		Disaggregations: map[string]Disaggregation{"sex": {Key: "sex", Categories: []Option{{Key: "male"}, {Key: "female"}}}},
		Sections: []Section{
			{Key: "police", Questions: []Question{
				{Key: "law", Kind: YesNo},
				{Key: "apart", Kind: YesNo},
				{Key: "police", Kind: StatTable, Required: true, Table: &Table{Disaggregation: "sex", Rows: []Indicator{
					{Key: "theft"},
					{Key: "wildlife", Relevant: law},
					{Key: "ivory", PartOf: "wildlife"},
					{Key: "pangolin", PartOf: "wildlife", Relevant: &Condition{Question: "apart", Answers: []string{AnswerYes}}},
				}}},
			}},
			{Key: "justice", Questions: []Question{
				{Key: "prosecuted", Kind: StatTable, Table: &Table{Rows: []Indicator{{Key: "theft"}, {Key: "wildlife"}}}},
			}},
			{Key: "species", Questions: []Question{
				{Key: "species", Kind: StatTable, Required: true, Table: &Table{Rows: []Indicator{{Key: "wildlife", Relevant: law}}}},
			}},
		},
		Rules: []Rule{
			{Key: "police_range", Kind: RuleRange, Severity: SeverityError, Question: "police", Max: f64(100)},
			{Key: "police_sum", Kind: RulePartsSumToTotal, Severity: SeverityError, Question: "police"},
			{Key: "police_parts", Kind: RulePartNotAboveWhole, Severity: SeverityError, Question: "police"},
			{Key: "prosecuted_not_above_police", Kind: RuleNotAbove, Severity: SeverityError, Question: "prosecuted", Bound: "police"},
			{Key: "police_not_above_prosecuted", Kind: RuleNotAbove, Severity: SeverityWarning, Question: "police", Bound: "prosecuted"},
			{Key: "police_change", Kind: RuleYearChange, Severity: SeverityWarning, Question: "police", MaxShare: 0.5},
		},
	}
}

// wildlifeFigures breaks every rule of wildlife() in the rows that
// depend on the law, and none elsewhere; theft is left blank in the police
// table, so that only figures of wildlife are in it.
func wildlifeFigures() Answers {
	at := func(table, row string, y int, cat string) CellRef {
		return CellRef{Question: table, Row: row, Year: y, Category: cat}
	}
	v := func(n int64) Cell { return Cell{State: CellValue, Value: n} }
	return Answers{Values: map[string]Answer{},
		Cells: map[CellRef]Cell{
			at("police", "wildlife", 2023, TotalCategory):     v(500), // above 100, above its parts' sum, a jump from 2022
			at("police", "wildlife", 2023, "male"):            v(1),
			at("police", "wildlife", 2023, "female"):          v(1),
			at("police", "wildlife", 2022, TotalCategory):     v(10),
			at("police", "ivory", 2023, TotalCategory):        v(900), // above its whole
			at("police", "pangolin", 2022, TotalCategory):     v(20),  // above its whole
			at("prosecuted", "wildlife", 2023, TotalCategory): v(999), // above the police's
			at("prosecuted", "wildlife", 2022, TotalCategory): v(1),   // below the police's
			at("species", "wildlife", 2023, TotalCategory):    v(3),
		},
		Explanations: map[string]string{
			"police_change/wildlife/2023/total":               "new law",
			"police_not_above_prosecuted/wildlife/2022/total": "backlog",
			"invalid/police/ivory/2023/total":                 "x",
			"police_change/theft/2023/total":                  "kept: theft is asked",
			"other":                                           "kept",
		}}
}

// TestHiddenRows: wildlife trafficking is asked, with its parts, only
// where it is an offence; a part with a condition of its own needs both.
func TestHiddenRows(t *testing.T) {
	q := wildlife()
	tests := []struct {
		name       string
		law, apart *bool
		want       map[string]map[string]bool
	}{
		{"unanswered hides the rows and their parts", nil, yes(true),
			map[string]map[string]bool{"police": {"wildlife": true, "ivory": true, "pangolin": true}, "species": {"wildlife": true}}},
		{"no hides them", yes(false), yes(true),
			map[string]map[string]bool{"police": {"wildlife": true, "ivory": true, "pangolin": true}, "species": {"wildlife": true}}},
		{"yes shows them, a part's own condition aside", yes(true), yes(false),
			map[string]map[string]bool{"police": {"pangolin": true}}},
		{"yes and yes show every row", yes(true), yes(true), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := wildlifeFigures()
			a.Values["law"], a.Values["apart"] = Answer{Bool: tt.law}, Answer{Bool: tt.apart}
			if diff := cmp.Diff(tt.want, q.HiddenRows(a)); diff != "" {
				t.Errorf("HiddenRows (-want +got):\n%s", diff)
			}
			if q.Hidden(a) != nil {
				t.Errorf("Hidden: %v; hidden rows hide no question", q.Hidden(a))
			}
		})
	}

	// The rows of a hidden table are not listed: the table is hidden.
	q.Sections[0].Questions[2].Relevant = &Condition{Question: "apart", Answers: []string{AnswerYes}}
	a := wildlifeFigures()
	a.Values["apart"] = Answer{Bool: yes(false)}
	if diff := cmp.Diff(map[string]map[string]bool{"species": {"wildlife": true}}, q.HiddenRows(a)); diff != "" {
		t.Errorf("HiddenRows of a hidden table (-want +got):\n%s", diff)
	}
}

// TestCheckSkipsHiddenRows: where wildlife trafficking is no offence, the
// figures typed in its rows are neither required nor checked by any rule,
// in either direction of not_above; they are not submitted and not
// counted, but the draft keeps them, and Yes brings every finding back.
func TestCheckSkipsHiddenRows(t *testing.T) {
	q := wildlife()
	years := []int{2022, 2023}
	a := wildlifeFigures()
	a.Values["law"] = Answer{Bool: yes(false)}
	keys := func(fs []Finding) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Key)
		}
		return out
	}
	// The police table holds figures of wildlife only: not an answer. The
	// table of wildlife alone asks for nothing, so is not required.
	if diff := cmp.Diff([]string{"required/police"}, keys(Check(q, a, years))); diff != "" {
		t.Errorf("Check with No (-want +got):\n%s", diff)
	}
	v := q.Visible(a)
	wantCells := map[CellRef]Cell{
		{Question: "prosecuted", Row: "wildlife", Year: 2023, Category: TotalCategory}: {State: CellValue, Value: 999},
		{Question: "prosecuted", Row: "wildlife", Year: 2022, Category: TotalCategory}: {State: CellValue, Value: 1},
	}
	if diff := cmp.Diff(wantCells, v.Cells); diff != "" {
		t.Errorf("Visible's cells with No (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"police_change/theft/2023/total": "kept: theft is asked", "other": "kept"}, v.Explanations); diff != "" {
		t.Errorf("Visible's explanations with No (-want +got):\n%s", diff)
	}
	if len(a.Cells) != 9 || len(a.Explanations) != 5 {
		t.Errorf("Visible changed the draft's answers: %d cells, %d explanations", len(a.Cells), len(a.Explanations))
	}
	p := Assess(q, a, years)
	if want := map[string]Count{"police": {1, 3}, "justice": {1, 1}, "species": {0, 0}}; !cmp.Equal(want, p.Sections) {
		t.Errorf("Assess with No: sections %+v, want %+v", p.Sections, want)
	}
	if want := map[string]SectionState{"police": SectionInProgress, "justice": SectionComplete, "species": SectionComplete}; !cmp.Equal(want, p.States) {
		t.Errorf("Assess with No: states %v, want %v", p.States, want)
	}

	// Yes: the same figures, all checked again.
	a.Values["law"] = Answer{Bool: yes(true)}
	a.Values["apart"] = Answer{Bool: yes(true)}
	want := []string{
		"police_parts/pangolin/2022/total",
		"police_change/wildlife/2023/total",
		"police_not_above_prosecuted/wildlife/2022/total",
		"police_range/wildlife/2023/total",
		"police_sum/wildlife/2023/total",
		"police_parts/ivory/2023/total",
		"police_range/ivory/2023/total",
		"prosecuted_not_above_police/wildlife/2023/total",
	}
	got := keys(Check(q, a, years))
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(x, y string) bool { return x < y })); diff != "" {
		t.Errorf("Check with Yes (-want +got):\n%s", diff)
	}
	if v := q.Visible(a); len(v.Cells) != 9 || len(v.Explanations) != 5 {
		t.Errorf("Visible with Yes: %d cells, %d explanations; want all of them back", len(v.Cells), len(v.Explanations))
	}
	if p := Assess(q, a, years); p.Sections["species"] != (Count{1, 1}) || p.Sections["police"] != (Count{3, 3}) {
		t.Errorf("Assess with Yes: %+v", p.Sections)
	}
}
