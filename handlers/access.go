package handlers

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/forms"
)

const (
	ctxUser = "user"
	ctxOrg  = "organization"
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
