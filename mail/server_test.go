package mail

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// A real SMTP server on loopback (emersion/go-smtp's), which keeps what it
// is given and answers RCPT as each test wants.

// envelope is one message as the server received it.
type envelope struct {
	From string
	To   []string
	User string // who signed in, "" for nobody
	Mech string // and how
	Data []byte
}

// backend is the server's side: the messages received, the account it
// requires (none when user is empty), and its refusals by recipient.
type backend struct {
	user, pass string
	refuse     map[string]*smtp.SMTPError

	mu  sync.Mutex
	got []envelope

	open atomic.Int32 // connections the server has open
}

// countingListener counts the connections open on the server's side.
type countingListener struct {
	net.Listener
	open *atomic.Int32
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.open.Add(1)
	return &countedConn{Conn: c, open: l.open}, nil
}

type countedConn struct {
	net.Conn
	open *atomic.Int32
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.open.Add(-1) })
	return c.Conn.Close()
}

// waitClosed waits for the client to have closed every connection (the
// server closes its side when it reads the end), and fails after 3 s.
func (b *backend) waitClosed(t *testing.T) {
	t.Helper()
	for start := time.Now(); b.open.Load() != 0; time.Sleep(10 * time.Millisecond) {
		if time.Since(start) > 3*time.Second {
			t.Errorf("%d connections still open", b.open.Load())
			return
		}
	}
}

func (b *backend) received() []envelope {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]envelope(nil), b.got...)
}

func (b *backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{b: b}, nil }

type session struct {
	b          *backend
	user, mech string
	cur        envelope
}

func (s *session) AuthMechanisms() []string {
	if s.b.user == "" {
		return nil
	}
	return []string{sasl.Plain, sasl.Login, "CRAM-MD5"}
}

func (s *session) Auth(mech string) (sasl.Server, error) {
	s.mech = mech
	check := func(user, pass string) error {
		if user != s.b.user || pass != s.b.pass {
			return smtp.ErrAuthFailed
		}
		s.user = user
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	case "CRAM-MD5":
		return &cramServer{b: s.b, check: func(user string) error { s.user = user; return nil }}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.b.user != "" && s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.cur = envelope{From: from, User: s.user, Mech: s.mech}
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if e := s.b.refuse[to]; e != nil {
		return e
	}
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = b
	s.b.mu.Lock()
	s.b.got = append(s.b.got, s.cur)
	s.b.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.cur = envelope{} }
func (s *session) Logout() error { return nil }

// loginServer is the server side of AUTH LOGIN, which go-sasl no longer has.
type loginServer struct {
	check func(user, pass string) error
	step  int
	user  string
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		l.step++
		if resp == nil {
			return []byte("Username:"), false, nil
		}
		fallthrough
	case 1:
		l.user = string(resp)
		l.step = 2
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check(l.user, string(resp))
	}
}

// cramServer is the server side of AUTH CRAM-MD5 (RFC 2195).
type cramServer struct {
	b         *backend
	check     func(user string) error
	challenge string
}

func (c *cramServer) Next(resp []byte) ([]byte, bool, error) {
	if c.challenge == "" {
		c.challenge = fmt.Sprintf("<%d.%d@localhost>", time.Now().UnixNano(), 7)
		return []byte(c.challenge), false, nil
	}
	user, digest, _ := strings.Cut(string(resp), " ")
	h := hmac.New(md5.New, []byte(c.b.pass))
	h.Write([]byte(c.challenge))
	if user != c.b.user || !hmac.Equal([]byte(digest), []byte(hex.EncodeToString(h.Sum(nil)))) {
		return nil, true, smtp.ErrAuthFailed
	}
	return nil, true, c.check(user)
}

// serverMode is how the test server takes connections.
type serverMode int

const (
	plainServer    serverMode = iota // no TLS offered
	startTLSServer                   // STARTTLS offered; AUTH only after it
	tlsServer                        // TLS from the first byte
)

// startServer runs b on a free loopback port until the test ends, and
// returns its port, the pool that trusts its certificate, and a function
// that stops it.
func startServer(t *testing.T, b *backend, mode serverMode) (port int, pool *x509.CertPool, stop func()) {
	t.Helper()
	cert, pool := selfSigned(t)
	srv := smtp.NewServer(b)
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var ln net.Listener = countingListener{Listener: raw, open: &b.open}
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	switch mode {
	case plainServer:
		srv.AllowInsecureAuth = true
	case startTLSServer:
		srv.TLSConfig = tlsConfig
	case tlsServer:
		ln = tls.NewListener(ln, tlsConfig)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			t.Errorf("smtp server: %v", err)
		}
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			// The listener too: Serve may not have registered it yet.
			_ = srv.Close() // its error is the listener's, closed below
			_ = ln.Close()  // closed already when Serve had it
			<-done
		})
	}
	t.Cleanup(stop)
	return ln.Addr().(*net.TCPAddr).Port, pool, stop
}

// selfSigned makes a certificate for 127.0.0.1 and localhost, and a pool
// that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "test relay"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
