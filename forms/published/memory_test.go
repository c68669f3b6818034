package published

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"portal/internal/heapwatch"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// heapBound is the most a read of a long-format file may add to the heap.
const heapBound = 64 << 20

const bigRows = 500_000

var bigAreas = []string{"AUT", "GBR_E_W", "KOR", "PRI", "HKG", "FRA", "DEU", "BRA"}

func bigRow(i int) []any {
	return []any{bigAreas[i%len(bigAreas)], "Country number " + fmt.Sprint(i%200), "Europe", "Western Europe",
		"Victims of intentional homicide", "by relationship to perpetrator", fmt.Sprintf("Category %d", i%40), "Total", "Total",
		1990 + i%35, "Counts", float64(i%100000) + 0.25, "CTS/Eurostat/NSO"}
}

// measure runs read and returns the most the heap grew above where it was
// before (sampled every millisecond).
func measure(read func()) (peak uint64) {
	return heapwatch.Measure(read).Inuse
}

// TestMemory writes a 500,000-row long-format CSV and XLSX to disk and
// reads them: the heap grows by less than heapBound. Figures are logged
// (go test -run TestMemory -v ./forms/published/); it takes about half a
// minute, and is skipped with -short.
func TestMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads 500,000 rows twice")
	}
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "big.csv")
	f, err := os.Create(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprint(w, "UNODC;title\n\nIso3_code;Country;Region;Subregion;Indicator;Dimension;Category;Sex;Age;Year;Unit of measurement;VALUE;Source\n")
	for i := range bigRows {
		r := bigRow(i)
		fmt.Fprintf(w, "%s;\"%s\";%s;%s;%s;%s;%s;%s;%s;%d;%s;%d,25;%s\n", r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], i%100000, r[12])
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	xlsxPath := filepath.Join(dir, "big.xlsx")
	x := excelize.NewFile()
	sw, err := x.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	sw.SetRow("A1", []any{"UNODC Data Portal"}) //nolint:errcheck // checked by the read
	head := []any{"Iso3_code", "Country", "Region", "Subregion", "Indicator", "Dimension", "Category", "Sex", "Age", "Year", "Unit of measurement", "VALUE", "Source"}
	if err := sw.SetRow("A4", head); err != nil {
		t.Fatal(err)
	}
	for i := range bigRows {
		cell, _ := excelize.CoordinatesToCellName(1, 5+i)
		if err := sw.SetRow(cell, bigRow(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := x.SaveAs(xlsxPath); err != nil {
		t.Fatal(err)
	}
	x.Close()

	for _, path := range []string{csvPath, xlsxPath} {
		info, _ := os.Stat(path)
		in, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		n, bad := 0, 0
		var h Header
		start := time.Now()
		peak := measure(func() {
			h, err = ReadLongFormat(in, Limits{}, func(r Row) error {
				n++
				if r.Problem != nil || r.Value != fmt.Sprint((n-1)%100000)+".25" {
					bad++
				}
				return nil
			})
		})
		took := time.Since(start)
		in.Close()
		if err != nil || n != bigRows || bad != 0 {
			t.Fatalf("%s: %d rows, %d refused, err %v", path, n, bad, err)
		}
		t.Logf("%s (%s, %.1f MB): %d rows in %v (%.2f µs a row), heap grew by at most %.1f MB",
			filepath.Base(path), h.Format, float64(info.Size())/(1<<20), n, took.Round(time.Millisecond),
			float64(took.Microseconds())/float64(n), float64(peak)/(1<<20))
		if peak > heapBound {
			t.Errorf("%s: the heap grew by %.1f MB; the bound is %d MB", path, float64(peak)/(1<<20), heapBound>>20)
		}
	}
}
