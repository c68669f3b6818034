// Package synthetic makes plausible answers to questionnaires for
// demonstrations, tests and benchmarks at scale. Statistics fills every
// cell of a statistics questionnaire for the years asked, scaled to the
// organization's population and to rates per 100,000 inhabitants of the
// order States report (Profile, from an embedded reference table), with
// the relations a reader expects between tables (victims of homicide close
// to the homicides recorded, each stage of the justice system below the
// one before, the same persons counted by sex and by age adding up to the
// same total) and every rule of the questionnaire kept. Views answers a
// questionnaire of views.
package synthetic

import (
	"cmp"
	"hash/fnv"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"portal/forms"
)

// Statistics returns a full set of figures of q for the years, for the
// organization whose code is seed, scaled to its Profile: the same seed
// and year give the same figure whatever the other years asked. The
// figures keep every rule of q (forms.Check finds nothing) and the
// relations Implausible looks for. Where a row is asked only after some
// answer (Indicator.Relevant), it gives that answer, so that every row is
// asked and filled.
//
// It knows the tables of the built-in crime-statistics questionnaire by
// their keys (docs/exports.md, "Demo and synthetic figures"); a table it
// does not know gets a count per 100,000 inhabitants drawn for the
// organization and row. For every table it reads the rules it must keep
// from q: a row part of another stays within it, a table bounded by
// another (not_above) is drawn as a share of its bound, a range bounds the
// figures, and the categories add up to the total.
func Statistics(q *forms.Questionnaire, years []int, seed string) forms.Answers {
	g := newGenerator(q, years, seed, Profile(seed))
	g.askEveryRow()
	for _, sec := range q.Sections {
		for qi := range sec.Questions {
			if qq := &sec.Questions[qi]; qq.Table != nil {
				g.table(qq)
			}
		}
	}
	return g.a
}

// askEveryRow answers the questions that the tables' rows depend on with
// the first answer each row's condition names (adding it, for a multiple
// choice), so that every row is asked.
func (g *generator) askEveryRow() {
	for _, sec := range g.q.Sections {
		for _, qq := range sec.Questions {
			if qq.Table == nil {
				continue
			}
			for _, row := range qq.Table.Rows {
				c := row.Relevant
				if c == nil || len(c.Answers) == 0 {
					continue
				}
				on, ok := g.q.Question(c.Question)
				if !ok || c.Holds(on, g.a.Values[c.Question]) {
					continue
				}
				if g.a.Values == nil {
					g.a.Values = map[string]forms.Answer{}
				}
				ans := g.a.Values[c.Question]
				if on.Kind != forms.MultipleChoice && !reflect.DeepEqual(ans, forms.Answer{}) {
					continue // answered for an earlier row: one answer asks for both only in a multiple choice
				}
				switch on.Kind {
				case forms.YesNo:
					b := c.Answers[0] == forms.AnswerYes
					ans.Bool = &b
				case forms.SingleChoice:
					ans.Choices = []string{c.Answers[0]}
				case forms.MultipleChoice:
					ans.Choices = append(ans.Choices, c.Answers[0])
				}
				g.a.Values[c.Question] = ans
			}
		}
	}
}

// sameCount names, for a table that counts the same persons as another
// broken down otherwise, that other table: its totals are the other's.
var sameCount = map[string]string{
	"persons_prosecuted_age":        "persons_prosecuted",
	"persons_convicted_age":         "persons_convicted",
	"persons_convicted_citizenship": "persons_convicted",
	"prisoners_by_age":              "prisoners_by_sex",
	"prisoners_by_status":           "prisoners_by_sex",
}

// band is a range of rates per 100,000 inhabitants a year; a State's rate
// is drawn in it (evenly on a log scale) and then scaled by how violent
// the State is (violent) or how much its police record (recorded).
type band struct {
	lo, hi            float64
	violent, recorded bool
}

