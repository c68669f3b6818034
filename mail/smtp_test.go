package mail

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/google/go-cmp/cmp"
)

// parsed is a received message read back with net/mail and
// mime/multipart, every header and part decoded.
type parsed struct {
	Raw     []byte
	Header  netmail.Header
	From    *netmail.Address
	ReplyTo []*netmail.Address
	To      []*netmail.Address
	Subject string
	ListID  string // decoded
	Text    string
	HTML    string
	// TextType and HTMLType are the parts' Content-Type; Encodings their
	// Content-Transfer-Encoding.
	TextType, HTMLType string
	Encodings          []string
}

func parse(t *testing.T, data []byte) parsed {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("reading the message: %v\n%s", err, data)
	}
	p := parsed{Raw: data, Header: msg.Header}
	dec := new(mime.WordDecoder)
	if p.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("Subject: %v", err)
	}
	if p.ListID, err = dec.DecodeHeader(msg.Header.Get("List-Id")); err != nil {
		t.Fatalf("List-Id: %v", err)
	}
	if p.From, err = netmail.ParseAddress(msg.Header.Get("From")); err != nil {
		t.Fatalf("From: %v", err)
	}
	if p.To, err = msg.Header.AddressList("To"); err != nil {
		t.Fatalf("To: %v", err)
	}
	if msg.Header.Get("Reply-To") != "" {
		if p.ReplyTo, err = msg.Header.AddressList("Reply-To"); err != nil {
			t.Fatalf("Reply-To: %v", err)
		}
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v); want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := r.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		cte := strings.ToLower(part.Header.Get("Content-Transfer-Encoding"))
		p.Encodings = append(p.Encodings, cte)
		var body io.Reader = part
		switch cte {
		case "quoted-printable":
			body = quotedprintable.NewReader(part)
		case "base64":
			body = base64.NewDecoder(base64.StdEncoding, part)
		case "", "7bit", "8bit":
		default:
			t.Fatalf("unexpected Content-Transfer-Encoding %q", cte)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatalf("decoding a %s part: %v", cte, err)
		}
		text := strings.ReplaceAll(string(b), "\r\n", "\n")
		ct := part.Header.Get("Content-Type")
		switch {
		case strings.HasPrefix(ct, "text/plain"):
			p.Text, p.TextType = text, ct
		case strings.HasPrefix(ct, "text/html"):
			p.HTML, p.HTMLType = text, ct
		default:
			t.Fatalf("unexpected part %q", ct)
		}
	}
	return p
}

// arabicMessage is a message with every header the portal sets, in Arabic.
func arabicMessage() Message {
	return Message{
		From:       Address{Name: "بوابة تقديم الدول الأعضاء", Addr: "portal@unodc.example.org"},
		ReplyTo:    Address{Name: "Office", Addr: "office@unodc.example.org"},
		To:         []Address{{Name: "جهة الوصل", Addr: "focal.point@mofa.gov.example"}},
		Subject:    "إشعار بالاستلام CCPCJ22-P4-AUT-1: إحصاءات الجريمة لعام 2026، النمسا",
		Text:       "تلقى المكتب تقديم النمسا.\nالرقم المرجعي: CCPCJ22-P4-AUT-1\nhttps://portal.example.org/orgs/AUT/calls/crime-2026/receipts/1\n",
		HTML:       `<!DOCTYPE html><html lang="ar" dir="rtl"><body><p>تلقى المكتب تقديم النمسا.</p><p><a href="https://portal.example.org/orgs/AUT/calls/crime-2026/receipts/1">الإشعار</a></p></body></html>`,
		Lang:       "ar",
		MessageID:  "receipt-2.crime-2026.aut@portal.example.org",
		InReplyTo:  "submission.crime-2026.aut@portal.example.org",
		References: []string{"submission.crime-2026.aut@portal.example.org", "receipt-1.crime-2026.aut@portal.example.org"},
		ListID:     "إحصاءات الجريمة لعام 2026 <crime-2026.calls.portal.example.org>",
		Date:       time.Date(2026, 3, 1, 14, 5, 0, 0, time.UTC),
	}
}

