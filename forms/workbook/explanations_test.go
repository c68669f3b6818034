package workbook

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"portal/forms"
)

// explained writes the statistics workbook of a draft with n warnings, the
// first explained, and lets change edit the written file.
func explained(t *testing.T, n int, change func(f *excelize.File, sheet string)) ([]byte, []Warning) {
	t.Helper()
	q, _ := library(t).Latest("crime-statistics")
	ws := make([]Warning, n)
	for i := range ws {
		ws[i] = Warning{Key: "police_offences_change/robbery/" + strconv.Itoa(2022+i%4) + "/total" + strconv.Itoa(i),
			Where: "Offences — Robbery, " + strconv.Itoa(2022+i%4), Message: "More than 50 % up on the year before."}
	}
	a := forms.Answers{Explanations: map[string]string{ws[0].Key: "A new recording system."}}
	var buf bytes.Buffer
	if err := Write(&buf, Options{Questionnaire: q, Years: years, Lang: forms.English, Org: "AUT", OrgName: "Austria", Call: "c",
		Answers: a, Warnings: ws, Texts: texts(forms.English)}); err != nil {
		t.Fatal(err)
	}
	if change == nil {
		return buf.Bytes(), ws
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	change(f, "Explanations")
	var out bytes.Buffer
	if err := f.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), ws
}

func init() {
	englishTexts["workbook.explanations"] = "Explanations"
	englishTexts["workbook.explanations.help"] = "Say why each figure is right."
	englishTexts["workbook.explanations.more"] = "More warnings than listed here."
	englishTexts["workbook.explanations.text"] = "Your explanation"
}

// TestExplanations: the warnings of a draft travel in its workbook, each
// on a row with where it is and what it says, its explanation beside it;
// what is typed there comes back as the explanation of that warning, a
// cleared cell clears it, and the sheet's other cells are not read.
func TestExplanations(t *testing.T) {
	data, ws := explained(t, 3, func(f *excelize.File, s string) {
		f.SetCellStr(s, cell(colExplanation, firstWarning), "")                             // cleared
		f.SetCellStr(s, cell(colExplanation, firstWarning+2), "  Counted twice in 2022.  ") // typed
		f.SetCellStr(s, cell(colWhere, firstWarning+1), "a person's own note")              // not read
	})
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := f.GetCellValue("Explanations", cell(colWarning, firstWarning+1)); got != ws[1].Message {
		t.Errorf("the warning's row says %q, want %q", got, ws[1].Message)
	}
	res, problems, err := Read(bytes.NewReader(data), readOptions(t))
	if err != nil || len(problems) > 0 {
		t.Fatal(err, problems)
	}
	if !slicesEqual(res.Meta.Explanations, []string{ws[0].Key, ws[1].Key, ws[2].Key}) {
		t.Errorf("meta lists %v", res.Meta.Explanations)
	}
	covered := map[string]bool{}
	for _, fl := range res.Edit.Fields {
		covered[fl] = true
	}
	for _, w := range ws {
		if !covered[forms.ExplanationField(w.Key)] {
			t.Errorf("%s not covered: a cleared explanation would not be cleared", w.Key)
		}
	}
	want := map[string]string{ws[2].Key: "Counted twice in 2022."}
	if got := res.Edit.Answers.Explanations; len(got) != 1 || got[ws[2].Key] != want[ws[2].Key] {
		t.Errorf("explanations %q, want %q", got, want)
	}

	// A draft without warnings has no such sheet, and reads as before.
	plain := edited(t, nil)
	f2, _ := excelize.OpenReader(bytes.NewReader(plain))
	if idx, _ := f2.GetSheetIndex("Explanations"); idx >= 0 {
		t.Error("a workbook without warnings has an explanations sheet")
	}
}

func slicesEqual(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }

// TestExplanationsMore: a draft with more warnings than a workbook lists
// has the first MaxWarnings, and the sheet says the rest are explained in
// the portal.
func TestExplanationsMore(t *testing.T) {
	data, _ := explained(t, MaxWarnings+5, nil)
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if help, _ := f.GetCellValue("Explanations", "A2"); !strings.Contains(help, "More warnings than listed here.") {
		t.Errorf("the help says %q", help)
	}
	res, problems, err := Read(bytes.NewReader(data), readOptions(t))
	if err != nil || len(problems) > 0 {
		t.Fatal(err, problems)
	}
	if n := len(res.Meta.Explanations); n != MaxWarnings {
		t.Errorf("%d warnings listed, want %d", n, MaxWarnings)
	}
}

// TestExplanationsRefused: what is wrong on the explanations sheet is
// refused where it is, and the hidden sheet's list of warnings is checked.
func TestExplanationsRefused(t *testing.T) {
	at := cell(colExplanation, firstWarning+1)
	tests := []struct {
		name, reason, cell string
		change             func(f *excelize.File, s string)
	}{
		{"too long", "too_long", at, func(f *excelize.File, s string) {
			f.SetCellStr(s, at, strings.Repeat("x", forms.MaxExplanation+1))
		}},
		{"a formula", "formula", at, func(f *excelize.File, s string) { f.SetCellFormula(s, at, "A1") }},
		{"control characters", "control_chars", at, func(f *excelize.File, s string) { f.SetCellStr(s, at, "bell\x07") }},
		{"the sheet deleted", "sheet_missing", "", func(f *excelize.File, s string) { f.DeleteSheet(s) }},
		{"a key listed twice", "not_portal", "", func(f *excelize.File, s string) {
			rows, _ := f.GetRows(MetaSheet)
			key, _ := f.GetCellValue(MetaSheet, cell(2, len(rows)))
			f.SetCellStr(MetaSheet, cell(1, len(rows)+1), "explain")
			f.SetCellStr(MetaSheet, cell(2, len(rows)+1), key)
		}},
		{"a key too long", "not_portal", "", func(f *excelize.File, s string) {
			rows, _ := f.GetRows(MetaSheet)
			f.SetCellStr(MetaSheet, cell(2, len(rows)), strings.Repeat("k", forms.MaxFindingKey+1))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, _ := explained(t, 3, tt.change)
			res, problems, err := Read(bytes.NewReader(data), readOptions(t))
			if err != nil {
				t.Fatal(err)
			}
			if res != nil || len(problems) == 0 {
				t.Fatal("accepted")
			}
			p := problems[0]
			if p.Reason != tt.reason || p.Cell != tt.cell {
				t.Errorf("problems %v; want %s at %q", problems, tt.reason, tt.cell)
			}
			if tt.cell != "" && (p.Sheet != "Explanations" || p.Where == "") {
				t.Errorf("problem %+v does not say where", p)
			}
		})
	}
}
