package forms

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFieldRoundTrip(t *testing.T) {
	yes := true
	n := 12.5
	a := Answers{
		Values: map[string]Answer{
			"views":   {Text: "Ça va — بخير — 好"},
			"threats": {Choices: []string{"terrorism", "other"}, Text: "=HYPERLINK(\"x\")"},
			"agreed":  {Bool: &yes},
			"count":   {Number: &n},
			"docs":    {Files: []int64{3, 9}},
		},
		Cells: map[CellRef]Cell{
			{"police", "homicide", 2023, "total"}: {State: CellValue, Value: 0},
			{"police", "homicide", 2024, "total"}: {State: CellValue, Value: 17, Note: "provisional", Flags: FlagProvisional | FlagEstimate},
			{"police", "robbery", 2023, "total"}:  {State: CellNotAvailable},
			{"police", "burglary", 2023, "total"}: {State: CellNotApplicable, Note: "no such offence"},
			{"persons", "theft", 2022, "unknown"}: {State: CellValue, Value: 1 << 40},
		},
		Explanations: map[string]string{"rule/homicide/2024/total": "A new counting rule."},
	}
	var b Answers
	fields := a.Fields()
	if len(fields) != 11 {
		t.Fatalf("Fields: %d, want 11: %v", len(fields), fields)
	}
	for _, f := range fields {
		if err := b.SetField(f, a.Field(f)); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	// Zero is not blank, blank is nothing.
	if a.Field(CellField(CellRef{"police", "homicide", 2023, "total"})) == "" {
		t.Error("a zero cell encodes as blank")
	}
	if got := a.Field(CellField(CellRef{"police", "homicide", 2022, "total"})); got != "" {
		t.Errorf("a blank cell encodes as %q", got)
	}
	if err := b.SetField(CellField(CellRef{"police", "homicide", 2023, "total"}), ""); err != nil {
		t.Fatal(err)
	}
	if _, ok := b.Cells[CellRef{"police", "homicide", 2023, "total"}]; ok {
		t.Error("setting a cell blank kept it")
	}
	for _, bad := range []string{"", "z/x", "c/a/b/c", "c/a/b/notayear/d", "q/"} {
		if err := b.SetField(bad, `{}`); err == nil {
			t.Errorf("SetField(%q) accepted", bad)
		}
	}
	if err := b.SetField("q/views", "{not json"); err == nil {
		t.Error("SetField accepted broken JSON")
	}
}

func TestMerge(t *testing.T) {
	text := func(s string) Answers {
		return Answers{Values: map[string]Answer{"views": {Text: s}}}
	}
	enc := func(s string) string { return text(s).Field("q/views") }
	f := []string{"q/views"}
	tests := []struct {
		name          string
		base          map[string]string // fields changed since the form was loaded
		current, mine Answers
		wantChanges   []Change
		wantConflicts []Conflict
	}{
		{"nobody else saved", nil, text("a"), text("b"),
			[]Change{{"q/views", enc("a"), enc("b")}}, nil},
		{"nothing changed", nil, text("a"), text("a"), nil, nil},
		{"they changed it, I did not", map[string]string{"q/views": enc("a")}, text("theirs"), text("a"), nil, nil},
		{"both to the same", map[string]string{"q/views": enc("a")}, text("same"), text("same"), nil, nil},
		{"both, differently", map[string]string{"q/views": enc("a")}, text("theirs"), text("mine"), nil,
			[]Conflict{{"q/views", enc("a"), enc("theirs"), enc("mine")}}},
		{"they cleared it, I changed it", map[string]string{"q/views": enc("a")}, Answers{}, text("mine"), nil,
			[]Conflict{{"q/views", enc("a"), "", enc("mine")}}},
		{"I cleared it", nil, text("a"), Answers{}, []Change{{"q/views", enc("a"), ""}}, nil},
		{"another field changed by them", map[string]string{"q/other": enc("x")}, text("a"), text("b"),
			[]Change{{"q/views", enc("a"), enc("b")}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changes, conflicts := Merge(Edit{Fields: f, Answers: tt.mine}, tt.current, tt.base)
			if diff := cmp.Diff(tt.wantChanges, changes); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantConflicts, conflicts); diff != "" {
				t.Errorf("conflicts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseCellField(t *testing.T) {
	ref := CellRef{"persons_convicted", "rape", 2024, "female"}
	got, ok := ParseCellField(CellField(ref))
	if !ok || got != ref {
		t.Fatalf("ParseCellField(CellField(%v)) = %v, %v", ref, got, ok)
	}
}

// TestCellEncoding: the quick encoding of a cell without a note is the
// one json.Marshal gives, since saves record encodings and compare them.
func TestCellEncoding(t *testing.T) {
	ref := CellRef{"t", "r", 2024, "total"}
	for _, c := range []Cell{{State: CellValue}, {State: CellValue, Value: 1 << 50}, {State: CellNotAvailable, Flags: 7},
		{State: CellNotApplicable, Flags: FlagEstimate}, {State: CellValue, Value: 3, Note: "n", Flags: 1}, {Flags: 2}} {
		want, _ := json.Marshal(cellJSON(c))
		if got := (Answers{Cells: map[CellRef]Cell{ref: c}}).Field(CellField(ref)); got != string(want) {
			t.Errorf("%+v encodes as %s, want %s", c, got, want)
		}
	}
}
