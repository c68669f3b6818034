package charts

import (
	"html/template"
	"math"
)

// Bar is one row of a BarChart. A Value that is NaN or infinite draws the
// label (and Note) without a bar.
type Bar struct {
	Label string
	Value float64
	// Second, when set, is a second value drawn as a tick across the bar
	// (a median beside a pooled rate).
	Second *float64
	// Note is a short text after the label ("imported", "n = 12").
	Note string
}

// BarChart compares one value across regions, groups or States: a
// horizontal bar a row, the label on its own line above the bar (so that
// long translated names never have to fit a measured box), the formatted
// value at the bar's end.
type BarChart struct {
	ID    string
	Texts Texts // XAxis names the value axis; YAxis heads the labels
	Bars  []Bar
	// ValueName and SecondName name the bar and the second mark in the
	// legend, shown when some bar has a Second.
	ValueName, SecondName string
	RTL                   bool // bars grow to the left, labels on the right
	Format                func(float64) string
	Width                 int // viewBox width, default 480
}

const (
	barRow    = 44
	barHeight = 14
)

// SVG renders the chart; it never panics and never writes NaN or Inf.
func (c BarChart) SVG() template.HTML {
	w := float64(c.Width)
	if w < 200 {
		w = 480
	}
	f := defaultFormat(c.Format)
	s := &svg{rtl: c.RTL}
	mx := func(x float64) float64 {
		if c.RTL {
			return w - x
		}
		return x
	}

	lo, hi, values, seconds := 0.0, 0.0, false, false
	valueRoom := 0.0
	for _, b := range c.Bars {
		if finite(b.Value) {
			values = true
			lo, hi = math.Min(lo, b.Value), math.Max(hi, b.Value)
			valueRoom = math.Max(valueRoom, textWidth(f(b.Value)))
		}
		if b.Second != nil && finite(*b.Second) {
			seconds = true
			lo, hi = math.Min(lo, *b.Second), math.Max(hi, *b.Second)
		}
	}
	if !values && !seconds {
		s.open("bar", c.ID, w, 3*lineHeight, c.Texts)
		s.empty(w, c.Texts)
		return s.close()
	}

	top := 4.0
	if c.Texts.YAxis != "" {
		top += lineHeight
	}
	plotLeft, plotRight := 8.0, w-valueRoom-14
	xs := niceScale(lo, hi, int(math.Max(2, (plotRight-plotLeft)/80)))
	xs.from, xs.to = plotLeft, plotRight
	bottom := top + float64(len(c.Bars))*barRow
	legendRows := 0
	if seconds && c.SecondName != "" {
		legendRows = 1
		if c.ValueName != "" {
			legendRows = 2
		}
	}
	total := bottom + 24
	if c.Texts.XAxis != "" {
		total += lineHeight
	}
	legendTop := total
	total += float64(legendRows) * lineHeight
	s.open("bar", c.ID, w, total, c.Texts)

	nearSide := "right" // text beside a point, on the side bars grow to
	if c.RTL {
		nearSide = "left"
	}

	s.b.WriteString(`<g class="chart-grid" aria-hidden="true">`)
	for _, t := range xs.ticks {
		x := mx(xs.at(t))
		colour := colourGrid
		if t == 0 {
			colour = colourMuted
		}
		s.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1"/>`, num(x), num(top+16), num(x), num(bottom+4), colour)
		s.number("chart-tick", x, bottom+18, "middle", f(t))
	}
	if c.Texts.XAxis != "" {
		s.text("chart-axis-title", mx((plotLeft+plotRight)/2), bottom+18+lineHeight, "middle", c.Texts.XAxis)
	}
	if c.Texts.YAxis != "" {
		s.text("chart-axis-title", mx(plotLeft), float64(lineHeight)-4, nearSide, c.Texts.YAxis)
	}
	s.b.WriteString(`</g>`)

	zero := xs.at(0)
	for i, b := range c.Bars {
		row := top + float64(i)*barRow
		s.b.WriteString(`<g class="chart-row">`)
		label := b.Label
		if b.Note != "" {
			label += " · " + b.Note
		}
		s.text("chart-label", mx(plotLeft), row+14, nearSide, label)
		y := row + 20
		end := zero
		if finite(b.Value) {
			v := xs.at(b.Value)
			x0, x1 := math.Min(zero, v), math.Max(zero, v)
			if c.RTL {
				x0, x1 = w-x1, w-x0
			}
			s.printf(`<rect class="chart-bar" x="%s" y="%s" width="%s" height="%d" fill="%s" data-label="%s" data-value="%s"`,
				num(x0), num(y), num(x1-x0), barHeight, colourBrand, esc(b.Label), exact(b.Value))
			if b.Note != "" {
				s.printf(` data-note="%s"`, esc(b.Note))
			}
			s.printf(`><title>%s: %s</title></rect>`, esc(b.Label), esc(f(b.Value)))
			end = math.Max(end, v)
		}
		if b.Second != nil && finite(*b.Second) {
			x := mx(xs.at(*b.Second))
			s.printf(`<line class="chart-second-halo" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="6" aria-hidden="true"/>`, num(x), num(y-5), num(x), num(y+barHeight+5), colourPaper)
			s.printf(`<line class="chart-second" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="3" data-label="%s" data-value="%s"><title>%s: %s</title></line>`,
				num(x), num(y-4), num(x), num(y+barHeight+4), colourInk, esc(b.Label), exact(*b.Second), esc(c.SecondName), esc(f(*b.Second)))
			end = math.Max(end, xs.at(*b.Second))
		}
		if finite(b.Value) {
			s.number("chart-value", mx(end+6), y+barHeight-2, nearSide, f(b.Value))
		}
		s.b.WriteString(`</g>`)
	}

	if legendRows > 0 {
		y := legendTop + lineHeight/2
		s.b.WriteString(`<g class="chart-legend">`)
		if c.ValueName != "" {
			x0, x1 := mx(plotLeft), mx(plotLeft+28)
			s.printf(`<rect x="%s" y="%s" width="28" height="%d" fill="%s"/>`, num(math.Min(x0, x1)), num(y-barHeight/2), barHeight, colourBrand)
			s.text("chart-legend-text", mx(plotLeft+36), y+4, nearSide, c.ValueName)
			y += lineHeight
		}
		x := mx(plotLeft + 14)
		s.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="3"/>`, num(x), num(y-9), num(x), num(y+9), colourInk)
		s.text("chart-legend-text", mx(plotLeft+36), y+4, nearSide, c.SecondName)
		s.b.WriteString(`</g>`)
	}
	return s.close()
}
