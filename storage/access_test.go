package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"portal/forms"
	"portal/storage"
	"portal/storage/storagetest"
)

// The helpers the access tests share.

const testIssuer = "https://idp.example.org"

var (
	office = forms.Actor{UserID: 0, Label: "cli", RequestID: "req-1"}
	// ignoreTimes leaves out the timestamps, which the database sets.
	ignoreTimes = cmpopts.IgnoreFields(forms.Invitation{}, "ID", "CreatedAt", "ExpiresAt", "AcceptedAt", "RevokedAt")
)

// signIn signs in the person with the address, subject derived from it.
func signIn(t *testing.T, s *storage.Store, email string, verified bool) *forms.User {
	t.Helper()
	u, err := s.SignIn(context.Background(), forms.Identity{
		Issuer: testIssuer, Subject: "sub-" + strings.ToLower(email),
		Email: email, EmailVerified: verified, Name: "Name of " + email,
	}, forms.Actor{RemoteAddr: "192.0.2.7:51234", RequestID: "req-signin"})
	if err != nil {
		t.Fatalf("SignIn(%s): %v", email, err)
	}
	return u
}

// orgRef returns the reference of the organization with the code.
func orgRef(t testing.TB, s *storage.Store, code string) forms.OrganizationRef {
	t.Helper()
	o, err := s.OrganizationByCode(context.Background(), code)
	if err != nil {
		t.Fatalf("OrganizationByCode(%s): %v", code, err)
	}
	return forms.OrganizationRef{ID: o.ID, Code: o.Code, Name: o.Name}
}

// invite stores an invitation made at now for the default lifetime, on
// behalf of the command line.
func invite(t *testing.T, s *storage.Store, email string, role forms.Role, org forms.OrganizationRef, now time.Time) forms.Invitation {
	t.Helper()
	return inviteAs(t, s, office, email, role, org, now)
}

// inviteAs is invite on behalf of actor.
func inviteAs(t *testing.T, s *storage.Store, actor forms.Actor, email string, role forms.Role, org forms.OrganizationRef, now time.Time) forms.Invitation {
	t.Helper()
	inv, err := forms.NewInvitation(email, role, org, now, 0)
	if err != nil {
		t.Fatalf("NewInvitation(%s, %s): %v", email, role, err)
	}
	got, err := s.CreateInvitation(context.Background(), inv, actor)
	if err != nil {
		t.Fatalf("CreateInvitation(%s, %s): %v", email, role, err)
	}
	return got
}

func wantKind(t *testing.T, what string, err error, want forms.Kind) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want %v", what, want)
		return
	}
	if got := forms.KindOf(err); got != want {
		t.Errorf("%s: error %v of kind %v, want %v", what, err, got, want)
	}
}

// actionsAndTargets lists "action target" of the audit events f selects.
func actionsAndTargets(t *testing.T, s *storage.Store, f forms.AuditFilter) []string {
	t.Helper()
	evs, err := s.AuditEvents(context.Background(), f)
	if err != nil {
		t.Fatalf("AuditEvents(%+v): %v", f, err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Action+" "+e.Target)
	}
	return out
}

func TestOrganizationByCode(t *testing.T) {
	s := storagetest.NewStore(t)
	ctx := context.Background()
	for _, tc := range []struct {
		code       string
		wantCode   string
		wantGroups []string
		wantKind   forms.OrganizationKind
	}{
		{"tur", "TUR", []string{"APG", "WEOG"}, forms.MemberState},
		{" AUT ", "AUT", []string{"WEOG"}, forms.MemberState},
		{"Interpol", "INTERPOL", nil, forms.Intergovernmental},
		{"vat", "VAT", nil, forms.ObserverState},
	} {
		o, err := s.OrganizationByCode(ctx, tc.code)
		if err != nil {
			t.Errorf("OrganizationByCode(%q): %v", tc.code, err)
			continue
		}
		if o.Code != tc.wantCode || o.Kind != tc.wantKind || o.ID == 0 {
			t.Errorf("OrganizationByCode(%q) = %s %s %d, want %s %s", tc.code, o.Code, o.Kind, o.ID, tc.wantCode, tc.wantKind)
		}
		if diff := cmp.Diff(tc.wantGroups, o.RegionalGroups, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("OrganizationByCode(%q) groups (-want +got):\n%s", tc.code, diff)
		}
		checkNames(t, o.Code, o.Name)
	}
	for _, code := range []string{"XXX", "", "AUT'--"} {
		_, err := s.OrganizationByCode(ctx, code)
		wantKind(t, "OrganizationByCode("+code+")", err, forms.KindNotFound)
	}
}
