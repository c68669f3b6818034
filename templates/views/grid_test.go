package views

import (
	"html/template"
	"strings"
	"testing"

	"portal/forms/definition"
)

// gridTemplate is a table's rows as the page template would write them:
// the reference Body must match, byte for byte, since html/template's
// contextual escaping is what the page's safety rests on.
const gridTemplate = `{{$txt := .Txt}}{{range .Table.Rows}}<tr{{if .RelevantOn}} data-relevant-on="{{.RelevantOn}}" data-relevant-answers="{{.RelevantAnswers}}"{{end}}{{if .Within}} data-relevant-within="{{.Within}}"{{end}}{{if .Hidden}} hidden{{end}}{{if .Unmet}} data-relevant-unmet{{end}}>
        <th scope="row" id="{{.ID}}"{{if .Part}} class="part"{{end}}>{{.Label}}{{if .ICCS}} <span class="iccs">ICCS {{.ICCS}}</span>{{end}}</th>
        {{range .Cells}}<td headers="{{.Headers}}" class="cell{{if .Total}} total{{end}}{{if .Invalid}} cell--invalid{{end}}{{if .Warned}} cell--warned{{end}}{{if .State}} cell--{{.State}}{{end}}"><input id="{{.ID}}" name="{{.Name}}" value="{{.Value}}" inputmode="numeric" autocomplete="off" aria-label="{{.Label}}"{{if .Invalid}} aria-invalid="true"{{end}}{{if .Describedby}} aria-describedby="{{.Describedby}}"{{end}}{{if .State}} placeholder="{{.Marker}}"{{end}}>{{if .Panel}}{{if $.RO}}<a class="cell-more-btn" id="{{.ID}}-b" href="#{{.ID}}-d">{{else}}<button type="button" class="cell-more-btn" id="{{.ID}}-b" popovertarget="{{.ID}}-d">{{end}}{{if .Marker}}{{.Marker}}{{else}}<span aria-hidden="true">…</span>{{end}}<span class="visually-hidden"> {{.More}}</span>{{if $.RO}}</a>{{else}}</button>{{end}}<div class="cell-pop" id="{{.ID}}-d" popover role="group" aria-labelledby="{{.ID}}-b"><label for="{{.ID}}-s">{{$txt.State}}</label><select id="{{.ID}}-s" name="s/{{.Rest}}"><option value="">{{$txt.Value}}</option><option value="na" data-short="{{$txt.NAShort}}"{{if eq .State "na"}} selected{{end}}>{{$txt.NA}}</option><option value="nap" data-short="{{$txt.NAPShort}}"{{if eq .State "nap"}} selected{{end}}>{{$txt.NAP}}</option></select><label for="{{.ID}}-n">{{$txt.Note}}</label><textarea id="{{.ID}}-n" name="n/{{.Rest}}" rows="2">{{.Note}}</textarea>{{$rest := .Rest}}{{range .Flags}}<label class="check"><input type="checkbox" name="f/{{$rest}}" value="{{.Value}}"{{if .Checked}} checked{{end}}> {{.Label}}</label>{{end}}{{if $.RO}}<a class="cell-pop__close" href="#{{.ID}}-b">{{$txt.Close}}</a>{{else}}<button type="button" class="cell-pop__close" popovertarget="{{.ID}}-d" popovertargetaction="hide">{{$txt.Close}}</button>{{end}}</div>{{else}}<button type="submit" name="open" value="{{.Name}}" class="cell-more-btn"><span aria-hidden="true">…</span><span class="visually-hidden"> {{.More}}</span></button>{{end}}{{if .Error}}<p class="field-error" id="{{.ID}}-error">{{.Error}}</p>{{end}}</td>{{end}}
      </tr>
      {{end}}`

