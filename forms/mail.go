package forms

import "time"

// Mail: what the portal writes to people, one message per recipient,
// recorded with the change that causes it and sent by a job.

// MailKind is what a message is.
type MailKind string

// The kinds of message.
const (
	MailInvitation MailKind = "invitation"  // to the invitee
	MailReceipt    MailKind = "receipt"     // a submission's receipt: the submitter and the focal points
	MailReturned   MailKind = "returned"    // returned for clarification, with the Office's message
	MailAccepted   MailKind = "accepted"    // the Office accepted the submission
	MailComment    MailKind = "comment"     // a new comment from the Office
	MailCallOpened MailKind = "call_opened" // to each asked organization's focal points
	MailReminder   MailKind = "reminder"    // before or after a deadline, to those who have not submitted
	MailDigest     MailKind = "digest"      // an analyst's daily digest
)

// Optional reports whether a person may turn messages of kind k off:
// receipts, returns and the like are not optional.
func (k MailKind) Optional() bool { return k == MailDigest || k == MailComment }

// MailState is where a message is.
type MailState string

// The states of a message.
const (
	MailQueued  MailState = "queued"  // its job has not sent it yet
	MailSent    MailState = "sent"    // the relay took it
	MailFailed  MailState = "failed"  // the relay refused it for good, or every attempt failed
	MailSkipped MailState = "skipped" // not sent: turned off, or over the recipient's limit
)

// Mail is one message to one recipient: what it is about, and how sending
// it went. The words are written when it is sent, in the recipient's
// language, from what it is about.
type Mail struct {
	ID        int64
	Kind      MailKind
	Recipient string // the address
	UserID    int64  // the recipient's account, when they have one
	// Language is the recipient's: the one they last used the portal in,
	// else the one their organization corresponds in, else English.
	Language      Language
	RecipientName string // the recipient's name, when they have an account
	// TurnedOff: the recipient turned messages of this kind off (only the
	// optional ones can be).
	TurnedOff    bool
	Organization OrganizationRef
	Call         string // the call's key, when it is about one
	// What the message is about beyond the call and organization.
	Version    int   // the submission's version (receipt, returned, accepted, comment)
	Invitation int64 // the invitation
	Comment    int64 // the comment
	Day        int   // a reminder's day: days before the deadline (after, when negative)
	// Since and Until bound what a digest lists.
	Since, Until time.Time
	State        MailState
	MessageID    string
	Error        string
	CreatedAt    time.Time
	SentAt       time.Time
}

// DevMail is a message kept, not sent, by a development portal.
type DevMail struct {
	ID         int64
	MailID     int64
	KeptAt     time.Time
	Recipients string
	Subject    string
	Headers    map[string]string
	Text, HTML string
}
