package handlers

import (
	"bytes"
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"portal/forms"
	"portal/forms/export"
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
	Summary  forms.PopulationSummary
	Updated  string
	Source   string
	Problems []string
	Table    *populationTable // nil when the table is empty
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
}

// showPopulations shows the table's summary, the stored rows that the
// search (?q= a State's code or name, ?year=) selects, a page (?page=) at a
// time, and the upload form.
func (s *Server) showPopulations(c *gin.Context) error {
	return s.renderPopulations(c, nil, "", http.StatusOK)
}

func (s *Server) renderPopulations(c *gin.Context, problems []string, source string, status int) error {
	sum, err := s.store.PopulationSummary(c.Request.Context())
	if err != nil {
		return err
	}
	p := &populationsPage{basePage: s.newBase(c), Summary: sum, Problems: problems, Source: source}
	p.Title = p.T("populations.title")
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
		t.Rows = append(t.Rows, populationRow{Name: r.State.Name.In(p.Lang), Code: r.State.Code, Year: strconv.Itoa(r.Year),
			Population: forms.FormatCount(r.Population, p.Lang), Source: r.Source, Uploaded: p.Timestamp(r.UpdatedAt), By: r.UpdatedBy})
	}
	return t, nil
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
		return s.renderPopulations(c, msgs, source, http.StatusUnprocessableEntity)
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
		msgs := make([]string, 0, min(len(problems), 50)+1)
		for i, pr := range problems {
			if i == 50 {
				msgs = append(msgs, base.Tf("populations.error.more", map[string]any{"Count": len(problems) - 50}))
				break
			}
			msgs = append(msgs, base.Tf("populations.line", map[string]any{"Line": pr.Line})+" "+
				base.Tf("table.error."+pr.Reason, map[string]any{"Column": pr.Column, "Value": pr.Value,
					"Min": forms.FormatCount(forms.MinPopulation, base.Lang), "Max": forms.FormatCount(forms.MaxPopulation, base.Lang)}))
		}
		return fail(msgs...)
	}
	if err := s.store.SavePopulations(ctx, figures, s.actor(c)); err != nil {
		return err
	}
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
	_ = w.Write([]string{"iso3", "year", "population", "source"})
	for _, r := range rows {
		_ = w.Write([]string{r.Code, strconv.Itoa(r.Year), strconv.FormatInt(r.Population, 10), export.Neutralize(r.Source)})
	}
	w.Flush()
	download(c, "populations.csv", csvType)
	c.Data(http.StatusOK, csvType, buf.Bytes())
	return nil
}
