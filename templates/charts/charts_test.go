package charts

import (
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/*.svg from the current output")

// node is an element of a parsed chart.
type node struct {
	Name     string
	Attr     map[string]string
	Text     string
	Children []*node
}

// parse reads a chart back with encoding/xml, failing the test on any error.
func parse(t *testing.T, out string) *node {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(out))
	var stack []*node
	var root *node
	for {
		tok, err := d.Token()
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			t.Fatalf("not well-formed XML: %v\n%s", err, out)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{Name: tok.Name.Local, Attr: map[string]string{}}
			for _, a := range tok.Attr {
				n.Attr[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += string(tok)
			}
		}
	}
	if root == nil || root.Name != "svg" {
		t.Fatalf("no <svg> root in %s", out)
	}
	return root
}

// all returns the elements (depth first) whose class list has class.
func (n *node) all(class string) []*node {
	var out []*node
	var walk func(*node)
	walk = func(n *node) {
		for _, c := range strings.Fields(n.Attr["class"]) {
			if c == class {
				out = append(out, n)
				break
			}
		}
		for _, ch := range n.Children {
			walk(ch)
		}
	}
	walk(n)
	return out
}

func (n *node) byID(id string) *node {
	if n.Attr["id"] == id {
		return n
	}
	for _, c := range n.Children {
		if f := c.byID(id); f != nil {
			return f
		}
	}
	return nil
}

func (n *node) f(t *testing.T, attr string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(n.Attr[attr], 64)
	if err != nil {
		t.Fatalf("%s %s=%q: %v", n.Name, attr, n.Attr[attr], err)
	}
	return v
}

// checkCommon checks what every chart must have.
func checkCommon(t *testing.T, out string, texts Texts) *node {
	t.Helper()
	root := parse(t, out)
	for _, bad := range []string{"NaN", "Inf", "style=", "<script"} {
		if strings.Contains(out, bad) {
			t.Errorf("output contains %q", bad)
		}
	}
	if root.Attr["role"] != "img" || root.Attr["width"] != "100%" || len(strings.Fields(root.Attr["viewBox"])) != 4 {
		t.Errorf("root attributes: %v", root.Attr)
	}
	ids := strings.Fields(root.Attr["aria-labelledby"])
	if len(ids) != 2 {
		t.Fatalf("aria-labelledby = %q", root.Attr["aria-labelledby"])
	}
	title, desc := root.byID(ids[0]), root.byID(ids[1])
	if title == nil || title.Name != "title" || title.Text != texts.Title {
		t.Errorf("title %+v, want text %q", title, texts.Title)
	}
	if desc == nil || desc.Name != "desc" || desc.Text != texts.Summary {
		t.Errorf("desc %+v, want text %q", desc, texts.Summary)
	}
	return root
}

func yearly(values map[float64]float64, imported, breaks []float64) []Point {
	var pts []Point
	for year := 2010.0; year <= 2024; year++ {
		v, ok := values[year]
		if !ok {
			continue
		}
		p := Point{X: year, Y: v, Label: strconv.Itoa(int(year)), Origin: OriginSubmitted}
		for _, y := range imported {
			if y == year {
				p.Origin = OriginImported
			}
		}
		for _, y := range breaks {
			p.Break = p.Break || y == year
		}
		pts = append(pts, p)
	}
	return pts
}

var legendEN = map[string]string{LegendSubmitted: "Submitted", LegendImported: "Imported from UNODC", LegendBreak: "Break in series"}

func stateSeries(rtl bool) LineChart {
	values := map[float64]float64{2015: 120, 2016: 135.5, 2017: 98, 2019: 1e-3, 2020: 250, 2021: 260, 2022: 0}
	return LineChart{
		ID:      "homicide-counts",
		Texts:   Texts{Title: "Homicides & victims <count>", Summary: "Counts per year, 2015–2022.", XAxis: "Year", YAxis: "Victims", Legend: legendEN},
		Lines:   []Line{{Points: yearly(values, []float64{2016, 2021}, []float64{2019})}},
		RTL:     rtl,
		MaxStep: 1,
		FormatY: func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) },
		FormatX: func(v float64) string { return strconv.Itoa(int(v)) },
	}
}

func TestLineChartMarksCarryTheirValues(t *testing.T) {
	for _, rtl := range []bool{false, true} {
		t.Run(fmt.Sprint("rtl=", rtl), func(t *testing.T) {
			c := stateSeries(rtl)
			out := string(c.SVG())
			root := checkCommon(t, out, c.Texts)
			marks := root.all("chart-mark")
			want := c.Lines[0].Points
			if len(marks) != len(want) {
				t.Fatalf("%d marks, want %d", len(marks), len(want))
			}
			for i, m := range marks {
				p := want[i]
				got := map[string]string{"x": m.Attr["data-x"], "y": m.Attr["data-y"], "label": m.Attr["data-label"], "origin": m.Attr["data-origin"], "break": m.Attr["data-break"], "hollow": fmt.Sprint(m.Attr["fill"] == colourPaper)}
				wantAttr := map[string]string{"x": strconv.FormatFloat(p.X, 'g', -1, 64), "y": strconv.FormatFloat(p.Y, 'g', -1, 64), "label": p.Label, "origin": p.Origin, "break": map[bool]string{true: "true"}[p.Break], "hollow": fmt.Sprint(p.Origin == OriginImported)}
				if d := cmp.Diff(wantAttr, got); d != "" {
					t.Errorf("mark %d (-want +got):\n%s", i, d)
				}
				if y, _ := strconv.ParseFloat(m.Attr["data-y"], 64); y != p.Y {
					t.Errorf("mark %d: data-y reads back as %v, want %v", i, y, p.Y)
				}
			}
			// Geometry: a larger value is higher; time runs left to right, or right to left.
			for i := 1; i < len(marks); i++ {
				a, b := marks[i-1], marks[i]
				if (want[i].Y > want[i-1].Y) != (b.f(t, "cy") < a.f(t, "cy")) && want[i].Y != want[i-1].Y {
					t.Errorf("marks %d→%d: values %v→%v but cy %v→%v", i-1, i, want[i-1].Y, want[i].Y, a.f(t, "cy"), b.f(t, "cy"))
				}
				if (b.f(t, "cx") > a.f(t, "cx")) == rtl {
					t.Errorf("marks %d→%d: cx %v→%v with rtl=%v", i-1, i, a.f(t, "cx"), b.f(t, "cx"), rtl)
				}
			}
			// The zero grid line is at the value 0 (the 2022 point).
			zeroMark := marks[len(marks)-1]
			found := false
			for _, l := range root.all("chart-grid")[0].Children {
				if l.Name == "line" && l.Attr["stroke"] == colourMuted && l.Attr["y1"] == zeroMark.Attr["cy"] {
					found = true
				}
			}
			if !found {
				t.Errorf("no zero line at cy=%s", zeroMark.Attr["cy"])
			}
			// 2018 is missing: the solid and dashed paths have no segment across it.
			x2017, x2019 := marks[2].Attr["cx"], marks[3].Attr["cx"]
			for _, p := range root.all("chart-line") {
				if strings.Contains(p.Attr["d"], "M"+x2017) && strings.Contains(p.Attr["d"], "L"+x2019) {
					t.Errorf("a segment joins 2017 to 2019 across the missing year: %s", p.Attr["d"])
				}
			}
			if n := len(root.all("chart-line--imported")); n != 1 {
				t.Errorf("%d dashed paths, want 1", n)
			} else if d := root.all("chart-line--imported")[0]; d.Attr["stroke-dasharray"] == "" || strings.Count(d.Attr["d"], "M") != 2 {
				t.Errorf("dashed path %v: want two dashed segments (into 2016 and 2021)", d.Attr)
			}
			if n := len(root.all("chart-break")); n != 2 { // the point's tick and the legend's
				t.Errorf("%d break ticks, want 2", n)
			}
			var legend []string
			for _, g := range root.all("chart-legend-text") {
				legend = append(legend, g.Text)
			}
			if d := cmp.Diff([]string{"Submitted", "Imported from UNODC", "Break in series"}, legend); d != "" {
				t.Errorf("legend (-want +got):\n%s", d)
			}
			// Y tick labels sit on the y axis' side: left, or right when rtl.
			for _, tk := range root.all("chart-tick") {
				if tk.Attr["direction"] == "ltr" && tk.Attr["unicode-bidi"] == "isolate" {
					x := tk.f(t, "x")
					if (x > 240) != rtl {
						t.Errorf("y tick %q at x=%v with rtl=%v", tk.Text, x, rtl)
					}
				}
			}
		})
	}
}

func TestLineChartTwoLinesAndStep(t *testing.T) {
	c := LineChart{
		ID:      "response",
		Texts:   Texts{Title: "Response rate", Summary: "Share of States that answered, by date."},
		Lines:   []Line{{Name: "All States", Points: []Point{{X: 0, Y: 0}, {X: 7, Y: 12.5}, {X: 30, Y: 64}, {X: 31, Y: 100}}}, {Name: "Africa", Points: []Point{{X: 0, Y: 0}, {X: 30, Y: 40}}}},
		Step:    true,
		YMax:    100,
		FormatY: func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) + " %" },
		FormatX: func(v float64) string { return fmt.Sprintf("d%g", v) },
	}
	out := string(c.SVG())
	root := checkCommon(t, out, c.Texts)
	marks := root.all("chart-mark")
	if len(marks) != 6 || marks[4].Name != "rect" || marks[0].Name != "circle" {
		t.Fatalf("marks: %d, shapes %s/%s", len(marks), marks[0].Name, marks[len(marks)-1].Name)
	}
	if marks[3].Attr["data-label"] != "d31" || marks[3].Attr["data-origin"] != "" {
		t.Errorf("unlabelled point: %v", marks[3].Attr)
	}
	path := root.all("chart-line--1")[0].Attr["d"]
	if !strings.Contains(path, "H") {
		t.Errorf("step line has no horizontal run: %s", path)
	}
	var ticks []string
	for _, tk := range root.all("chart-tick") {
		if tk.Attr["unicode-bidi"] == "isolate" {
			ticks = append(ticks, tk.Text)
		}
	}
	if ticks[0] != "0 %" || ticks[len(ticks)-1] != "100 %" {
		t.Errorf("share ticks %v, want 0 %% … 100 %%", ticks)
	}
	if got := len(root.all("chart-legend-text")); got != 2 {
		t.Errorf("%d legend entries, want the two line names", got)
	}
}

func TestBarChart(t *testing.T) {
	second := func(v float64) *float64 { return &v }
	for _, rtl := range []bool{false, true} {
		t.Run(fmt.Sprint("rtl=", rtl), func(t *testing.T) {
			c := BarChart{
				ID:    "regions",
				Texts: Texts{Title: "Rate per 100,000, 2022", Summary: "Pooled rate and median by region.", XAxis: "Rate per 100,000"},
				Bars: []Bar{
					{Label: "Africa", Value: 12.7, Second: second(9.1)},
					{Label: "Americas", Value: 19.93, Second: second(21), Note: "imported"},
					{Label: "Asia", Value: 2.3},
					{Label: "Europe", Value: 0},
				},
				ValueName: "Pooled rate", SecondName: "Median", RTL: rtl,
				Format: func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) },
			}
			out := string(c.SVG())
			root := checkCommon(t, out, c.Texts)
			bars, seconds := root.all("chart-bar"), root.all("chart-second")
			if len(bars) != 4 || len(seconds) != 2 {
				t.Fatalf("%d bars and %d second marks", len(bars), len(seconds))
			}
			var zeroEdge float64
			for i, b := range bars {
				want := c.Bars[i]
				if b.Attr["data-label"] != want.Label || b.Attr["data-value"] != strconv.FormatFloat(want.Value, 'g', -1, 64) || b.Attr["data-note"] != want.Note {
					t.Errorf("bar %d: %v, want %+v", i, b.Attr, want)
				}
				edge := b.f(t, "x")
				if rtl {
					edge += b.f(t, "width")
				}
				if i > 0 && math.Abs(edge-zeroEdge) > 0.01 {
					t.Errorf("bar %d starts at %v, bar 0 at %v: bars must grow from one zero", i, edge, zeroEdge)
				}
				zeroEdge = edge
			}
			for i := 0; i < len(bars); i++ {
				for j := 0; j < len(bars); j++ {
					if c.Bars[i].Value > c.Bars[j].Value && bars[i].f(t, "width") <= bars[j].f(t, "width") {
						t.Errorf("bar %d (%v) not longer than bar %d (%v)", i, c.Bars[i].Value, j, c.Bars[j].Value)
					}
				}
			}
			if seconds[0].Attr["data-value"] != "9.1" || seconds[1].Attr["data-value"] != "21" || seconds[1].Attr["data-label"] != "Americas" {
				t.Errorf("second marks: %v / %v", seconds[0].Attr, seconds[1].Attr)
			}
			// The median 21 lies beyond the bar's end (19.93), on the side bars grow to.
			end := bars[1].f(t, "x") + bars[1].f(t, "width")
			if rtl {
				end = bars[1].f(t, "x")
			}
			if beyond := seconds[1].f(t, "x1") - end; (beyond > 0) == rtl {
				t.Errorf("second mark at %v, bar end at %v, rtl=%v", seconds[1].f(t, "x1"), end, rtl)
			}
			labels := root.all("chart-label")
			if labels[1].Text != "Americas · imported" {
				t.Errorf("label with note: %q", labels[1].Text)
			}
			for _, l := range labels {
				if (l.Attr["direction"] == "rtl") != rtl || (l.f(t, "x") > 240) != rtl {
					t.Errorf("label %q: direction %s, x %s, rtl=%v", l.Text, l.Attr["direction"], l.Attr["x"], rtl)
				}
			}
		})
	}
}

func TestEmptyAndNonFiniteInput(t *testing.T) {
	texts := Texts{Title: "Nothing", Summary: "There is nothing to plot."}
	nan, inf := math.NaN(), math.Inf(1)
	outs := map[string]string{
		"no lines":      string(LineChart{Texts: texts}.SVG()),
		"empty lines":   string(LineChart{Texts: texts, Lines: []Line{{}, {}}}.SVG()),
		"nan points":    string(LineChart{Texts: texts, Lines: []Line{{Points: []Point{{X: 1, Y: nan}, {X: inf, Y: 1}}}}}.SVG()),
		"no bars":       string(BarChart{Texts: texts}.SVG()),
		"nan bars":      string(BarChart{Texts: texts, Bars: []Bar{{Label: "x", Value: nan, Second: &inf}}}.SVG()),
		"zero width id": string(BarChart{ID: "<&>", Texts: texts, Width: -5}.SVG()),
	}
	for name, out := range outs {
		t.Run(name, func(t *testing.T) {
			root := checkCommon(t, out, texts)
			e := root.all("chart-empty")
			if len(e) != 1 || e[0].Text != texts.Summary {
				t.Errorf("no visible summary in %s", out)
			}
		})
	}
	// One value alone, all zero, or a NaN among values: a chart, no NaN.
	for name, c := range map[string]LineChart{
		"one point": {Texts: texts, Lines: []Line{{Points: []Point{{X: 2020, Y: 5}}}}},
		"all zero":  {Texts: texts, Lines: []Line{{Points: []Point{{X: 1, Y: 0}, {X: 2, Y: 0}}}}},
		"with nan":  {Texts: texts, Lines: []Line{{Points: []Point{{X: 1, Y: 3}, {X: 2, Y: nan}, {X: 3, Y: -2}}}}},
	} {
		t.Run(name, func(t *testing.T) {
			root := checkCommon(t, string(c.SVG()), texts)
			if len(root.all("chart-mark")) == 0 {
				t.Error("no marks")
			}
		})
	}
}

func TestTextIsEscaped(t *testing.T) {
	texts := Texts{Title: `<script>alert("x")</script> & co`, Summary: "a\x00b\x1b<c> 'd'", XAxis: "</text><x>", YAxis: "&amp;", Legend: map[string]string{LegendSubmitted: "<b>"}}
	c := LineChart{ID: `x" onload="y`, Texts: texts, Lines: []Line{{Name: "<i>", Points: []Point{{X: 1, Y: 1, Label: `"2019"&`, Origin: OriginSubmitted}}}}}
	out := string(c.SVG())
	texts.Summary = "ab<c> 'd'" // characters XML cannot carry are dropped
	root := checkCommon(t, out, texts)
	if strings.Contains(out, "onload=") && !strings.Contains(out, `id="xonloady"`) {
		t.Errorf("id not cleaned: %s", root.Attr["id"])
	}
	if got := root.all("chart-mark")[0].Attr["data-label"]; got != `"2019"&` {
		t.Errorf("data-label = %q", got)
	}
	var axis []string
	for _, a := range root.all("chart-axis-title") {
		axis = append(axis, a.Text)
	}
	if d := cmp.Diff([]string{"&amp;", "</text><x>"}, axis); d != "" {
		t.Errorf("axis titles (-want +got):\n%s", d)
	}
}

func TestNiceScale(t *testing.T) {
	for _, tc := range []struct {
		min, max float64
		n        int
		want     []float64
	}{
		{0, 100, 5, []float64{0, 20, 40, 60, 80, 100}},
		{12, 97, 4, []float64{0, 25, 50, 75, 100}},
		{3, 3, 4, []float64{0, 1, 2, 3}},
		{0, 0, 4, []float64{0, 0.25, 0.5, 0.75, 1}},
		{0.01, 0.3, 3, []float64{0, 0.1, 0.2, 0.3}},
		{-7, 12, 4, []float64{-10, -5, 0, 5, 10, 15}},
		{0, 260, 4, []float64{0, 100, 200, 300}},
	} {
		s := niceScale(tc.min, tc.max, tc.n)
		if d := cmp.Diff(tc.want, s.ticks); d != "" {
			t.Errorf("niceScale(%v, %v, %d) (-want +got):\n%s", tc.min, tc.max, tc.n, d)
		}
		if s.lo > math.Min(0, tc.min) || s.hi < tc.max {
			t.Errorf("niceScale(%v, %v): domain [%v, %v] does not cover the data and 0", tc.min, tc.max, s.lo, s.hi)
		}
	}
}

// TestContrast: each colour that carries meaning has 3:1 against white
// (WCAG 1.4.11); the grid is decorative, the tick labels carry its values.
func TestContrast(t *testing.T) {
	lum := func(hex string) float64 {
		var rgb [3]float64
		for i := range rgb {
			v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
			c := float64(v) / 255
			if c <= 0.04045 {
				rgb[i] = c / 12.92
			} else {
				rgb[i] = math.Pow((c+0.055)/1.055, 2.4)
			}
		}
		return 0.2126*rgb[0] + 0.7152*rgb[1] + 0.0722*rgb[2]
	}
	for _, c := range []string{colourInk, colourMuted, colourBrand, colourSecond} {
		if ratio := (1 + 0.05) / (lum(c) + 0.05); ratio < 3 {
			t.Errorf("%s: contrast %.2f:1 against white", c, ratio)
		}
	}
}

// TestGolden compares whole charts, in English, Arabic and Chinese, with
// testdata/*.svg (go test ./templates/charts/ -update rewrites them); open
// them in a browser to look at them.
func TestGolden(t *testing.T) {
	arDigits := func(v float64) string {
		s := strconv.FormatFloat(v, 'f', -1, 64)
		return strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return '٠' + r - '0'
			}
			if r == '.' {
				return '٫'
			}
			return r
		}, s)
	}
	ar := stateSeries(true)
	ar.ID = "ar-series"
	ar.Texts = Texts{Title: "عدد الضحايا", Summary: "عدد الضحايا لكل سنة.", XAxis: "السنة", YAxis: "الضحايا",
		Legend: map[string]string{LegendSubmitted: "مقدَّم", LegendImported: "مستورد", LegendBreak: "انقطاع في السلسلة"}}
	ar.FormatY, ar.FormatX = arDigits, arDigits
	for i := range ar.Lines[0].Points {
		ar.Lines[0].Points[i].Label = arDigits(ar.Lines[0].Points[i].X)
	}
	median := 8.5
	for name, out := range map[string]string{
		"line_en":     string(stateSeries(false).SVG()),
		"line_ar_rtl": string(ar.SVG()),
		"bar_zh": string(BarChart{ID: "zh-regions", Texts: Texts{Title: "各区域每十万人比率", Summary: "2022年各区域比率。", XAxis: "每十万人比率"},
			Bars:      []Bar{{Label: "非洲", Value: 12.7, Second: &median}, {Label: "美洲", Value: 19.9}, {Label: "亚洲", Value: 2.3, Note: "导入"}},
			ValueName: "合并比率", SecondName: "中位数", Format: func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }}.SVG()),
		"bar_ar_rtl": string(BarChart{ID: "ar-regions", RTL: true, Texts: Texts{Title: "المعدل", Summary: "المعدل حسب المنطقة."},
			Bars: []Bar{{Label: "أفريقيا", Value: 12.7}, {Label: "الأمريكتان", Value: 19.9}}, Format: arDigits}.SVG()),
		"step_response": string(LineChart{ID: "response", Texts: Texts{Title: "Response rate", Summary: "Share of States that answered."},
			Lines: []Line{{Points: []Point{{X: 0, Y: 0}, {X: 3, Y: 10}, {X: 10, Y: 45.5}, {X: 20, Y: 80}, {X: 28, Y: 92}}}}, Step: true, YMax: 100,
			FormatY: func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) + "%" },
			FormatX: func(v float64) string { return fmt.Sprintf("%d Mar", int(v)+1) }}.SVG()),
	} {
		t.Run(name, func(t *testing.T) {
			parse(t, out)
			path := filepath.Join("testdata", name+".svg")
			// Pretty enough to diff: one element a line.
			got := []byte(strings.ReplaceAll(out, "><", ">\n<") + "\n")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(want, got) {
				t.Errorf("%s differs (-want +got):\n%s", path, cmp.Diff(string(want), string(got)))
			}
		})
	}
}
