// Command portal runs the Member State submissions portal of the United
// Nations Office on Drugs and Crime.
//
//	portal [serve]      run the web portal (the default)
//	portal migrate      apply database migrations and exit
//	portal version      print the version
//	portal healthcheck  ask a running portal whether it is alive (for containers)
//	portal users ...    invite people, grant and revoke roles, list users
//	portal questionnaires ...  list the built-in questionnaires, check questionnaire files
//	portal workbook ...        write a blank workbook, check a filled one
//	portal demo generate ...   fill the database with synthetic statistics
//	portal export ...          write a call's statistics as XLSX or CSV
//
// Settings come from the environment; `portal --help` lists them all.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"

	"portal/forms/definition"
	"portal/forms/demo"
	"portal/handlers"
	"portal/storage"
	"portal/storage/pgcluster"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run is the whole command, with its surroundings passed in so tests can
// drive it. It returns the exit code.
func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "users":
		return usersCommand(args, getenv, stdout, stderr)
	case "questionnaires":
		return questionnairesCommand(args, stdout, stderr)
	case "workbook":
		return workbookCommand(args, stdout, stderr)
	case "demo":
		return demoCommand(args, getenv, stdout, stderr)
	case "export":
		return exportCommand(args, getenv, stdout, stderr)
	}
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			usage(stdout)
			return 0
		}
	}
	if len(args) > 0 {
		fmt.Fprintf(stderr, "portal %s: unexpected argument %q\n\n", cmd, args[0])
		usage(stderr)
		return 2
	}
	switch cmd {
	case "help":
		usage(stdout)
		return 0
	case "version":
		fmt.Fprintln(stdout, versionString())
		return 0
	case "healthcheck":
		return healthcheck(getenv, stderr)
	case "serve", "migrate":
	default:
		fmt.Fprintf(stderr, "portal: unknown command %q\n\n", cmd)
		usage(stderr)
		return 2
	}

	cfg, err := LoadConfig(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "portal: %v\n", err)
		return 1
	}
	if cmd == "serve" {
		// A broken built-in questionnaire stops the start, with every problem.
		if _, err := definition.Builtin(); err != nil {
			fmt.Fprintf(stderr, "portal: the built-in questionnaires have problems:\n%v\n", err)
			return 1
		}
	}
	log := newLogger(cfg, stderr)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if cmd == "migrate" {
		err = migrate(ctx, cfg, log)
	} else {
		err = serve(ctx, stop, cfg, log)
	}
	if err != nil {
		log.Error("portal stopped", "err", err)
		fmt.Fprintf(stderr, "portal: %v\n", err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprint(w, `The Member State submissions portal of the United Nations Office on Drugs and Crime.

Usage:
  portal [serve]      run the web portal (the default)
  portal migrate      apply database migrations, then exit
  portal version      print the version, then exit
  portal healthcheck  exit 0 if the portal at PORTAL_ADDR is alive, 1 if not
  portal users ...    invite, grant, revoke, list users (portal users --help)
  portal questionnaires ...  list the built-ins, lint files (portal questionnaires --help)
  portal workbook ...        write a blank workbook, check filled ones (portal workbook --help)
  portal demo generate ...   synthetic statistics for tests and benchmarks (portal demo --help)
  portal export ...          a call's statistics, one row per value, as XLSX or CSV (portal export --help)

Settings, from the environment:
`)
	writeSettings(w)
	fmt.Fprint(w, `
Without PORTAL_DATABASE_URL, in development, the portal runs a private PostgreSQL
cluster in PORTAL_DATA_DIR/pg from the system's PostgreSQL server binaries.
`)
}

func versionString() string {
	s := fmt.Sprintf("portal %s (%s, %s/%s)", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, kv := range bi.Settings {
			if kv.Key == "vcs.revision" {
				s += " " + kv.Value
			}
		}
	}
	return s
}

// database is an open store and what must happen to close it.
type database struct {
	*storage.Store
	cluster *pgcluster.Cluster // nil when the database is external
}

// openDatabase connects to PORTAL_DATABASE_URL, or starts the private
// cluster and connects to its portal database.
func openDatabase(ctx context.Context, cfg Config, log *slog.Logger) (*database, error) {
	url := cfg.DatabaseURL
	var cluster *pgcluster.Cluster
	dir := filepath.Join(cfg.DataDir, "pg")
	if running, ok := pgcluster.RunningURL(dir, "portal"); url == "" && ok {
		url = running // a portal runs the private cluster now: work beside it
	}
	if url == "" {
		var err error
		cluster, err = pgcluster.Start(ctx, pgcluster.Options{
			Dir:     dir,
			BinDir:  cfg.PGBinDir,
			Durable: true,
			Logger:  log,
		})
		if err != nil {
			return nil, err
		}
		if err := cluster.CreateDatabase(ctx, "portal"); err != nil {
			stopCluster(cluster, log)
			return nil, err
		}
		url = cluster.URL("portal")
	}
	store, err := storage.Open(ctx, url)
	if err != nil {
		if cluster != nil {
			stopCluster(cluster, log)
		}
		return nil, err
	}
	return &database{Store: store, cluster: cluster}, nil
}

// Close closes the connections, then stops the private cluster if there is one.
func (d *database) Close(log *slog.Logger) {
	if err := d.Store.Close(); err != nil {
		log.Warn("close database", "err", err)
	}
	if d.cluster != nil {
		stopCluster(d.cluster, log)
	}
}

func stopCluster(c *pgcluster.Cluster, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Stop(ctx); err != nil {
		log.Warn("stop private database", "err", err)
	}
}

// openForCommand opens and migrates the database for a command of the
// portal (users, demo, export), quietly unless PORTAL_LOG_LEVEL asks: a
// command says what it did, and the server's chatter is noise there. It
// writes what went wrong to stderr; the caller closes the database.
func openForCommand(ctx context.Context, getenv func(string) string, stderr io.Writer) (*database, *slog.Logger, bool) {
	cfg, err := LoadConfig(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "portal: %v\n", err)
		return nil, nil, false
	}
	if getenv("PORTAL_LOG_LEVEL") == "" {
		cfg.LogLevel = slog.LevelWarn
	}
	log := newLogger(cfg, stderr)
	db, err := openMigrated(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(stderr, "portal: %v\n", err)
		return nil, nil, false
	}
	return db, log, true
}

