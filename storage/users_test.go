package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"portal/forms"
	"portal/storage/storagetest"
)

func TestSignInCreatesThenUpdates(t *testing.T) {
	s := storagetest.NewStore(t)
	ctx := context.Background()
	actor := forms.Actor{RemoteAddr: "198.51.100.4", RequestID: "r1"}
	ignore := cmpopts.IgnoreFields(forms.User{}, "ID", "LastSignIn")

	first, err := s.SignIn(ctx, forms.Identity{Issuer: testIssuer, Subject: "42", Email: " Ana@Example.ORG ", EmailVerified: true, Name: "Ana"}, actor)
	if err != nil {
		t.Fatal(err)
	}
	want := forms.User{Issuer: testIssuer, Subject: "42", Email: "ana@example.org", EmailVerified: true, Name: "Ana"}
	if diff := cmp.Diff(want, *first, ignore); diff != "" {
		t.Errorf("first sign-in (-want +got):\n%s", diff)
	}
	if first.ID == 0 || first.LastSignIn.IsZero() {
		t.Errorf("first sign-in: ID %d, last sign-in %v; want both set", first.ID, first.LastSignIn)
	}

	second, err := s.SignIn(ctx, forms.Identity{Issuer: testIssuer, Subject: "42", Email: "ana.new@example.org", Name: "Ana N."}, actor)
	if err != nil {
		t.Fatal(err)
	}
	want = forms.User{ID: first.ID, Issuer: testIssuer, Subject: "42", Email: "ana.new@example.org", Name: "Ana N."}
	if diff := cmp.Diff(want, *second, cmpopts.IgnoreFields(forms.User{}, "LastSignIn")); diff != "" {
		t.Errorf("second sign-in (-want +got):\n%s", diff)
	}
	if second.LastSignIn.Before(first.LastSignIn) {
		t.Errorf("last sign-in went back from %v to %v", first.LastSignIn, second.LastSignIn)
	}

	other, err := s.SignIn(ctx, forms.Identity{Issuer: "https://other.example.org", Subject: "42", Email: "ana@example.org", EmailVerified: true}, actor)
	if err != nil {
		t.Fatal(err)
	}
	if other.ID == first.ID {
		t.Errorf("another issuer's subject 42 got the same user %d", other.ID)
	}

	got, err := s.UserByID(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(*second, *got, cmpopts.EquateApproxTime(time.Microsecond)); diff != "" {
		t.Errorf("UserByID (-want +got):\n%s", diff)
	}

	evs, err := s.AuditEvents(ctx, forms.AuditFilter{Action: forms.AuditSignIn})
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, e := range evs {
		labels = append(labels, e.Actor.Label)
		if e.Actor.UserID == 0 || e.Actor.RemoteAddr != "198.51.100.4" || e.Actor.RequestID != "r1" {
			t.Errorf("sign-in event actor %+v, want the user, the address and the request", e.Actor)
		}
	}
	if diff := cmp.Diff([]string{"ana@example.org", "ana.new@example.org", "ana@example.org"}, labels); diff != "" {
		t.Errorf("sign-in events (-want +got):\n%s", diff)
	}

	for _, id := range []forms.Identity{{Subject: "x"}, {Issuer: testIssuer}} {
		_, err := s.SignIn(ctx, id, actor)
		wantKind(t, "SignIn without issuer or subject", err, forms.KindInvalid)
	}
	_, err = s.UserByID(ctx, 987654)
	wantKind(t, "UserByID(unknown)", err, forms.KindNotFound)
}

// TestSignInAcceptsInvitations: an open invitation goes to whoever signs in
// with a verified matching address, and to nobody else.
func TestSignInAcceptsInvitations(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		name      string
		invitedAt time.Time
		revoke    bool
		email     string
		verified  bool
		want      forms.InvitationState
	}{
		{"verified, address in other case", now, false, "FOCAL@example.org", true, forms.InvitationAccepted},
		{"unverified", now, false, "focal@example.org", false, forms.InvitationPending},
		{"expired", now.Add(-30 * 24 * time.Hour), false, "focal@example.org", true, forms.InvitationExpired},
		{"revoked", now, true, "focal@example.org", true, forms.InvitationRevoked},
		{"other address", now, false, "someone@example.org", true, forms.InvitationPending},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := storagetest.NewStore(t)
			ctx := context.Background()
			aut := orgRef(t, s, "AUT")
			inv := invite(t, s, "Focal@Example.org", forms.FocalPoint, aut, tc.invitedAt)
			if inv.Email != "focal@example.org" {
				t.Errorf("invitation stored for %q, want lower case", inv.Email)
			}
			if tc.revoke {
				if _, err := s.RevokeInvitation(ctx, inv.ID, office); err != nil {
					t.Fatal(err)
				}
			}
			u := signIn(t, s, tc.email, tc.verified)

			var want []forms.Membership
			if tc.want == forms.InvitationAccepted {
				want = []forms.Membership{{Role: forms.FocalPoint, Organization: aut}}
			}
			if diff := cmp.Diff(want, u.Memberships); diff != "" {
				t.Errorf("memberships after sign-in (-want +got):\n%s", diff)
			}
			got, err := s.Invitation(ctx, inv.ID)
			if err != nil {
				t.Fatal(err)
			}
			if st := got.State(time.Now()); st != tc.want {
				t.Errorf("invitation %s, want %s", st, tc.want)
			}
			accepted := actionsAndTargets(t, s, forms.AuditFilter{Action: forms.AuditInvitationAccepted})
			if tc.want == forms.InvitationAccepted {
				if got.AcceptedBy != "focal@example.org" {
					t.Errorf("accepted by %q, want focal@example.org", got.AcceptedBy)
				}
				if diff := cmp.Diff([]string{"invitation.accepted focal@example.org"}, accepted); diff != "" {
					t.Errorf("audit (-want +got):\n%s", diff)
				}
			} else if len(accepted) != 0 {
				t.Errorf("audit has %v, want no acceptance", accepted)
			}
			// Signing in again changes nothing.
			again := signIn(t, s, tc.email, tc.verified)
			if again.ID != u.ID || !cmp.Equal(want, again.Memberships) {
				t.Errorf("second sign-in: user %d %+v, want %d %+v", again.ID, again.Memberships, u.ID, want)
			}
		})
	}
}

