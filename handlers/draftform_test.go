package handlers

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestCleanFileName(t *testing.T) {
	for in, want := range map[string]string{
		"report.pdf":                      "report.pdf",
		`C:\Users\me\Desktop\a b.pdf`:     "a b.pdf",
		"../../etc/passwd":                "passwd",
		"a\x00b\r\nc.pdf":                 "abc.pdf",
		`"quoted".pdf`:                    "quoted.pdf",
		"..":                              "file",
		"":                                "file",
		"évaluation – بخير.docx":          "évaluation – بخير.docx",
		strings.Repeat("x", 300) + ".pdf": strings.Repeat("x", 196) + ".pdf",
	} {
		if got := cleanFileName(in); got != want {
			t.Errorf("cleanFileName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestContentDisposition(t *testing.T) {
	got := contentDisposition(`évaluation "finale"; x.pdf`)
	want := `attachment; filename="_valuation _finale__ x.pdf"; filename*=UTF-8''%C3%A9valuation%20%22finale%22%3B%20x.pdf`
	if got != want {
		t.Errorf("contentDisposition = %s\nwant %s", got, want)
	}
}

// FuzzUploadName: whatever name a browser sends, the name kept is one
// element, printable, bounded, and its Content-Disposition is one header
// value with nothing that could end the quoted name early.
func FuzzUploadName(f *testing.F) {
	for _, s := range []string{"a.pdf", `..\..\x`, "a\r\nSet-Cookie: x", "\"", "é", strings.Repeat("ب", 250)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := cleanFileName(name)
		if got == "" || strings.ContainsAny(got, "/\"") || utf8.RuneCountInString(got) > maxFileName ||
			strings.ContainsFunc(got, unicode.IsControl) || !utf8.ValidString(got) {
			t.Fatalf("cleanFileName(%q) = %q", name, got)
		}
		cd := contentDisposition(got)
		ascii, _, _ := strings.Cut(strings.TrimPrefix(cd, `attachment; filename="`), `"; filename*=UTF-8''`)
		if strings.ContainsAny(cd, "\r\n") || strings.ContainsAny(ascii, "\"\\;") || !strings.HasPrefix(cd, `attachment; filename="`) {
			t.Fatalf("contentDisposition(%q) = %q", got, cd)
		}
	})
}
