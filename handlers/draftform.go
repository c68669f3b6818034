package handlers

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gabriel-vasile/mimetype"
	"github.com/gin-gonic/gin"

	"portal/forms"
	"portal/forms/archive"
)

// A section's form names its inputs after the draft's field keys (see
// forms.AnswerField and forms.CellField):
//
//	q/<question>        the answer (a text, a choice, the files kept)
//	o/<question>        the "other, please specify" text of a choice
//	u/<question>        new files for a file question
//	c/<q>/<row>/<y>/<c> a cell's figure, as typed
//	s/<q>/<row>/<y>/<c> a cell's state: "" (a figure), "na", "nap"
//	n/<q>/<row>/<y>/<c> a cell's note
//	f/<q>/<row>/<y>/<c> a cell's flags: national, provisional, estimate
//	x/<finding>         the explanation of a warning
//
// The form always carries every field of its section, so a save covers
// them all; forms.Merge leaves alone those the user did not change. The
// page's script adds two names:
//
//	fields              (autosave) the fields the post covers: only those
//	                    the user changed since their content was last saved
//	v/<field>           the draft version a field's content started from,
//	                    when the script saved it since the page was loaded
//
// so that a page that autosaved some fields does not send the others, as
// loaded, against a newer version (which would undo what others saved).

// Cell states as the form writes them.
const (
	formNotAvailable  = "na"
	formNotApplicable = "nap"
)

// cellFlagNames are the form's names of the cell flags, in their order.
var cellFlagNames = []struct {
	name string
	flag forms.CellFlags
}{
	{"national", forms.FlagNationalDefinition},
	{"provisional", forms.FlagProvisional},
	{"estimate", forms.FlagEstimate},
}

// Limits on what a form may carry, beyond the questionnaire's own.
const (
	maxExplanation     = 2000 // characters of an explanation
	maxCellNote        = 1000 // characters of a cell's note
	maxExplanationKeys = 5000 // explanations in one form
	maxFileName        = 200  // characters kept of an uploaded file's name
)

// formInput is a section's form as the user sent it: the edit to save,
// and what could not be read, with the text as typed so that the page can
// show it again.
type formInput struct {
	edit forms.Edit
	// errs are the inputs that could not be read, by field key, each the
	// catalogue ID of what to do and its data; those fields are left out of
	// the edit, so that what was saved stays.
	errs map[string]inputError
	// typed holds the text of every cell and number as typed, by field key.
	typed map[string]string
	// only, when not nil, holds the fields the post covers (see "fields").
	only map[string]bool
}

type inputError struct {
	id   string
	data map[string]any
}

// readSection reads the form of one section of q. lang is the language
// the page was in, which figures are written in.
func readSection(c *gin.Context, q *forms.Questionnaire, sec *forms.Section, years []int, lang forms.Language) formInput {
	in := formInput{errs: map[string]inputError{}, typed: map[string]string{}}
	in.edit.Base, _ = strconv.Atoi(c.PostForm("version"))
	form := c.Request.PostForm
	if list, ok := form["fields"]; ok {
		in.only = make(map[string]bool, len(list))
		for _, f := range list {
			in.only[f] = true
		}
	}
	a := &in.edit.Answers
	a.Values, a.Cells, a.Explanations = map[string]forms.Answer{}, map[forms.CellRef]forms.Cell{}, map[string]string{}
	for i := range sec.Questions {
		qq := &sec.Questions[i]
		if qq.Kind == forms.StatTable {
			readTable(c, q, qq, years, lang, &in)
			continue
		}
		field := forms.AnswerField(qq.Key)
		if !in.covers(field) {
			continue
		}
		ans, err := readAnswer(c, qq, lang, &in)
		if err != nil {
			in.errs[field] = *err
			continue
		}
		in.edit.Fields = append(in.edit.Fields, field)
		a.Values[qq.Key] = ans
	}
	n := 0
	for name, vals := range form {
		key, ok := strings.CutPrefix(name, "x/")
		if !ok || key == "" || len(key) > 300 || len(vals) == 0 || !in.covers(name) {
			continue
		}
		if n++; n > maxExplanationKeys {
			break
		}
		text := cleanText(vals[0])
		field := forms.ExplanationField(key)
		if utf8.RuneCountInString(text) > maxExplanation {
			in.errs[field] = inputError{id: "input.explanation.toolong", data: map[string]any{"Count": maxExplanation}}
			in.typed[field] = text
			continue
		}
		in.edit.Fields = append(in.edit.Fields, field)
		a.Explanations[key] = text
	}
	for _, f := range in.edit.Fields {
		v, ok := form["v/"+f]
		if !ok || len(v) == 0 {
			continue
		}
		if b, err := strconv.Atoi(v[0]); err == nil {
			if in.edit.FieldBases == nil {
				in.edit.FieldBases = map[string]int{}
			}
			in.edit.FieldBases[f] = b
		}
	}
	return in
}

