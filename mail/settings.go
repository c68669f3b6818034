package mail

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Security is how the connection to the relay is protected.
type Security string

// The ways to protect the connection.
const (
	// StartTLS connects in plain text and requires the relay to switch to
	// TLS (STARTTLS, RFC 3207) before anything is sent; port 587.
	StartTLS Security = "starttls"
	// ImplicitTLS speaks TLS from the first byte (RFC 8314); port 465.
	ImplicitTLS Security = "tls"
	// NoTLS sends everything in clear: allowed only to a relay on this
	// machine (localhost, 127.0.0.0/8, ::1), for development and tests.
	NoTLS Security = "none"
)

// Auth is the SMTP AUTH mechanism used to sign in to the relay.
type Auth string

// The mechanisms.
const (
	AuthNone    Auth = "none"
	AuthPlain   Auth = "plain"
	AuthLogin   Auth = "login"
	AuthCRAMMD5 Auth = "cram-md5"
)

// DefaultTimeout bounds each exchange with the relay (connecting, and
// each command and its reply) unless the URL sets another.
const DefaultTimeout = 15 * time.Second

// Settings say how to reach the relay: what ParseURL reads from
// PORTAL_SMTP_URL. String writes them without the password.
type Settings struct {
	Host     string
	Port     int
	Security Security
	Auth     Auth
	Username string
	Password string
	Timeout  time.Duration
}

// String writes s as a URL with the password masked, for logs.
func (s Settings) String() string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(s.Host, strconv.Itoa(s.Port))}
	if s.Security == ImplicitTLS {
		u.Scheme = "smtps"
	}
	if s.Username != "" {
		u.User = url.UserPassword(s.Username, "xxxxx")
	}
	q := url.Values{}
	if s.Security == NoTLS {
		q.Set("tls", string(NoTLS))
	}
	if s.Auth != "" && !(s.Auth == AuthPlain && s.Username != "") && !(s.Auth == AuthNone && s.Username == "") {
		q.Set("auth", string(s.Auth))
	}
	if s.Timeout != 0 && s.Timeout != DefaultTimeout {
		q.Set("timeout", s.Timeout.String())
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// ParseURL reads the relay's settings from a URL:
//
//	smtp://user:password@relay.example.org:587   STARTTLS required (the default for smtp)
//	smtps://user:password@relay.example.org:465  TLS from the start
//	smtp://127.0.0.1:2525?tls=none               no TLS: a relay on this machine only
//
// The user and password are percent-encoded ("p%40ss" for "p@ss"). The
// query may set tls=none|starttls|tls, auth=plain|login|cram-md5|none (plain
// when a user is given, none otherwise) and timeout (a Go duration such as
// 10s; default DefaultTimeout). Without a port, smtp with STARTTLS uses 587,
// smtps 465, and smtp with tls=none 25. Skipping the verification of the
// relay's certificate is not offered.
//
// The error says what is wrong; it never repeats the password.
func ParseURL(raw string) (Settings, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		// url.Parse's error quotes the URL, password included.
		return Settings{}, errors.New("mail: the SMTP URL is not a valid URL; write it as smtp://user:password@host:587, with a user or password that has @, :, /, #, ? or % percent-encoded")
	}
	var s Settings
	switch u.Scheme {
	case "smtp":
		s.Security = StartTLS
	case "smtps":
		s.Security = ImplicitTLS
	default:
		return Settings{}, fmt.Errorf("mail: the SMTP URL's scheme is %q; use smtp (STARTTLS) or smtps (TLS from the start)", u.Scheme)
	}
	if u.Opaque != "" || u.Host == "" {
		return Settings{}, errors.New("mail: the SMTP URL names no host; write it as smtp://host:587")
	}
	if u.Path != "" && u.Path != "/" || u.Fragment != "" {
		return Settings{}, errors.New("mail: the SMTP URL has a path or fragment; write it as smtp://host:port?options")
	}
	s.Host = u.Hostname()
	if s.Host == "" {
		return Settings{}, errors.New("mail: the SMTP URL names no host; write it as smtp://host:587")
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
		if s.Username == "" {
			return Settings{}, errors.New("mail: the SMTP URL has a password but no user")
		}
	}

	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return Settings{}, fmt.Errorf("mail: the SMTP URL's options are not a valid query: %w", err)
	}
	for key, vals := range q {
		if len(vals) != 1 {
			return Settings{}, fmt.Errorf("mail: the SMTP URL sets %q more than once", key)
		}
		v := vals[0]
		switch key {
		case "tls":
			switch sec := Security(v); sec {
			case NoTLS, StartTLS:
				if u.Scheme == "smtps" {
					return Settings{}, fmt.Errorf("mail: smtps is TLS from the start, and cannot take tls=%s; use smtp:// for that", v)
				}
				s.Security = sec
			case ImplicitTLS:
				s.Security = sec
			default:
				return Settings{}, fmt.Errorf("mail: tls=%q: use none, starttls or tls", v)
			}
		case "auth":
			switch a := Auth(v); a {
			case AuthNone, AuthPlain, AuthLogin, AuthCRAMMD5:
				s.Auth = a
			default:
				return Settings{}, fmt.Errorf("mail: auth=%q: use plain, login, cram-md5 or none", v)
			}
		case "timeout":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return Settings{}, fmt.Errorf("mail: timeout=%q: use a positive duration such as 10s", v)
			}
			s.Timeout = d
		case "insecure_skip_verify", "skip_verify", "insecure":
			return Settings{}, fmt.Errorf("mail: %s is not supported: the relay's certificate is always verified; give the relay a certificate the system trusts", key)
		default:
			return Settings{}, fmt.Errorf("mail: the SMTP URL has an unknown option %q; the options are tls, auth and timeout", key)
		}
	}

	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return Settings{}, fmt.Errorf("mail: the SMTP URL's port %q is not a port number", p)
		}
		s.Port = n
	} else {
		s.Port = map[Security]int{StartTLS: 587, ImplicitTLS: 465, NoTLS: 25}[s.Security]
	}
	if s.Auth == "" {
		s.Auth = AuthNone
		if s.Username != "" {
			s.Auth = AuthPlain
		}
	}
	if s.Timeout == 0 {
		s.Timeout = DefaultTimeout
	}
	if err := s.Validate(); err != nil {
		return Settings{}, err
	}
	return s, nil
}

