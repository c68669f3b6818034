package storage_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"portal/forms"
	"portal/storage/storagetest"
)

func TestReferenceData(t *testing.T) {
	s := storagetest.NewStore(t)
	ctx := context.Background()

	st, err := s.DirectoryStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (forms.DirectoryStats{MemberStates: 193, ObserverStates: 2, Organizations: st.Organizations, RegionalGroups: 5}); st != want {
		t.Errorf("DirectoryStats = %+v, want %+v", st, want)
	}
	if st.Organizations < 8 {
		t.Errorf("%d starter organizations, want at least 8", st.Organizations)
	}

	groups, err := s.RegionalGroups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, g := range groups {
		codes = append(codes, g.Code)
		checkNames(t, "group "+g.Code, g.Name)
	}
	if diff := cmp.Diff([]string{"AFRICAN", "APG", "EEG", "GRULAC", "WEOG"}, codes); diff != "" {
		t.Errorf("regional groups (-want +got):\n%s", diff)
	}

	states, err := s.Organizations(ctx, forms.MemberState)
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != 193 {
		t.Fatalf("%d Member States, want 193", len(states))
	}
	perGroup := map[string]int{}
	for _, o := range states {
		if len(o.RegionalGroups) == 0 {
			t.Errorf("%s is in no regional group", o.Code)
		}
		if len(o.M49) != 3 {
			t.Errorf("%s: M49 code %q, want three digits", o.Code, o.M49)
		}
		for _, g := range o.RegionalGroups {
			perGroup[g]++
		}
		checkNames(t, o.Code, o.Name)
	}
	if diff := cmp.Diff(map[string]int{"AFRICAN": 54, "APG": 55, "EEG": 23, "GRULAC": 33, "WEOG": 29}, perGroup); diff != "" {
		t.Errorf("members per group (-want +got):\n%s", diff)
	}
	i := slices.IndexFunc(states, func(o forms.Organization) bool { return o.Code == "TUR" })
	if i < 0 || !slices.Equal(states[i].RegionalGroups, []string{"APG", "WEOG"}) {
		t.Errorf("Türkiye should sit in APG and WEOG; got %+v", states[i])
	}

	observers, err := s.Organizations(ctx, forms.ObserverState)
	if err != nil {
		t.Fatal(err)
	}
	var obs []string
	for _, o := range observers {
		obs = append(obs, o.Code)
		if len(o.RegionalGroups) != 0 {
			t.Errorf("observer State %s is in a regional group of Member States", o.Code)
		}
	}
	if diff := cmp.Diff([]string{"PSE", "VAT"}, obs); diff != "" {
		t.Errorf("observer States (-want +got):\n%s", diff)
	}

	orgs, err := s.Organizations(ctx, forms.Intergovernmental)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, o := range orgs {
		have[o.Code] = true
		checkNames(t, o.Code, o.Name)
	}
	for _, code := range []string{"INTERPOL", "UNTOURISM", "EU", "AU", "OSCE", "OAS", "ASEAN", "COE"} {
		if !have[code] {
			t.Errorf("starter organization %s missing", code)
		}
	}
}

func checkNames(t *testing.T, what string, n forms.Names) {
	t.Helper()
	for _, l := range forms.Languages {
		if _, ok := n.Lookup(l); !ok {
			t.Errorf("%s has no name in %s", what, l)
		}
	}
}
