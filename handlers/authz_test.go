package handlers

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"portal/forms"
	"portal/forms/demo"
)

// authzUser is a kind of user the authorization matrix tries every route as.
type authzUser int

const (
	asAnonymous  authzUser = iota
	asFpAUT                // focal point of AUT, the organization of the routes
	asContribAUT           // contributor of AUT
	asFpKEN                // focal point of another organization
	asAnalyst              // the Office
	asCommission           // the Commission
	asAdmin                // the Office, managing users
	asNoRole               // signed in, no role yet
)

var authzUsers = []authzUser{asAnonymous, asFpAUT, asContribAUT, asFpKEN, asAnalyst, asCommission, asAdmin, asNoRole}

// authzSubject is the development provider's account each kind of user signs in as.
var authzSubject = map[authzUser]string{
	asFpAUT:      "demo-fp-aut",
	asContribAUT: "demo-contrib-aut",
	asFpKEN:      "demo-fp-ken",
	asAnalyst:    "demo-analyst",
	asCommission: "demo-commission",
	asAdmin:      "demo-admin",
	asNoRole:     "demo-newcomer",
}

func (w authzUser) String() string {
	if w == asAnonymous {
		return "anonymous"
	}
	return authzSubject[w]
}

// outcome is what one user must get from one route.
type outcome struct {
	status   int    // exact status, or statusPermitted, or statusSignInFirst
	location string // when set, the Location header (relative to the portal) must start with it
}

// Statuses that are not one number.
const (
	// statusPermitted: the access check let the request through; any answer but a
	// refusal (401, 403, 404, a redirect to sign in) or a failure (5xx, 429).
	statusPermitted = 0
	// statusSignInFirst: a visitor who is not signed in is sent to sign in (GET,
	// 303 to /signin?next=…) or refused (POST, 403).
	statusSignInFirst = -1
)

var (
	letThrough   = outcome{status: statusPermitted}
	sentToSignIn = outcome{status: statusSignInFirst}
	refused404   = outcome{status: http.StatusNotFound}  // the organization's data is not revealed
	refused403   = outcome{status: http.StatusForbidden} // the Office's and Commission's pages
)

// accessRule maps each kind of user to what they must get.
type accessRule map[authzUser]outcome

// restricted is a route of the signed-in part: anonymous visitors are sent to
// sign in, the users in ok are let through, every other user gets refusal.
func restricted(refusal outcome, ok ...authzUser) accessRule {
	a := accessRule{asAnonymous: sentToSignIn}
	for _, w := range authzUsers[1:] {
		a[w] = refusal
		if slices.Contains(ok, w) {
			a[w] = letThrough
		}
	}
	return a
}

// public is a route everyone gets the same status from.
func public(status int) accessRule {
	a := accessRule{}
	for _, w := range authzUsers {
		a[w] = outcome{status: status}
	}
	return a
}

// with returns a copy of a in which u gets w.
func (a accessRule) with(u authzUser, w outcome) accessRule {
	b := accessRule{}
	for k, v := range a {
		b[k] = v
	}
	b[u] = w
	return b
}

// orSignedIn returns a copy of a in which every signed-in user gets w.
func (a accessRule) orSignedIn(w outcome) accessRule {
	b := accessRule{}
	for k, v := range a {
		b[k] = v
	}
	for _, u := range authzUsers[1:] {
		b[u] = w
	}
	return b
}

// The access rules of the portal, as the route groups of server.go intend them.
var (
	anySignedIn         = restricted(letThrough, authzUsers[1:]...)
	orgMembersAndOffice = restricted(refused404, asFpAUT, asContribAUT, asAnalyst, asAdmin)
	// A member who may see the organization but not invite is told so (403);
	// an outsider is told there is nothing there (404).
	orgInviters         = restricted(refused404, asFpAUT, asAnalyst, asAdmin).with(asContribAUT, refused403)
	officeOnly          = restricted(refused403, asAnalyst, asAdmin)
	adminOnly           = restricted(refused403, asAdmin)
	commissionAndOffice = restricted(refused403, asCommission, asAnalyst, asAdmin)
	// switching to AUT: signed in, and then only its members (404 otherwise).
	orgMembersOnly = restricted(refused404, asFpAUT, asContribAUT)
	// Editing a draft: its members; the Office reads it but may not change it.
	orgEditors = restricted(refused404, asFpAUT, asContribAUT).with(asAnalyst, refused403).with(asAdmin, refused403)
	// Entering answers on an organization's behalf and submitting them: the Office (forms.EnterOnBehalf).
	officeEnterers = restricted(refused403, asAnalyst, asAdmin)
	// Submitting and withdrawing: the focal point alone.
	orgSubmitters = restricted(refused404, asFpAUT).with(asContribAUT, refused403).with(asAnalyst, refused403).with(asAdmin, refused403)
)

