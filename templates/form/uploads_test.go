package form

import (
	"bytes"
	"io"
	"mime/multipart"
	"strings"
	"testing"

	"portal/forms"
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
		if got := CleanFileName(in); got != want {
			t.Errorf("CleanFileName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestOfficeBinaryMacros: an Office 97-2003 file (a compound file) with a
// VBA project is refused; one without is accepted, for a question that
// accepts such files.
func TestOfficeBinaryMacros(t *testing.T) {
	q := &forms.Question{Key: "d", Kind: forms.Attachment, MaxBytes: 1 << 20, Accept: []string{"application/x-ole-storage"}}
	ole := "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + strings.Repeat("\x00", 504)
	for _, tc := range []struct{ name, content, wantErr string }{
		{"plain.doc", ole + "R\x00o\x00o\x00t\x00", ""},
		{"macros.doc", ole + "_\x00V\x00B\x00A\x00_\x00P\x00R\x00O\x00J\x00E\x00C\x00T\x00", "input.file.macro"},
	} {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		fw, _ := w.CreateFormFile("u/d", tc.name)
		io.WriteString(fw, tc.content)
		w.Close()
		form, err := multipart.NewReader(&body, w.Boundary()).ReadForm(1 << 20)
		if err != nil {
			t.Fatal(err)
		}
		up, ierr := readUpload(q, form.File["u/d"][0])
		switch {
		case tc.wantErr == "" && ierr != nil:
			t.Errorf("%s refused: %s", tc.name, ierr.ID)
		case tc.wantErr == "" && up.ContentType != "application/x-ole-storage":
			t.Errorf("%s stored as %q", tc.name, up.ContentType)
		case tc.wantErr != "" && (ierr == nil || ierr.ID != tc.wantErr):
			t.Errorf("%s: %v, want %s", tc.name, ierr, tc.wantErr)
		}
		form.RemoveAll()
	}
}
