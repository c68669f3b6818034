package storage_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"portal/forms"
	"portal/forms/definition"
	"portal/storage"
	"portal/storage/storagetest"
)

var statsYears = []int{2022, 2023, 2024, 2025}

// statsCall stores a call for the built-in crime statistics questionnaire.
func statsCall(t testing.TB, s *storage.Store) (forms.Call, *forms.Questionnaire) {
	t.Helper()
	lib, err := definition.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	q, _ := lib.Latest("crime-statistics")
	c, err := s.EnsureCall(context.Background(), forms.Call{Key: "stats-test", Title: forms.Text{forms.English: "Statistics"},
		Questionnaire: q.Key, Version: q.Version, Years: statsYears})
	if err != nil {
		t.Fatal(err)
	}
	return c, q
}

// fullTable fills every cell of every table of q for the years, in turn a
// value (zero among them), not available, not applicable and blank, with
// notes and flags here and there; it returns the answers and every field.
func fullTable(q *forms.Questionnaire, years []int) (forms.Answers, []string) {
	a := forms.Answers{Cells: map[forms.CellRef]forms.Cell{}}
	var fields []string
	i := 0
	for _, sec := range q.Sections {
		for _, qq := range sec.Questions {
			if qq.Table == nil {
				continue
			}
			for _, row := range qq.Table.Rows {
				for _, y := range years {
					for _, col := range q.Columns(qq.Table) {
						ref := forms.CellRef{Question: qq.Key, Row: row.Key, Year: y, Category: col}
						fields = append(fields, forms.CellField(ref))
						i++
						var c forms.Cell
						switch i % 5 {
						case 0:
							c = forms.Cell{State: forms.CellValue, Value: 0}
						case 1:
							c = forms.Cell{State: forms.CellValue, Value: int64(i * 7)}
						case 2:
							c = forms.Cell{State: forms.CellNotAvailable, Note: "not collected before 2024"}
						case 3:
							c = forms.Cell{State: forms.CellNotApplicable}
						case 4:
							continue // blank
						}
						if i%11 == 0 {
							c.Flags = forms.FlagEstimate | forms.FlagNationalDefinition
							c.Note = "estimé — تقدير"
						}
						a.Cells[ref] = c
					}
				}
			}
		}
	}
	return a, fields
}

func TestDraftSaveAndLoad(t *testing.T) {
	s := storagetest.NewStore(t)
	ctx := context.Background()
	aut := orgRef(t, s, "AUT")
	u := signIn(t, s, "fp@example.org", true)
	actor := forms.Actor{UserID: u.ID, Label: u.Email}
	call, q := statsCall(t, s)

	empty, err := s.Draft(ctx, call, aut)
	if err != nil || empty.ID != 0 || empty.Version != 0 {
		t.Fatalf("an unsaved draft: %+v, %v", empty, err)
	}

	cells, fields := fullTable(q, statsYears)
	if len(fields) < 700 {
		t.Fatalf("only %d cells", len(fields))
	}
	want := cells
	want.Values = map[string]forms.Answer{"population_note": {Text: "=HYPERLINK(\"http://x\") — «citation»\nligne 2"}}
	want.Explanations = map[string]string{"police_year_change/homicide/2024/total": "A new recording system."}
	fields = append(fields, "q/population_note", "x/police_year_change/homicide/2024/total")
	res, err := s.SaveDraft(ctx, call, aut, forms.Edit{Base: 0, Fields: fields, Answers: want}, actor)
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != 1 || len(res.Conflicts) != 0 || len(res.Changes) != len(want.Fields()) {
		t.Fatalf("first save: version %d, %d changes (want %d), %d conflicts", res.Version, len(res.Changes), len(want.Fields()), len(res.Conflicts))
	}
	got, err := s.Draft(ctx, call, aut)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got.Answers, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("saved and loaded (-want +got):\n%s", diff)
	}
	if got.Version != 1 || got.UpdatedBy != "fp@example.org" || got.UpdatedAt.IsZero() {
		t.Errorf("draft %d by %q at %v", got.Version, got.UpdatedBy, got.UpdatedAt)
	}

	// Saving the same again changes nothing and makes no version.
	res, err = s.SaveDraft(ctx, call, aut, forms.Edit{Base: 1, Fields: fields, Answers: want}, actor)
	if err != nil || res.Version != 1 || len(res.Changes) != 0 {
		t.Fatalf("same again: %+v, %v", res, err)
	}

	// Blanking cells and the answer removes them; zero stays zero.
	ref := forms.CellRef{Question: "police_offences", Row: "homicide", Year: 2022, Category: "total"}
	edit := forms.Edit{Base: 1, Fields: []string{forms.CellField(ref), "q/population_note"}}
	if res, err = s.SaveDraft(ctx, call, aut, edit, actor); err != nil || res.Version != 2 || len(res.Changes) != 2 {
		t.Fatalf("blanking: %+v, %v", res, err)
	}
	got, _ = s.Draft(ctx, call, aut)
	if _, ok := got.Answers.Cells[ref]; ok {
		t.Error("a blanked cell is still there")
	}
	if _, ok := got.Answers.Values["population_note"]; ok {
		t.Error("a blanked answer is still there")
	}

	// Another organization's draft is its own.
	other, err := s.Draft(ctx, call, orgRef(t, s, "KEN"))
	if err != nil || other.ID != 0 || len(other.Answers.Cells) != 0 {
		t.Errorf("Kenya's draft: %+v, %v", other.ID, err)
	}
	// The audit log has the saves.
	if got := actionsAndTargets(t, s, forms.AuditFilter{Action: forms.AuditDraftSaved}); len(got) != 2 {
		t.Errorf("audit: %v, want two saves", got)
	}
}

