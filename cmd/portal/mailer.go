package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"portal/forms"
	"portal/forms/definition"
	"portal/handlers"
	"portal/mail"
	"portal/storage"
	"portal/templates/email"
	"portal/templates/views"
	"portal/templates/words"
)

// The mail job: a message recorded with the change that caused it (a row of
// the mail table) is written in its recipient's language, from what it is
// about as it stands when the job runs, and handed to the relay; how that
// went is recorded on the row. A message sent already is not sent again.

// maxPerHour bounds the messages one address receives in an hour; more
// wait for the next hour.
const maxPerHour = 30

// mailWorker sends the message a job names.
type mailWorker struct {
	river.WorkerDefaults[storage.MailArgs]
	store  *storage.Store
	site   email.Site
	cat    *words.Catalogue
	lib    *definition.Library
	sender mail.Sender
	log    *slog.Logger
	now    func() time.Time
}

// errGone is a message whose subject no longer exists (a comment or an
// invitation removed): nothing to send, ever.
var errGone = errors.New("what the message is about is gone")

func (w *mailWorker) Work(ctx context.Context, job *river.Job[storage.MailArgs]) error {
	m, err := w.store.Mail(ctx, job.Args.Mail)
	if forms.KindOf(err) == forms.KindNotFound {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if m.State != forms.MailQueued {
		return nil // sent (or given up) by an earlier run
	}
	if m.TurnedOff {
		return w.store.MailDone(ctx, m.ID, forms.MailSkipped, "", "turned off by the recipient")
	}
	now := w.now()
	if n, err := w.store.MailSentSince(ctx, m.Recipient, now.Add(-time.Hour)); err != nil {
		return err
	} else if n >= maxPerHour {
		return river.JobSnooze(time.Hour)
	}
	msg, err := w.compose(ctx, m, now)
	if errors.Is(err, errGone) || forms.KindOf(err) == forms.KindNotFound {
		if err := w.store.MailDone(ctx, m.ID, forms.MailSkipped, "", err.Error()); err != nil {
			return err
		}
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if err := w.sender.Send(ctx, msg); err != nil {
		last := job.Attempt >= job.MaxAttempts
		if mail.Permanent(err) || last {
			if derr := w.store.MailDone(ctx, m.ID, forms.MailFailed, msg.MessageID, err.Error()); derr != nil {
				return derr
			}
			w.log.Warn("mail not delivered", "mail", m.ID, "kind", m.Kind, "attempt", job.Attempt, "err", err)
			if mail.Permanent(err) {
				return river.JobCancel(err)
			}
		}
		return err
	}
	return w.store.MailDone(ctx, m.ID, forms.MailSent, msg.MessageID, "")
}

// compose writes message m for its recipient, in their language.
func (w *mailWorker) compose(ctx context.Context, m forms.Mail, now time.Time) (mail.Message, error) {
	t := w.cat.Text(m.Language)
	to := mail.Address{Name: m.RecipientName, Addr: m.Recipient}
	orgPath := "/orgs/" + m.Organization.Code + "/calls/" + m.Call
	var msg mail.Message
	var err error
	if m.Kind == forms.MailInvitation {
		inv, err := w.store.Invitation(ctx, m.Invitation)
		if err != nil {
			return mail.Message{}, err
		}
		msg, err = w.site.Invitation(t, email.Invitation{To: to, Role: inv.Role, Organization: inv.Organization,
			InvitedBy: inv.InvitedBy, Expires: inv.ExpiresAt, Path: "/signin"})
		return w.stable(msg, m), err
	}
	if m.Kind == forms.MailDigest {
		items, err := w.store.SubmittedBetween(ctx, m.Since, m.Until)
		if err != nil {
			return mail.Message{}, err
		}
		in := email.Digest{To: to, Since: m.Since, Path: "/office"}
		for _, it := range items {
			e := email.DigestEntry{Organization: it.Organization.Name, Call: it.CallTitle, Late: it.Late,
				Path: "/office/calls/" + it.Call + "/orgs/" + it.Organization.Code}
			if it.Answer {
				in.Answers = append(in.Answers, e)
			} else {
				in.Submissions = append(in.Submissions, e)
			}
		}
		msg, err = w.site.Digest(t, in)
		return w.stable(msg, m), err
	}
	call, err := w.store.CallByKey(ctx, m.Call)
	if err != nil {
		return mail.Message{}, err
	}
	ec := email.CallOf(call)
	version := func() (forms.SubmissionVersion, error) {
		sub, err := w.store.Submission(ctx, call, m.Organization)
		if err != nil {
			return forms.SubmissionVersion{}, err
		}
		if m.Version < 1 || m.Version > len(sub.Versions) {
			return forms.SubmissionVersion{}, fmt.Errorf("%w: version %d of %s", errGone, m.Version, orgPath)
		}
		return sub.Versions[m.Version-1], nil
	}
	comment := func() (forms.Comment, error) {
		cs, err := w.store.Comments(ctx, call, m.Organization)
		if err != nil {
			return forms.Comment{}, err
		}
		for _, c := range cs {
			if c.ID == m.Comment {
				return c, nil
			}
		}
		return forms.Comment{}, fmt.Errorf("%w: comment %d", errGone, m.Comment)
	}
	switch m.Kind {
	case forms.MailReceipt:
		v, err := version()
		if err != nil {
			return mail.Message{}, err
		}
		return w.site.Receipt(t, email.Receipt{To: to, Call: ec, Organization: m.Organization, Number: v.Number, Reference: v.Reference,
			Checksum: v.Checksum, At: v.SubmittedAt, By: v.SubmittedBy, Late: v.Late, OnBehalfOf: v.OnBehalfOf,
			Entry: views.EntryNote(t, m.Organization.Name.In(t.Lang), v.Entry),
			Path:  orgPath + "/receipts/" + strconv.Itoa(v.Number)})
	case forms.MailReturned:
		c, cerr := comment()
		if cerr != nil {
			return mail.Message{}, cerr
		}
		msg, err = w.site.Returned(t, email.Returned{To: to, Call: ec, Organization: m.Organization, Message: c.Body, Path: orgPath})
	case forms.MailAccepted:
		v, verr := version()
		if verr != nil {
			return mail.Message{}, verr
		}
		msg, err = w.site.Accepted(t, email.Accepted{To: to, Call: ec, Organization: m.Organization, Reference: v.Reference, Path: orgPath + "/submission"})
	case forms.MailComment:
		c, cerr := comment()
		if cerr != nil {
			return mail.Message{}, cerr
		}
		place, path := t.T("mail.comment.whole"), orgPath+"/submission"
		if q, ok := w.lib.Version(call.Questionnaire, call.Version); ok && c.Field != "" {
			b := &views.Builder{Text: t, Q: q, Years: call.Years}
			if p := b.FieldPlace(c.Field); p != "" {
				place = p
			}
			if sec := views.SectionOf(q, fieldQuestion(c.Field)); sec != "" {
				path = orgPath + "/" + sec + "#" + views.FieldID(c.Field)
			}
		}
		msg, err = w.site.Comment(t, email.Comment{To: to, Call: ec, Organization: m.Organization, Place: place, Path: path})
	case forms.MailCallOpened:
		msg, err = w.site.CallOpened(t, email.CallOpened{To: to, Call: ec, Organization: m.Organization, Path: orgPath})
	case forms.MailReminder:
		msg, err = w.site.Reminder(t, email.Reminder{To: to, Call: ec, Organization: m.Organization, Now: now, Path: orgPath})
	default:
		return mail.Message{}, fmt.Errorf("%w: no message of kind %q", errGone, m.Kind)
	}
	return w.stable(msg, m), err
}

// stable gives a message other than a receipt (whose id is its thread's)
// an id of its own row's, so that a retry after an unclear failure carries
// the same id and a receiving system can drop the duplicate.
func (w *mailWorker) stable(msg mail.Message, m forms.Mail) mail.Message {
	if msg.MessageID != "" {
		if _, domain, ok := strings.Cut(msg.MessageID, "@"); ok {
			msg.MessageID = "mail-" + strconv.FormatInt(m.ID, 10) + "." + string(m.Kind) + "@" + domain
		}
	}
	return msg
}

// fieldQuestion is the question a field key names: q/<key>, c/<key>/...,
// x/<finding> (the finding's question is not in its key's first part).
func fieldQuestion(field string) string {
	_, rest, _ := strings.Cut(field, "/")
	q, _, _ := strings.Cut(rest, "/")
	return q
}

// devMailbox keeps messages in the database instead of sending them: a
// development portal without a relay, shown at /dev-mail.
type devMailbox struct{ store *storage.Store }

func (d devMailbox) Send(ctx context.Context, m mail.Message) error {
	if err := m.Check(); err != nil {
		return err
	}
	to := make([]string, len(m.To))
	for i, a := range m.To {
		to[i] = a.Addr
		if a.Name != "" {
			to[i] = a.Name + " <" + a.Addr + ">"
		}
	}
	headers := map[string]string{"From": m.From.Addr, "Message-ID": "<" + m.MessageID + ">", "Content-Language": m.Lang,
		"Auto-Submitted": m.AutoSubmitted}
	if m.From.Name != "" {
		headers["From"] = m.From.Name + " <" + m.From.Addr + ">"
	}
	if !m.ReplyTo.IsZero() {
		headers["Reply-To"] = m.ReplyTo.Addr
	}
	if m.InReplyTo != "" {
		headers["In-Reply-To"] = "<" + m.InReplyTo + ">"
	}
	if len(m.References) > 0 {
		headers["References"] = "<" + strings.Join(m.References, "> <") + ">"
	}
	if m.ListID != "" {
		headers["List-Id"] = m.ListID
	}
	if m.ListUnsubscribe != "" {
		headers["List-Unsubscribe"] = m.ListUnsubscribe
	}
	_, err := d.store.KeepDevMail(ctx, forms.DevMail{Recipients: strings.Join(to, ", "), Subject: m.Subject, Headers: headers, Text: m.Text, HTML: m.HTML})
	return err
}

// mailWorkers returns the queue's workers with the mail job's: through the
// relay cfg names, or kept for /dev-mail when it names none (development).
func mailWorkers(cfg Config, store *storage.Store, lib *definition.Library, log *slog.Logger) (*river.Workers, email.Site, error) {
	cat, err := words.Load()
	if err != nil {
		return nil, email.Site{}, err
	}
	site := email.Site{BaseURL: cfg.BaseURL.String(), From: cfg.MailFrom, ReplyTo: cfg.MailReplyTo, PreferencesPath: handlers.PreferencesPath}
	var sender mail.Sender = devMailbox{store: store}
	if cfg.SMTP != nil {
		smtp, err := mail.NewSMTP(*cfg.SMTP)
		if err != nil {
			return nil, email.Site{}, err
		}
		sender = smtp
		log.Info("mail goes through the relay", "relay", cfg.SMTP.String(), "from", cfg.MailFrom.Addr)
	} else {
		site.From = mail.Address{Addr: "portal@" + devMailHost(cfg)}
		log.Info("development: mail is kept, not sent, and shown at " + cfg.BaseURL.String() + "/dev-mail")
	}
	if err := site.Check(); err != nil {
		return nil, email.Site{}, fmt.Errorf("mail: %w", err)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &mailWorker{store: store, site: site, cat: cat, lib: lib, sender: sender, log: log, now: time.Now})
	return workers, site, nil
}

// devMailHost is the domain of a development portal's sender: its host,
// or localhost for an address.
func devMailHost(cfg Config) string {
	h := cfg.BaseURL.Hostname()
	if h == "" || strings.Trim(h, "0123456789.:[]") == "" {
		return "localhost"
	}
	return h
}
