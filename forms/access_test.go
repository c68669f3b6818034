package forms

import (
	"errors"
	"testing"
	"time"
)

func member(role Role, orgID int64) Membership {
	return Membership{Role: role, Organization: OrganizationRef{ID: orgID}}
}

const austria, kenya = 14, 110

// TestCan is the whole access policy, action by action, for each kind of user.
func TestCan(t *testing.T) {
	users := map[string]*User{
		"nobody":                                 nil,
		"pending (no role)":                      {ID: 1},
		"focal point of Austria":                 {ID: 2, Memberships: []Membership{member(FocalPoint, austria)}},
		"contributor of Austria":                 {ID: 3, Memberships: []Membership{member(Contributor, austria)}},
		"focal point of Kenya":                   {ID: 4, Memberships: []Membership{member(FocalPoint, kenya)}},
		"analyst":                                {ID: 5, Memberships: []Membership{{Role: Analyst}}},
		"commission":                             {ID: 6, Memberships: []Membership{{Role: Commission}}},
		"admin":                                  {ID: 7, Memberships: []Membership{{Role: Admin}}},
		"contributor and focal point of Austria": {ID: 8, Memberships: []Membership{member(Contributor, austria), member(FocalPoint, austria)}},
	}
	// want lists who may do each action on Austria (or portal-wide).
	want := map[Action][]string{
		ViewOrganization:  {"focal point of Austria", "contributor of Austria", "analyst", "admin", "contributor and focal point of Austria"},
		EditDraft:         {"focal point of Austria", "contributor of Austria", "contributor and focal point of Austria"},
		Submit:            {"focal point of Austria", "contributor and focal point of Austria"},
		InviteContributor: {"focal point of Austria", "analyst", "admin", "contributor and focal point of Austria"},
		ViewOffice:        {"analyst", "admin"},
		ManageInvitations: {"analyst", "admin"},
		ViewAudit:         {"analyst", "admin"},
		ManageUsers:       {"admin"},
		ReadReports:       {"commission", "analyst", "admin"},
		WriteReports:      {"analyst", "admin"},
		Review:            {"analyst", "admin"},
		ManageCalls:       {"analyst", "admin"},
		EnterOnBehalf:     {"analyst", "admin"},
	}
	for action, allowed := range want {
		for name, u := range users {
			may := false
			for _, a := range allowed {
				may = may || a == name
			}
			if got := u.Can(action, austria); got != may {
				t.Errorf("%s: Can(%s, Austria) = %v, want %v", name, action, got, may)
			}
		}
	}
	if users["focal point of Austria"].Can(ViewOrganization, kenya) {
		t.Error("a focal point of Austria may view Kenya")
	}
	if users["focal point of Austria"].Can(EditDraft, 0) {
		t.Error("an organization action on no organization must be refused")
	}
	if (&User{}).Can(Action("no.such.action"), austria) {
		t.Error("an unknown action must be refused")
	}
}

func TestCanInvite(t *testing.T) {
	fp := &User{Memberships: []Membership{member(FocalPoint, austria)}}
	contrib := &User{Memberships: []Membership{member(Contributor, austria)}}
	analyst := &User{Memberships: []Membership{{Role: Analyst}}}
	admin := &User{Memberships: []Membership{{Role: Admin}}}
	tests := []struct {
		name  string
		u     *User
		role  Role
		org   int64
		allow bool
	}{
		{"focal point: contributor to own organization", fp, Contributor, austria, true},
		{"focal point: contributor elsewhere", fp, Contributor, kenya, false},
		{"focal point: another focal point", fp, FocalPoint, austria, false},
		{"contributor: contributor", contrib, Contributor, austria, false},
		{"analyst: focal point anywhere", analyst, FocalPoint, kenya, true},
		{"analyst: commission reader", analyst, Commission, 0, true},
		{"analyst: another analyst", analyst, Analyst, 0, false},
		{"analyst: admin", analyst, Admin, 0, false},
		{"admin: analyst", admin, Analyst, 0, true},
		{"admin: admin", admin, Admin, 0, true},
		{"nobody", nil, Contributor, austria, false},
	}
	for _, tt := range tests {
		if got := tt.u.CanInvite(tt.role, tt.org); got != tt.allow {
			t.Errorf("%s: CanInvite = %v, want %v", tt.name, got, tt.allow)
		}
	}
}

func TestNewInvitation(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	aut := OrganizationRef{ID: austria, Code: "AUT"}
	inv, err := NewInvitation("  Focal.Point@Example.ORG ", FocalPoint, aut, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Email != "focal.point@example.org" || !inv.ExpiresAt.Equal(now.Add(DefaultInvitationLifetime)) {
		t.Errorf("invitation %+v: want a lower-cased address, open 14 days", inv)
	}
	bad := []struct {
		name   string
		email  string
		role   Role
		org    OrganizationRef
		fields []string
	}{
		{"not an address", "focal point", FocalPoint, aut, []string{"email"}},
		{"display name form", "Focal <fp@example.org>", FocalPoint, aut, []string{"email"}},
		{"no domain dot", "fp@localhost", FocalPoint, aut, []string{"email"}},
		{"organization role without one", "fp@example.org", Contributor, OrganizationRef{}, []string{"organization"}},
		{"portal role with one", "an@example.org", Analyst, aut, []string{"organization"}},
		{"unknown role", "x@example.org", Role("owner"), aut, []string{"role"}},
		{"everything wrong", "", Role(""), aut, []string{"email", "role"}},
	}
	for _, tt := range bad {
		_, err := NewInvitation(tt.email, tt.role, tt.org, now, 0)
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindInvalid {
			t.Errorf("%s: err %v, want KindInvalid", tt.name, err)
			continue
		}
		for _, f := range tt.fields {
			if _, ok := e.Fields[f]; !ok {
				t.Errorf("%s: no message for field %s in %v", tt.name, f, e.Fields)
			}
		}
		if len(e.Fields) != len(tt.fields) {
			t.Errorf("%s: fields %v, want exactly %v", tt.name, e.Fields, tt.fields)
		}
	}
}

func TestInvitationState(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	open := Invitation{ExpiresAt: now.Add(time.Hour)}
	tests := []struct {
		inv  Invitation
		want InvitationState
	}{
		{open, InvitationPending},
		{Invitation{ExpiresAt: now}, InvitationExpired},
		{Invitation{ExpiresAt: now.Add(time.Hour), RevokedAt: now}, InvitationRevoked},
		{Invitation{ExpiresAt: now.Add(-time.Hour), AcceptedAt: now.Add(-2 * time.Hour)}, InvitationAccepted},
	}
	for i, tt := range tests {
		if got := tt.inv.State(now); got != tt.want {
			t.Errorf("%d: State = %s, want %s", i, got, tt.want)
		}
	}
}
