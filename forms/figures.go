package forms

import (
	"cmp"
	"slices"
	"strconv"
	"time"
)

// Figures across calls and imports: each State's figure of a series by
// year, from every submission and every import of past data, with where it
// came from. Where several sources give the same area and year, the
// latest accepted submission counts, then the latest submitted one (when
// submitted ones are included), then the latest import; the others are
// kept as history. A State without a figure of its own whose parts cover
// it (England and Wales, Scotland and Northern Ireland cover the United
// Kingdom) gets the sum of its parts' figures (SumParts).

// Origin says where a figure comes from.
type Origin string

// The origins of a figure.
const (
	OriginAccepted  Origin = "accepted"  // an accepted submission
	OriginSubmitted Origin = "submitted" // a submission not yet accepted
	OriginImported  Origin = "imported"  // an import of past series
	OriginParts     Origin = "parts"     // the sum of the parts of a State
)

// AreaKind says what an area is.
type AreaKind string

// The kinds of area a figure is of.
const (
	AreaState     AreaKind = "state"     // a State (or an organization) of the directory
	AreaPart      AreaKind = "part"      // a part of a State (GBR_E_W)
	AreaTerritory AreaKind = "territory" // a territory that is not a State
)

// Area is what a figure is of: a State, a part of one, or a territory.
type Area struct {
	Code  string // ISO 3166-1 alpha-3, or the Office's code of a part (GBR_E_W)
	Kind  AreaKind
	Name  Names
	State string // the State of a part
	// Covers: the part is one of those that together cover its State.
	Covers bool
	// Where a State or territory lies (M49 codes), and a State's UN
	// regional groups.
	Region, Subregion string
	Groups            []string
	Member            bool // a UN Member State
}

// SeriesSource is a questionnaire cell that holds a series.
type SeriesSource struct {
	Questionnaire           string
	Version                 int
	Question, Row, Category string
	Code                    string
}

// SeriesSources lists the cells of the questionnaires that hold the
// series codes (repeated totals left out: their figure is another
// table's).
func SeriesSources(qs []*Questionnaire, codes ...string) []SeriesSource {
	want := map[string]bool{}
	for _, c := range codes {
		want[c] = true
	}
	var out []SeriesSource
	for _, q := range qs {
		for _, c := range q.SeriesCells() {
			if want[c.Code] && !c.Repeat {
				out = append(out, SeriesSource{q.Key, q.Version, c.Question, c.Row, c.Category, c.Code})
			}
		}
	}
	return out
}

// SeriesQuery selects figures.
type SeriesQuery struct {
	Codes   []string
	Sources []SeriesSource // the cells holding them: SeriesSources
	Areas   []string       // nil for every area
	// IncludeSubmitted counts submissions not yet accepted too.
	IncludeSubmitted bool
	// History gives the figures that do not count too (Current false).
	History bool
	// Years keeps the figures of these years only; nil for every year.
	Years []int
	// ExceptCall leaves out the submissions to the call with this key:
	// what counts where that call's submissions give nothing.
	ExceptCall string
}

// Figure is one figure of a series: an area's value for a year, and
// where it comes from.
type Figure struct {
	Series   string
	Area     string
	Year     int
	Value    float64
	Exact    string // the value as stored: "1234", or "1234.56" for an estimate
	Estimate bool   // not a whole number: an adjusted estimate, kept as given
	Origin   Origin
	// Reference is the receipt of the submission or the reference of the
	// import (several, for a sum of parts); Call the submission's call.
	Reference, Call string
	Source          string // what the import says the figure's source is
	At              time.Time
	// Current: the figure that counts for the area and year; the others
	// are history.
	Current bool
	Break   bool // set by MarkBreaks
}

// SumParts adds, for each series and year, a current figure for each State
// that has none of its own but whose covering parts all have one: their
// sum, of origin OriginParts. figures are sorted by series, area and
// year; so is the result.
func SumParts(figures []Figure, areas map[string]Area) []Figure {
	covering := map[string]int{} // State -> how many parts cover it
	for _, a := range areas {
		if a.Kind == AreaPart && a.Covers {
			covering[a.State]++
		}
	}
	if len(covering) == 0 {
		return figures
	}
	type key struct {
		series, state string
		year          int
	}
	type sum struct {
		parts    int
		value    float64
		estimate bool
		refs     []string
	}
	has := map[key]bool{}
	sums := map[key]*sum{}
	for _, f := range figures {
		if !f.Current {
			continue
		}
		a := areas[f.Area]
		if a.Kind == AreaPart && a.Covers {
			k := key{f.Series, a.State, f.Year}
			s := sums[k]
			if s == nil {
				s = &sum{}
				sums[k] = s
			}
			s.parts++
			s.value += f.Value
			s.estimate = s.estimate || f.Estimate
			if !slices.Contains(s.refs, f.Reference) {
				s.refs = append(s.refs, f.Reference)
			}
			continue
		}
		has[key{f.Series, f.Area, f.Year}] = true
	}
	out := figures
	for k, s := range sums {
		if has[k] || s.parts != covering[k.state] {
			continue
		}
		slices.Sort(s.refs)
		ref := ""
		for i, r := range s.refs {
			if i > 0 {
				ref += " "
			}
			ref += r
		}
		out = append(out, Figure{Series: k.series, Area: k.state, Year: k.year, Value: s.value, Exact: formatExact(s.value),
			Estimate: s.estimate, Origin: OriginParts, Reference: ref, Current: true})
	}
	SortFigures(out)
	return out
}

