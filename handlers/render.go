package handlers

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"path"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"portal/forms"
	"portal/templates"
	"portal/templates/words"
)

// pages holds one template set per page: the layout and that page.
type pages struct {
	sets map[string]*template.Template
	cat  *words.Catalogue
}

func loadPages() (*pages, error) {
	cat, err := words.Load()
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(templates.FS, "pages/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{sets: map[string]*template.Template{}, cat: cat}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		t, err := template.New(name).ParseFS(templates.FS, "layout.html", "partials.html", f)
		if err != nil {
			return nil, fmt.Errorf("handlers: template %s: %w", f, err)
		}
		p.sets[name] = t
	}
	return p, nil
}

// basePage is what the layout needs; every page's data embeds it. Its
// words.Text gives pages and templates the interface text in the page's
// language (.T, .Tf, .Tn) and its formats.
type basePage struct {
	words.Text
	Dir       string // ltr or rtl
	Title     string
	Path      string
	RequestID string
	Languages []languageLink
	// User is the signed-in user, nil for a visitor.
	User *forms.User
	// Flash is a notice left by the previous request (after a form was sent).
	Flash string

	// buildVersion is the portal's version, shown to the Office only (see
	// FooterVersion). Unexported, so that no page's own Version (a
	// submission version, a questionnaire version) can stand in for it.
	buildVersion string

	assets *assets
}

type languageLink struct {
	Code    forms.Language
	Name    string
	Href    string
	Current bool
}

// newBase fills the layout's data for the request.
func (s *Server) newBase(c *gin.Context) basePage {
	lang := languageOf(c.Request)
	b := basePage{
		Text:         s.pages.cat.Text(lang),
		Dir:          "ltr",
		Path:         c.Request.URL.Path,
		buildVersion: s.opts.Version,
		assets:       s.assets,
		User:         s.currentUser(c),
	}
	if lang.RightToLeft() {
		b.Dir = "rtl"
	}
	if id := s.popFlash(c); id != "" {
		b.Flash = b.T(id)
	}
	next := url.QueryEscape(c.Request.URL.RequestURI())
	for _, l := range forms.Languages {
		b.Languages = append(b.Languages, languageLink{
			Code: l, Name: words.LanguageName(l), Current: l == lang,
			Href: "/language/" + string(l) + "?next=" + next,
		})
	}
	return b
}

// FooterVersion is the footer's line naming the portal's version, for the
// Office's analysts and administrators, who report problems with it; other
// users and visitors get "" (the version tells them nothing, and an
// attacker something).
func (b basePage) FooterVersion() string {
	if b.User == nil || !b.User.Office() || b.buildVersion == "" {
		return ""
	}
	return b.Tf("footer.version", map[string]string{"Version": b.buildVersion})
}

// Asset returns the URL of a static file, versioned by its content so that
// browsers may cache it for good.
func (b basePage) Asset(name string) string { return b.assets.url(name) }

// renderBuffers are the buffers pages are rendered into, kept for the next
// page: a statistics section is some 400 KB, which a new buffer would grow
// to by copying it a dozen times. A buffer grown beyond maxPooledPage (an
// unusual page) is left to the collector rather than held.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledPage = 4 << 20

// render executes the page's template set into a buffer, then writes it, so
// that a template error becomes an error page, not half a page.
func (s *Server) render(c *gin.Context, status int, page string, data any) {
	t, ok := s.pages.sets[page]
	if !ok {
		s.log.Error("no such page template", "page", page)
		c.String(500, "internal error")
		return
	}
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledPage {
			buf.Reset()
			renderBuffers.Put(buf)
		}
	}()
	if p, ok := data.(interface{ RenderInto(*bytes.Buffer) }); ok {
		p.RenderInto(buf) // a draft's page writes its tables' rows there (views.Draft.TableRows)
	}
	if err := t.ExecuteTemplate(buf, "layout", data); err != nil {
		s.log.Error("render page", "page", page, "err", err, "request_id", requestIDOf(c))
		if page != "message" {
			s.renderError(c, err)
			return
		}
		c.String(500, "internal error")
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}
