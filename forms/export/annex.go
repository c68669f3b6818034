package export

import (
	"io"
	"strconv"
	"strings"
	"time"

	"portal/forms"
)

// Annex writes a released report's annex to w as XLSX: what the report
// is (About), the submission versions it draws on (Sources), every answer
// (Answers), the checklist counts (Frequencies), and the statistical annex
// as the regional aggregates with their coverage (Aggregates) and every
// State's figures with their rates (Values). Every sheet has a frozen
// header row with filters; names are in lang; describe gives an answer's
// text as the report shows it.
func Annex(w io.Writer, r *forms.Report, lang forms.Language, describe func(*forms.Question, forms.Answer) string) error {
	groupNames := map[string]string{"": "World"}
	for _, g := range r.Groups {
		groupNames[g.Code] = g.Name.In(lang)
	}
	name := map[string]forms.Organization{}
	sources := Sheet{Name: "Sources", Header: []string{"iso3", "m49", "name", "regional_groups", "reference", "version", "submitted_at", "sha256"},
		Widths: map[int]float64{3: 36, 4: 18, 5: 22, 7: 22, 8: 66}}
	for _, s := range r.Sources {
		name[s.Organization.Code] = s.Organization
		sources.Rows = append(sources.Rows, []any{s.Organization.Code, s.Organization.M49, s.Organization.Name.In(lang), strings.Join(s.Organization.RegionalGroups, " "),
			s.Reference, s.Version, s.SubmittedAt.UTC().Format(time.RFC3339), s.Checksum})
	}

	answers := Sheet{Name: "Answers", Header: []string{"question_key", "question", "iso3", "name", "regional_groups", "answer", "reference"},
		Widths: map[int]float64{1: 18, 2: 40, 4: 30, 5: 18, 6: 90, 7: 22}}
	freq := Sheet{Name: "Frequencies", Header: []string{"question_key", "question", "option_key", "option", "group", "group_name", "respondents", "count", "share"},
		Widths: map[int]float64{1: 18, 2: 40, 3: 18, 4: 36, 6: 40}, Decimals: []int{9}}
	respondents := r.Respondents()
	respondents[""] = len(r.Sources)
	for i := range r.Questions {
		rq := &r.Questions[i]
		for _, ans := range rq.Answers {
			o := name[ans.Source]
			src, _ := r.Source(ans.Source)
			answers.Rows = append(answers.Rows, []any{rq.Question.Key, rq.Question.Label.In(lang), o.Code, o.Name.In(lang), strings.Join(o.RegionalGroups, " "),
				describe(&rq.Question, ans.Answer), src.Reference})
		}
		if rq.Question.Kind != forms.MultipleChoice {
			continue
		}
		for _, fr := range r.Frequencies(rq, forms.Text{forms.English: "Other"}) {
			for _, g := range append([]string{""}, groupCodes(r.Groups)...) {
				n := fr.Total
				if g != "" {
					n = fr.Groups[g]
				}
				share := 0.0
				if respondents[g] > 0 {
					share = float64(n) / float64(respondents[g])
				}
				freq.Rows = append(freq.Rows, []any{rq.Question.Key, rq.Question.Label.In(lang), fr.Option.Key, fr.Option.Label.In(lang), g, groupNames[g], respondents[g], n, share})
			}
		}
	}

	aggregates := Sheet{Name: "Aggregates", Header: []string{"table", "indicator_key", "indicator", "iccs", "year", "group", "group_name", "reporting", "asked", "sum", "median_rate_per_100000", "rated"},
		Widths: map[int]float64{1: 20, 2: 20, 3: 50, 7: 40, 11: 24}, Decimals: []int{11}}
	values := Sheet{Name: "Values", Header: []string{"table", "indicator_key", "indicator", "iccs", "iso3", "name", "regional_groups", "year", "value", "population", "population_source", "rate_per_100000", "reference", "origin", "source"},
		Widths: map[int]float64{1: 20, 2: 20, 3: 50, 6: 30, 7: 18, 11: 18, 12: 18, 13: 22, 14: 12, 15: 22}, Decimals: []int{12}}
	for _, ind := range r.Indicators {
		label := ind.Label.In(lang)
		for _, ag := range ind.Aggregates {
			var median any = ""
			if ag.Rated > 0 {
				median = ag.MedianRate
			}
			var sum any = ""
			if ag.Reporting > 0 {
				sum = ag.Sum
			}
			aggregates.Rows = append(aggregates.Rows, []any{ind.Table, ind.Row, label, ind.ICCS, ag.Year, ag.Group, groupNames[ag.Group], ag.Reporting, ag.Asked, sum, median, ag.Rated})
		}
		for _, v := range r.SeriesValues(&ind) {
			src, _ := r.Source(v.Organization.Code)
			reference, origin, source := src.Reference, "submission", ""
			if _, p, ok := r.PastOf(v); ok {
				reference, origin, source = p.Reference, string(p.Origin), p.Source
				if p.Origin == forms.OriginCall {
					source = p.Call
				}
			}
			var pop, rate any = "", ""
			if x, ok := v.Rate(); ok {
				pop, rate = v.Population, x
			}
			values.Rows = append(values.Rows, []any{ind.Table, ind.Row, label, ind.ICCS, v.Organization.Code, v.Organization.Name.In(lang),
				strings.Join(v.Organization.RegionalGroups, " "), v.Year, v.Value, pop, v.PopulationSource, rate, reference, origin, source})
		}
	}
	about := [][2]string{
		{"Report", r.TextIn(lang).Title},
		{"Release", strconv.Itoa(r.Number)},
		{"Released", r.ReleasedAt.UTC().Format(time.RFC3339)},
		{"Released by", r.ReleasedBy},
		{"Call", r.Call.Title.In(lang) + " (" + r.Call.Reference + ")"},
		{"Mandate", r.Call.Mandate.In(lang)},
		{"For", r.Call.Body.In(lang)},
		{"Respondents", strconv.Itoa(len(r.Sources)) + " of " + strconv.Itoa(r.Call.Asked) + " asked"},
		{"Included", "accepted submissions, each at its latest version (see Sources)"},
		{"Rates", "per 100,000 inhabitants, from the population each State reported for the year, else the Office's population table (population_source: reported or office)"},
		{"Aggregates", "sums over the States reporting (coverage: reporting of asked); median of the reporting States' rates"},
		{"Origin", "submission: the State's accepted submission to the call (see Sources). Where none gives a State's figure for a year, the figure that counts in the Office's series: imported (an import of past data; source as the import names it), call (another call's accepted submission; source: that call), parts (the sum of the State's parts)"},
	}
	return Workbook(w, about, sources, answers, freq, aggregates, values)
}

func groupCodes(groups []forms.RegionalGroup) []string {
	out := make([]string, len(groups))
	for i, g := range groups {
		out[i] = g.Code
	}
	return out
}
