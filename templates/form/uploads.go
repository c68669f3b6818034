package form

import (
	"archive/zip"
	"bytes"
	"io"
	"mime/multipart"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gabriel-vasile/mimetype"

	"portal/forms"
	"portal/forms/archive"
)

// MaxFilesPerSave bounds the files one save may carry, all file questions
// of the section together; the form's help says so.
const MaxFilesPerSave = 3

// Bounds on what an office document (a zip archive) may unpack to, read
// from its central directory before it is stored: what a reader opening it
// would have to inflate, and how many parts it has.
const (
	maxInflatedBytes = 100 << 20
	maxZipEntries    = 5000
)

// ReadUploads reads the files sent for the section's file questions: each
// within its question's size limit and of a type it accepts, judged from
// the content, never from the name or what the browser claims. A refused
// file is reported at its question and not stored. More than
// MaxFilesPerSave files in one save are all refused.
func ReadUploads(mf *multipart.Form, sec *forms.Section, in *Input) {
	if mf == nil {
		return
	}
	sent := map[string][]*multipart.FileHeader{}
	n := 0
	for i := range sec.Questions {
		q := &sec.Questions[i]
		if q.Kind != forms.Attachment {
			continue
		}
		for _, fh := range mf.File["u/"+q.Key] {
			if fh.Size == 0 && fh.Filename == "" {
				continue // the browser's empty file input
			}
			sent[q.Key] = append(sent[q.Key], fh)
			n++
		}
	}
	if n > MaxFilesPerSave {
		for key := range sent {
			in.Errs["u/"+key] = Problem{ID: "input.file.toomany", Data: map[string]any{"Max": MaxFilesPerSave}}
		}
		return
	}
	for i := range sec.Questions {
		q := &sec.Questions[i]
		for _, fh := range sent[q.Key] {
			up, err := readUpload(q, fh)
			if err != nil {
				in.Errs["u/"+q.Key] = *err
				continue
			}
			in.Edit.Uploads = append(in.Edit.Uploads, up)
		}
	}
}

func readUpload(q *forms.Question, fh *multipart.FileHeader) (forms.Upload, *Problem) {
	name := CleanFileName(fh.Filename)
	limit := q.MaxBytes
	if limit <= 0 {
		limit = 10 << 20
	}
	if fh.Size > limit {
		return forms.Upload{}, &Problem{ID: "input.file.toolarge", Data: map[string]any{"Name": name, "MaxMB": limit >> 20}}
	}
	if fh.Size == 0 {
		return forms.Upload{}, &Problem{ID: "input.file.empty", Data: map[string]any{"Name": name}}
	}
	f, err := fh.Open()
	if err != nil {
		return forms.Upload{}, &Problem{ID: "input.file.unreadable", Data: map[string]any{"Name": name}}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil || int64(len(data)) > limit {
		return forms.Upload{}, &Problem{ID: "input.file.unreadable", Data: map[string]any{"Name": name}}
	}
	mt := mimetype.Detect(data)
	if !accepts(q.Accept, mt) {
		return forms.Upload{}, &Problem{ID: "input.file.type", Data: map[string]any{"Name": name}}
	}
	if isKind(mt, "application/zip") {
		if id := checkArchive(data); id != "" {
			return forms.Upload{}, &Problem{ID: id, Data: map[string]any{"Name": name, "MaxMB": maxInflatedBytes >> 20}}
		}
	}
	// Office 97-2003 files (.doc, .xls, .ppt) keep a VBA project in a
	// storage whose name, in UTF-16, is the same in each of them.
	if isKind(mt, "application/x-ole-storage") && bytes.Contains(data, vbaProjectName) {
		return forms.Upload{}, &Problem{ID: "input.file.macro", Data: map[string]any{"Name": name}}
	}
	ct, _, _ := strings.Cut(mt.String(), ";")
	return forms.Upload{Question: q.Key, Name: CleanFileName(withExtension(name, mt)), ContentType: ct, Data: data}, nil
}

// isKind reports whether the sniffed type is t or a kind of it (the
// office formats are kinds of application/zip).
func isKind(mt *mimetype.MIME, t string) bool {
	for m := mt; m != nil; m = m.Parent() {
		if m.Is(t) {
			return true
		}
	}
	return false
}

// vbaProjectName is "_VBA_PROJECT" in UTF-16LE, as a compound file's
// directory names the stream of a VBA project.
var vbaProjectName = []byte("_\x00V\x00B\x00A\x00_\x00P\x00R\x00O\x00J\x00E\x00C\x00T\x00")

// extensionAliases are the other extensions a type's files go by.
var extensionAliases = map[string][]string{
	".jpg":  {".jpeg", ".jpe", ".jfif"},
	".tiff": {".tif"},
	".html": {".htm"},
	".txt":  {".text"},
}

// withExtension gives name the extension of the type its content was
// sniffed as, so that what a download is called says what it is: a
// "report.html" that is a PDF becomes "report.pdf". An extension of the
// type (or one it goes by) is kept as written; another is replaced.
func withExtension(name string, mt *mimetype.MIME) string {
	want := mt.Extension()
	if want == "" {
		return name
	}
	name = strings.TrimRight(name, ". ")
	ext := path.Ext(name)
	if e := strings.ToLower(ext); e == want || slices.Contains(extensionAliases[want], e) {
		return name
	}
	if len(ext) >= 2 && len(ext) <= 9 && !strings.ContainsFunc(ext[1:], func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	}) {
		name = strings.TrimSuffix(name, ext)
	}
	if name == "" {
		name = "file"
	}
	return name + want
}

