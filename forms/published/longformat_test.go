package published

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"portal/forms"
)

// The quirks of real files, in a CSV re-saved by a European spreadsheet
// program: title lines before the header, ';' and decimal commas, quoted
// names with commas and newlines, parts of States and territories, rates
// beside counts, a count that is not whole, several sources, a repeated
// row, a blank line, a bad year and a bad value.
const quirksCSV = "\uFEFFUNODC Data Portal;Crime statistics\n" +
	"Downloaded on 2026-01-15\n" +
	"\n" +
	" iso3_CODE ;Country;Region;Subregion;Indicator;Dimension;Category;Sex;Age;Year;Unit of measurement;Value;Source;Notes\n" +
	"AUT;Austria;Europe;Western Europe;Victims of intentional homicide;Total;Total;Total;Total;2022;Counts;12;CTS;\n" +
	"AUT;Austria;Europe;Western Europe;Victims of intentional homicide;Total;Total;Total;Total;2022;Rate per 100,000 population;0,9;CTS;\n" +
	"KOR;\"Korea, Republic of\";Asia;Eastern Asia;Persons arrested;Total;Total;Total;Total;2021;Counts;1.234,5;CTS/Eurostat/NSO;\n" +
	"gbr_e_w;\"England and\nWales\";Europe;Northern Europe;Persons arrested;Total;Total;Male;Total;2021;Counts;1 234;\"NSO; Eurostat\";\n" +
	"GBR_S;Scotland;Europe;Northern Europe;Persons arrested;Total;Total;Total;Total;2021;Rate per 100,000 population;\"12,5\";CTS;\n" +
	"PRI;Puerto Rico;Americas;Caribbean;Persons arrested;Total;Total;Total;Total;2020;Counts;1.234;CTS;\n" +
	" hkg ;\"China, Hong Kong SAR\";Asia;Eastern Asia;Persons prosecuted;Total;Total;Total;Total;2020;Counts;1234,56;CTS;\n" +
	"AUT;Austria;Europe;Western Europe;Victims of intentional homicide;Total;Total;Total;Total;2022;Counts;12;CTS;\n" +
	"\n" +
	";;;;;;;;;;;;;\n" +
	"AUT;Austria;Europe;Western Europe;Victims of intentional homicide;Total;Total;Total;Total;20X2;Counts;5;CTS;\n" +
	"AUT;Austria;Europe;Western Europe;Victims of intentional homicide;Total;Total;Total;Total;2022;Counts;twelve;CTS;\n" +
	"AUT;Austria;Europe;Western Europe;Victims of intentional homicide;Total;Total;Total;Total;1899;Counts;5;CTS;\n" +
	"AUT;Austria;Europe;Western Europe;Victims of intentional homicide;Total;Total;Total;Total;2022;Counts;-3;CTS;\n" +
	"AUT;Austria;Europe;Western Europe;Victims of intentional homicide;Total;Total;Total;Total;2022;Counts;1234567890123456;CTS;\n" +
	"AUT;Austria;Europe;Western Europe;Victims of intentional homicide;Total;Total;Total;Total;2022;Counts;;CTS;\n" +
	"A1T;Austria;Europe;Western Europe;Victims of intentional homicide;Total;Total;Total;Total;2022;Counts;5;CTS;\n" +
	"AUT;Austria;Europe;Western Europe;Victims of intentional homicide;Total;Total;Total;Total;2022;Counts;5;CTS;;extra\n"

func homicide(line int, year int, unit, value string, whole bool) Row {
	return Row{Line: line, Area: "AUT", Country: "Austria", Region: "Europe", Subregion: "Western Europe",
		Indicator: "Victims of intentional homicide", Dimension: "Total", Category: "Total", Sex: "Total", Age: "Total",
		Year: year, Unit: unit, Value: value, Whole: whole, Source: "CTS", Sources: []string{"CTS"}}
}

func refused(r Row, column, reason, value string) Row {
	r.Problem = &Problem{Column: column, Reason: reason, Value: value}
	return r
}