// TestGridMarkup renders tables of every kind of cell, with hostile text in
// every value, both ways, and wants the same bytes.
func TestGridMarkup(t *testing.T) {
	ref := template.Must(template.New("grid").Parse(`<table><tbody>` + gridTemplate + `</tbody></table>`))
	hostile := "\"'<b>&amp;+\x00</textarea><script>alert(1)</script> «ق» 中"
	txt := CellTexts{State: "Status " + hostile, Value: "Value", NA: "Not available", NAShort: "n/a" + hostile,
		NAP: "Not applicable", NAPShort: "n/ap", Note: "Note" + hostile, Close: "Close" + hostile}
	cell := func(i int) *Cell {
		c := &Cell{ID: "cell-" + hostile, Name: "c/" + hostile, Rest: hostile, Headers: "h1 h2",
			Label: "Homicide, 2023, " + hostile, More: "Status, note and flags: " + hostile, Value: "1,234" + hostile}
		c.Total, c.Invalid, c.Warned, c.Panel, c.DetailsOpen = i&1 != 0, i&2 != 0, i&4 != 0, i&8 != 0, i&16 != 0
		switch i % 3 {
		case 1:
			c.State, c.Marker = "na", "n/a"+hostile
		case 2:
			c.State, c.Marker = "nap", "n/ap"
		}
		if i&32 != 0 {
			c.Note, c.Error, c.Describedby = "A note "+hostile, "An error "+hostile, "err-"+hostile
			c.Flags = []Flag{{Value: "national", Label: "National " + hostile, Checked: true}, {Value: "estimate" + hostile, Label: "Estimate"}}
		}
		return c
	}
	tv := &Table{}
	for r := range 8 {
		row := &Row{ID: "row-" + hostile, Label: "Row " + hostile, Part: r%2 == 1, Hidden: r&2 != 0, Unmet: r == 7}
		if r >= 4 {
			row.RelevantOn, row.RelevantAnswers = "q-"+hostile, "yes "+hostile
		}
		if r%4 == 3 {
			row.Within = "h-" + hostile
		}
		if r%3 == 0 {
			row.ICCS = "0101" + hostile
		}
		for i := range 64 {
			row.Cells = append(row.Cells, cell(i))
		}
		tv.Rows = append(tv.Rows, row)
	}
	for _, ro := range []bool{false, true} {
		txt.readOnly = ro
		var want strings.Builder
		if err := ref.Execute(&want, map[string]any{"Table": tv, "Txt": txt, "RO": ro}); err != nil {
			t.Fatal(err)
		}
		got := "<table><tbody>" + string(tv.Body(txt)) + "</tbody></table>"
		if got != want.String() {
			w := want.String()
			i := 0
			for i < len(got) && i < len(w) && got[i] == w[i] {
				i++
			}
			t.Fatalf("read-only %v: Body differs from the template at byte %d:\n got …%s\nwant …%s", ro, i, got[max(0, i-80):min(len(got), i+80)], w[max(0, i-80):min(len(w), i+80)])
		}
		if strings.Contains(got, "<script>") || strings.Contains(got, "</textarea><script") || strings.Contains(got, "<b>") {
			t.Error("hostile text came through unescaped")
		}
	}
}

// headTemplate is how the page template wrote a table's headings before
// Table.Head.
const headTemplate = `<tr><td rowspan="2"></td>{{range .Table.Years}}<th scope="colgroup" colspan="{{.Span}}" id="{{.ID}}"><span>{{.Year}}</span></th>{{end}}</tr>
        <tr>{{range .Table.Cols}}<th scope="col" id="{{.ID}}"{{if .Total}} class="total"{{end}}>{{.Label}}</th>{{end}}</tr>`

// TestHeadMarkup writes headings with hostile text both ways and wants the
// same bytes.
func TestHeadMarkup(t *testing.T) {
	ref := template.Must(template.New("head").Parse(`<table><thead>` + headTemplate + `</thead></table>`))
	hostile := "\"'<b>&amp;+\x00</th><script>alert(1)</script> «ق» 中"
	tv := &Table{}
	for i, y := range []int{2022, 2023} {
		tv.Years = append(tv.Years, YearHead{Year: y, ID: "h-" + hostile, Span: 3 + i})
		for j := range 3 + i {
			tv.Cols = append(tv.Cols, ColHead{ID: "c-" + hostile, Label: "Label " + hostile, Total: j == 0})
		}
	}
	var want strings.Builder
	if err := ref.Execute(&want, map[string]any{"Table": tv}); err != nil {
		t.Fatal(err)
	}
	if got := "<table><thead>" + string(tv.Head()) + "</thead></table>"; got != want.String() {
		t.Fatalf("Head differs from the template:\n got %s\nwant %s", got, want.String())
	}
}

// TestCellDigits: a table's cells have room for the largest figure its
// error range rules allow, or for nine digits.
func TestCellDigits(t *testing.T) {
	lib, err := definition.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	q, ok := lib.Latest("crime-statistics")
	if !ok {
		t.Fatal("no crime-statistics questionnaire")
	}
	b := &Builder{Q: q}
	for key, want := range map[string]int{"population_by_year": 10, "police_offences": defaultDigits} {
		qq, ok := q.Question(key)
		if !ok {
			t.Fatalf("no question %s", key)
		}
		if got := b.cellDigits(qq); got != want {
			t.Errorf("%s: %d digits, want %d", key, got, want)
		}
	}
}