// authzTable is the expected access to every route the portal registers,
// keyed by "METHOD /pattern". A route missing here fails the test.
var authzTable = map[string]accessRule{
	// Machines.
	"GET /healthz":       public(http.StatusOK),
	"GET /readyz":        public(http.StatusOK),
	"GET /metrics":       public(http.StatusOK),
	"GET /static/*file":  public(http.StatusOK),
	"HEAD /static/*file": public(http.StatusOK),

	// Public pages.
	"GET /":               public(http.StatusOK),
	"GET /language/:code": public(http.StatusSeeOther),
	"GET /zone":           public(http.StatusSeeOther),
	"GET /signin":         accessRule{asAnonymous: {http.StatusSeeOther, DevIdPPath + "/authorize?"}}.orSignedIn(outcome{http.StatusSeeOther, "/home"}),
	"GET /auth/callback":  public(http.StatusBadRequest), // no sign-in started
	"GET /signed-out":     public(http.StatusOK),
	"POST /signout":       public(http.StatusSeeOther),

	// The development identity provider and its account picker.
	"GET " + DevIdPPath + "/*path":     public(http.StatusOK),
	"POST " + DevIdPPath + "/*path":    public(http.StatusOK),         // the provider answers discovery to any method
	"GET " + DevSignInPath:             public(http.StatusBadRequest), // no pending request id
	"POST " + DevSignInPath:            public(http.StatusBadRequest), // no pending request id
	"GET " + DevMailPath:               public(http.StatusOK),
	"GET " + DevMailPath + "/:id":      public(http.StatusNotFound), // nothing kept
	"GET " + DevMailPath + "/:id/html": public(http.StatusNotFound),

	// Signed in.
	"GET /home":          anySignedIn,
	"GET /home/mail":     anySignedIn,
	"POST /home/mail":    anySignedIn,
	"POST /organization": orgMembersOnly,

	// One organization.
	"GET /orgs/:code":                               orgMembersAndOffice,
	"POST /orgs/:code/invitations":                  orgInviters,
	"POST /orgs/:code/invitations/:id/revoke":       orgInviters,
	"GET /orgs/:code/calls/:call":                   orgMembersAndOffice,
	"GET /orgs/:code/calls/:call/:section":          orgMembersAndOffice,
	"POST /orgs/:code/calls/:call/:section":         orgEditors,
	"POST /orgs/:code/calls/:call/:section/resolve": orgEditors,
	"GET /orgs/:code/calls/:call/:section/resolve":  orgEditors,
	"GET /orgs/:code/files/:id":                     orgMembersAndOffice,
	"GET /orgs/:code/calls/:call/submission":        orgMembersAndOffice,
	"GET /orgs/:code/calls/:call/workbook.xlsx":     orgMembersAndOffice,
	"POST /orgs/:code/calls/:call/workbook":         orgEditors,
	"POST /orgs/:code/calls/:call/workbook/apply":   orgEditors,
	"POST /orgs/:code/calls/:call/workbook/report":  orgMembersAndOffice,
	"GET /orgs/:code/calls/:call/receipts/:n":       orgMembersAndOffice,
	"GET /orgs/:code/calls/:call/submit":            orgSubmitters,
	"POST /orgs/:code/calls/:call/submit":           orgSubmitters,
	"POST /orgs/:code/calls/:call/withdraw":         orgSubmitters,
	"POST /orgs/:code/calls/:call/comments":         orgEditors,
	"GET /office/calls/:call":                       officeOnly,
	"POST /office/calls/:call/joint":                officeOnly,
	"POST /office/calls/:call/remind":               officeOnly,
	"POST /office/calls/:call/joint/remove":         officeOnly,
	"GET /office/calls/new":                         officeOnly,
	"POST /office/calls/new":                        officeOnly,
	"GET /office/calls/:call/edit":                  officeOnly,
	"POST /office/calls/:call/edit":                 officeOnly,
	"GET /office/calls/:call/responses.csv":         officeOnly,
	"GET /office/calls/:call/responses.xlsx":        officeOnly,
	"GET /office/calls/:call/statistics.xlsx":       officeOnly,
	"GET /office/calls/:call/statistics":            officeOnly,
	"GET /office/calls/:call/coverage":              officeOnly,
	"GET /office/calls/:call/views":                 officeOnly,
	"GET /office/calls/:call/views.xlsx":            officeOnly,
	"GET /office/calls/:call/views.csv":             officeOnly,
	"GET /office/calls/:call/statistics.csv":        officeOnly,
	"GET /office/calls/:call/orgs/:code":            officeOnly,
	"GET /office/calls/:call/report":                officeOnly,
	"POST /office/calls/:call/report":               officeOnly,
	"GET /office/calls/:call/report/preview":        officeOnly,
	"POST /office/calls/:call/report/release":       officeOnly,
	"GET /office/calls/:call/report/release":        officeOnly,
	"POST /office/calls/:call/orgs/:code/accept":    officeOnly,
	"POST /office/calls/:call/orgs/:code/return":    officeOnly,
	"POST /office/calls/:call/orgs/:code/comments":  officeOnly,
	// Entry on the organization's behalf: the Office alone, through its own
	// routes; the organization's draft routes above stay its members'.
	"GET /office/calls/:call/orgs/:code/enter":                   officeEnterers,
	"POST /office/calls/:call/orgs/:code/enter/submit":           officeEnterers,
	"GET /office/calls/:call/orgs/:code/enter/:section":          officeEnterers,
	"POST /office/calls/:call/orgs/:code/enter/:section":         officeEnterers,
	"GET /office/calls/:call/orgs/:code/enter/:section/resolve":  officeEnterers,
	"POST /office/calls/:call/orgs/:code/enter/:section/resolve": officeEnterers,
	"POST /office/calls/:call/orgs/:code/enter/workbook":         officeEnterers,
	"POST /office/calls/:call/orgs/:code/enter/workbook/apply":   officeEnterers,

	// The Office.
	"GET /office":                                  officeOnly,
	"GET /office/populations":                      officeOnly,
	"GET /office/populations.csv":                  officeOnly,
	"POST /office/populations":                     officeOnly,
	"POST /office/populations/wpp":                 officeOnly,
	"GET /office/series":                           officeOnly,
	"GET /office/series.csv":                       officeOnly,
	"GET /office/series/areas/:area":               officeOnly,
	"GET /office/imports":                          officeOnly,
	"POST /office/imports":                         officeOnly,
	"GET /office/imports/uploads/:token":           officeOnly,
	"POST /office/imports/uploads/:token/mappings": officeOnly,
	"POST /office/imports/uploads/:token/confirm":  officeOnly,
	"GET /office/imports/uploads/:token/confirm":   officeOnly,
	"POST /office/imports/:ref/withdraw":           officeOnly,
	"GET /office/invitations":                      officeOnly,
	"POST /office/invitations":                     officeOnly,
	"POST /office/invitations/:id/revoke":          officeOnly,
	"GET /office/audit":                            officeOnly,
	"GET /office/users":                            adminOnly,
	"GET /office/jobs":                             adminOnly,
	"POST /office/users/:id/remove-role":           adminOnly,

	// The Commission.
	"GET /commission":                             commissionAndOffice,
	"GET /commission/reports/:call/:n":            commissionAndOffice,
	"GET /commission/reports/:call/:n/annex.xlsx": commissionAndOffice,
}

