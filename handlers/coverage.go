package handlers

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"portal/forms"
)

// Who reported what: for each respondent to a statistics call, the share
// of each table's cells over the call's years that hold a figure, and how
// many it marked not available or not applicable.

type coveragePage struct {
	basePage
	CallKey, CallTitle string
	Include            bool
	Tables             []string
	Rows               []coverageRow
}

type coverageRow struct {
	Name, Code, Reference string
	Submitted             bool
	Cells                 []coverageCell // by table, then the overall
}

type coverageCell struct {
	Share  string
	Marked int
	Full   bool
}

func (s *Server) showCoverage(c *gin.Context) error {
	call, q := scopeOf(c).call, scopeOf(c).q
	p := &coveragePage{basePage: s.newBase(c), CallKey: call.Key, Include: c.Query("include") == "submitted"}
	p.CallTitle = call.Title.In(p.Lang)
	p.Title = p.T("coverage.title") + " · " + p.CallTitle
	type table struct {
		key   string
		cells int
	}
	var tables []table
	for _, sec := range q.Sections {
		for _, qq := range sec.Questions {
			if qq.Table != nil {
				tables = append(tables, table{qq.Key, len(qq.Table.Rows) * len(q.Columns(qq.Table)) * len(call.Years)})
				p.Tables = append(p.Tables, qq.Label.In(p.Lang))
			}
		}
	}
	rows, err := s.store.Coverage(c.Request.Context(), call, p.Include)
	if err != nil {
		return err
	}
	cell := func(figures, marked, of int) coverageCell {
		if of == 0 {
			return coverageCell{}
		}
		return coverageCell{Share: strconv.Itoa(percent(figures, of)) + " %", Marked: marked, Full: figures == of}
	}
	for _, r := range rows {
		row := coverageRow{Name: r.Organization.Name.In(p.Lang), Code: r.Organization.Code, Reference: r.Reference, Submitted: r.State != forms.Accepted}
		var figures, marked, all int
		for _, t := range tables {
			row.Cells = append(row.Cells, cell(r.Figures[t.key], r.Marked[t.key], t.cells))
			figures, marked, all = figures+r.Figures[t.key], marked+r.Marked[t.key], all+t.cells
		}
		row.Cells = append(row.Cells, cell(figures, marked, all))
		p.Rows = append(p.Rows, row)
	}
	s.render(c, http.StatusOK, "coverage", p)
	return nil
}
