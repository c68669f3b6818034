package handlers

import (
	"context"
	"encoding/csv"
	"errors"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"portal/forms"
	"portal/forms/export"
	"portal/forms/published"
	"portal/templates/form"
)

// Importing past series in the long format the Office publishes
// (docs/statistics.md): upload (streamed to a temporary file, read row by
// row into the database), map the file's descriptions to series codes, see
// the dry run, confirm; withdraw an import as one.

// importStore is what the import pages need.
type importStore interface {
	// StageImport stores the rows rows puts as an upload and returns its token.
	StageImport(ctx context.Context, fileName, checksum, by string, rows func(put func(forms.ImportRow) error) error) (string, error)
	// PlanImport is the dry run of an upload.
	PlanImport(ctx context.Context, token string, sources []forms.SeriesSource, cells []forms.SeriesCell, examples int) (forms.ImportPlan, error)
	// RequestConfirmImport asks for an upload to be made an import (a job); an upload imported already comes back Already.
	RequestConfirmImport(ctx context.Context, token string, actor forms.Actor) (forms.SeriesImport, error)
	// ImportRequest says where the last request to confirm the upload stands; false when none.
	ImportRequest(ctx context.Context, token string) (forms.Job, bool, error)
	// ImportOfUpload returns the import the upload was made, false when not (yet).
	ImportOfUpload(ctx context.Context, token string) (forms.SeriesImport, bool, error)
	// WithdrawImport withdraws an import (already: it had been).
	WithdrawImport(ctx context.Context, reference string, actor forms.Actor) (already bool, err error)
	// Imports lists the imports, the latest first.
	Imports(ctx context.Context) ([]forms.SeriesImport, error)
	// SaveMappings keeps mappings of descriptions to series.
	SaveMappings(ctx context.Context, ms []forms.SeriesMapping, actor forms.Actor) error
	// Mappings lists the kept mappings.
	Mappings(ctx context.Context) ([]forms.SeriesMapping, error)
}

// maxImportBytes bounds an uploaded long-format file (the data portal's
// largest are some 20 MB).
const maxImportBytes = 50 << 20

// planExamples is how many rows of each fate the dry run shows.
const planExamples = 20

type importsPage struct {
	basePage
	Imports  []importListRow
	Mappings int
	Problem  string
}

type importListRow struct {
	Reference, File, At, By, Counts, Withdrawn string
	Active                                     bool
}

// showImports lists the imports and offers the upload.
func (s *Server) showImports(c *gin.Context) error {
	return s.renderImports(c, "", http.StatusOK)
}

func (s *Server) renderImports(c *gin.Context, problem string, status int) error {
	ctx := c.Request.Context()
	p := &importsPage{basePage: s.newBase(c), Problem: problem}
	p.Title = p.T("imports.title")
	imps, err := s.store.Imports(ctx)
	if err != nil {
		return err
	}
	for _, i := range imps {
		r := importListRow{Reference: i.Reference, File: i.FileName, At: p.Timestamp(i.ImportedAt), By: i.ImportedBy, Active: !i.Withdrawn(),
			Counts: p.Tf("imports.counts", map[string]any{"Figures": p.Tn("imports.figures", i.Figures, map[string]any{"Count": forms.FormatCount(int64(i.Figures), p.Lang)}),
				"Read": forms.FormatCount(int64(i.Read), p.Lang), "Refused": forms.FormatCount(int64(i.Refused), p.Lang)})}
		if i.Withdrawn() {
			r.Withdrawn = p.Tf("imports.withdrawn", map[string]any{"At": p.Timestamp(i.WithdrawnAt), "By": i.WithdrawnBy})
		}
		p.Imports = append(p.Imports, r)
	}
	ms, err := s.store.Mappings(ctx)
	if err != nil {
		return err
	}
	p.Mappings = len(ms)
	s.render(c, status, "imports", p)
	return nil
}

