package main

import (
	"bytes"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"portal/mail"
)

// fakeEnv is a getenv over a map.
func fakeEnv(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

// defaultConfig is what LoadConfig returns with nothing set.
func defaultConfig() Config {
	return Config{
		Addr:            "127.0.0.1:8080",
		BaseURL:         mustParseURL("http://127.0.0.1:8080"),
		DataDir:         "./var",
		Env:             "development",
		LogLevel:        slog.LevelInfo,
		LogFormat:       "text",
		DevSignIn:       true,
		ShutdownTimeout: 30 * time.Second,
		OIDCScopes:      []string{"openid", "email", "profile"},
		WorkbookMaxMB:   10,
	}
}

func mustParseURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// compareURLs compares *url.URL by their text, nil included.
var compareURLs = cmp.Comparer(func(a, b *url.URL) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.String() == b.String()
})

// problems returns the problem lines of a LoadConfig error, trimmed.
func problems(err error) []string {
	lines := strings.Split(err.Error(), "\n")
	var out []string
	for _, l := range lines[1:] {
		out = append(out, strings.TrimSpace(l))
	}
	return out
}

// requireProblems checks that err lists exactly one problem per name, each
// problem starting with its variable's name.
func requireProblems(t *testing.T, err error, names ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("LoadConfig succeeded; want problems with %v", names)
	}
	got := problems(err)
	if len(got) != len(names) {
		t.Fatalf("LoadConfig error lists %d problems, want %d (%v):\n%v", len(got), len(names), names, err)
	}
	for _, name := range names {
		found := false
		for _, p := range got {
			if strings.HasPrefix(p, name+":") || strings.HasPrefix(p, name+" ") {
				found = true
			}
		}
		if !found {
			t.Errorf("LoadConfig error names no problem with %s:\n%v", name, err)
		}
	}
}

