package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"portal/forms"
	"portal/storage/storagetest"
)

func TestAuditEvents(t *testing.T) {
	s := storagetest.NewStore(t)
	ctx := context.Background()
	aut, fra := orgRef(t, s, "AUT"), orgRef(t, s, "FRA")
	none := forms.OrganizationRef{}

	// Oldest first; each event's target is its name.
	recorded := []struct {
		action, actor, addr string
		org                 forms.OrganizationRef
	}{
		{"signin", "Alice@Example.org", "192.0.2.1:1234", none},         // e0
		{"signin.failed", "bob@example.org", "[2001:db8::1]:443", none}, // e1
		{"invitation.created", "Alice@Example.org", "not an address", aut},
		{"invitation.revoked", "ops_team", "fe80::1%eth0", fra},
		{"invitation.accepted", "carol@example.org", "", aut},
		{"role.removed", "cli", "", none}, // e5
		{"signin", "carol@example.org", "", none},
		{"signout", "alice@example.org", "", none},
		{"invitation.created", "opsXteam", "", none},
		{"role.granted", "system", "", none}, // e9
	}
	for i, r := range recorded {
		ev := forms.AuditEvent{
			Actor:  forms.Actor{Label: r.actor, RemoteAddr: r.addr, RequestID: fmt.Sprintf("req-%d", i)},
			Action: r.action, Organization: r.org, Target: fmt.Sprintf("e%d", i),
		}
		if i%2 == 0 {
			ev.Details = map[string]string{"n": fmt.Sprint(i), "note": "it's \"quoted\" — ü"}
		}
		if err := s.RecordAudit(ctx, ev); err != nil {
			t.Fatalf("RecordAudit(e%d): %v", i, err)
		}
		time.Sleep(2 * time.Millisecond) // distinct timestamps for Since and Until
	}

	all, err := s.AuditEvents(ctx, forms.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(recorded) {
		t.Fatalf("AuditEvents: %d events, want %d", len(all), len(recorded))
	}
	// byName["eN"] is event N as read back.
	byName := map[string]forms.AuditEvent{}
	for _, e := range all {
		byName[e.Target] = e
	}

	// What was recorded comes back, the addresses reduced to IP addresses.
	for i, wantAddr := range []string{"192.0.2.1", "2001:db8::1", "", "fe80::1", ""} {
		e := byName[fmt.Sprintf("e%d", i)]
		want := forms.AuditEvent{
			Actor:  forms.Actor{Label: recorded[i].actor, RemoteAddr: wantAddr, RequestID: fmt.Sprintf("req-%d", i)},
			Action: recorded[i].action, Organization: recorded[i].org, Target: fmt.Sprintf("e%d", i),
		}
		if i%2 == 0 {
			want.Details = map[string]string{"n": fmt.Sprint(i), "note": "it's \"quoted\" — ü"}
		}
		if diff := cmp.Diff(want, e, cmpopts.IgnoreFields(forms.AuditEvent{}, "ID", "At"), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("e%d (-want +got):\n%s", i, diff)
		}
		if e.ID == 0 || e.At.IsZero() {
			t.Errorf("e%d has no ID or time: %+v", i, e)
		}
	}

	at := func(name string) time.Time { return byName[name].At }
	id := func(name string) int64 { return byName[name].ID }
	for _, tc := range []struct {
		name string
		f    forms.AuditFilter
		want []string
	}{
		{"everything", forms.AuditFilter{}, []string{"e9", "e8", "e7", "e6", "e5", "e4", "e3", "e2", "e1", "e0"}},
		{"exact action", forms.AuditFilter{Action: "signin"}, []string{"e6", "e0"}},
		{"prefix signin.", forms.AuditFilter{Action: "signin."}, []string{"e1"}},
		{"prefix invitation.", forms.AuditFilter{Action: "invitation."}, []string{"e8", "e4", "e3", "e2"}},
		{"no prefix without the dot", forms.AuditFilter{Action: "invitation"}, nil},
		{"prefix role.", forms.AuditFilter{Action: "role."}, []string{"e9", "e5"}},
		{"actor, other case", forms.AuditFilter{Actor: "ALICE"}, []string{"e7", "e2", "e0"}},
		{"actor substring", forms.AuditFilter{Actor: "example.org"}, []string{"e7", "e6", "e4", "e2", "e1", "e0"}},
		{"percent is no wildcard", forms.AuditFilter{Actor: "%"}, nil},
		{"underscore is no wildcard", forms.AuditFilter{Actor: "_"}, []string{"e3"}},
		{"underscore matches itself only", forms.AuditFilter{Actor: "ops_team"}, []string{"e3"}},
		{"backslash", forms.AuditFilter{Actor: `\`}, nil},
		{"organization, lower case", forms.AuditFilter{Organization: "aut"}, []string{"e4", "e2"}},
		{"organization FRA", forms.AuditFilter{Organization: "FRA"}, []string{"e3"}},
		{"unknown organization", forms.AuditFilter{Organization: "XXX"}, nil},
		{"action and organization", forms.AuditFilter{Action: "invitation.", Organization: "AUT"}, []string{"e4", "e2"}},
		{"action and actor", forms.AuditFilter{Action: "signin", Actor: "carol"}, []string{"e6"}},
		{"since, inclusive", forms.AuditFilter{Since: at("e6")}, []string{"e9", "e8", "e7", "e6"}},
		{"until, exclusive", forms.AuditFilter{Until: at("e2")}, []string{"e1", "e0"}},
		{"since and until", forms.AuditFilter{Since: at("e3"), Until: at("e5")}, []string{"e4", "e3"}},
		{"before", forms.AuditFilter{Before: id("e5")}, []string{"e4", "e3", "e2", "e1", "e0"}},
		{"before and limit", forms.AuditFilter{Before: id("e5"), Limit: 2}, []string{"e4", "e3"}},
		{"limit", forms.AuditFilter{Limit: 1}, []string{"e9"}},
	} {
		evs, err := s.AuditEvents(ctx, tc.f)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		var got []string
		for _, e := range evs {
			got = append(got, e.Target)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: AuditEvents(%+v) (-want +got):\n%s", tc.name, tc.f, diff)
		}
	}

	// Paging through everything, four at a time.
	var pages [][]string
	f := forms.AuditFilter{Limit: 4}
	for range 5 {
		evs, err := s.AuditEvents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			break
		}
		var page []string
		for _, e := range evs {
			page = append(page, e.Target)
		}
		pages = append(pages, page)
		f.Before = evs[len(evs)-1].ID
	}
	want := [][]string{{"e9", "e8", "e7", "e6"}, {"e5", "e4", "e3", "e2"}, {"e1", "e0"}}
	if diff := cmp.Diff(want, pages); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}
}

func TestRecordAudit(t *testing.T) {
	s := storagetest.NewStore(t)
	ctx := context.Background()
	for _, addr := range []string{"not an address", "999.1.1.1", "192.0.2.1/24", "192.0.2.1:99999"} {
		err := s.RecordAudit(ctx, forms.AuditEvent{
			Actor: forms.Actor{Label: "someone@example.org", RemoteAddr: addr}, Action: forms.AuditSignInFailed, Target: addr,
		})
		if err != nil {
			t.Errorf("RecordAudit with address %q: %v", addr, err)
		}
	}
	evs, err := s.AuditEvents(ctx, forms.AuditFilter{Action: forms.AuditSignInFailed})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 4 {
		t.Fatalf("%d events kept, want 4", len(evs))
	}
	for _, e := range evs {
		if e.Actor.RemoteAddr != "" {
			t.Errorf("event for %q kept address %q, want none", e.Target, e.Actor.RemoteAddr)
		}
	}

	for _, action := range []string{"", "Sign In!", "signin; DROP TABLE users"} {
		err := s.RecordAudit(ctx, forms.AuditEvent{Actor: forms.Actor{Label: "cli"}, Action: action})
		wantKind(t, fmt.Sprintf("RecordAudit(%q)", action), err, forms.KindInvalid)
	}
	// An unknown organization is refused, not recorded under none.
	err = s.RecordAudit(ctx, forms.AuditEvent{Actor: forms.Actor{Label: "cli"}, Action: "role.granted", Organization: forms.OrganizationRef{ID: 987654}})
	wantKind(t, "RecordAudit(unknown organization)", err, forms.KindInvalid)
}

func TestAuditEventsLimit(t *testing.T) {
	s := storagetest.NewStore(t)
	ctx := context.Background()
	for i := range 501 {
		if err := s.RecordAudit(ctx, forms.AuditEvent{Actor: forms.Actor{Label: "cli"}, Action: "signin", Target: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ limit, want int }{{0, 100}, {-5, 100}, {7, 7}, {500, 500}, {1000, 500}} {
		evs, err := s.AuditEvents(ctx, forms.AuditFilter{Limit: tc.limit})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != tc.want {
			t.Errorf("Limit %d: %d events, want %d", tc.limit, len(evs), tc.want)
		}
	}
}