// offenceRates are the offences recorded by the police, per 100,000
// inhabitants, by row of police_offences. Homicide comes from the
// profile; attempts are a multiple of it.
var offenceRates = map[string]band{
	"serious_assault":           {30, 250, true, false},
	"kidnapping":                {0.3, 4, true, false},
	"trafficking_in_persons":    {0.1, 2, false, false},
	"sexual_violence":           {15, 120, false, true},
	"robbery":                   {15, 120, true, true},
	"burglary":                  {80, 600, false, true},
	"theft":                     {400, 2500, false, true},
	"drug_possession":           {20, 300, false, true},
	"drug_trafficking":          {4, 40, false, false},
	"bribery":                   {0.5, 8, false, false},
	"money_laundering":          {0.3, 6, false, false},
	"wildlife_trafficking":      {0.05, 2, false, false},
	"offences_against_tourists": {2, 40, false, true},
}

// partShares are the share of its whole a part row takes (rape within
// sexual violence), the same in every table.
var partShares = map[string][2]float64{
	"rape":                {0.2, 0.6},
	"motor_vehicle_theft": {0.03, 0.15},
}

// suspects are the persons brought into contact with the police per
// offence recorded, by row.
var suspects = map[string][2]float64{
	"homicide":               {0.8, 1.2},
	"serious_assault":        {0.5, 0.9},
	"trafficking_in_persons": {0.8, 1.6},
	"sexual_violence":        {0.4, 0.8},
	"robbery":                {0.2, 0.45},
	"burglary":               {0.08, 0.2},
	"theft":                  {0.1, 0.25},
	"drug_trafficking":       {0.8, 1.3},
	"bribery":                {0.7, 1.5},
	"money_laundering":       {0.6, 1.4},
}

// maleShares are the share of men among the persons a row counts.
var maleShares = map[string]float64{
	"victims":                0.8,
	"homicide":               0.9,
	"serious_assault":        0.86,
	"trafficking_in_persons": 0.68,
	"sexual_violence":        0.97,
	"rape":                   0.98,
	"robbery":                0.91,
	"burglary":               0.9,
	"theft":                  0.76,
	"drug_trafficking":       0.88,
	"bribery":                0.8,
	"money_laundering":       0.74,
	"all_offences":           0.82,
	"all_prisoners":          0.94,
}

type generator struct {
	q      *forms.Questionnaire
	years  []int
	st     State
	seed   string
	a      forms.Answers
	cols   map[string][]string // columns of each table generated so far
	bounds map[string]string   // table → the table bounding it (not_above)
	ranges map[string][2]float64
	// recorded scales the offences the police record; violent the violent
	// ones, with the State's homicide rate.
	recorded, violent float64
}

func newGenerator(q *forms.Questionnaire, years []int, seed string, st State) *generator {
	g := &generator{q: q, years: years, st: st, seed: seed, a: forms.Answers{Cells: map[forms.CellRef]forms.Cell{}},
		cols: map[string][]string{}, bounds: map[string]string{}, ranges: map[string][2]float64{}}
	for _, r := range q.Rules {
		switch r.Kind {
		case forms.RuleNotAbove:
			if _, ok := g.bounds[r.Question]; !ok && len(r.Rows) == 0 {
				g.bounds[r.Question] = r.Bound
			}
		case forms.RuleRange:
			lo, hi := math.Inf(-1), math.Inf(1)
			if rg, ok := g.ranges[r.Question]; ok {
				lo, hi = rg[0], rg[1]
			}
			if r.Min != nil {
				lo = max(lo, *r.Min)
			}
			if r.Max != nil {
				hi = min(hi, *r.Max)
			}
			g.ranges[r.Question] = [2]float64{lo, hi}
		}
	}
	g.recorded = g.logBetween(0.6, 1.6, "recorded")
	g.violent = min(max(math.Pow(st.HomicideRate/2, 0.3), 0.4), 2.5)
	return g
}

// table draws every cell of a table.
func (g *generator) table(qq *forms.Question) {
	cols := g.q.Columns(qq.Table)
	g.cols[qq.Key] = cols
	parts := len(cols) - 1
	for _, row := range qq.Table.Rows {
		for _, y := range g.years {
			total, weights := g.figure(qq, row, y, cols)
			if rg, ok := g.ranges[qq.Key]; ok {
				total = int64(min(max(float64(total), math.Ceil(rg[0])), math.Floor(rg[1])))
			}
			caps := g.caps(qq, row, y, cols)
			ref := forms.CellRef{Question: qq.Key, Row: row.Key, Year: y}
			if parts == 0 {
				if caps != nil {
					total = min(total, caps[0])
				}
				ref.Category = forms.TotalCategory
				g.a.Cells[ref] = forms.Cell{State: forms.CellValue, Value: total}
				continue
			}
			var sum int64
			for i, v := range apportion(total, weights, caps) {
				ref.Category = cols[i]
				g.a.Cells[ref] = forms.Cell{State: forms.CellValue, Value: v}
				sum += v
			}
			ref.Category = forms.TotalCategory
			g.a.Cells[ref] = forms.Cell{State: forms.CellValue, Value: sum}
		}
	}
}

