package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"portal/mail"
)

// Config is every setting of the portal, read once from the environment.
type Config struct {
	Addr            string
	BaseURL         *url.URL
	DatabaseURL     string // empty: run the private cluster under DataDir/pg
	DataDir         string
	Env             string // development or production
	LogLevel        slog.Level
	LogFormat       string // text or json
	TrustedProxies  []string
	DevSignIn       bool
	PGBinDir        string
	ShutdownTimeout time.Duration
	OIDCIssuer      string
	OIDCClientID    string
	OIDCSecret      string
	OIDCScopes      []string
	OIDCTrustEmail  bool
	SupportEmail    string
	MetricsToken    string
	WorkbookMaxMB   int
	// Mail: the relay (empty in development: mail is kept, at /dev-mail),
	// the sender and where replies go.
	SMTP        *mail.Settings
	MailFrom    mail.Address
	MailReplyTo mail.Address
}

// UseDevIdP reports whether the portal serves its own development identity
// provider: in development, with no external issuer, unless turned off.
func (c Config) UseDevIdP() bool { return c.DevSignIn && c.OIDCIssuer == "" && !c.Production() }

// Production reports whether the portal runs in production mode.
func (c Config) Production() bool { return c.Env == "production" }

// setting is one environment variable: its name, default, meaning, and how
// it lands in Config. The same table loads the config and writes --help.
type setting struct {
	name   string
	def    string // shown in --help; "" means none
	secret bool   // also read from NAME_FILE
	help   string
	set    func(c *Config, v string) error
}

