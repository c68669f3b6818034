// Package charts draws small, accessible, printable charts as inline SVG on
// the server: no script, no style attributes (the portal's CSP has
// style-src 'self', which blocks them), only SVG presentation attributes and
// the chart classes of templates/static/portal.css.
//
// Every text comes from the caller, already translated; numbers are written
// with the caller's formatter. Text is never measured: the browser lays out
// Arabic and Chinese with the page's fonts, so labels sit on rows of their own
// or beside an edge, never in a box sized from a guessed width. Each plotted
// mark carries its exact value in data-* attributes (strconv 'g', -1).
//
// Marks are told apart without colour: filled and hollow markers, dashed
// segments, marker shapes and ticks, each named in the legend. Colours have a
// contrast of at least 3:1 against white (WCAG 1.4.11).
package charts

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Origins of a point, as Point.Origin.
const (
	OriginSubmitted = "submitted"
	OriginImported  = "imported"
)

// Legend keys of Texts.Legend for a LineChart.
const (
	LegendSubmitted = OriginSubmitted
	LegendImported  = OriginImported
	LegendBreak     = "break"
)

// Texts are the translated words of a chart. Title and Summary become the
// SVG's <title> and <desc> (what a screen reader announces); Summary is also
// shown in the chart when there is nothing to plot.
type Texts struct {
	Title, Summary string
	XAxis, YAxis   string
	// Legend names the kinds of mark: for a LineChart the keys
	// LegendSubmitted, LegendImported and LegendBreak. An entry is shown
	// only when its text is given and the chart has such a mark.
	Legend map[string]string
}

// Palette: each at least 3:1 against white (tested).
const (
	colourInk    = "#1b1b1b"
	colourMuted  = "#4a4a4a"
	colourGrid   = "#c4ccd4" // decorative: the tick labels carry the values
	colourBrand  = "#00558c"
	colourSecond = "#b35900"
	colourPaper  = "#ffffff"
)

// seriesColours colour a LineChart's lines in order.
var seriesColours = [...]string{colourBrand, colourSecond}

const (
	fontSize   = 13
	lineHeight = 20
	charWidth  = 0.62 * fontSize // an upper estimate for digits and separators only
)

// svg accumulates the markup of one chart.
type svg struct {
	b   strings.Builder
	rtl bool
}

func (s *svg) printf(format string, args ...any) { fmt.Fprintf(&s.b, format, args...) }

// open writes the root element with its title and description.
func (s *svg) open(kind, id string, width, height float64, t Texts) {
	id = cleanID(id)
	s.printf(`<svg xmlns="http://www.w3.org/2000/svg" class="chart chart--%s" id="%s" viewBox="0 0 %s %s" width="100%%" preserveAspectRatio="xMidYMid meet" role="img" aria-labelledby="%s-title %s-desc" font-size="%d">`,
		kind, id, num(width), num(height), id, id, fontSize)
	s.printf(`<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, esc(t.Title), id, esc(t.Summary))
}

func (s *svg) close() template.HTML {
	s.b.WriteString(`</svg>`)
	return template.HTML(s.b.String()) // #nosec: every text went through esc
}

// text writes a label in the chart's direction. side is where the text
// lies from x, seen on screen: "left", "right" or "middle".
func (s *svg) text(class string, x, y float64, side, body string) {
	dir := "ltr"
	if s.rtl {
		dir = "rtl"
	}
	s.printf(`<text class="%s" x="%s" y="%s" direction="%s" text-anchor="%s" fill="%s">%s</text>`,
		class, num(x), num(y), dir, anchor(side, dir == "rtl"), colourInk, esc(body))
}

// number writes a formatted number: always left to right, isolated from the
// text around it, whatever the page's direction.
func (s *svg) number(class string, x, y float64, side, body string) {
	s.printf(`<text class="%s" x="%s" y="%s" direction="ltr" unicode-bidi="isolate" text-anchor="%s" fill="%s">%s</text>`,
		class, num(x), num(y), anchor(side, false), colourInk, esc(body))
}

// anchor turns a visual side into SVG's text-anchor, which follows the
// text's direction: "start" is the right end of right-to-left text.
func anchor(side string, rtl bool) string {
	switch {
	case side == "middle":
		return "middle"
	case (side == "right") != rtl:
		return "start"
	default:
		return "end"
	}
}

// empty writes the chart's summary in place of a plot.
func (s *svg) empty(width float64, t Texts) {
	s.printf(`<rect class="chart-frame" x="0.5" y="0.5" width="%s" height="%s" fill="none" stroke="%s"/>`, num(width-1), num(3*lineHeight-1), colourGrid)
	s.text("chart-empty", width/2, 1.8*lineHeight, "middle", t.Summary)
}

// esc escapes a text for XML and drops the characters XML 1.0 forbids.
func esc(v string) string {
	v = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || r >= 0x10000 && r <= 0x10FFFF {
			return r
		}
		return -1
	}, strings.ToValidUTF8(v, ""))
	return template.HTMLEscapeString(v)
}

// cleanID keeps an id to letters, digits, '-' and '_'.
func cleanID(id string) string {
	id = strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return -1
	}, id)
	if id == "" || id[0] < 'A' {
		id = "chart" + id
	}
	return id
}

// num writes a coordinate with at most two decimals.
func num(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	s := strconv.FormatFloat(v, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		s = "0"
	}
	return s
}

// exact writes a value as data-* attributes carry it.
func exact(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// textWidth estimates the width of a short formatted number or date, to
// reserve room and space ticks; words are never fitted to it.
func textWidth(s string) float64 {
	w := 4.0
	for _, r := range s {
		if r >= 0x2E80 {
			w += fontSize // ideographs are a full em wide
		} else {
			w += charWidth
		}
	}
	return w
}

// scale is a linear map from a domain onto pixels, with "nice" ticks.
type scale struct {
	lo, hi     float64 // domain
	from, to   float64 // pixels for lo and hi
	ticks      []float64
	tickDigits int
}

func (s scale) at(v float64) float64 {
	if s.hi == s.lo {
		return (s.from + s.to) / 2
	}
	return s.from + (v-s.lo)/(s.hi-s.lo)*(s.to-s.from)
}

// niceScale covers [min, max], widened to include 0, with about n ticks at
// 1, 2, 2.5 or 5 times a power of ten.
func niceScale(min, max float64, n int) scale {
	if min > 0 {
		min = 0
	}
	if max < 0 {
		max = 0
	}
	if max == min {
		max = min + 1
	}
	raw := (max - min) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	digits := 0
	if d := -math.Floor(math.Log10(step)); d > 0 {
		digits = int(d) + 1
	}
	round := func(v float64) float64 {
		p := math.Pow(10, float64(digits))
		return math.Round(v*p) / p
	}
	s := scale{lo: round(math.Floor(min/step+1e-9) * step), hi: round(math.Ceil(max/step-1e-9) * step), tickDigits: digits}
	for i := 0; ; i++ {
		v := round(s.lo + float64(i)*step)
		if v > s.hi+step/2 {
			break
		}
		s.ticks = append(s.ticks, v)
	}
	return s
}

func defaultFormat(f func(float64) string) func(float64) string {
	if f != nil {
		return f
	}
	return func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
}