// sendTo sends m through a sender made from rawURL (with the test
// server's port) and the options.
func sendTo(t *testing.T, rawURL string, port int, m Message, opts ...Option) error {
	t.Helper()
	s, err := ParseURL(fmt.Sprintf(rawURL, port))
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewSMTP(s, opts...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	return c.Send(ctx, m)
}

// TestSendAsReceived: over each kind of connection, the message arrives
// with its envelope, every header and both parts, decoded to what was
// sent; Arabic in the subject, names, list name and bodies included.
func TestSendAsReceived(t *testing.T) {
	for _, tc := range []struct {
		name string
		mode serverMode
		url  string
		user string
		mech string
	}{
		{"no TLS to loopback", plainServer, "smtp://127.0.0.1:%d?tls=none", "", ""},
		{"no TLS, AUTH PLAIN to loopback", plainServer, "smtp://relay:secret@127.0.0.1:%d?tls=none", "relay", "PLAIN"},
		{"STARTTLS, AUTH PLAIN", startTLSServer, "smtp://relay:p%%40ss%%2Fw0rd@127.0.0.1:%d", "relay", "PLAIN"},
		{"STARTTLS, AUTH LOGIN", startTLSServer, "smtp://relay:p%%40ss%%2Fw0rd@127.0.0.1:%d?auth=login", "relay", "LOGIN"},
		{"STARTTLS, AUTH CRAM-MD5", startTLSServer, "smtp://relay:p%%40ss%%2Fw0rd@127.0.0.1:%d?auth=cram-md5", "relay", "CRAM-MD5"},
		{"implicit TLS, AUTH PLAIN", tlsServer, "smtps://relay:p%%40ss%%2Fw0rd@127.0.0.1:%d", "relay", "PLAIN"},
		{"implicit TLS, no AUTH", tlsServer, "smtp://127.0.0.1:%d?tls=tls", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &backend{user: tc.user, pass: "p@ss/w0rd"}
			if strings.Contains(tc.url, "secret") {
				b.pass = "secret"
			}
			port, pool, _ := startServer(t, b, tc.mode)
			m := arabicMessage()
			if err := sendTo(t, tc.url, port, m, WithRootCAs(pool)); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := b.received()
			if len(got) != 1 {
				t.Fatalf("the server received %d messages; want 1", len(got))
			}
			env := got[0]
			if env.From != m.From.Addr || !cmp.Equal(env.To, []string{m.To[0].Addr}) || env.User != tc.user || env.Mech != tc.mech {
				t.Errorf("envelope: MAIL FROM %q, RCPT TO %q, signed in as %q with %q", env.From, env.To, env.User, env.Mech)
			}
			if testing.Verbose() && tc.mode == tlsServer && tc.user != "" {
				t.Logf("as received:\n%s", env.Data)
			}
			checkReceived(t, m, parse(t, env.Data))
			b.waitClosed(t)
		})
	}
}

// checkReceived compares a message as parsed with what was sent.
func checkReceived(t *testing.T, m Message, p parsed) {
	t.Helper()
	h := p.Header
	for _, c := range []struct{ name, got, want string }{
		{"From name", p.From.Name, m.From.Name},
		{"From", p.From.Address, m.From.Addr},
		{"Subject", p.Subject, m.Subject},
		{"Message-ID", h.Get("Message-ID"), "<" + m.MessageID + ">"},
		{"In-Reply-To", h.Get("In-Reply-To"), "<" + m.InReplyTo + ">"},
		{"References", strings.Join(strings.Fields(h.Get("References")), " "), "<" + strings.Join(m.References, "> <") + ">"},
		{"List-Id", p.ListID, m.ListID},
		{"Auto-Submitted", h.Get("Auto-Submitted"), "auto-generated"},
		{"X-Auto-Response-Suppress", h.Get("X-Auto-Response-Suppress"), "All"},
		{"Content-Language", h.Get("Content-Language"), m.Lang},
		{"MIME-Version", h.Get("MIME-Version"), "1.0"},
		{"Text", p.Text, m.Text},
		{"HTML", p.HTML, m.HTML},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q; want %q", c.name, c.got, c.want)
		}
	}
	var to []Address
	for _, a := range p.To {
		to = append(to, Address{a.Name, a.Address})
	}
	if diff := cmp.Diff(m.To, to); diff != "" {
		t.Errorf("To (-want +got):\n%s", diff)
	}
	if !m.ReplyTo.IsZero() && (len(p.ReplyTo) != 1 || p.ReplyTo[0].Address != m.ReplyTo.Addr || p.ReplyTo[0].Name != m.ReplyTo.Name) {
		t.Errorf("Reply-To: %v; want %v", p.ReplyTo, m.ReplyTo)
	}
	if !m.Date.IsZero() {
		if d, err := h.Date(); err != nil || !d.Equal(m.Date) {
			t.Errorf("Date: %v (%v); want %v", d, err, m.Date)
		}
	}
	if !strings.Contains(p.TextType, "charset=UTF-8") || !strings.Contains(p.HTMLType, "charset=UTF-8") {
		t.Errorf("parts' types %q and %q; want UTF-8", p.TextType, p.HTMLType)
	}
	// Headers travel as 7-bit ASCII, a non-ASCII text as RFC 2047 words,
	// folded into lines of 78 characters at most.
	head, _, _ := strings.Cut(string(p.Raw), "\r\n\r\n")
	for _, line := range strings.Split(head, "\r\n") {
		if len(line) > 78 {
			t.Errorf("a header line of %d characters: %q", len(line), line)
		}
	}
	for k, vs := range h {
		for _, v := range vs {
			for _, r := range v {
				if r > '~' {
					t.Errorf("header %s is not 7-bit ASCII: %q", k, v)
					break
				}
			}
		}
	}
}