// Validate reports settings that cannot be used: no host, a port out of
// range, an unknown security or mechanism, a user without a mechanism or
// a mechanism without a user, or no TLS to a relay that is not on this
// machine.
func (s Settings) Validate() error {
	switch {
	case s.Host == "":
		return errors.New("mail: no SMTP host")
	case s.Port < 1 || s.Port > 65535:
		return fmt.Errorf("mail: SMTP port %d is out of range", s.Port)
	case s.Timeout < 0:
		return errors.New("mail: the SMTP timeout is negative")
	}
	switch s.Security {
	case StartTLS, ImplicitTLS:
	case NoTLS:
		if !isLoopback(s.Host) {
			return fmt.Errorf("mail: tls=none sends the password and every message in clear, and is allowed only to a relay on this machine (localhost, 127.0.0.1, ::1), not to %q; use smtp:// (STARTTLS) or smtps://", s.Host)
		}
	default:
		return fmt.Errorf("mail: unknown SMTP security %q", s.Security)
	}
	switch s.Auth {
	case AuthNone, "":
		if s.Username != "" {
			return errors.New("mail: the SMTP URL gives a user but auth=none; drop one of them")
		}
	case AuthPlain, AuthLogin, AuthCRAMMD5:
		if s.Username == "" {
			return fmt.Errorf("mail: auth=%s needs a user and password in the SMTP URL", s.Auth)
		}
	default:
		return fmt.Errorf("mail: unknown SMTP auth mechanism %q", s.Auth)
	}
	return nil
}

// isLoopback reports whether host is this machine by name or address; no
// name is looked up.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
