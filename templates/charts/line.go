package charts

import (
	"html/template"
	"math"
	"sort"
	"strings"
)

// Point is one value of a line. A point whose Y is NaN or infinite is
// missing: it is not drawn and the line is broken there.
type Point struct {
	X float64
	Y float64
	// Label names X on the axis and in the mark's tooltip ("2019"); when
	// empty, LineChart.FormatX(X) is used.
	Label string
	// Origin is OriginSubmitted (filled marker), OriginImported (hollow
	// marker, dashed segment into it) or empty (filled, no data-origin).
	Origin string
	// Break marks a break in the series (a vertical tick through the point).
	Break bool
}

// Line is one series: at most two lines share a chart, told apart by colour
// and marker shape (circle, square).
type Line struct {
	Name   string
	Points []Point
}

// LineChart is a State's series over years (counts or rates, one scale per
// chart: draw two charts for two scales) or a share over dates (Step,
// YMax 100).
type LineChart struct {
	ID    string // unique in the page; prefixes the ids of <title> and <desc>
	Texts Texts
	Lines []Line
	RTL   bool // time runs from right to left, y axis on the right
	// Step draws a step line (the value holds until the next point).
	Step bool
	// MaxStep, when positive, is the largest X distance between joined
	// points (1 for yearly series: a missing year breaks the line), and the
	// x axis has a tick every MaxStep.
	MaxStep float64
	// YMax, when positive, is included in the y scale (100 for a share).
	YMax float64
	// FormatY writes values (tick labels, tooltips); FormatX writes x ticks
	// of points without a Label. Both default to strconv 'g'.
	FormatY, FormatX func(float64) string
	// Width and Height of the plot in viewBox units (default 480 × 260);
	// the legend adds rows below. The SVG scales to its container's width.
	Width, Height int
}

const markerRadius = 4.5