// TestSignInAcceptsSeveral: every open invitation of the address is
// accepted at once, and the user comes back with all their roles.
func TestSignInAcceptsSeveral(t *testing.T) {
	s := storagetest.NewStore(t)
	ctx := context.Background()
	aut, fra := orgRef(t, s, "AUT"), orgRef(t, s, "FRA")
	now := time.Now()
	invite(t, s, "multi@example.org", forms.Contributor, fra, now)
	invite(t, s, "multi@example.org", forms.FocalPoint, aut, now)
	invite(t, s, "multi@example.org", forms.Commission, forms.OrganizationRef{}, now)
	invite(t, s, "someone.else@example.org", forms.Contributor, aut, now)

	u := signIn(t, s, "multi@example.org", true)
	want := []forms.Membership{
		{Role: forms.Commission},
		{Role: forms.FocalPoint, Organization: aut},
		{Role: forms.Contributor, Organization: fra},
	}
	if diff := cmp.Diff(want, u.Memberships); diff != "" {
		t.Errorf("memberships (-want +got):\n%s", diff)
	}
	if !u.Can(forms.Submit, aut.ID) || u.Can(forms.Submit, fra.ID) || !u.Can(forms.ReadReports, 0) {
		t.Errorf("roles do not give the expected access: %+v", u.Memberships)
	}
	evs, err := s.AuditEvents(ctx, forms.AuditFilter{Action: forms.AuditInvitationAccepted})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		got = append(got, e.Organization.Code+" "+e.Details["role"])
		if e.Actor.UserID != u.ID || e.Target != "multi@example.org" {
			t.Errorf("acceptance event %+v: want the user as actor and the address as target", e)
		}
	}
	if diff := cmp.Diff([]string{" commission", "AUT focal_point", "FRA contributor"}, got); diff != "" {
		t.Errorf("acceptance events, newest first (-want +got):\n%s", diff)
	}
	if got := actionsAndTargets(t, s, forms.AuditFilter{Limit: 1}); !cmp.Equal(got, []string{"signin multi@example.org"}) {
		t.Errorf("last event %v, want the sign-in after the acceptances", got)
	}
}