// TestSendEncodings: a mostly Latin message goes quoted-printable, a
// mostly Arabic one base64; both read back the same, long lines and
// long subjects included.
func TestSendEncodings(t *testing.T) {
	b := &backend{}
	port, _, _ := startServer(t, b, plainServer)
	long := strings.Repeat("Réponse reçue à l’Office ; ", 20)
	arabic := strings.Repeat("تلقى المكتب تقديم النمسا في الموعد. ", 20)
	for _, tc := range []struct {
		subject, text, wantEnc string
	}{
		{"Accusé de réception : statistiques de la criminalité 2026, Autriche, " + long, long + "\n" + long, "quoted-printable"},
		{"إشعار بالاستلام: " + arabic, arabic + "\n" + arabic, "base64"},
		{"Plain ASCII", "Plain ASCII body.\n", "quoted-printable"},
	} {
		m := Message{
			From: Address{Addr: "portal@unodc.example.org"}, To: []Address{{Addr: "a@example.org"}},
			Subject: tc.subject, Text: tc.text, HTML: "<p>" + tc.text + "</p>",
		}
		if err := sendTo(t, "smtp://127.0.0.1:%d?tls=none", port, m); err != nil {
			t.Fatal(err)
		}
		got := b.received()
		p := parse(t, got[len(got)-1].Data)
		if p.Subject != m.Subject || p.Text != m.Text || p.HTML != m.HTML {
			t.Errorf("%.20q: read back %q / %.40q / %.40q", tc.subject, p.Subject, p.Text, p.HTML)
		}
		if !cmp.Equal(p.Encodings, []string{tc.wantEnc, tc.wantEnc}) {
			t.Errorf("%.20q: encodings %v; want %s", tc.subject, p.Encodings, tc.wantEnc)
		}
		// Without a Message-ID, one is made in the sender's domain; no
		// In-Reply-To, References or List-Id when none is given.
		if id := p.Header.Get("Message-ID"); !strings.HasSuffix(id, "@unodc.example.org>") || len(id) < 30 {
			t.Errorf("Message-ID %q", id)
		}
		for _, k := range []string{"In-Reply-To", "References", "List-Id", "List-Unsubscribe", "Reply-To", "Content-Language"} {
			if v := p.Header.Get(k); v != "" {
				t.Errorf("%s: %q; want none", k, v)
			}
		}
		for _, line := range strings.Split(string(got[len(got)-1].Data), "\r\n") {
			if len(line) > 998 {
				t.Errorf("a line of %d characters", len(line))
			}
		}
	}
}

