// Package handlers speaks HTTP for the portal: routing with gin, the
// middleware every request passes (request id, logging, metrics, security
// headers, panic recovery), rendering pages in the user's language, and the
// one error path that turns domain errors into statuses and error pages.
//
// It depends on the domain (forms) and the templates, never on storage: the
// store it needs is the Store interface below, which cmd wires.
package handlers

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"
	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"
	"github.com/prometheus/client_golang/prometheus"

	"portal/forms"
	"portal/handlers/devidp"
	"portal/templates/email"
	"portal/templates/views"
)

// Store is what the handlers need of the portal's data, made of the small
// interfaces each part declares where it uses them; cmd passes one
// *storage.Store for all. Errors carry forms kinds: KindNotFound,
// KindConflict, KindUnavailable when the database is down.
type Store interface {
	directory
	accountStore
	invitationStore
	draftStore
	submissionStore
	callStore
	statisticsStore
	seriesStore
	importStore
	reportStore
	devMailStore
	mailPreferenceStore
	reminderStore
}

// directory is what every part of the portal reads: the organizations, their
// groups and the calls.
type directory interface {
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// DirectoryStats counts the bodies the portal knows.
	DirectoryStats(ctx context.Context) (forms.DirectoryStats, error)
	// RegionalGroups lists the UN regional groups in their usual order.
	RegionalGroups(ctx context.Context) ([]forms.RegionalGroup, error)
	// Organizations lists the organizations of a kind (all kinds for "").
	Organizations(ctx context.Context, kind forms.OrganizationKind) ([]forms.Organization, error)
	// OrganizationByCode finds an organization by its code.
	OrganizationByCode(ctx context.Context, code string) (forms.Organization, error)
	// Calls lists every call, oldest first.
	Calls(ctx context.Context) ([]forms.Call, error)
	// CallByKey finds a call; KindNotFound when there is none.
	CallByKey(ctx context.Context, key string) (forms.Call, error)
}

// Questionnaires finds questionnaire definitions by key and version.
type Questionnaires interface {
	Version(key string, version int) (*forms.Questionnaire, bool)
	// All lists every questionnaire, by key and version.
	All() []*forms.Questionnaire
}

// Options configure New.
type Options struct {
	// BaseURL is the portal's public address; https turns on Secure cookies and HSTS.
	BaseURL *url.URL
	// Version is shown on /healthz, and to the Office in the footer.
	Version string
	// TrustedProxies are the CIDRs whose X-Forwarded-For is believed; none when empty.
	TrustedProxies []string
	Logger         *slog.Logger
	Store          Store
	// Questionnaires are the questionnaire definitions calls refer to.
	Questionnaires Questionnaires
	// Sessions stores signed-in sessions (in PostgreSQL, so they survive
	// restarts and are shared by replicas).
	Sessions scs.Store
	// OIDC is the identity provider users sign in with.
	OIDC OIDC
	// DevIdP, when set, is the development identity provider, served at
	// /dev-idp with its account picker; OIDC must then point at it.
	DevIdP *devidp.Provider
	// MailSite is how the portal's mail is written (its sender, the base
	// of its links): the reminder's preview uses it.
	MailSite email.Site
	// DevMail serves the mail a development portal keeps instead of
	// sending it, at DevMailPath; never in production.
	DevMail bool
	// SupportEmail is whom a user with no access yet should write to; optional.
	SupportEmail string
	// WorkbookMaxBytes bounds an uploaded workbook; DefaultWorkbookMaxBytes when 0.
	WorkbookMaxBytes int64
	// DraftFilesMaxBytes bounds what the files a draft holds may weigh
	// together; DefaultDraftFilesMaxBytes when 0.
	DraftFilesMaxBytes int64
	// MetricsToken, when set, is the bearer token /metrics requires; when
	// empty, /metrics answers only requests made directly from this machine.
	MetricsToken string
}

// Where the development identity provider is served, and its account picker.
const (
	DevIdPPath    = "/dev-idp"
	DevSignInPath = "/dev-signin"
)

// Server is the portal's HTTP handler.
type Server struct {
	opts     Options
	log      *slog.Logger
	store    Store
	pages    *pages
	assets   *assets
	metrics  *metrics
	sessions *scs.SessionManager
	rp       *relyingParty
	cop      *http.CrossOriginProtection
	signins  *rateLimiter
	unsaved  *rateLimiter  // forms kept for after signing in (keepUnsaved), which anyone may post
	uploads  *uploadGate   // workbooks and tables read at once
	layouts  views.Layouts // the statistical tables' layouts, which every draft's page shares
	series   seriesIndex   // every series of the questionnaires, with its cells and labels
	engine   *gin.Engine
	handler  http.Handler // the engine, its responses compressed
}