// figure is the total the model gives a row in a year, and the weights of
// the table's categories (nil for a table with a total only).
func (g *generator) figure(qq *forms.Question, row forms.Indicator, y int, cols []string) (int64, []float64) {
	table, key := qq.Key, row.Key
	weights := func() []float64 { return g.shares(qq, key, y, cols[:len(cols)-1]) }
	if src, ok := sameCount[table]; ok {
		if v, ok := g.total(src, key, y); ok {
			return v, weights()
		}
	}
	if b, ok := g.bounds[table]; ok {
		if cells, ok := g.row(b, key, y); ok {
			// the same persons, a stage further: the bound's make-up, a share of its total
			total := count(float64(cells[len(cells)-1]) * g.stage(table, key, y))
			if len(cells) == len(cols) {
				w := make([]float64, len(cols)-1)
				for i := range w {
					w[i] = float64(cells[i])
				}
				return total, w
			}
			return total, weights()
		}
	}
	perCapita := g.population(y) / 100_000
	if row.PartOf != "" {
		if whole, ok := g.total(table, row.PartOf, y); ok {
			sh := partShares[key]
			if sh == [2]float64{} {
				sh = [2]float64{0.1, 0.5}
			}
			return count(float64(whole) * g.between(sh[0], sh[1], "part", key) * g.noise(0.02, y, "part", key)), weights()
		}
	}
	switch table {
	case "population_by_year":
		return count(g.population(y)), weights()
	case "police_offences":
		return count(g.offenceRate(key, y) * perCapita), nil
	case "homicide_victims":
		if h, ok := g.total("police_offences", "homicide", y); ok {
			return count(float64(h) * g.between(0.98, 1.1, "victims") * g.noise(0.015, y, "victims")), weights()
		}
	case "persons_contact":
		if strings.HasPrefix(key, "all_") {
			var sum int64
			for _, r := range qq.Table.Rows {
				if r.Key != key && r.PartOf == "" {
					if v, ok := g.total(table, r.Key, y); ok {
						sum += v
					}
				}
			}
			return count(float64(sum) * g.between(1.8, 3, "all", table) * g.noise(0.02, y, "all", table)), weights()
		}
		if off, ok := g.total("police_offences", key, y); ok {
			s := suspects[key]
			if s == [2]float64{} {
				s = [2]float64{0.3, 0.9}
			}
			return count(float64(off) * g.between(s[0], s[1], "suspects", key) * g.noise(0.03, y, "suspects", key)), weights()
		}
	case "prisoners_by_sex":
		rate := g.st.PrisonRate * g.between(0.9, 1.1, "prisoners") * g.trend(0.015, y, "prisoners")
		return count(rate * perCapita), weights()
	case "prison_capacity":
		if p, ok := g.total("prisoners_by_sex", "all_prisoners", y); ok {
			return count(float64(p) * g.between(0.8, 1.35, "capacity") * g.noise(0.02, y, "capacity")), nil
		}
	}
	rate := g.logBetween(5, 500, "rate", table, key) * g.trend(0.02, y, table, key)
	return count(rate * perCapita), weights()
}

// offenceRate is the State's rate of an offence per 100,000 inhabitants in
// a year.
func (g *generator) offenceRate(key string, y int) float64 {
	homicide := g.st.HomicideRate * g.between(0.9, 1.1, "homicide") * g.trend(0.015, y, "homicide")
	switch key {
	case "homicide":
		return homicide
	case "attempted_homicide":
		return homicide * g.between(0.8, 2.5, "attempts") * g.noise(0.04, y, "attempts")
	}
	b, ok := offenceRates[key]
	if !ok {
		b = band{lo: 5, hi: 500}
	}
	rate := g.logBetween(b.lo, b.hi, "offence", key) * g.trend(0.02, y, "offence", key)
	if b.violent {
		rate *= g.violent
	}
	if b.recorded {
		rate *= g.recorded
	}
	return rate
}