// uploadImport reads an uploaded long-format file into an upload and
// sends the analyst to its dry run. The file is streamed to a temporary
// file (an XLSX is a zip, read from its end) and its rows to the
// database: memory does not grow with its size.
func (s *Server) uploadImport(c *gin.Context) error {
	done, ok := s.enterUpload(c)
	if !ok {
		return nil
	}
	defer done()
	base := s.newBase(c)
	fail := func(key string, data map[string]any) error {
		return s.renderImports(c, base.Tf(key, data), http.StatusUnprocessableEntity)
	}
	sp, err := spool(c, "file", maxImportBytes)
	if err != nil {
		return err
	}
	defer sp.Close()
	if sp.Size > maxImportBytes {
		return fail("imports.error.large", map[string]any{"Max": base.Megabytes(maxImportBytes)})
	}
	if sp.Size == 0 {
		return fail("imports.error.nofile", nil)
	}
	var fileErr error
	token, err := s.store.StageImport(c.Request.Context(), sp.Name, sp.Checksum, s.actor(c).Label, func(put func(forms.ImportRow) error) error {
		_, err := published.ReadLongFormat(sp.File, published.Limits{}, func(r published.Row) error {
			return put(stagedRow(r))
		})
		if forms.KindOf(err) == forms.KindInvalid {
			fileErr = err
		}
		return err
	})
	if fileErr != nil {
		var fe *forms.Error
		reason := "corrupt"
		missing := ""
		if errors.As(fileErr, &fe) {
			reason = fe.Message
			missing = fe.Fields["missing"]
		}
		return fail("imports.error."+reason, map[string]any{"Missing": missing, "Max": forms.FormatCount(published.DefaultMaxRows, base.Lang)})
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/office/imports/uploads/"+token)
	return nil
}

// stagedRow is a row as read, as the store keeps it.
func stagedRow(r published.Row) forms.ImportRow {
	out := forms.ImportRow{Line: r.Line, Area: r.Area, AreaName: r.Country, Indicator: r.Indicator, Dimension: r.Dimension,
		Category: r.Category, Sex: r.Sex, Age: r.Age, Unit: r.Unit, Year: r.Year, Value: r.Value, Estimate: r.Value != "" && !r.Whole,
		Source: r.Source}
	if r.Problem != nil {
		out.Problem = r.Problem.Reason
		out.Year, out.Value = 0, ""
	}
	// The store's columns hold what a row can say; a refused row keeps its line and reason.
	for _, f := range []*string{&out.Area, &out.AreaName, &out.Indicator, &out.Dimension, &out.Category, &out.Sex, &out.Age, &out.Unit, &out.Source} {
		if utf8.RuneCountInString(*f) > 500 {
			*f = string([]rune(*f)[:500])
		}
	}
	if !areaCode(out.Area) && out.Problem == "" {
		out.Problem = "area"
	}
	return out
}

// areaCode says whether s is an area code as the store takes it.
func areaCode(s string) bool {
	state, part := published.SplitArea(s)
	if len(state) != 3 || strings.Trim(state, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" || len(part) > 20 {
		return false
	}
	return strings.Trim(part, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == ""
}

// cleanFileName keeps the base name of an uploaded file, printable, at
// most 255 characters.
func cleanFileName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.TrimSpace(form.CleanText(name))
	if name == "" || name == "." || name == "/" {
		name = "upload"
	}
	if utf8.RuneCountInString(name) > 255 {
		name = string([]rune(name)[:255])
	}
	return name
}

type importPlanPage struct {
	basePage
	Plan     forms.ImportPlan
	Summary  []planLine
	Groups   []seriesGroup
	Unmapped []unmappedRow
	Sections []planSection
	Rates    string
	RateRows []rateRow
	Action   string
	CanDo    bool
	Changes  string
}

type planLine struct {
	Label, Count string
}

type unmappedRow struct {
	forms.UnmappedDescription
	Index     int
	Rows      string
	Suggested string
}

type planSection struct {
	Fate, Title string
	Rows        []planRow
	More        string
}

type planRow struct {
	Line, Area, Name, Description, Series, Year, Value, Before, Reason string
}

type rateRow struct {
	Line, Area, Year, Given, Computed, Population string
}

// showImportPlan shows what confirming an upload would do.
func (s *Server) showImportPlan(c *gin.Context) error {
	ctx := c.Request.Context()
	p := &importPlanPage{basePage: s.newBase(c)}
	idx := s.series
	var cells []forms.SeriesCell
	for _, code := range idx.codes {
		cells = append(cells, idx.cells[code])
	}
	plan, err := s.store.PlanImport(ctx, c.Param("token"), idx.sources(idx.codes...), cells, planExamples)
	if err != nil {
		return err
	}
	if plan.Imported != "" {
		s.flash(c, "imports.already")
		c.Redirect(http.StatusSeeOther, "/office/imports")
		return nil
	}
	p.Plan = plan
	p.Title = p.Tf("imports.plan.title", map[string]any{"File": plan.FileName})
	p.Action = "/office/imports/uploads/" + plan.Token
	count := func(n int) string { return forms.FormatCount(int64(n), p.Lang) }
	for _, fate := range []string{forms.FateNew, forms.FateChanges, forms.FateBehind, forms.FateUnchanged, forms.FateRepeat, forms.FateRate, forms.FateIgnored, forms.FateRefused} {
		if n := plan.Fates[fate]; n > 0 {
			p.Summary = append(p.Summary, planLine{Label: p.T("imports.fate." + fate), Count: count(n)})
		}
	}
	p.CanDo = plan.Changes() > 0
	p.Changes = p.Tn("imports.confirm", plan.Changes(), map[string]any{"Count": count(plan.Changes())})
	p.Groups = idx.options(&p.basePage, "")
	for i, u := range plan.Unmapped {
		p.Unmapped = append(p.Unmapped, unmappedRow{UnmappedDescription: u, Index: i, Rows: count(u.Rows), Suggested: u.Suggested})
	}
	areas, err := s.store.Areas(ctx)
	if err != nil {
		return err
	}
	for _, fate := range []string{forms.FateChanges, forms.FateBehind, forms.FateNew, forms.FateRefused, forms.FateRepeat, forms.FateUnchanged, forms.FateIgnored} {
		ex := plan.Examples[fate]
		if len(ex) == 0 {
			continue
		}
		sec := planSection{Fate: fate, Title: p.T("imports.fate." + fate)}
		for _, r := range ex {
			name := r.AreaName
			if a, ok := areas[r.Area]; ok {
				name = a.Name.In(p.Lang)
			}
			pr := planRow{Line: count(r.Line), Area: r.Area, Name: name, Description: strings.Join(nonEmpty(r.Indicator, r.Dimension, r.Category, r.Sex, r.Age, r.Unit), " · "),
				Value: r.Value, Before: r.Before}
			if r.Year > 0 {
				pr.Year = strconv.Itoa(r.Year)
			}
			if _, ok := idx.cells[r.Series]; ok {
				pr.Series = idx.label(r.Series, &p.basePage)
			}
			if r.Reason != "" {
				pr.Reason = p.Tf("imports.reason."+r.Reason, map[string]any{"Line": count(r.FirstLine)})
			}
			if r.FirstLine > 0 && r.Reason == "" {
				pr.Reason = p.Tf("imports.reason.repeat", map[string]any{"Line": count(r.FirstLine)})
			}
			sec.Rows = append(sec.Rows, pr)
		}
		if n := plan.Fates[fate]; n > len(ex) {
			sec.More = p.Tn("imports.more", n-len(ex), map[string]any{"Count": count(n - len(ex))})
		}
		p.Sections = append(p.Sections, sec)
	}
	rc := plan.RateChecks
	if rc.Checked > 0 {
		p.Rates = p.Tf("imports.rates", map[string]any{"Checked": p.Tn("imports.rates.checked", rc.Checked, map[string]any{"Count": count(rc.Checked)}),
			"Differ": count(rc.Differ)})
		for _, d := range rc.Examples {
			p.RateRows = append(p.RateRows, rateRow{Line: count(d.Line), Area: d.Area, Year: strconv.Itoa(d.Year), Given: p.Rate(d.Given),
				Computed: p.Rate(d.Computed), Population: forms.FormatCount(d.Population, p.Lang)})
		}
	}
	s.render(c, http.StatusOK, "importplan", p)
	return nil
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

// saveImportMappings keeps the mappings the dry run's form gives: for
// each description (sent back as it was shown), a series, "none" for rows
// not to take, or "" to leave it unmapped.
func (s *Server) saveImportMappings(c *gin.Context) error {
	idx := s.series
	var ms []forms.SeriesMapping
	for i := range 500 {
		pre := "m" + strconv.Itoa(i) + "."
		series, ok := c.GetPostForm(pre + "series")
		if !ok {
			break
		}
		d := forms.Description{Indicator: c.PostForm(pre + "indicator"), Dimension: c.PostForm(pre + "dimension"), Category: c.PostForm(pre + "category"),
			Sex: c.PostForm(pre + "sex"), Age: c.PostForm(pre + "age")}
		for _, f := range []string{d.Indicator, d.Dimension, d.Category, d.Sex, d.Age} {
			if utf8.RuneCountInString(f) > 500 || !utf8.ValidString(f) {
				return forms.Errorf(forms.KindInvalid, "a description of more than 500 characters")
			}
		}
		switch {
		case series == "":
			continue
		case series == "none":
			series = ""
		default:
			if _, ok := idx.cells[series]; !ok {
				return forms.Errorf(forms.KindInvalid, "no series %q", series)
			}
		}
		ms = append(ms, forms.SeriesMapping{Description: d, Series: series})
	}
	if err := s.store.SaveMappings(c.Request.Context(), ms, s.actor(c)); err != nil {
		return err
	}
	s.flashN(c, "imports.mapped", len(ms))
	c.Redirect(http.StatusSeeOther, "/office/imports/uploads/"+c.Param("token"))
	return nil
}

// confirmImport asks for the upload to be made an import: a job (half a
// million rows take the database some twenty seconds), which the next
// page follows; a second click while it waits or runs adds nothing, one
// after it is done finds the import made.
func (s *Server) confirmImport(c *gin.Context) error {
	token := c.Param("token")
	imp, err := s.store.RequestConfirmImport(c.Request.Context(), token, s.actor(c))
	if err != nil {
		return err
	}
	if imp.Already {
		s.flash(c, "imports.already")
		c.Redirect(http.StatusSeeOther, "/office/imports")
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/office/imports/uploads/"+token+"/confirm")
	return nil
}

// showImporting follows the confirmation the analyst asked for: in
// progress (the page looks again every two seconds), done (to the list
// of imports, or back to the dry run when there was nothing to import),
// or failed (with why).
func (s *Server) showImporting(c *gin.Context) error {
	ctx := c.Request.Context()
	token := c.Param("token")
	plan := "/office/imports/uploads/" + token
	imp, done, err := s.store.ImportOfUpload(ctx, token)
	if err != nil {
		return err
	}
	if done {
		s.flashN(c, "imports.done", imp.Figures)
		c.Redirect(http.StatusSeeOther, "/office/imports")
		return nil
	}
	job, ok, err := s.store.ImportRequest(ctx, token)
	if err != nil {
		return err
	}
	if !ok {
		c.Redirect(http.StatusSeeOther, plan)
		return nil
	}
	if job.State == forms.JobDone { // done, and no import made: nothing to import
		s.flash(c, "imports.nothing")
		c.Redirect(http.StatusSeeOther, plan)
		return nil
	}
	p := &followPage{basePage: s.newBase(c), LookHref: plan + "/confirm", BackHref: plan}
	p.Title = p.T("imports.importing.title")
	p.Crumbs = []followCrumb{{"/office", p.T("office.title")}, {"/office/imports", p.T("imports.title")}}
	p.Progress = p.Tf("imports.importing.progress", map[string]any{"File": imp.FileName, "Since": p.Timestamp(job.CreatedAt)})
	p.Wait, p.FailedText, p.BackText = p.T("imports.importing.wait"), p.T("imports.importing.failed"), p.T("imports.importing.back")
	s.renderFollow(c, p, job)
	return nil
}

// withdrawImport withdraws an import as one.
func (s *Server) withdrawImport(c *gin.Context) error {
	already, err := s.store.WithdrawImport(c.Request.Context(), c.Param("ref"), s.actor(c))
	if err != nil {
		return err
	}
	if already {
		s.flash(c, "imports.withdrawn.already")
	} else {
		s.flash(c, "imports.withdrawn.done")
	}
	c.Redirect(http.StatusSeeOther, "/office/imports")
	return nil
}

// exportSeries streams the long export of series (?series=, repeated for
// several): one row per area and year with the figure that counts and
// where it comes from, its population and rate; with ?history=1 the
// figures that do not count too.
func (s *Server) exportSeries(c *gin.Context) error {
	ctx := c.Request.Context()
	idx := s.series
	codes := c.QueryArray("series")
	if len(codes) == 0 {
		codes = []string{idx.defaultCode()}
	}
	if len(codes) > 100 {
		return forms.Errorf(forms.KindInvalid, "name at most 100 series")
	}
	for _, code := range codes {
		if _, ok := idx.cells[code]; !ok {
			return forms.Errorf(forms.KindNotFound, "no series %q", code)
		}
	}
	include, history := c.Query("include") == "submitted", c.Query("history") == "1"
	download(c, "series.csv", csvType)
	w := csv.NewWriter(c.Writer)
	_ = w.Write([]string{"series", "unit", "area", "area_kind", "name", "m49_region", "m49_subregion", "year", "value", "estimate",
		"origin", "reference", "call", "source", "counts", "population", "population_origin", "population_source", "rate_per_100000"})
	base, err := s.loadSeriesBase(ctx, include)
	if err != nil {
		return err
	}
	for _, code := range codes {
		d, err := base.load(ctx, s, code, include, history, nil)
		if err != nil {
			return err
		}
		unit := idx.cells[code].Unit
		for _, f := range d.figures {
			a := d.areas[f.Area]
			rec := []string{code, unit, f.Area, string(a.Kind), export.Neutralize(a.Name.En), a.Region, a.Subregion, strconv.Itoa(f.Year), f.Exact,
				strconv.FormatBool(f.Estimate), string(f.Origin), f.Reference, f.Call, export.Neutralize(f.Source), strconv.FormatBool(f.Current), "", "", "", ""}
			if pop := d.pops[forms.PopulationKey{Area: f.Area, Year: f.Year}]; pop.Value > 0 && f.Current {
				r, _ := forms.RatePer100k(f.Value, pop.Value)
				rec[15], rec[16], rec[17], rec[18] = strconv.FormatInt(pop.Value, 10), pop.Origin, export.Neutralize(pop.Source+pop.Reference), strconv.FormatFloat(r, 'f', 4, 64)
			}
			if err := w.Write(rec); err != nil {
				return err
			}
		}
		w.Flush()
	}
	w.Flush()
	return w.Error()
}
