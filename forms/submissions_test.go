package forms

import (
	"fmt"
	"testing"
	"time"
)

// TestDecide walks the whole state machine: every transition from every
// state by every kind of user, before and after the deadline, with the
// call in each of its states, asking the organization or not.
func TestDecide(t *testing.T) {
	const org = 7
	ken := Organization{ID: org, Code: "KEN", Kind: MemberState, RegionalGroups: []string{"AFRICAN"}}
	audiences := map[string]Audience{
		"asked":     {Groups: []string{"AFRICAN"}},
		"not asked": {Groups: []string{"WEOG"}, Organizations: []string{"UNTOURISM"}},
	}
	users := map[string]*User{
		"focal point": {Memberships: []Membership{{Role: FocalPoint, Organization: OrganizationRef{ID: org}}}},
		"contributor": {Memberships: []Membership{{Role: Contributor, Organization: OrganizationRef{ID: org}}}},
		"other State": {Memberships: []Membership{{Role: FocalPoint, Organization: OrganizationRef{ID: 8}}}},
		"analyst":     {Memberships: []Membership{{Role: Analyst}}},
		"admin":       {Memberships: []Membership{{Role: Admin}}},
		"commission":  {Memberships: []Membership{{Role: Commission}}},
		"nobody":      nil,
	}
	deadline := time.Date(2026, 6, 30, 23, 59, 0, 0, time.UTC)
	before, after := deadline.Add(-time.Hour), deadline.Add(time.Hour)
	type want struct {
		to   SubmissionState
		kind Kind // 0: allowed
	}
	expect := func(user string, asked bool, from SubmissionState, tr Transition, late, lateAllowed bool, state CallState) want {
		office := user == "analyst" || user == "admin"
		fp := user == "focal point"
		switch {
		case !asked: // the call is none of the organization's business, whoever asks
			return want{from, KindNotFound}
		case tr.Action() == Submit && !fp, tr.Action() == Review && !office:
			return want{from, KindForbidden}
		}
		to, ok := map[SubmissionState]map[Transition]SubmissionState{
			NotStarted: {TransitionSubmit: Submitted},
			InDraft:    {TransitionSubmit: Submitted},
			Returned:   {TransitionSubmit: Submitted},
			Submitted:  {TransitionWithdraw: InDraft, TransitionAccept: Accepted, TransitionReturn: Returned},
		}[from][tr]
		switch {
		case !ok:
			return want{from, KindConflict}
		case tr == TransitionSubmit && from == Returned: // an answer to the Office, whenever it comes
			if state != CallOpen && state != CallClosed {
				return want{from, KindConflict}
			}
		case tr == TransitionSubmit && state != CallOpen:
			return want{from, KindConflict}
		case tr == TransitionSubmit && late && !lateAllowed:
			return want{from, KindConflict}
		case tr == TransitionWithdraw && state != CallOpen: // the Office counts what was submitted to a closed call
			return want{from, KindConflict}
		case tr == TransitionWithdraw && late:
			return want{from, KindConflict}
		}
		return want{to, 0}
	}
	n := 0
	for name, u := range users {
		for audience, a := range audiences {
			for _, from := range SubmissionStates {
				for _, tr := range Transitions {
					for _, now := range []time.Time{before, after} {
						for _, lateAllowed := range []bool{false, true} {
							for _, state := range CallStates {
								c := Call{Key: "c", State: state, Deadline: deadline, LateAllowed: lateAllowed, Audience: a}
								w := expect(name, audience == "asked", from, tr, now == after, lateAllowed, state)
								got, err := Decide(u, ken, c, from, tr, now)
								kind := Kind(0)
								if err != nil {
									kind = KindOf(err)
								}
								what := fmt.Sprintf("%s, %s: %s from %s (late %v, late allowed %v, call %s)", name, audience, tr, from, now == after, lateAllowed, state)
								if got != w.to || kind != w.kind {
									t.Errorf("%s = %s, %v; want %s, %v", what, got, err, w.to, w.kind)
								}
								n++
							}
						}
					}
				}
			}
		}
	}
	if n != 7*2*5*4*2*2*4 {
		t.Errorf("%d cases", n)
	}
}

