package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"portal/forms"
	"portal/storage/storagetest"
)

func TestCreateInvitation(t *testing.T) {
	s := storagetest.NewStore(t)
	ctx := context.Background()
	aut, fra := orgRef(t, s, "AUT"), orgRef(t, s, "FRA")
	now := time.Now()
	inviter := signIn(t, s, "analyst@unodc.org", true)
	analyst := forms.Actor{UserID: inviter.ID, Label: inviter.Email, RemoteAddr: "203.0.113.9"}

	inv, err := forms.NewInvitation("New.Focal@Example.org", forms.FocalPoint, forms.OrganizationRef{ID: aut.ID}, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.CreateInvitation(ctx, inv, analyst)
	if err != nil {
		t.Fatal(err)
	}
	want := forms.Invitation{Email: "new.focal@example.org", Role: forms.FocalPoint, Organization: aut, InvitedBy: "analyst@unodc.org"}
	if diff := cmp.Diff(want, got, ignoreTimes); diff != "" {
		t.Errorf("CreateInvitation (-want +got):\n%s", diff)
	}
	if got.ID == 0 || got.State(time.Now()) != forms.InvitationPending || got.ExpiresAt.Sub(inv.ExpiresAt).Abs() > time.Microsecond {
		t.Errorf("stored %+v: want an ID, pending, expiring %v", got, inv.ExpiresAt)
	}

	// Conflicts: the same invitation again; the same address, role and
	// organization in other case.
	for _, email := range []string{"new.focal@example.org", "NEW.FOCAL@example.org"} {
		dup, _ := forms.NewInvitation(email, forms.FocalPoint, aut, now, 0)
		_, err := s.CreateInvitation(ctx, dup, analyst)
		wantKind(t, "duplicate invitation", err, forms.KindConflict)
		if msg := forms.MessageOf(err); msg != "already invited" {
			t.Errorf("duplicate invitation: message %q, want %q", msg, "already invited")
		}
	}
	// Not conflicts: another role, or another organization.
	inviteAs(t, s, analyst, "new.focal@example.org", forms.Contributor, aut, now)
	inviteAs(t, s, analyst, "new.focal@example.org", forms.FocalPoint, fra, now)

	// A verified user receives the role at once; an unverified one does not.
	member := signIn(t, s, "member@example.org", true)
	unverified := signIn(t, s, "unverified@example.org", false)
	granted := inviteAs(t, s, analyst, "Member@Example.org", forms.Contributor, fra, now)
	if granted.State(time.Now()) != forms.InvitationAccepted || granted.AcceptedBy != "member@example.org" {
		t.Errorf("invitation of an existing verified user: %+v, want accepted by member@example.org", granted)
	}
	if u, err := s.UserByID(ctx, member.ID); err != nil {
		t.Fatal(err)
	} else if diff := cmp.Diff([]forms.Membership{{Role: forms.Contributor, Organization: fra}}, u.Memberships); diff != "" {
		t.Errorf("member's roles (-want +got):\n%s", diff)
	}
	pending := inviteAs(t, s, analyst, "unverified@example.org", forms.Contributor, fra, now)
	if pending.State(time.Now()) != forms.InvitationPending {
		t.Errorf("invitation of an unverified user: %s, want pending", pending.State(time.Now()))
	}
	if u, err := s.UserByID(ctx, unverified.ID); err != nil || len(u.Memberships) != 0 {
		t.Errorf("unverified user: %+v, %v; want no role", u, err)
	}

	// The member holds the role: inviting them again is a conflict.
	again, _ := forms.NewInvitation("member@example.org", forms.Contributor, fra, now, 0)
	_, err = s.CreateInvitation(ctx, again, analyst)
	wantKind(t, "inviting a member", err, forms.KindConflict)
	if msg := forms.MessageOf(err); msg != "already holds this role" {
		t.Errorf("inviting a member: message %q, want %q", msg, "already holds this role")
	}

	// After a revocation the address may be invited again.
	if _, err := s.RevokeInvitation(ctx, got.ID, analyst); err != nil {
		t.Fatal(err)
	}
	inviteAs(t, s, analyst, "new.focal@example.org", forms.FocalPoint, aut, now)

	// Invalid invitations.
	for _, tc := range []struct {
		name  string
		inv   forms.Invitation
		field string
	}{
		{"unknown organization", forms.Invitation{Email: "x@example.org", Role: forms.Contributor, Organization: forms.OrganizationRef{ID: 987654}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}, "organization"},
		{"no organization", forms.Invitation{Email: "x@example.org", Role: forms.FocalPoint, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}, "organization"},
		{"organization for a portal role", forms.Invitation{Email: "x@example.org", Role: forms.Analyst, Organization: aut, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}, "organization"},
		{"bad address", forms.Invitation{Email: "not an address", Role: forms.Analyst, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}, "email"},
		{"unknown role", forms.Invitation{Email: "x@example.org", Role: "king", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}, "role"},
		{"expires before made", forms.Invitation{Email: "x@example.org", Role: forms.Analyst, CreatedAt: now, ExpiresAt: now.Add(-time.Hour)}, "expires"},
	} {
		_, err := s.CreateInvitation(ctx, tc.inv, analyst)
		wantKind(t, "CreateInvitation: "+tc.name, err, forms.KindInvalid)
		var fe *forms.Error
		if errors.As(err, &fe) && fe.Fields[tc.field] == "" {
			t.Errorf("CreateInvitation: %s: fields %v, want one for %s", tc.name, fe.Fields, tc.field)
		}
	}

	// The audit log: every creation, and the one immediate acceptance.
	evs, err := s.AuditEvents(ctx, forms.AuditFilter{Action: "invitation."})
	if err != nil {
		t.Fatal(err)
	}
	var log []string
	for _, e := range evs {
		log = append(log, e.Action+" "+e.Target+" "+e.Organization.Code+" "+e.Details["role"])
	}
	wantLog := []string{
		"invitation.created new.focal@example.org AUT focal_point",
		"invitation.revoked new.focal@example.org AUT focal_point",
		"invitation.created unverified@example.org FRA contributor",
		"invitation.accepted member@example.org FRA contributor",
		"invitation.created member@example.org FRA contributor",
		"invitation.created new.focal@example.org FRA focal_point",
		"invitation.created new.focal@example.org AUT contributor",
		"invitation.created new.focal@example.org AUT focal_point",
	}
	if diff := cmp.Diff(wantLog, log); diff != "" {
		t.Errorf("audit, newest first (-want +got):\n%s", diff)
	}
	grants, err := s.AuditEvents(ctx, forms.AuditFilter{Action: forms.AuditRoleGranted})
	if err != nil {
		t.Fatal(err)
	}
	if len(grants) != 1 || grants[0].Target != "member@example.org" || grants[0].Details["role"] != "contributor" {
		t.Errorf("the immediate grant should be audited as role.granted once; got %+v", grants)
	}
	for _, e := range evs {
		if e.Actor.UserID != inviter.ID || e.Actor.Label != "analyst@unodc.org" || e.Actor.RemoteAddr != "203.0.113.9" {
			t.Errorf("event %s: actor %+v, want the analyst", e.Action, e.Actor)
		}
	}
	if evs[len(evs)-1].Details["expires"] == "" {
		t.Errorf("invitation.created details %v, want the expiry", evs[len(evs)-1].Details)
	}

	// Listing: one organization's, or all, newest first.
	all, err := s.Invitations(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 6 {
		t.Errorf("Invitations(0): %d, want 6", len(all))
	}
	autInvs, err := s.Invitations(ctx, aut.ID)
	if err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, i := range autInvs {
		if i.Organization != aut {
			t.Errorf("Invitations(AUT) holds %+v", i)
		}
		states = append(states, string(i.Role)+" "+string(i.State(time.Now())))
	}
	if diff := cmp.Diff([]string{"focal_point pending", "contributor pending", "focal_point revoked"}, states); diff != "" {
		t.Errorf("Invitations(AUT), newest first (-want +got):\n%s", diff)
	}
	_, err = s.Invitation(ctx, 987654)
	wantKind(t, "Invitation(unknown)", err, forms.KindNotFound)
}

func TestRevokeInvitation(t *testing.T) {
	s := storagetest.NewStore(t)
	ctx := context.Background()
	aut := orgRef(t, s, "AUT")
	now := time.Now()
	admin := forms.Actor{Label: "admin@unodc.org", RemoteAddr: "not an address"}

	open := invite(t, s, "open@example.org", forms.FocalPoint, aut, now)
	revoked, err := s.RevokeInvitation(ctx, open.ID, admin)
	if err != nil {
		t.Fatal(err)
	}
	if revoked.State(time.Now()) != forms.InvitationRevoked || revoked.RevokedAt.IsZero() {
		t.Errorf("RevokeInvitation returned %+v, want revoked", revoked)
	}
	if got, err := s.Invitation(ctx, open.ID); err != nil || got.State(time.Now()) != forms.InvitationRevoked {
		t.Errorf("Invitation after revoking: %+v, %v; want revoked", got, err)
	}
	evs, err := s.AuditEvents(ctx, forms.AuditFilter{Action: forms.AuditInvitationRevoked})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Target != "open@example.org" || evs[0].Actor.Label != "admin@unodc.org" ||
		evs[0].Organization.Code != "AUT" || evs[0].Details["role"] != "focal_point" {
		t.Errorf("revocation events %+v", evs)
	}

	accepted := invite(t, s, "taken@example.org", forms.Contributor, aut, now)
	signIn(t, s, "taken@example.org", true)
	expired := invite(t, s, "late@example.org", forms.Contributor, aut, now.Add(-15*24*time.Hour))

	for _, tc := range []struct {
		name string
		id   int64
		want forms.Kind
	}{
		{"revoked already", open.ID, forms.KindConflict},
		{"accepted", accepted.ID, forms.KindConflict},
		{"expired", expired.ID, forms.KindConflict},
		{"unknown", 987654, forms.KindNotFound},
	} {
		_, err := s.RevokeInvitation(ctx, tc.id, admin)
		wantKind(t, "RevokeInvitation: "+tc.name, err, tc.want)
		if forms.MessageOf(err) == "" {
			t.Errorf("RevokeInvitation: %s: no message for the user", tc.name)
		}
	}
	if got, err := s.Invitation(ctx, accepted.ID); err != nil || got.State(time.Now()) != forms.InvitationAccepted {
		t.Errorf("accepted invitation after a refused revocation: %+v, %v", got, err)
	}
}