func TestLoadConfigValid(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want func(c *Config) // changes from defaultConfig
	}{
		{"defaults", nil, func(c *Config) {}},
		{
			"address also sets the base URL",
			map[string]string{"PORTAL_ADDR": "127.0.0.2:9000"},
			func(c *Config) { c.Addr, c.BaseURL = "127.0.0.2:9000", mustParseURL("http://127.0.0.2:9000") },
		},
		{
			"a wildcard address gives a loopback base URL a browser can open",
			map[string]string{"PORTAL_ADDR": "0.0.0.0:9000"},
			func(c *Config) { c.Addr, c.BaseURL = "0.0.0.0:9000", mustParseURL("http://127.0.0.1:9000") },
		},
		{
			"an address with no host gives a loopback base URL",
			map[string]string{"PORTAL_ADDR": ":9000"},
			func(c *Config) { c.Addr, c.BaseURL = ":9000", mustParseURL("http://127.0.0.1:9000") },
		},
		{
			"base URL",
			map[string]string{"PORTAL_BASE_URL": "https://portal.example.org"},
			func(c *Config) { c.BaseURL = mustParseURL("https://portal.example.org") },
		},
		{
			"base URL trailing slash dropped",
			map[string]string{"PORTAL_BASE_URL": "https://portal.example.org/"},
			func(c *Config) { c.BaseURL = mustParseURL("https://portal.example.org") },
		},
		{
			"base URL with path, trailing slash dropped",
			map[string]string{"PORTAL_BASE_URL": "https://example.org/submissions/"},
			func(c *Config) { c.BaseURL = mustParseURL("https://example.org/submissions") },
		},
		{
			"base URL independent of address",
			map[string]string{"PORTAL_ADDR": ":8081", "PORTAL_BASE_URL": "http://localhost:8081"},
			func(c *Config) { c.Addr, c.BaseURL = ":8081", mustParseURL("http://localhost:8081") },
		},
		{
			"every other setting",
			map[string]string{
				"PORTAL_DATABASE_URL":     "postgres://u:p@db:5432/portal",
				"PORTAL_DATA_DIR":         "/srv/portal",
				"PORTAL_LOG_LEVEL":        "debug",
				"PORTAL_LOG_FORMAT":       "json",
				"PORTAL_TRUSTED_PROXIES":  " 10.0.0.0/8, 192.168.1.1 ,,::1",
				"PORTAL_DEV_SIGNIN":       "false",
				"PORTAL_PG_BINDIR":        "/opt/pg/bin",
				"PORTAL_SHUTDOWN_TIMEOUT": "90s",
				"PORTAL_OIDC_ISSUER":      "https://login.example.org/realms/unodc/",
				"PORTAL_OIDC_CLIENT_ID":   "portal",
				"PORTAL_OIDC_SCOPES":      "openid,email profile groups",
				"PORTAL_OIDC_TRUST_EMAIL": "true",
				"PORTAL_SUPPORT_EMAIL":    "portal@unodc.example.org",
			},
			func(c *Config) {
				c.DatabaseURL = "postgres://u:p@db:5432/portal"
				c.DataDir = "/srv/portal"
				c.LogLevel = slog.LevelDebug
				c.LogFormat = "json"
				c.TrustedProxies = []string{"10.0.0.0/8", "192.168.1.1", "::1"}
				c.DevSignIn = false
				c.PGBinDir = "/opt/pg/bin"
				c.ShutdownTimeout = 90 * time.Second
				c.OIDCIssuer = "https://login.example.org/realms/unodc/" // as the provider announces it
				c.OIDCClientID = "portal"
				c.OIDCScopes = []string{"openid", "email", "profile", "groups"}
				c.OIDCTrustEmail = true
				c.SupportEmail = "portal@unodc.example.org"
			},
		},
		{
			"good production config",
			map[string]string{
				"PORTAL_ENV":                "production",
				"PORTAL_BASE_URL":           "https://portal.unodc.org/",
				"PORTAL_DATABASE_URL":       "postgres://u:p@db:5432/portal?sslmode=verify-full",
				"PORTAL_OIDC_ISSUER":        "https://login.example.org",
				"PORTAL_OIDC_CLIENT_ID":     "portal",
				"PORTAL_OIDC_CLIENT_SECRET": "s3cret",
				"PORTAL_SMTP_URL":           "smtp://portal:p%40ss@relay.unodc.org:587",
				"PORTAL_MAIL_FROM":          "Submissions portal <portal@unodc.org>",
				"PORTAL_MAIL_REPLY_TO":      "cts@unodc.org",
			},
			func(c *Config) {
				c.OIDCIssuer, c.OIDCClientID, c.OIDCSecret = "https://login.example.org", "portal", "s3cret"
				c.SMTP = &mail.Settings{Host: "relay.unodc.org", Port: 587, Security: mail.StartTLS, Auth: mail.AuthPlain, Username: "portal", Password: "p@ss", Timeout: mail.DefaultTimeout}
				c.MailFrom = mail.Address{Name: "Submissions portal", Addr: "portal@unodc.org"}
				c.MailReplyTo = mail.Address{Addr: "cts@unodc.org"}
				c.Env = "production"
				c.BaseURL = mustParseURL("https://portal.unodc.org")
				c.DatabaseURL = "postgres://u:p@db:5432/portal?sslmode=verify-full"
				c.DevSignIn = false
			},
		},
		{
			"production with the development sign-in explicitly off",
			map[string]string{
				"PORTAL_ENV":                "production",
				"PORTAL_BASE_URL":           "https://portal.unodc.org",
				"PORTAL_DATABASE_URL":       "postgres://db/portal",
				"PORTAL_DEV_SIGNIN":         "false",
				"PORTAL_OIDC_ISSUER":        "https://login.example.org",
				"PORTAL_OIDC_CLIENT_ID":     "portal",
				"PORTAL_OIDC_CLIENT_SECRET": "s3cret",
				"PORTAL_SMTP_URL":           "smtps://relay.unodc.org",
				"PORTAL_MAIL_FROM":          "portal@unodc.org",
			},
			func(c *Config) {
				c.OIDCIssuer, c.OIDCClientID, c.OIDCSecret = "https://login.example.org", "portal", "s3cret"
				c.SMTP = &mail.Settings{Host: "relay.unodc.org", Port: 465, Security: mail.ImplicitTLS, Auth: mail.AuthNone, Timeout: mail.DefaultTimeout}
				c.MailFrom = mail.Address{Addr: "portal@unodc.org"}
				c.Env = "production"
				c.BaseURL = mustParseURL("https://portal.unodc.org")
				c.DatabaseURL = "postgres://db/portal"
				c.DevSignIn = false
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadConfig(fakeEnv(tt.env))
			if err != nil {
				t.Fatalf("LoadConfig: %v", err)
			}
			want := defaultConfig()
			tt.want(&want)
			if diff := cmp.Diff(want, got, compareURLs); diff != "" {
				t.Errorf("LoadConfig (-want +got):\n%s", diff)
			}
			if got.Production() != (want.Env == "production") {
				t.Errorf("Production() = %v with Env %q", got.Production(), got.Env)
			}
		})
	}
}