// Access to a call's pages for AUT's answer, when the call does not ask
// AUT, or is in preparation.
var (
	// A call that does not ask AUT: no page of AUT's answer to it exists, for anyone.
	callNotAsked = restricted(refused404)
	// The same seen from the Office's review; others are refused the Office's pages as ever.
	reviewNotAsked = officeOnly.with(asAnalyst, refused404).with(asAdmin, refused404)
	// A call in preparation exists for the Office alone, which reads AUT's answer but changes nothing.
	inPreparationRead = restricted(refused404, asAnalyst, asAdmin)
	inPreparationEdit = restricted(refused404).with(asAnalyst, refused403).with(asAdmin, refused403)
	// A call in preparation takes no answers, entered on the organization's behalf or not.
	noEntryInPreparation = restricted(refused403)
)

// authzCallTable is the expected access to every route about one
// organization's answer to a call, when the call does not ask the
// organization and when it is in preparation (authzTable says what the
// route gives when the call asks it and is open). A route with both :code
// and :call missing here fails the test.
var authzCallTable = map[string]struct{ notAsked, inPreparation accessRule }{
	"GET /orgs/:code/calls/:call":                                {callNotAsked, inPreparationRead},
	"GET /orgs/:code/calls/:call/:section":                       {callNotAsked, inPreparationRead},
	"POST /orgs/:code/calls/:call/:section":                      {callNotAsked, inPreparationEdit},
	"POST /orgs/:code/calls/:call/:section/resolve":              {callNotAsked, inPreparationEdit},
	"GET /orgs/:code/calls/:call/:section/resolve":               {callNotAsked, inPreparationEdit},
	"GET /orgs/:code/calls/:call/submission":                     {callNotAsked, inPreparationRead},
	"GET /orgs/:code/calls/:call/workbook.xlsx":                  {callNotAsked, inPreparationRead},
	"POST /orgs/:code/calls/:call/workbook":                      {callNotAsked, inPreparationEdit},
	"POST /orgs/:code/calls/:call/workbook/apply":                {callNotAsked, inPreparationEdit},
	"POST /orgs/:code/calls/:call/workbook/report":               {callNotAsked, inPreparationRead},
	"GET /orgs/:code/calls/:call/receipts/:n":                    {callNotAsked, inPreparationRead},
	"GET /orgs/:code/calls/:call/submit":                         {callNotAsked, inPreparationEdit},
	"POST /orgs/:code/calls/:call/submit":                        {callNotAsked, inPreparationEdit},
	"POST /orgs/:code/calls/:call/withdraw":                      {callNotAsked, inPreparationEdit},
	"POST /orgs/:code/calls/:call/comments":                      {callNotAsked, inPreparationEdit},
	"GET /office/calls/:call/orgs/:code":                         {reviewNotAsked, officeOnly},
	"POST /office/calls/:call/orgs/:code/accept":                 {reviewNotAsked, officeOnly},
	"POST /office/calls/:call/orgs/:code/return":                 {reviewNotAsked, officeOnly},
	"POST /office/calls/:call/orgs/:code/comments":               {reviewNotAsked, officeOnly},
	"GET /office/calls/:call/orgs/:code/enter":                   {reviewNotAsked, noEntryInPreparation},
	"POST /office/calls/:call/orgs/:code/enter/submit":           {reviewNotAsked, noEntryInPreparation},
	"GET /office/calls/:call/orgs/:code/enter/:section":          {reviewNotAsked, noEntryInPreparation},
	"POST /office/calls/:call/orgs/:code/enter/:section":         {reviewNotAsked, noEntryInPreparation},
	"GET /office/calls/:call/orgs/:code/enter/:section/resolve":  {reviewNotAsked, noEntryInPreparation},
	"POST /office/calls/:call/orgs/:code/enter/:section/resolve": {reviewNotAsked, noEntryInPreparation},
	"POST /office/calls/:call/orgs/:code/enter/workbook":         {reviewNotAsked, noEntryInPreparation},
	"POST /office/calls/:call/orgs/:code/enter/workbook/apply":   {reviewNotAsked, noEntryInPreparation},
}

