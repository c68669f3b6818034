package handlers

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"portal/forms"
	"portal/templates"
	"portal/templates/words"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
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
	// Here is the page's address, for the footer's choice of time zone to
	// come back to; ViewerZone the zone the viewer chose (UTC by default).
	Here, ViewerZone string
	Zones            []string

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
	b.Text = b.InZone(zoneOf(c.Request))
	b.Here, b.ViewerZone, b.Zones = c.Request.URL.RequestURI(), b.ZoneName(), commonZones
	if id := s.popFlash(c); id != "" {
		b.Flash = b.T(id)
		if key, count, ok := strings.Cut(id, "#"); ok {
			n, _ := strconv.Atoi(count) // written by flashN
			b.Flash = b.Tn(key, n, nil)
		}
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

// callBase is newBase for a page about one call: its times are in the
// call's zone, the deadline's, named.
func (s *Server) callBase(c *gin.Context, call forms.Call) basePage {
	b := s.newBase(c)
	b.Text = b.InZone(call.Location())
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

// fragment renders the template name of page's set with data, as a part
// of the page the page's script puts in place.
func (s *Server) fragment(page, name string, data any) (string, error) {
	t, ok := s.pages.sets[page]
	if !ok {
		return "", fmt.Errorf("no such page template %q", page)
	}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("render %s of %s: %w", name, page, err)
	}
	return b.String(), nil
}

// langCookie remembers the language a user chose with the switcher.
const langCookie = "portal_lang"

// languageOf picks the request's language: the switcher's cookie, else the
// browser's Accept-Language, else English.
func languageOf(r *http.Request) forms.Language {
	var chosen string
	if ck, err := r.Cookie(langCookie); err == nil {
		chosen = ck.Value
	}
	return words.Negotiate(chosen, r.Header.Get("Accept-Language"))
}

// switchLanguage remembers the chosen language and returns to the page the
// user was on (a local path only, so the link cannot send anyone elsewhere).
func (s *Server) switchLanguage(c *gin.Context) error {
	l, ok := forms.ParseLanguage(c.Param("code"))
	if !ok {
		return forms.Errorf(forms.KindNotFound, "no such language")
	}
	http.SetCookie(c.Writer, &http.Cookie{
		Name:     langCookie,
		Value:    string(l),
		Path:     "/",
		MaxAge:   365 * 24 * 3600,
		HttpOnly: true,
		Secure:   s.secure(),
		SameSite: http.SameSiteLaxMode,
	})
	if u := s.currentUser(c); u != nil {
		if err := s.store.SetLanguage(c.Request.Context(), u.ID, l); err != nil {
			return err
		}
	}
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusSeeOther, localPath(c.Query("next")))
	return nil
}

// zoneCookie remembers the time zone a viewer chose for the pages not
// about one call.
const zoneCookie = "portal_zone"

// zones caches the zones viewers chose, by name.
var zones sync.Map

// loadZone returns the IANA zone name, or false when there is none such
// ("Local" and the empty name are not zones a viewer chooses).
func loadZone(name string) (*time.Location, bool) {
	if name == "" || name == "Local" || len(name) > 64 {
		return nil, false
	}
	if z, ok := zones.Load(name); ok {
		return z.(*time.Location), true
	}
	z, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	zones.Store(name, z)
	return z, true
}

// zoneOf is the zone the viewer chose, or UTC.
func zoneOf(r *http.Request) *time.Location {
	if ck, err := r.Cookie(zoneCookie); err == nil {
		if z, ok := loadZone(ck.Value); ok {
			return z
		}
	}
	return time.UTC
}

// switchZone remembers the time zone the viewer chose, and goes back to
// the page they chose it on; a name that is no zone changes nothing.
func (s *Server) switchZone(c *gin.Context) error {
	if z, ok := loadZone(strings.TrimSpace(c.Query("zone"))); ok {
		http.SetCookie(c.Writer, &http.Cookie{Name: zoneCookie, Value: z.String(), Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: s.secure(), SameSite: http.SameSiteLaxMode})
	} else {
		s.flash(c, "footer.zone.unknown")
	}
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusSeeOther, localPath(c.Query("next")))
	return nil
}

// localPath returns next when it is a path on this site, and "/" otherwise.
func localPath(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return u.RequestURI()
}

// Content types of the portal's downloads.
const (
	csvType  = "text/csv; charset=utf-8"
	xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// download makes the response a file named name, of contentType, to save:
// an attachment, never shown inline, and kept by no cache, shared or the
// browser's, since every download holds a Member State's answers or the
// Office's work. Every download sets its headers here, so that none can
// forget one (TestAuthorizationMatrix checks every route's downloads).
//
// The name is written as RFC 6266 has it: as it is when it is a token
// (filename=report.xlsx), quoted when it has spaces or separators, and
// percent-encoded UTF-8 in filename* (RFC 5987) when it is not ASCII,
// which every current browser reads.
func download(c *gin.Context, name, contentType string) {
	h := c.Writer.Header()
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "private, no-store")
}

// assets are the embedded static files with a content hash each, so that a
// page can ask browsers to cache them for a year and still get a new file
// the moment it changes.
type assets struct {
	files map[string]asset
}

type asset struct {
	body        []byte
	hash        string
	contentType string
}

func loadAssets() (*assets, error) {
	a := &assets{files: map[string]asset{}}
	err := fs.WalkDir(templates.FS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(templates.FS, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = "application/octet-stream"
		}
		a.files[strings.TrimPrefix(p, "static/")] = asset{body: body, hash: hex.EncodeToString(sum[:6]), contentType: ct}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("handlers: static assets: %w", err)
	}
	return a, nil
}

// url returns the versioned URL of the named asset.
func (a *assets) url(name string) string {
	f, ok := a.files[name]
	if !ok {
		return "/static/" + name
	}
	return "/static/" + name + "?v=" + f.hash
}

// serve answers /static/*file. A request with the current version is cached
// for good; any other must be revalidated.
func (a *assets) serve(c *gin.Context) {
	f, ok := a.files[strings.TrimPrefix(c.Param("file"), "/")]
	if !ok {
		c.Status(http.StatusNotFound)
		return
	}
	if c.Query("v") == f.hash {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Header("Cache-Control", "no-cache")
	}
	c.Header("ETag", `"`+f.hash+`"`)
	c.Header("Content-Type", f.contentType)
	http.ServeContent(c.Writer, c.Request, "", time.Time{}, bytes.NewReader(f.body))
}
