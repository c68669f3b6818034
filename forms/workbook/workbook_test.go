package workbook

import (
	"archive/zip"
	"bytes"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"portal/forms"
	"portal/forms/definition"
)

// englishTexts are the workbook's words for the tests; the portal passes
// its catalogue's.
var englishTexts = map[string]string{
	"workbook.instructions": "Instructions", "workbook.other": "Other", "workbook.other.specify": "Other, please specify", "workbook.relevant": "Answer only if the answer to “{question}” is {answer}.",
	"workbook.na": "n.a.", "workbook.nap": "n.ap.", "workbook.yes": "Yes", "workbook.no": "No", "workbook.tick": "x",
	"workbook.total": "Total", "workbook.indicator": "Indicator", "workbook.file": "Attach files in the portal",
	"workbook.flag.national": "National definition", "workbook.flag.provisional": "Provisional", "workbook.flag.estimate": "Estimate",
	"workbook.invalid.title": "Not accepted", "workbook.invalid.body": "Enter a whole number of 0 or more, n.a. or n.ap.",
}

func texts(forms.Language) Texts {
	return func(id string) string { return englishTexts[id] }
}

var years = []int{2022, 2023, 2024, 2025}

func library(t testing.TB) *definition.Library {
	t.Helper()
	lib, err := definition.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

func readOptions(t testing.TB) ReadOptions {
	return ReadOptions{Limits: DefaultLimits, Questionnaire: library(t).Version, Texts: texts}
}

// randomAnswers fills q at random: every kind of answer and cell,
// including not available versus zero versus blank, notes and flags, long
// multilingual text and text that looks like a formula.
func randomAnswers(q *forms.Questionnaire, rng *rand.Rand) forms.Answers {
	texts := []string{"", "Short.", "=HYPERLINK(\"http://example.org\",\"x\")", "Línea 1\nLigne 2 — «citation»\nСтрока 3 — سطر 4 — 第五行",
		strings.Repeat("Long answer with many words. ", 200), "+1 prefix", "@mention", "  trimmed  "}
	a := forms.Answers{Values: map[string]forms.Answer{}, Cells: map[forms.CellRef]forms.Cell{}}
	for _, sec := range q.Sections {
		for _, qq := range sec.Questions {
			switch qq.Kind {
			case forms.Narrative:
				a.Values[qq.Key] = forms.Answer{Text: strings.TrimSpace(texts[rng.IntN(len(texts))])}
			case forms.MultipleChoice:
				var ans forms.Answer
				for _, o := range qq.Options {
					if rng.IntN(2) == 0 {
						ans.Choices = append(ans.Choices, o.Key)
					}
				}
				if qq.Other && rng.IntN(2) == 0 {
					ans.Choices = append(ans.Choices, "other")
					ans.Text = "Something else"
				}
				a.Values[qq.Key] = ans
			case forms.SingleChoice:
				a.Values[qq.Key] = forms.Answer{Choices: []string{qq.Options[rng.IntN(len(qq.Options))].Key}}
			case forms.YesNo:
				if rng.IntN(3) > 0 {
					b := rng.IntN(2) == 0
					a.Values[qq.Key] = forms.Answer{Bool: &b}
				}
			case forms.StatTable:
				for _, row := range qq.Table.Rows {
					for _, y := range years {
						for _, col := range q.Columns(qq.Table) {
							ref := forms.CellRef{Question: qq.Key, Row: row.Key, Year: y, Category: col}
							var c forms.Cell
							switch rng.IntN(6) {
							case 0:
								c = forms.Cell{State: forms.CellValue, Value: 0}
							case 1, 2:
								c = forms.Cell{State: forms.CellValue, Value: rng.Int64N(10_000_000)}
							case 3:
								c = forms.Cell{State: forms.CellNotAvailable}
							case 4:
								c = forms.Cell{State: forms.CellNotApplicable}
							}
							if rng.IntN(10) == 0 {
								c.Note = "Note — примечание " + strconv.Itoa(rng.IntN(100))
								c.Flags = forms.CellFlags(rng.IntN(8))
							}
							if c != (forms.Cell{}) {
								a.Cells[ref] = c
							}
						}
					}
				}
			}
		}
	}
	return a
}

// explainSome lists the warnings Check finds on a (as the portal does when
// it writes a draft's workbook) and explains some of them at random, with
// texts that are hard to keep: several scripts and lines, a formula.
func explainSome(q *forms.Questionnaire, a *forms.Answers, rng *rand.Rand) []Warning {
	texts := []string{"Nouveau système d’enregistrement — новая система\nسطر ثانٍ", "=SUM(A1:A2)", "A real rise after the 2023 reform.",
		strings.Repeat("é", forms.MaxExplanation)}
	var ws []Warning
	for i, f := range forms.Check(q, *a, years) {
		if f.Severity != forms.SeverityWarning || len(ws) == MaxWarnings {
			continue
		}
		ws = append(ws, Warning{Key: f.Key, Where: "place " + strconv.Itoa(i), Message: "message " + strconv.Itoa(i)})
		if rng.IntN(2) == 0 {
			if a.Explanations == nil {
				a.Explanations = map[string]string{}
			}
			a.Explanations[f.Key] = texts[rng.IntN(len(texts))]
		}
	}
	return ws
}

// TestRoundTrip: random drafts of both questionnaires, written and read
// back, are exactly the same draft, field by field.
func TestRoundTrip(t *testing.T) {
	lib := library(t)
	for _, key := range []string{"tourism-views", "crime-statistics"} {
		q, _ := lib.Latest(key)
		for seed := range uint64(4) {
			rng := rand.New(rand.NewPCG(seed, 7))
			want := randomAnswers(q, rng)
			warnings := explainSome(q, &want, rng)
			if key == "crime-statistics" && len(warnings) == 0 {
				t.Fatalf("seed %d: random figures gave no warning to explain", seed)
			}
			var buf bytes.Buffer
			if err := Write(&buf, Options{Questionnaire: q, Years: years, Lang: forms.English, Org: "AUT", OrgName: "Austria", Call: "c", Title: "Call", Answers: want, Texts: texts(forms.English), Warnings: warnings}); err != nil {
				t.Fatal(err)
			}
			res, problems, err := Read(bytes.NewReader(buf.Bytes()), readOptions(t))
			if err != nil || len(problems) > 0 {
				t.Fatalf("%s seed %d: %v %v", key, seed, err, problems)
			}
			if res.Meta.Org != "AUT" || res.Meta.Questionnaire != key || len(res.Meta.Years) != 4 {
				t.Errorf("meta %+v", res.Meta)
			}
			covered := map[string]bool{}
			for _, f := range res.Edit.Fields {
				covered[f] = true
				if got, w := res.Edit.Answers.Field(f), want.Field(f); got != w {
					t.Errorf("%s seed %d: %s = %s, want %s", key, seed, f, got, w)
				}
			}
			for _, f := range want.Fields() {
				if !covered[f] {
					t.Errorf("%s seed %d: %s not read", key, seed, f)
				}
			}
		}
	}
}

// TestRelevantNote: a question asked only after some answer says so in
// its label cell; a workbook written before such notes (here, without the
// note's words) reads as well.
func TestRelevantNote(t *testing.T) {
	q, _ := library(t).Latest("tourism-views")
	l := newLayout(q, years, forms.English, texts(forms.English))
	var sheet string
	var at item
	for _, sl := range l.sheets {
		for _, it := range sl.items {
			if it.q.Key == "ppp_partners" && it.kind == itemHeading {
				sheet, at = sl.name, it
			}
		}
	}
	exists, _ := q.Question("ppp_exists")
	yes := true
	answers := forms.Answers{Values: map[string]forms.Answer{"ppp_exists": {Bool: &yes}, "ppp_partners": {Choices: []string{"transport"}}}}
	for _, tt := range []struct {
		name  string
		texts Texts
		want  string
	}{
		{"with the note", texts(forms.English), at.label + "\nAnswer only if the answer to “" + exists.Label.In(forms.English) + "” is Yes."},
		{"written before notes", func(id string) string {
			if id == "workbook.relevant" {
				return ""
			}
			return englishTexts[id]
		}, at.label},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, Options{Questionnaire: q, Years: years, Lang: forms.English, Answers: answers, Texts: tt.texts}); err != nil {
				t.Fatal(err)
			}
			f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			got, _ := f.GetCellValue(sheet, cell(colLabel, at.row))
			f.Close()
			if got != tt.want {
				t.Errorf("label cell %q, want %q", got, tt.want)
			}
			res, problems, err := Read(bytes.NewReader(buf.Bytes()), readOptions(t))
			if err != nil || len(problems) > 0 {
				t.Fatalf("reading back: %v %v", err, problems)
			}
			if got := res.Edit.Answers.Values["ppp_partners"].Choices; len(got) != 1 || got[0] != "transport" {
				t.Errorf("partners read back: %v", got)
			}
		})
	}
}

