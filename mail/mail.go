// Package mail sends the portal's messages through an SMTP relay: one
// message, plain text and HTML, with the headers that let mail systems
// thread and classify it. It knows nothing of what a message says
// (templates/email composes them) nor of when it goes (the job queue); it
// tells the queue whether a failure is worth retrying (Permanent).
package mail

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// Address is a mailbox: a display name (any script; empty for none) and
// an address such as focal.point@bmi.gv.at.
type Address struct {
	Name, Addr string
}

// IsZero reports whether a is no address at all.
func (a Address) IsZero() bool { return a.Addr == "" && a.Name == "" }

// Check reports an address that a relay could not take: Addr not a bare
// e-mail address, or a line break in Name.
func (a Address) Check() error { return checkAddress("", a) }

// ParseAddress reads an address as written in configuration
// (PORTAL_MAIL_FROM): "portal@unodc.org", or with a display name,
// "Submissions portal <portal@unodc.org>" (RFC 5322, encoded words
// allowed).
func ParseAddress(s string) (Address, error) {
	a, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil {
		return Address{}, fmt.Errorf("mail: %q is not an e-mail address, such as portal@unodc.org or \"Portal\" <portal@unodc.org>", s)
	}
	return Address{Name: a.Name, Addr: a.Address}, nil
}

// Message is one message as the portal sends it: always both a plain text
// and an HTML part (multipart/alternative), encoded so that any script
// travels intact (UTF-8; quoted-printable or base64 bodies; RFC 2047
// headers).
type Message struct {
	From Address
	// ReplyTo is where answers go (the Office's mailbox); zero for none.
	ReplyTo Address
	To      []Address
	Subject string
	// Text and HTML are the two renderings of the same content.
	Text, HTML string
	// Lang is the Content-Language (a BCP 47 tag such as "ar"), so that
	// readers, screen readers and filters know the language; empty for none.
	Lang string
	// MessageID is the message's id without angle brackets
	// ("receipt.crime-2026.aut@portal.example.org"). When empty, Send
	// makes one from a random part and the sender's domain; set it when
	// the message is queued so that a retry carries the same id, which
	// lets receiving systems drop a duplicate.
	MessageID string
	// InReplyTo and References are ids (without angle brackets) of the
	// messages this one follows: the root of its thread first, then any
	// others in order (RFC 5322 section 3.6.4). Mail clients group a
	// thread by them.
	InReplyTo  string
	References []string
	// ListID is the List-Id header's whole value (RFC 2919), such as
	// "Crime statistics 2026 <crime-statistics-2026.calls.portal.example.org>",
	// or the id alone: the key by which people and filters sort the
	// messages about one call. A phrase in any script is encoded; the id
	// must be ASCII.
	ListID string
	// ListUnsubscribe is the address (https: or mailto:) of the page where
	// the reader turns off this kind of message (RFC 2369); empty for a
	// message that cannot be turned off, such as a receipt.
	ListUnsubscribe string
	// AutoSubmitted is the Auto-Submitted header (RFC 3834): empty means
	// "auto-generated", which keeps out-of-office and other automatic
	// replies from answering the portal. Any value other than "no" also
	// sets X-Auto-Response-Suppress: All, Microsoft Exchange's equivalent.
	AutoSubmitted string
	// Date is the Date header; zero is the moment the message is sent.
	Date time.Time
}

// Sender sends a message to its recipients. An error says whether
// retrying may help: see Permanent.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// NewMessageID returns a new message id (without angle brackets) with a
// random part of 120 bits and the given domain ("portal.example.org").
func NewMessageID(domain string) string {
	var b [15]byte
	// crypto/rand.Read does not fail (it panics when the system's source
	// is broken), so its error is ignored.
	_, _ = rand.Read(b[:])
	return strings.ToLower(base32.StdEncoding.EncodeToString(b[:])) + "@" + domain
}

// errInvalid marks a message that cannot be sent as it is: retrying
// cannot help.
var errInvalid = errors.New("invalid message")

func invalid(format string, args ...any) error {
	return &permanentError{fmt.Errorf("mail: %w: "+format, append([]any{errInvalid}, args...)...)}
}