func TestDraftStaleSave(t *testing.T) {
	s, db := storeWithDB(t)
	ctx := context.Background()
	aut := orgRef(t, s, "AUT")
	call, _ := statsCall(t, s)
	alice, bob := forms.Actor{Label: "alice"}, forms.Actor{Label: "bob"}
	cell := func(row string, v int64) (string, forms.CellRef, forms.Cell) {
		ref := forms.CellRef{Question: "police_offences", Row: row, Year: 2023, Category: "total"}
		return forms.CellField(ref), ref, forms.Cell{State: forms.CellValue, Value: v}
	}
	edit := func(base int, vals map[string]int64) forms.Edit {
		e := forms.Edit{Base: base, Answers: forms.Answers{Cells: map[forms.CellRef]forms.Cell{}}}
		for row, v := range vals {
			f, ref, c := cell(row, v)
			e.Fields = append(e.Fields, f)
			if v >= 0 {
				e.Answers.Cells[ref] = c
			}
		}
		return e
	}
	// Both load version 1 with homicide 10, robbery 20, theft 30.
	if _, err := s.SaveDraft(ctx, call, aut, edit(0, map[string]int64{"homicide": 10, "robbery": 20, "theft": 30}), alice); err != nil {
		t.Fatal(err)
	}
	// Alice changes homicide and robbery.
	if res, err := s.SaveDraft(ctx, call, aut, edit(1, map[string]int64{"homicide": 11, "robbery": 21, "theft": 30}), alice); err != nil || res.Version != 2 {
		t.Fatalf("alice: %+v %v", res, err)
	}
	// Bob, still on version 1, changes homicide differently, robbery to
	// the same, and theft, which Alice left alone.
	res, err := s.SaveDraft(ctx, call, aut, edit(1, map[string]int64{"homicide": 12, "robbery": 21, "theft": 31}), bob)
	if err != nil {
		t.Fatal(err)
	}
	hf, _, _ := cell("homicide", 0)
	tf, _, _ := cell("theft", 0)
	enc := func(v int64) string {
		_, ref, c := cell("homicide", v)
		return forms.Answers{Cells: map[forms.CellRef]forms.Cell{ref: c}}.Field(forms.CellField(ref))
	}
	if diff := cmp.Diff([]forms.Conflict{{Field: hf, Base: enc(10), Theirs: enc(11), Mine: enc(12)}}, res.Conflicts); diff != "" {
		t.Errorf("conflicts (-want +got):\n%s", diff)
	}
	if len(res.Changes) != 1 || res.Changes[0].Field != tf || res.Version != 3 {
		t.Errorf("bob's save wrote %+v as version %d; want theft alone, version 3", res.Changes, res.Version)
	}
	d, _ := s.Draft(ctx, call, aut)
	for row, want := range map[string]int64{"homicide": 11, "robbery": 21, "theft": 31} {
		_, ref, _ := cell(row, 0)
		if got := d.Answers.Cells[ref].Value; got != want {
			t.Errorf("%s = %d, want %d", row, got, want)
		}
	}
	// Bob decides for his value, from the version he was shown.
	res, err = s.SaveDraft(ctx, call, aut, edit(3, map[string]int64{"homicide": 12}), bob)
	if err != nil || len(res.Conflicts) != 0 || res.Version != 4 {
		t.Fatalf("resolving: %+v %v", res, err)
	}
	// An edit from a version the draft never had is refused.
	_, err = s.SaveDraft(ctx, call, aut, edit(99, map[string]int64{"homicide": 1}), bob)
	wantKind(t, "future version", err, forms.KindInvalid)

	// The record of changes cannot be rewritten.
	if _, err := db.ExecContext(ctx, `UPDATE draft_saves SET changes = '{}'`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("updating draft_saves: %v", err)
	}
}

