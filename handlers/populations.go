package handlers

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"portal/forms"
	"portal/forms/export"
	"portal/forms/published"
	"portal/forms/workbook"
	"portal/templates/form"
)

// The Office's population table, for the rates of the States that did not
// report their population: uploaded as CSV or XLSX (columns iso3, year,
// population, and optionally source), checked line by line, and stored
// only when every line is right; downloadable as CSV.

// maxPopulationBytes bounds an uploaded population table.
const maxPopulationBytes = 5 << 20

// populationPageRows is how many of the table's rows a page shows.
const populationPageRows = 100

type populationsPage struct {
	basePage
	Summary   forms.PopulationSummary
	Updated   string
	Source    string
	WPPSource string // the source the WPP form gives its figures
	WPPFormat string
	Result    []string // what the last WPP upload stored and skipped
	Problems  []string
	Table     *populationTable // nil when the table is empty
}

// populationsForm is what a refused upload's page shows again.
type populationsForm struct {
	Source, WPPSource string
	Problems          []string
}

// populationTable is the stored rows the page's search selects, one page
// of them.
type populationTable struct {
	Search   string
	Year     int
	Years    []int // the years the table holds, newest first, for the filter
	Filtered bool
	Found    string // how many rows the search selects, or that none does; empty for the whole table
	Range    string // which of them this page shows, when there is more than one page
	Rows     []populationRow
	Prev     string // URL of the previous page, empty on the first
	Next     string // URL of the next page, empty on the last
	Clear    string // URL of the whole table
}

type populationRow struct {
	Name, Code, Year, Population, Source, Uploaded, By string
	Upload                                             populationUploadRef
	Replaced                                           string // how many earlier figures it replaced; empty for none
	History                                            []populationEarlier
}

// populationUploadRef names an upload: its kind, and its file when it had one.
type populationUploadRef struct{ Kind, File string }

// populationEarlier is an earlier figure of a State and year.
type populationEarlier struct {
	Population, Source, At, By, Replaced string
	Upload                               populationUploadRef
}

// maxWPPBytes bounds an uploaded World Population Prospects CSV (the
// published total population by sex is some 30 MB, 6 MB compressed).
const maxWPPBytes = 50 << 20

// wppKept is the session key of what the last WPP upload stored, for the
// page it is sent back to.
const wppKept = "populations_wpp"

// wppResult is what a WPP upload stored, and what it skipped.
type wppResult struct {
	File                     string
	Figures, States, Skipped int
}

// showPopulations shows the table's summary, the stored rows that the
// search (?q= a State's code or name, ?year=) selects, a page (?page=) at a
// time, and the upload form.
func (s *Server) showPopulations(c *gin.Context) error {
	return s.renderPopulations(c, populationsForm{}, http.StatusOK)
}

func (s *Server) renderPopulations(c *gin.Context, f populationsForm, status int) error {
	sum, err := s.store.PopulationSummary(c.Request.Context())
	if err != nil {
		return err
	}
	p := &populationsPage{basePage: s.newBase(c), Summary: sum, Problems: f.Problems, Source: f.Source, WPPSource: f.WPPSource}
	p.Title = p.T("populations.title")
	if p.WPPSource == "" {
		p.WPPSource = p.T("populations.wpp.source.default")
	}
	p.WPPFormat = p.Tf("populations.wpp.format", map[string]any{"Max": p.Megabytes(maxWPPBytes)})
	var res wppResult
	if status == http.StatusOK && s.kept(c, wppKept, &res, true) {
		count := func(n int) string { return forms.FormatCount(int64(n), p.Lang) }
		p.Result = append(p.Result, p.Tf("populations.wpp.stored", map[string]any{"File": res.File,
			"Figures": p.Tn("populations.summary.figures", res.Figures, map[string]any{"Count": count(res.Figures)}),
			"States":  p.Tn("populations.summary.states", res.States, map[string]any{"Count": count(res.States)})}))
		if res.Skipped > 0 {
			p.Result = append(p.Result, p.Tn("populations.wpp.skipped", res.Skipped, map[string]any{"Count": count(res.Skipped)}))
		}
	}
	if sum.Rows > 0 {
		p.Updated = p.Tf("populations.summary", map[string]any{"Rows": p.Tn("populations.summary.figures", sum.Rows, nil), "States": p.Tn("populations.summary.states", sum.States, nil), "First": sum.FirstYear, "Last": sum.LastYear,
			"At": p.Timestamp(sum.UpdatedAt), "By": sum.UpdatedBy})
		if p.Table, err = s.populationTable(c, &p.basePage, sum); err != nil {
			return err
		}
	}
	s.render(c, status, "populations", p)
	return nil
}

