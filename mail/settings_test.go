package mail

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want Settings
	}{
		{"smtp://user:pass@relay.example.org:587",
			Settings{Host: "relay.example.org", Port: 587, Security: StartTLS, Auth: AuthPlain, Username: "user", Password: "pass", Timeout: DefaultTimeout}},
		{"smtp://user:pass@relay.example.org",
			Settings{Host: "relay.example.org", Port: 587, Security: StartTLS, Auth: AuthPlain, Username: "user", Password: "pass", Timeout: DefaultTimeout}},
		{"smtps://user:pass@relay.example.org:465",
			Settings{Host: "relay.example.org", Port: 465, Security: ImplicitTLS, Auth: AuthPlain, Username: "user", Password: "pass", Timeout: DefaultTimeout}},
		{"smtps://user:pass@relay.example.org",
			Settings{Host: "relay.example.org", Port: 465, Security: ImplicitTLS, Auth: AuthPlain, Username: "user", Password: "pass", Timeout: DefaultTimeout}},
		{"smtp://relay.example.org:2465?tls=tls",
			Settings{Host: "relay.example.org", Port: 2465, Security: ImplicitTLS, Auth: AuthNone, Timeout: DefaultTimeout}},
		{"smtp://relay.example.org?tls=starttls&timeout=10s",
			Settings{Host: "relay.example.org", Port: 587, Security: StartTLS, Auth: AuthNone, Timeout: 10 * time.Second}},
		{"smtp://127.0.0.1:2525?tls=none",
			Settings{Host: "127.0.0.1", Port: 2525, Security: NoTLS, Auth: AuthNone, Timeout: DefaultTimeout}},
		{"smtp://localhost?tls=none",
			Settings{Host: "localhost", Port: 25, Security: NoTLS, Auth: AuthNone, Timeout: DefaultTimeout}},
		{"smtp://[::1]:1025?tls=none",
			Settings{Host: "::1", Port: 1025, Security: NoTLS, Auth: AuthNone, Timeout: DefaultTimeout}},
		{"smtp://u:p@127.0.0.2:1025?tls=none&auth=login&timeout=1m",
			Settings{Host: "127.0.0.2", Port: 1025, Security: NoTLS, Auth: AuthLogin, Username: "u", Password: "p", Timeout: time.Minute}},
		{"smtp://portal%40unodc.org:p%40ss%3Aw%2Fo%25rd@relay.example.org:587?auth=login",
			Settings{Host: "relay.example.org", Port: 587, Security: StartTLS, Auth: AuthLogin, Username: "portal@unodc.org", Password: "p@ss:w/o%rd", Timeout: DefaultTimeout}},
		{"smtp://user:secret@relay.example.org?auth=cram-md5",
			Settings{Host: "relay.example.org", Port: 587, Security: StartTLS, Auth: AuthCRAMMD5, Username: "user", Password: "secret", Timeout: DefaultTimeout}},
		{"  smtp://user@relay.example.org/  ",
			Settings{Host: "relay.example.org", Port: 587, Security: StartTLS, Auth: AuthPlain, Username: "user", Timeout: DefaultTimeout}},
	} {
		got, err := ParseURL(tc.raw)
		if err != nil {
			t.Errorf("ParseURL(%q): %v", tc.raw, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("ParseURL(%q) (-want +got):\n%s", tc.raw, diff)
		}
	}
}