// downloadRoutes answer with a file to save. The matrix checks that each
// does for someone, and that every answer of every route that is a file
// (Content-Disposition: attachment) is kept by no cache.
var downloadRoutes = []string{
	"GET /orgs/:code/files/:id",
	"GET /orgs/:code/calls/:call/workbook.xlsx",
	"POST /orgs/:code/calls/:call/workbook/report",
	"GET /office/calls/:call/responses.csv",
	"GET /office/calls/:call/responses.xlsx",
	"GET /office/calls/:call/views.csv",
	"GET /office/calls/:call/views.xlsx",
	"GET /office/calls/:call/statistics.csv",
	"GET /office/calls/:call/statistics.xlsx",
	"GET /office/populations.csv",
	"GET /office/series.csv",
	"GET /commission/reports/:call/:n/annex.xlsx",
}

// runsLast are routes that end what later requests need (the session).
var runsLast = []string{"POST /signout"}

// authzForms are the forms posted to routes that read one; other POST
// routes get an empty form.
var authzForms = map[string]url.Values{
	"POST /orgs/:code/calls/:call/:section":                      {"version": {"1"}, "end": {"1"}},
	"POST /orgs/:code/calls/:call/:section/resolve":              {"version": {"1"}},
	"POST /office/calls/:call/orgs/:code/enter/:section":         {"version": {"1"}, "end": {"1"}},
	"POST /office/calls/:call/orgs/:code/enter/:section/resolve": {"version": {"1"}},
	"POST /orgs/:code/calls/:call/comments":                      {"body": {"A question."}},
	"POST /office/calls/:call/orgs/:code/comments":               {"body": {"A question."}},
	"POST /organization":                                         {"organization": {"AUT"}},
	"POST /home/mail":                                            {"on": {"comment"}},
	"POST /orgs/:code/invitations":                               {"email": {"invitee@example.org"}, "role": {"contributor"}},
	"POST /office/invitations":                                   {"email": {"office.invitee@example.org"}, "role": {"contributor"}, "organization": {"AUT"}},
	"POST /office/users/:id/remove-role":                         {"role": {"focal_point"}, "organization": {"UNTOURISM"}},
	"POST /office/calls/:call/report/release":                    {"confirm": {"1"}},
	"POST /office/calls/:call/joint":                             {"organization": {"EU"}, "states": {"BEL"}},
	"POST /office/calls/:call/remind":                            {"org": {"KEN"}},
	"POST /office/calls/:call/joint/remove":                      {"organization": {"EU"}, "state": {"NLD"}},
	"POST /office/imports/uploads/:token/mappings":               {"m0.indicator": {"Offences"}, "m0.dimension": {"by type of offence"}, "m0.category": {"Theft"}, "m0.sex": {"Total"}, "m0.age": {"Total"}, "m0.series": {"offences/iccs-0502"}},
}