// openMigrated opens the database, as openDatabase does, and brings its
// schema up to date. The caller closes it.
func openMigrated(ctx context.Context, cfg Config, log *slog.Logger) (*database, error) {
	db, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, log); err != nil {
		db.Close(log)
		return nil, err
	}
	return db, nil
}

func migrate(ctx context.Context, cfg Config, log *slog.Logger) error {
	db, err := openMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	db.Close(log)
	log.Info("database is up to date")
	return nil
}

// serve runs the portal until ctx ends (SIGINT or SIGTERM), then finishes the
// requests in flight, closes the database and stops the private cluster.
func serve(ctx context.Context, stopSignals func(), cfg Config, log *slog.Logger) error {
	// The address first: when it is taken, say so at once, before starting
	// the database, migrating and seeding for nothing.
	ln, err := listen(cfg.Addr)
	if err != nil {
		return err
	}
	defer ln.Close() // Serve closes it too; this is for the returns before
	db, err := openMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close(log)
	lib, err := definition.Builtin()
	if err != nil {
		return err
	}
	opts := handlers.Options{
		Questionnaires:   lib,
		BaseURL:          cfg.BaseURL,
		Version:          version,
		TrustedProxies:   cfg.TrustedProxies,
		Logger:           log,
		Store:            db,
		Sessions:         db.SessionStore(),
		SupportEmail:     cfg.SupportEmail,
		MetricsToken:     cfg.MetricsToken,
		WorkbookMaxBytes: int64(cfg.WorkbookMaxMB) << 20,
		OIDC: handlers.OIDC{
			Issuer:       cfg.OIDCIssuer,
			ClientID:     cfg.OIDCClientID,
			ClientSecret: cfg.OIDCSecret,
			Scopes:       cfg.OIDCScopes,
			TrustEmail:   cfg.OIDCTrustEmail,
		},
	}
	if cfg.UseDevIdP() {
		if opts.DevIdP, opts.OIDC, err = handlers.NewDevIdP(cfg.BaseURL, log); err != nil {
			return err
		}
		if err := demo.InviteAccounts(ctx, db); err != nil {
			return err
		}
		if err := demo.EnsureCalls(ctx, db, lib, time.Now()); err != nil {
			return err
		}
		if err := demo.EnsureHistory(ctx, db, lib, time.Now()); err != nil {
			return err
		}
		log.Info("development sign-in: demo accounts at " + cfg.BaseURL.String() + "/signin")
	}
	workers, site, err := mailWorkers(cfg, db.Store, lib, log)
	if err != nil {
		return err
	}
	opts.MailSite = site
	opts.DevMail = cfg.SMTP == nil // development: mail kept, shown at /dev-mail
	queue, err := db.NewQueue(storage.QueueConfig{Workers: workers, Log: log, Questionnaires: lib})
	if err != nil {
		return err
	}
	h, err := handlers.New(opts)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // uploads of large workbooks on slow links
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("portal ready", "url", cfg.BaseURL.String(), "addr", ln.Addr().String(), "env", cfg.Env, "version", version)
	// Jobs once serving, and stopped (those being worked finished) before
	// the database closes.
	if err := queue.Start(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		if err := queue.Stop(sctx); err != nil {
			log.Warn("stop the job queue", "err", err)
		}
	}()

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	stopSignals() // a second Ctrl-C stops at once
	log.Info("shutting down: finishing requests in flight", "timeout", cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("shutdown did not finish every request", "err", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// listen opens the portal's address, with a message that says what to do
// when another program holds it.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("cannot listen on %s: another program is using that address; stop it, or set PORTAL_ADDR to another address (such as 127.0.0.1:8081)", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w (set PORTAL_ADDR to another address)", addr, err)
	}
	return ln, nil
}

// healthcheck asks the portal at PORTAL_ADDR for /healthz, for container
// HEALTHCHECKs in images that have no shell or curl.
func healthcheck(getenv func(string) string, stderr io.Writer) int {
	addr := getenv("PORTAL_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		fmt.Fprintf(stderr, "portal healthcheck: PORTAL_ADDR %q is not host:port\n", addr)
		return 1
	}
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get("http://" + localAddr(addr) + "/healthz")
	if err != nil {
		fmt.Fprintf(stderr, "portal healthcheck: %v\n", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "portal healthcheck: /healthz answered %s\n", resp.Status)
		return 1
	}
	return 0
}
