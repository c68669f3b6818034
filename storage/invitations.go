package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"portal/forms"
)

// CreateInvitation stores inv (as forms.NewInvitation makes it) on behalf
// of actor and writes invitation.created to the audit log, in one
// transaction serialized per e-mail address. When a user whose verified
// address matches already exists (the one who signed in last, should there
// be several) and the invitation is still open, they receive the role at
// once: the invitation comes back accepted, and invitation.accepted is
// logged too. It returns the stored invitation with its organization, or
//   - a forms.KindConflict error, message "already invited", when an open
//     invitation of the address to the same role and organization exists;
//   - a forms.KindConflict error, message "already holds this role", when a
//     user with that verified address holds the role there already;
//   - a forms.KindInvalid error whose Fields name the problem when inv is
//     not a valid invitation or its organization does not exist.
func (s *Store) CreateInvitation(ctx context.Context, inv forms.Invitation, actor forms.Actor) (forms.Invitation, error) {
	created, expires := inv.CreatedAt, inv.ExpiresAt
	if created.IsZero() {
		created = time.Now()
	}
	if expires.IsZero() {
		expires = created.Add(forms.DefaultInvitationLifetime)
	}
	if !expires.After(created) {
		return forms.Invitation{}, &forms.Error{Kind: forms.KindInvalid, Message: "invalid invitation",
			Fields: map[string]string{"expires": "expires.beforecreated"}}
	}
	checked, err := forms.NewInvitation(inv.Email, inv.Role, inv.Organization, created, expires.Sub(created))
	if err != nil {
		return forms.Invitation{}, err
	}
	email, role, orgID := checked.Email, string(checked.Role), checked.Organization.ID
	what := fmt.Sprintf("invite %s as %s in %d", email, role, orgID)

	var out forms.Invitation
	err = s.withTx(ctx, nil, what, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, email); err != nil {
			return classify(fmt.Errorf("storage: %s: lock: %w", what, err))
		}
		var st struct {
			OrgKnown bool  `db:"org_known"`
			Invited  bool  `db:"invited"`
			Member   bool  `db:"member"`
			Grantee  int64 `db:"grantee"`
		}
		err := tx.QueryRowxContext(ctx, `
			SELECT ($3::bigint = 0 OR EXISTS (SELECT 1 FROM organizations WHERE id = $3)) AS org_known,
			       EXISTS (SELECT 1 FROM invitations i
			               WHERE i.email = $1 AND i.role = $2
			                 AND i.organization_id IS NOT DISTINCT FROM NULLIF($3::bigint, 0)
			                 AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()) AS invited,
			       EXISTS (SELECT 1 FROM users u JOIN memberships m ON m.user_id = u.id
			               WHERE lower(u.email) = $1 AND u.email_verified AND m.role = $2
			                 AND m.organization_id IS NOT DISTINCT FROM NULLIF($3::bigint, 0)) AS member,
			       COALESCE((SELECT u.id FROM users u
			                 WHERE lower(u.email) = $1 AND u.email_verified
			                 ORDER BY u.last_sign_in_at DESC NULLS LAST, u.id DESC LIMIT 1), 0) AS grantee`,
			email, role, orgID).StructScan(&st)
		if err != nil {
			return classify(fmt.Errorf("storage: %s: check: %w", what, err))
		}
		switch {
		case !st.OrgKnown:
			return &forms.Error{Kind: forms.KindInvalid, Message: "invalid invitation",
				Fields: map[string]string{"organization": "organization.unknown"},
				Err:    fmt.Errorf("storage: %s: no organization %d", what, orgID)}
		case st.Invited:
			return forms.Wrap(forms.KindConflict, fmt.Errorf("storage: %s: an open invitation exists", what), "already invited")
		case st.Member:
			return forms.Wrap(forms.KindConflict, fmt.Errorf("storage: %s: a user holds the role", what), "already holds this role")
		}

		var id int64
		err = tx.QueryRowContext(ctx, `
			INSERT INTO invitations (email, role, organization_id, invited_by_user_id, invited_by, created_at, expires_at)
			VALUES ($1, $2, NULLIF($3::bigint, 0), NULLIF($4::bigint, 0), $5, $6, $7)
			RETURNING id`,
			email, role, orgID, actor.UserID, actor.Label, created, expires).Scan(&id)
		if err != nil {
			return classify(fmt.Errorf("storage: %s: %w", what, err))
		}
		ref := forms.OrganizationRef{ID: orgID}
		// The invitee hears of it, with the role and who invited, in the
		// invitation's transaction.
		if err := s.queueMail(ctx, tx, forms.Mail{Kind: forms.MailInvitation, Recipient: email, UserID: st.Grantee,
			Organization: ref, Invitation: id}); err != nil {
			return err
		}
		events := []forms.AuditEvent{{
			Actor: actor, Action: forms.AuditInvitationCreated, Organization: ref, Target: email,
			Details: map[string]string{
				"role": role, "invitation": strconv.FormatInt(id, 10),
				"expires": expires.UTC().Format(time.RFC3339),
			},
		}}
		if st.Grantee != 0 {
			accepted, err := acceptInvitations(ctx, tx, st.Grantee, email, id)
			if err != nil {
				return fmt.Errorf("storage: %s: %w", what, err)
			}
			events = append(events, acceptanceEvents(actor, email, st.Grantee, accepted)...)
		}
		out, err = auditAndReload(ctx, tx, what, id, events...)
		return err
	})
	if err != nil {
		return forms.Invitation{}, err
	}
	return out, nil
}