// SVG renders the chart; it never panics and never writes NaN or Inf.
func (c LineChart) SVG() template.HTML {
	w, h := float64(c.Width), float64(c.Height)
	if w < 200 {
		w = 480
	}
	if h < 120 {
		h = 260
	}
	fy, fx := defaultFormat(c.FormatY), defaultFormat(c.FormatX)
	s := &svg{rtl: c.RTL}

	lines := c.Lines
	if len(lines) > len(seriesColours) {
		lines = lines[:len(seriesColours)]
	}
	type kept struct {
		Point
		line int
	}
	var all []kept
	sorted := make([][]Point, len(lines))
	for i, l := range lines {
		for _, p := range l.Points {
			if finite(p.X) && finite(p.Y) {
				sorted[i] = append(sorted[i], p)
				all = append(all, kept{p, i})
			}
		}
		sort.SliceStable(sorted[i], func(a, b int) bool { return sorted[i][a].X < sorted[i][b].X })
	}
	if len(all) == 0 {
		s.open("line", c.ID, w, 3*lineHeight, c.Texts)
		s.empty(w, c.Texts)
		return s.close()
	}

	// Scales.
	minX, maxX, minY, maxY := all[0].X, all[0].X, all[0].Y, all[0].Y
	has := map[string]bool{}
	for _, p := range all {
		minX, maxX = math.Min(minX, p.X), math.Max(maxX, p.X)
		minY, maxY = math.Min(minY, p.Y), math.Max(maxY, p.Y)
		has[p.Origin] = true
		has[LegendBreak] = has[LegendBreak] || p.Break
	}
	if c.YMax > 0 && finite(c.YMax) {
		maxY = math.Max(maxY, c.YMax)
	}
	plotTop := float64(lineHeight + 8)
	plotBottom := h - 26
	if c.Texts.XAxis != "" {
		plotBottom -= lineHeight
	}
	ys := niceScale(minY, maxY, int(math.Max(3, (plotBottom-plotTop)/45)))
	ys.from, ys.to = plotBottom, plotTop
	yLabels := make([]string, len(ys.ticks))
	labelRoom := 0.0
	for i, t := range ys.ticks {
		yLabels[i] = fy(t)
		labelRoom = math.Max(labelRoom, textWidth(yLabels[i]))
	}
	// Layout in left-to-right terms; mx mirrors it for right-to-left.
	plotLeft, plotRight := labelRoom+10, w-12
	mx := func(x float64) float64 {
		if c.RTL {
			return w - x
		}
		return x
	}
	const inset = 18
	xs := scale{lo: minX, hi: maxX, from: plotLeft + inset, to: plotRight - inset}
	px := func(x float64) float64 { return mx(xs.at(x)) }

	legend := c.legendEntries(lines, has)
	total := h + float64(len(legend))*lineHeight
	if len(legend) > 0 {
		total += 6
	}
	s.open("line", c.ID, w, total, c.Texts)

	// Grid and y axis.
	s.b.WriteString(`<g class="chart-grid" aria-hidden="true">`)
	for i, t := range ys.ticks {
		y := ys.at(t)
		colour := colourGrid
		if t == 0 {
			colour = colourMuted
		}
		s.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1"/>`, num(mx(plotLeft)), num(y), num(mx(plotRight)), num(y), colour)
		side := "left"
		if c.RTL {
			side = "right"
		}
		s.number("chart-tick", mx(plotLeft-6), y+4, side, yLabels[i])
	}
	if c.Texts.YAxis != "" {
		side := "right"
		if c.RTL {
			side = "left"
		}
		s.text("chart-axis-title", mx(4), float64(lineHeight)-4, side, c.Texts.YAxis)
	}

	// X ticks: every MaxStep, or at the points.
	type tick struct {
		x     float64
		label string
	}
	var ticks []tick
	if c.MaxStep > 0 && finite(c.MaxStep) && (maxX-minX)/c.MaxStep <= 200 {
		for x := minX; x <= maxX+c.MaxStep/1e6; x += c.MaxStep {
			ticks = append(ticks, tick{x, ""})
		}
	} else {
		seen := map[float64]bool{}
		for _, p := range all {
			if !seen[p.X] {
				seen[p.X] = true
				ticks = append(ticks, tick{p.X, ""})
			}
		}
		sort.Slice(ticks, func(a, b int) bool { return ticks[a].x < ticks[b].x })
	}
	labelOf := map[float64]string{}
	for _, p := range all {
		if p.Label != "" && labelOf[p.X] == "" {
			labelOf[p.X] = p.Label
		}
	}
	widest := 0.0
	for i := range ticks {
		ticks[i].label = labelOf[ticks[i].x]
		if ticks[i].label == "" {
			ticks[i].label = fx(ticks[i].x)
		}
		widest = math.Max(widest, textWidth(ticks[i].label)+8)
	}
	every := 1
	if room := (xs.to - xs.from) / widest; room >= 1 && float64(len(ticks)) > room+1 {
		every = int(math.Ceil(float64(len(ticks)-1) / room))
	}
	s.printf(`<line class="chart-axis" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1"/>`, num(mx(plotLeft)), num(plotBottom), num(mx(plotRight)), num(plotBottom), colourMuted)
	for i, t := range ticks {
		if i%every != 0 {
			continue
		}
		s.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1"/>`, num(px(t.x)), num(plotBottom), num(px(t.x)), num(plotBottom+4), colourMuted)
		s.text("chart-tick", px(t.x), plotBottom+18, "middle", t.label)
	}
	if c.Texts.XAxis != "" {
		s.text("chart-axis-title", mx((plotLeft+plotRight)/2), plotBottom+18+lineHeight, "middle", c.Texts.XAxis)
	}
	s.b.WriteString(`</g>`)

	// Lines: solid and dashed runs, then breaks, then markers on top.
	for i, pts := range sorted {
		colour := seriesColours[i]
		var solid, dashed strings.Builder
		for j := 1; j < len(pts); j++ {
			a, b := pts[j-1], pts[j]
			if c.MaxStep > 0 && b.X-a.X > c.MaxStep*(1+1e-9) {
				continue
			}
			d := &solid
			if b.Origin == OriginImported {
				d = &dashed
			}
			d.WriteString("M" + num(px(a.X)) + " " + num(ys.at(a.Y)))
			if c.Step {
				d.WriteString("H" + num(px(b.X)))
			}
			d.WriteString("L" + num(px(b.X)) + " " + num(ys.at(b.Y)))
		}
		if solid.Len() > 0 {
			s.printf(`<path class="chart-line chart-line--%d" d="%s" fill="none" stroke="%s" stroke-width="2" stroke-linejoin="round"/>`, i+1, solid.String(), colour)
		}
		if dashed.Len() > 0 {
			s.printf(`<path class="chart-line chart-line--%d chart-line--imported" d="%s" fill="none" stroke="%s" stroke-width="2" stroke-dasharray="6 4"/>`, i+1, dashed.String(), colour)
		}
	}
	for i, pts := range sorted {
		for _, p := range pts {
			if p.Break {
				x, y := px(p.X), ys.at(p.Y)
				s.printf(`<line class="chart-break" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2.5"/>`, num(x), num(y-12), num(x), num(y+12), colourInk)
			}
		}
		for _, p := range pts {
			label := p.Label
			if label == "" {
				label = fx(p.X)
			}
			s.marker(i, px(p.X), ys.at(p.Y), p.Origin == OriginImported, func() {
				s.printf(` data-line="%d" data-x="%s" data-label="%s" data-y="%s"`, i, exact(p.X), esc(label), exact(p.Y))
				if p.Origin != "" {
					s.printf(` data-origin="%s"`, esc(p.Origin))
				}
				if p.Break {
					s.b.WriteString(` data-break="true"`)
				}
			}, strings.TrimSpace(lines[i].Name+" "+label)+": "+fy(p.Y))
		}
	}

	// Legend, one entry a row below the plot.
	for k, e := range legend {
		y := h + 6 + float64(k)*lineHeight + lineHeight/2
		g0, g1 := mx(plotLeft), mx(plotLeft+28)
		mid := (g0 + g1) / 2
		s.b.WriteString(`<g class="chart-legend">`)
		switch e.kind {
		case "line":
			s.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2"/>`, num(g0), num(y), num(g1), num(y), seriesColours[e.line])
			s.marker(e.line, mid, y, false, nil, "")
		case LegendSubmitted:
			s.marker(0, mid, y, false, nil, "")
		case LegendImported:
			s.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2" stroke-dasharray="6 4"/>`, num(g0), num(y), num(mid), num(y), colourBrand)
			s.marker(0, mid, y, true, nil, "")
		case LegendBreak:
			s.printf(`<line class="chart-break" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2.5"/>`, num(mid), num(y-8), num(mid), num(y+8), colourInk)
		}
		side := "right"
		if c.RTL {
			side = "left"
		}
		s.text("chart-legend-text", mx(plotLeft+36), y+4, side, e.text)
		s.b.WriteString(`</g>`)
	}
	return s.close()
}

