package forms

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CallState is where a call for submissions stands.
type CallState string

// The states of a call.
const (
	CallDraft    CallState = "draft"    // being prepared by the Office; not shown to organizations
	CallOpen     CallState = "open"     // organizations fill and submit
	CallClosed   CallState = "closed"   // no more submissions; the Office reviews and compiles
	CallReported CallState = "reported" // the Office has reported on it
)

// CallStates lists the states in their order.
var CallStates = []CallState{CallDraft, CallOpen, CallClosed, CallReported}

// Audience says which organizations a call asks to answer.
type Audience struct {
	AllMemberStates bool     // every UN Member State
	Groups          []string // the Member States of these regional groups
	Organizations   []string // these organizations or States, by code
}

// Includes reports whether the audience includes o.
func (a Audience) Includes(o Organization) bool {
	if a.AllMemberStates && o.Kind == MemberState {
		return true
	}
	if slices.Contains(a.Organizations, o.Code) {
		return true
	}
	if o.Kind == MemberState {
		for _, g := range o.RegionalGroups {
			if slices.Contains(a.Groups, g) {
				return true
			}
		}
	}
	return false
}

// Asks reports whether the call asks o to answer it. It is the one rule
// of who answers a call: the organization's pages of a call, Decide and
// the store's counts (tracking, statistics, exports, views, reports) all
// apply it (the store in SQL, held to this rule by its tests).
func (c Call) Asks(o Organization) bool { return c.Audience.Includes(o) }

// ShownTo reports whether the call exists, for u, on the pages of o's
// answer to it: only when the call asks o, and, while the call is in
// preparation, for the Office alone.
func (c Call) ShownTo(u *User, o Organization) bool {
	return c.Asks(o) && (c.State != CallDraft || u.Can(ViewOffice, 0))
}

// SubmissionState is where an organization's answer to a call stands.
type SubmissionState string

// The states of an organization's answer to a call.
const (
	NotStarted SubmissionState = "not_started" // nothing saved yet
	InDraft    SubmissionState = "draft"       // saved, not submitted (or withdrawn)
	Submitted  SubmissionState = "submitted"   // submitted; the Office reviews it
	Returned   SubmissionState = "returned"    // the Office asks for clarification; editable again
	Accepted   SubmissionState = "accepted"    // the Office accepted it
)

// SubmissionStates lists the states in their order.
var SubmissionStates = []SubmissionState{NotStarted, InDraft, Submitted, Returned, Accepted}

// Editable reports whether the answers may be changed in state s.
func (s SubmissionState) Editable() bool {
	return s == NotStarted || s == InDraft || s == Returned
}

// Transition is a change of a submission's state.
type Transition string

// The transitions.
const (
	TransitionSubmit   Transition = "submit"   // a focal point submits (or resubmits after a return)
	TransitionWithdraw Transition = "withdraw" // a focal point takes a submission back, before the deadline, while the call is open
	TransitionAccept   Transition = "accept"   // the Office accepts
	TransitionReturn   Transition = "return"   // the Office returns it for clarification
)

// TransitionRequest asks for a transition of an organization's answer to a
// call: who asks, when, and what goes with it.
type TransitionRequest struct {
	Call          Call
	Questionnaire *Questionnaire
	Organization  OrganizationRef
	User          *User // who asks; Decide judges them
	Transition    Transition
	At            time.Time
	// OnBehalfOf are the Member States a joint submission answers for
	// (TransitionSubmit only), each as the Office recorded it.
	OnBehalfOf []string
	// Message, when set, is posted as a comment with the transition (a
	// return for clarification says what to clarify).
	Message string
	Actor   Actor // what the audit log names
	// Entry, when set, makes a submission (TransitionSubmit only) the
	// Office's entry of what the organization sent it, on its behalf:
	// decided on EnterOnBehalf rather than Submit.
	Entry *OfficeEntry
}

// The channels by which an organization's answers reach the Office when
// the Office enters them on its behalf.
const (
	ChannelEmail = "email"
	ChannelPost  = "post"
	ChannelFax   = "fax"
	ChannelOther = "other"
)

