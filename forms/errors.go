package forms

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what the user can do about it. The handlers
// package maps each kind onto one HTTP status in one place.
type Kind int

const (
	// KindInternal is a fault of the portal; the user can only retry later.
	KindInternal Kind = iota
	// KindNotFound: the thing asked for does not exist, or the user may not know it does.
	KindNotFound
	// KindForbidden: the user is known but may not do this.
	KindForbidden
	// KindConflict: the request clashes with the current state (a stale draft, a duplicate).
	KindConflict
	// KindInvalid: the user's input is wrong; Error.Fields says where and why.
	KindInvalid
	// KindUnavailable: a service the portal needs (the database) cannot be reached for now.
	KindUnavailable
)

func (k Kind) String() string {
	switch k {
	case KindNotFound:
		return "not found"
	case KindForbidden:
		return "forbidden"
	case KindConflict:
		return "conflict"
	case KindInvalid:
		return "invalid"
	case KindUnavailable:
		return "unavailable"
	default:
		return "internal"
	}
}

// Error is a domain error: a kind, a message fit to show a user, and for
// KindInvalid the message of each field at fault. It wraps the underlying
// cause, which is logged but never shown.
type Error struct {
	Kind    Kind
	Message string            // safe to show to a user; may be empty
	Fields  map[string]string // field key -> what to do, for KindInvalid
	Err     error             // the cause, for logs
}

// Errors a caller tells apart with errors.Is. Wrapped with their cause
// (fmt.Errorf("…: %w", ErrSubmitted)), they still answer KindOf and
// MessageOf as any *Error.
var (
	// ErrSubmitted: the draft's answers are submitted or accepted, so they
	// cannot change (KindConflict).
	ErrSubmitted = &Error{Kind: KindConflict, Message: "submitted"}
	// ErrFileQuota: a save's uploads would take the draft's files beyond
	// Edit.FileQuota (KindInvalid).
	ErrFileQuota = &Error{Kind: KindInvalid, Message: FileQuotaExceeded}
	// ErrConstraint marks a value the database refused by a constraint
	// (a data exception or an integrity violation) that no store method
	// mapped on purpose: the domain's checks should have stopped it first,
	// so it is the portal's bug, logged as an error, though the user is
	// told, as for any invalid input, that the request could not be taken.
	ErrConstraint = errors.New("a value the database's constraints refuse")
)

func (e *Error) Error() string {
	switch {
	case e.Err != nil && e.Message != "":
		return e.Message + ": " + e.Err.Error()
	case e.Err != nil:
		return e.Kind.String() + ": " + e.Err.Error()
	case e.Message != "":
		return e.Message
	default:
		return e.Kind.String()
	}
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of kind k whose user-facing message is the formatted text.
func Errorf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error of kind k around cause; the cause is kept for logs.
func Wrap(k Kind, cause error, message string) *Error {
	return &Error{Kind: k, Message: message, Err: cause}
}

// KindOf reports the kind of the first *Error in err's chain, and
// KindInternal when there is none (an unclassified error is the portal's fault).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// MessageOf returns the user-facing message of the first *Error in err's
// chain, or "" when there is none.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return ""
}