// stage is the share of a stage's persons that reach the next: the
// prosecuted of those in contact with the police, the convicted of the
// prosecuted.
func (g *generator) stage(table, row string, y int) float64 {
	lo, hi := 0.5, 0.9
	switch {
	case strings.Contains(table, "prosecuted"):
		lo, hi = 0.45, 0.85
	case strings.Contains(table, "convicted"):
		lo, hi = 0.55, 0.9
	}
	s := g.between(lo, hi, "stage", table) * g.between(0.9, 1.1, "stage", table, row) * g.noise(0.03, y, "stage", table, row)
	return min(s, 1)
}

// shares are the weights of a table's categories for a row: by sex, age,
// citizenship or sentence, with a small unknown part.
func (g *generator) shares(qq *forms.Question, row string, y int, cats []string) []float64 {
	if len(cats) == 0 {
		return nil
	}
	prisons := strings.HasPrefix(qq.Key, "prison")
	var first float64 // the first known category's share of the known
	switch qq.Table.Disaggregation {
	case "sex":
		m, ok := maleShares[row]
		if !ok {
			m = 0.8
		}
		first = m + g.between(-0.04, 0.04, "sex", qq.Key, row)
	case "age":
		// the same share among the prosecuted and the convicted
		juveniles := g.between(0.03, 0.12, "juveniles")
		if prisons {
			juveniles = g.between(0.003, 0.03, "juveniles in prison")
		}
		first = 1 - juveniles
	case "citizenship":
		first = 1 - g.between(0.05, 0.35, "foreign")
	case "sentence":
		first = 1 - g.between(0.15, 0.5, "unsentenced")
	default:
		return categoryShares(len(cats))
	}
	first = min(max(first, 0.01), 0.99)
	// a little change from year to year, relative to the smaller part
	first += min(first, 1-first) * g.between(-0.05, 0.05, "share", qq.Key, row, strconv.Itoa(y))
	unknown := g.between(0, 0.015, "unknown", qq.Key)
	if prisons && qq.Table.Disaggregation == "sex" {
		unknown /= 10 // a prison knows whom it holds
	}
	known := 0
	for _, c := range cats {
		if c != "unknown" {
			known++
		}
	}
	if known != 2 {
		return categoryShares(len(cats))
	}
	out := make([]float64, len(cats))
	seen := 0
	for i, c := range cats {
		switch {
		case c == "unknown":
			out[i] = unknown
		case seen == 0:
			out[i], seen = first*(1-unknown), 1
		default:
			out[i] = (1 - first) * (1 - unknown)
		}
	}
	return out
}

// caps are the most each category of a row may hold in a year (a nil
// slice: no limit), by the rules of q: the row's whole in the same table,
// and the bounding table's same row. The last element is the total's.
func (g *generator) caps(qq *forms.Question, row forms.Indicator, y int, cols []string) []int64 {
	var caps []int64
	limit := func(table, key string) {
		cells, ok := g.row(table, key, y)
		if !ok {
			return
		}
		bcols := g.cols[table]
		if caps == nil {
			caps = make([]int64, len(cols))
			for i := range caps {
				caps[i] = math.MaxInt64
			}
		}
		for i, c := range cols {
			if j := slices.Index(bcols, c); j >= 0 {
				caps[i] = min(caps[i], cells[j])
			}
		}
	}
	if row.PartOf != "" {
		limit(qq.Key, row.PartOf)
	}
	if b, ok := g.bounds[qq.Key]; ok {
		limit(b, row.Key)
	}
	if caps == nil || len(cols) == 1 {
		return caps
	}
	return caps[:len(cols)-1]
}

// row returns the cells of a row drawn already, in its table's column
// order.
func (g *generator) row(table, key string, y int) ([]int64, bool) {
	cols, ok := g.cols[table]
	if !ok {
		return nil, false
	}
	out := make([]int64, len(cols))
	for i, c := range cols {
		cell, ok := g.a.Cells[forms.CellRef{Question: table, Row: key, Year: y, Category: c}]
		if !ok {
			return nil, false
		}
		out[i] = cell.Value
	}
	return out, true
}