// checkArchive checks a zip-based file (an office document) from its
// central directory, inflating nothing but its list of content types: it
// returns the catalogue ID of why it is refused, or "" when it is not.
// Refused are archives that are not well formed, that would inflate to
// more than maxInflatedBytes or hold more than maxZipEntries parts, and
// documents with macros: a VBA project (vbaProject.bin), a macro-enabled
// content type (.docm, .xlsm, .pptm and their templates), or the Basic and
// script libraries of an OpenDocument file.
func checkArchive(data []byte) string {
	dir, ok := archive.Walk(data, maxZipEntries)
	if !ok {
		return "input.file.unreadable"
	}
	if dir.Entries > maxZipEntries || dir.Inflated > maxInflatedBytes {
		return "input.file.inflated"
	}
	if dir.Macros {
		return "input.file.macro"
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "input.file.unreadable"
	}
	for _, f := range zr.File {
		if !strings.EqualFold(f.Name, "[Content_Types].xml") {
			continue
		}
		if f.UncompressedSize64 > 1<<20 {
			return "input.file.inflated"
		}
		r, err := f.Open()
		if err != nil {
			return "input.file.unreadable"
		}
		types, err := io.ReadAll(io.LimitReader(r, 1<<20))
		r.Close()
		if err != nil {
			return "input.file.unreadable"
		}
		lower := bytes.ToLower(types)
		if bytes.Contains(lower, []byte("macroenabled")) || bytes.Contains(lower, []byte("vbaproject")) {
			return "input.file.macro"
		}
	}
	return ""
}

// accepts reports whether the sniffed type is one of accept ("type/subtype"
// or "type/*"), itself or as what it is a kind of; zip archives and plain
// text that are not more than that are never taken for documents.
func accepts(accept []string, mt *mimetype.MIME) bool {
	for m := mt; m != nil; m = m.Parent() {
		t, _, _ := strings.Cut(m.String(), ";")
		for _, a := range accept {
			if a == t || strings.HasSuffix(a, "/*") && strings.HasPrefix(t, strings.TrimSuffix(a, "*")) {
				return true
			}
		}
	}
	return false
}

// cleanFileName keeps the last element of an uploaded file's name, without
// control or format characters or path separators, at most MaxFileName characters.
func CleanFileName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(name)
	name = strings.Map(func(r rune) rune {
		// Format characters (Cf: bidi overrides and isolates, zero-width
		// marks) could make a name read other than it is ("…exe.pdf").
		if unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) || r == '/' || r == '"' || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == ".." {
		name = "file"
	}
	if utf8.RuneCountInString(name) > MaxFileName {
		r := []rune(name)
		ext := path.Ext(name)
		if utf8.RuneCountInString(ext) > 20 {
			ext = ""
		}
		name = string(r[:MaxFileName-utf8.RuneCountInString(ext)]) + ext
	}
	return name
}
