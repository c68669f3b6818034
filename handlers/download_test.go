package handlers

import (
	"mime"
	"net/http/httptest"
	"portal/templates/form"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// TestContentDisposition: a download's name is written as RFC 6266 has it
// (mime.FormatMediaType), and read back the same as a browser reads it.
func TestContentDisposition(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"report.pdf", `attachment; filename=report.pdf`},
		{"a b.pdf", `attachment; filename="a b.pdf"`},
		{`évaluation "finale"; x.pdf`, `attachment; filename*=utf-8''%C3%A9valuation%20%22finale%22%3B%20x.pdf`},
		{"تقرير.docx", `attachment; filename*=utf-8''%D8%AA%D9%82%D8%B1%D9%8A%D8%B1.docx`},
	} {
		got := contentDisposition(t, tc.name)
		if got != tc.want {
			t.Errorf("%q: Content-Disposition %s\nwant %s", tc.name, got, tc.want)
		}
		if disp, params, err := mime.ParseMediaType(got); err != nil || disp != "attachment" || params["filename"] != tc.name {
			t.Errorf("%q: %s reads back as %s %q, %v", tc.name, got, disp, params["filename"], err)
		}
	}
}

// contentDisposition is the Content-Disposition download sets for name.
func contentDisposition(t testing.TB, name string) string {
	t.Helper()
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	download(c, name, "application/pdf")
	return c.Writer.Header().Get("Content-Disposition")
}

// FuzzUploadName: whatever name a browser sends, the name kept is one
// element, printable, bounded, and its Content-Disposition is one header
// value that a browser reads back as that name.
func FuzzUploadName(f *testing.F) {
	for _, s := range []string{"a.pdf", `..\..\x`, "a\r\nSet-Cookie: x", "\"", "é", strings.Repeat("ب", 250)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := form.CleanFileName(name)
		if got == "" || strings.ContainsAny(got, "/\"") || utf8.RuneCountInString(got) > form.MaxFileName ||
			strings.ContainsFunc(got, unicode.IsControl) || !utf8.ValidString(got) {
			t.Fatalf("form.CleanFileName(%q) = %q", name, got)
		}
		cd := contentDisposition(t, got)
		disp, params, err := mime.ParseMediaType(cd)
		if strings.ContainsAny(cd, "\r\n") || err != nil || disp != "attachment" || params["filename"] != got || len(params) != 1 {
			t.Fatalf("Content-Disposition for %q: %q reads back as %s %q, %v", got, cd, disp, params, err)
		}
	})
}
