package views

import (
	"slices"
	"strconv"

	"portal/forms"
	"portal/templates/words"
)

// FrequencyTable counts the respondents who chose each option of a checklist
// question, overall and by regional group.
type FrequencyTable struct {
	Question string
	Groups   []string // column heads after the overall
	Rows     []FrequencyRow
}

// FrequencyRow is an option's counts: overall, then per group.
type FrequencyRow struct {
	Option string
	Cells  []FrequencyCell // overall, then per group
}

// FrequencyCell is a count with its share of the respondents.
type FrequencyCell struct {
	Count int
	Share string
}

// Frequencies counts how many respondents chose each option of a checklist
// question, overall and by group, with their shares of the respondents.
func Frequencies(p words.Text, q *forms.Question, answers []forms.ViewAnswer, order []string, names map[string]string, perGroup map[string]int, respondents int) FrequencyTable {
	t := FrequencyTable{Question: q.Label.In(p.Lang)}
	var cols []string
	for _, g := range order {
		if perGroup[g] > 0 {
			cols = append(cols, g)
			t.Groups = append(t.Groups, names[g]+" ("+strconv.Itoa(perGroup[g])+")")
		}
	}
	options := make([]forms.Option, 0, len(q.Options)+1)
	options = append(options, q.Options...)
	if q.Other {
		options = append(options, forms.Option{Key: "other", Label: forms.Text{forms.English: p.T("question.other")}})
	}
	for _, o := range options {
		row := FrequencyRow{Option: o.Label.In(p.Lang)}
		total := 0
		counts := make([]int, len(cols))
		for _, a := range answers {
			if !slices.Contains(a.Answer.Choices, o.Key) {
				continue
			}
			total++
			for i, g := range cols {
				if slices.Contains(GroupsOf(a.Organization), g) {
					counts[i]++
				}
			}
		}
		row.Cells = append(row.Cells, FrequencyCell{Count: total, Share: shareOf(total, respondents)})
		for i, g := range cols {
			row.Cells = append(row.Cells, FrequencyCell{Count: counts[i], Share: shareOf(counts[i], perGroup[g])})
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// AggregateCell is an indicator's aggregate for one group and year: the
// sum, the coverage, the median rate.
type AggregateCell struct {
	Sum, Coverage, Median string
}

// Percent is n of of in whole percent, rounded half up; 0 of nothing.
func Percent(n, of int) int {
	if of == 0 {
		return 0
	}
	return (n*100 + of/2) / of
}

// GroupOther is where organizations and observer States, which sit in no
// regional group, are listed.
const GroupOther = "OTHER"

// GroupsOf returns the regional groups an organization is listed under:
// its own, or GroupOther for one in none (organizations, observer States).
func GroupsOf(o forms.Organization) []string {
	if len(o.RegionalGroups) == 0 {
		return []string{GroupOther}
	}
	return o.RegionalGroups
}
