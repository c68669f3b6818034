package forms

import (
	"net/mail"
	"slices"
	"strings"
	"time"
)

// Role is what a person may do in the portal. Focal points and
// contributors hold their role for one organization; the Office's roles
// (analyst, admin) and the Commission's are held for the whole portal.
type Role string

// The roles.
const (
	// FocalPoint fills and submits for an organization, and invites contributors to it.
	FocalPoint Role = "focal_point"
	// Contributor edits an organization's drafts but cannot submit.
	Contributor Role = "contributor"
	// Analyst is the Office: calls, review, aggregation, exports, invitations.
	Analyst Role = "analyst"
	// Commission reads the reports the Office releases.
	Commission Role = "commission"
	// Admin manages users, organizations and roles.
	Admin Role = "admin"
)

// Roles lists every role.
var Roles = []Role{FocalPoint, Contributor, Analyst, Commission, Admin}

// ParseRole returns the role named s, and false when there is none.
func ParseRole(s string) (Role, bool) {
	r := Role(s)
	return r, slices.Contains(Roles, r)
}

// ForOrganization reports whether the role is held for one organization.
func (r Role) ForOrganization() bool { return r == FocalPoint || r == Contributor }

// Membership is one role a user holds, for an organization or portal-wide.
type Membership struct {
	Role Role
	// Organization is set for FocalPoint and Contributor, zero otherwise.
	Organization OrganizationRef
}

// OrganizationRef names an organization without its reference data.
type OrganizationRef struct {
	ID   int64
	Code string
	Name Names
}

// Identity is what an identity provider says of the person signing in.
type Identity struct {
	Issuer, Subject string
	Email           string
	EmailVerified   bool
	Name            string
}

// User is a person who has signed in at least once, keyed by the issuer and
// subject of their identity, with every role they hold.
type User struct {
	ID            int64
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	LastSignIn    time.Time
	Memberships   []Membership
}

// Label is how the user is named in lists and the audit log.
func (u *User) Label() string {
	if u.Email != "" {
		return u.Email
	}
	return u.Name
}

// HasRole reports whether u holds r portal-wide (r is not an organization role).
func (u *User) HasRole(r Role) bool {
	for _, m := range u.Memberships {
		if m.Role == r && !r.ForOrganization() {
			return true
		}
	}
	return false
}

// RoleIn returns u's role in the organization, and false when u has none there.
// A focal point who is also a contributor is a focal point.
func (u *User) RoleIn(orgID int64) (Role, bool) {
	var found Role
	for _, m := range u.Memberships {
		if m.Organization.ID != orgID || orgID == 0 {
			continue
		}
		if m.Role == FocalPoint {
			return FocalPoint, true
		}
		found = m.Role
	}
	return found, found != ""
}

// Organizations lists the organizations u holds a role in, in the order of
// the memberships, each once.
func (u *User) Organizations() []OrganizationRef {
	var out []OrganizationRef
	for _, m := range u.Memberships {
		if m.Role.ForOrganization() && !slices.ContainsFunc(out, func(o OrganizationRef) bool { return o.ID == m.Organization.ID }) {
			out = append(out, m.Organization)
		}
	}
	return out
}

// Office reports whether u works for the Office (analyst or admin).
func (u *User) Office() bool { return u.HasRole(Analyst) || u.HasRole(Admin) }

// Action is something a user may or may not do.
type Action string

