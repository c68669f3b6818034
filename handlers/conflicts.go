package handlers

import (
	"net/http"
	"portal/forms"
	"strconv"

	"github.com/gin-gonic/gin"
)

// When two people change the same field from the same version, the save
// keeps the other person's content and shows the conflict; the user
// chooses, field by field, on the conflict page. The conflicts wait in
// the session until then.

// resolveConflicts applies the user's choices on the conflict page: for
// each field, their own content or the one saved by another person.
func (s *Server) resolveConflicts(c *gin.Context) error {
	dc := scopeOf(c)
	ctx := c.Request.Context()
	// A field whose choice is not "mine" keeps what the other person saved.
	e, err := s.postedEdit(c, dc, "mine/", func(f string) bool { return c.PostForm("choice/"+f) == "mine" })
	if err != nil {
		return err
	}
	res, err := s.store.SaveDraft(ctx, dc.call, dc.ref, e, s.actor(c))
	if err != nil {
		return err
	}
	if len(res.Conflicts) > 0 { // someone saved again meanwhile: choose again
		return s.renderConflicts(c, dc, res.Conflicts)
	}
	s.forgetConflicts(c, dc)
	s.flash(c, "draft.saved")
	c.Redirect(http.StatusSeeOther, dc.sectionURL(dc.section.Key))
	return nil
}

// renderConflicts shows the conflict page for the conflicts of a save:
// each field as another person saved it and as the user wanted it, to choose.
func (s *Server) renderConflicts(c *gin.Context, dc *scope, conflicts []forms.Conflict) error {
	p, err := s.savedPage(c, dc, nil)
	if err != nil {
		return err
	}
	s.keepConflicts(c, dc, conflicts)
	p.Conflicts = dc.builder(p.Text).Conflicts(conflicts)
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
	return s.renderConflicts(c, dc, cs)
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
