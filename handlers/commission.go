package handlers

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"portal/forms"
	"portal/forms/export"
	"portal/templates/views"
)

// The Commission reads the reports the Office releases: the list, a
// release as it was released, its annex. The analysts' preview shows a
// report the same way (renderReport).

// showCommission lists the released reports, newest first.
func (s *Server) showCommission(c *gin.Context) error {
	releases, err := s.store.Releases(c.Request.Context(), "")
	if err != nil {
		return err
	}
	p := &struct {
		basePage
		Releases []releaseView
	}{basePage: s.newBase(c)}
	p.Title = p.T("commission.title")
	p.Releases = releaseViews(&p.basePage, releases)
	s.render(c, http.StatusOK, "commission", p)
	return nil
}

// release reads the release the address names.
func (s *Server) release(c *gin.Context) (forms.Report, error) {
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 || n > 1_000_000 {
		return forms.Report{}, forms.Errorf(forms.KindNotFound, "no release %q", c.Param("n"))
	}
	return s.store.Release(c.Request.Context(), c.Param("call"), n)
}

// showRelease shows a released report.
func (s *Server) showRelease(c *gin.Context) error {
	rep, err := s.release(c)
	if err != nil {
		return err
	}
	return s.renderReport(c, &rep)
}

// downloadAnnex sends a released report's annex as XLSX.
func (s *Server) downloadAnnex(c *gin.Context) error {
	rep, err := s.release(c)
	if err != nil {
		return err
	}
	t := s.newBase(c).Text
	var buf bytes.Buffer
	if err := export.Annex(&buf, &rep, t.Lang, func(q *forms.Question, a forms.Answer) string { return views.DescribeAnswer(t, q, a) }); err != nil {
		return fmt.Errorf("handlers: annex of %s: %w", rep.FileName(), err)
	}
	download(c, rep.FileName()+"-annex.xlsx", xlsxType)
	c.Data(http.StatusOK, xlsxType, buf.Bytes())
	return nil
}

// The report's page.

type reportPage struct {
	basePage
	views.Report
}

// renderReport shows a report, released or previewed (Number 0).
func (s *Server) renderReport(c *gin.Context, r *forms.Report) error {
	p := &reportPage{basePage: s.newBase(c)}
	p.Report = views.NewReport(p.Text, r)
	p.Title = p.ReportTitle
	if !p.Preview {
		p.AnnexHref = "/commission/reports/" + r.Call.Key + "/" + strconv.Itoa(r.Number) + "/annex.xlsx"
	}
	s.render(c, http.StatusOK, "report", p)
	return nil
}