func TestChecksumAndDiff(t *testing.T) {
	a := Answers{Values: map[string]Answer{"views": {Text: "x"}}, Cells: map[CellRef]Cell{{"t", "r", 2024, "total"}: {State: CellValue, Value: 3}}}
	b := Answers{Values: map[string]Answer{"views": {Text: "y"}}, Cells: map[CellRef]Cell{{"t", "r", 2024, "total"}: {State: CellValue, Value: 3}, {"t", "r", 2025, "total"}: {State: CellNotAvailable}}}
	var again Answers
	for _, f := range a.Fields() {
		_ = again.SetField(f, a.Field(f))
	}
	if Checksum(a, nil) != Checksum(again, nil) || Checksum(a, nil) == Checksum(b, nil) {
		t.Error("checksum is not a function of the content")
	}
	files := map[int64]FileInfo{4: {SHA256: "ab"}}
	if Checksum(a, files) == Checksum(a, nil) {
		t.Error("checksum ignores files")
	}
	d := Diff(a, b)
	if len(d) != 2 || d[0].Field != "c/t/r/2025/total" || d[1].Field != "q/views" {
		t.Errorf("Diff = %+v", d)
	}
	if Reference(Call{Reference: "CCPCJ22-P4"}, "AUT", 1) != "CCPCJ22-P4-AUT-1" || Reference(Call{Key: "x-1"}, "KEN", 2) != "X-1-KEN-2" {
		t.Error("reference numbers")
	}
}

func TestAudience(t *testing.T) {
	aut := Organization{Code: "AUT", Kind: MemberState, RegionalGroups: []string{"WEOG"}}
	ken := Organization{Code: "KEN", Kind: MemberState, RegionalGroups: []string{"AFRICAN"}}
	eu := Organization{Code: "EU", Kind: Intergovernmental}
	pse := Organization{Code: "PSE", Kind: ObserverState}
	for _, tt := range []struct {
		a    Audience
		o    Organization
		want bool
	}{
		{Audience{AllMemberStates: true}, aut, true},
		{Audience{AllMemberStates: true}, eu, false},
		{Audience{AllMemberStates: true}, pse, false},
		{Audience{Groups: []string{"WEOG"}}, aut, true},
		{Audience{Groups: []string{"WEOG"}}, ken, false},
		{Audience{Organizations: []string{"EU", "PSE"}}, eu, true},
		{Audience{Organizations: []string{"EU", "PSE"}}, pse, true},
	} {
		if got := tt.a.Includes(tt.o); got != tt.want {
			t.Errorf("%+v includes %s: %v", tt.a, tt.o.Code, got)
		}
	}
}

// TestCallShownTo: a call exists on an organization's pages only when it
// asks the organization, and while in preparation only for the Office.
func TestCallShownTo(t *testing.T) {
	ken := Organization{ID: 7, Code: "KEN", Kind: MemberState, RegionalGroups: []string{"AFRICAN"}}
	untourism := Organization{ID: 9, Code: "UNTOURISM", Kind: Intergovernmental}
	fpKEN := &User{Memberships: []Membership{{Role: FocalPoint, Organization: OrganizationRef{ID: 7}}}}
	fpUNT := &User{Memberships: []Membership{{Role: FocalPoint, Organization: OrganizationRef{ID: 9}}}}
	analyst := &User{Memberships: []Membership{{Role: Analyst}}}
	weog := Audience{Groups: []string{"WEOG"}}
	states := Audience{AllMemberStates: true}
	for _, tt := range []struct {
		name  string
		c     Call
		u     *User
		o     Organization
		shown bool
	}{
		{"Kenya, WEOG only, in preparation", Call{State: CallDraft, Audience: weog}, fpKEN, ken, false},
		{"Kenya, WEOG only, open", Call{State: CallOpen, Audience: weog}, fpKEN, ken, false},
		{"the Office, Kenya, WEOG only, open", Call{State: CallOpen, Audience: weog}, analyst, ken, false},
		{"Kenya, Member States, in preparation", Call{State: CallDraft, Audience: states}, fpKEN, ken, false},
		{"the Office, Kenya, Member States, in preparation", Call{State: CallDraft, Audience: states}, analyst, ken, true},
		{"Kenya, Member States, open", Call{State: CallOpen, Audience: states}, fpKEN, ken, true},
		{"Kenya, Member States, closed", Call{State: CallClosed, Audience: states}, fpKEN, ken, true},
		{"UN Tourism, Member States, open", Call{State: CallOpen, Audience: states}, fpUNT, untourism, false},
		{"UN Tourism, named, open", Call{State: CallOpen, Audience: Audience{Organizations: []string{"UNTOURISM"}}}, fpUNT, untourism, true},
	} {
		if got := tt.c.ShownTo(tt.u, tt.o); got != tt.shown {
			t.Errorf("%s: shown %v, want %v", tt.name, got, tt.shown)
		}
	}
}