// TestParseURLRefuses: each mistake is refused with a message that names
// it, and never repeats the password.
func TestParseURLRefuses(t *testing.T) {
	const password = "s3cr3t-Pa55"
	for _, tc := range []struct {
		raw  string
		want string // in the error
	}{
		{"", "scheme"},
		{"relay.example.org:587", "scheme"},
		{"http://user:" + password + "@relay.example.org", `scheme is "http"`},
		{"smtp://", "no host"},
		{"smtp://user:" + password + "@:587", "no host"},
		{"smtp://user:" + password + "@relay.example.org:99999", "port"},
		{"smtp://user:" + password + "@relay.example.org:smtp", "not a valid URL"},
		{"smtp://user:" + password + "@relay.example.org/mail", "path"},
		{"smtp://user:" + password + "@relay.example.org?tls=none", "only to a relay on this machine"},
		{"smtp://user:" + password + "@10.0.0.1:25?tls=none", "only to a relay on this machine"},
		{"smtp://user:" + password + "@localhost.example.org:25?tls=none", "only to a relay on this machine"},
		{"smtps://user:" + password + "@relay.example.org?tls=none", "smtps is TLS from the start"},
		{"smtps://user:" + password + "@relay.example.org?tls=starttls", "smtps is TLS from the start"},
		{"smtp://user:" + password + "@relay.example.org?tls=ssl", `tls="ssl"`},
		{"smtp://user:" + password + "@relay.example.org?auth=xoauth2", `auth="xoauth2"`},
		{"smtp://user:" + password + "@relay.example.org?auth=none", "auth=none"},
		{"smtp://relay.example.org?auth=plain", "needs a user"},
		{"smtp://:" + password + "@relay.example.org", "no user"},
		{"smtp://user:" + password + "@relay.example.org?timeout=soon", "timeout"},
		{"smtp://user:" + password + "@relay.example.org?timeout=-1s", "timeout"},
		{"smtp://user:" + password + "@relay.example.org?insecure_skip_verify=true", "insecure_skip_verify is not supported"},
		{"smtp://user:" + password + "@relay.example.org?skip_verify=1", "not supported"},
		{"smtp://user:" + password + "@relay.example.org?tls=tls&tls=none", "more than once"},
		{"smtp://user:" + password + "@relay.example.org?from=x", `unknown option "from"`},
		// A password with a raw "/" or "#" breaks the URL: the error
		// says to percent-encode, without quoting it.
		{"smtp://user:" + password + "/x@relay.example.org:587", "percent-encoded"},
		{"smtp://user:" + password + "#x@relay.example.org:587", "percent-encoded"},
		{"smtp://user:" + password + "@relay.example.org:587#x", "path or fragment"},
		{"smtp://user:" + password + "@relay.example.org:587%", "not a valid URL"},
	} {
		_, err := ParseURL(tc.raw)
		if err == nil {
			t.Errorf("ParseURL(%q) took it", tc.raw)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseURL(%q): %q; want it to say %q", tc.raw, err, tc.want)
		}
		if strings.Contains(err.Error(), password) || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("ParseURL(%q): the error %q repeats the password", tc.raw, err)
		}
	}
}

// TestSettingsString: the settings as a URL for the log, password masked,
// read back the same.
func TestSettingsString(t *testing.T) {
	for _, raw := range []string{
		"smtp://user:xxxxx@relay.example.org:587",
		"smtps://user:xxxxx@relay.example.org:465?auth=login&timeout=10s",
		"smtp://127.0.0.1:2525?tls=none",
		"smtp://[::1]:2525?tls=none",
	} {
		s, err := ParseURL(raw)
		if err != nil {
			t.Fatal(err)
		}
		s.Password = "hunter2"
		got := s.String()
		if strings.Contains(got, "hunter2") {
			t.Errorf("%q shows the password", got)
		}
		if got != raw {
			t.Errorf("String() = %q; want %q", got, raw)
		}
	}
}

// TestNewSMTPRefusesClearText: settings made by hand are checked as the
// URL's are.
func TestNewSMTPRefusesClearText(t *testing.T) {
	_, err := NewSMTP(Settings{Host: "relay.example.org", Port: 25, Security: NoTLS})
	if err == nil || !strings.Contains(err.Error(), "only to a relay on this machine") {
		t.Errorf("NewSMTP with no TLS to a remote relay: %v", err)
	}
	if _, err := NewSMTP(Settings{Host: "127.0.0.1", Port: 25, Security: NoTLS}); err != nil {
		t.Errorf("NewSMTP with no TLS to loopback: %v", err)
	}
}
