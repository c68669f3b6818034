package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"portal/forms"
)

// names is the six-language name columns of a row.
type names struct {
	En string `db:"name_en"`
	Fr string `db:"name_fr"`
	Es string `db:"name_es"`
	Ru string `db:"name_ru"`
	Ar string `db:"name_ar"`
	Zh string `db:"name_zh"`
}

func (n names) forms() forms.Names {
	return forms.Names{En: n.En, Fr: n.Fr, Es: n.Es, Ru: n.Ru, Ar: n.Ar, Zh: n.Zh}
}

// DirectoryStats counts Member States, observer States, organizations and
// regional groups.
func (s *Store) DirectoryStats(ctx context.Context) (forms.DirectoryStats, error) {
	var st forms.DirectoryStats
	err := s.db.QueryRowxContext(ctx, `
		SELECT count(*) FILTER (WHERE kind = 'member_state'),
		       count(*) FILTER (WHERE kind = 'observer_state'),
		       count(*) FILTER (WHERE kind = 'organization'),
		       (SELECT count(*) FROM regional_groups)
		FROM organizations`).Scan(&st.MemberStates, &st.ObserverStates, &st.Organizations, &st.RegionalGroups)
	if err != nil {
		return forms.DirectoryStats{}, classify(fmt.Errorf("storage: directory stats: %w", err))
	}
	return st, nil
}

// RegionalGroups returns the five UN regional groups in their usual order.
func (s *Store) RegionalGroups(ctx context.Context) ([]forms.RegionalGroup, error) {
	return regionalGroups(ctx, s.db)
}

func regionalGroups(ctx context.Context, db sqlx.QueryerContext) ([]forms.RegionalGroup, error) {
	var rows []struct {
		Code string `db:"code"`
		names
	}
	err := sqlx.SelectContext(ctx, db, &rows, `
		SELECT code, name_en, name_fr, name_es, name_ru, name_ar, name_zh
		FROM regional_groups ORDER BY position`)
	if err != nil {
		return nil, classify(fmt.Errorf("storage: regional groups: %w", err))
	}
	groups := make([]forms.RegionalGroup, len(rows))
	for i, r := range rows {
		groups[i] = forms.RegionalGroup{Code: r.Code, Name: r.names.forms()}
	}
	return groups, nil
}

// Organizations returns every organization of the given kind (all kinds
// when kind is empty), ordered by code, each with its regional groups.
func (s *Store) Organizations(ctx context.Context, kind forms.OrganizationKind) ([]forms.Organization, error) {
	orgs, err := s.findOrganizations(ctx, organizationsSQL, string(kind))
	if err != nil {
		return nil, fmt.Errorf("storage: organizations: %w", err)
	}
	return orgs, nil
}

// OrganizationByCode returns the organization with that code (compared
// upper-cased, spaces trimmed) with its regional groups, or a KindNotFound error.
func (s *Store) OrganizationByCode(ctx context.Context, code string) (forms.Organization, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" {
		return forms.Organization{}, forms.Errorf(forms.KindNotFound, "organization not found")
	}
	orgs, err := s.findOrganizations(ctx, organizationByCodeSQL, code)
	if err != nil {
		return forms.Organization{}, fmt.Errorf("storage: organization %q: %w", code, err)
	}
	if len(orgs) == 0 {
		return forms.Organization{}, forms.Errorf(forms.KindNotFound, "organization not found")
	}
	return orgs[0], nil
}

// orgRow is an organization as orgColumns selects it from organizations o.
type orgRow struct {
	ID     int64          `db:"id"`
	Code   string         `db:"code"`
	Kind   string         `db:"kind"`
	M49    *string        `db:"m49"`
	Groups pq.StringArray `db:"groups"`
	names
}

const orgColumns = `o.id, o.code, o.kind, o.m49,
		       o.name_en, o.name_fr, o.name_es, o.name_ru, o.name_ar, o.name_zh,
		       array(SELECT m.group_code FROM regional_group_members m
		             JOIN regional_groups g ON g.code = m.group_code
		             WHERE m.organization_id = o.id ORDER BY g.position) AS groups`

func (r orgRow) organization() forms.Organization {
	o := forms.Organization{ID: r.ID, Code: r.Code, Kind: forms.OrganizationKind(r.Kind), Name: r.names.forms(), RegionalGroups: r.Groups}
	if r.M49 != nil {
		o.M49 = *r.M49
	}
	return o
}

// organizationsSQL selects the organizations of a kind ($1), or all when
// $1 is empty; organizationByCodeSQL the one with the code $1 (its own
// statement, prepared with a plan that looks the code up).
const (
	organizationsSQL = `SELECT ` + orgColumns + `
		FROM organizations o
		WHERE ($1 = '' OR o.kind::text = $1)
		ORDER BY o.code`
	organizationByCodeSQL = `SELECT ` + orgColumns + ` FROM organizations o WHERE o.code = $1`
)

// findOrganizations returns the organizations query (organizationsSQL or
// organizationByCodeSQL) selects with arg.
func (s *Store) findOrganizations(ctx context.Context, query, arg string) ([]forms.Organization, error) {
	var rows []orgRow
	err := s.db.SelectContext(ctx, &rows, query, arg)
	if err != nil {
		return nil, classify(err)
	}
	orgs := make([]forms.Organization, len(rows))
	for i, r := range rows {
		orgs[i] = r.organization()
	}
	return orgs, nil
}