func TestUsersMembersRemoveMembership(t *testing.T) {
	s := storagetest.NewStore(t)
	ctx := context.Background()
	aut, fra := orgRef(t, s, "AUT"), orgRef(t, s, "FRA")
	now := time.Now()
	// Bea signs in first, so that ID order and e-mail order differ.
	bea := signIn(t, s, "bea@example.org", true)
	ann := signIn(t, s, "ann@example.org", true)
	invite(t, s, "ann@example.org", forms.FocalPoint, aut, now)
	invite(t, s, "ann@example.org", forms.Contributor, fra, now)
	invite(t, s, "bea@example.org", forms.Contributor, aut, now)
	invite(t, s, "bea@example.org", forms.Analyst, forms.OrganizationRef{}, now)
	nobody := signIn(t, s, "zed@example.org", false)

	type member struct {
		Email string
		Roles []forms.Membership
	}
	summary := func(users []forms.User) []member {
		var out []member
		for _, u := range users {
			out = append(out, member{u.Email, u.Memberships})
		}
		return out
	}

	users, err := s.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []member{
		{"ann@example.org", []forms.Membership{{Role: forms.FocalPoint, Organization: aut}, {Role: forms.Contributor, Organization: fra}}},
		{"bea@example.org", []forms.Membership{{Role: forms.Analyst}, {Role: forms.Contributor, Organization: aut}}},
		{"zed@example.org", nil},
	}
	if diff := cmp.Diff(want, summary(users)); diff != "" {
		t.Errorf("Users (-want +got):\n%s", diff)
	}
	if users[0].ID != ann.ID || users[1].ID != bea.ID || users[2].ID != nobody.ID {
		t.Errorf("Users IDs %d %d %d, want %d %d %d", users[0].ID, users[1].ID, users[2].ID, ann.ID, bea.ID, nobody.ID)
	}

	members, err := s.Members(ctx, aut.ID)
	if err != nil {
		t.Fatal(err)
	}
	want = []member{
		{"ann@example.org", []forms.Membership{{Role: forms.FocalPoint, Organization: aut}}},
		{"bea@example.org", []forms.Membership{{Role: forms.Contributor, Organization: aut}}},
	}
	if diff := cmp.Diff(want, summary(members)); diff != "" {
		t.Errorf("Members(AUT) (-want +got):\n%s", diff)
	}

	if err := s.RemoveMembership(ctx, bea.ID, forms.Contributor, aut.ID, office); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveMembership(ctx, bea.ID, forms.Analyst, 0, office); err != nil {
		t.Fatal(err)
	}
	members, err = s.Members(ctx, aut.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want[:1], summary(members)); diff != "" {
		t.Errorf("Members(AUT) after removal (-want +got):\n%s", diff)
	}
	got, err := s.UserByID(ctx, bea.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Memberships) != 0 {
		t.Errorf("Bea still holds %+v", got.Memberships)
	}
	// Newest first: the two removals, then the four grants at sign-in.
	if diff := cmp.Diff([]string{
		"role.removed bea@example.org", "role.removed bea@example.org",
		"role.granted bea@example.org", "role.granted bea@example.org",
		"role.granted ann@example.org", "role.granted ann@example.org",
	}, actionsAndTargets(t, s, forms.AuditFilter{Action: "role."})); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}

	for _, tc := range []struct {
		name   string
		userID int64
		role   forms.Role
		orgID  int64
		want   forms.Kind
	}{
		{"removed already", bea.ID, forms.Contributor, aut.ID, forms.KindNotFound},
		{"other organization", ann.ID, forms.FocalPoint, fra.ID, forms.KindNotFound},
		{"organization role without organization", ann.ID, forms.FocalPoint, 0, forms.KindNotFound},
		{"unknown user", 987654, forms.Analyst, 0, forms.KindNotFound},
		{"unknown role", ann.ID, forms.Role("king"), 0, forms.KindInvalid},
	} {
		err := s.RemoveMembership(ctx, tc.userID, tc.role, tc.orgID, office)
		wantKind(t, "RemoveMembership: "+tc.name, err, tc.want)
	}

	if members, err := s.Members(ctx, orgRef(t, s, "USA").ID); err != nil || len(members) != 0 {
		t.Errorf("Members(USA) = %+v, %v; want none", members, err)
	}
	_, err = s.Members(ctx, 0)
	wantKind(t, "Members(0)", err, forms.KindInvalid)
}