// TestRelevantRowNote: the row of wildlife trafficking, asked only where
// it is an offence, says so in its label cell; figures typed in it with
// No are read back all the same (the draft keeps them; the submission
// leaves them out). A part of such a row carries its whole's condition.
func TestRelevantRowNote(t *testing.T) {
	q, _ := library(t).Latest("crime-statistics")
	l := newLayout(q, years, forms.English, texts(forms.English))
	var sheet string
	var at item
	for _, sl := range l.sheets {
		for _, it := range sl.items {
			if it.kind == itemTableRow && it.ind.Key == "wildlife_trafficking" {
				sheet, at = sl.name, it
			}
			if it.kind == itemTableRow && it.ind.Key != "wildlife_trafficking" && it.note != "" {
				t.Errorf("row %s of %s has a note: %q", it.ind.Key, it.q.Key, it.note)
			}
		}
	}
	offence, _ := q.Question("wildlife_offence")
	want := at.label + "\nAnswer only if the answer to “" + offence.Label.In(forms.English) + "” is Yes."
	no := false
	ref := forms.CellRef{Question: "police_offences", Row: "wildlife_trafficking", Year: 2023, Category: forms.TotalCategory}
	answers := forms.Answers{Values: map[string]forms.Answer{"wildlife_offence": {Bool: &no}},
		Cells: map[forms.CellRef]forms.Cell{ref: {State: forms.CellValue, Value: 41, Note: "seized ivory"}}}
	var buf bytes.Buffer
	if err := Write(&buf, Options{Questionnaire: q, Years: years, Lang: forms.English, Answers: answers, Texts: texts(forms.English)}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.GetCellValue(sheet, cell(colLabel, at.row))
	f.SetCellInt(sheet, cell(colInput+1, at.row), 43) // 2023: typed offline, with No
	var out bytes.Buffer
	if err := f.Write(&out); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if got != want {
		t.Errorf("label cell %q, want %q", got, want)
	}
	res, problems, err := Read(bytes.NewReader(out.Bytes()), readOptions(t))
	if err != nil || len(problems) > 0 {
		t.Fatalf("reading back: %v %v", err, problems)
	}
	if c := res.Edit.Answers.Cells[ref]; c.State != forms.CellValue || c.Value != 43 || c.Note != "seized ivory" {
		t.Errorf("the hidden row's 2023 read back as %+v", c)
	}
	if b := res.Edit.Answers.Values["wildlife_offence"].Bool; b == nil || *b {
		t.Errorf("the answer it depends on read back as %v", b)
	}

	// A part, with no condition of its own, goes with its whole.
	label := func(s string) forms.Text { return forms.Text{forms.English: s} }
	q2 := &forms.Questionnaire{Key: "w", Version: 1, Sections: []forms.Section{{Key: "s", Title: label("S"), Questions: []forms.Question{
		{Key: "law", Kind: forms.YesNo, Label: label("An offence?")},
		{Key: "t", Kind: forms.StatTable, Label: label("T"), Table: &forms.Table{Rows: []forms.Indicator{
			{Key: "wildlife", Label: label("Wildlife"), Relevant: &forms.Condition{Question: "law", Answers: []string{forms.AnswerYes}}},
			{Key: "ivory", Label: label("of which: ivory"), PartOf: "wildlife"},
		}}},
	}}}}
	for _, it := range newLayout(q2, years, forms.English, texts(forms.English)).sheets[0].items {
		if it.kind == itemTableRow && it.note != "Answer only if the answer to “An offence?” is Yes." {
			t.Errorf("row %s's note %q", it.ind.Key, it.note)
		}
	}
}

// edited writes the blank statistics workbook and lets change edit its
// police section first.
func edited(t *testing.T, change func(f *excelize.File, sheet string)) []byte {
	t.Helper()
	q, _ := library(t).Latest("crime-statistics")
	var buf bytes.Buffer
	if err := Write(&buf, Options{Questionnaire: q, Years: years, Lang: forms.English, Texts: texts(forms.English)}); err != nil {
		t.Fatal(err)
	}
	if change == nil {
		return buf.Bytes()
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	l := newLayout(q, years, forms.English, texts(forms.English))
	change(f, l.sheets[1].name) // the police section
	var out bytes.Buffer
	if err := f.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestHostileFiles: each kind of broken or hostile file is refused with
// the problem it has, where it has it.
func TestHostileFiles(t *testing.T) {
	q, _ := library(t).Latest("crime-statistics")
	l := newLayout(q, years, forms.English, texts(forms.English))
	police := l.sheets[1]
	var row int
	for _, it := range police.items {
		if it.kind == itemTableRow && it.ind.Key == "robbery" {
			row = it.row
		}
	}
	robbery2022 := cell(colInput, row)
	bigZip := func() []byte {
		var b bytes.Buffer
		z := zip.NewWriter(&b)
		w, _ := z.Create("xl/worksheets/sheet1.xml")
		w.Write(bytes.Repeat([]byte("0"), 120<<20))
		z.Close()
		return b.Bytes()
	}
	macro := func() []byte {
		var b bytes.Buffer
		z := zip.NewWriter(&b)
		w, _ := z.Create("xl/vbaProject.bin")
		w.Write([]byte("macro"))
		z.Close()
		return b.Bytes()
	}
	tests := []struct {
		name   string
		data   []byte
		reason string
		cell   string
	}{
		{"not a workbook", []byte("country,offences\nAUT,12\n"), "not_workbook", ""},
		{"an old .xls", append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), make([]byte, 512)...), "xls", ""},
		{"empty", nil, "empty", ""},
		{"too large", bytes.Repeat([]byte("x"), int(DefaultLimits.MaxBytes)+1), "too_large", ""},
		{"a zip bomb", bigZip(), "zip_bomb", ""},
		{"macros", macro(), "macros", ""},
		{"a broken zip", []byte("PK\x03\x04 not really"), "corrupt", ""},
		{"a word in a cell", edited(t, func(f *excelize.File, s string) { f.SetCellStr(s, robbery2022, "twelve") }), "not_number", robbery2022},
		{"a decimal", edited(t, func(f *excelize.File, s string) { f.SetCellFloat(s, robbery2022, 12.5, -1, 64) }), "not_whole", robbery2022},
		{"negative", edited(t, func(f *excelize.File, s string) { f.SetCellInt(s, robbery2022, -3) }), "negative", robbery2022},
		{"a number as text", edited(t, func(f *excelize.File, s string) { f.SetCellStr(s, robbery2022, "1,234") }), "text_number", robbery2022},
		{"a plain number as text", edited(t, func(f *excelize.File, s string) { f.SetCellStr(s, robbery2022, "1234") }), "text_number", robbery2022},
		{"a formula", edited(t, func(f *excelize.File, s string) { f.SetCellFormula(s, robbery2022, "1+1") }), "formula", robbery2022},
		{"control characters", edited(t, func(f *excelize.File, s string) {
			f.AddComment(s, excelize.Comment{Cell: robbery2022, Author: "x", Paragraph: []excelize.RichTextRun{{Text: "bell\x07"}}})
		}), "control_chars", robbery2022},
		{"a row inserted", edited(t, func(f *excelize.File, s string) { f.InsertRows(s, 4, 1) }), "moved", ""},
		{"a sheet renamed", edited(t, func(f *excelize.File, s string) { f.SetSheetName(s, "Police") }), "sheet_missing", ""},
		{"a sheet deleted", edited(t, func(f *excelize.File, s string) { f.DeleteSheet(s) }), "sheet_missing", ""},
		{"the hidden sheet deleted", edited(t, func(f *excelize.File, s string) { f.DeleteSheet(MetaSheet) }), "not_portal", ""},
		{"another layout", edited(t, func(f *excelize.File, s string) { f.SetCellStr(MetaSheet, "B8", "0000") }), "layout_changed", ""},
		{"an unknown questionnaire", edited(t, func(f *excelize.File, s string) { f.SetCellStr(MetaSheet, "B2", "no-such") }), "unknown_questionnaire", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, problems, err := Read(bytes.NewReader(tt.data), readOptions(t))
			if err != nil {
				t.Fatal(err)
			}
			if res != nil || len(problems) == 0 {
				t.Fatalf("accepted, with %d fields", len(res.Edit.Fields))
			}
			p := problems[0]
			if p.Reason != tt.reason || (tt.cell != "" && p.Cell != tt.cell) {
				t.Errorf("problems %v; want %s at %q", problems, tt.reason, tt.cell)
			}
			if tt.cell != "" && (p.Sheet == "" || !strings.Contains(p.Where, "Robbery, 2022, Total")) {
				t.Errorf("problem %+v does not say where", p)
			}
		})
	}
}