// Check reports the first problem that keeps m from being sent as it is:
// an error for which Permanent is true. Send checks every message first.
func (m Message) Check() error {
	if err := checkAddress("From", m.From); err != nil {
		return err
	}
	if !m.ReplyTo.IsZero() {
		if err := checkAddress("Reply-To", m.ReplyTo); err != nil {
			return err
		}
	}
	if len(m.To) == 0 {
		return invalid("no recipient")
	}
	for _, a := range m.To {
		if err := checkAddress("To", a); err != nil {
			return err
		}
	}
	if strings.TrimSpace(m.Subject) == "" {
		return invalid("no subject")
	}
	if m.Text == "" || m.HTML == "" {
		return invalid("a message has both a plain text and an HTML part")
	}
	if m.Lang != "" && !isLanguageTag(m.Lang) {
		return invalid("Content-Language %q is not a language tag", m.Lang)
	}
	for _, id := range append([]string{m.MessageID, m.InReplyTo}, m.References...) {
		if id != "" && !isMessageID(id) {
			return invalid("%q is not a message id (local@domain, printable ASCII, no spaces or angle brackets)", id)
		}
	}
	if m.ListID != "" {
		if _, _, err := splitListID(m.ListID); err != nil {
			return err
		}
	}
	if m.ListUnsubscribe != "" && !(strings.HasPrefix(m.ListUnsubscribe, "https://") ||
		strings.HasPrefix(m.ListUnsubscribe, "http://") || strings.HasPrefix(m.ListUnsubscribe, "mailto:")) ||
		strings.ContainsAny(m.ListUnsubscribe, "<> \r\n") {
		return invalid("List-Unsubscribe %q is not an http(s) or mailto address", m.ListUnsubscribe)
	}
	if m.AutoSubmitted != "" && !isToken(m.AutoSubmitted) {
		return invalid("Auto-Submitted %q is not a keyword", m.AutoSubmitted)
	}
	return nil
}

// checkAddress reports an address that a relay could not take.
func checkAddress(field string, a Address) error {
	if field != "" {
		field += " "
	}
	p, err := mail.ParseAddress(a.Addr)
	if err != nil || p.Address != a.Addr || p.Name != "" {
		return invalid("%saddress %q is not an e-mail address", field, a.Addr)
	}
	if strings.ContainsAny(a.Name, "\r\n") {
		return invalid("%sname contains a line break", field)
	}
	return nil
}

// domainOf is the domain of an address.
func domainOf(addr string) string {
	return addr[strings.LastIndexByte(addr, '@')+1:]
}

// isMessageID reports whether id is the inside of a msg-id: printable
// ASCII without spaces, angle brackets, quotes, brackets or commas, with
// one "@" between two non-empty parts.
func isMessageID(id string) bool {
	local, domain, ok := strings.Cut(id, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		return false
	}
	for _, r := range id {
		if r <= ' ' || r > '~' || strings.ContainsRune(`<>()[]\",;:`, r) {
			return false
		}
	}
	return true
}

// isLanguageTag reports whether s looks like a BCP 47 tag: letters,
// digits and hyphens, beginning with a letter.
func isLanguageTag(s string) bool {
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r == '-' || r >= '0' && r <= '9'):
		default:
			return false
		}
	}
	return len(s) > 0 && len(s) <= 35
}

// isToken reports whether s is a header keyword: letters, digits, "-", "."
// and ";=" for parameters, no spaces.
func isToken(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-.;=", r)) {
			return false
		}
	}
	return s != ""
}

// splitListID splits a List-Id value into its phrase (possibly empty) and
// its id, "phrase <id>" or "id".
func splitListID(v string) (phrase, id string, err error) {
	v = strings.TrimSpace(v)
	if i := strings.LastIndexByte(v, '<'); i >= 0 && strings.HasSuffix(v, ">") {
		phrase, id = strings.TrimSpace(v[:i]), v[i+1:len(v)-1]
	} else {
		id = v
	}
	if strings.ContainsAny(phrase, "\r\n") {
		return "", "", invalid("List-Id %q has a line break", v)
	}
	if id == "" || !isListID(id) {
		return "", "", invalid("List-Id %q has no list id (dot-separated ASCII labels, such as call.portal.example.org)", v)
	}
	return phrase, id, nil
}

// isListID reports whether id is a dot-atom of at least two labels, as
// RFC 2919 asks.
func isListID(id string) bool {
	labels := strings.Split(id, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r)) {
				return false
			}
		}
	}
	return true
}