// populationTable reads the page of the table that the request's query asks
// for. A year or page that is not a number is ignored.
func (s *Server) populationTable(c *gin.Context, p *basePage, sum forms.PopulationSummary) (*populationTable, error) {
	t := &populationTable{Search: strings.TrimSpace(c.Query("q")), Clear: "/office/populations"}
	if y, err := strconv.Atoi(c.Query("year")); err == nil && y >= sum.FirstYear && y <= sum.LastYear {
		t.Year = y
	}
	for y := sum.LastYear; y >= sum.FirstYear && sum.FirstYear > 0; y-- {
		t.Years = append(t.Years, y)
	}
	t.Filtered = t.Search != "" || t.Year != 0
	page, err := strconv.Atoi(c.Query("page"))
	if err != nil || page < 1 {
		page = 1
	}
	offset := (page - 1) * populationPageRows
	found, err := s.store.FindPopulations(c.Request.Context(), forms.PopulationFilter{
		Search: t.Search, Year: t.Year, Lang: p.Lang, Offset: offset, Limit: populationPageRows})
	if err != nil {
		return nil, err
	}
	count := func(n int) string { return forms.FormatCount(int64(n), p.Lang) }
	switch {
	case found.Total == 0:
		t.Found = p.T("populations.none")
	case len(found.Rows) == 0:
		t.Found = p.T("populations.nopage")
	case t.Filtered:
		t.Found = p.Tn("populations.found", found.Total, map[string]any{"Count": count(found.Total)})
	}
	if found.Total > populationPageRows && len(found.Rows) > 0 {
		t.Range = p.Tf("populations.range", map[string]any{"First": count(offset + 1), "Last": count(offset + len(found.Rows)), "Total": count(found.Total)})
	}
	link := func(page int) string {
		q := url.Values{}
		if t.Search != "" {
			q.Set("q", t.Search)
		}
		if t.Year != 0 {
			q.Set("year", strconv.Itoa(t.Year))
		}
		if page > 1 {
			q.Set("page", strconv.Itoa(page))
		}
		if len(q) == 0 {
			return "/office/populations#population-rows"
		}
		return "/office/populations?" + q.Encode() + "#population-rows"
	}
	if page > 1 && found.Total > 0 {
		// Past the last page, "previous" leads to the last one.
		t.Prev = link(min(page-1, (found.Total+populationPageRows-1)/populationPageRows))
	}
	if offset+len(found.Rows) < found.Total && len(found.Rows) > 0 {
		t.Next = link(page + 1)
	}
	for _, r := range found.Rows {
		row := populationRow{Name: r.State.Name.In(p.Lang), Code: r.State.Code, Year: strconv.Itoa(r.Year),
			Population: forms.FormatCount(r.Population, p.Lang), Source: r.Source, Uploaded: p.Timestamp(r.UpdatedAt), By: r.UpdatedBy,
			Upload: uploadRef(p, r.Upload)}
		if r.Replaced > 0 {
			row.Replaced = p.Tn("populations.replaced", r.Replaced, map[string]any{"Count": count(r.Replaced)})
		}
		for _, h := range r.History {
			row.History = append(row.History, populationEarlier{Population: forms.FormatCount(h.Population, p.Lang), Source: h.Source,
				At: p.Timestamp(h.UpdatedAt), By: h.UpdatedBy, Replaced: p.Timestamp(h.ReplacedAt), Upload: uploadRef(p, h.Upload)})
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

// uploadRef names an upload in the page's language.
func uploadRef(p *basePage, u forms.PopulationUpload) populationUploadRef {
	switch u.Kind {
	case forms.PopulationUploadTable, forms.PopulationUploadWPP:
		return populationUploadRef{Kind: p.T("populations.kind." + u.Kind), File: u.FileName}
	}
	return populationUploadRef{Kind: p.T("populations.kind.none")}
}

// tableProblems are the messages of an upload's problems, each with its
// line: the first forms.MaxTableProblems, and how many more there are.
func tableProblems(base *basePage, problems []forms.TableProblem, total int) []string {
	msgs := make([]string, 0, min(len(problems), forms.MaxTableProblems)+1)
	for i, pr := range problems {
		if i == forms.MaxTableProblems {
			break
		}
		msgs = append(msgs, base.Tf("populations.line", map[string]any{"Line": pr.Line})+" "+
			base.Tf("table.error."+pr.Reason, map[string]any{"Column": pr.Column, "Value": pr.Value,
				"Min": forms.FormatCount(forms.MinPopulation, base.Lang), "Max": forms.FormatCount(forms.MaxPopulation, base.Lang)}))
	}
	if more := total - len(msgs); more > 0 {
		msgs = append(msgs, base.Tf("populations.error.more", map[string]any{"Count": more}))
	}
	return msgs
}

// uploadPopulations reads an uploaded table and stores it when every line
// is right; otherwise it lists every problem with its line, and nothing
// changes.
func (s *Server) uploadPopulations(c *gin.Context) error {
	done, ok := s.enterUpload(c)
	if !ok {
		return nil
	}
	defer done()
	ctx := c.Request.Context()
	base := s.newBase(c)
	source := strings.TrimSpace(form.CleanText(c.PostForm("source")))
	if utf8.RuneCountInString(source) > 200 {
		source = string([]rune(source)[:200])
	}
	fail := func(msgs ...string) error {
		return s.renderPopulations(c, populationsForm{Problems: msgs, Source: source}, http.StatusUnprocessableEntity)
	}
	fh, err := c.FormFile("table")
	if err != nil {
		return fail(base.T("populations.error.nofile"))
	}
	if fh.Size > maxPopulationBytes {
		return fail(workbook.Problem{Reason: "too_large", Value: base.Megabytes(maxPopulationBytes)}.Message(base.Tf))
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPopulationBytes+1))
	if err != nil {
		return err
	}
	var rows [][]string
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) || bytes.HasPrefix(data, []byte("\xd0\xcf\x11\xe0")) {
		var problems []workbook.Problem
		rows, problems, err = workbook.ReadRows(bytes.NewReader(data), workbook.Limits{MaxBytes: maxPopulationBytes, MaxUnzipped: 10 * maxPopulationBytes})
		if err != nil {
			return err
		}
		if len(problems) > 0 {
			return fail(problems[0].Message(base.Tf))
		}
	} else {
		if rows, err = readCSV(data); err != nil {
			return fail(base.T("populations.error.csv"))
		}
	}
	states, err := s.store.Organizations(ctx, "")
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, o := range states {
		if o.IsState() {
			known[o.Code] = true
		}
	}
	figures, problems := forms.ParsePopulations(rows, source, func(code string) bool { return known[code] })
	if len(problems) > 0 {
		return fail(tableProblems(&base, problems, len(problems))...)
	}
	up := forms.PopulationUpload{Kind: forms.PopulationUploadTable, FileName: cleanFileName(fh.Filename)}
	if _, err := s.store.SavePopulationUpload(ctx, up, figures, s.actor(c), nil); err != nil {
		return err
	}
	s.flash(c, "populations.saved")
	c.Redirect(http.StatusSeeOther, "/office/populations")
	return nil
}

// uploadWPP reads an uploaded CSV of the UN World Population Prospects
// (gzip-compressed or not), streamed to a temporary file and read a row at
// a time, and stores the Medium variant's figures of the directory's
// States, by their M49 codes, as one upload, when every row of a State is
// right; the rows of other areas are skipped and counted. Otherwise it
// lists the problems with their lines, and nothing changes.
func (s *Server) uploadWPP(c *gin.Context) error {
	done, ok := s.enterUpload(c)
	if !ok {
		return nil
	}
	defer done()
	ctx := c.Request.Context()
	base := s.newBase(c)
	var source, name string
	fail := func(msgs ...string) error {
		return s.renderPopulations(c, populationsForm{Problems: msgs, WPPSource: source}, http.StatusUnprocessableEntity)
	}
	sp, err := spool(c, "wpp", maxWPPBytes)
	if err != nil {
		return err
	}
	defer sp.Close()
	source, name = sp.Fields["source"], sp.Name
	if utf8.RuneCountInString(source) > 200 {
		source = string([]rune(source)[:200])
	}
	if sp.Size > maxWPPBytes {
		return fail(base.Tf("populations.wpp.error.large", map[string]any{"Max": base.Megabytes(maxWPPBytes)}))
	}
	if sp.Size == 0 {
		return fail(base.T("populations.error.nofile"))
	}
	if source == "" {
		source = base.T("populations.wpp.source.default")
	}
	orgs, err := s.store.Organizations(ctx, "")
	if err != nil {
		return err
	}
	states := map[string]string{}
	for _, o := range orgs {
		if o.IsState() && o.M49 != "" {
			states[o.M49] = o.Code
		}
	}
	w := forms.NewWPPFigures(source, states)
	err = published.ReadWPP(sp.File, func(r published.WPPRow) error {
		var column, reason, value string
		if r.Problem != nil {
			column, reason, value = r.Problem.Column, r.Problem.Reason, r.Problem.Value
		}
		w.Add(r.Line, r.M49, r.Year, r.Population, column, reason, value)
		return nil
	})
	if forms.KindOf(err) == forms.KindInvalid {
		var fe *forms.Error
		reason, missing := "corrupt", ""
		if errors.As(err, &fe) {
			reason, missing = fe.Message, fe.Fields["missing"]
		}
		key := "imports.error." + reason
		if reason == "no_header" {
			key = "populations.wpp.error.no_header"
		}
		return fail(base.Tf(key, map[string]any{"Missing": missing, "Max": forms.FormatCount(published.DefaultMaxRows, base.Lang)}))
	}
	if err != nil {
		return err
	}
	if problems, n := w.Done(); n > 0 {
		return fail(tableProblems(&base, problems, n)...)
	}
	up := forms.PopulationUpload{Kind: forms.PopulationUploadWPP, FileName: name}
	if _, err := s.store.SavePopulationUpload(ctx, up, w.Figures, s.actor(c), map[string]string{
		"states": strconv.Itoa(w.States), "skipped": strconv.Itoa(w.Skipped), "source": source}); err != nil {
		return err
	}
	s.keep(c, wppKept, wppResult{File: name, Figures: len(w.Figures), States: w.States, Skipped: w.Skipped})
	s.flash(c, "populations.saved")
	c.Redirect(http.StatusSeeOther, "/office/populations")
	return nil
}

// readCSV reads a CSV table: UTF-8 with or without a byte order mark,
// fields separated by commas, or by semicolons as Excel writes them where
// the comma is the decimal mark.
func readCSV(data []byte) ([][]string, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if !utf8.Valid(data) {
		return nil, forms.Errorf(forms.KindInvalid, "not UTF-8")
	}
	r := csv.NewReader(bytes.NewReader(data))
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	return r.ReadAll()
}

// downloadPopulations sends the Office's population table as CSV.
func (s *Server) downloadPopulations(c *gin.Context) error {
	rows, err := s.store.Populations(c.Request.Context())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"iso3", "year", "population", "source", "upload", "file"})
	for _, r := range rows {
		_ = w.Write([]string{r.Code, strconv.Itoa(r.Year), strconv.FormatInt(r.Population, 10), export.Neutralize(r.Source),
			r.UploadKind, export.Neutralize(r.FileName)})
	}
	w.Flush()
	download(c, "populations.csv", csvType)
	c.Data(http.StatusOK, csvType, buf.Bytes())
	return nil
}
