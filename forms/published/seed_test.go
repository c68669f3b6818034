package published

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var updateSeeds = flag.Bool("update-seeds", false, "write the fuzz seed corpus in testdata/fuzz")

// TestWriteSeeds writes the seed corpus of the fuzz tests (with
// -update-seeds): the files the tests build, CSV and XLSX alike.
func TestWriteSeeds(t *testing.T) {
	if !*updateSeeds {
		t.Skip("run with -update-seeds to write the corpus")
	}
	write := func(fuzz, name string, data []byte) {
		dir := filepath.Join("testdata", "fuzz", fuzz)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("FuzzReadLongFormat", "quirks_csv", []byte(quirksCSV))
	write("FuzzReadLongFormat", "quirks_xlsx", quirksXLSX(t))
	write("FuzzReadLongFormat", "tab_english", []byte("Title\n\nIso3_code\tCountry\tIndicator\tYear\tVALUE\tSource\nGBR_NI\t\"Northern, Ireland\"\tx\t2020\t1,234.5\tNSO;CTS\n"))
	write("FuzzReadLongFormat", "comma_quoted", []byte("Iso3_code,Indicator,Year,VALUE\nAUT,x,2020,\"1,234.5\"\nAUT,x,2020.0,1.5E3\n"))
	write("FuzzReadWPP", "wpp_csv", []byte(wppCSV))
}
