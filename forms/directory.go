package forms

// OrganizationKind says what sort of body an Organization is.
type OrganizationKind string

// The kinds of body that may be asked to answer a call for submissions.
const (
	MemberState       OrganizationKind = "member_state"
	ObserverState     OrganizationKind = "observer_state"
	Intergovernmental OrganizationKind = "organization"
)

// Organization is a body that answers calls for submissions: a UN Member
// State, a non-member observer State, or an intergovernmental or regional
// organization.
type Organization struct {
	ID   int64
	Code string // ISO 3166-1 alpha-3 for a State; a short code such as UNTOURISM otherwise
	Kind OrganizationKind
	M49  string // three digits, States only
	Name Names
	// RegionalGroups holds the codes of the UN regional groups the
	// organization belongs to; a State may sit in more than one.
	RegionalGroups []string
}

// IsState reports whether o is a State (member or observer).
func (o Organization) IsState() bool { return o.Kind != Intergovernmental }

// RegionalGroup is one of the five UN regional groups of Member States.
type RegionalGroup struct {
	Code string // AFRICAN, APG, EEG, GRULAC, WEOG
	Name Names
}

// DirectoryStats counts the bodies the portal knows, for the landing page.
type DirectoryStats struct {
	MemberStates   int
	ObserverStates int
	Organizations  int
	RegionalGroups int
}