func TestLoadConfigInvalidValue(t *testing.T) {
	tests := []struct{ name, value string }{
		{"PORTAL_ADDR", "localhost"},
		{"PORTAL_ADDR", "127.0.0.1:8080:1"},
		{"PORTAL_BASE_URL", "portal.example.org"},
		{"PORTAL_BASE_URL", "ftp://portal.example.org"},
		{"PORTAL_BASE_URL", "https://"},
		{"PORTAL_BASE_URL", "http://[::1"},
		{"PORTAL_ENV", "staging"},
		{"PORTAL_ENV", "Production"},
		{"PORTAL_LOG_LEVEL", "loud"},
		{"PORTAL_LOG_FORMAT", "xml"},
		{"PORTAL_TRUSTED_PROXIES", "10.0.0.1,proxy.example.org"},
		{"PORTAL_TRUSTED_PROXIES", "10.0.0.0/33"},
		{"PORTAL_DEV_SIGNIN", "maybe"},
		{"PORTAL_SHUTDOWN_TIMEOUT", "30"},
		{"PORTAL_SHUTDOWN_TIMEOUT", "0s"},
		{"PORTAL_SHUTDOWN_TIMEOUT", "-5s"},
		{"PORTAL_SMTP_URL", "smtp://relay.example.org:587?insecure_skip_verify=1"},
		{"PORTAL_SMTP_URL", "smtp://relay.example.org?tls=none"},
		{"PORTAL_SMTP_URL", "http://relay.example.org"},
		{"PORTAL_MAIL_FROM", "not an address"},
		{"PORTAL_MAIL_REPLY_TO", "cts@"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			_, err := LoadConfig(fakeEnv(map[string]string{tt.name: tt.value}))
			requireProblems(t, err, tt.name)
		})
	}
}

// TestLoadConfigMailWhole: the relay and the sender come together; a
// password in the relay's URL never shows in an error.
func TestLoadConfigMailWhole(t *testing.T) {
	_, err := LoadConfig(fakeEnv(map[string]string{"PORTAL_SMTP_URL": "smtp://u:hunter2@127.0.0.1:2525?tls=none"}))
	requireProblems(t, err, "PORTAL_MAIL_FROM")
	_, err = LoadConfig(fakeEnv(map[string]string{"PORTAL_MAIL_FROM": "portal@unodc.org"}))
	requireProblems(t, err, "PORTAL_SMTP_URL")
	_, err = LoadConfig(fakeEnv(map[string]string{"PORTAL_SMTP_URL": "smtp://u:hunter2@relay.example.org?tls=nonsense"}))
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("a bad relay URL: %v (the password must not show)", err)
	}
	c, err := LoadConfig(fakeEnv(map[string]string{"PORTAL_SMTP_URL": "smtp://127.0.0.1:2525?tls=none", "PORTAL_MAIL_FROM": "portal@localhost"}))
	if err != nil || c.SMTP == nil || c.SMTP.Port != 2525 {
		t.Errorf("development with a relay on this machine: %+v, %v", c.SMTP, err)
	}
}

