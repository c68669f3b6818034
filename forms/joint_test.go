package forms

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckRepresentation(t *testing.T) {
	eu := Organization{Code: "EU", Kind: Intergovernmental}
	interpol := Organization{Code: "INTERPOL", Kind: Intergovernmental}
	bel := Organization{Code: "BEL", Kind: MemberState, RegionalGroups: []string{"WEOG"}}
	lux := Organization{Code: "LUX", Kind: MemberState, RegionalGroups: []string{"WEOG"}}
	ken := Organization{Code: "KEN", Kind: MemberState, RegionalGroups: []string{"AFRICAN"}}
	pse := Organization{Code: "PSE", Kind: ObserverState}
	weog := Call{Audience: Audience{Groups: []string{"WEOG"}, Organizations: []string{"EU", "PSE"}}}
	existing := []Representation{{Organization: interpol, States: []Organization{lux}}}
	for _, c := range []struct {
		name    string
		call    Call
		org     Organization
		states  []Organization
		unknown []string
		want    map[string]string
	}{
		{"the EU for Belgium", weog, eu, []Organization{bel}, nil, nil},
		{"a State for another", weog, ken, []Organization{bel}, nil, map[string]string{"organization": JointNotOrganization}},
		{"an organization the call does not ask", weog, interpol, []Organization{bel}, nil, map[string]string{"organization": JointOrgNotAsked}},
		{"nothing named", weog, eu, nil, nil, map[string]string{"states": JointNoStates}},
		{"each State's problem", weog, eu, []Organization{bel, ken, pse, eu, lux}, []string{"XYZ"}, map[string]string{
			"state:KEN": JointStateNotAsked, "state:PSE": JointNotMemberState, "state:EU": JointNotMemberState,
			"state:LUX": JointTaken, "state:XYZ": JointUnknown}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got map[string]string
			if err := c.call.CheckRepresentation(c.org, c.states, c.unknown, existing); err != nil {
				e, ok := err.(*Error)
				if !ok || e.Kind != KindInvalid {
					t.Fatalf("error %v, want KindInvalid", err)
				}
				got = e.Fields
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckOnBehalfOf(t *testing.T) {
	eu := Organization{Code: "EU", Kind: Intergovernmental}
	bel := Organization{Code: "BEL", Kind: MemberState, RegionalGroups: []string{"WEOG"}}
	nld := Organization{Code: "NLD", Kind: MemberState, RegionalGroups: []string{"WEOG"}}
	ken := Organization{Code: "KEN", Kind: MemberState, RegionalGroups: []string{"AFRICAN"}}
	all := Call{Audience: Audience{AllMemberStates: true, Organizations: []string{"EU"}}}
	weogOnly := Call{Audience: Audience{Groups: []string{"WEOG"}, Organizations: []string{"EU"}}}
	rec := Representation{Organization: eu, States: []Organization{bel, nld, ken}}
	for _, c := range []struct {
		name  string
		call  Call
		rec   Representation
		codes []string
		ok    bool
	}{
		{"the record", all, rec, []string{"BEL", "NLD", "KEN"}, true},
		{"part of it", all, rec, []string{"NLD"}, true},
		{"none", all, rec, nil, true},
		{"a State outside it", all, rec, []string{"BEL", "FRA"}, false},
		{"an organization", all, rec, []string{"EU"}, false},
		{"a State the call no longer asks", weogOnly, rec, []string{"KEN"}, false},
		{"a State with no record", all, Representation{Organization: ken}, []string{"USA"}, false},
		{"a State with a record it may not have", all, Representation{Organization: ken, States: []Organization{bel}}, []string{"BEL"}, false},
		{"an organization the call does not ask", Call{Audience: Audience{AllMemberStates: true}}, rec, []string{"BEL"}, false},
	} {
		err := c.call.CheckOnBehalfOf(c.rec, c.codes)
		if (err == nil) != c.ok {
			t.Errorf("%s: %v, want ok %v", c.name, err, c.ok)
		}
		if err != nil && (KindOf(err) != KindInvalid || err.(*Error).Fields[JointFieldOnBehalfOf] != JointNotRecorded) {
			t.Errorf("%s: %#v", c.name, err)
		}
	}
	if got := weogOnly.JointStates(rec); len(got) != 2 || got[0].Code != "BEL" || got[1].Code != "NLD" {
		t.Errorf("States the EU's answer may cover in a call to WEOG: %v", got)
	}
}