func TestAuthorizationMatrix(t *testing.T) {
	p := startAuthzPortal(t, authzUsers, "demo-fp-untourism")
	ctx := context.Background()

	// An invitation to revoke, and a user whose role to remove.
	aut := orgRef(t, p.store, "AUT")
	inv, err := forms.NewInvitation("someone@example.org", forms.Contributor, aut, time.Now(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if inv, err = p.store.CreateInvitation(ctx, inv, forms.Actor{Label: "system"}); err != nil {
		t.Fatal(err)
	}
	users, err := p.store.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(users, func(u forms.User) bool { return u.Subject == "demo-fp-untourism" })
	if i < 0 {
		t.Fatal("the UNTOURISM focal point has not signed in")
	}
	// A file attached to AUT's draft of the tourism call.
	views := demoCall("tourism-views")
	call, err := p.store.CallByKey(ctx, views.Key)
	if err != nil {
		t.Fatal(err)
	}
	answers := demo.Answers(builtinQuestionnaire(t, call), "Austria")
	saved, err := p.store.SaveDraft(ctx, call, aut, forms.Edit{Fields: answers.Fields(), Answers: answers, Uploads: []forms.Upload{
		{Question: "good_practice_documents", Name: "a.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4\n%%EOF\n")}}},
		forms.Actor{Label: "system"})
	if err != nil {
		t.Fatal(err)
	}
	// AUT has submitted, so that there is a receipt and a submission to review.
	fp := &forms.User{Memberships: []forms.Membership{{Role: forms.FocalPoint, Organization: aut}}}
	if _, err := p.store.Transition(ctx, forms.TransitionRequest{Call: call, Questionnaire: builtinQuestionnaire(t, call), Organization: aut, User: fp, Transition: forms.TransitionSubmit, At: time.Now(), Actor: forms.Actor{Label: "system"}}); err != nil {
		t.Fatal(err)
	}
	// A released report, for the Commission's pages.
	if err := p.store.SaveReportDraft(ctx, call, forms.ReportDraft{ReportText: forms.ReportText{Title: "Views"}}, forms.Actor{Label: "system"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.store.ReleaseReport(ctx, call, builtinQuestionnaire(t, call), builtin(t).All(), forms.Actor{Label: "system"}); err != nil {
		t.Fatal(err)
	}
	// Two more calls of the same questionnaire, to which AUT submitted
	// while they asked it and were open: one the Office then narrowed to
	// the African Group, one it took back into preparation.
	otherCalls := map[string]func(*forms.Call){
		"authz-not-asked":      func(c *forms.Call) { c.Audience = forms.Audience{Groups: []string{"AFRICAN"}} },
		"authz-in-preparation": func(c *forms.Call) { c.State = forms.CallDraft },
	}
	for key, change := range otherCalls {
		c := call
		c.ID, c.Key, c.Reference = 0, key, ""
		if c, err = p.store.SaveCall(ctx, c, forms.Actor{Label: "system"}); err != nil {
			t.Fatal(err)
		}
		saveAnswers(t, p.store, c, builtinQuestionnaire(t, c), "AUT", answers, true)
		change(&c)
		if _, err := p.store.SaveCall(ctx, c, forms.Actor{Label: "system"}); err != nil {
			t.Fatal(err)
		}
	}
	// An import of past series to withdraw, and an upload to look at and confirm.
	stage := func(value string) string {
		token, err := p.store.StageImport(ctx, "cts.csv", strings.Repeat("a", 64), "system", func(put func(forms.ImportRow) error) error {
			return put(forms.ImportRow{Line: 2, Area: "AUT", Indicator: "Offences", Dimension: "by type of offence", Category: "Theft",
				Sex: "Total", Age: "Total", Unit: "Counts", Year: 2015, Value: value, Source: "CTS"})
		})
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	if err := p.store.SaveMappings(ctx, []forms.SeriesMapping{{Description: forms.Description{Indicator: "Offences", Dimension: "by type of offence",
		Category: "Theft", Sex: "Total", Age: "Total"}, Series: "offences/iccs-0502"}}, forms.Actor{Label: "system"}); err != nil {
		t.Fatal(err)
	}
	lib := builtin(t)
	var codes []string
	for _, q := range lib.All() {
		for _, c := range q.SeriesCells() {
			codes = append(codes, c.Code)
		}
	}
	imp, err := p.store.ConfirmImport(ctx, stage("7000"), forms.SeriesSources(lib.All(), codes...), forms.Actor{Label: "system"})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{
		"token":       stage("7100"),
		"ref":         imp.Reference,
		"invitations": strconv.FormatInt(inv.ID, 10),
		"users":       strconv.FormatInt(users[i].ID, 10),
		"files":       strconv.FormatInt(saved.Files[0].ID, 10),
		"call":        views.Key,
		"dev-mail":    "99999", // nothing kept
	}

	routes := p.server.Routes()
	for _, r := range routes {
		if _, ok := authzTable[r]; !ok {
			t.Errorf("route %q has no entry in authzTable: decide who may use it", r)
		}
	}
	for r, a := range authzTable {
		if !slices.Contains(routes, r) {
			t.Errorf("authzTable names %q, which the router does not register", r)
		}
		for _, w := range authzUsers {
			if _, ok := a[w]; !ok {
				t.Errorf("authzTable[%q] says nothing of %s", r, w)
			}
		}
	}
	for _, r := range routes {
		if _, ok := authzCallTable[r]; !ok && strings.Contains(r, "/:code") && strings.Contains(r, "/:call") {
			t.Errorf("route %q has no entry in authzCallTable: decide who may use it for a call that does not ask the organization, or in preparation", r)
		}
	}
	for r, cases := range authzCallTable {
		if !slices.Contains(routes, r) {
			t.Errorf("authzCallTable names %q, which the router does not register", r)
		}
		for _, w := range authzUsers {
			if _, ok := cases.notAsked[w]; !ok {
				t.Errorf("authzCallTable[%q].notAsked says nothing of %s", r, w)
			}
			if _, ok := cases.inPreparation[w]; !ok {
				t.Errorf("authzCallTable[%q].inPreparation says nothing of %s", r, w)
			}
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	slices.Sort(routes)
	slices.SortStableFunc(routes, func(a, b string) int {
		la, lb := slices.Contains(runsLast, a), slices.Contains(runsLast, b)
		switch {
		case la && !lb:
			return 1
		case lb && !la:
			return -1
		}
		return 0
	})
	downloaded := map[string]bool{}
	for _, route := range routes {
		method, pattern, _ := strings.Cut(route, " ")
		type variant struct {
			call string
			rule accessRule
		}
		variants := []variant{{views.Key, authzTable[route]}}
		if cases, ok := authzCallTable[route]; ok {
			variants = append(variants, variant{"authz-not-asked", cases.notAsked}, variant{"authz-in-preparation", cases.inPreparation})
		}
		for _, v := range variants {
			ids["call"] = v.call
			path := concretePath(pattern, ids)
			// Refused users first: a permitted request may change what the
			// next one finds (a revoked invitation, a removed role).
			order := slices.Clone(authzUsers)
			slices.SortStableFunc(order, func(a, b authzUser) int {
				pa, pb := v.rule[a].status == statusPermitted, v.rule[b].status == statusPermitted
				switch {
				case pa && !pb:
					return 1
				case pb && !pa:
					return -1
				}
				return 0
			})
			for _, w := range order {
				r := p.send(t, p.clients[w], method, path, authzForms[route])
				if ok, why := v.rule[w].check(method, r, p.base); !ok {
					t.Errorf("%s %s as %s: %s", method, path, w, why)
				}
				if why := footerProblem(w, r); why != "" {
					t.Errorf("%s %s as %s: %s", method, path, w, why)
				}
				if strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment") {
					downloaded[route] = true
					// The session may add its own no-cache="Set-Cookie".
					directives := strings.Split(strings.Join(r.header.Values("Cache-Control"), ","), ",")
					for i := range directives {
						directives[i] = strings.TrimSpace(directives[i])
					}
					if !slices.Contains(directives, "private") || !slices.Contains(directives, "no-store") {
						t.Errorf("%s %s as %s: a download with Cache-Control %q, want private, no-store", method, path, w, r.header.Values("Cache-Control"))
					}
				}
			}
		}
	}
	for _, route := range downloadRoutes {
		if !downloaded[route] {
			t.Errorf("%s answered nobody with a download: its headers went unchecked", route)
		}
	}
	for route := range downloaded {
		if !slices.Contains(downloadRoutes, route) {
			t.Errorf("%s answers with a download: add it to downloadRoutes", route)
		}
	}

	// The permitted requests did what they ask.
	if got, err := p.store.Invitation(ctx, inv.ID); err != nil || got.State(time.Now()) != forms.InvitationRevoked {
		t.Errorf("invitation %d after the revoke routes: %v, %v; want revoked", inv.ID, got.State(time.Now()), err)
	}
	if u, err := p.store.UserByID(ctx, users[i].ID); err != nil || len(u.Memberships) != 0 {
		t.Errorf("UNTOURISM focal point after remove-role: %v, %v; want no role", u, err)
	}
	if reps, err := p.store.Representations(ctx, call); err != nil || len(reps) != 1 || strings.Join(reps[0].Codes(), " ") != "BEL LUX" {
		t.Errorf("the EU's record after the joint routes: %+v, %v; want BEL LUX", reps, err)
	}
}