func TestDraftAttachments(t *testing.T) {
	s := storagetest.NewStore(t)
	ctx := context.Background()
	aut, ken := orgRef(t, s, "AUT"), orgRef(t, s, "KEN")
	call, err := s.EnsureCall(ctx, forms.Call{Key: "views-test", Title: forms.Text{forms.English: "Views"}, Questionnaire: "tourism-views", Version: 1})
	if err != nil {
		t.Fatal(err)
	}
	actor := forms.Actor{Label: "fp"}
	pdf := []byte("%PDF-1.4\n%âãÏÓ\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
	res, err := s.SaveDraft(ctx, call, aut, forms.Edit{Uploads: []forms.Upload{
		{Question: "good_practice_documents", Name: "plan.pdf", ContentType: "application/pdf", Data: pdf},
		{Question: "good_practice_documents", Name: "annex.pdf", ContentType: "application/pdf", Data: pdf},
	}}, actor)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 2 || res.Version != 1 {
		t.Fatalf("uploads: %+v", res)
	}
	d, _ := s.Draft(ctx, call, aut)
	ids := d.Answers.Values["good_practice_documents"].Files
	if len(ids) != 2 || d.Files[ids[0]].Name != "plan.pdf" || d.Files[ids[1]].Size != int64(len(pdf)) {
		t.Fatalf("answer %v, files %+v", ids, d.Files)
	}
	info, data, err := s.Attachment(ctx, aut.ID, ids[0])
	if err != nil || string(data) != string(pdf) || info.ContentType != "application/pdf" || len(info.SHA256) != 64 {
		t.Fatalf("Attachment: %+v %v", info, err)
	}
	// Not Kenya's to read, nor to name in its own answers.
	_, _, err = s.Attachment(ctx, ken.ID, ids[0])
	wantKind(t, "another organization's file", err, forms.KindNotFound)
	_, err = s.SaveDraft(ctx, call, ken, forms.Edit{Fields: []string{"q/good_practice_documents"},
		Answers: forms.Answers{Values: map[string]forms.Answer{"good_practice_documents": {Files: ids}}}}, actor)
	wantKind(t, "naming another organization's file", err, forms.KindInvalid)
	if d, _ := s.Draft(ctx, call, ken); len(d.Answers.Values) != 0 {
		t.Errorf("Kenya's refused save left %v", d.Answers.Values)
	}
	// Removing one keeps the other; the removed file, which no submitted
	// version names, is deleted (TestUnusedFiles has the rest).
	res, err = s.SaveDraft(ctx, call, aut, forms.Edit{Base: 1, Fields: []string{"q/good_practice_documents"},
		Answers: forms.Answers{Values: map[string]forms.Answer{"good_practice_documents": {Files: ids[1:]}}}}, actor)
	if err != nil || res.Version != 2 {
		t.Fatalf("removing: %+v %v", res, err)
	}
	_, _, err = s.Attachment(ctx, aut.ID, ids[0])
	wantKind(t, "a removed file", err, forms.KindNotFound)
	if _, _, err := s.Attachment(ctx, aut.ID, ids[1]); err != nil {
		t.Errorf("the file kept is gone: %v", err)
	}
}

// BenchmarkSaveDraft saves drafts of exactly 2,000 values (the issue's
// goal: under 50 ms at the median) and, as baselines in the same run, the
// same 2,000 rows written by one plain multi-row statement into a table of
// the shape of draft_cells (docs/benchmarks.md).
func BenchmarkSaveDraft(b *testing.B) {
	s, db := storeWithDB(b)
	ctx := context.Background()
	aut := orgRef(b, s, "AUT")
	_, q := statsCall(b, s)
	years := []int{2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026, 2027, 2028}
	// A new call for each draft that must start empty: with -count, each
	// sub-benchmark runs again on the same database.
	calls := 0
	newCall := func() forms.Call {
		calls++
		c, err := s.EnsureCall(ctx, forms.Call{Key: fmt.Sprintf("bench-%d", calls), Title: forms.Text{forms.English: "Bench"},
			Questionnaire: q.Key, Version: q.Version, Years: years})
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	_, fields := fullTable(q, years)
	fields = fields[:2000] // exactly 2,000 values, all set (no blanks)
	refs := make([]forms.CellRef, len(fields))
	for j, f := range fields {
		refs[j], _ = forms.ParseCellField(f)
	}
	actor := forms.Actor{Label: "bench"}
	save := func(call forms.Call, base int, a forms.Answers, want int) int {
		res, err := s.SaveDraft(ctx, call, aut, forms.Edit{Base: base, Fields: fields, Answers: a}, actor)
		if err != nil || len(res.Changes) != want || len(res.Conflicts) != 0 {
			b.Fatalf("%d changes (want %d), %d conflicts, %v", len(res.Changes), want, len(res.Conflicts), err)
		}
		return res.Version
	}

	// Into an empty draft: each save is the first of a call of its own.
	b.Run("FirstSave", func(b *testing.B) {
		a := benchAnswers(refs, 0)
		for b.Loop() {
			b.StopTimer()
			call := newCall()
			b.StartTimer()
			save(call, 0, a, len(fields))
		}
	})
	// The same form saved again with every value changed.
	b.Run("ResaveAllChanged", func(b *testing.B) {
		call := newCall()
		a := benchAnswers(refs, 0)
		version := save(call, 0, a, len(fields))
		for i := 1; b.Loop(); i++ {
			setBenchValues(a, refs, i)
			version = save(call, version, a, len(fields))
		}
	})
	// An autosave: the same 2,000-value form posted again, ten values changed.
	b.Run("ResaveTenChanged", func(b *testing.B) {
		call := newCall()
		a := benchAnswers(refs, 0)
		version := save(call, 0, a, len(fields))
		for i := 1; b.Loop(); i++ {
			for k := range 10 {
				r := refs[(10*i+k)%len(refs)]
				c := a.Cells[r]
				c.Value++
				a.Cells[r] = c
			}
			version = save(call, version, a, 10)
		}
	})

	// An autosave as the page's script sends it now: only the ten fields
	// changed since the last save, at the version that save made.
	b.Run("AutosaveTen", func(b *testing.B) {
		call := newCall()
		a := benchAnswers(refs, 0)
		version := save(call, 0, a, len(fields))
		for i := 1; b.Loop(); i++ {
			e := forms.Edit{Base: version, Fields: make([]string, 10), Answers: forms.Answers{Cells: make(map[forms.CellRef]forms.Cell, 10)}}
			for k := range 10 {
				r := refs[(10*i+k)%len(refs)]
				c := a.Cells[r]
				c.Value++
				a.Cells[r], e.Answers.Cells[r], e.Fields[k] = c, c, forms.CellField(r)
			}
			res, err := s.SaveDraft(ctx, call, aut, e, actor)
			if err != nil || len(res.Changes) != 10 || len(res.Conflicts) != 0 {
				b.Fatalf("%d changes (want 10), %d conflicts, %v", len(res.Changes), len(res.Conflicts), err)
			}
			version = res.Version
		}
	})

	// The baselines: the same rows, written by one plain statement into a
	// table like draft_cells (columns, checks, primary key, fill factor;
	// not the foreign key to drafts).
	if _, err := db.ExecContext(ctx, `CREATE TABLE plain_cells (LIKE draft_cells INCLUDING ALL) WITH (fillfactor = 70)`); err != nil {
		b.Fatal(err)
	}
	insert := plainCellsInsert(len(refs))
	upsert := insert + ` ON CONFLICT (draft_id, question, row_key, year, category) DO UPDATE
		SET state = EXCLUDED.state, value = EXCLUDED.value, note = EXCLUDED.note, flags = EXCLUDED.flags`
	exec := func(query string, i int) {
		if _, err := db.ExecContext(ctx, query, plainCellsArgs(refs, i)...); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("PlainBatchedInsert", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			b.StopTimer()
			if _, err := db.ExecContext(ctx, `TRUNCATE plain_cells`); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			exec(insert, i)
		}
	})
	b.Run("PlainBatchedUpsert", func(b *testing.B) {
		if _, err := db.ExecContext(ctx, `TRUNCATE plain_cells`); err != nil {
			b.Fatal(err)
		}
		exec(insert, 0)
		for i := 1; b.Loop(); i++ {
			exec(upsert, i)
		}
	})
}

// BenchmarkLoadDraft reads a draft of the statistics questionnaire with
// every cell filled (fullTable: 764 cells over four years), as each page
// of a section does. Baseline in the same run: the same cells read by a
// plain database/sql query into sql.RawBytes, nothing decoded
// (docs/benchmarks.md).
func BenchmarkLoadDraft(b *testing.B) {
	s, db := storeWithDB(b)
	ctx := context.Background()
	call, q := statsCall(b, s)
	aut := orgRef(b, s, "AUT")
	a, fields := fullTable(q, statsYears)
	if _, err := s.SaveDraft(ctx, call, aut, forms.Edit{Fields: fields, Answers: a}, forms.Actor{Label: "bench"}); err != nil {
		b.Fatal(err)
	}
	b.Run("Draft", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			d, err := s.Draft(ctx, call, aut)
			if err != nil || len(d.Answers.Cells) != len(a.Cells) {
				b.Fatalf("%d cells, %v", len(d.Answers.Cells), err)
			}
		}
	})
	b.Run("PlainRows", func(b *testing.B) {
		b.ReportAllocs()
		var id int64
		if err := db.QueryRowContext(ctx, `SELECT id FROM drafts WHERE call_id = $1 AND organization_id = $2`, call.ID, aut.ID).Scan(&id); err != nil {
			b.Fatal(err)
		}
		cols := make([]sql.RawBytes, 8)
		dest := make([]any, len(cols))
		for i := range cols {
			dest[i] = &cols[i]
		}
		for b.Loop() {
			rows, err := db.QueryContext(ctx, `SELECT question, row_key, year, category, state, value, note, flags FROM draft_cells WHERE draft_id = $1`, id)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				if err := rows.Scan(dest...); err != nil {
					b.Fatal(err)
				}
				n++
			}
			if err := rows.Close(); err != nil || n != len(a.Cells) {
				b.Fatalf("%d cells, %v", n, err)
			}
		}
	})
}

