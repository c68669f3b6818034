package handlers

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portal/forms"
	"portal/forms/synthetic"
)

// bloated returns workbook data with about n bytes of text cells added at
// the end of the sheet whose name starts with sheet, as a person could add
// them: the zip is written anew, the cells streamed into it.
func bloated(t *testing.T, data []byte, sheet string, n int) []byte {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) []byte {
		for _, f := range z.File {
			if f.Name == name {
				rc, err := f.Open()
				if err != nil {
					t.Fatal(err)
				}
				defer rc.Close()
				b, _ := io.ReadAll(rc)
				return b
			}
		}
		t.Fatalf("no part %s", name)
		return nil
	}
	// The sheet's part: its relationship in the workbook, as excelize writes them.
	book, rels := string(read("xl/workbook.xml")), string(read("xl/_rels/workbook.xml.rels"))
	i := strings.Index(book, `name="`+sheet)
	if i < 0 {
		t.Fatalf("no sheet %s", sheet)
	}
	rid := book[i:]
	rid = rid[strings.Index(rid, `r:id="`)+6:]
	rid = rid[:strings.IndexByte(rid, '"')]
	target := rels[strings.Index(rels, `Id="`+rid+`"`):]
	target = target[strings.Index(target, `Target="`)+8:]
	part := "xl/" + strings.TrimPrefix(target[:strings.IndexByte(target, '"')], "/xl/")

	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range z.File {
		w, _ := zw.Create(f.Name)
		content := read(f.Name)
		if f.Name != part {
			w.Write(content)
			continue
		}
		end := bytes.Index(content, []byte("</sheetData>"))
		w.Write(content[:end])
		for row, written := 1000, 0; written < n; row++ {
			var b strings.Builder
			fmt.Fprintf(&b, `<row r="%d">`, row)
			for c := range 20 {
				fmt.Fprintf(&b, `<c r="%c%d" t="inlineStr"><is><t>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</t></is></c>`, 'A'+c, row)
			}
			b.WriteString("</row>")
			io.WriteString(w, b.String())
			written += b.Len()
		}
		w.Write(content[end:])
	}
	zw.Close()
	return out.Bytes()
}

// TestWorkbookUploadBloated: the portal's workbook with 30 MB of cells added
// to a section's sheet (under the unzipped cap) is refused before it is
// parsed, the page saying which sheet, how large it is and how large the
// questionnaire's may be, in the page's language.
func TestWorkbookUploadBloated(t *testing.T) {
	base, cs := signedIn(t, "demo-fp-aut")
	c := cs[0]
	call := base + "/orgs/AUT/calls/" + demoCall("crime-statistics").Key
	book := do(t, c, "GET", call+"/workbook.xlsx", nil)
	if book.status != 200 {
		t.Fatalf("download: %d", book.status)
	}
	data := bloated(t, []byte(book.body), "Offences and victims", 30<<20)
	r := postWorkbook(t, c, call+"/workbook", data)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("a bloated workbook: %d", r.status)
	}
	for _, want := range []string{"Offences and victims: This sheet takes 30.", "MB unzipped, far more than this questionnaire&#39;s sheet can hold (", "KB at most)"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the problems page lacks %q", want)
		}
	}
	u, _ := url.Parse(base)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: langCookie, Value: "fr"}})
	if r = postWorkbook(t, c, call+"/workbook", data); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Ko au plus") && !strings.Contains(r.body, "KB au plus") {
		t.Errorf("in French: %d, no limit in\n%s", r.status, r.body)
	}
}