// quirksRows is what quirksCSV reads as; Line is the CSV's.
func quirksRows() []Row {
	arrested := func(line int, area, country, sub, sex string, year int, unit, value string, whole bool, source string, sources ...string) Row {
		region := "Europe"
		switch sub {
		case "Eastern Asia":
			region = "Asia"
		case "Caribbean":
			region = "Americas"
		}
		return Row{Line: line, Area: area, Country: country, Region: region, Subregion: sub, Indicator: "Persons arrested",
			Dimension: "Total", Category: "Total", Sex: sex, Age: "Total", Year: year, Unit: unit, Value: value, Whole: whole,
			Source: source, Sources: sources}
	}
	rate := "Rate per 100,000 population"
	hkg := arrested(12, "HKG", "China, Hong Kong SAR", "Eastern Asia", "Total", 2020, "Counts", "1234.56", false, "CTS", "CTS")
	hkg.Indicator = "Persons prosecuted"
	return []Row{
		homicide(5, 2022, "Counts", "12", true),
		homicide(6, 2022, rate, "0.9", false),
		arrested(7, "KOR", "Korea, Republic of", "Eastern Asia", "Total", 2021, "Counts", "1234.5", false, "CTS/Eurostat/NSO", "CTS", "Eurostat", "NSO"),
		arrested(8, "GBR_E_W", "England and\nWales", "Northern Europe", "Male", 2021, "Counts", "1234", true, "NSO; Eurostat", "NSO", "Eurostat"),
		arrested(10, "GBR_S", "Scotland", "Northern Europe", "Total", 2021, rate, "12.5", false, "CTS", "CTS"),
		arrested(11, "PRI", "Puerto Rico", "Caribbean", "Total", 2020, "Counts", "1234", true, "CTS", "CTS"),
		hkg,
		homicide(13, 2022, "Counts", "12", true),
		refused(homicide(16, 0, "Counts", "5", true), "Year", "year", "20X2"),
		refused(homicide(17, 2022, "Counts", "", false), "VALUE", "value", "twelve"),
		refused(homicide(18, 0, "Counts", "5", true), "Year", "year", "1899"),
		refused(homicide(19, 2022, "Counts", "-3", true), "VALUE", "value_negative", "-3"),
		refused(homicide(20, 2022, "Counts", "1234567890123456", true), "VALUE", "value_precision", "1234567890123456"),
		refused(homicide(21, 2022, "Counts", "", false), "VALUE", "value_missing", ""),
		func() Row {
			r := refused(homicide(22, 2022, "Counts", "5", true), "Iso3_code", "area", "A1T")
			r.Area = "A1T"
			return r
		}(),
		refused(homicide(23, 2022, "Counts", "5", true), "", "columns", "15"),
	}
}