func TestLoadConfigReportsAllProblemsAtOnce(t *testing.T) {
	_, err := LoadConfig(fakeEnv(map[string]string{
		"PORTAL_LOG_FORMAT":       "xml",
		"PORTAL_SHUTDOWN_TIMEOUT": "forever",
	}))
	requireProblems(t, err, "PORTAL_LOG_FORMAT", "PORTAL_SHUTDOWN_TIMEOUT")
}

func TestLoadConfigDatabaseURLFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "database-url")
	if err := os.WriteFile(file, []byte("  postgres://u:secret@db:5432/portal\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	t.Run("read and trimmed", func(t *testing.T) {
		c, err := LoadConfig(fakeEnv(map[string]string{"PORTAL_DATABASE_URL_FILE": file}))
		if err != nil {
			t.Fatalf("LoadConfig: %v", err)
		}
		if want := "postgres://u:secret@db:5432/portal"; c.DatabaseURL != want {
			t.Errorf("DatabaseURL = %q, want %q", c.DatabaseURL, want)
		}
	})
	t.Run("both set", func(t *testing.T) {
		_, err := LoadConfig(fakeEnv(map[string]string{
			"PORTAL_DATABASE_URL":      "postgres://other/portal",
			"PORTAL_DATABASE_URL_FILE": file,
		}))
		requireProblems(t, err, "PORTAL_DATABASE_URL")
		if !strings.Contains(err.Error(), "PORTAL_DATABASE_URL_FILE") {
			t.Errorf("error does not name PORTAL_DATABASE_URL_FILE: %v", err)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		_, err := LoadConfig(fakeEnv(map[string]string{
			"PORTAL_DATABASE_URL_FILE": filepath.Join(dir, "nonexistent"),
		}))
		requireProblems(t, err, "PORTAL_DATABASE_URL_FILE")
	})
}

func TestLoadConfigProductionRefusesUnsafeSettings(t *testing.T) {
	safe := map[string]string{
		"PORTAL_ENV":                "production",
		"PORTAL_BASE_URL":           "https://portal.unodc.org",
		"PORTAL_DATABASE_URL":       "postgres://u:p@db:5432/portal",
		"PORTAL_OIDC_ISSUER":        "https://login.example.org",
		"PORTAL_OIDC_CLIENT_ID":     "portal",
		"PORTAL_OIDC_CLIENT_SECRET": "s3cret",
		"PORTAL_SMTP_URL":           "smtp://relay.unodc.org",
		"PORTAL_MAIL_FROM":          "portal@unodc.org",
	}
	with := func(changes map[string]string) map[string]string {
		env := map[string]string{}
		for k, v := range safe {
			env[k] = v
		}
		for k, v := range changes {
			if v == "" {
				delete(env, k)
			} else {
				env[k] = v
			}
		}
		return env
	}
	tests := []struct {
		name string
		env  map[string]string
		want []string // variables named in the error
	}{
		{"no database URL", with(map[string]string{"PORTAL_DATABASE_URL": ""}), []string{"PORTAL_DATABASE_URL"}},
		{"http base URL", with(map[string]string{"PORTAL_BASE_URL": "http://portal.unodc.org"}), []string{"PORTAL_BASE_URL"}},
		{"default base URL is http", with(map[string]string{"PORTAL_BASE_URL": ""}), []string{"PORTAL_BASE_URL"}},
		{"development sign-in", with(map[string]string{"PORTAL_DEV_SIGNIN": "true"}), []string{"PORTAL_DEV_SIGNIN"}},
		{
			"all five",
			map[string]string{"PORTAL_ENV": "production", "PORTAL_DEV_SIGNIN": "1"},
			[]string{"PORTAL_DATABASE_URL", "PORTAL_BASE_URL", "PORTAL_DEV_SIGNIN", "PORTAL_OIDC_ISSUER", "PORTAL_SMTP_URL"},
		},
		{"no mail relay", with(map[string]string{"PORTAL_SMTP_URL": "", "PORTAL_MAIL_FROM": ""}), []string{"PORTAL_SMTP_URL"}},
		{"mail in clear", with(map[string]string{"PORTAL_SMTP_URL": "smtp://127.0.0.1:25?tls=none"}), []string{"PORTAL_SMTP_URL"}},
		{
			// docs/auth.md registers a confidential client; without its
			// secret every token request fails with invalid_client.
			"no client secret",
			with(map[string]string{"PORTAL_OIDC_CLIENT_SECRET": ""}),
			[]string{"PORTAL_OIDC_CLIENT_SECRET"},
		},
		{
			"identity provider over http",
			with(map[string]string{"PORTAL_OIDC_ISSUER": "http://login.example.org"}),
			[]string{"PORTAL_OIDC_ISSUER"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig(fakeEnv(tt.env))
			requireProblems(t, err, tt.want...)
			if err != nil && !strings.Contains(err.Error(), "production") {
				t.Errorf("error does not say why (production): %v", err)
			}
		})
	}
}