// TestAllProblemsAtOnce: a workbook with several mistakes reports each.
func TestAllProblemsAtOnce(t *testing.T) {
	q, _ := library(t).Latest("crime-statistics")
	var first int // the police table's first row: homicide
	for _, it := range newLayout(q, years, forms.English, texts(forms.English)).sheets[1].items {
		if it.kind == itemTableRow && first == 0 {
			first = it.row
		}
	}
	data := edited(t, func(f *excelize.File, s string) {
		f.SetCellStr(s, cell(colInput, first), "twelve")
		f.SetCellFloat(s, cell(colInput+1, first+1), 1.5, -1, 64)
		f.SetCellFormula(s, cell(colInput+2, first+2), "SUM(C6:D7)")
	})
	_, problems, err := Read(bytes.NewReader(data), readOptions(t))
	if err != nil || len(problems) != 3 {
		t.Fatalf("%d problems (%v), want 3", len(problems), problems)
	}
}

func FuzzRead(f *testing.F) {
	q, _ := library(f).Latest("tourism-views")
	var buf bytes.Buffer
	if err := Write(&buf, Options{Questionnaire: q, Lang: forms.English, Texts: texts(forms.English),
		Answers: randomAnswers(q, rand.New(rand.NewPCG(1, 2)))}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x03\x04"))
	opts := readOptions(f)
	opts.Limits = Limits{MaxBytes: 1 << 20, MaxUnzipped: 8 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, problems, err := Read(bytes.NewReader(data), opts)
		if err != nil {
			t.Fatal(err)
		}
		if (res == nil) == (len(problems) == 0) {
			t.Fatalf("a result and problems: %v %v", res, problems)
		}
	})
}