// covers says whether the form covers field: every field, unless the post
// lists the ones it carries.
func (in *formInput) covers(field string) bool { return in.only == nil || in.only[field] }

// readAnswer reads the answer to a question other than a table.
func readAnswer(c *gin.Context, q *forms.Question, lang forms.Language, in *formInput) (forms.Answer, *inputError) {
	name := forms.AnswerField(q.Key)
	var ans forms.Answer
	switch q.Kind {
	case forms.Narrative:
		ans.Text = cleanText(c.PostForm(name))
	case forms.SingleChoice, forms.MultipleChoice:
		for _, v := range c.PostFormArray(name) {
			if v != "" {
				ans.Choices = append(ans.Choices, v)
			}
		}
		// Kept even when "other" is not ticked: nothing typed is dropped.
		ans.Text = cleanText(c.PostForm("o/" + q.Key))
	case forms.YesNo:
		switch c.PostForm(name) {
		case "yes":
			ans.Bool = ptr(true)
		case "no":
			ans.Bool = ptr(false)
		}
	case forms.Date:
		ans.Date = strings.TrimSpace(c.PostForm(name))
	case forms.Number:
		s := strings.TrimSpace(c.PostForm(name))
		in.typed[name] = s
		if s == "" {
			break
		}
		x, err := parseNumber(s, lang)
		if err != nil {
			return ans, err
		}
		ans.Number = &x
	case forms.Attachment:
		for _, v := range c.PostFormArray(name) {
			id, err := strconv.ParseInt(v, 10, 64)
			if err == nil && id > 0 && !slices.Contains(ans.Files, id) {
				ans.Files = append(ans.Files, id)
			}
		}
	}
	return ans, nil
}

// parseNumber reads a number question's answer: a count as the language
// writes it, or a decimal with the language's decimal mark.
func parseNumber(s string, lang forms.Language) (float64, *inputError) {
	if n, why := forms.ParseCount(s, lang); why == "" {
		return float64(n), nil
	} else if why == forms.CountNegative {
		return 0, &inputError{id: "input.number.negative"}
	}
	t := strings.ReplaceAll(s, " ", "")
	if lang == forms.French || lang == forms.Spanish || lang == forms.Russian {
		t = strings.ReplaceAll(t, ",", ".")
	}
	x, err := strconv.ParseFloat(t, 64)
	if err != nil || strings.ContainsAny(t, "eEinfINFxXpP_") {
		return 0, &inputError{id: "input.number.invalid"}
	}
	return x, nil
}

// readTable reads every cell of a table question for the call's years.
func readTable(c *gin.Context, q *forms.Questionnaire, tq *forms.Question, years []int, lang forms.Language, in *formInput) {
	cols := q.Columns(tq.Table)
	for _, row := range tq.Table.Rows {
		for _, y := range years {
			for _, col := range cols {
				ref := forms.CellRef{Question: tq.Key, Row: row.Key, Year: y, Category: col}
				field := forms.CellField(ref)
				if !in.covers(field) {
					continue
				}
				cell, err := readCell(c, field, lang, in)
				if err != nil {
					in.errs[field] = *err
					continue
				}
				in.edit.Fields = append(in.edit.Fields, field)
				if cell != (forms.Cell{}) {
					in.edit.Answers.Cells[ref] = cell
				}
			}
		}
	}
}