// TestWorkbookUploadLocked: once the answers are submitted, an upload is
// refused before the file is read, saying why; the draft is unchanged.
func TestWorkbookUploadLocked(t *testing.T) {
	ts, srv := startServer(t, nil)
	store, call, q := demoCallOf(t, srv, "crime-statistics")
	a := synthetic.Statistics(q, call.Years, "AUT")
	if a.Explanations == nil {
		a.Explanations = map[string]string{}
	}
	for _, f := range forms.Check(q, a, call.Years) {
		a.Explanations[f.Key] = "Figures checked."
	}
	ref := forms.CellRef{Question: "police_offences", Row: "robbery", Year: call.Years[0], Category: "total"}
	want := a.Cells[ref]
	saveAnswers(t, store, call, q, "AUT", a, true)
	c := clientAs(t, ts.URL, "demo-fp-aut")
	target := ts.URL + "/orgs/AUT/calls/" + call.Key
	book := do(t, c, "GET", target+"/workbook.xlsx", nil)
	for name, data := range map[string][]byte{"the draft's workbook": []byte(book.body), "not a workbook": []byte("country,offences\nAUT,12\n")} {
		r := postWorkbook(t, c, target+"/workbook", data)
		if r.status != http.StatusConflict || !strings.Contains(r.body, "The answers were submitted") || !strings.Contains(r.body, "The file was not read") {
			t.Errorf("%s after submitting: %d\n%s", name, r.status, r.body)
		}
	}
	d, err := store.Draft(context.Background(), call, orgRef(t, store, "AUT"))
	if err != nil || d.Answers.Cells[ref] != want {
		t.Errorf("the draft changed: %v %v", d.Answers.Cells[ref], err)
	}
}

// TestWorkbookUploadBusy: uploads beyond the portal's limit, or beyond one
// at a time for a user, are refused at once with a page asking to try
// again in a moment; once the others end, the upload is read.
func TestWorkbookUploadBusy(t *testing.T) {
	ts, srv := startServer(t, nil)
	c := clientAs(t, ts.URL, "demo-fp-aut")
	target := ts.URL + "/orgs/AUT/calls/" + demoCall("crime-statistics").Key
	book := []byte(do(t, c, "GET", target+"/workbook.xlsx", nil).body)
	busy := func(what string) {
		t.Helper()
		r := postWorkbook(t, c, target+"/workbook", book)
		if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" || !strings.Contains(r.body, "Try again in a moment") {
			t.Errorf("%s: %d %v", what, r.status, r.header)
		}
	}
	var held []func()
	for user := range int64(uploadsAtOnce) {
		done, ok := srv.uploads.enter(-1 - user) // other users' uploads
		if !ok {
			t.Fatal("the gate is full already")
		}
		held = append(held, done)
	}
	busy("the portal reading as many uploads as it may")
	for _, done := range held {
		done()
	}
	if r := postWorkbook(t, c, target+"/workbook", book); r.status != http.StatusOK {
		t.Fatalf("once the others ended: %d", r.status)
	}

	users, err := srv.store.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var me int64
	for _, u := range users {
		if u.Subject == "demo-fp-aut" {
			me = u.ID
		}
	}
	if me == 0 {
		t.Fatal("no user demo-fp-aut")
	}
	done, ok := srv.uploads.enter(me) // another upload of the same user
	if !ok {
		t.Fatal("the gate is full")
	}
	busy("the user's other upload being read")
	done()
	if r := postWorkbook(t, c, target+"/workbook", book); r.status != http.StatusOK {
		t.Errorf("once the user's other upload ended: %d", r.status)
	}
}

// TestPopulationUploadBusy: the Office's population tables go through the
// same limit as workbooks.
func TestPopulationUploadBusy(t *testing.T) {
	ts, srv := startServer(t, nil)
	analyst := clientAs(t, ts.URL, "demo-analyst")
	var held []func()
	for user := range int64(uploadsAtOnce) {
		done, ok := srv.uploads.enter(-1 - user)
		if !ok {
			t.Fatal("the gate is full already")
		}
		held = append(held, done)
	}
	table := map[string][2]string{"table": {"populations.csv", "iso3,year,population\nAUT,2023,9100000\n"}}
	r := postMultipart(t, analyst, ts.URL+"/office/populations", url.Values{"source": {"Census"}}, table)
	if r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, "Try again in a moment") {
		t.Errorf("a table while the portal reads as many uploads as it may: %d", r.status)
	}
	for _, done := range held {
		done()
	}
	if r = postMultipart(t, analyst, ts.URL+"/office/populations", url.Values{"source": {"Census"}}, table); r.status == http.StatusServiceUnavailable {
		t.Errorf("once the others ended: %d", r.status)
	}
}
