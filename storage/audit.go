package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"portal/forms"
)

// RecordAudit appends ev to the audit log. The database numbers and
// timestamps the event, so ev.ID and ev.At are ignored. ev.Actor.RemoteAddr
// is kept when it is an IP address (with or without a port) and dropped
// otherwise, never losing the event for it. It returns a forms.KindInvalid
// error when the action is not lower-case letters, dots and underscores.
func (s *Store) RecordAudit(ctx context.Context, ev forms.AuditEvent) error {
	return insertAuditEvents(ctx, s.db, ev)
}

// insertAuditEvents appends the events in one statement, in their order.
const insertAuditSQL = `
		INSERT INTO audit_events (actor_user_id, actor, action, organization_id, target, remote_addr, request_id, details)
		SELECT NULLIF(e.user_id, 0), e.actor, e.action, NULLIF(e.organization_id, 0), e.target,
		       NULLIF(e.addr, '')::inet, e.request_id, e.details::jsonb
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[])
		     AS e (user_id, actor, action, organization_id, target, addr, request_id, details)`

func insertAuditEvents(ctx context.Context, q sqlx.ExecerContext, evs ...forms.AuditEvent) error {
	if len(evs) == 0 {
		return nil
	}
	n := len(evs)
	var (
		userIDs = make([]int64, n)
		actors  = make([]string, n)
		actions = make([]string, n)
		orgIDs  = make([]int64, n)
		targets = make([]string, n)
		addrs   = make([]string, n)
		reqIDs  = make([]string, n)
		details = make([]string, n)
	)
	for i, ev := range evs {
		d := ev.Details
		if d == nil {
			d = map[string]string{}
		}
		b, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("storage: record audit %s: details: %w", ev.Action, err)
		}
		userIDs[i], actors[i], actions[i] = ev.Actor.UserID, ev.Actor.Label, ev.Action
		orgIDs[i], targets[i], addrs[i] = ev.Organization.ID, ev.Target, ipOf(ev.Actor.RemoteAddr)
		reqIDs[i], details[i] = ev.Actor.RequestID, string(b)
	}
	_, err := q.ExecContext(ctx, insertAuditSQL,
		pq.Array(userIDs), pq.Array(actors), pq.Array(actions), pq.Array(orgIDs),
		pq.Array(targets), pq.Array(addrs), pq.Array(reqIDs), pq.Array(details))
	if err != nil {
		return classify(fmt.Errorf("storage: record audit %s: %w", evs[0].Action, err))
	}
	return nil
}

// ipOf returns the IP address in s ("192.0.2.1", "[2001:db8::1]:443"),
// without any zone, or "" when s holds none.
func ipOf(s string) string {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.WithZone("").String()
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().WithZone("").String()
	}
	return ""
}

// Audit log pages hold this many events unless the filter asks for fewer,
// and never more than maxAuditPage.
const (
	defaultAuditPage = 100
	maxAuditPage     = 500
)

// AuditEvents returns the audit events f selects, newest first (by ID), at
// most f.Limit of them (100 when it is 0, never more than 500). f.Action
// matches exactly, or as a prefix when it ends in "."; f.Actor matches any
// part of the actor's label, ignoring case; f.Organization is an
// organization code; Since is inclusive and Until exclusive; Before pages
// on: only events with a smaller ID. Zero fields select everything.
func (s *Store) AuditEvents(ctx context.Context, f forms.AuditFilter) ([]forms.AuditEvent, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = defaultAuditPage
	}
	limit = min(limit, maxAuditPage)
	var rows []struct {
		ID          int64     `db:"id"`
		At          time.Time `db:"occurred_at"`
		ActorUserID int64     `db:"actor_user_id"`
		Actor       string    `db:"actor"`
		Action      string    `db:"action"`
		orgRefRow
		Target     string `db:"target"`
		RemoteAddr string `db:"remote_addr"`
		RequestID  string `db:"request_id"`
		Details    []byte `db:"details"`
	}
	// Each filter is a placeholder that switches itself off when empty, so
	// the text is fixed; PostgreSQL plans each call with the values given.
	err := s.db.SelectContext(ctx, &rows, `
		SELECT e.id, e.occurred_at, COALESCE(e.actor_user_id, 0) AS actor_user_id, e.actor, e.action,
		       `+orgRefColumns+`,
		       e.target, COALESCE(host(e.remote_addr), '') AS remote_addr, e.request_id, e.details
		FROM audit_events e
		LEFT JOIN organizations o ON o.id = e.organization_id
		WHERE ($1 = '' OR e.action = $1 OR (right($1, 1) = '.' AND starts_with(e.action, $1)))
		  AND ($2 = '' OR strpos(lower(e.actor), lower($2)) > 0)
		  AND ($3 = '' OR o.code = upper($3))
		  AND ($4::timestamptz IS NULL OR e.occurred_at >= $4)
		  AND ($5::timestamptz IS NULL OR e.occurred_at < $5)
		  AND ($6::bigint = 0 OR e.id < $6)
		ORDER BY e.id DESC
		LIMIT $7`,
		strings.TrimSpace(f.Action), strings.TrimSpace(f.Actor), strings.TrimSpace(f.Organization),
		nullTime(f.Since), nullTime(f.Until), f.Before, limit)
	if err != nil {
		return nil, classify(fmt.Errorf("storage: audit events: %w", err))
	}
	evs := make([]forms.AuditEvent, len(rows))
	for i, r := range rows {
		var details map[string]string
		if err := json.Unmarshal(r.Details, &details); err != nil {
			return nil, fmt.Errorf("storage: audit event %d: details: %w", r.ID, err)
		}
		evs[i] = forms.AuditEvent{
			ID: r.ID, At: r.At, Action: r.Action, Target: r.Target, Details: details,
			Actor:        forms.Actor{UserID: r.ActorUserID, Label: r.Actor, RemoteAddr: r.RemoteAddr, RequestID: r.RequestID},
			Organization: r.orgRefRow.ref(),
		}
	}
	return evs, nil
}

// nullTime is NULL for the zero time.
func nullTime(t time.Time) sql.NullTime { return sql.NullTime{Time: t, Valid: !t.IsZero()} }
