package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/forms"
)

const (
	ctxUser  = "user"
	ctxScope = "scope"
)

// loadUser puts the signed-in user, if any, on the request. A session whose
// user no longer exists is ended.
func (s *Server) loadUser(c *gin.Context) {
	ctx := c.Request.Context()
	id := s.sessions.GetInt64(ctx, sessUserID)
	if id == 0 {
		c.Next()
		return
	}
	u, err := s.store.UserByID(ctx, id)
	if forms.KindOf(err) == forms.KindNotFound {
		_ = s.sessions.Destroy(ctx) // nothing to keep; the cookie is cleared on commit
		c.Next()
		return
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.Set(ctxUser, u)
	c.Next()
}

// currentUser returns the signed-in user, or nil.
func (s *Server) currentUser(c *gin.Context) *forms.User {
	u, _ := c.Get(ctxUser)
	user, _ := u.(*forms.User)
	return user
}

// requireUser sends a visitor who is not signed in to sign in, and back here after.
func (s *Server) requireUser(c *gin.Context) {
	if s.currentUser(c) != nil {
		c.Next()
		return
	}
	if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
		c.Redirect(http.StatusSeeOther, "/signin?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		c.Abort()
		return
	}
	s.renderError(c, forms.Errorf(forms.KindForbidden, "not signed in"))
}

// require lets through only users who may do a portal-wide action.
func (s *Server) require(a forms.Action) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !s.currentUser(c).Can(a, 0) {
			s.renderError(c, forms.Errorf(forms.KindForbidden, "%s refused", a))
			return
		}
		c.Next()
	}
}

// orgScope resolves the :code of the route to an organization (once: a
// second orgScope on the route checks another action on the same one) and
// lets through only users who may do a on it. Someone who may not even see the
// organization is told there is no such page, so that the portal does not
// say which organizations have data; a member who may see it but not do a
// is told it is not allowed.
func (s *Server) orgScope(a forms.Action) gin.HandlerFunc {
	return func(c *gin.Context) {
		sc := scopeOf(c)
		org := sc.org
		if code := strings.ToUpper(c.Param("code")); org.Code != code {
			var err error
			if org, err = s.store.OrganizationByCode(c.Request.Context(), code); err != nil {
				s.renderError(c, err)
				return
			}
		}
		if u := s.currentUser(c); !u.Can(a, org.ID) {
			kind := forms.KindNotFound
			if u.Can(forms.ViewOrganization, org.ID) {
				kind = forms.KindForbidden
			}
			s.renderError(c, forms.Errorf(kind, "%s refused on %s", a, org.Code))
			return
		}
		sc.setOrganization(org)
		c.Next()
	}
}

// scope is what a route resolved before its handler runs: the
// organization (on routes about one), the call and its questionnaire (on
// routes about one), the section (on a section's routes). The route's
// middleware resolves each once and decides access with it (orgScope,
// callScope, officeCallScope, reviewScope, sectionScope); handlers read it
// with scopeOf and decide nothing again.
type scope struct {
	org     forms.Organization
	ref     forms.OrganizationRef
	call    forms.Call
	q       *forms.Questionnaire
	section *forms.Section
	// entry: the route is the Office's entry of the organization's answers
	// on its behalf (entryScope decided it): the draft's pages edit, and
	// link to one another, under /office/calls/:call/orgs/:code/enter.
	entry bool
}

// scopeOf returns what the route resolved; its parts a route does not
// resolve are zero.
func scopeOf(c *gin.Context) *scope {
	if v, ok := c.Get(ctxScope); ok {
		return v.(*scope)
	}
	sc := &scope{}
	c.Set(ctxScope, sc)
	return sc
}

// resolvedCall returns the call of the route and its questionnaire.
func (sc *scope) resolvedCall() (forms.Call, *forms.Questionnaire) { return sc.call, sc.q }

// sectionURL is the address of a section of the scope's draft.
func (sc *scope) sectionURL(key string) string {
	return sc.draftURL() + "/" + key
}

// draftURL is where the pages of the scope's draft hang: the
// organization's own, or the Office's entry on its behalf.
func (sc *scope) draftURL() string {
	if sc.entry {
		return entryURL(sc)
	}
	return "/orgs/" + sc.org.Code + "/calls/" + sc.call.Key
}

// homeURL is the page the draft's pages lead back to: the organization's
// submission page, or the Office's entry page.
func (sc *scope) homeURL() string {
	if sc.entry {
		return entryURL(sc)
	}
	return submissionURL(sc)
}

