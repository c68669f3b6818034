package forms

import (
	"math"
	"testing"
)

func TestCheckSeries(t *testing.T) {
	v := func(code string, year int, value, pop int64) SeriesValue {
		return SeriesValue{Organization: Organization{Code: code}, Year: year, Value: value, Population: pop}
	}
	values := []SeriesValue{
		v("AAA", 2023, 100, 1e6), v("AAA", 2024, 160, 1e6), // +60 %: a break at 50 %
		v("BBB", 2023, 100, 1e6), v("BBB", 2024, 140, 1e6), // +40 %: none
		v("CCC", 2023, 10, 1e6), v("CCC", 2024, 100, 1e6), // from below the base: none
		v("DDD", 2023, 0, 1e6), v("DDD", 2024, 30, 1e6), // from nothing to above the base
		v("EEE", 2024, 120, 1e6), v("FFF", 2024, 130, 1e6),
		v("GGG", 2024, 5000, 1e6), // a rate of 500 where the others are near 13
	}
	got := CheckSeries(values, DefaultBreak)
	want := map[int]SeriesCheck{
		1:  {Change: 0.6, HasChange: true, Break: true},
		3:  {Change: 0.4, HasChange: true},
		5:  {Change: 9, HasChange: true},
		7:  {Break: true},
		10: {Outlier: true},
	}
	for i, c := range got {
		w := want[i]
		if c.Break != w.Break || c.Outlier != w.Outlier || c.HasChange != w.HasChange || math.Abs(c.Change-w.Change) > 1e-9 {
			t.Errorf("%s %d: %+v, want %+v", values[i].Organization.Code, values[i].Year, c, w)
		}
	}
	// Four rates say nothing of each other.
	if c := CheckSeries(values[8:11], DefaultBreak); c[2].Outlier {
		t.Error("an outlier among three rates")
	}
}

func TestFlagSeries(t *testing.T) {
	q := &Questionnaire{Rules: []Rule{{Key: "police_change", Kind: RuleYearChange, Question: "police", MaxShare: 0.2, MinBase: 10}}}
	police := Series{Question: "police", Row: "robbery", Category: TotalCategory}
	prison := Series{Question: "prison", Row: "total", Category: TotalCategory}
	v := func(code string, year int, value int64) SeriesValue {
		return SeriesValue{Organization: Organization{Code: code}, Year: year, Value: value}
	}
	values := map[Series][]SeriesValue{
		police: {v("AAA", 2023, 100), v("AAA", 2024, 130), v("BBB", 2023, 100), v("BBB", 2024, 110)},
		prison: {v("AAA", 2023, 100), v("AAA", 2024, 130), v("CCC", 2023, 100), v("CCC", 2024, 200)},
	}
	got := FlagSeries(q, []Series{police, prison}, values)
	// police: +30 % is a break against its own rule (20 %), +10 % is not;
	// prison has no rule: +30 % is no break at the default 50 %, +100 % is.
	if len(got) != 2 {
		t.Fatalf("%d flagged, want 2: %+v", len(got), got)
	}
	if f := got[0]; f.Series != police || f.Organization.Code != "AAA" || f.Year != 2024 || !f.Break ||
		f.Finding != CellFinding("police_change", CellRef{Question: "police", Row: "robbery", Year: 2024, Category: TotalCategory}) {
		t.Errorf("first: %+v", f)
	}
	if f := got[1]; f.Series != prison || f.Organization.Code != "CCC" || !f.Break || f.Finding != "" {
		t.Errorf("second: %+v (a break without a rule has nothing to be explained against)", f)
	}
}
