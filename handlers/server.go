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

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"portal/forms"
)

// Store is what the handlers need of the portal's data.
type Store interface {
	// Ping reports whether the database answers; the error has kind
	// forms.KindUnavailable when it does not.
	Ping(ctx context.Context) error
	// DirectoryStats counts the bodies the portal knows.
	DirectoryStats(ctx context.Context) (forms.DirectoryStats, error)
	// RegionalGroups lists the UN regional groups in their usual order.
	RegionalGroups(ctx context.Context) ([]forms.RegionalGroup, error)
}

// Options configure New.
type Options struct {
	// BaseURL is the portal's public address; https turns on Secure cookies and HSTS.
	BaseURL *url.URL
	// Version is shown in the footer and on /healthz.
	Version string
	// TrustedProxies are the CIDRs whose X-Forwarded-For is believed; none when empty.
	TrustedProxies []string
	Logger         *slog.Logger
	Store          Store
}

// Server is the portal's HTTP handler.
type Server struct {
	opts    Options
	log     *slog.Logger
	store   Store
	pages   *pages
	assets  *assets
	metrics *metrics
	engine  *gin.Engine
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
	pg, err := loadPages()
	if err != nil {
		return nil, err
	}
	as, err := loadAssets()
	if err != nil {
		return nil, err
	}
	s := &Server{
		opts:    opts,
		log:     opts.Logger,
		store:   opts.Store,
		pages:   pg,
		assets:  as,
		metrics: newMetrics(),
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	if err := e.SetTrustedProxies(opts.TrustedProxies); err != nil {
		return nil, fmt.Errorf("handlers: trusted proxies: %w", err)
	}
	e.RemoteIPHeaders = []string{"X-Forwarded-For"}
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	e.Use(s.requestID, s.logRequests, s.metrics.observe, s.securityHeaders, s.recoverPanics)
	s.routes(e)
	e.NoRoute(s.handle(func(c *gin.Context) error {
		return forms.Errorf(forms.KindNotFound, "no route")
	}))
	s.engine = e
	return s, nil
}

// routes registers every route the portal serves.
func (s *Server) routes(e *gin.Engine) {
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metrics.handler())
	e.GET("/static/*file", s.assets.serve)
	e.HEAD("/static/*file", s.assets.serve)
	e.GET("/language/:code", s.handle(s.switchLanguage))
	e.GET("/", s.handle(s.showLanding))
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

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
