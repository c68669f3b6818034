package handlers

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/forms"
)

// DevMailPath is where a development portal shows the mail it kept rather
// than sent (no SMTP relay configured), so that a person can follow the
// links in it: an invitation's, a reminder's.
const DevMailPath = "/dev-mail"

// devMailStore reads the mail a development portal kept.
type devMailStore interface {
	// DevMails lists the newest kept messages, newest first.
	DevMails(ctx context.Context, limit int) ([]forms.DevMail, error)
	// DevMail returns one; KindNotFound when there is none.
	DevMail(ctx context.Context, id int64) (forms.DevMail, error)
}

type devMailPage struct {
	basePage
	Messages []devMailRow
	Message  *devMailRow
}

type devMailRow struct {
	forms.DevMail
	Kept    string
	Href    string
	Headers [][2]string
	// Text is the plain part in pieces: links to the portal are links.
	Text []textPiece
}

type textPiece struct{ Text, Link string }

// linked cuts text into pieces, the links to base (the portal) apart.
func linked(text, base string) []textPiece {
	var out []textPiece
	for text != "" {
		i := strings.Index(text, base)
		if i < 0 || base == "" {
			out = append(out, textPiece{Text: text})
			break
		}
		if i > 0 {
			out = append(out, textPiece{Text: text[:i]})
		}
		end := i + strings.IndexFunc(text[i:]+" ", func(r rune) bool { return r == ' ' || r == '\n' || r == '\t' || r == '<' || r == '>' || r == '"' })
		out = append(out, textPiece{Text: text[i:end], Link: text[i:end]})
		text = text[end:]
	}
	return out
}

func (s *Server) devMailRow(p *basePage, m forms.DevMail) devMailRow {
	r := devMailRow{DevMail: m, Kept: p.TimestampSeconds(m.KeptAt), Href: DevMailPath + "/" + strconv.FormatInt(m.ID, 10)}
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range m.Headers {
			if !yield(k) {
				return
			}
		}
	}) {
		r.Headers = append(r.Headers, [2]string{k, m.Headers[k]})
	}
	r.Text = linked(m.Text, s.opts.BaseURL.String())
	return r
}

// showDevMail lists the mail kept, newest first.
func (s *Server) showDevMail(c *gin.Context) error {
	p := devMailPage{basePage: s.newBase(c)}
	p.Title = p.T("devmail.title")
	ms, err := s.store.DevMails(c.Request.Context(), 200)
	if err != nil {
		return err
	}
	for _, m := range ms {
		p.Messages = append(p.Messages, s.devMailRow(&p.basePage, m))
	}
	s.render(c, http.StatusOK, "devmail", &p)
	return nil
}

// keptMail finds the kept message the route names.
func (s *Server) keptMail(c *gin.Context) (forms.DevMail, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return forms.DevMail{}, forms.Errorf(forms.KindNotFound, "no such message")
	}
	return s.store.DevMail(c.Request.Context(), id)
}

// showDevMailMessage shows one kept message: its headers and plain part,
// with a link to its HTML part.
func (s *Server) showDevMailMessage(c *gin.Context) error {
	m, err := s.keptMail(c)
	if err != nil {
		return err
	}
	p := devMailPage{basePage: s.newBase(c)}
	row := s.devMailRow(&p.basePage, m)
	p.Message = &row
	p.Title = m.Subject
	s.render(c, http.StatusOK, "devmailmessage", &p)
	return nil
}

// showDevMailHTML sends a kept message's HTML part as it was written, in a
// sandbox: no script runs, nothing is fetched, its links can be followed.
func (s *Server) showDevMailHTML(c *gin.Context) error {
	m, err := s.keptMail(c)
	if err != nil {
		return err
	}
	c.Header("Content-Security-Policy", "sandbox allow-popups allow-top-navigation-by-user-activation; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(m.HTML))
	return nil
}
