// Package synthetic makes plausible answers to a statistics questionnaire
// for demonstrations, tests and benchmarks at scale: every cell of every
// table for the years asked, consistent with the questionnaire's rules
// (parts that add up to their totals, a part not above its whole, each
// stage of the justice system not above the one before, no jump of a
// year), and different for each organization. It reads the questionnaire,
// not a list of tables: any statistics questionnaire gets its figures.
package synthetic

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strings"

	"portal/forms"
)

// Statistics returns a full set of figures of q for the years, for the
// organization named seed (its code, say): the same seed gives the same
// figures.
func Statistics(q *forms.Questionnaire, years []int, seed string) forms.Answers {
	h := fnv.New64a()
	h.Write([]byte(seed))
	rng := rand.New(rand.NewPCG(h.Sum64(), 0x5eed))
	population := 200_000 + rng.Float64()*60_000_000 // people
	crime := 0.5 + rng.Float64()                     // how much is recorded, relative
	a := forms.Answers{Cells: map[forms.CellRef]forms.Cell{}}
	for _, sec := range q.Sections {
		for qi := range sec.Questions {
			qq := &sec.Questions[qi]
			if qq.Table == nil {
				continue
			}
			cols := q.Columns(qq.Table)
			shares := categoryShares(len(cols) - 1)
			stage := stageOf(qq.Key)
			for _, row := range qq.Table.Rows {
				rowFactor := factorOf(row.Key)
				if row.PartOf != "" {
					rowFactor = factorOf(row.PartOf) * 0.3
				}
				for yi, y := range years {
					growth := 1 + 0.02*float64(yi) + 0.03*math.Sin(float64(yi)+rowFactor*7)
					var total float64
					switch {
					case strings.Contains(qq.Key, "population"):
						total = population * (1 + 0.01*float64(yi))
					case strings.Contains(qq.Key, "capacity"):
						total = population * 0.0012 * crime * growth
					case strings.Contains(qq.Key, "prison"):
						total = population * 0.0010 * crime * growth
					default:
						total = population * 0.004 * crime * rowFactor * stage * growth
					}
					t := int64(math.Round(total))
					split(a, forms.CellRef{Question: qq.Key, Row: row.Key, Year: y}, cols, shares, t)
				}
			}
		}
	}
	return a
}

// split writes a total and its categories, which add up to it exactly.
func split(a forms.Answers, ref forms.CellRef, cols []string, shares []float64, total int64) {
	var sum int64
	for i, col := range cols[:len(cols)-1] {
		ref.Category = col
		var v int64
		if i == len(cols)-2 { // the last category (unknown) takes what is left
			v = total - sum
		} else {
			v = int64(math.Floor(float64(total) * shares[i]))
		}
		sum += v
		a.Cells[ref] = forms.Cell{State: forms.CellValue, Value: v}
	}
	ref.Category = forms.TotalCategory
	a.Cells[ref] = forms.Cell{State: forms.CellValue, Value: total}
}

// categoryShares are the shares of n categories: most in the first, some
// in the second, a little in the rest (the last, unknown, gets what
// rounding leaves).
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

// stageOf is how far through the justice system a table counts: the police
// record more than is prosecuted, and more is prosecuted than convicted.
func stageOf(table string) float64 {
	switch {
	case strings.Contains(table, "convicted"):
		return 0.35
	case strings.Contains(table, "prosecuted"):
		return 0.6
	case strings.Contains(table, "victims"):
		return 1.2
	}
	return 1
}

// factorOf gives each indicator its own size, from its key.
func factorOf(key string) float64 {
	h := fnv.New32a()
	h.Write([]byte(key))
	return 0.02 + float64(h.Sum32()%1000)/1000
}