// mayEdit reports whether u may change the scope's draft: a member who
// may (forms.EditDraft), or the Office on the routes of an entry on the
// organization's behalf, which entryScope let through.
func (sc *scope) mayEdit(u *forms.User) bool {
	return sc.entry || u.Can(forms.EditDraft, sc.org.ID)
}

// resolveCall resolves the route's :call to the call and the questionnaire
// it uses: KindNotFound for no such call; a call naming a questionnaire the
// portal has not loaded is the portal's fault.
func (s *Server) resolveCall(c *gin.Context) error {
	call, err := s.store.CallByKey(c.Request.Context(), c.Param("call"))
	if err != nil {
		return err
	}
	q, ok := s.opts.Questionnaires.Version(call.Questionnaire, call.Version)
	if !ok {
		return fmt.Errorf("call %s: questionnaire %s v%d is not loaded", call.Key, call.Questionnaire, call.Version)
	}
	sc := scopeOf(c)
	sc.call, sc.q = call, q
	return nil
}

// callScope resolves the :call of a route about one organization's answer
// to a call, once the organization is resolved (orgScope). A call that
// does not ask the organization, or, for anyone but the Office, a call in
// preparation, is no page at all (404), on every route of the call:
// forms.Call.ShownTo decides.
func (s *Server) callScope(c *gin.Context) {
	err := s.resolveCall(c)
	if sc := scopeOf(c); err == nil && !sc.call.ShownTo(s.currentUser(c), sc.org) {
		err = forms.Errorf(forms.KindNotFound, "call %s is not %s's to see", sc.call.Key, sc.org.Code)
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.Next()
}

// officeCallScope resolves the :call of an Office route: every call, in
// whatever state, is the Office's to see.
func (s *Server) officeCallScope(c *gin.Context) {
	if err := s.resolveCall(c); err != nil {
		s.renderError(c, err)
		return
	}
	c.Next()
}

// reviewScope resolves the :code of an Office route about the answer of one
// organization to the call officeCallScope resolved: an organization the
// call does not ask has no answer to review (404).
func (s *Server) reviewScope(c *gin.Context) {
	org, err := s.store.OrganizationByCode(c.Request.Context(), strings.ToUpper(c.Param("code")))
	sc := scopeOf(c)
	if err == nil && !sc.call.ShownTo(s.currentUser(c), org) {
		err = forms.Errorf(forms.KindNotFound, "call %s does not ask %s", sc.call.Key, org.Code)
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	sc.setOrganization(org)
	c.Next()
}

// entryScope lets through, on the routes of the Office's entry of an
// organization's answers on its behalf (once reviewScope resolved the
// organization, which the call asks), those who may enter them
// (forms.EnterOnBehalf), while the call takes entries
// (forms.Call.TakesEntries); it puts the scope in entry mode. Everyone
// else's pages of the draft are unchanged: an analyst reads them, and
// changes nothing there.
func (s *Server) entryScope(c *gin.Context) {
	sc := scopeOf(c)
	if !s.currentUser(c).Can(forms.EnterOnBehalf, sc.org.ID) {
		s.renderError(c, forms.Errorf(forms.KindForbidden, "%s refused on %s", forms.EnterOnBehalf, sc.org.Code))
		return
	}
	sub, err := s.store.Submission(c.Request.Context(), sc.call, sc.ref)
	if err == nil && !sc.call.TakesEntries(sub.State) {
		err = forms.Errorf(forms.KindForbidden, "call %s takes no entry for %s now (%s, %s)", sc.call.Key, sc.org.Code, sc.call.State, sub.State)
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	sc.entry = true
	c.Next()
}

// sectionScope resolves the :section of a draft's route.
func (s *Server) sectionScope(c *gin.Context) {
	sc := scopeOf(c)
	key := c.Param("section")
	i := slices.IndexFunc(sc.q.Sections, func(s forms.Section) bool { return s.Key == key })
	if i < 0 {
		s.renderError(c, forms.Errorf(forms.KindNotFound, "no section %q", key))
		return
	}
	sc.section = &sc.q.Sections[i]
	c.Next()
}

func (sc *scope) setOrganization(org forms.Organization) {
	sc.org = org
	sc.ref = forms.OrganizationRef{ID: org.ID, Code: org.Code, Name: org.Name}
}

// crossOrigin refuses unsafe requests (POST and the like) that a browser
// says came from another site: the portal's protection against cross-site
// request forgery, with Go's CrossOriginProtection.
func (s *Server) crossOrigin(c *gin.Context) {
	if err := s.cop.Check(c.Request); err != nil {
		s.renderError(c, forms.Wrap(forms.KindForbidden, err, "cross-origin request refused"))
		return
	}
	c.Next()
}
