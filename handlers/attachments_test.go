package handlers

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"hash/crc32"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// zipPart is a part of an office document: its name and content, or
// inflated bytes of zeros.
type zipPart struct {
	name    string
	content string
	zeros   int64
}

// officeFile writes a zip archive of the parts, compressed. Parts of
// zeros are written as one compressed megabyte repeated (a deflate stream
// of non-final blocks may be), so that a large one costs little to make.
func officeFile(t testing.TB, parts ...zipPart) string {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, p := range parts {
		if p.zeros > 0 {
			mb := make([]byte, 1<<20)
			var chunk bytes.Buffer
			fw, _ := flate.NewWriter(&chunk, flate.BestCompression)
			fw.Write(mb)
			fw.Flush()
			n := int(p.zeros >> 20)
			sum := uint32(0)
			for range n {
				sum = crc32.Update(sum, crc32.IEEETable, mb)
			}
			data := append(bytes.Repeat(chunk.Bytes(), n), 3, 0) // and an empty final block
			f, err := w.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Deflate, CRC32: sum,
				CompressedSize64: uint64(len(data)), UncompressedSize64: uint64(n) << 20})
			if err != nil {
				t.Fatal(err)
			}
			f.Write(data)
			continue
		}
		method := zip.Deflate
		if p.name == "mimetype" || p.content == "" {
			method = zip.Store // as OpenDocument requires of its mimetype
		}
		f, err := w.CreateHeader(&zip.FileHeader{Name: p.name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(f, p.content)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

const docxTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`

const docmTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>`

const wordDocument = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Good practice</w:t></w:r></w:p></w:body></w:document>`

// docx is a Word document with the parts given after its own.
func docx(t testing.TB, types string, more ...zipPart) string {
	return officeFile(t, append([]zipPart{{name: "[Content_Types].xml", content: types}, {name: "word/document.xml", content: wordDocument}}, more...)...)
}

// TestAttachmentsRefused: what an office document hides, and too many
// files at once, are refused at the question with a message; the rest of
// the form is saved and no file is stored.
func TestAttachmentsRefused(t *testing.T) {
	base, cs := signedIn(t, "demo-fp-aut")
	c := cs[0]
	section := base + "/orgs/AUT/calls/" + demoCall("tourism-views").Key + "/good_practices"
	pdf := "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
	many := make([]zipPart, 0, 5001)
	for i := range 5001 { // beyond maxZipEntries
		many = append(many, zipPart{name: "word/media/p" + strconv.Itoa(i) + ".xml"})
	}
	big := "%PDF-1.4\n" + strings.Repeat("x", 99<<20/10-9) // 9.9 MB
	for _, tc := range []struct {
		name  string
		files []formFile
		want  string
	}{
		{"a .docm: Word with a VBA project", []formFile{{"u/good_practice_documents", "plan.docm",
			docx(t, docmTypes, zipPart{name: "word/vbaProject.bin", content: "\xd0\xcf\x11\xe0 macros"})}},
			"“plan.docm” contains macros"},
		{"a VBA project under another content type", []formFile{{"u/good_practice_documents", "plan.docx",
			docx(t, docxTypes, zipPart{name: "word/vbaProject.bin", content: "\xd0\xcf\x11\xe0 macros"})}},
			"“plan.docx” contains macros"},
		{"a macro-enabled content type, no project", []formFile{{"u/good_practice_documents", "plan.docx", docx(t, docmTypes)}},
			"“plan.docx” contains macros"},
		{"an OpenDocument text with Basic", []formFile{{"u/good_practice_documents", "plan.odt", officeFile(t,
			zipPart{name: "mimetype", content: "application/vnd.oasis.opendocument.text"},
			zipPart{name: "content.xml", content: "<office:document-content/>"},
			zipPart{name: "Basic/Standard/Module1.xml", content: "<script:module/>"})}},
			"“plan.odt” contains macros"},
		{"a DOCX that inflates to 500 MB", []formFile{{"u/good_practice_documents", "bomb.docx",
			docx(t, docxTypes, zipPart{name: "word/media/image1.bin", zeros: 500 << 20})}},
			"“bomb.docx” unpacks to more than 100 MB"},
		{"a DOCX of too many parts", []formFile{{"u/good_practice_documents", "parts.docx", docx(t, docxTypes, many...)}},
			"“parts.docx” unpacks to more than 100 MB, or into too many parts"},
		{"five 9.9 MB files in one save", []formFile{
			{"u/good_practice_documents", "1.pdf", big}, {"u/good_practice_documents", "2.pdf", big}, {"u/good_practice_documents", "3.pdf", big},
			{"u/good_practice_documents", "4.pdf", big}, {"u/good_practice_documents", "5.pdf", pdf}},
			"send at most 3 files in one save"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := formOf(t, do(t, c, "GET", section, nil).body)
			form.Set("q/good_practices", "Saved with "+tc.name+".")
			r := postFiles(t, c, section, form, tc.files...)
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, tc.want) {
				t.Fatalf("%d, want 422 with %q\n%s", r.status, tc.want, r.body)
			}
			page := do(t, c, "GET", section, nil)
			got := formOf(t, page.body)
			if got.Get("q/good_practices") != "Saved with "+tc.name+"." || len(got["q/good_practice_documents"]) != 0 {
				t.Errorf("after the refusal: %q, files %v", got.Get("q/good_practices"), got["q/good_practice_documents"])
			}
		})
	}
	// A plain Word document goes through.
	form := formOf(t, do(t, c, "GET", section, nil).body)
	r := postFiles(t, c, section, form, formFile{"u/good_practice_documents", "plan.docx", docx(t, docxTypes)})
	if r.status != http.StatusSeeOther {
		t.Errorf("a plain .docx: %d\n%s", r.status, r.body)
	}
}

// TestAttachmentNames: the stored name carries the extension of what the
// file is, and no format characters that make it read otherwise.
func TestAttachmentNames(t *testing.T) {
	base, cs := signedIn(t, "demo-fp-aut")
	c := cs[0]
	section := base + "/orgs/AUT/calls/" + demoCall("tourism-views").Key + "/good_practices"
	pdf := "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
	for _, tc := range []struct{ sent, content, want, wantType string }{
		{"report.html", pdf, "report.pdf", "application/pdf"},
		{"report", pdf, "report.pdf", "application/pdf"},
		{"Report.PDF", pdf, "Report.PDF", "application/pdf"},
		{"annex.pdf", docx(t, docxTypes), "annex.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"invoice\u202efdp.exe", pdf, "invoicefdp.pdf", "application/pdf"},
		{"plan\u200b\u2066 final\u2069\u200f.pdf", pdf, "plan final.pdf", "application/pdf"},
	} {
		form := formOf(t, do(t, c, "GET", section, nil).body)
		delete(form, "q/good_practice_documents")
		if r := postFiles(t, c, section, form, formFile{"u/good_practice_documents", tc.sent, tc.content}); r.status != http.StatusSeeOther {
			t.Fatalf("%q: %d\n%s", tc.sent, r.status, r.body)
		}
		page := do(t, c, "GET", section, nil)
		m := regexp.MustCompile(`<a href="(/orgs/AUT/files/\d+)">([^<]*)</a>`).FindStringSubmatch(page.body)
		if m == nil || m[2] != tc.want {
			t.Errorf("%q listed as %q, want %q", tc.sent, m, tc.want)
			continue
		}
		r := do(t, c, "GET", base+m[1], nil)
		_, params, _ := mime.ParseMediaType(r.header.Get("Content-Disposition"))
		if r.header.Get("Content-Type") != tc.wantType || params["filename"] != tc.want {
			t.Errorf("%q downloaded as %s, %s", tc.sent, r.header.Get("Content-Type"), r.header.Get("Content-Disposition"))
		}
	}
}

// TestAttachmentQuota: the help states the bounds; a file beyond the
// draft's quota is refused with the rest of the form saved; a file taken
// out of the answer is deleted, which makes room again.
func TestAttachmentQuota(t *testing.T) {
	ts, s := startServer(t, nil)
	s.opts.DraftFilesMaxBytes = 1 << 20
	c := clientAs(t, ts.URL, "demo-fp-aut")
	section := ts.URL + "/orgs/AUT/calls/" + demoCall("tourism-views").Key + "/good_practices"
	pdf := "%PDF-1.4\n" + strings.Repeat("x", 600<<10)
	page := do(t, c, "GET", section, nil)
	if !strings.Contains(page.body, "Up to 10 MB per file and 3 files per save; all the files of this draft together up to 1 MB.") {
		t.Error("the help does not state the bounds")
	}
	form := formOf(t, page.body)
	if r := postFiles(t, c, section, form, formFile{"u/good_practice_documents", "first.pdf", pdf}); r.status != http.StatusSeeOther {
		t.Fatalf("first file: %d\n%s", r.status, r.body)
	}
	page = do(t, c, "GET", section, nil)
	first := regexp.MustCompile(`<a href="(/orgs/AUT/files/\d+)">first.pdf</a>`).FindStringSubmatch(page.body)
	if first == nil {
		t.Fatal("the first file is not listed")
	}
	form = formOf(t, page.body)
	form.Set("q/good_practices", "Typed with the second file.")
	r := postFiles(t, c, section, form, formFile{"u/good_practice_documents", "second.pdf", pdf})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "“second.pdf” was not saved: all the files of this draft together may take up to 1 MB.") {
		t.Fatalf("beyond the quota: %d\n%s", r.status, r.body)
	}
	page = do(t, c, "GET", section, nil)
	if got := formOf(t, page.body); got.Get("q/good_practices") != "Typed with the second file." || len(got["q/good_practice_documents"]) != 1 {
		t.Errorf("after the refused file: %v", got)
	}
	// Taking the first file out deletes it, and the second then fits.
	form = formOf(t, page.body)
	delete(form, "q/good_practice_documents")
	if r := postFiles(t, c, section, form, formFile{"u/good_practice_documents", "second.pdf", pdf}); r.status != http.StatusSeeOther {
		t.Fatalf("replacing the file: %d\n%s", r.status, r.body)
	}
	if r := do(t, c, "GET", ts.URL+first[1], nil); r.status != http.StatusNotFound {
		t.Errorf("the file taken out: %d, want 404", r.status)
	}
	if page = do(t, c, "GET", section, nil); !strings.Contains(page.body, ">second.pdf</a>") || strings.Contains(page.body, ">first.pdf</a>") {
		t.Error("second.pdf is not the file listed")
	}
}

// formFile is a file a form sends: the input's name, the file's name and content.
type formFile struct{ field, name, content string }

// multipartBody encodes values and files (several to an input when it
// repeats) as a browser posts a form with files, and returns the body
// with its content type.
func multipartBody(t testing.TB, values url.Values, files ...formFile) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range values {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range files {
		fw, err := w.CreateFormFile(f.field, f.name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(fw, f.content)
	}
	w.Close()
	return &buf, w.FormDataContentType()
}

// postFiles posts values and files to target as a browser posts a form
// with files.
func postFiles(t *testing.T, c *http.Client, target string, values url.Values, files ...formFile) response {
	t.Helper()
	body, ct := multipartBody(t, values, files...)
	req, _ := http.NewRequestWithContext(context.Background(), "POST", target, body)
	req.Header.Set("Content-Type", ct)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, string(b)}
}

// postMultipart is postFiles with one file per input: files maps an
// input's name to a file name and its content.
func postMultipart(t *testing.T, c *http.Client, target string, values url.Values, files map[string][2]string) response {
	t.Helper()
	var fs []formFile
	for k, f := range files {
		fs = append(fs, formFile{k, f[0], f[1]})
	}
	return postFiles(t, c, target, values, fs...)
}

func TestDraftAttachments(t *testing.T) {
	base, cs := signedIn(t, "demo-fp-aut", "demo-fp-ken")
	c, ken := cs[0], cs[1]
	views := demoCall("tourism-views")
	section := base + "/orgs/AUT/calls/" + views.Key + "/good_practices"
	post := func(form url.Values, files map[string][2]string) response {
		return postMultipart(t, c, section, form, files)
	}
	page := do(t, c, "GET", section, nil)
	if !strings.Contains(page.body, `enctype="multipart/form-data"`) {
		t.Fatal("the section with a file question is not a multipart form")
	}
	pdf := "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
	form := formOf(t, page.body)
	form.Set("q/good_practices", "Joint patrols with hotel associations.")
	r := post(form, map[string][2]string{"u/good_practice_documents": {`..\..\évaluation "finale".pdf`, pdf}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", r.status, r.body)
	}
	page = do(t, c, "GET", section, nil)
	m := regexp.MustCompile(`<a href="(/orgs/AUT/files/\d+)">([^<]*)</a>`).FindStringSubmatch(page.body)
	if m == nil || m[2] != "évaluation finale.pdf" {
		t.Fatalf("the file is not listed: %v", m)
	}
	r = do(t, c, "GET", base+m[1], nil)
	if r.status != 200 || r.body != pdf || r.header.Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment;") || !strings.Contains(r.header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("download: %d %v", r.status, r.header)
	}
	if r = do(t, ken, "GET", base+m[1], nil); r.status != http.StatusNotFound {
		t.Errorf("another State downloading: %d", r.status)
	}
	// A program renamed .pdf is refused with a message; the text typed is saved.
	form = formOf(t, page.body)
	form.Set("q/good_practices", "Joint patrols, and a hotline.")
	r = post(form, map[string][2]string{"u/good_practice_documents": {"report.pdf", "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "“report.pdf” is not of a type this question accepts") {
		t.Errorf("a program as a PDF: %d", r.status)
	}
	page = do(t, c, "GET", section, nil)
	if got := formOf(t, page.body); got.Get("q/good_practices") != "Joint patrols, and a hotline." || len(got["q/good_practice_documents"]) != 1 {
		t.Errorf("after the refused file: %v", got)
	}
}
