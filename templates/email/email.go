// Package email composes the messages the portal sends: for each, the
// subject, a plain text and an HTML body, and the headers that thread and
// classify it, in the reader's language from the same catalogue as the
// pages (templates/words). It sends nothing (package mail does) and reads
// nothing (the caller passes plain values): each message is a method of
// Site that takes a words.Text in the recipient's language and a small
// input struct.
//
// A message carries links back to the exact page and, beyond names, dates
// and receipt numbers, nothing of the answers: no figures, no comments,
// and no secret. The one free text is the Office's message when it
// returns a submission for clarification.
package email

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net"
	"net/url"
	"strings"
	texttemplate "text/template"
	"time"

	"portal/forms"
	"portal/mail"
	"portal/templates/words"
)

// Site is what every message shares: where the portal is, who writes,
// and where a reader turns off the optional messages.
type Site struct {
	// BaseURL is the portal's public address, such as
	// "https://portal.example.org"; every link is built on it (a path
	// prefix is kept). Its host names the portal in message and list ids.
	BaseURL string
	// From is the sender (PORTAL_MAIL_FROM). Without a name, the
	// portal's name in the reader's language is given.
	From mail.Address
	// ReplyTo is where replies go (PORTAL_MAIL_REPLY_TO, the Office's
	// mailbox); zero for none, and then the footer says that replies are
	// not read.
	ReplyTo mail.Address
	// PreferencesPath is the page where a person turns off the optional
	// messages (the digest and comment notices), such as "/preferences":
	// named in their footer and List-Unsubscribe; empty for none.
	PreferencesPath string
}

// LanguageFor is the language to write to a person in: the one they last
// used the portal in, else their organization's (one of the six UN
// languages), else English. A value that is not one of the six counts as
// none.
func LanguageFor(userLast, orgLanguage forms.Language) forms.Language {
	for _, l := range []forms.Language{userLast, orgLanguage} {
		if l, ok := forms.ParseLanguage(string(l)); ok {
			return l
		}
	}
	return forms.English
}

// Check reports a site that messages cannot be composed for: a base URL
// that is not an absolute http(s) address, or no sender. cmd calls it once
// at start.
func (s Site) Check() error {
	if _, err := s.base(); err != nil {
		return err
	}
	if err := s.From.Check(); err != nil {
		return fmt.Errorf("email: the sender: %w", err)
	}
	if !s.ReplyTo.IsZero() {
		if err := s.ReplyTo.Check(); err != nil {
			return fmt.Errorf("email: the reply-to address: %w", err)
		}
	}
	if s.PreferencesPath != "" {
		if _, err := s.link(s.PreferencesPath); err != nil {
			return err
		}
	}
	return nil
}

// ThreadID is the message id (without angle brackets) that begins the
// thread about an organization's answer to a call: the first receipt's,
// "submission.crime-2026.aut@portal.example.org". Every later receipt, the
// return for clarification, the acceptance and the comment notices refer
// to it (In-Reply-To, References), so that mail clients show them as one
// conversation. The same call key and organization code always give the
// same id. (With a base URL that Check refuses, the domain is "invalid".)
func (s Site) ThreadID(callKey, orgCode string) string {
	return "submission." + idPart(callKey) + "." + idPart(orgCode) + "@" + s.domainOr()
}

// callThreadID is what the call-opened notice and the reminders to one
// organization refer to, so that they group as one conversation. No
// message carries it as its own id: a notice sent again, when a call
// reopens, must not share an id with the first, which receiving systems
// would drop as a duplicate.
func (s Site) callThreadID(callKey, orgCode string) string {
	return "call." + idPart(callKey) + "." + idPart(orgCode) + "@" + s.domainOr()
}

// receiptID is the id of receipt n of an organization's answer to a call;
// the first is the thread's root.
func (s Site) receiptID(callKey, orgCode string, n int) string {
	if n <= 1 {
		return s.ThreadID(callKey, orgCode)
	}
	return fmt.Sprintf("receipt-%d.%s.%s@%s", n, idPart(callKey), idPart(orgCode), s.domainOr())
}

// listID is the List-Id of the messages about a call, with its title in
// the reader's language: "Crime statistics 2026 <crime-2026.calls.portal.example.org>".
func (s Site) listID(callKey, title string) string {
	return oneLine(title) + " <" + idPart(callKey) + ".calls." + s.domainOr() + ">"
}

// idPart writes a call key or organization code for an id: lower case,
// letters, digits and hyphens ("crime-2026", "aut").
func idPart(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 {
		return "-"
	}
	return b.String()
}

// base parses BaseURL.
func (s Site) base() (*url.URL, error) {
	u, err := url.Parse(s.BaseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("email: the base URL %q is not an http(s) address such as https://portal.example.org", s.BaseURL)
	}
	return u, nil
}

// domain is the host of BaseURL, without its port.
func (s Site) domain() (string, error) {
	u, err := s.base()
	if err != nil {
		return "", err
	}
	h := u.Hostname()
	if ip := net.ParseIP(h); ip != nil {
		// A message id's domain is a name; an address is written as a
		// label of digits.
		h = strings.NewReplacer(".", "-", ":", "-").Replace(h) + ".invalid"
	}
	return h, nil
}

// domainOr is the domain, or "invalid" when the base URL is not one.
func (s Site) domainOr() string {
	d, err := s.domain()
	if err != nil {
		return "invalid"
	}
	return d
}