// marker draws line i's marker (circle, then square), filled or hollow;
// attrs adds the data-* attributes of a plotted mark (nil in the legend).
func (s *svg) marker(i int, x, y float64, hollow bool, attrs func(), tip string) {
	colour := seriesColours[i]
	fill := colour
	class := "chart-mark"
	if attrs == nil {
		class = "chart-legend-mark"
	}
	if hollow {
		fill = colourPaper
		class += " chart-mark--hollow"
	}
	if i == 0 {
		s.printf(`<circle class="%s" cx="%s" cy="%s" r="%s"`, class, num(x), num(y), num(markerRadius))
	} else {
		r := markerRadius * 0.9
		s.printf(`<rect class="%s" x="%s" y="%s" width="%s" height="%s"`, class, num(x-r), num(y-r), num(2*r), num(2*r))
	}
	s.printf(` fill="%s" stroke="%s" stroke-width="2"`, fill, colour)
	if attrs == nil { // a legend's sample
		s.b.WriteString(` aria-hidden="true"/>`)
		return
	}
	attrs()
	s.printf(`><title>%s</title></%s>`, esc(tip), map[bool]string{true: "circle", false: "rect"}[i == 0])
}

type legendEntry struct {
	kind, text string
	line       int
}

func (c LineChart) legendEntries(lines []Line, has map[string]bool) []legendEntry {
	var out []legendEntry
	named := len(lines) > 1
	for _, l := range lines {
		named = named || l.Name != ""
	}
	if named {
		for i, l := range lines {
			out = append(out, legendEntry{"line", l.Name, i})
		}
	}
	for _, k := range []string{LegendSubmitted, LegendImported, LegendBreak} {
		if t := c.Texts.Legend[k]; t != "" && has[k] {
			out = append(out, legendEntry{k, t, 0})
		}
	}
	return out
}
