package synthetic

import (
	"fmt"
	"math"

	"portal/forms"
)

// Implausible returns what in a's figures for the years breaks a relation
// between the built-in crime-statistics tables that the questionnaire's
// rules (forms.Check) do not state, or strays from the order of magnitude
// of the organization's Profile; one line each, empty when nothing does.
// Relations between tables a does not hold are not looked at. The synthetic
// figures keep them all; a State's real figures may not (a reason to look
// twice, not an error), so the portal does not apply them to submissions.
//
//   - victims of intentional homicide: from 0.9 to 1.25 times the
//     homicides the police recorded (±2);
//   - persons brought into contact with the police for homicide: at most
//     twice the homicides recorded (+2);
//   - persons prosecuted not above those in contact, convicted not above
//     prosecuted, cell by cell (the questionnaire warns of both);
//   - the persons counted for all offences not fewer than those counted
//     for the offences listed;
//   - the tables that count the same persons broken down otherwise (by
//     age, by citizenship, sentenced or not) have the same totals;
//   - prison capacity from half to twice the persons held (±2);
//   - juveniles at most a quarter of the persons of an age table, women at
//     most a fifth of the persons held in prison, foreign citizens at most
//     half of those convicted;
//   - the population within half and twice the profile's (more the
//     further the year from the reference year: 3 % a year), and, where it
//     is a million or more, homicides and persons held
//     per 100,000 inhabitants within a third and three times the
//     profile's rates.
func Implausible(q *forms.Questionnaire, a forms.Answers, years []int, code string) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	cell := func(table, row string, y int, cat string) (int64, bool) {
		c, ok := a.Cells[forms.CellRef{Question: table, Row: row, Year: y, Category: cat}]
		return c.Value, ok && c.State == forms.CellValue
	}
	total := func(table, row string, y int) (int64, bool) { return cell(table, row, y, forms.TotalCategory) }
	st := Profile(code)
	for _, y := range years {
		pop, hasPop := total("population_by_year", "population", y)
		if hasPop {
			f := max(2, math.Pow(1.03, math.Abs(float64(y-ReferenceYear))))
			if p := float64(pop); p < float64(st.Population)/f || p > float64(st.Population)*f {
				bad("%d: population %d, the profile's %d", y, pop, st.Population)
			}
		}
		h, hasH := total("police_offences", "homicide", y)
		if v, ok := total("homicide_victims", "victims", y); ok && hasH {
			if float64(v) < 0.9*float64(h)-2 || float64(v) > 1.25*float64(h)+2 {
				bad("%d: %d victims of homicide against %d homicides recorded", y, v, h)
			}
		}
		if c, ok := total("persons_contact", "homicide", y); ok && hasH && c > 2*h+2 {
			bad("%d: %d persons in contact with the police for %d homicides", y, c, h)
		}
		if hasPop && pop >= 1_000_000 {
			per := func(n int64) float64 { return float64(n) * 100_000 / float64(pop) }
			if hasH && st.HomicideRate > 0 && (per(h) < st.HomicideRate/3 || per(h) > st.HomicideRate*3) {
				bad("%d: %.1f homicides per 100,000, the profile's %.1f", y, per(h), st.HomicideRate)
			}
			if p, ok := total("prisoners_by_sex", "all_prisoners", y); ok && st.PrisonRate > 0 && (per(p) < st.PrisonRate/3 || per(p) > st.PrisonRate*3) {
				bad("%d: %.0f persons held per 100,000, the profile's %.0f", y, per(p), st.PrisonRate)
			}
		}
		for _, s := range [][2]string{{"persons_prosecuted", "persons_contact"}, {"persons_convicted", "persons_prosecuted"}} {
			qq, ok := q.Question(s[0])
			if !ok || qq.Table == nil {
				continue
			}
			for _, row := range qq.Table.Rows {
				for _, col := range q.Columns(qq.Table) {
					v, ok1 := cell(s[0], row.Key, y, col)
					b, ok2 := cell(s[1], row.Key, y, col)
					if ok1 && ok2 && v > b {
						bad("%d: %s %s %s %d above %s's %d", y, s[0], row.Key, col, v, s[1], b)
					}
				}
			}
		}
		for _, table := range []string{"persons_contact", "persons_prosecuted", "persons_convicted"} {
			qq, ok := q.Question(table)
			if !ok || qq.Table == nil {
				continue
			}
			all, ok := total(table, "all_offences", y)
			if !ok {
				continue
			}
			var listed int64
			for _, row := range qq.Table.Rows {
				if v, ok := total(table, row.Key, y); ok && row.Key != "all_offences" && row.PartOf == "" {
					listed += v
				}
			}
			if all < listed {
				bad("%d: %s for all offences %d, fewer than the %d of the offences listed", y, table, all, listed)
			}
		}
		for table, src := range sameCount {
			qq, ok := q.Question(table)
			if !ok || qq.Table == nil {
				continue
			}
			for _, row := range qq.Table.Rows {
				v, ok1 := total(table, row.Key, y)
				w, ok2 := total(src, row.Key, y)
				if ok1 && ok2 && v != w {
					bad("%d: %s %s total %d, %s's %d", y, table, row.Key, v, src, w)
				}
			}
		}
		if c, ok := total("prison_capacity", "official_capacity", y); ok {
			if p, ok := total("prisoners_by_sex", "all_prisoners", y); ok && (float64(c) < float64(p)/2-2 || float64(c) > float64(p)*2+2) {
				bad("%d: capacity %d for %d persons held", y, c, p)
			}
		}
		for _, s := range []struct {
			table, row, cat string
			most            float64
		}{
			{"persons_prosecuted_age", "all_offences", "juvenile", 0.25},
			{"persons_convicted_age", "all_offences", "juvenile", 0.25},
			{"prisoners_by_age", "all_prisoners", "juvenile", 0.25},
			{"prisoners_by_sex", "all_prisoners", "female", 0.2},
			{"persons_convicted_citizenship", "all_offences", "foreign", 0.5},
		} {
			part, ok1 := cell(s.table, s.row, y, s.cat)
			whole, ok2 := total(s.table, s.row, y)
			if ok1 && ok2 && whole > 20 && float64(part) > s.most*float64(whole) {
				bad("%d: %s %s %d of %d", y, s.table, s.cat, part, whole)
			}
		}
	}
	return out
}