// readCell reads a cell: its figure, or its state, with its note and flags.
func readCell(c *gin.Context, field string, lang forms.Language, in *formInput) (forms.Cell, *inputError) {
	rest := field[2:]
	typed := strings.TrimSpace(c.PostForm(field))
	in.typed[field] = typed
	var cell forms.Cell
	cell.Note = cleanText(c.PostForm("n/" + rest))
	for _, f := range c.PostFormArray("f/" + rest) {
		for _, fl := range cellFlagNames {
			if f == fl.name {
				cell.Flags |= fl.flag
			}
		}
	}
	if utf8.RuneCountInString(cell.Note) > maxCellNote {
		return cell, &inputError{id: "input.note.toolong", data: map[string]any{"Count": maxCellNote}}
	}
	switch state := c.PostForm("s/" + rest); state {
	case formNotAvailable, formNotApplicable:
		if typed != "" {
			return cell, &inputError{id: "input.count.both"}
		}
		cell.State = forms.CellNotAvailable
		if state == formNotApplicable {
			cell.State = forms.CellNotApplicable
		}
		return cell, nil
	}
	if typed == "" {
		return cell, nil // blank: not zero
	}
	n, why := forms.ParseCount(typed, lang)
	if why != "" {
		return cell, &inputError{id: "input.count." + why, data: map[string]any{"Typed": typed}}
	}
	cell.State, cell.Value = forms.CellValue, n
	return cell, nil
}

// cleanText normalizes what a browser sends for a text: line ends as
// "\n", no control characters but line ends and tabs, no NUL.
func cleanText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if !strings.ContainsFunc(s, func(r rune) bool { return r != '\n' && r != '\t' && unicode.IsControl(r) || r == utf8.RuneError }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == '\r' {
			return '\n'
		}
		if r != '\n' && r != '\t' && unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
}

func ptr[T any](v T) *T { return &v }

// maxFormMemory is what a multipart form may hold of its files in memory;
// the rest of them wait in temporary files. Go's reader holds at most
// 10 MB more of the other fields, so a form takes at most 11 MB of memory
// while it is read (the request's body is bounded by limitBody).
const maxFormMemory = 1 << 20

// DefaultDraftFilesMaxBytes is what the files a draft holds may weigh
// together, unless Options.DraftFilesMaxBytes says otherwise.
const DefaultDraftFilesMaxBytes = 100 << 20

func (s *Server) draftFileQuota() int64 {
	if s.opts.DraftFilesMaxBytes > 0 {
		return s.opts.DraftFilesMaxBytes
	}
	return DefaultDraftFilesMaxBytes
}

// saveForm saves a section's form within the draft's file quota. When its
// uploads would take the draft beyond it, the form is saved without them
// and each is reported at its question, so that nothing typed is lost.
func (s *Server) saveForm(ctx context.Context, dc *scope, in *formInput, actor forms.Actor) (forms.SaveResult, error) {
	quota := s.draftFileQuota()
	in.edit.FileQuota = quota
	res, err := s.store.SaveDraft(ctx, dc.call, dc.ref, in.edit, actor)
	if len(in.edit.Uploads) == 0 || !errors.Is(err, forms.ErrFileQuota) {
		return res, err
	}
	for _, up := range in.edit.Uploads {
		in.errs["u/"+up.Question] = inputError{id: "input.file.quota", data: map[string]any{"Name": up.Name, "MaxMB": quota >> 20}}
	}
	in.edit.Uploads = nil
	return s.store.SaveDraft(ctx, dc.call, dc.ref, in.edit, actor)
}

// maxFilesPerSave bounds the files one save may carry, all file questions
// of the section together; the form's help says so.
const maxFilesPerSave = 3

// Bounds on what an office document (a zip archive) may unpack to, read
// from its central directory before it is stored: what a reader opening it
// would have to inflate, and how many parts it has.
const (
	maxInflatedBytes = 100 << 20
	maxZipEntries    = 5000
)

