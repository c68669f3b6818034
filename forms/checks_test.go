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
