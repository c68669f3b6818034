package published

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"portal/forms"
)

const wppCSV = "\uFEFFSortOrder,LocID,Notes,ISO3_code,ISO2_code,SDMX_code,LocTypeID,LocTypeName,ParentID,Location,VarID,Variant,Time,MidPeriod,PopMale,PopFemale,PopTotal,PopDensity\r\n" +
	"1,40,,AUT,AT,40,4,Country/Area,926,Austria,2,Medium,2022,2022.5,4389.871,4527.334,8917.205,108.118\r\n" +
	"2,40,,AUT,AT,40,4,Country/Area,926,Austria,3,High,2022,2022.5,4389.871,4527.334,9917.205,108.118\r\n" +
	"3,4,,AFG,AF,4,4,Country/Area,5500,Afghanistan,2,Medium,2023,2023.5,1.0,1.0,41454.7615,63.5\r\n" +
	"4,900,,,,1,1,World,0,World,2,Medium,2023,2023.5,1,1,8091734.93,62\r\n" +
	"5,1840,,,,1840,25,Income Group,1803,Upper-middle-income countries,2,Medium,2023,2023.5,1,1,0.0005,1\r\n" +
	"\r\n" +
	"6,\"826\",,GBR,GB,826,4,Country/Area,924,\"United Kingdom of Great Britain and Northern Ireland\",2,Low,2023,2023.5,1,1,1,1\r\n" +
	"7,abc,,,,,,,,Nowhere,2,Medium,2023,2023.5,1,1,1,1\r\n" +
	"8,40,,AUT,AT,40,4,Country/Area,926,Austria,2,Medium,1850,1850.5,1,1,1,1\r\n" +
	"9,40,,AUT,AT,40,4,Country/Area,926,Austria,2,Medium,2024,2024.5,1,1,,1\r\n" +
	"10,40,,AUT,AT,40,4,Country/Area,926,Austria,2,Medium,2025,2025.5,1,1,-5,1\r\n" +
	"11,40,,AUT,AT,40,4,Country/Area,926,Austria,2,Medium,2026,2026.5,1,1,9000.1\r\n"

func readWPP(t *testing.T, data []byte) []WPPRow {
	t.Helper()
	var rows []WPPRow
	if err := ReadWPP(bytes.NewReader(data), func(r WPPRow) error {
		rows = append(rows, r)
		return nil
	}); err != nil {
		t.Fatalf("ReadWPP: %v", err)
	}
	return rows
}

func TestWPP(t *testing.T) {
	want := []WPPRow{
		{Line: 2, M49: "040", Year: 2022, Population: 8917205},
		{Line: 4, M49: "004", Year: 2023, Population: 41454762},
		{Line: 5, M49: "900", Year: 2023, Population: 8091734930},
		{Line: 6, M49: "1840", Year: 2023, Population: 1},
		{Line: 9, Problem: &Problem{Column: "LocID", Reason: "m49", Value: "abc"}},
		{Line: 10, M49: "040", Problem: &Problem{Column: "Time", Reason: "year", Value: "1850"}},
		{Line: 11, M49: "040", Year: 2024, Problem: &Problem{Column: "PopTotal", Reason: "value_missing"}},
		{Line: 12, M49: "040", Year: 2025, Problem: &Problem{Column: "PopTotal", Reason: "value_negative", Value: "-5"}},
		{Line: 13, M49: "040", Year: 2026, Population: 9000100, Problem: &Problem{Reason: "columns", Value: "17"}},
	}
	if diff := cmp.Diff(want, readWPP(t, []byte(wppCSV))); diff != "" {
		t.Errorf("plain (-want +got):\n%s", diff)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(wppCSV)) //nolint:errcheck // a bytes.Buffer
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, readWPP(t, gz.Bytes())); diff != "" {
		t.Errorf("gzip (-want +got):\n%s", diff)
	}
	// A gzip stream cut short is corrupt, not the portal's fault.
	err := ReadWPP(bytes.NewReader(gz.Bytes()[:gz.Len()/2]), func(WPPRow) error { return nil })
	if forms.KindOf(err) != forms.KindInvalid || forms.MessageOf(err) != "corrupt" {
		t.Errorf("cut gzip: %v", err)
	}
	err = ReadWPP(strings.NewReader("LocID,Time,PopTotal\n40,2020,1\n"), func(WPPRow) error { return nil })
	if forms.MessageOf(err) != "no_header" {
		t.Errorf("no Variant: %v", err)
	}
}