// Channels lists the channels, in the order a form offers them.
var Channels = []string{ChannelEmail, ChannelPost, ChannelFax, ChannelOther}

// MaxReceivedFrom is the length, in characters, of OfficeEntry.ReceivedFrom.
const MaxReceivedFrom = 200

// OfficeEntry says how answers the Office entered on an organization's
// behalf reached it: by which channel, on which day, from whom ("the
// Ministry of Interior"). It is recorded on the submitted version.
type OfficeEntry struct {
	Channel      string    // one of Channels
	ReceivedOn   time.Time // the day, at midnight UTC
	ReceivedFrom string
}

// Validate checks an entry as the Office writes it at time now: a known
// channel, a day received neither zero nor after now, and who sent it,
// named in at most MaxReceivedFrom characters. The error is KindInvalid,
// its Fields (channel, received_on, received_from) saying what to do.
func (e OfficeEntry) Validate(now time.Time) error {
	fields := map[string]string{}
	if !slices.Contains(Channels, e.Channel) {
		fields["channel"] = "entry.error.channel"
	}
	if e.ReceivedOn.IsZero() {
		fields["received_on"] = "entry.error.date"
	} else if e.ReceivedOn.After(now) {
		fields["received_on"] = "entry.error.future"
	}
	switch n := len([]rune(strings.TrimSpace(e.ReceivedFrom))); {
	case n == 0:
		fields["received_from"] = "entry.error.from"
	case n > MaxReceivedFrom:
		fields["received_from"] = "entry.error.from.long"
	}
	if len(fields) > 0 {
		return &Error{Kind: KindInvalid, Message: "invalid entry on behalf", Fields: fields}
	}
	return nil
}

// TakesEntries reports whether the Office may enter answers to the call on
// an organization's behalf while its submission is in state from: as the
// organization itself could submit (Decide), while the call is open, and
// after a return for clarification while the Office still reviews it.
func (c Call) TakesEntries(from SubmissionState) bool {
	return c.State == CallOpen || (c.State == CallClosed && from == Returned)
}

// Validate checks what a transition carries, apart from who asks and the
// state (Decide): a return for clarification must say what to clarify.
// The error is KindInvalid with the field "message" at fault.
func (r TransitionRequest) Validate() error {
	if r.Transition == TransitionReturn && strings.TrimSpace(r.Message) == "" {
		return &Error{Kind: KindInvalid, Message: "a return for clarification without a message", Fields: map[string]string{"message": "message.error.empty"}}
	}
	if r.Entry != nil {
		if r.Transition != TransitionSubmit || len(r.OnBehalfOf) > 0 {
			return Errorf(KindInvalid, "an entry on behalf is a submission of one organization's answers")
		}
		return r.Entry.Validate(r.At)
	}
	return nil
}

// Decide is Decide for the request's user, transition and time, on its
// organization (org, with what its audience is made of) whose submission
// is in state from: an Entry is decided on EnterOnBehalf.
func (r TransitionRequest) Decide(org Organization, from SubmissionState) (SubmissionState, error) {
	if r.Entry != nil && r.Transition == TransitionSubmit {
		return decide(r.User, EnterOnBehalf, org, r.Call, from, r.Transition, r.At)
	}
	return Decide(r.User, org, r.Call, from, r.Transition, r.At)
}

// Transitions lists every transition.
var Transitions = []Transition{TransitionSubmit, TransitionWithdraw, TransitionAccept, TransitionReturn}

// transitions is the state machine: from a state, by a transition, to a state.
var transitions = map[SubmissionState]map[Transition]SubmissionState{
	NotStarted: {TransitionSubmit: Submitted},
	InDraft:    {TransitionSubmit: Submitted},
	Returned:   {TransitionSubmit: Submitted},
	Submitted:  {TransitionWithdraw: InDraft, TransitionAccept: Accepted, TransitionReturn: Returned},
	Accepted:   {},
}

// Next returns the state a transition leads to from s, and false when the
// transition is not possible from s.
func (s SubmissionState) Next(t Transition) (SubmissionState, bool) {
	to, ok := transitions[s][t]
	return to, ok
}

