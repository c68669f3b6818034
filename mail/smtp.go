package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"sync"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"
)

// SMTP sends messages through a relay, one connection per message: the
// portal sends a few hundred messages a day at most, and a fresh
// connection cannot inherit a broken one's state. It is safe for
// concurrent use.
type SMTP struct {
	s       Settings
	rootCAs *x509.CertPool
	helo    string
}

// Option changes how an SMTP sender connects.
type Option func(*SMTP)

// WithRootCAs makes the sender trust the certificates in pool, instead of
// the system's, for the relay: for a relay with a certificate of a
// private authority, and for tests.
func WithRootCAs(pool *x509.CertPool) Option {
	return func(s *SMTP) { s.rootCAs = pool }
}

// WithHELO sets the name the sender gives in EHLO; by default, the
// machine's host name.
func WithHELO(name string) Option {
	return func(s *SMTP) { s.helo = name }
}

// NewSMTP returns a sender through the relay s describes. It connects to
// nothing until a message is sent; the error is settings that cannot be
// used (see Settings.Validate).
func NewSMTP(s Settings, opts ...Option) (*SMTP, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if s.Timeout == 0 {
		s.Timeout = DefaultTimeout
	}
	if s.Auth == "" {
		s.Auth = AuthNone
	}
	m := &SMTP{s: s}
	for _, o := range opts {
		o(m)
	}
	return m, nil
}

// Send sends m through the relay: it connects, switches to TLS and signs
// in as the settings say, and hands the message over. When ctx ends first
// the connection is dropped and ctx's error returned. Permanent tells a
// failure that retrying cannot mend from one that a later try may get
// through. A message the relay has taken is sent, whatever happens to the
// connection afterwards.
func (c *SMTP) Send(ctx context.Context, m Message) error {
	if err := m.Check(); err != nil {
		return err
	}
	msg, err := c.compose(m)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mail: send to %s: %w", recipients(m), err)
	}
	client, stop, err := c.client(ctx)
	if err != nil {
		return err
	}
	defer stop()
	conn, err := client.DialToSMTPClientWithContext(ctx)
	if err == nil {
		err = c.deliver(conn, msg, m)
		if err == nil {
			// The relay has the message: a failure to say goodbye
			// must not make the queue send it again.
			_ = conn.Quit() // the message is taken; see above
			return nil
		}
		_ = conn.Close() // the failure reported is err
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("mail: send to %s: %w (%v)", recipients(m), ctxErr, err)
	}
	return fmt.Errorf("mail: send to %s through %s: %w", recipients(m), net.JoinHostPort(c.s.Host, strconv.Itoa(c.s.Port)), err)
}

