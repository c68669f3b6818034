package main

import (
	"errors"
	"io"
	"log"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// relay is a real SMTP server on a loopback port (emersion/go-smtp's), in
// clear as PORTAL_SMTP_URL allows on this machine: it keeps what it is
// given, refuses the recipients it is told to, and can be stopped and
// started again on the same port (a relay down for a while).
type relay struct {
	t    testing.TB
	port int

	mu     sync.Mutex
	got    []received
	refuse map[string]*smtp.SMTPError
	srv    *smtp.Server
	ln     net.Listener
	done   chan struct{}
}

type received struct {
	From string
	To   []string
	Data []byte
}

func newRelay(t testing.TB) *relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &relay{t: t, port: ln.Addr().(*net.TCPAddr).Port, refuse: map[string]*smtp.SMTPError{}}
	r.serve(ln)
	t.Cleanup(r.stop)
	return r
}

// url is the relay's PORTAL_SMTP_URL.
func (r *relay) url() string { return "smtp://127.0.0.1:" + strconv.Itoa(r.port) + "?tls=none" }

func (r *relay) serve(ln net.Listener) {
	srv := smtp.NewServer(r)
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	done := make(chan struct{})
	r.mu.Lock()
	r.srv, r.ln, r.done = srv, ln, done
	r.mu.Unlock()
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			r.t.Errorf("relay: %v", err)
		}
	}()
}

// stop stops the relay: connections to its port are refused.
func (r *relay) stop() {
	r.mu.Lock()
	srv, ln, done := r.srv, r.ln, r.done
	r.srv = nil
	r.mu.Unlock()
	if srv == nil {
		return
	}
	// The listener too: Serve may not have taken it yet.
	_ = srv.Close() // its error is the listener's, closed below
	_ = ln.Close()  // closed already when Serve had it
	<-done
}

// start starts the relay again on its port.
func (r *relay) start() {
	r.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(r.port))
	if err != nil {
		r.t.Fatal(err)
	}
	r.serve(ln)
}

func (r *relay) received() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

func (r *relay) NewSession(*smtp.Conn) (smtp.Session, error) { return &relaySession{r: r}, nil }

type relaySession struct {
	r   *relay
	cur received
}

func (s *relaySession) Mail(from string, _ *smtp.MailOptions) error {
	s.cur.From = from
	return nil
}

func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.r.mu.Lock()
	refusal := s.r.refuse[to]
	s.r.mu.Unlock()
	if refusal != nil {
		return refusal
	}
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *relaySession) Data(rd io.Reader) error {
	b, err := io.ReadAll(rd)
	if err != nil {
		return err
	}
	s.cur.Data = b
	s.r.mu.Lock()
	s.r.got = append(s.r.got, s.cur)
	s.r.mu.Unlock()
	return nil
}

func (s *relaySession) Reset()        { s.cur = received{} }
func (s *relaySession) Logout() error { return nil }