// Action returns what a user must be allowed to do for t: submitting and
// withdrawing are the organization's focal point's; accepting and
// returning are the Office's.
func (t Transition) Action() Action {
	switch t {
	case TransitionSubmit, TransitionWithdraw:
		return Submit
	default:
		return Review
	}
}

// Decide says whether u may make transition t on the organization org's
// submission, now in state from, for call c at time now; it returns the
// new state, or an error of kind KindNotFound (the call does not ask org),
// KindForbidden (the user may not) or KindConflict (not from this state,
// or not at this time) whose message says why.
func Decide(u *User, org Organization, c Call, from SubmissionState, t Transition, now time.Time) (SubmissionState, error) {
	return decide(u, t.Action(), org, c, from, t, now)
}

// DecideEntry is Decide for the Office's submission of org's answers on
// its behalf: EnterOnBehalf instead of Submit, and the same rules of state
// and time.
func DecideEntry(u *User, org Organization, c Call, from SubmissionState, now time.Time) (SubmissionState, error) {
	return decide(u, EnterOnBehalf, org, c, from, TransitionSubmit, now)
}

func decide(u *User, a Action, org Organization, c Call, from SubmissionState, t Transition, now time.Time) (SubmissionState, error) {
	if !c.Asks(org) {
		return from, Errorf(KindNotFound, "call %s does not ask %s", c.Key, org.Code)
	}
	if !u.Can(a, org.ID) {
		return from, Errorf(KindForbidden, "%s is not yours to do", t)
	}
	to, ok := from.Next(t)
	if !ok {
		return from, Errorf(KindConflict, "cannot %s a submission that is %s", t, from)
	}
	switch {
	case t == TransitionSubmit && from == Returned:
		// An answer to the Office's request for clarification, which the
		// Office makes when it reviews, often after the deadline: taken
		// whenever it comes, while the Office still reviews the call.
		if c.State != CallOpen && c.State != CallClosed {
			return from, Errorf(KindConflict, "the call is %s", c.State)
		}
	case t == TransitionSubmit:
		if c.State != CallOpen {
			return from, Errorf(KindConflict, "the call is %s", c.State)
		}
		if c.Late(now) && !c.LateAllowed {
			return from, Errorf(KindConflict, "the deadline has passed")
		}
	case t == TransitionWithdraw:
		// Once the Office has closed the call, it counts what was
		// submitted: taken back, it could not be submitted again.
		if c.State != CallOpen {
			return from, Errorf(KindConflict, "the call is %s", c.State)
		}
		if c.Late(now) {
			return from, Errorf(KindConflict, "the deadline has passed")
		}
	}
	return to, nil
}

// Late reports whether now is past the call's deadline.
func (c Call) Late(now time.Time) bool { return !c.Deadline.IsZero() && now.After(c.Deadline) }

// Location returns the call's time zone, UTC when it names none known.
func (c Call) Location() *time.Location {
	if loc, err := time.LoadLocation(c.TimeZone); err == nil && c.TimeZone != "" {
		return loc
	}
	return time.UTC
}

// SubmissionVersion is one submitted, frozen version of an organization's
// answers, with its receipt.
type SubmissionVersion struct {
	Number      int
	Reference   string // the receipt's number, such as CCPCJ22-P4-AUT-1
	SubmittedAt time.Time
	SubmittedBy string
	Late        bool
	Checksum    string // SHA-256 of the content (see Checksum), hex
	Answers     Answers
	Files       map[int64]FileInfo
	// OnBehalfOf lists the States a joint submission answers for, by code.
	OnBehalfOf []string
	// Entry is set when the Office entered the version on the
	// organization's behalf (SubmittedBy is then the analyst).
	Entry *OfficeEntry
	// Questionnaire and QuestionnaireVersion name the questionnaire the
	// version was made with, and Years its reporting years: the version is
	// always read with them, whatever becomes of its call.
	Questionnaire        string
	QuestionnaireVersion int
	Years                []int
}