var settings = []setting{
	{"PORTAL_ADDR", "127.0.0.1:8080", false, "address to listen on (host:port)", func(c *Config, v string) error {
		if _, _, err := net.SplitHostPort(v); err != nil {
			return fmt.Errorf("%q is not host:port", v)
		}
		c.Addr = v
		return nil
	}},
	{"PORTAL_BASE_URL", "http://<PORTAL_ADDR>", false, "public URL of the portal, as users reach it; https turns on Secure cookies and HSTS", func(c *Config, v string) error {
		if v == "" {
			return nil // derived from the address once it is known
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%q is not an http or https URL", v)
		}
		u.Path = strings.TrimSuffix(u.Path, "/")
		c.BaseURL = u
		return nil
	}},
	{"PORTAL_DATABASE_URL", "", true, "PostgreSQL connection URL (postgres://user:password@host:5432/db?sslmode=verify-full); empty in development runs a private cluster under PORTAL_DATA_DIR/pg", func(c *Config, v string) error {
		c.DatabaseURL = v
		return nil
	}},
	{"PORTAL_DATA_DIR", "./var", false, "directory for the portal's own files (the private database in development)", func(c *Config, v string) error {
		c.DataDir = v
		return nil
	}},
	{"PORTAL_ENV", "development", false, "development or production; production refuses unsafe settings", func(c *Config, v string) error {
		if v != "development" && v != "production" {
			return fmt.Errorf("%q is neither development nor production", v)
		}
		c.Env = v
		return nil
	}},
	{"PORTAL_LOG_LEVEL", "info", false, "debug, info, warn or error", func(c *Config, v string) error {
		return c.LogLevel.UnmarshalText([]byte(v))
	}},
	{"PORTAL_LOG_FORMAT", "text", false, "text or json", func(c *Config, v string) error {
		if v != "text" && v != "json" {
			return fmt.Errorf("%q is neither text nor json", v)
		}
		c.LogFormat = v
		return nil
	}},
	{"PORTAL_TRUSTED_PROXIES", "", false, "comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed", func(c *Config, v string) error {
		c.TrustedProxies = nil
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
				return fmt.Errorf("%q is not an address or CIDR", p)
			}
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
		return nil
	}},
	{"PORTAL_DEV_SIGNIN", "true in development, false in production", false, "serve the built-in development identity provider with demo accounts; refused in production", func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		c.DevSignIn = b
		return err
	}},
	{"PORTAL_OIDC_ISSUER", "", false, "OpenID Connect issuer URL of the identity provider users sign in with (Keycloak, Entra ID, Dex...), exactly as the provider announces it, trailing slash included or not; empty in development serves the built-in development provider", func(c *Config, v string) error {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("%q is not an issuer URL", v)
		}
		// Kept as written: the provider's ID tokens must name this issuer
		// character for character (OpenID Connect Discovery, section 4.3),
		// so a trailing slash belongs to it when the provider's has one.
		c.OIDCIssuer = v
		return nil
	}},
	{"PORTAL_OIDC_CLIENT_ID", "", false, "the portal's client id at the identity provider", func(c *Config, v string) error {
		c.OIDCClientID = v
		return nil
	}},
	{"PORTAL_OIDC_CLIENT_SECRET", "", true, "the portal's client secret at the identity provider (required in production: the portal is a confidential client)", func(c *Config, v string) error {
		c.OIDCSecret = v
		return nil
	}},
	{"PORTAL_OIDC_SCOPES", "openid email profile", false, "scopes to ask for, separated by spaces or commas (openid, email and profile are always asked for)", func(c *Config, v string) error {
		c.OIDCScopes = strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' })
		return nil
	}},
	{"PORTAL_OIDC_TRUST_EMAIL", "false", false, "take the provider's e-mail address as verified when it sends no email_verified claim (for providers that issue only addresses they control, such as Entra ID with the Office's verified domains)", func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		c.OIDCTrustEmail = b
		return err
	}},
	{"PORTAL_SUPPORT_EMAIL", "", false, "address shown to people whose access is pending, and when the portal's sign-in is misconfigured", func(c *Config, v string) error {
		c.SupportEmail = v
		return nil
	}},
	{"PORTAL_METRICS_TOKEN", "", true, "bearer token for /metrics; without it, /metrics answers only requests from this machine that no proxy forwarded", func(c *Config, v string) error {
		c.MetricsToken = v
		return nil
	}},
	{"PORTAL_WORKBOOK_MAX_MB", "10", false, "the largest Excel workbook an upload may be, in MB", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return fmt.Errorf("%q is not a whole number of megabytes from 1 to 100", v)
		}
		c.WorkbookMaxMB = n
		return nil
	}},
	{"PORTAL_SMTP_URL", "", true, "the mail relay the portal sends through: smtp://user:password@host:587 (STARTTLS) or smtps://user:password@host:465 (TLS), user and password percent-encoded (docs/email.md); empty in development keeps the mail and shows it at /dev-mail; required in production", func(c *Config, v string) error {
		st, err := mail.ParseURL(v)
		if err != nil {
			return err
		}
		c.SMTP = &st
		return nil
	}},
	{"PORTAL_MAIL_FROM", "", false, "the sender of the portal's mail, as the relay accepts it: portal@unodc.org or \"Submissions portal <portal@unodc.org>\"; required with PORTAL_SMTP_URL", func(c *Config, v string) error {
		a, err := mail.ParseAddress(v)
		c.MailFrom = a
		return err
	}},
	{"PORTAL_MAIL_REPLY_TO", "", false, "where replies to the portal's mail go (the Office's mailbox); empty: the mail says replies are not read", func(c *Config, v string) error {
		a, err := mail.ParseAddress(v)
		c.MailReplyTo = a
		return err
	}},
	{"PORTAL_PG_BINDIR", "found automatically", false, "directory of the PostgreSQL server binaries (initdb, postgres) for the private cluster", func(c *Config, v string) error {
		c.PGBinDir = v
		return nil
	}},
	{"PORTAL_SHUTDOWN_TIMEOUT", "30s", false, "how long a shutdown waits for requests in flight", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("%q is not a positive duration such as 30s", v)
		}
		c.ShutdownTimeout = d
		return nil
	}},
}