// TestSendHeaderInjection: a line break in a subject or a name does not
// start a header of its own.
func TestSendHeaderInjection(t *testing.T) {
	b := &backend{}
	port, _, _ := startServer(t, b, plainServer)
	m := Message{
		From:    Address{Addr: "portal@unodc.example.org"},
		To:      []Address{{Addr: "a@example.org"}},
		Subject: "Receipt\r\nBcc: spy@example.org",
		Text:    "x", HTML: "<p>x</p>",
		ListID:          "Crime, \"statistics\" 2026 <crime-2026.calls.portal.example.org>",
		ListUnsubscribe: "https://portal.example.org/preferences",
		AutoSubmitted:   "auto-replied",
	}
	if err := sendTo(t, "smtp://127.0.0.1:%d?tls=none", port, m); err != nil {
		t.Fatal(err)
	}
	p := parse(t, b.received()[0].Data)
	if p.Header.Get("Bcc") != "" || p.Subject != m.Subject {
		t.Errorf("Bcc %q, subject %q", p.Header.Get("Bcc"), p.Subject)
	}
	// A phrase with specials is a quoted string.
	if want := `"Crime, \"statistics\" 2026" <crime-2026.calls.portal.example.org>`; p.ListID != want {
		t.Errorf("List-Id %q; want %q", p.ListID, want)
	}
	if got := p.Header.Get("List-Unsubscribe"); got != "<https://portal.example.org/preferences>" {
		t.Errorf("List-Unsubscribe %q", got)
	}
	if got := p.Header.Get("Auto-Submitted"); got != "auto-replied" {
		t.Errorf("Auto-Submitted %q", got)
	}
	m.Subject, m.To[0].Name = "Receipt", "Eve\r\nBcc: spy@example.org"
	if err := sendTo(t, "smtp://127.0.0.1:%d?tls=none", port, m); !Permanent(err) {
		t.Errorf("a name with a line break: %v; want a permanent refusal", err)
	}
}