// Reference is the receipt number of version n of an organization's
// submission to a call: the call's reference, the organization's code and n.
func Reference(c Call, orgCode string, n int) string {
	prefix := c.Reference
	if prefix == "" {
		prefix = strings.ToUpper(c.Key)
	}
	return prefix + "-" + orgCode + "-" + strconv.Itoa(n)
}

// Checksum returns the SHA-256 of answers and files, hex: every field in
// key order with its content, then every file's id and SHA-256, so that the
// same content always gives the same sum and any change another.
func Checksum(a Answers, files map[int64]FileInfo) string {
	h := sha256.New()
	for _, f := range a.Fields() {
		h.Write([]byte(f))
		h.Write([]byte{0})
		h.Write([]byte(a.Field(f)))
		h.Write([]byte{0})
	}
	ids := make([]int64, 0, len(files))
	for id := range files {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		h.Write([]byte(strconv.FormatInt(id, 10) + ":" + files[id].SHA256 + "\x00"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Diff returns the fields whose content differs between two versions'
// answers, in key order, as changes from a to b.
func Diff(a, b Answers) []Change {
	keys := append(a.Fields(), b.Fields()...)
	slices.Sort(keys)
	keys = slices.Compact(keys)
	var out []Change
	for _, k := range keys {
		if x, y := a.Field(k), b.Field(k); x != y {
			out = append(out, Change{Field: k, Old: x, New: y})
		}
	}
	return out
}

// Comment is a message between the Office and an organization about a
// submission: on the whole (Field "") or on one field (a question, a cell).
type Comment struct {
	ID      int64
	Version int    // the version it was written about
	Field   string // "" for the thread
	Author  string
	Office  bool // written by the Office
	Body    string
	At      time.Time
}

// Submission is an organization's answer to a call: where it stands, and
// its submitted versions (without their answers), oldest first.
type Submission struct {
	DraftID        int64
	State          SubmissionState
	DraftVersion   int
	UpdatedAt      time.Time
	UpdatedBy      string
	StateChangedAt time.Time
	Versions       []SubmissionVersion
}

// Latest returns the last submitted version, and false when there is none.
func (s Submission) Latest() (SubmissionVersion, bool) {
	if len(s.Versions) == 0 {
		return SubmissionVersion{}, false
	}
	return s.Versions[len(s.Versions)-1], true
}

// Response is one organization's line in a call's response tracking.
type Response struct {
	Organization Organization
	State        SubmissionState
	Late         bool      // the last version came after the deadline
	LastActivity time.Time // the last save or change of state; zero when none
	StateSince   time.Time // when the answer entered its state (submitted, returned, …); zero when it never changed
	Reference    string    // the last version's receipt number
	Versions     int
	CoveredBy    string // the organization whose joint submission answers for this State
	Changes      int    // fields changed in the draft since the last submission
	// Entry is set when the Office entered the last version on the organization's behalf.
	Entry *OfficeEntry
}

// Answered reports whether the organization has submitted (or been covered by a joint submission).
func (r Response) Answered() bool {
	return r.State == Submitted || r.State == Accepted || r.State == Returned || r.CoveredBy != ""
}

// Validate checks a call as the Office writes it, and returns an error of
// kind KindInvalid whose Fields say, for each field at fault (key,
// reference, title, questionnaire, years, deadline, time_zone, audience,
// state), what to do; nil when it is fine. q is the questionnaire the call
// names, nil when there is no such questionnaire.
func (c Call) Validate(q *Questionnaire) error {
	fields := map[string]string{}
	if !keyPattern(c.Key) {
		fields["key"] = "call.invalid.key"
	}
	for _, r := range c.Reference {
		if !('A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-') || len(c.Reference) > 30 {
			fields["reference"] = "call.invalid.reference"
			break
		}
	}
	if strings.TrimSpace(c.Title[English]) == "" {
		fields["title"] = "call.invalid.title"
	}
	hasTables := false
	if q == nil {
		fields["questionnaire"] = "call.invalid.questionnaire"
	} else {
		for _, s := range q.Sections {
			for _, qq := range s.Questions {
				hasTables = hasTables || qq.Kind == StatTable
			}
		}
	}
	switch {
	case hasTables && len(c.Years) == 0:
		fields["years"] = "call.invalid.years.missing"
	case len(c.Years) > 30:
		fields["years"] = "call.invalid.years.many"
	}
	for i, y := range c.Years {
		if y < 1950 || y > 2100 || i > 0 && y <= c.Years[i-1] {
			fields["years"] = "call.invalid.years"
		}
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil || c.TimeZone == "" {
		fields["time_zone"] = "call.invalid.timezone"
	}
	if c.State != CallDraft && c.Deadline.IsZero() {
		fields["deadline"] = "call.invalid.deadline.missing"
	}
	if !c.Opens.IsZero() && !c.Deadline.IsZero() && !c.Deadline.After(c.Opens) {
		fields["deadline"] = "call.invalid.deadline.order"
	}
	if !c.Audience.AllMemberStates && len(c.Audience.Groups) == 0 && len(c.Audience.Organizations) == 0 {
		fields["audience"] = "call.invalid.audience"
	}
	if !slices.Contains(CallStates, c.State) {
		fields["state"] = "call.invalid.state"
	}
	if !ValidReminders(c.Reminders) {
		fields["reminders"] = "call.invalid.reminders"
	}
	if len(fields) > 0 {
		return &Error{Kind: KindInvalid, Message: "invalid call", Fields: fields}
	}
	return nil
}

// keyPattern says whether s is a call's key: [a-z0-9][a-z0-9-]{0,62}.
func keyPattern(s string) bool {
	if s == "" || len(s) > 63 || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !('a' <= b && b <= 'z' || '0' <= b && b <= '9' || b == '-') {
			return false
		}
	}
	return true
}

// StatRow is one value of a submitted statistics table, with who reported
// it: a row of the long dataset.
type StatRow struct {
	Organization Organization // code, M49, names, regional groups
	ISO2, Region string
	Cell         CellRef
	Value        Cell
	Reference    string // the receipt of the version it comes from
	Version      int
	State        SubmissionState
}

// Series names one series of a statistics questionnaire: a table, a
// row and a column (the total, usually).
type Series struct {
	Question, Row, Category string
}

// SeriesValue is one State's figure for one year of an indicator, with
// its population that year: the one it reported, else the Office's
// (PopulationSource says which; Population is 0 when there is none).
type SeriesValue struct {
	Organization     Organization
	Year             int
	Value            int64
	Population       int64
	PopulationSource string // PopulationReported or PopulationOffice, "" without a population
	// Origin is "" for a figure of the call's own submissions; else where
	// the figure across calls and imports comes from (forms/figures.go).
	Origin Origin
	// Past is that figure across calls and imports, when Origin is set.
	Past *Figure
}

// Rate is the value per 100,000 inhabitants, and false without a population.
func (v SeriesValue) Rate() (float64, bool) {
	if v.Population <= 0 {
		return 0, false
	}
	return float64(v.Value) * 100000 / float64(v.Population), true
}

// Aggregate is an indicator summed over a regional group (or the world,
// Group "") for a year, with its coverage: how many of the group's States
// reported it, out of how many the call asked.
type Aggregate struct {
	Group      string
	Year       int
	Reporting  int
	Asked      int
	Sum        int64
	MedianRate float64 // the median of the reporting States' rates
	Rated      int     // how many of them had a population to give a rate
}

// ViewAnswer is one organization's answer to a question other than a
// table, in the latest version of its submission: for the compiled views.
type ViewAnswer struct {
	Organization Organization
	Question     string
	Answer       Answer
	Reference    string
	State        SubmissionState
	// Matched: the answer's own text matches the words searched for (every
	// answer does when none are).
	Matched bool
}

// CoverageRow says how much of each table one respondent filled: by
// table key, the cells holding a figure and those marked not available
// or not applicable.
type CoverageRow struct {
	Organization Organization
	State        SubmissionState
	Reference    string
	Figures      map[string]int
	Marked       map[string]int
}