// The actions access is decided on.
const (
	// ViewOrganization: open an organization's pages (home, members, drafts).
	ViewOrganization Action = "organization.view"
	// EditDraft: change an organization's draft answers.
	EditDraft Action = "draft.edit"
	// Submit: submit, or withdraw, for an organization.
	Submit Action = "submission.submit"
	// InviteContributor: invite contributors to an organization.
	InviteContributor Action = "organization.invite"
	// ViewOffice: the Office's pages (calls, response tracking, review).
	ViewOffice Action = "office.view"
	// Review: accept a submission, or return it for clarification; comment on it.
	Review Action = "submission.review"
	// ManageCalls: create and edit calls for submissions, open and close them.
	ManageCalls Action = "calls.manage"
	// ManageInvitations: invite anyone to any organization or role the inviter may give, list and revoke.
	ManageInvitations Action = "invitations.manage"
	// ViewAudit: browse the audit log.
	ViewAudit Action = "audit.view"
	// ManageUsers: list users, grant and remove roles.
	ManageUsers Action = "users.manage"
	// ViewJobs: read the job queue (mail, reminders, chores) and its failures.
	ViewJobs Action = "jobs.view"
	// ReadReports: read the reports the Office has released.
	ReadReports Action = "reports.read"
	// WriteReports: write a call's report, preview it and release it.
	WriteReports Action = "reports.write"
	// ManageSeries: import past series, map their descriptions, withdraw imports.
	ManageSeries Action = "series.manage"
	// EnterOnBehalf: enter an organization's answers as it sent them to the
	// Office (by e-mail, post…) and submit them on its behalf. Whether the
	// call asks the organization and takes answers is Decide's and
	// Call.TakesEntries' to say.
	EnterOnBehalf Action = "submission.enter_on_behalf"
)

// Can reports whether u may do a on the organization orgID; orgID is 0 for
// actions that are not about one organization. A nil user (nobody signed
// in) may do nothing. This is the one place where access is decided.
func (u *User) Can(a Action, orgID int64) bool {
	if u == nil {
		return false
	}
	role, member := u.RoleIn(orgID)
	switch a {
	case ViewOrganization:
		return member || u.Office()
	case EditDraft:
		return member
	case Submit:
		return member && role == FocalPoint
	case InviteContributor:
		return (member && role == FocalPoint) || u.Office()
	case ViewOffice, ManageInvitations, ViewAudit, Review, ManageCalls, WriteReports, ManageSeries, EnterOnBehalf:
		return u.Office()
	case ManageUsers, ViewJobs:
		return u.HasRole(Admin)
	case ReadReports:
		return u.HasRole(Commission) || u.Office()
	}
	return false
}

// CanInvite reports whether u may invite someone to role (in the
// organization orgID for an organization role): a focal point invites
// contributors to their own organization; analysts invite focal points,
// contributors and Commission readers; admins invite anyone to anything.
func (u *User) CanInvite(role Role, orgID int64) bool {
	switch {
	case u == nil:
		return false
	case u.HasRole(Admin):
		return true
	case u.HasRole(Analyst):
		return role == FocalPoint || role == Contributor || role == Commission
	case role == Contributor:
		r, ok := u.RoleIn(orgID)
		return ok && r == FocalPoint
	}
	return false
}

// DefaultInvitationLifetime is how long an invitation stays open.
const DefaultInvitationLifetime = 14 * 24 * time.Hour

// InvitationState is where an invitation stands.
type InvitationState string

// The states of an invitation.
const (
	InvitationPending  InvitationState = "pending"
	InvitationAccepted InvitationState = "accepted"
	InvitationExpired  InvitationState = "expired"
	InvitationRevoked  InvitationState = "revoked"
)

// Invitation nominates a person, by e-mail address, for a role: the Office's
// equivalent of a Permanent Mission's note verbale. Whoever signs in with
// an identity whose verified e-mail address matches receives the role.
type Invitation struct {
	ID           int64
	Email        string // lower case
	Role         Role
	Organization OrganizationRef // zero for roles held portal-wide
	InvitedBy    string          // label of the inviter
	CreatedAt    time.Time
	ExpiresAt    time.Time
	AcceptedAt   time.Time // zero until accepted
	AcceptedBy   string    // label of the user who accepted
	RevokedAt    time.Time // zero unless revoked
}

// State returns where the invitation stands at the time now.
func (i Invitation) State(now time.Time) InvitationState {
	switch {
	case !i.AcceptedAt.IsZero():
		return InvitationAccepted
	case !i.RevokedAt.IsZero():
		return InvitationRevoked
	case !now.Before(i.ExpiresAt):
		return InvitationExpired
	}
	return InvitationPending
}