// LoadConfig reads the settings from getenv (os.Getenv in the portal). It
// returns every problem at once, each naming its variable; in production it
// also refuses settings that are unsafe there.
func LoadConfig(getenv func(string) string) (Config, error) {
	c := Config{}
	var problems []string
	for _, s := range settings {
		v := getenv(s.name)
		if s.secret {
			if file := getenv(s.name + "_FILE"); file != "" {
				if v != "" {
					problems = append(problems, fmt.Sprintf("%s and %s_FILE are both set: set one", s.name, s.name))
					continue
				}
				b, err := os.ReadFile(file)
				if err != nil {
					problems = append(problems, fmt.Sprintf("%s_FILE: %v", s.name, err))
					continue
				}
				v = strings.TrimSpace(string(b))
			}
		}
		if v == "" {
			v = s.defaultValue(c)
		}
		if v == "" {
			continue
		}
		if err := s.set(&c, v); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", s.name, err))
		}
	}
	if c.BaseURL == nil && c.Addr != "" {
		c.BaseURL = &url.URL{Scheme: "http", Host: localAddr(c.Addr)}
	}
	if len(problems) > 0 {
		// The checks below judge values together; with one unreadable they
		// would only add confusing echoes of the same mistake.
		return c, errors.New("the configuration is not usable:\n  " + strings.Join(problems, "\n  "))
	}
	if c.Production() {
		if c.DatabaseURL == "" {
			problems = append(problems, "PORTAL_DATABASE_URL: production needs an external PostgreSQL; the private cluster is for development")
		}
		if c.BaseURL != nil && c.BaseURL.Scheme != "https" {
			problems = append(problems, "PORTAL_BASE_URL: production must be served over https, so that cookies are Secure and HSTS is sent")
		}
		if c.DevSignIn {
			problems = append(problems, "PORTAL_DEV_SIGNIN: the development sign-in, with its demo accounts, must be off in production")
		}
		if c.OIDCIssuer == "" {
			problems = append(problems, "PORTAL_OIDC_ISSUER: production needs an identity provider to sign users in")
		}
		if c.OIDCIssuer != "" && !strings.HasPrefix(c.OIDCIssuer, "https://") {
			problems = append(problems, "PORTAL_OIDC_ISSUER: production must reach its identity provider over https")
		}
		if c.OIDCIssuer != "" && c.OIDCSecret == "" {
			problems = append(problems, "PORTAL_OIDC_CLIENT_SECRET: production signs in as a confidential client: set the client secret the identity provider issued (or PORTAL_OIDC_CLIENT_SECRET_FILE)")
		}
	}
	// Mail is configured whole or not at all; production sends it.
	switch {
	case c.SMTP != nil && c.MailFrom.IsZero():
		problems = append(problems, "PORTAL_MAIL_FROM: required with PORTAL_SMTP_URL: the address the relay accepts the portal's mail from")
	case c.SMTP == nil && !c.MailFrom.IsZero():
		problems = append(problems, "PORTAL_SMTP_URL: PORTAL_MAIL_FROM is set but no relay to send through: set the relay (or PORTAL_SMTP_URL_FILE), or unset PORTAL_MAIL_FROM")
	case c.SMTP == nil && c.Production():
		problems = append(problems, "PORTAL_SMTP_URL: production sends receipts, returns and reminders by e-mail: set the Office's relay (or PORTAL_SMTP_URL_FILE) and PORTAL_MAIL_FROM")
	}
	if c.SMTP != nil && c.SMTP.Security == mail.NoTLS && c.Production() {
		problems = append(problems, "PORTAL_SMTP_URL: production sends mail over TLS: use smtp:// (STARTTLS) or smtps://, not tls=none")
	}
	if c.OIDCIssuer != "" && c.OIDCClientID == "" {
		problems = append(problems, "PORTAL_OIDC_CLIENT_ID: required with PORTAL_OIDC_ISSUER")
	}
	if c.OIDCIssuer == "" && !c.DevSignIn && !c.Production() {
		problems = append(problems, "PORTAL_OIDC_ISSUER: nobody can sign in: set an identity provider, or leave PORTAL_DEV_SIGNIN on in development")
	}
	if len(problems) > 0 {
		return c, errors.New("the configuration is not usable:\n  " + strings.Join(problems, "\n  "))
	}
	return c, nil
}

// localAddr turns a listen address into one a browser on this machine can
// open: a wildcard host (":8080", "0.0.0.0:8080", "[::]:8080") becomes loopback.
func localAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return net.JoinHostPort(host, port)
}

// defaultValue returns the value a setting takes when it is not set.
func (s setting) defaultValue(c Config) string {
	switch s.name {
	case "PORTAL_BASE_URL", "PORTAL_PG_BINDIR":
		return ""
	case "PORTAL_DEV_SIGNIN":
		return strconv.FormatBool(!c.Production())
	}
	return s.def
}

// writeSettings prints the settings table for --help.
func writeSettings(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  VARIABLE\tDEFAULT\tMEANING")
	for _, s := range settings {
		def := s.def
		if def == "" {
			def = "-"
		}
		help := s.help
		if s.secret {
			help += " (or " + s.name + "_FILE: a file holding it)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", s.name, def, help)
	}
	tw.Flush()
}

// newLogger builds the process's logger from the config.
func newLogger(c Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
