package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/forms"
)

const (
	ctxUser = "user"
	ctxOrg  = "organization"
	ctxCall = "call"
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
	if c.FullPath() == sectionRoute && c.GetHeader("X-Autosave") != "" {
		// The page's script: it keeps what was typed and says so.
		b := s.newBase(c)
		c.AbortWithStatusJSON(http.StatusUnauthorized, autosaveReply{Status: "signedout", Message: b.T("draft.autosave.signedout")})
		return
	}
	if s.keepUnsaved(c) {
		c.Redirect(http.StatusSeeOther, "/signin?next="+url.QueryEscape(c.Request.URL.Path))
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

// orgScope resolves the :code of the route to an organization and lets
// through only users who may do a on it. Someone who may not even see the
// organization is told there is no such page, so that the portal does not
// say which organizations have data; a member who may see it but not do a
// is told it is not allowed.
func (s *Server) orgScope(a forms.Action) gin.HandlerFunc {
	return func(c *gin.Context) {
		org, err := s.store.OrganizationByCode(c.Request.Context(), strings.ToUpper(c.Param("code")))
		if err != nil {
			s.renderError(c, err)
			return
		}
		if u := s.currentUser(c); !u.Can(a, org.ID) {
			kind := forms.KindNotFound
			if u.Can(forms.ViewOrganization, org.ID) {
				kind = forms.KindForbidden
			}
			s.renderError(c, forms.Errorf(kind, "%s refused on %s", a, org.Code))
			return
		}
		c.Set(ctxOrg, org)
		c.Next()
	}
}

// organizationOf returns the organization orgScope resolved.
func organizationOf(c *gin.Context) forms.Organization {
	o, _ := c.Get(ctxOrg)
	org, _ := o.(forms.Organization)
	return org
}

// scopedCall is the call of a route about one organization's answer to
// it, with its questionnaire, as callScope resolved them.
type scopedCall struct {
	call forms.Call
	q    *forms.Questionnaire
}

// callScope resolves the :call of a route about one organization's answer
// to a call, once the organization is resolved (orgScope, reviewScope).
// A call that does not ask the organization, or, for anyone but the
// Office, a call in preparation, is no page at all (404), on every route
// of the call: forms.Call.ShownTo decides. Handlers take the call from
// callOfScope and decide nothing again.
func (s *Server) callScope(c *gin.Context) {
	call, q, err := s.callOf(c)
	if org := organizationOf(c); err == nil && !call.ShownTo(s.currentUser(c), org) {
		err = forms.Errorf(forms.KindNotFound, "call %s is not %s's to see", call.Key, org.Code)
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.Set(ctxCall, scopedCall{call, q})
	c.Next()
}

// callOfScope returns the call and questionnaire callScope resolved; an
// error for a route that has no call scope, which is the portal's fault.
func callOfScope(c *gin.Context) (forms.Call, *forms.Questionnaire, error) {
	v, _ := c.Get(ctxCall)
	sc, ok := v.(scopedCall)
	if !ok {
		return forms.Call{}, nil, fmt.Errorf("route %s resolves no call scope", c.FullPath())
	}
	return sc.call, sc.q, nil
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
