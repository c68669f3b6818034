package handlers

import (
	"net/http"
	"portal/forms"
	"portal/templates/views"
	"strconv"

	"github.com/gin-gonic/gin"
)

// When two people change the same field from the same version, the save
// keeps the other person's content and shows the conflict; the user
// chooses, field by field, on the conflict page. The conflicts wait in
// the session until then.

// resolveConflicts applies the user's choices on the conflict page: for
// each field, their own content or the one saved by another person. The
// choices are checked first with the rules, on the draft as it would be:
// an error they would leave in a conflicting cell's row (or question;
// say the other fields of the save merged and the cell kept the other
// person's figure, so that the parts no longer add up to the total) is
// shown on the page again, with the choices as made, and saved only when
// the user says so ("save anyway"); the draft may hold errors, and only a
// submission refuses them.
func (s *Server) resolveConflicts(c *gin.Context) error {
	dc := scopeOf(c)
	ctx := c.Request.Context()
	// A field whose choice is not "mine" keeps what the other person saved.
	e, err := s.postedEdit(c, dc, "mine/", func(f string) bool { return c.PostForm("choice/"+f) == "mine" })
	if err != nil {
		return err
	}
	if c.PostForm("anyway") == "" {
		d, err := s.store.Draft(ctx, dc.call, dc.ref)
		if err != nil {
			return err
		}
		if left := rowErrors(dc, d.Answers, e, c.PostFormArray("field")); len(left) > 0 {
			theirs := map[string]bool{}
			for _, f := range c.PostFormArray("field") {
				theirs[f] = c.PostForm("choice/"+f) != "mine"
			}
			cs := pendingConflicts(s.keptConflicts(c, dc), d.Answers)
			return s.renderConflicts(c, dc, cs, theirs, left)
		}
	}
	res, err := s.store.SaveDraft(ctx, dc.call, dc.ref, e, s.actor(c))
	if err != nil {
		return err
	}
	if len(res.Conflicts) > 0 { // someone saved again meanwhile: choose again
		return s.renderConflicts(c, dc, res.Conflicts, nil, nil)
	}
	s.forgetConflicts(c, dc)
	s.flash(c, "draft.saved")
	c.Redirect(http.StatusSeeOther, dc.sectionURL(dc.section.Key))
	return nil
}

// rowErrors are the errors answers now would have, with the edit e, in
// the rows of the conflicting fields (or their questions, for a field
// that is not a cell).
func rowErrors(dc *scope, now forms.Answers, e forms.Edit, fields []string) []forms.Finding {
	rows, questions := map[[2]string]bool{}, map[string]bool{}
	for _, f := range fields {
		if ref, ok := forms.ParseCellField(f); ok {
			rows[[2]string{ref.Question, ref.Row}] = true
		} else if len(f) > 2 {
			questions[f[2:]] = true
		}
	}
	var out []forms.Finding
	for _, f := range forms.Check(dc.q, overlay(now, e), dc.call.Years) {
		if f.Severity != forms.SeverityWarning && f.Kind != forms.RuleRequired &&
			(rows[[2]string{f.Question, f.Row}] || (f.Row == "" && questions[f.Question])) {
			out = append(out, f)
		}
	}
	return out
}

// renderConflicts shows the conflict page for the conflicts of a save:
// each field as another person saved it (who, when) and as the user
// wanted it, a cell with the rest of its row, to choose; theirs are the
// fields the user chose to leave as saved, left the errors a first choice
// would leave, to confirm or change.
func (s *Server) renderConflicts(c *gin.Context, dc *scope, conflicts []forms.Conflict, theirs map[string]bool, left []forms.Finding) error {
	p, err := s.savedPage(c, dc, nil)
	if err != nil {
		return err
	}
	d, err := s.store.Draft(c.Request.Context(), dc.call, dc.ref)
	if err != nil {
		return err
	}
	fields := make([]string, 0, len(conflicts))
	for _, cf := range conflicts {
		fields = append(fields, cf.Field)
	}
	saves, err := s.store.LastSaves(c.Request.Context(), dc.call, dc.ref, fields)
	if err != nil {
		return err
	}
	s.keepConflicts(c, dc, conflicts)
	b := dc.builder(p.Text)
	p.Conflicts = b.Conflicts(views.ConflictSource{Conflicts: conflicts, Now: d.Answers, Saves: saves, Theirs: theirs})
	for _, f := range left {
		p.Brought = append(p.Brought, b.FindingPlace(f)+" — "+b.FindingMessage(f))
	}
	p.Title = p.T("draft.conflict.title")
	s.render(c, http.StatusConflict, "conflict", p)
	return nil
}

// showConflicts shows again the conflicts the user left without choosing,
// against the draft as it is now: a field that someone has since made
// what the user wanted is settled, and the others are to choose again.
func (s *Server) showConflicts(c *gin.Context) error {
	dc, d, err := s.sectionDraft(c)
	if err != nil {
		return err
	}
	cs := pendingConflicts(s.keptConflicts(c, dc), d.Answers)
	if len(cs) == 0 {
		s.forgetConflicts(c, dc)
		c.Redirect(http.StatusSeeOther, dc.sectionURL(dc.section.Key))
		return nil
	}
	return s.renderConflicts(c, dc, cs, nil, nil)
}

// pendingConflicts are the kept conflicts that still differ from the draft
// now, with Theirs brought up to date.
func pendingConflicts(kept []forms.Conflict, now forms.Answers) []forms.Conflict {
	var out []forms.Conflict
	for _, k := range kept {
		if k.Theirs = now.Field(k.Field); k.Theirs != k.Mine {
			out = append(out, k)
		}
	}
	return out
}

// Conflicts the user has not chosen on are kept in the session, per
// section, until they choose: leaving the conflict page, by its link or
// any other way, loses nothing typed, and the section says so.
func conflictsKey(dc *scope) string { return "conflicts:" + dc.sectionURL(dc.section.Key) }

func (s *Server) keepConflicts(c *gin.Context, dc *scope, cs []forms.Conflict) {
	s.keep(c, conflictsKey(dc), cs)
}

func (s *Server) keptConflicts(c *gin.Context, dc *scope) []forms.Conflict {
	var cs []forms.Conflict
	s.kept(c, conflictsKey(dc), &cs, false)
	return cs
}

func (s *Server) forgetConflicts(c *gin.Context, dc *scope) {
	if c.GetBool(ctxSession) {
		s.sessions.Remove(c.Request.Context(), conflictsKey(dc))
	}
}

// postedEdit reads an edit that a page carries in hidden fields, as the
// conflict page and the workbook preview do: the base version, and for
// each "field" chosen by keep, its content (as forms.Answers.Field encodes
// it) under prefix+field. A field that is not the questionnaire's, or a
// content that does not decode, is refused with KindInvalid.
func (s *Server) postedEdit(c *gin.Context, dc *scope, prefix string, keep func(field string) bool) (forms.Edit, error) {
	e := forms.Edit{}
	e.Base, _ = strconv.Atoi(c.PostForm("version"))
	for _, f := range c.PostFormArray("field") {
		if !keep(f) {
			continue
		}
		if !s.knownField(dc, f) && forms.FieldKind(f) != 'x' {
			return e, forms.Errorf(forms.KindInvalid, "field %q is not of questionnaire %s", f, dc.q.Key)
		}
		if err := e.Answers.SetField(f, c.PostForm(prefix+f)); err != nil {
			return e, forms.Wrap(forms.KindInvalid, err, "unreadable field")
		}
		e.Fields = append(e.Fields, f)
	}
	return e, nil
}