// total returns the total of a row drawn already.
func (g *generator) total(table, key string, y int) (int64, bool) {
	c, ok := g.a.Cells[forms.CellRef{Question: table, Row: key, Year: y, Category: forms.TotalCategory}]
	return c.Value, ok
}

// population is the State's population in a year, growing from the
// reference year's at the State's own pace.
func (g *generator) population(y int) float64 {
	growth := g.between(-0.006, 0.025, "growth")
	return float64(g.st.Population) * math.Pow(1+growth, float64(y-ReferenceYear))
}

// trend is a factor for a year: a steady change of up to ±perYear a year
// from the reference year, drawn for the key, and a little noise.
func (g *generator) trend(perYear float64, y int, key ...string) float64 {
	t := g.between(-perYear, perYear, append([]string{"trend"}, key...)...)
	return math.Pow(1+t, float64(y-ReferenceYear)) * g.noise(0.04, y, key...)
}

// noise is a factor from 1-width to 1+width, drawn afresh for each key and
// year.
func (g *generator) noise(width float64, y int, key ...string) float64 {
	return 1 + g.between(-width, width, append([]string{"noise", strconv.Itoa(y)}, key...)...)
}

// between draws a number from lo to hi for the organization and key: the
// same key, the same number.
func (g *generator) between(lo, hi float64, key ...string) float64 {
	return lo + (hi-lo)*g.uniform(key)
}

// logBetween draws a number from lo to hi, evenly on a log scale.
func (g *generator) logBetween(lo, hi float64, key ...string) float64 {
	return lo * math.Pow(hi/lo, g.uniform(key))
}

// uniform is a number in [0, 1) from a hash of the seed and the key.
func (g *generator) uniform(key []string) float64 {
	h := fnv.New64a()
	h.Write([]byte(g.seed))
	var sep [1]byte
	for _, k := range key {
		h.Write(sep[:])
		h.Write([]byte(k))
	}
	x := h.Sum64()
	// splitmix64's finalizer spreads FNV's close hashes of close keys
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return float64(x>>11) / (1 << 53)
}

// count rounds a figure to a count of 0 or more.
func count(x float64) int64 {
	if !(x > 0) {
		return 0
	}
	return int64(math.Round(x))
}

// apportion splits total into parts in proportion to weights (largest
// remainders, so the parts add up to total exactly), none above its cap
// (caps nil: no caps). A total above the caps' sum is lowered to it.
func apportion(total int64, weights []float64, caps []int64) []int64 {
	n := len(weights)
	out := make([]int64, n)
	if n == 0 {
		return out
	}
	if caps != nil {
		var room int64
		for _, c := range caps {
			room = satAdd(room, c)
		}
		total = min(total, room)
	}
	var sum float64
	for _, w := range weights {
		sum += max(w, 0)
	}
	w := slices.Clone(weights)
	for i := range w {
		if sum > 0 {
			w[i] = max(w[i], 0) / sum
		} else {
			w[i] = 1 / float64(n)
		}
	}
	rem := make([]float64, n)
	var given int64
	for i := range out {
		exact := float64(total) * w[i]
		out[i] = int64(math.Floor(exact))
		rem[i] = exact - float64(out[i])
		given += out[i]
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(rem[b], rem[a]) })
	for k := 0; given < total; k++ {
		out[order[k%n]]++
		given++
	}
	for given > total { // floating point gave too much
		for i := range out {
			if out[i] > 0 && given > total {
				out[i]--
				given--
			}
		}
	}
	if caps == nil {
		return out
	}
	var excess int64
	for i := range out {
		if out[i] > caps[i] {
			excess += out[i] - caps[i]
			out[i] = caps[i]
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(w[b], w[a]) })
	for _, i := range order {
		take := min(caps[i]-out[i], excess)
		out[i] += take
		excess -= take
	}
	return out
}

func satAdd(a, b int64) int64 {
	if s := a + b; s >= a {
		return s
	}
	return math.MaxInt64
}

// categoryShares are the shares of n categories when the table's breakdown
// is not one the model knows: most in the first, some in the second, a
// little in the rest.
func categoryShares(n int) []float64 {
	switch n {
	case 0:
		return nil
	case 1:
		return []float64{1}
	}
	out := make([]float64, n)
	out[0] = 0.78
	out[1] = 0.18
	for i := 2; i < n; i++ {
		out[i] = 0.04 / float64(n-2)
	}
	return out
}
