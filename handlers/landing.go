package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"portal/forms"
)

type landingPage struct {
	basePage
	Stats  forms.DirectoryStats
	Groups []string
}

// DirectorySummary says how many States and organizations the directory
// holds, each count in its plural form.
func (p *landingPage) DirectorySummary() string {
	return p.Tf("landing.directory.summary", map[string]any{
		"MemberStates":   p.Tn("landing.directory.summary.members", p.Stats.MemberStates, nil),
		"ObserverStates": p.Tn("landing.directory.summary.observers", p.Stats.ObserverStates, nil),
		"Organizations":  p.Tn("landing.directory.summary.organizations", p.Stats.Organizations, nil),
		"RegionalGroups": p.Tn("landing.directory.summary.groups", p.Stats.RegionalGroups, nil),
	})
}

// showLanding is the public home page: what the portal is for and whom it serves.
func (s *Server) showLanding(c *gin.Context) error {
	ctx := c.Request.Context()
	stats, err := s.store.DirectoryStats(ctx)
	if err != nil {
		return err
	}
	groups, err := s.store.RegionalGroups(ctx)
	if err != nil {
		return err
	}
	p := landingPage{basePage: s.newBase(c), Stats: stats}
	for _, g := range groups {
		p.Groups = append(p.Groups, g.Name.In(p.Lang))
	}
	s.render(c, http.StatusOK, "landing", &p)
	return nil
}