// runPortal calls run in-process and returns its exit code and outputs.
func runPortal(args []string, env map[string]string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, fakeEnv(env), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestRunHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"migrate", "--help"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, errOut := runPortal(args, nil)
			if code != 0 {
				t.Fatalf("exit code %d, want 0; stderr:\n%s", code, errOut)
			}
			for _, s := range settings {
				if !strings.Contains(out, s.name) {
					t.Errorf("--help does not list %s", s.name)
				}
				if s.secret && !strings.Contains(out, s.name+"_FILE") {
					t.Errorf("--help does not mention %s_FILE", s.name)
				}
			}
			for _, cmd := range []string{"serve", "migrate", "version", "healthcheck"} {
				if !strings.Contains(out, cmd) {
					t.Errorf("--help does not mention the %s command", cmd)
				}
			}
			if t.Failed() {
				t.Logf("--help output:\n%s", out)
			}
		})
	}
}

func TestRunBadUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string // in stderr
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"serve", "now"}, `unexpected argument "now"`},
		{[]string{"--verbose"}, `unexpected argument "--verbose"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := runPortal(tt.args, nil)
			if code != 2 {
				t.Errorf("exit code %d, want 2", code)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr does not contain %q:\n%s", tt.want, errOut)
			}
			if !strings.Contains(errOut, "Usage:") {
				t.Errorf("stderr has no usage:\n%s", errOut)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
		})
	}
}

func TestRunVersion(t *testing.T) {
	code, out, errOut := runPortal([]string{"version"}, nil)
	if code != 0 {
		t.Fatalf("exit code %d, want 0; stderr:\n%s", code, errOut)
	}
	if !strings.HasPrefix(out, "portal ") || strings.Count(out, "\n") != 1 {
		t.Errorf("version printed %q, want one line starting with \"portal \"", out)
	}
}

func TestRunRefusesBadConfig(t *testing.T) {
	code, _, errOut := runPortal([]string{"migrate"}, map[string]string{"PORTAL_LOG_FORMAT": "xml"})
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if !strings.Contains(errOut, "PORTAL_LOG_FORMAT") {
		t.Errorf("stderr does not name PORTAL_LOG_FORMAT:\n%s", errOut)
	}
}

func TestLoadConfigIssuerNeedsClientID(t *testing.T) {
	_, err := LoadConfig(fakeEnv(map[string]string{"PORTAL_OIDC_ISSUER": "https://login.example.org"}))
	requireProblems(t, err, "PORTAL_OIDC_CLIENT_ID")
}

// TestLoadConfigIssuerKeptAsWritten: go-oidc compares the issuer the
// provider announces with the configured one character for character, so
// a trailing slash is the provider's to decide (Auth0 and others have one).
func TestLoadConfigIssuerKeptAsWritten(t *testing.T) {
	for _, issuer := range []string{"https://login.example.org/", "https://login.example.org/realms/unodc", "https://login.example.org/realms/unodc/"} {
		c, err := LoadConfig(fakeEnv(map[string]string{"PORTAL_OIDC_ISSUER": issuer, "PORTAL_OIDC_CLIENT_ID": "portal"}))
		if err != nil {
			t.Fatalf("LoadConfig: %v", err)
		}
		if c.OIDCIssuer != issuer {
			t.Errorf("PORTAL_OIDC_ISSUER=%s gives the issuer %q, want it as written", issuer, c.OIDCIssuer)
		}
	}
}