// NormalizeEmail returns the address in the form the portal compares and
// stores (trimmed, lower case), or a KindInvalid error saying what is wrong.
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") || len(s) > 254 {
		return "", &Error{Kind: KindInvalid, Message: "invalid e-mail address", Fields: map[string]string{"email": "email.invalid"}}
	}
	return s, nil
}

// NewInvitation checks and returns an invitation of email to role (in the
// organization org for an organization role), open from now for lifetime.
// It returns a KindInvalid error whose Fields name each problem.
func NewInvitation(email string, role Role, org OrganizationRef, now time.Time, lifetime time.Duration) (Invitation, error) {
	fields := map[string]string{}
	addr, err := NormalizeEmail(email)
	if err != nil {
		fields["email"] = "email.invalid"
	}
	if _, ok := ParseRole(string(role)); !ok {
		fields["role"] = "role.invalid"
	} else if role.ForOrganization() && org.ID == 0 {
		fields["organization"] = "organization.required"
	} else if !role.ForOrganization() && org.ID != 0 {
		fields["organization"] = "organization.notallowed"
	}
	if lifetime <= 0 {
		lifetime = DefaultInvitationLifetime
	}
	if len(fields) > 0 {
		return Invitation{}, &Error{Kind: KindInvalid, Message: "invalid invitation", Fields: fields}
	}
	return Invitation{Email: addr, Role: role, Organization: org, CreatedAt: now, ExpiresAt: now.Add(lifetime)}, nil
}

// Actor is who does something, for the audit log: a signed-in user, or the
// command line, or the portal itself.
type Actor struct {
	UserID     int64  // 0 when not a signed-in user
	Label      string // e-mail address, or "cli", "system"
	RemoteAddr string // the client's address, for requests
	RequestID  string
}

// The actions the audit log records.
const (
	AuditSignIn             = "signin"
	AuditSignInFailed       = "signin.failed"
	AuditSignOut            = "signout"
	AuditInvitationCreated  = "invitation.created"
	AuditInvitationAccepted = "invitation.accepted"
	AuditInvitationRevoked  = "invitation.revoked"
	AuditRoleGranted        = "role.granted"
	AuditRoleRemoved        = "role.removed"
	AuditDraftSaved         = "draft.saved"
	AuditSubmission         = "submission." // + the transition: submission.submit, .withdraw, .accept, .return
	AuditCommentPosted      = "comment.posted"
	AuditCallSaved          = "call.saved"
	AuditCallClosed         = "call.closed" // by the portal, at the deadline of a call that takes no late submissions
	AuditReportSaved        = "report.saved"
	AuditReportReleased     = "report.released"
	AuditPopulationsSaved   = "populations.saved"
	AuditSeriesImported     = "series.imported"  // an import of past series confirmed
	AuditSeriesWithdrawn    = "series.withdrawn" // and withdrawn
	AuditMappingsSaved      = "series.mappings_saved"
	AuditJointRecorded      = "joint.recorded" // the Office records that an organization answers a call for States
	AuditJointRemoved       = "joint.removed"  // and takes a State out of that record
	AuditReminderSent       = "reminder.sent"  // a reminder round, at its day or by an analyst now
)

// AuditEvent is one entry of the append-only audit log.
type AuditEvent struct {
	ID           int64
	At           time.Time
	Actor        Actor
	Action       string
	Organization OrganizationRef // zero when not about one organization
	Target       string          // what was acted on, such as an e-mail address
	Details      map[string]string
}

// AuditFilter selects audit events, newest first.
type AuditFilter struct {
	Action       string // exact action, or a prefix ending in "." such as "invitation."
	Actor        string // substring of the actor's label
	Organization string // organization code
	Since, Until time.Time
	Before       int64 // only events with a smaller ID (the next page)
	Limit        int   // at most this many; 0 means 100
}