func BenchmarkWorkbook(b *testing.B) {
	q, _ := library(b).Latest("crime-statistics")
	full := filledCells(q, "")
	o := Options{Questionnaire: q, Years: years, Lang: forms.English, Texts: texts(forms.English), Answers: full}
	var file bytes.Buffer
	if err := Write(&file, o); err != nil {
		b.Fatal(err)
	}
	// The baseline: excelize alone writing, and reading back, the same
	// number of figures in one plain sheet.
	n := len(full.Cells)
	b.Run("PlainExcelizeWrite", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			f := excelize.NewFile()
			for i := range n {
				f.SetCellInt("Sheet1", cell(1+i%16, 1+i/16), 12345)
			}
			var buf bytes.Buffer
			if err := f.Write(&buf); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
	})
	plain := excelize.NewFile()
	for i := range n {
		plain.SetCellInt("Sheet1", cell(1+i%16, 1+i/16), 12345)
	}
	var plainFile bytes.Buffer
	plain.Write(&plainFile)
	b.Run("PlainExcelizeRead", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			f, err := excelize.OpenReader(bytes.NewReader(plainFile.Bytes()))
			if err != nil {
				b.Fatal(err)
			}
			if rows, err := f.GetRows("Sheet1"); err != nil || len(rows) == 0 {
				b.Fatal(err)
			}
			f.Close()
		}
	})
	b.Run("Download", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var buf bytes.Buffer
			if err := Write(&buf, o); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Upload", func(b *testing.B) {
		b.ReportAllocs()
		opts := readOptions(b)
		for b.Loop() {
			res, problems, err := Read(bytes.NewReader(file.Bytes()), opts)
			if err != nil || len(problems) > 0 || len(res.Edit.Answers.Cells) != len(full.Cells) {
				b.Fatalf("%v %v", err, problems)
			}
		}
	})
}

