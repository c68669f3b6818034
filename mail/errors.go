package mail

import (
	"errors"
	"net/textproto"
	"strings"
)

// Permanent reports whether err, from Send, is a failure that retrying
// the same message cannot mend, so that the job queue stops retrying it:
//
//   - the relay answered with a 5xx reply: to the sign-in (a wrong user or
//     password: 535), the sender, the message, or every recipient it
//     refused (550 no such mailbox, 552 too large, 554 refused);
//   - the message itself cannot be sent (a malformed address, no
//     recipient, a missing part): see Message.
//
// Everything else is temporary: the relay cannot be reached, refuses the
// connection, times out or closes it, answers with a 4xx reply (450
// mailbox busy, 421 try later, 454 TLS not available), a recipient among
// several was refused only for now, TLS fails (a certificate being
// renewed), or ctx ended. A nil err is not permanent.
func Permanent(err error) bool {
	if err == nil {
		return false
	}
	var p interface{ permanent() bool }
	if errors.As(err, &p) {
		return p.permanent()
	}
	var reply *textproto.Error
	if errors.As(err, &reply) {
		return reply.Code >= 500 && reply.Code < 600
	}
	return false
}

// permanentError is a failure that retrying cannot mend.
type permanentError struct{ err error }

func (e *permanentError) Error() string   { return e.err.Error() }
func (e *permanentError) Unwrap() error   { return e.err }
func (e *permanentError) permanent() bool { return true }

// RecipientsError is the relay refusing one or more recipients of a
// message, which is then not sent to anyone: each refused address with
// the relay's reply.
type RecipientsError struct {
	Refused []Refusal
}

// Refusal is one recipient the relay refused, with its reply.
type Refusal struct {
	Addr  string
	Reply *textproto.Error
}

func (e *RecipientsError) Error() string {
	var b strings.Builder
	b.WriteString("mail: recipients refused:")
	for i, r := range e.Refused {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(" " + r.Addr + " (" + r.Reply.Error() + ")")
	}
	return b.String()
}

// permanent: only when every refusal is permanent. A recipient refused
// for now (450) may be taken on a later try; until then nobody gets the
// message, so that a retry sends it to no one twice.
func (e *RecipientsError) permanent() bool {
	for _, r := range e.Refused {
		if r.Reply.Code < 500 || r.Reply.Code >= 600 {
			return false
		}
	}
	return len(e.Refused) > 0
}