func readAll(t *testing.T, data []byte, lim Limits) (Header, []Row) {
	t.Helper()
	var rows []Row
	h, err := ReadLongFormat(bytes.NewReader(data), lim, func(r Row) error {
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		t.Fatalf("ReadLongFormat: %v", err)
	}
	return h, rows
}

func TestLongFormatCSVQuirks(t *testing.T) {
	h, rows := readAll(t, []byte(quirksCSV), Limits{})
	if diff := cmp.Diff(Header{Format: "csv", Line: 4, Delimiter: ';', DecimalComma: true}, h); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(quirksRows(), rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

// quirksXLSX is the same data as an XLSX: title lines, a blank row, the
// header on row 4, numbers as numeric cells and some as text, and a
// second sheet before nothing.
func quirksXLSX(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Sheet1"
	set := func(row int, vals ...any) {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
			t.Fatal(err)
		}
	}
	set(1, "UNODC Data Portal", "Crime statistics")
	set(2, "Downloaded on 2026-01-15")
	set(4, " iso3_CODE ", "Country", "Region", "Subregion", "Indicator", "Dimension", "Category", "Sex", "Age", "Year", "Unit of measurement", "Value", "Source", "Notes")
	hom := []any{"AUT", "Austria", "Europe", "Western Europe", "Victims of intentional homicide", "Total", "Total", "Total", "Total"}
	row := func(head []any, rest ...any) []any { return append(append([]any{}, head...), rest...) }
	arr := func(area, country, region, sub, ind, sex string) []any {
		return []any{area, country, region, sub, ind, "Total", "Total", sex, "Total"}
	}
	rate := "Rate per 100,000 population"
	data := [][]any{
		row(hom, 2022, "Counts", 12, "CTS"),
		row(hom, 2022, rate, 0.9, "CTS"),
		row(arr("KOR", "Korea, Republic of", "Asia", "Eastern Asia", "Persons arrested", "Total"), 2021, "Counts", "1.234,5", "CTS/Eurostat/NSO"),
		row(arr("gbr_e_w", "England and\nWales", "Europe", "Northern Europe", "Persons arrested", "Male"), 2021, "Counts", "1 234", "NSO; Eurostat"),
		nil, // CSV line 9 is inside the quoted name
		row(arr("GBR_S", "Scotland", "Europe", "Northern Europe", "Persons arrested", "Total"), "2021", rate, "12,5", "CTS"),
		row(arr("PRI", "Puerto Rico", "Americas", "Caribbean", "Persons arrested", "Total"), 2020, "Counts", 1234, "CTS"),
		row(arr(" hkg ", "China, Hong Kong SAR", "Asia", "Eastern Asia", "Persons prosecuted", "Total"), 2020, "Counts", "1234,56", "CTS"),
		row(hom, 2022, "Counts", 12.0, "CTS"),
		nil,
		{"", "", " "},
		row(hom, "20X2", "Counts", 5, "CTS"),
		row(hom, 2022, "Counts", "twelve", "CTS"),
		row(hom, 1899, "Counts", 5, "CTS"),
		row(hom, 2022, "Counts", -3, "CTS"),
		row(hom, 2022, "Counts", "1234567890123456", "CTS"),
		row(hom, 2022, "Counts", "", "CTS"),
		row(hom, 2022, "Counts", 5, "CTS"),
		row(hom, 2022, "Counts", 5, "CTS"),
	}
	data[len(data)-2][0] = "A1T"
	for i, r := range data {
		if r != nil {
			set(5+i, r...)
		}
	}
	if _, err := f.NewSheet("Notes"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestLongFormatXLSXQuirks(t *testing.T) {
	data := quirksXLSX(t)
	h, rows := readAll(t, data, Limits{})
	if diff := cmp.Diff(Header{Format: "xlsx", Line: 4}, h); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	want := quirksRows()
	// An XLSX row has as many cells as it has: no "columns"; the last row
	// of the CSV has one too many.
	want[len(want)-1].Problem = nil
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	// Through io.ReaderAt, and spooled from a plain reader, alike.
	var spooled []Row
	if _, err := ReadLongFormat(struct{ *strings.Reader }{strings.NewReader(string(data))}, Limits{}, func(r Row) error {
		spooled = append(spooled, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rows, spooled); diff != "" {
		t.Errorf("spooled (-direct +spooled):\n%s", diff)
	}
}

func TestNumbers(t *testing.T) {
	tests := []struct {
		in     string
		comma  bool
		want   string
		whole  bool
		reason string
	}{
		{"12", false, "12", true, ""},
		{"12,5", true, "12.5", false, ""},
		{"12,5", false, "12.5", false, ""},
		{"1.234,5", true, "1234.5", false, ""},
		{"1 234,5", true, "1234.5", false, ""},
		{"1\u00a0234,5", true, "1234.5", false, ""},
		{"1,234.5", false, "1234.5", false, ""},
		{"1,234.5", true, "1234.5", false, ""},
		{"1.234", true, "1234", true, ""},
		{"1.234", false, "1.234", false, ""},
		{"1,234", false, "1234", true, ""},
		{"1,234", true, "1.234", false, ""},
		{"1,234,567", true, "1234567", true, ""},
		{"0,123", false, "0.123", false, ""},
		{"1234.56", false, "1234.56", false, ""},
		{"1234.50", false, "1234.5", false, ""},
		{"007", false, "7", true, ""},
		{"-0", false, "0", true, ""},
		{"-0,0", true, "0", true, ""},
		{".5", false, "0.5", false, ""},
		{"5.", false, "5", true, ""},
		{"1.5E3", false, "1500", true, ""},
		{"1.5e-3", false, "0.0015", false, ""},
		{"1'234.5", false, "1234.5", false, ""},
		{"-3", false, "-3", true, "value_negative"},
		{"\u22123", false, "-3", true, "value_negative"},
		{"123456789012345", false, "123456789012345", true, ""},
		{"1234567890123456", false, "1234567890123456", true, "value_precision"},
		{"0.0000000000000001", false, "0.0000000000000001", false, ""},
		{"", false, "", false, "value_missing"},
		{"  ", false, "", false, "value_missing"},
		{"NaN", false, "", false, "value"},
		{"Inf", false, "", false, "value"},
		{"12,34,567", false, "", false, "value"},
		{"1.2.3,4,5", false, "", false, "value"},
		{"1 23", false, "", false, "value"},
		{"1e999", false, "", false, "value"},
		{"1,5e3", true, "", false, "value"},
		{"--1", false, "", false, "value"},
		{"x", false, "", false, "value"},
	}
	for _, tt := range tests {
		got, whole, reason := parseNumber(tt.in, tt.comma)
		if got != tt.want || whole != tt.whole || reason != tt.reason {
			t.Errorf("parseNumber(%q, %v) = %q, %v, %q; want %q, %v, %q", tt.in, tt.comma, got, whole, reason, tt.want, tt.whole, tt.reason)
		}
	}
	for in, want := range map[string]string{"0.30000000000000004": "0.3", "1234.56": "1234.56", "1E+20": "100000000000000000000", "12": "12"} {
		got, _, _ := numericCell(in)
		if got != want {
			t.Errorf("numericCell(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestSplitArea(t *testing.T) {
	for in, want := range map[string][2]string{"GBR_E_W": {"GBR", "E_W"}, "AUT": {"AUT", ""}, " gbr_ni ": {"GBR", "NI"}, "PRI": {"PRI", ""}} {
		if s, p := SplitArea(in); s != want[0] || p != want[1] {
			t.Errorf("SplitArea(%q) = %q, %q; want %q", in, s, p, want)
		}
	}
}

func TestLongFormatRefusedFiles(t *testing.T) {
	tests := []struct {
		name, data, reason string
	}{
		{"no header", "a,b,c\n1,2,3\n", "no_header"},
		{"empty", "", "no_header"},
		{"header too low", strings.Repeat("title\n", 50) + "Iso3_code,Indicator,Year,VALUE\n", "no_header"},
		{"binary", "\x00\x01\x02garbage", "not_tabular"},
		{"old excel", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "not_tabular"},
		{"zip not xlsx", "PK\x03\x04 not really", "not_xlsx"},
		{"gzip broken", "\x1f\x8b\x08\x00broken", "corrupt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadLongFormat(strings.NewReader(tt.data), Limits{}, func(Row) error { return nil })
			if forms.KindOf(err) != forms.KindInvalid || forms.MessageOf(err) != tt.reason {
				t.Errorf("err = %v (%v); want %s", err, forms.KindOf(err), tt.reason)
			}
		})
	}
	_, err := ReadLongFormat(strings.NewReader("Iso3_code,Indicator,Year\nAUT,x,2020\n"), Limits{}, func(Row) error { return nil })
	var fe *forms.Error
	if !errors.As(err, &fe) || fe.Fields["missing"] != "VALUE" {
		t.Errorf("missing VALUE: %v %+v", err, fe)
	}
}

func TestLongFormatLimits(t *testing.T) {
	data := "Iso3_code\tIndicator\tYear\tVALUE\n" + strings.Repeat("AUT\tx\t2020\t1,5\n", 5) + "AUT\t" + strings.Repeat("y", 11) + "\t2020\t1\n"
	var rows []Row
	h, err := ReadLongFormat(strings.NewReader(data), Limits{MaxRows: 6, MaxCellChars: 10}, func(r Row) error {
		rows = append(rows, r)
		return nil
	})
	if err != nil || h.Delimiter != '\t' || h.DecimalComma {
		t.Fatalf("err %v, header %+v", err, h)
	}
	if len(rows) != 6 || rows[0].Value != "1.5" || rows[5].Problem == nil || rows[5].Problem.Reason != "cell_too_long" || rows[5].Problem.Value != strings.Repeat("y", 10) {
		t.Errorf("rows %+v, last problem %+v", rows, rows[len(rows)-1].Problem)
	}
	_, err = ReadLongFormat(strings.NewReader(data), Limits{MaxRows: 5}, func(Row) error { return nil })
	if forms.MessageOf(err) != "too_many_rows" {
		t.Errorf("err = %v; want too_many_rows", err)
	}
	stop := errors.New("stop")
	if _, err := ReadLongFormat(strings.NewReader(data), Limits{}, func(Row) error { return stop }); err != stop {
		t.Errorf("err = %v; want fn's", err)
	}
	// A quote never closed costs the cell's limit, not the file.
	open := "Iso3_code,Indicator,Year,VALUE\nAUT,\"" + strings.Repeat("z", 1<<20)
	rows = nil
	if _, err := ReadLongFormat(strings.NewReader(open), Limits{}, func(r Row) error { rows = append(rows, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Problem == nil || rows[0].Problem.Reason != "cell_too_long" || len(rows[0].Indicator) != DefaultMaxCellChars {
		t.Errorf("unclosed quote: %d rows, %+v", len(rows), rows)
	}
	// Latin-1 is not UTF-8.
	rows = nil
	if _, err := ReadLongFormat(strings.NewReader("Iso3_code,Country,Indicator,Year,VALUE\nCIV,C\xf4te d'Ivoire,x,2020,1\n"), Limits{}, func(r Row) error { rows = append(rows, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Problem == nil || rows[0].Problem.Reason != "encoding" {
		t.Errorf("latin-1: %+v", rows)
	}
}