// readUploads reads the files sent for the section's file questions: each
// within its question's size limit and of a type it accepts, judged from
// the content, never from the name or what the browser claims. A refused
// file is reported at its question and not stored. More than
// maxFilesPerSave files in one save are all refused.
func readUploads(c *gin.Context, sec *forms.Section, in *formInput) {
	mf := c.Request.MultipartForm
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
	if n > maxFilesPerSave {
		for key := range sent {
			in.errs["u/"+key] = inputError{id: "input.file.toomany", data: map[string]any{"Max": maxFilesPerSave}}
		}
		return
	}
	for i := range sec.Questions {
		q := &sec.Questions[i]
		for _, fh := range sent[q.Key] {
			up, err := readUpload(q, fh)
			if err != nil {
				in.errs["u/"+q.Key] = *err
				continue
			}
			in.edit.Uploads = append(in.edit.Uploads, up)
		}
	}
}

func readUpload(q *forms.Question, fh *multipart.FileHeader) (forms.Upload, *inputError) {
	name := cleanFileName(fh.Filename)
	limit := q.MaxBytes
	if limit <= 0 {
		limit = 10 << 20
	}
	if fh.Size > limit {
		return forms.Upload{}, &inputError{id: "input.file.toolarge", data: map[string]any{"Name": name, "MaxMB": limit >> 20}}
	}
	if fh.Size == 0 {
		return forms.Upload{}, &inputError{id: "input.file.empty", data: map[string]any{"Name": name}}
	}
	f, err := fh.Open()
	if err != nil {
		return forms.Upload{}, &inputError{id: "input.file.unreadable", data: map[string]any{"Name": name}}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil || int64(len(data)) > limit {
		return forms.Upload{}, &inputError{id: "input.file.unreadable", data: map[string]any{"Name": name}}
	}
	mt := mimetype.Detect(data)
	if !accepts(q.Accept, mt) {
		return forms.Upload{}, &inputError{id: "input.file.type", data: map[string]any{"Name": name}}
	}
	if isKind(mt, "application/zip") {
		if id := checkArchive(data); id != "" {
			return forms.Upload{}, &inputError{id: id, data: map[string]any{"Name": name, "MaxMB": maxInflatedBytes >> 20}}
		}
	}
	// Office 97-2003 files (.doc, .xls, .ppt) keep a VBA project in a
	// storage whose name, in UTF-16, is the same in each of them.
	if isKind(mt, "application/x-ole-storage") && bytes.Contains(data, vbaProjectName) {
		return forms.Upload{}, &inputError{id: "input.file.macro", data: map[string]any{"Name": name}}
	}
	ct, _, _ := strings.Cut(mt.String(), ";")
	return forms.Upload{Question: q.Key, Name: cleanFileName(withExtension(name, mt)), ContentType: ct, Data: data}, nil
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
// control or format characters or path separators, at most maxFileName characters.
func cleanFileName(name string) string {
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
	if utf8.RuneCountInString(name) > maxFileName {
		r := []rune(name)
		ext := path.Ext(name)
		if utf8.RuneCountInString(ext) > 20 {
			ext = ""
		}
		name = string(r[:maxFileName-utf8.RuneCountInString(ext)]) + ext
	}
	return name
}

// contentDisposition is an attachment's Content-Disposition: the name in
// ASCII for old clients and in UTF-8 (RFC 6266) for the others.
func contentDisposition(name string) string {
	var ascii bytes.Buffer
	for _, r := range name {
		switch {
		case r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' || r == ';':
			ascii.WriteByte('_')
		default:
			ascii.WriteRune(r)
		}
	}
	var enc strings.Builder
	for _, b := range []byte(name) {
		if 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || strings.IndexByte("!#$&+-.^_`|~", b) >= 0 {
			enc.WriteByte(b)
		} else {
			fmt.Fprintf(&enc, "%%%02X", b)
		}
	}
	return `attachment; filename="` + ascii.String() + `"; filename*=UTF-8''` + enc.String()
}