// link is the absolute address of the portal's page at path ("/orgs/AUT").
func (s Site) link(path string) (string, error) {
	u, err := s.base()
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//") {
		return "", fmt.Errorf("email: the link %q is not a path on the portal, such as /orgs/AUT", path)
	}
	p, err := url.Parse(path)
	if err != nil || p.Scheme != "" || p.Host != "" {
		return "", fmt.Errorf("email: the link %q is not a path on the portal, such as /orgs/AUT", path)
	}
	return strings.TrimSuffix(u.String(), "/") + p.String(), nil
}

//go:embed body.html body.txt
var files embed.FS

var (
	htmlBody = htmltemplate.Must(htmltemplate.ParseFS(files, "body.html"))
	textBody = texttemplate.Must(texttemplate.New("body.txt").Funcs(texttemplate.FuncMap{"quote": quote}).ParseFS(files, "body.txt"))
)

// quote writes a text as quoted in a plain text message: each line begun
// with "> ".
func quote(s string) string {
	lines := strings.Split(strings.ReplaceAll(strings.TrimRight(s, "\r\n"), "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight("> "+l, " ")
	}
	return strings.Join(lines, "\n")
}

// body is what a message says, rendered once as HTML (body.html) and once
// as plain text (body.txt), so that the two say the same.
type body struct {
	Lang   forms.Language
	Dir    string // "rtl" or "ltr"
	Site   string // the portal's name, above the title
	Colon  string // the language's colon, for "label: value" in plain text
	Title  string
	Blocks []block
	Footer []block
}

// Block gives the templates a block with what they need of the body:
// the language's colon, and the side a line starts on ("left", or
// "right" in Arabic), spelled out since mail clients do not all know
// text-align: start.
func (b body) Block(x block) blockIn {
	align := "left"
	if b.Dir == "rtl" {
		align = "right"
	}
	return blockIn{B: x, Colon: b.Colon, Align: align}
}

// blockIn is a block with what the templates need of its body.
type blockIn struct {
	B            block
	Colon, Align string
}

// block is one piece of a body; one of its fields is set.
type block struct {
	Text    string // a paragraph
	Rows    []row  // facts, label and value
	Quote   string // a text quoted as its author wrote it, in any language
	Heading string // a heading above a list
	Items   []item // a list of links
	Link    *link  // the link back to the page
}

// row is one fact: a label and a value. LTR marks a value written left to
// right in any language (a reference, a checksum).
type row struct {
	Label, Value string
	LTR          bool
}

// item is an entry in a list, with its link.
type item struct{ Text, URL string }

// link is a link with the words that say where it goes.
type link struct{ Label, URL string }

// compose renders b and fills the message's headers.
func (s Site) compose(t words.Text, to mail.Address, subject string, b body) (mail.Message, error) {
	if to.Addr == "" {
		return mail.Message{}, errors.New("email: no recipient")
	}
	if s.From.Addr == "" {
		return mail.Message{}, errors.New("email: no sender (PORTAL_MAIL_FROM)")
	}
	d, err := s.domain()
	if err != nil {
		return mail.Message{}, err
	}
	b.Lang, b.Dir, b.Site, b.Colon = t.Lang, "ltr", t.T("site.name"), t.T("common.colon")
	if t.Lang.RightToLeft() {
		b.Dir = "rtl"
	}
	b.Footer = append([]block{{Text: t.T("mail.footer.auto")}}, b.Footer...)
	if s.ReplyTo.IsZero() {
		b.Footer = append(b.Footer, block{Text: t.T("mail.footer.noreply")})
	} else {
		b.Footer = append(b.Footer, block{Text: t.T("mail.footer.reply")})
	}
	var h, x bytes.Buffer
	if err := htmlBody.Execute(&h, b); err != nil {
		return mail.Message{}, fmt.Errorf("email: %w", err)
	}
	if err := textBody.Execute(&x, b); err != nil {
		return mail.Message{}, fmt.Errorf("email: %w", err)
	}
	from := s.From
	if from.Name == "" {
		from.Name = b.Site
	}
	to.Name = oneLine(to.Name) // a name from an identity provider may hold anything
	return mail.Message{
		From:      from,
		ReplyTo:   s.ReplyTo,
		To:        []mail.Address{to},
		Subject:   oneLine(subject),
		Text:      x.String(),
		HTML:      h.String(),
		Lang:      string(t.Lang),
		MessageID: mail.NewMessageID(d),
		// Every message the portal sends is written by it, not by a
		// person: no out-of-office reply should answer it.
		AutoSubmitted: "auto-generated",
	}, nil
}

// optional adds to b the footer of a message the reader may turn off, and
// returns the page where they do (for List-Unsubscribe), or "" when the
// site names none.
func (s Site) optional(t words.Text, b *body) (string, error) {
	if s.PreferencesPath == "" {
		return "", nil
	}
	u, err := s.link(s.PreferencesPath)
	if err != nil {
		return "", err
	}
	b.Footer = append(b.Footer, block{Link: &link{Label: t.T("mail.footer.preferences"), URL: u}})
	return u, nil
}

// oneLine puts a text on one line, for a subject or a list's name: a
// line break or other control character in a name or title becomes a
// space (a no-break space, which French puts before a colon, stays).
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == 0x85 || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	for strings.Contains(s, "  ") {
		s = strings.ReplaceAll(s, "  ", " ")
	}
	return strings.TrimSpace(s)
}

// zoneOf is the zone a call's times are shown in: loc, or UTC.
func zoneOf(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}
