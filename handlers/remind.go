package handlers

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"portal/forms"
	"portal/mail"
	"portal/templates/email"
	"portal/templates/words"
)

// Reminding chosen organizations now, from a call's tracking page: the
// analyst ticks organizations that have not answered, sees the message in
// each language it will go in, and sends it.

// reminderStore sends reminders now.
type reminderStore interface {
	// RemindNow reminds the focal points of the organizations with the
	// codes, and returns how many messages that makes; KindInvalid for an
	// organization the call does not ask.
	RemindNow(ctx context.Context, c forms.Call, codes []string, now time.Time, actor forms.Actor) (int, error)
}

type remindPage struct {
	basePage
	CallKey, CallTitle, Back, Action string
	Orgs                             []remindOrg
	Previews                         []remindPreview
	Recipients                       int
}

type remindOrg struct {
	Code, Name string
	People     []string // "name <address> (language)"
}

type remindPreview struct {
	Lang, LangName, Subject, Text string
	Dir                           string
	Count                         int // recipients reading it in this language
}

// remind previews (step "preview") or sends (step "send") a reminder to the
// organizations ticked on the tracking page.
func (s *Server) remind(c *gin.Context) error {
	ctx := c.Request.Context()
	call := scopeOf(c).call
	back := "/office/calls/" + call.Key
	codes := slices.Compact(slices.Sorted(slices.Values(c.PostFormArray("org"))))
	if len(codes) == 0 {
		s.flash(c, "remind.none")
		c.Redirect(http.StatusSeeOther, back)
		return nil
	}
	rs, err := s.store.Responses(ctx, call)
	if err != nil {
		return err
	}
	contacts, err := s.store.CallContacts(ctx, call)
	if err != nil {
		return err
	}
	p := &remindPage{basePage: s.callBase(c, call), CallKey: call.Key, CallTitle: call.Title.In(s.newBase(c).Lang), Back: back,
		Action: back + "/remind"}
	p.Title = p.T("remind.title")
	langs := map[forms.Language]int{}
	var sample forms.OrganizationRef
	for _, code := range codes {
		i := slices.IndexFunc(rs, func(r forms.Response) bool { return r.Organization.Code == code })
		if i < 0 {
			return forms.Errorf(forms.KindInvalid, "an organization to remind is not one the call asks")
		}
		o := rs[i].Organization
		ro := remindOrg{Code: o.Code, Name: o.Name.In(p.Lang)}
		for _, ct := range contacts[o.ID] {
			if ct.Role != forms.FocalPoint {
				continue
			}
			ro.People = append(ro.People, ct.Name+" <"+ct.Email+"> ("+words.LanguageName(ct.Language)+")")
			langs[ct.Language]++
			p.Recipients++
		}
		if sample.Code == "" {
			sample = forms.OrganizationRef{ID: o.ID, Code: o.Code, Name: o.Name}
		}
		p.Orgs = append(p.Orgs, ro)
	}
	if c.PostForm("step") == "send" {
		n, err := s.store.RemindNow(ctx, call, codes, time.Now(), s.actor(c))
		if err != nil {
			return err
		}
		s.flashN(c, "remind.sent", n)
		c.Redirect(http.StatusSeeOther, back)
		return nil
	}
	site := s.opts.MailSite
	if site.BaseURL == "" {
		site = email.Site{BaseURL: s.opts.BaseURL.String(), From: mail.Address{Addr: "portal@localhost"}}
	}
	now := time.Now()
	for _, l := range forms.Languages {
		if langs[l] == 0 {
			continue
		}
		t := s.pages.cat.Text(l)
		m, err := site.Reminder(t, email.Reminder{To: mail.Address{Addr: "focal.point@example.org"}, Call: email.CallOf(call),
			Organization: sample, Now: now, Path: "/orgs/" + sample.Code + "/calls/" + call.Key})
		if err != nil {
			return err
		}
		dir := "ltr"
		if l.RightToLeft() {
			dir = "rtl"
		}
		p.Previews = append(p.Previews, remindPreview{Lang: string(l), LangName: words.LanguageName(l), Subject: m.Subject,
			Text: strings.TrimSpace(m.Text), Dir: dir, Count: langs[l]})
	}
	s.render(c, http.StatusOK, "remind", p)
	return nil
}
