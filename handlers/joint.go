package handlers

import (
	"errors"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/forms"
	"portal/templates/views"
)

// Joint answers: the Office records, per call, which intergovernmental
// organization answers on behalf of which Member States (on the call's
// tracking page); the organization's submission page offers those States,
// checked, to confirm; the States covered see it on their pages.

// maxJointStates bounds the States one form may name: there are 193
// Member States.
const maxJointStates = 200

// maxJointText bounds the text of the form's list of States: 200 codes
// and their separators fit with room.
const maxJointText = 2000

// jointForm is the tracking page's form that adds to a record, with what
// was typed and each problem when it is refused.
type jointForm struct {
	Action, RemoveAction string
	Organization, States string
	Organizations        []option // the intergovernmental organizations the call asks
	Errors               []string // in the page's language
	OrgError, StateError string
}

// jointView is one organization's record as the tracking page lists it.
type jointView struct {
	Code, Name, RecordedBy, RecordedAt string
	States                             []jointState
}

type jointState struct {
	Code, Name  string
	RemoveLabel string // the remove button's name for screen readers: which State, from whose record
}

// jointStatesOf splits what the Office typed into State codes, upper-cased,
// each once, in the order typed; false when there are more than maxJointStates.
func jointStatesOf(s string) ([]string, bool) {
	var out []string
	for _, code := range strings.FieldsFunc(strings.ToUpper(s), func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r' }) {
		if !slices.Contains(out, code) {
			out = append(out, code)
		}
		if len(out) > maxJointStates {
			return nil, false
		}
	}
	return out, true
}

// jointViews lists a call's records for the tracking page, and fills the
// form's choice of organizations.
func (s *Server) jointViews(c *gin.Context, b *basePage, call forms.Call, f *jointForm) ([]jointView, error) {
	ctx := c.Request.Context()
	reps, err := s.store.Representations(ctx, call)
	if err != nil {
		return nil, err
	}
	orgs, err := s.store.Organizations(ctx, forms.Intergovernmental)
	if err != nil {
		return nil, err
	}
	f.Action, f.RemoveAction = "/office/calls/"+call.Key+"/joint", "/office/calls/"+call.Key+"/joint/remove"
	f.Organizations = nil
	for _, o := range orgs {
		if call.MayAnswerJointly(o) {
			f.Organizations = append(f.Organizations, option{o.Code, o.Name.In(b.Lang)})
		}
	}
	out := make([]jointView, 0, len(reps))
	for _, r := range reps {
		v := jointView{Code: r.Organization.Code, Name: r.Organization.Name.In(b.Lang), RecordedBy: r.RecordedBy,
			RecordedAt: b.Timestamp(r.RecordedAt)}
		for _, st := range r.States {
			v.States = append(v.States, jointState{Code: st.Code, Name: st.Name.In(b.Lang),
				RemoveLabel: b.Tf("joint.remove.label", map[string]string{"State": st.Name.In(b.Lang), "Organization": v.Name})})
		}
		out = append(out, v)
	}
	return out, nil
}

