package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"portal/forms"
)

// userRow is a row of users u as userColumns selects it.
type userRow struct {
	ID            int64        `db:"id"`
	Issuer        string       `db:"issuer"`
	Subject       string       `db:"subject"`
	Email         string       `db:"email"`
	EmailVerified bool         `db:"email_verified"`
	Name          string       `db:"display_name"`
	LastSignIn    sql.NullTime `db:"last_sign_in_at"`
}

const userColumns = `u.id, u.issuer, u.subject, u.email, u.email_verified, u.display_name, u.last_sign_in_at`

func (r userRow) user() forms.User {
	return forms.User{
		ID: r.ID, Issuer: r.Issuer, Subject: r.Subject, Email: r.Email,
		EmailVerified: r.EmailVerified, Name: r.Name, LastSignIn: r.LastSignIn.Time,
	}
}

// userLabel is forms.User.Label in SQL, for the user u.
const userLabel = `COALESCE(NULLIF(u.email, ''), u.display_name, '')`

// SignIn records that the person id names has signed in, in one
// transaction: it creates or updates their user (keyed by issuer and
// subject), then, when the identity provider has verified their e-mail
// address, accepts every open invitation of that address, granting its role,
// and writes the audit log (an invitation.accepted event per invitation, then
// signin). actor gives the request's address and ID; the events name the
// user as their actor. It returns the user with every role they hold, or a
// forms.KindInvalid error when the identity has no issuer or subject.
func (s *Store) SignIn(ctx context.Context, id forms.Identity, actor forms.Actor) (*forms.User, error) {
	if id.Issuer == "" || id.Subject == "" {
		return nil, forms.Errorf(forms.KindInvalid, "the identity provider did not say who signed in")
	}
	email := strings.ToLower(strings.TrimSpace(id.Email))
	var u forms.User
	err := s.withTx(ctx, nil, "sign in", func(tx *sqlx.Tx) error {
		accepting := id.EmailVerified && email != ""
		if accepting {
			// Serializes with CreateInvitation for the same address, so an
			// invitation is either seen here or granted there at once.
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, email); err != nil {
				return classify(fmt.Errorf("storage: sign in %s: lock: %w", email, err))
			}
		}
		var r userRow
		err := tx.QueryRowxContext(ctx, `
			INSERT INTO users AS u (issuer, subject, email, email_verified, display_name, last_sign_in_at)
			VALUES ($1, $2, $3, $4, $5, now())
			ON CONFLICT (issuer, subject) DO UPDATE
			SET email = EXCLUDED.email, email_verified = EXCLUDED.email_verified,
			    display_name = EXCLUDED.display_name, last_sign_in_at = EXCLUDED.last_sign_in_at
			RETURNING `+userColumns,
			id.Issuer, id.Subject, email, id.EmailVerified, strings.TrimSpace(id.Name)).StructScan(&r)
		if err != nil {
			return classify(fmt.Errorf("storage: sign in %s %s: %w", id.Issuer, id.Subject, err))
		}
		u = r.user()
		actor.UserID, actor.Label = u.ID, u.Label()
		if actor.Label == "" {
			actor.Label = u.Subject
		}

		var events []forms.AuditEvent
		if accepting {
			accepted, err := acceptInvitations(ctx, tx, u.ID, email, 0)
			if err != nil {
				return fmt.Errorf("storage: sign in: %w", err)
			}
			events = append(events, acceptanceEvents(actor, email, u.ID, accepted)...)
		}
		events = append(events, forms.AuditEvent{
			Actor: actor, Action: forms.AuditSignIn, Target: actor.Label,
			Details: map[string]string{"issuer": id.Issuer, "email_verified": strconv.FormatBool(id.EmailVerified)},
		})
		if err := insertAuditEvents(ctx, tx, events...); err != nil {
			return fmt.Errorf("storage: sign in %s: %w", actor.Label, err)
		}
		users := []forms.User{u}
		if err := attachMemberships(ctx, tx, users, 0); err != nil {
			return err
		}
		u = users[0]
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// UserByID returns the user with every role they hold, or a
// forms.KindNotFound error when there is no such user.
func (s *Store) UserByID(ctx context.Context, id int64) (*forms.User, error) {
	users, err := findUsers(ctx, s.db, userByIDSQL, id)
	if err != nil {
		return nil, err
	}
	if len(users) == 0 {
		return nil, forms.Wrap(forms.KindNotFound, fmt.Errorf("storage: user %d: %w", id, sql.ErrNoRows), "user not found")
	}
	return &users[0], nil
}

// Users returns every user with every role they hold, ordered by e-mail
// address, then ID.
func (s *Store) Users(ctx context.Context) ([]forms.User, error) {
	return findUsers(ctx, s.db, usersSQL)
}

// Members returns the users who hold a role in the organization orgID, each
// with only their roles there, ordered by e-mail address. An unknown
// organization has no members; orgID 0 is a forms.KindInvalid error.
func (s *Store) Members(ctx context.Context, orgID int64) ([]forms.User, error) {
	if orgID == 0 {
		return nil, forms.Errorf(forms.KindInvalid, "no organization given")
	}
	return findUsers(ctx, s.db, membersSQL, orgID)
}

// RemoveMembership takes role away from the user userID, for the
// organization orgID (0 for a portal-wide role), and writes role.removed to
// the audit log. It returns a forms.KindNotFound error when the user does not
// hold that role there, and forms.KindInvalid for an unknown role.
func (s *Store) RemoveMembership(ctx context.Context, userID int64, role forms.Role, orgID int64, actor forms.Actor) error {
	if _, ok := forms.ParseRole(string(role)); !ok {
		return forms.Errorf(forms.KindInvalid, "unknown role")
	}
	what := fmt.Sprintf("remove %s of user %d in %d", role, userID, orgID)
	return s.withTx(ctx, nil, what, func(tx *sqlx.Tx) error {
		var label string
		err := tx.QueryRowxContext(ctx, `
			DELETE FROM memberships m USING users u
			WHERE u.id = m.user_id AND m.user_id = $1 AND m.role = $2
			  AND m.organization_id IS NOT DISTINCT FROM NULLIF($3::bigint, 0)
			RETURNING `+userLabel, userID, string(role), orgID).Scan(&label)
		if err != nil {
			return classify(fmt.Errorf("storage: %s: %w", what, err))
		}
		err = insertAuditEvents(ctx, tx, forms.AuditEvent{
			Actor: actor, Action: forms.AuditRoleRemoved, Organization: forms.OrganizationRef{ID: orgID},
			Target: label, Details: map[string]string{"role": string(role), "user": strconv.FormatInt(userID, 10)},
		})
		if err != nil {
			return fmt.Errorf("storage: %s: %w", what, err)
		}
		return nil
	})
}

// The statements findUsers runs: every user; the user $1 (on every
// signed-in request); the users with a role in the organization $1, each
// with only their roles there. Each selects a user's columns, then one
// membership a row (none: NULLs), ordered by e-mail address then ID,
// portal-wide roles first, then organizations by code. Three statements,
// not one with its filters as parameters, so that each, prepared, keeps
// a plan that uses its filter.
const (
	usersSQL = `
		SELECT ` + userColumns + `, m.role, ` + orgRefColumns + `
		FROM users u
		LEFT JOIN memberships m ON m.user_id = u.id
		LEFT JOIN organizations o ON o.id = m.organization_id
		ORDER BY u.email, u.id, o.code NULLS FIRST, m.role`
	userByIDSQL = `
		SELECT ` + userColumns + `, m.role, ` + orgRefColumns + `
		FROM users u
		LEFT JOIN memberships m ON m.user_id = u.id
		LEFT JOIN organizations o ON o.id = m.organization_id
		WHERE u.id = $1
		ORDER BY o.code NULLS FIRST, m.role`
	membersSQL = `
		SELECT ` + userColumns + `, m.role, ` + orgRefColumns + `
		FROM users u
		JOIN memberships m ON m.user_id = u.id AND m.organization_id = $1
		LEFT JOIN organizations o ON o.id = m.organization_id
		ORDER BY u.email, u.id, o.code NULLS FIRST, m.role`
)

// findUsers returns the users query (usersSQL, userByIDSQL or membersSQL)
// selects with args, with their memberships, in one statement (so one
// snapshot and one round trip: it runs on every signed-in request).
func findUsers(ctx context.Context, q sqlx.QueryerContext, query string, args ...any) ([]forms.User, error) {
	var rows []struct {
		userRow
		Role sql.NullString `db:"role"`
		orgRefRow
	}
	if err := sqlx.SelectContext(ctx, q, &rows, query, args...); err != nil {
		return nil, classify(fmt.Errorf("storage: find users %v: %w", args, err))
	}
	var users []forms.User
	for _, r := range rows {
		if len(users) == 0 || users[len(users)-1].ID != r.ID {
			users = append(users, r.userRow.user())
		}
		if r.Role.Valid {
			u := &users[len(users)-1]
			u.Memberships = append(u.Memberships, forms.Membership{Role: forms.Role(r.Role.String), Organization: r.orgRefRow.ref()})
		}
	}
	return users, nil
}

// attachMemberships fills in the memberships of users with one query: all
// of them, or only those in the organization orgID when it is not 0.
// Portal-wide roles come first, then organizations by code.
func attachMemberships(ctx context.Context, q sqlx.QueryerContext, users []forms.User, orgID int64) error {
	if len(users) == 0 {
		return nil
	}
	ids := make([]int64, len(users))
	at := make(map[int64]int, len(users))
	for i, u := range users {
		ids[i], at[u.ID] = u.ID, i
	}
	var rows []struct {
		UserID int64  `db:"user_id"`
		Role   string `db:"role"`
		orgRefRow
	}
	err := sqlx.SelectContext(ctx, q, &rows, `
		SELECT m.user_id, m.role, `+orgRefColumns+`
		FROM memberships m
		LEFT JOIN organizations o ON o.id = m.organization_id
		WHERE m.user_id = ANY($1) AND ($2::bigint = 0 OR m.organization_id = $2)
		ORDER BY m.user_id, o.code NULLS FIRST, m.role`, pq.Array(ids), orgID)
	if err != nil {
		return classify(fmt.Errorf("storage: memberships of %d users: %w", len(ids), err))
	}
	for _, r := range rows {
		u := &users[at[r.UserID]]
		u.Memberships = append(u.Memberships, forms.Membership{Role: forms.Role(r.Role), Organization: r.orgRefRow.ref()})
	}
	return nil
}

// SetLanguage records the language the user last used the portal in: the
// language of the mail they receive.
func (s *Store) SetLanguage(ctx context.Context, userID int64, lang forms.Language) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE users SET language = $2 WHERE id = $1 AND language <> $2`, userID, string(lang)); err != nil {
		return classify(fmt.Errorf("storage: language of user %d: %w", userID, err))
	}
	return nil
}
