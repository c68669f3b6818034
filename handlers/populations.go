package handlers

import (
	"bytes"
	"encoding/csv"
	"io"
	"net/http"
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

type populationsPage struct {
	basePage
	Summary  forms.PopulationSummary
	Updated  string
	Source   string
	Problems []string
}

// showPopulations shows the table's summary and the upload form.
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
	}
	s.render(c, status, "populations", p)
	return nil
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
				base.Tf("table.error."+pr.Reason, map[string]any{"Column": pr.Column, "Value": pr.Value}))
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