// auditAndReload writes the events of a change to invitation id and returns
// the invitation as it now stands, inside the change's transaction.
func auditAndReload(ctx context.Context, tx *sqlx.Tx, what string, id int64, events ...forms.AuditEvent) (forms.Invitation, error) {
	if err := insertAuditEvents(ctx, tx, events...); err != nil {
		return forms.Invitation{}, fmt.Errorf("storage: %s: %w", what, err)
	}
	invs, err := findInvitations(ctx, tx, invitationByIDSQL, id)
	if err != nil {
		return forms.Invitation{}, err
	}
	if len(invs) == 0 {
		return forms.Invitation{}, fmt.Errorf("storage: %s: invitation %d vanished", what, id)
	}
	return invs[0], nil
}

// acceptanceEvents are the audit events of invitations accepted by the
// user userID: for each, the invitation accepted and the role it granted.
func acceptanceEvents(actor forms.Actor, email string, userID int64, accepted []acceptedInvitation) []forms.AuditEvent {
	var events []forms.AuditEvent
	for _, a := range accepted {
		details := map[string]string{
			"role": a.Role, "invitation": strconv.FormatInt(a.ID, 10), "user": strconv.FormatInt(userID, 10),
		}
		org := forms.OrganizationRef{ID: a.OrgID}
		events = append(events,
			forms.AuditEvent{Actor: actor, Action: forms.AuditInvitationAccepted, Organization: org, Target: email, Details: details},
			forms.AuditEvent{Actor: actor, Action: forms.AuditRoleGranted, Organization: org, Target: email, Details: details},
		)
	}
	return events
}

// acceptedInvitation is an invitation acceptInvitations accepted.
type acceptedInvitation struct {
	ID    int64  `db:"id"`
	Role  string `db:"role"`
	OrgID int64  `db:"organization_id"`
}

// acceptInvitations accepts, for the user userID, the open invitations of
// email (only the invitation invitationID when it is not 0), granting their
// roles, and returns them in the order they were made. The caller logs them.
func acceptInvitations(ctx context.Context, tx *sqlx.Tx, userID int64, email string, invitationID int64) ([]acceptedInvitation, error) {
	var accepted []acceptedInvitation
	err := sqlx.SelectContext(ctx, tx, &accepted, `
		WITH accepted AS (
			UPDATE invitations SET accepted_at = now(), accepted_by_user_id = $1
			WHERE email = $2 AND ($3::bigint = 0 OR id = $3)
			  AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()
			RETURNING id, role, organization_id
		), granted AS (
			INSERT INTO memberships (user_id, organization_id, role)
			SELECT DISTINCT $1::bigint, organization_id, role FROM accepted
			ON CONFLICT DO NOTHING
		)
		SELECT id, role, COALESCE(organization_id, 0) AS organization_id FROM accepted ORDER BY id`,
		userID, email, invitationID)
	if err != nil {
		return nil, classify(fmt.Errorf("accept invitations of %s for user %d: %w", email, userID, err))
	}
	return accepted, nil
}

// Invitation returns the invitation with the ID, or a forms.KindNotFound
// error when there is none.
func (s *Store) Invitation(ctx context.Context, id int64) (forms.Invitation, error) {
	invs, err := findInvitations(ctx, s.db, invitationByIDSQL, id)
	if err != nil {
		return forms.Invitation{}, err
	}
	if len(invs) == 0 {
		return forms.Invitation{}, forms.Wrap(forms.KindNotFound,
			fmt.Errorf("storage: invitation %d: %w", id, sql.ErrNoRows), "invitation not found")
	}
	return invs[0], nil
}

// Invitations returns the invitations to the organization orgID, or every
// invitation when orgID is 0, newest first, in whatever state they are.
func (s *Store) Invitations(ctx context.Context, orgID int64) ([]forms.Invitation, error) {
	if orgID == 0 {
		return findInvitations(ctx, s.db, allInvitationsSQL)
	}
	return findInvitations(ctx, s.db, organizationInvitationsSQL, orgID)
}