// recordJoint adds States to an organization's record for the call. What
// may not be recorded is shown on the tracking page, at the form, with
// what was typed; nothing of it is recorded.
func (s *Server) recordJoint(c *gin.Context) error {
	ctx := c.Request.Context()
	call := scopeOf(c).call
	f := jointForm{Organization: strings.ToUpper(strings.TrimSpace(c.PostForm("organization"))), States: c.PostForm("states")}
	// A list longer than 200 codes can be is refused, not cut short: a
	// list cut would record fewer States than typed, unsaid. What comes
	// back in the box is bounded.
	var codes []string
	ok := false
	if len(f.States) <= maxJointText {
		codes, ok = jointStatesOf(f.States)
	} else {
		f.States = strings.ToValidUTF8(f.States[:maxJointText], "")
	}
	if !ok {
		return s.renderTracking(c, call, f, map[string]string{forms.JointFieldStates: "joint.invalid.many"}, http.StatusUnprocessableEntity)
	}
	err := s.store.Represent(ctx, call, f.Organization, codes, s.actor(c))
	if forms.KindOf(err) == forms.KindInvalid {
		var fe *forms.Error
		fields := map[string]string{forms.JointFieldOrg: forms.JointNotOrganization}
		if errors.As(err, &fe) && len(fe.Fields) > 0 {
			fields = fe.Fields
		}
		return s.renderTracking(c, call, f, fields, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	s.flash(c, "joint.recorded")
	c.Redirect(http.StatusSeeOther, "/office/calls/"+call.Key+"#joint")
	return nil
}

// removeJoint takes a State out of an organization's record for the call.
func (s *Server) removeJoint(c *gin.Context) error {
	ctx := c.Request.Context()
	call := scopeOf(c).call
	org, state := strings.ToUpper(c.PostForm("organization")), strings.ToUpper(c.PostForm("state"))
	if !codePattern.MatchString(org) || !codePattern.MatchString(state) {
		return forms.Errorf(forms.KindInvalid, "no organization or State named")
	}
	switch err := s.store.Unrepresent(ctx, call, org, state, s.actor(c)); forms.KindOf(err) {
	case forms.KindNotFound: // removed meanwhile, by another analyst: the page shows what is left
	default:
		if err != nil {
			return err
		}
	}
	s.flash(c, "joint.removed")
	c.Redirect(http.StatusSeeOther, "/office/calls/"+call.Key+"#joint")
	return nil
}

// jointErrors writes a refused record's problems in the page's language:
// the organization's, the States' (each named), in that order.
func jointErrors(b *basePage, fields map[string]string, f *jointForm) {
	if id, ok := fields[forms.JointFieldOrg]; ok {
		f.OrgError = b.T(id)
		f.Errors = append(f.Errors, f.OrgError)
	}
	if id, ok := fields[forms.JointFieldStates]; ok {
		f.StateError = b.T(id)
		f.Errors = append(f.Errors, f.StateError)
	}
	var codes []string
	for k := range fields {
		if code, ok := strings.CutPrefix(k, forms.JointFieldPrefix); ok {
			codes = append(codes, code)
		}
	}
	sort.Strings(codes)
	var states []string
	for _, code := range codes {
		states = append(states, b.Tf(fields[forms.JointFieldPrefix+code], map[string]string{"Code": code}))
	}
	if len(states) > 0 {
		f.StateError = strings.Join(states, " ")
		f.Errors = append(f.Errors, states...)
	}
}

// jointChoice is what an organization's submission page offers: the
// Member States the Office records it as answering for in this call,
// each checked, to confirm (or uncheck) on submitting.
func (s *Server) jointChoice(c *gin.Context, b *basePage, dc *scope) ([]views.Option, error) {
	reps, err := s.store.Representations(c.Request.Context(), dc.call)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(reps, func(r forms.Representation) bool { return r.Organization.ID == dc.org.ID })
	if i < 0 {
		return nil, nil
	}
	var out []views.Option
	for _, st := range dc.call.JointStates(reps[i]) {
		out = append(out, views.Option{Value: st.Code, Label: st.Name.In(b.Lang), ID: "on-behalf-of-" + st.Code, Checked: true})
	}
	slices.SortFunc(out, func(a, b views.Option) int { return strings.Compare(a.Label, b.Label) })
	return out, nil
}

// coverNotice says, on a State's pages, that an organization answers the
// call on its behalf: submitted (with the joint answer's receipt) or not
// yet. "" when none does.
func coverNotice(b *basePage, cv forms.Cover, ok bool) string {
	if !ok {
		return ""
	}
	args := map[string]string{"Organization": cv.Organization.Name.In(b.Lang), "Reference": cv.Reference}
	if cv.Reference != "" {
		return b.Tf("joint.covered", args)
	}
	return b.Tf("joint.covered.pending", args)
}

// onBehalfOfPosted reads the States a submission says it answers for:
// codes only, each once, at most maxJointStates (the rest is refused by
// the record anyway).
func onBehalfOfPosted(c *gin.Context) []string {
	var out []string
	for _, code := range c.PostFormArray("on_behalf_of") {
		code = strings.ToUpper(strings.TrimSpace(code))
		if !slices.Contains(out, code) && len(out) <= maxJointStates {
			if !codePattern.MatchString(code) {
				code = "?" // named, but no code: refused with the rest
			}
			out = append(out, code)
		}
	}
	return out
}