// TestSendFailures: what fails, and whether the queue should try again.
func TestSendFailures(t *testing.T) {
	msg := func(to ...string) Message {
		m := Message{From: Address{Addr: "portal@unodc.example.org"}, Subject: "Reminder", Text: "x", HTML: "<p>x</p>"}
		for _, a := range to {
			m.To = append(m.To, Address{Addr: a})
		}
		return m
	}
	refuse := map[string]*smtp.SMTPError{
		"busy@example.org":   {Code: 450, EnhancedCode: smtp.EnhancedCode{4, 2, 1}, Message: "Mailbox busy, try later"},
		"nobody@example.org": {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox"},
	}

	t.Run("recipients", func(t *testing.T) {
		b := &backend{refuse: refuse}
		port, _, _ := startServer(t, b, plainServer)
		for _, tc := range []struct {
			to        []string
			permanent bool
		}{
			{[]string{"busy@example.org"}, false},
			{[]string{"nobody@example.org"}, true},
			{[]string{"ok@example.org", "nobody@example.org"}, true},
			// One refused for now: a later try may reach both, and the
			// one refused for good is refused again then.
			{[]string{"nobody@example.org", "busy@example.org"}, false},
		} {
			err := sendTo(t, "smtp://127.0.0.1:%d?tls=none", port, msg(tc.to...))
			var re *RecipientsError
			if !errors.As(err, &re) || Permanent(err) != tc.permanent {
				t.Errorf("to %v: %v (permanent %v); want a refusal, permanent %v", tc.to, err, Permanent(err), tc.permanent)
			}
			if err != nil && !strings.Contains(err.Error(), tc.to[len(tc.to)-1]) {
				t.Errorf("to %v: the error %q does not name the refused address", tc.to, err)
			}
		}
		if n := len(b.received()); n != 0 {
			t.Errorf("the server took %d messages; a refused recipient stops the message for all", n)
		}
		if err := sendTo(t, "smtp://127.0.0.1:%d?tls=none", port, msg("ok@example.org")); err != nil || len(b.received()) != 1 {
			t.Errorf("after the refusals: %v, %d received", err, len(b.received()))
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		b := &backend{user: "relay", pass: "right"}
		port, pool, _ := startServer(t, b, startTLSServer)
		err := sendTo(t, "smtp://relay:wrong@127.0.0.1:%d", port, msg("ok@example.org"), WithRootCAs(pool))
		if err == nil || !Permanent(err) {
			t.Errorf("a wrong password: %v; want a permanent failure", err)
		}
		if err != nil && strings.Contains(err.Error(), "wrong") {
			t.Errorf("the error %q repeats the password", err)
		}
		if len(b.received()) != 0 {
			t.Error("the server took a message")
		}
		b.waitClosed(t)
	})

	t.Run("no STARTTLS offered", func(t *testing.T) {
		b := &backend{}
		port, _, _ := startServer(t, b, plainServer)
		err := sendTo(t, "smtp://127.0.0.1:%d", port, msg("ok@example.org"))
		if err == nil || Permanent(err) || !strings.Contains(err.Error(), "STARTTLS") {
			t.Errorf("STARTTLS required, not offered: %v; want a temporary failure naming STARTTLS", err)
		}
		if len(b.received()) != 0 {
			t.Error("the message went in clear")
		}
		b.waitClosed(t)
	})

	t.Run("certificate not trusted", func(t *testing.T) {
		b := &backend{}
		port, _, _ := startServer(t, b, tlsServer)
		err := sendTo(t, "smtps://127.0.0.1:%d", port, msg("ok@example.org"))
		if err == nil || Permanent(err) || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("an unknown certificate: %v; want a temporary failure naming the certificate", err)
		}
		if len(b.received()) != 0 {
			t.Error("the server took a message")
		}
	})

	t.Run("server stopped", func(t *testing.T) {
		b := &backend{}
		port, _, stop := startServer(t, b, plainServer)
		stop()
		err := sendTo(t, "smtp://127.0.0.1:%d?tls=none", port, msg("ok@example.org"))
		if err == nil || Permanent(err) {
			t.Errorf("no server: %v; want a temporary failure", err)
		}
	})

	t.Run("invalid message", func(t *testing.T) {
		for _, m := range []Message{
			msg(),
			msg("not an address"),
			{From: Address{Addr: "portal"}, To: []Address{{Addr: "a@example.org"}}, Subject: "s", Text: "x", HTML: "x"},
			{From: Address{Addr: "portal@unodc.example.org"}, To: []Address{{Addr: "a@example.org"}}, Subject: "s", Text: "x"},
			{From: Address{Addr: "portal@unodc.example.org"}, To: []Address{{Addr: "a@example.org"}}, Text: "x", HTML: "x"},
			func() Message { m := msg("a@example.org"); m.MessageID = "<x@y>"; return m }(),
			func() Message { m := msg("a@example.org"); m.References = []string{"x y@z"}; return m }(),
			func() Message { m := msg("a@example.org"); m.ListID = "Crime statistics <crime 2026>"; return m }(),
			func() Message { m := msg("a@example.org"); m.Lang = "ar\r\nBcc: x"; return m }(),
			func() Message { m := msg("a@example.org"); m.ListUnsubscribe = "javascript:alert(1)"; return m }(),
		} {
			// No server: the message is refused before any connection.
			err := sendTo(t, "smtp://127.0.0.1:%d?tls=none", 1, m)
			if !Permanent(err) || !errors.Is(err, errInvalid) {
				t.Errorf("%+v: %v; want a permanent refusal", m, err)
			}
		}
	})
}

// TestSendHonoursContext: a relay that never answers holds Send only as
// long as ctx lasts, and the failure is temporary.
func TestSendHonoursContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, silent, until the test ends
		}
	}()
	s, err := ParseURL(fmt.Sprintf("smtp://127.0.0.1:%d?tls=none&timeout=30s", ln.Addr().(*net.TCPAddr).Port))
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewSMTP(s)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = c.Send(ctx, Message{From: Address{Addr: "portal@unodc.example.org"}, To: []Address{{Addr: "a@example.org"}}, Subject: "s", Text: "x", HTML: "x"})
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Send took %v after its context ended", took)
	}
	if !errors.Is(err, context.DeadlineExceeded) || Permanent(err) {
		t.Errorf("Send: %v; want the context's deadline, temporary", err)
	}
}

// TestSendConcurrently: one sender, several messages at once.
func TestSendConcurrently(t *testing.T) {
	b := &backend{user: "relay", pass: "secret"}
	port, pool, _ := startServer(t, b, startTLSServer)
	s, _ := ParseURL(fmt.Sprintf("smtp://relay:secret@127.0.0.1:%d", port))
	c, err := NewSMTP(s, WithRootCAs(pool))
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error)
	for i := range 8 {
		go func() {
			m := arabicMessage()
			m.MessageID = fmt.Sprintf("m%d@portal.example.org", i)
			errs <- c.Send(t.Context(), m)
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n := len(b.received()); n != 8 {
		t.Errorf("received %d; want 8", n)
	}
}