// client makes a go-mail client for one message. Its dialer closes the
// connection when ctx ends, which ends any exchange under way; stop
// releases that watch and closes the connection, which go-mail leaves
// open when STARTTLS or AUTH fails.
func (c *SMTP) client(ctx context.Context) (*gomail.Client, func(), error) {
	tlsConfig := &tls.Config{ServerName: c.s.Host, MinVersion: tls.VersionTLS12, RootCAs: c.rootCAs}
	var (
		mu    sync.Mutex
		stops []func() bool
		conns []net.Conn
	)
	stop := func() {
		mu.Lock()
		defer mu.Unlock()
		for _, s := range stops {
			s()
		}
		for _, conn := range conns {
			_ = conn.Close() // closed already after QUIT; else nothing to report
		}
	}
	addr := net.JoinHostPort(c.s.Host, strconv.Itoa(c.s.Port))
	dial := func(dialCtx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		raw, err := d.DialContext(dialCtx, network, addr)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		conns = append(conns, raw)
		stops = append(stops, context.AfterFunc(ctx, func() { _ = raw.Close() }))
		mu.Unlock()
		if c.s.Security != ImplicitTLS {
			return raw, nil
		}
		conn := tls.Client(raw, tlsConfig)
		if err := conn.HandshakeContext(dialCtx); err != nil {
			_ = raw.Close() // the handshake's error is the one to report
			return nil, err
		}
		return conn, nil
	}

	opts := []gomail.Option{
		gomail.WithPort(c.s.Port),
		gomail.WithTimeout(c.s.Timeout),
		gomail.WithDialContextFunc(dial),
		gomail.WithTLSConfig(tlsConfig),
	}
	switch c.s.Security {
	case ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case StartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case NoTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if c.s.Auth != AuthNone {
		mech := map[Auth]gomail.SMTPAuthType{AuthPlain: gomail.SMTPAuthPlain, AuthLogin: gomail.SMTPAuthLogin, AuthCRAMMD5: gomail.SMTPAuthCramMD5}[c.s.Auth]
		opts = append(opts, gomail.WithSMTPAuth(mech), gomail.WithUsername(c.s.Username), gomail.WithPassword(c.s.Password))
	}
	if c.helo != "" {
		opts = append(opts, gomail.WithHELO(c.helo))
	}
	client, err := gomail.NewClient(c.s.Host, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("mail: %w", err)
	}
	return client, stop, nil
}

// deliver runs one mail transaction on conn: MAIL, RCPT for each
// recipient, DATA. If the relay refuses any recipient it sends to none
// and says which, so that a retry sends nothing twice.
func (c *SMTP) deliver(conn *gosmtp.Client, msg *gomail.Msg, m Message) error {
	if err := conn.UpdateDeadline(c.s.Timeout); err != nil {
		return err
	}
	if err := conn.Mail(m.From.Addr); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	var refused RecipientsError
	for _, to := range m.To {
		if err := conn.Rcpt(to.Addr); err != nil {
			var reply *textproto.Error
			if !errors.As(err, &reply) {
				return fmt.Errorf("RCPT TO: %w", err)
			}
			refused.Refused = append(refused.Refused, Refusal{Addr: to.Addr, Reply: reply})
		}
	}
	if len(refused.Refused) > 0 {
		_ = conn.Reset() // the refusal is what counts
		return &refused
	}
	w, err := conn.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := conn.UpdateDeadline(c.s.Timeout); err != nil {
		return err
	}
	if _, err := msg.WriteTo(w); err != nil {
		return fmt.Errorf("writing the message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("end of DATA: %w", err)
	}
	return nil
}

// compose builds m as go-mail writes it.
func (c *SMTP) compose(m Message) (*gomail.Msg, error) {
	enc := gomail.EncodingQP
	if mostlyNonASCII(m.Text) {
		// Arabic, Russian or Chinese in quoted-printable takes three
		// times its size; base64, a third more.
		enc = gomail.EncodingB64
	}
	msg := gomail.NewMsg(gomail.WithEncoding(enc), gomail.WithCharset(gomail.CharsetUTF8), gomail.WithNoDefaultUserAgent())
	if err := msg.FromFormat(m.From.Name, m.From.Addr); err != nil {
		return nil, invalid("From: %v", err)
	}
	if !m.ReplyTo.IsZero() {
		if err := msg.ReplyToFormat(m.ReplyTo.Name, m.ReplyTo.Addr); err != nil {
			return nil, invalid("Reply-To: %v", err)
		}
	}
	for _, to := range m.To {
		if err := msg.AddToFormat(to.Name, to.Addr); err != nil {
			return nil, invalid("To: %v", err)
		}
	}
	msg.Subject(m.Subject)
	id := m.MessageID
	if id == "" {
		id = NewMessageID(domainOf(m.From.Addr))
	}
	msg.SetMessageIDWithValue(id)
	if !m.Date.IsZero() {
		msg.SetDateWithValue(m.Date)
	} else {
		msg.SetDate()
	}
	if m.InReplyTo != "" {
		msg.SetGenHeader(gomail.HeaderInReplyTo, "<"+m.InReplyTo+">")
	}
	if len(m.References) > 0 {
		refs := make([]string, len(m.References))
		for i, r := range m.References {
			refs[i] = "<" + r + ">"
		}
		msg.SetGenHeader(gomail.HeaderReferences, strings.Join(refs, " "))
	}
	if m.Lang != "" {
		msg.SetGenHeader(gomail.HeaderContentLang, m.Lang)
	}
	if m.ListID != "" {
		phrase, listID, err := splitListID(m.ListID)
		if err != nil {
			return nil, err
		}
		// The phrase alone is encoded (an encoded word must not
		// swallow the id), and the value folded between words, since
		// go-mail writes a preformatted header as it is.
		words := []string{"<" + listID + ">"}
		if phrase != "" {
			words = append(strings.Fields(encodePhrase(phrase, enc)), words...)
		}
		msg.SetGenHeaderPreformatted("List-Id", fold(len("List-Id: "), words))
	}
	if m.ListUnsubscribe != "" {
		msg.SetGenHeaderPreformatted(gomail.HeaderListUnsubscribe, "<"+m.ListUnsubscribe+">")
	}
	auto := m.AutoSubmitted
	if auto == "" {
		auto = "auto-generated"
	}
	msg.SetGenHeader("Auto-Submitted", auto)
	if auto != "no" {
		msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	return msg, nil
}

// encodePhrase writes a display phrase for a header: as it is when it is
// plain ASCII without specials, else as RFC 2047 encoded words.
func encodePhrase(p string, enc gomail.Encoding) string {
	plain := true
	for _, r := range p {
		if r < ' ' || r > '~' || strings.ContainsRune(`()<>[]:;@\,."`, r) {
			plain = false
			break
		}
	}
	if plain {
		return p
	}
	e := mime.QEncoding
	if enc == gomail.EncodingB64 {
		e = mime.BEncoding
	}
	if w := e.Encode("UTF-8", p); w != p {
		return w
	}
	// ASCII with specials: a quoted string.
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(p) + `"`
}

// fold joins words with spaces into lines of at most 78 characters where
// it can, the first line beginning after a header name of width first.
func fold(first int, words []string) string {
	var b strings.Builder
	n := first
	for i, w := range words {
		switch {
		case i == 0 && n+len(w) > 78:
			b.WriteString("\r\n ") // after "Name: "
			n = 1
		case i > 0 && n+1+len(w) > 78:
			b.WriteString("\r\n ")
			n = 1
		case i > 0:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}

// mostlyNonASCII reports whether more than a third of s's bytes are not
// ASCII.
func mostlyNonASCII(s string) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			n++
		}
	}
	return n*3 > len(s)
}

// recipients lists m's recipients' addresses, for errors.
func recipients(m Message) string {
	addrs := make([]string, len(m.To))
	for i, a := range m.To {
		addrs[i] = a.Addr
	}
	return strings.Join(addrs, ", ")
}