// SortFigures orders figures by series, area, year, the current first.
func SortFigures(fs []Figure) {
	slices.SortStableFunc(fs, func(a, b Figure) int {
		return cmp.Or(cmp.Compare(a.Series, b.Series), cmp.Compare(a.Area, b.Area), cmp.Compare(a.Year, b.Year),
			-cmp.Compare(boolInt(a.Current), boolInt(b.Current)))
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func formatExact(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// PopulationUsed is the population a rate was computed with, and where it
// comes from: the State's own figure (series population/total, submitted
// or imported), else the Office's population table.
type PopulationUsed struct {
	Value     int64
	Origin    string // PopulationReported or PopulationOffice
	Source    string // the Office table's source ("UN WPP 2024, Medium"), or the figure's reference
	Reference string
}

// PopulationKey finds a population by area and year.
type PopulationKey struct {
	Area string
	Year int
}

// PopulationSeries is the series of the resident population.
const PopulationSeries = "population/total"

// RatePer100k is value per 100,000 inhabitants, and false without a
// population.
func RatePer100k(value float64, pop int64) (float64, bool) {
	if pop <= 0 {
		return 0, false
	}
	return value * 100000 / float64(pop), true
}

// AggregateKind says what a row of aggregates is over.
type AggregateKind string

// The kinds of aggregate.
const (
	AggregateWorld     AggregateKind = "world"
	AggregateRegion    AggregateKind = "region"    // an M49 region
	AggregateSubregion AggregateKind = "subregion" // an M49 sub-region
	AggregateGroup     AggregateKind = "group"     // a UN regional group
)

// SeriesAggregate is a series over a set of Member States for a year:
// how many reported it of how many there are, their sum, the median of
// their rates and the pooled rate (the sum of their counts over the sum of
// their populations, of those with a population).
type SeriesAggregate struct {
	Kind               AggregateKind
	Code               string // the region's, sub-region's or group's code; "" for the world
	Year               int
	Reporting, Members int
	Sum                float64
	Rated              int // reporting States with a population
	MedianRate         float64
	PooledRate         float64
}

// AggregateFigures computes a series' aggregates for each year over the
// world, each M49 region and sub-region and each UN regional group, from
// the current figures of Member States (sums of parts included; parts
// and territories themselves left out). Rows come world first, then
// regions, sub-regions and groups in the order of their codes' first
// appearance in order, then by year.
func AggregateFigures(figures []Figure, areas map[string]Area, pops map[PopulationKey]PopulationUsed, years []int, order []string) []SeriesAggregate {
	type set struct {
		kind AggregateKind
		code string
	}
	members := map[set][]string{}
	var sets []set
	add := func(s set, state string) {
		if _, ok := members[s]; !ok {
			sets = append(sets, s)
		}
		members[s] = append(members[s], state)
	}
	var states []string
	for code, a := range areas {
		if a.Kind == AreaState && a.Member {
			states = append(states, code)
		}
	}
	slices.Sort(states)
	for _, code := range states {
		a := areas[code]
		add(set{AggregateWorld, ""}, code)
		if a.Region != "" {
			add(set{AggregateRegion, a.Region}, code)
		}
		if a.Subregion != "" {
			add(set{AggregateSubregion, a.Subregion}, code)
		}
		for _, g := range a.Groups {
			add(set{AggregateGroup, g}, code)
		}
	}
	pos := map[string]int{}
	for i, c := range order {
		pos[c] = i
	}
	kindPos := map[AggregateKind]int{AggregateWorld: 0, AggregateRegion: 1, AggregateSubregion: 2, AggregateGroup: 3}
	slices.SortFunc(sets, func(a, b set) int {
		return cmp.Or(cmp.Compare(kindPos[a.kind], kindPos[b.kind]), cmp.Compare(pos[a.code], pos[b.code]), cmp.Compare(a.code, b.code))
	})
	value := map[PopulationKey]float64{}
	for _, f := range figures {
		if f.Current {
			value[PopulationKey{f.Area, f.Year}] = f.Value
		}
	}
	var out []SeriesAggregate
	for _, s := range sets {
		for _, y := range years {
			a := SeriesAggregate{Kind: s.kind, Code: s.code, Year: y, Members: len(members[s])}
			var rates []float64
			var counted float64
			var people int64
			for _, st := range members[s] {
				v, ok := value[PopulationKey{st, y}]
				if !ok {
					continue
				}
				a.Reporting++
				a.Sum += v
				if p := pops[PopulationKey{st, y}]; p.Value > 0 {
					r, _ := RatePer100k(v, p.Value)
					rates = append(rates, r)
					counted += v
					people += p.Value
				}
			}
			a.Rated = len(rates)
			if len(rates) > 0 {
				a.MedianRate = median(rates)
				a.PooledRate = counted * 100000 / float64(people)
			}
			out = append(out, a)
		}
	}
	return out
}

// Region is an M49 region, or a sub-region (Parent its region).
type Region struct {
	Code, Parent string
	Name         Names
}

// PopulationsUsed gives, for each area and year, the population its rates
// are computed with: its own figure of the population series (reported,
// the current ones of figures), else the Office's population table.
func PopulationsUsed(reported []Figure, office []Population) map[PopulationKey]PopulationUsed {
	out := make(map[PopulationKey]PopulationUsed, len(office))
	for _, p := range office {
		out[PopulationKey{p.Code, p.Year}] = PopulationUsed{Value: p.Population, Origin: PopulationOffice, Source: p.Source}
	}
	for _, f := range reported {
		if f.Current && f.Series == PopulationSeries && f.Value > 0 {
			out[PopulationKey{f.Area, f.Year}] = PopulationUsed{Value: int64(f.Value), Origin: PopulationReported, Reference: f.Reference}
		}
	}
	return out
}
