package forms

import (
	"slices"
	"strings"
	"time"
)

// Representation is the Office's record, for one call, that an
// intergovernmental organization answers on behalf of some of its Member
// States (the European Union for Belgium, Luxembourg and the Netherlands,
// say). Only the States it names may be covered by the organization's
// joint answer to that call; a State covered still may answer itself.
type Representation struct {
	Organization Organization
	States       []Organization // by code
	RecordedBy   string         // who last added to it
	RecordedAt   time.Time
}

// Codes returns the codes of the States represented, in order.
func (r Representation) Codes() []string {
	out := make([]string, len(r.States))
	for i, s := range r.States {
		out[i] = s.Code
	}
	return out
}

// Covers reports whether the record names the State with that code.
func (r Representation) Covers(code string) bool {
	return slices.ContainsFunc(r.States, func(s Organization) bool { return s.Code == code })
}

// Cover says that an organization's joint answer to a call covers a State:
// the organization, and the receipt of its latest version when that
// version answers for the State ("" while the joint answer is not
// submitted, or leaves the State out).
type Cover struct {
	Organization Organization
	Reference    string
}

// asksForJoint is the audience rule joint answers follow: whether call c
// asks organization o to answer (Call.Asks). It is the one place this file asks it.
func asksForJoint(c Call, o Organization) bool { return c.Asks(o) }

// MayAnswerJointly reports whether org may answer call c on behalf of
// Member States, once the Office records which: an intergovernmental
// organization the call asks.
func (c Call) MayAnswerJointly(org Organization) bool {
	return org.Kind == Intergovernmental && asksForJoint(c, org)
}

// Why a joint answer's record or submission is refused: the catalogue IDs
// CheckRepresentation and CheckOnBehalfOf put in an Error's Fields.
const (
	JointNotOrganization = "joint.invalid.organization"       // only an intergovernmental organization answers for States
	JointOrgNotAsked     = "joint.invalid.organization.asked" // the call does not ask the organization
	JointNoStates        = "joint.invalid.states"             // no State named
	JointUnknown         = "joint.invalid.state.unknown"      // no such code
	JointNotMemberState  = "joint.invalid.state.kind"         // not a Member State
	JointStateNotAsked   = "joint.invalid.state.asked"        // the call does not ask the State
	JointTaken           = "joint.invalid.state.taken"        // another organization answers for it already
	JointNotRecorded     = "joint.refused.notrecorded"        // a submission names a State the record does not
	JointFieldPrefix     = "state:"                           // Fields key of a State's problem: "state:" + code
	JointFieldOrg        = "organization"                     // Fields key of the organization's problem
	JointFieldStates     = "states"                           // Fields key when no State is named
	JointFieldOnBehalfOf = "on_behalf_of"                     // Fields key of a submission's refused States
)

const (
	jointInvalidMessage = "invalid record of a joint answer"
	jointRefusedMessage = "the answer names States it may not answer for"
)

// CheckRepresentation says whether the Office may record that org answers
// call c on behalf of states (unknown lists the codes that name no
// organization at all), given the records the call already has. It
// returns nil, or an error of kind KindInvalid whose Fields say what is
// wrong: JointFieldOrg for the organization (not an intergovernmental
// organization, or not asked by the call), JointFieldPrefix+code for each
// State refused (JointFieldStates when none is named; unknown, not a Member State, not asked by the call, or
// already represented by another organization), with the catalogue IDs
// above. A State the organization already represents is no problem.
func (c Call) CheckRepresentation(org Organization, states []Organization, unknown []string, existing []Representation) error {
	fields := map[string]string{}
	switch {
	case org.Kind != Intergovernmental:
		fields[JointFieldOrg] = JointNotOrganization
	case !asksForJoint(c, org):
		fields[JointFieldOrg] = JointOrgNotAsked
	}
	if len(states) == 0 && len(unknown) == 0 {
		fields[JointFieldStates] = JointNoStates
	}
	for _, code := range unknown {
		fields[JointFieldPrefix+code] = JointUnknown
	}
	for _, s := range states {
		switch {
		case s.Kind != MemberState:
			fields[JointFieldPrefix+s.Code] = JointNotMemberState
		case !asksForJoint(c, s):
			fields[JointFieldPrefix+s.Code] = JointStateNotAsked
		default:
			for _, r := range existing {
				if r.Organization.Code != org.Code && r.Covers(s.Code) {
					fields[JointFieldPrefix+s.Code] = JointTaken
				}
			}
		}
	}
	if len(fields) > 0 {
		return &Error{Kind: KindInvalid, Message: jointInvalidMessage, Fields: fields}
	}
	return nil
}

// JointStates returns the States of rec (the organization's record for
// call c) that its answer may cover now: those the call still asks, as
// Member States, in rec's order.
func (c Call) JointStates(rec Representation) []Organization {
	if !c.MayAnswerJointly(rec.Organization) {
		return nil
	}
	var out []Organization
	for _, s := range rec.States {
		if s.Kind == MemberState && asksForJoint(c, s) {
			out = append(out, s)
		}
	}
	return out
}

// CheckOnBehalfOf says whether a submission to call c by the organization
// whose record is rec may answer on behalf of the States named by codes:
// each must be one of c.JointStates(rec). The submitter chooses among
// them (all, some or none); anything else, whoever submits, is refused
// with an error of kind KindInvalid whose Fields[JointFieldOnBehalfOf] is
// JointNotRecorded and whose message names the codes refused.
func (c Call) CheckOnBehalfOf(rec Representation, codes []string) error {
	allowed := c.JointStates(rec)
	var refused []string
	for _, code := range codes {
		if !slices.ContainsFunc(allowed, func(s Organization) bool { return s.Code == code }) {
			refused = append(refused, code)
		}
	}
	if len(refused) > 0 {
		return &Error{Kind: KindInvalid, Message: jointRefusedMessage + ": " + strings.Join(refused, ", "),
			Fields: map[string]string{JointFieldOnBehalfOf: JointNotRecorded}}
	}
	return nil
}