// BenchmarkRefuse: hostile files are refused quickly and without reading
// them whole: a zip that would unpack to 120 MB, and a file over the limit.
func BenchmarkRefuse(b *testing.B) {
	var bomb bytes.Buffer
	z := zip.NewWriter(&bomb)
	w, _ := z.Create("xl/worksheets/sheet1.xml")
	w.Write(bytes.Repeat([]byte("0"), 120<<20))
	z.Close()
	big := bytes.Repeat([]byte("PK\x03\x04"), int(DefaultLimits.MaxBytes)/4+1)
	opts := readOptions(b)
	for _, c := range []struct {
		name   string
		data   []byte
		reason string
	}{{"ZipBomb", bomb.Bytes(), "zip_bomb"}, {"TooLarge", big, "too_large"}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, problems, _ := Read(bytes.NewReader(c.data), opts)
				if len(problems) != 1 || problems[0].Reason != c.reason {
					b.Fatalf("%v", problems)
				}
			}
		})
	}
}

// TestFrozenHeadings: every section's title stays in view; on a sheet of
// tables the row labels and ICCS codes do too. The draft's version is in
// the hidden sheet of an organization's workbook only.
func TestFrozenHeadings(t *testing.T) {
	q, _ := library(t).Latest("crime-statistics")
	var buf bytes.Buffer
	if err := Write(&buf, Options{Questionnaire: q, Years: years, Lang: forms.English, Texts: texts(forms.English),
		Org: "AUT", Call: "uncts", DraftVersion: 7}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l := newLayout(q, years, forms.English, texts(forms.English))
	for _, sl := range l.sheets {
		p, err := f.GetPanes(sl.name)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Freeze || p.YSplit != 1 || p.XSplit != colInput-1 {
			t.Errorf("%s: panes %+v, want the title row and the labels frozen", sl.name, p)
		}
	}
	res, problems, err := Read(bytes.NewReader(buf.Bytes()), readOptions(t))
	if err != nil || len(problems) > 0 {
		t.Fatalf("reading back: %v %v", err, problems)
	}
	if !res.Meta.DraftKnown || res.Meta.DraftVersion != 7 {
		t.Errorf("the draft's version read back: %d (known %v), want 7", res.Meta.DraftVersion, res.Meta.DraftKnown)
	}
}

// TestSingleChoiceOptionNote: a single choice's drop-down lists every
// option; one asked only after some answer says so is named under the
// question's label with its condition.
func TestSingleChoiceOptionNote(t *testing.T) {
	q := &forms.Questionnaire{Key: "q", Version: 1, Sections: []forms.Section{{Key: "s", Title: forms.Text{forms.English: "S"}, Questions: []forms.Question{
		{Key: "travel", Kind: forms.YesNo, Label: forms.Text{forms.English: "Do you travel?"}},
		{Key: "how", Kind: forms.SingleChoice, Label: forms.Text{forms.English: "How?"}, Options: []forms.Option{
			{Key: "walk", Label: forms.Text{forms.English: "On foot"}},
			{Key: "fly", Label: forms.Text{forms.English: "By air"}, Relevant: &forms.Condition{Question: "travel", Answers: []string{forms.AnswerYes}}},
		}},
	}}}}
	l := newLayout(q, years, forms.English, texts(forms.English))
	for _, it := range l.sheets[0].items {
		if it.q.Key == "how" && it.kind == itemAnswer {
			if want := "By air — Answer only if the answer to “Do you travel?” is Yes."; it.note != want {
				t.Errorf("note %q, want %q", it.note, want)
			}
			return
		}
	}
	t.Fatal("no answer row for the single choice")
}