// New builds the portal's handler: it parses every template and loads every
// catalogue now, so a broken one stops the start rather than a request.
func New(opts Options) (*Server, error) {
	if opts.BaseURL == nil {
		return nil, fmt.Errorf("handlers: no base URL")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Store == nil || opts.Sessions == nil || opts.Questionnaires == nil {
		return nil, fmt.Errorf("handlers: a store, a session store and the questionnaires are required")
	}
	if opts.OIDC.Issuer == "" || opts.OIDC.ClientID == "" {
		return nil, fmt.Errorf("handlers: no identity provider configured")
	}
	cop := http.NewCrossOriginProtection()
	if err := cop.AddTrustedOrigin(opts.BaseURL.Scheme + "://" + opts.BaseURL.Host); err != nil {
		return nil, fmt.Errorf("handlers: base URL as trusted origin: %w", err)
	}
	pg, err := loadPages()
	if err != nil {
		return nil, err
	}
	as, err := loadAssets()
	if err != nil {
		return nil, err
	}
	s := &Server{
		opts:     opts,
		log:      opts.Logger,
		store:    opts.Store,
		pages:    pg,
		assets:   as,
		metrics:  newMetrics(),
		sessions: newSessionManager(opts.Sessions, opts.BaseURL.Scheme == "https"),
		rp:       newRelyingParty(opts.OIDC, opts.BaseURL),
		cop:      cop,
		signins:  newRateLimiter(6*time.Second, 20), // a burst of 20, then 10 a minute
		unsaved:  newRateLimiter(time.Minute, 5),    // a burst of 5, then 1 a minute
		uploads:  newUploadGate(uploadsAtOnce),
		series:   newSeriesIndex(opts.Questionnaires),
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	if err := e.SetTrustedProxies(opts.TrustedProxies); err != nil {
		return nil, fmt.Errorf("handlers: trusted proxies: %w", err)
	}
	e.RemoteIPHeaders = []string{"X-Forwarded-For"}
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	e.Use(s.requestID, s.logRequests, s.metrics.observe, s.securityHeaders, s.recoverPanics, s.crossOrigin, s.limitBody)
	s.routes(e)
	e.NoRoute(s.handle(func(c *gin.Context) error {
		return forms.Errorf(forms.KindNotFound, "no route")
	}))
	s.engine = e
	// Pages are compressed for the browsers that take it: a statistics
	// section is about 400 KB of repetitive HTML and about 25 KB
	// compressed, which matters on the slow links some focal points work
	// on. Pages carry no secret a compression side channel could reveal
	// (cross-site protection needs no token). Gzip's fastest level: on the
	// largest section it takes half the time of the default (0.24 against
	// 0.54 ms) for 15 % more bytes (27 against 23 KB; docs/benchmarks.md).
	compress, err := gzhttp.NewWrapper(gzhttp.CompressionLevel(gzip.BestSpeed))
	if err != nil {
		return nil, fmt.Errorf("handlers: compression: %w", err)
	}
	s.handler = compress(e)
	return s, nil
}

// routes registers every route the portal serves, each behind the access
// rule of its group. The authorization matrix test lists every one.
func (s *Server) routes(e *gin.Engine) {
	// Machines: no session, no user.
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metrics.handler(s.opts.MetricsToken))
	e.GET("/static/*file", s.assets.serve)
	e.HEAD("/static/*file", s.assets.serve)

	// Pages: a session, and the user if signed in.
	pages := e.Group("/", s.session, s.loadUser)
	pages.GET("/", s.handle(s.showLanding))
	pages.GET("/language/:code", s.handle(s.switchLanguage))
	pages.GET("/zone", s.handle(s.switchZone))
	pages.GET("/signin", s.limit(s.signins), s.handle(s.startSignIn))
	pages.GET("/auth/callback", s.limit(s.signins), s.handle(s.finishSignIn))
	pages.GET("/signed-out", s.handle(s.fixedPage("signed_out", "auth.signedout.title")))
	pages.POST("/signout", s.handle(s.signOut))

	// Signed in, whatever the role.
	user := pages.Group("/", s.requireUser)
	user.GET("/home", s.handle(s.showHome))
	user.GET(PreferencesPath, s.handle(s.showPreferences))
	user.POST(PreferencesPath, s.handle(s.savePreferences))
	user.POST("/organization", s.handle(s.switchOrganization))

	// One organization's pages: its members and the Office only.
	org := user.Group("/orgs/:code", s.orgScope(forms.ViewOrganization))
	org.GET("", s.handle(s.showOrganization))
	org.POST("/invitations", s.orgScope(forms.InviteContributor), s.handle(s.inviteToOrganization))
	org.POST("/invitations/:id/revoke", s.orgScope(forms.InviteContributor), s.handle(s.revokeOrganizationInvitation))
	org.GET("/files/:id", s.handle(s.downloadAttachment))

	// Its answer to a call: a call that asks it, and, while in preparation, for the Office alone.
	call := org.Group("/calls/:call", s.callScope)
	call.GET("", s.handle(s.showDraft))
	call.GET("/:section", s.sectionScope, s.handle(s.showSection))
	call.GET("/:section/resolve", s.sectionScope, s.orgScope(forms.EditDraft), s.handle(s.showConflicts))
	call.POST("/:section/resolve", s.sectionScope, s.orgScope(forms.EditDraft), s.handle(s.resolveConflicts))
	call.GET("/submission", s.handle(s.showSubmission))
	call.GET("/workbook.xlsx", s.handle(s.downloadWorkbook))
	call.POST("/workbook", s.takesFiles, s.orgScope(forms.EditDraft), s.handle(s.uploadWorkbook))
	call.POST("/workbook/apply", s.orgScope(forms.EditDraft), s.handle(s.applyWorkbook))
	call.POST("/workbook/report", s.handle(s.workbookReport))
	call.GET("/submit", s.orgScope(forms.Submit), s.handle(s.showConfirm))
	call.POST("/submit", s.orgScope(forms.Submit), s.handle(s.transition(forms.TransitionSubmit)))
	call.POST("/withdraw", s.orgScope(forms.Submit), s.handle(s.transition(forms.TransitionWithdraw)))
	call.GET("/receipts/:n", s.handle(s.showReceipt))
	call.POST("/comments", s.orgScope(forms.EditDraft), s.handle(s.postOrganizationComment))
	// Saving a section: its form may carry files, and one posted after the
	// session ended is kept for after signing in, so both come before
	// requireUser, and the route spells out the chain its group would give.
	pages.POST(sectionRoute, s.takesFiles, s.keepsUnsaved("end"), s.requireUser,
		s.orgScope(forms.ViewOrganization), s.callScope, s.sectionScope, s.orgScope(forms.EditDraft), s.handle(s.saveSection))

	// The Office.
	office := user.Group("/office", s.require(forms.ViewOffice))
	office.GET("", s.handle(s.showOffice))
	office.GET("/calls/new", s.require(forms.ManageCalls), s.handle(s.showNewCall))
	office.POST("/calls/new", s.require(forms.ManageCalls), s.handle(s.saveCall))
	oc := office.Group("/calls/:call", s.officeCallScope)
	oc.GET("/edit", s.require(forms.ManageCalls), s.handle(s.showEditCall))
	oc.POST("/edit", s.require(forms.ManageCalls), s.handle(s.saveCall))
	oc.GET("", s.handle(s.showTracking))
	oc.POST("/joint", s.require(forms.ManageCalls), s.handle(s.recordJoint))
	oc.POST("/remind", s.require(forms.ManageCalls), s.handle(s.remind))
	oc.POST("/joint/remove", s.require(forms.ManageCalls), s.handle(s.removeJoint))
	oc.GET("/responses.csv", s.handle(s.exportResponses("csv")))
	oc.GET("/responses.xlsx", s.handle(s.exportResponses("xlsx")))
	oc.GET("/statistics", s.handle(s.showStatistics))
	oc.GET("/coverage", s.handle(s.showCoverage))
	oc.GET("/views", s.handle(s.showViews))
	oc.GET("/views.xlsx", s.handle(s.exportViews("xlsx")))
	oc.GET("/views.csv", s.handle(s.exportViews("csv")))
	oc.GET("/statistics.xlsx", s.handle(s.exportStatistics("xlsx")))
	oc.GET("/statistics.csv", s.handle(s.exportStatistics("csv")))
	oc.GET("/report", s.require(forms.WriteReports), s.handle(s.showReportForm))
	oc.GET("/report/preview", s.require(forms.WriteReports), s.handle(s.showReportPreview))
	oc.POST("/report/release", s.require(forms.WriteReports), s.handle(s.releaseReport))
	oc.GET("/report/release", s.require(forms.WriteReports), s.handle(s.showReleasing))
	review := oc.Group("/orgs/:code", s.reviewScope)
	review.GET("", s.handle(s.showReview))
	review.POST("/accept", s.handle(s.transition(forms.TransitionAccept)))
	review.POST("/return", s.handle(s.transition(forms.TransitionReturn)))
	review.POST("/comments", s.handle(s.postOfficeComment))
	// Entry on an organization's behalf (handlers/entry.go): the draft's
	// own handlers, in the scope's entry mode.
	enter := review.Group("/enter", s.entryScope)
	enter.GET("", s.handle(s.showEntry))
	enter.POST("/submit", s.handle(s.submitEntry))
	enter.GET("/:section", s.sectionScope, s.handle(s.showSection))
	enter.GET("/:section/resolve", s.sectionScope, s.handle(s.showConflicts))
	enter.POST("/:section/resolve", s.sectionScope, s.handle(s.resolveConflicts))
	enter.POST("/workbook", s.takesFiles, s.handle(s.uploadWorkbook))
	enter.POST("/workbook/apply", s.handle(s.applyWorkbook))
	office.GET("/populations", s.handle(s.showPopulations))
	office.GET("/populations.csv", s.handle(s.downloadPopulations))
	office.POST("/populations", s.require(forms.ManageCalls), s.takesFiles, s.handle(s.uploadPopulations))
	office.POST("/populations/wpp", s.require(forms.ManageCalls), s.takesFiles, s.handle(s.uploadWPP))
	office.GET("/series", s.handle(s.showSeries))
	office.GET("/series.csv", s.handle(s.exportSeries))
	office.GET("/series/areas/:area", s.handle(s.showSeriesArea))
	office.GET("/imports", s.handle(s.showImports))
	office.POST("/imports", s.require(forms.ManageSeries), s.takesFiles, s.handle(s.uploadImport))
	office.GET("/imports/uploads/:token", s.require(forms.ManageSeries), s.handle(s.showImportPlan))
	office.POST("/imports/uploads/:token/mappings", s.require(forms.ManageSeries), s.handle(s.saveImportMappings))
	office.POST("/imports/uploads/:token/confirm", s.require(forms.ManageSeries), s.handle(s.confirmImport))
	office.GET("/imports/uploads/:token/confirm", s.require(forms.ManageSeries), s.handle(s.showImporting))
	office.POST("/imports/:ref/withdraw", s.require(forms.ManageSeries), s.handle(s.withdrawImport))
	office.GET("/invitations", s.require(forms.ManageInvitations), s.handle(s.showInvitations))
	office.POST("/invitations", s.require(forms.ManageInvitations), s.handle(s.createInvitation))
	office.POST("/invitations/:id/revoke", s.require(forms.ManageInvitations), s.handle(s.revokeInvitation))
	office.GET("/audit", s.require(forms.ViewAudit), s.handle(s.showAudit))
	office.GET("/jobs", s.require(forms.ViewJobs), s.handle(s.showJobs))
	office.GET("/users", s.require(forms.ManageUsers), s.handle(s.showUsers))
	office.POST("/users/:id/remove-role", s.require(forms.ManageUsers), s.handle(s.removeRole))
	// A section saved in the entry on an organization's behalf: kept over
	// the session's end as the organization's own, so spelled out likewise.
	pages.POST("/office/calls/:call/orgs/:code/enter/:section", s.takesFiles, s.keepsUnsaved("end"), s.requireUser,
		s.require(forms.ViewOffice), s.officeCallScope, s.reviewScope, s.entryScope, s.sectionScope, s.handle(s.saveSection))
	// The report's frame: one posted after the session ended is kept for after signing in.
	pages.POST("/office/calls/:call/report", s.keepsUnsaved("title"), s.requireUser,
		s.require(forms.ViewOffice), s.officeCallScope, s.require(forms.WriteReports), s.handle(s.saveReport))

	// The Commission.
	commission := user.Group("/commission", s.require(forms.ReadReports))
	commission.GET("", s.handle(s.showCommission))
	commission.GET("/reports/:call/:n", s.handle(s.showRelease))
	commission.GET("/reports/:call/:n/annex.xlsx", s.handle(s.downloadAnnex))

	// The development identity provider and its account picker.
	if s.opts.DevIdP != nil {
		op := gin.WrapH(http.StripPrefix(DevIdPPath, s.opts.DevIdP.Handler()))
		e.GET(DevIdPPath+"/*path", op)
		e.POST(DevIdPPath+"/*path", op)
		pages.GET(DevSignInPath, s.handle(s.showDevSignIn))
		pages.POST(DevSignInPath, s.handle(s.devSignIn))
	}
	// The mail a development portal keeps instead of sending.
	if s.opts.DevMail {
		pages.GET(DevMailPath, s.handle(s.showDevMail))
		pages.GET(DevMailPath+"/:id", s.handle(s.showDevMailMessage))
		pages.GET(DevMailPath+"/:id/html", s.handle(s.showDevMailHTML))
	}
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Routes lists every registered route as "METHOD /path", for tests that must
// cover each one.
func (s *Server) Routes() []string {
	var out []string
	for _, r := range s.engine.Routes() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

// Registry returns the Prometheus registry the portal's metrics live in.
func (s *Server) Registry() *prometheus.Registry { return s.metrics.registry }