// RevokeInvitation withdraws the open invitation id on behalf of actor and
// writes invitation.revoked to the audit log. It returns the revoked
// invitation, a forms.KindNotFound error when there is no such invitation,
// or a forms.KindConflict error saying why when it is no longer open
// (accepted, revoked already, or expired).
func (s *Store) RevokeInvitation(ctx context.Context, id int64, actor forms.Actor) (forms.Invitation, error) {
	what := fmt.Sprintf("revoke invitation %d", id)
	var out forms.Invitation
	err := s.withTx(ctx, nil, what, func(tx *sqlx.Tx) error {
		// FOR UPDATE: a sign-in accepting it at the same time waits, then
		// finds it revoked (or this finds it accepted).
		var r struct {
			Email      string       `db:"email"`
			Role       string       `db:"role"`
			OrgID      int64        `db:"organization_id"`
			ExpiresAt  time.Time    `db:"expires_at"`
			AcceptedAt sql.NullTime `db:"accepted_at"`
			RevokedAt  sql.NullTime `db:"revoked_at"`
			Now        time.Time    `db:"now"`
		}
		err := tx.QueryRowxContext(ctx, `
			SELECT email, role, COALESCE(organization_id, 0) AS organization_id,
			       expires_at, accepted_at, revoked_at, now() AS now
			FROM invitations WHERE id = $1
			FOR UPDATE`, id).StructScan(&r)
		if err != nil {
			return classify(fmt.Errorf("storage: %s: %w", what, err))
		}
		state := forms.Invitation{ExpiresAt: r.ExpiresAt, AcceptedAt: r.AcceptedAt.Time, RevokedAt: r.RevokedAt.Time}.State(r.Now)
		switch state {
		case forms.InvitationAccepted:
			return forms.Wrap(forms.KindConflict, fmt.Errorf("storage: %s: accepted", what), "the invitation has already been accepted")
		case forms.InvitationRevoked:
			return forms.Wrap(forms.KindConflict, fmt.Errorf("storage: %s: revoked", what), "the invitation has already been revoked")
		case forms.InvitationExpired:
			return forms.Wrap(forms.KindConflict, fmt.Errorf("storage: %s: expired", what), "the invitation has expired")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET revoked_at = now(), revoked_by = $2 WHERE id = $1`, id, actor.Label); err != nil {
			return classify(fmt.Errorf("storage: %s: %w", what, err))
		}
		out, err = auditAndReload(ctx, tx, what, id, forms.AuditEvent{
			Actor: actor, Action: forms.AuditInvitationRevoked, Organization: forms.OrganizationRef{ID: r.OrgID},
			Target: r.Email, Details: map[string]string{"role": r.Role, "invitation": strconv.FormatInt(id, 10)},
		})
		return err
	})
	if err != nil {
		return forms.Invitation{}, err
	}
	return out, nil
}

// The statements findInvitations runs: every invitation, the invitation
// $1, the invitations to the organization $1; each newest first, with
// their organization and the labels of who invited and who accepted.
const (
	invitationsSQL = `
		SELECT i.id, i.email, i.role, ` + orgRefColumns + `,
		       i.invited_by, i.created_at, i.expires_at, i.accepted_at,
		       ` + userLabel + ` AS accepted_by, i.revoked_at
		FROM invitations i
		LEFT JOIN organizations o ON o.id = i.organization_id
		LEFT JOIN users u ON u.id = i.accepted_by_user_id`
	invitationsOrder           = ` ORDER BY i.created_at DESC, i.id DESC`
	invitationByIDSQL          = invitationsSQL + ` WHERE i.id = $1` + invitationsOrder
	organizationInvitationsSQL = invitationsSQL + ` WHERE i.organization_id = $1` + invitationsOrder
	allInvitationsSQL          = invitationsSQL + invitationsOrder
)

// findInvitations returns the invitations query (invitationByIDSQL,
// organizationInvitationsSQL or allInvitationsSQL) selects with args.
func findInvitations(ctx context.Context, q sqlx.QueryerContext, query string, args ...any) ([]forms.Invitation, error) {
	var rows []struct {
		ID    int64  `db:"id"`
		Email string `db:"email"`
		Role  string `db:"role"`
		orgRefRow
		InvitedBy  string       `db:"invited_by"`
		CreatedAt  time.Time    `db:"created_at"`
		ExpiresAt  time.Time    `db:"expires_at"`
		AcceptedAt sql.NullTime `db:"accepted_at"`
		AcceptedBy string       `db:"accepted_by"`
		RevokedAt  sql.NullTime `db:"revoked_at"`
	}
	err := sqlx.SelectContext(ctx, q, &rows, query, args...)
	if err != nil {
		return nil, classify(fmt.Errorf("storage: find invitations %v: %w", args, err))
	}
	invs := make([]forms.Invitation, len(rows))
	for i, r := range rows {
		invs[i] = forms.Invitation{
			ID: r.ID, Email: r.Email, Role: forms.Role(r.Role), Organization: r.orgRefRow.ref(),
			InvitedBy: r.InvitedBy, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt,
			AcceptedAt: r.AcceptedAt.Time, AcceptedBy: r.AcceptedBy, RevokedAt: r.RevokedAt.Time,
		}
	}
	return invs, nil
}