// benchValue is the value of the j-th cell at the i-th save: every save
// changes every value.
func benchValue(i, j int) int64 { return int64(i*1000 + j) }

// benchAnswers sets every cell to a value, as the i-th save.
func benchAnswers(refs []forms.CellRef, i int) forms.Answers {
	a := forms.Answers{Cells: make(map[forms.CellRef]forms.Cell, len(refs))}
	setBenchValues(a, refs, i)
	return a
}

func setBenchValues(a forms.Answers, refs []forms.CellRef, i int) {
	for j, r := range refs {
		a.Cells[r] = forms.Cell{State: forms.CellValue, Value: benchValue(i, j)}
	}
}

// plainCellsInsert is one INSERT of n rows into plain_cells: the draft id
// in $1, then eight parameters a row.
func plainCellsInsert(n int) string {
	var sb strings.Builder
	sb.WriteString(`INSERT INTO plain_cells (draft_id, question, row_key, year, category, state, value, note, flags) VALUES `)
	for j := range n {
		if j > 0 {
			sb.WriteByte(',')
		}
		p := 2 + 8*j
		fmt.Fprintf(&sb, "($1,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d)", p, p+1, p+2, p+3, p+4, p+5, p+6, p+7)
	}
	return sb.String()
}

// plainCellsArgs are plainCellsInsert's parameters for the i-th save: the
// rows SaveDraft writes for benchAnswers(refs, i).
func plainCellsArgs(refs []forms.CellRef, i int) []any {
	args := make([]any, 0, 1+8*len(refs))
	args = append(args, 1)
	for j, r := range refs {
		args = append(args, r.Question, r.Row, r.Year, r.Category, int(forms.CellValue), benchValue(i, j), "", 0)
	}
	return args
}

// storeWithDB opens a store on a fresh database, and a plain connection
// to the same database for what the store does not do.
func storeWithDB(t testing.TB) (*storage.Store, *sql.DB) {
	t.Helper()
	url := storagetest.NewDatabase(t)
	s, err := storage.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return s, db
}
