package handlers

import (
	"context"
	"html/template"
	"math"
	"net/http"
	"portal/forms"
	"portal/forms/export"
	"portal/templates/charts"
	"portal/templates/views"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// The Office's home lists every call with its response rate; a call's
// tracking page lists every organization it asks, by regional group, with
// where each answer stands and the records of joint answers.

// callStore is what the Office needs to run a call: its settings, its
// audience's answers and the joint answers recorded.
type callStore interface {
	// EnsureCall stores a call unless one with its key exists, and returns the stored one.
	EnsureCall(ctx context.Context, c forms.Call) (forms.Call, error)
	// SaveCall creates (ID 0) or updates a call with its audience, audited.
	SaveCall(ctx context.Context, c forms.Call, actor forms.Actor) (forms.Call, error)
	// CallAnswered reports whether an organization has answered the call.
	CallAnswered(ctx context.Context, call forms.Call) (bool, error)
	// Responses lists every organization a call asks, with where its answer stands.
	Responses(ctx context.Context, call forms.Call) ([]forms.Response, error)
	// FirstSubmissions returns when each organization the call asks first submitted, in order.
	FirstSubmissions(ctx context.Context, call forms.Call) ([]time.Time, error)
	// ResponsesTo is Responses for several calls at once, by call ID.
	ResponsesTo(ctx context.Context, calls []forms.Call) (map[int64][]forms.Response, error)
	// Representations lists a call's records of which organization answers on behalf of which Member States.
	Representations(ctx context.Context, call forms.Call) ([]forms.Representation, error)
	// Represent adds States to an organization's record for a call, audited; KindInvalid with
	// forms.Call.CheckRepresentation's Fields when any may not be recorded.
	Represent(ctx context.Context, call forms.Call, orgCode string, stateCodes []string, actor forms.Actor) error
	// Unrepresent takes a State out of an organization's record, audited; KindNotFound when it is not in it.
	Unrepresent(ctx context.Context, call forms.Call, orgCode, stateCode string, actor forms.Actor) error
	// CallContacts lists the focal points and contributors of the organizations a call asks, by organization ID.
	CallContacts(ctx context.Context, c forms.Call) (map[int64][]forms.Contact, error)
	// CallReminded gives the last reminder of a call each organization got, by organization ID.
	CallReminded(ctx context.Context, c forms.Call) (map[int64]forms.Reminded, error)
}

type officePage struct {
	basePage
	Inbox views.Inbox
	Calls []callRow
}

type callRow struct {
	Key, Title, Href, State, StateLabel, Deadline, TimeLeft string
	Asked, Answered, Percent                                int
}

// showOffice is the Office's home: what waits for whom (the inbox), and
// every call with its response rate.
func (s *Server) showOffice(c *gin.Context) error {
	ctx := c.Request.Context()
	calls, err := s.store.Calls(ctx)
	if err != nil {
		return err
	}
	responses, err := s.store.ResponsesTo(ctx, calls)
	if err != nil {
		return err
	}
	p := &officePage{basePage: s.newBase(c)}
	p.Title = p.T("office.title")
	now := time.Now()
	p.Inbox = views.NewInbox(p.Text, forms.OfficeInbox(calls, responses, now), now)
	for _, call := range calls {
		rs := responses[call.ID]
		r := callRow{Key: call.Key, Title: call.Title.In(p.Lang), Href: "/office/calls/" + call.Key, State: string(call.State),
			StateLabel: p.T("call.state." + string(call.State)), Asked: len(rs)}
		for _, x := range rs {
			if x.Answered() {
				r.Answered++
			}
		}
		r.Percent = views.Percent(r.Answered, r.Asked)
		if !call.Deadline.IsZero() {
			r.Deadline, r.TimeLeft = p.Timestamp(call.Deadline), p.Countdown(call.Deadline, now)
		}
		p.Calls = append(p.Calls, r)
	}
	s.render(c, http.StatusOK, "office", p)
	return nil
}

type trackingPage struct {
	basePage
	CallKey, CallTitle, Mandate, Body, Deadline, TimeLeft string
	Groups                                                []groupView
	Filter                                                trackingFilter
	GroupOptions, StateOptions                            []option
	Asked, Answered, Percent                              int
	CSV, XLSX                                             string
	Joint                                                 []jointView
	JointForm                                             jointForm
	CanRecord                                             bool // the user may change the records of joint answers
	NoFocalPoint                                          bool // some organization shown has none
	RateChart                                             template.HTML
	RateTitle                                             string
}

type trackingFilter struct {
	Group, State string
}

type groupView struct {
	Code, Name               string
	Asked, Answered, Percent int
	Counts                   []stateCount
	Rows                     []responseRow
}

type stateCount struct {
	Label string
	Count int
}

// trackingStates are the states response tracking counts: the submission
// states, late, and answered by a joint submission.
var trackingStates = []string{"not_started", "draft", "submitted", "late", "returned", "accepted", "joint"}

type responseRow struct {
	Code, Name, State, StateLabel, LastActivity, Reference, CoveredBy, Href string
	// Entered: the Office entered the last version on the organization's
	// behalf; EnterHref is where it enters the answers, while it may.
	Entered           bool
	EnterHref         string
	Late              bool
	Versions, Changes int
	Contacts          []contactView
	// NoFocalPoint: nobody receives the call's mail for the organization.
	NoFocalPoint bool
	Reminded     string // the last reminder: when, and how its messages went
	// Remindable: not answered, and someone to remind.
	Remindable bool
}

type contactView struct {
	Name, Email, RoleLabel, LastSignIn string
}

// showTracking is a call's response tracking: every organization asked,
// by UN regional group, with counts and response rates, filtered by group
// and state.
func (s *Server) showTracking(c *gin.Context) error {
	call := scopeOf(c).call
	return s.renderTracking(c, call, jointForm{}, nil, http.StatusOK)
}

// renderTracking writes the tracking page with the form recording joint
// answers as f holds it, and its problems (forms.Call.CheckRepresentation's
// Fields) when refused.
func (s *Server) renderTracking(c *gin.Context, call forms.Call, f jointForm, jointFields map[string]string, status int) error {
	ctx := c.Request.Context()
	rs, err := s.store.Responses(ctx, call)
	if err != nil {
		return err
	}
	groups, err := s.store.RegionalGroups(ctx)
	if err != nil {
		return err
	}
	contacts, err := s.store.CallContacts(ctx, call)
	if err != nil {
		return err
	}
	reminded, err := s.store.CallReminded(ctx, call)
	if err != nil {
		return err
	}
	p := &trackingPage{basePage: s.callBase(c, call), CallKey: call.Key, CallTitle: call.Title.In(s.newBase(c).Lang)}
	p.Title = p.CallTitle
	p.Mandate, p.Body = call.Mandate.In(p.Lang), call.Body.In(p.Lang)
	if !call.Deadline.IsZero() {
		p.Deadline, p.TimeLeft = p.Timestamp(call.Deadline), p.Countdown(call.Deadline, time.Now())
	}
	p.Filter = trackingFilter{Group: c.Query("group"), State: c.Query("state")}
	q := "?group=" + p.Filter.Group + "&state=" + p.Filter.State
	p.CSV, p.XLSX = "/office/calls/"+call.Key+"/responses.csv"+q, "/office/calls/"+call.Key+"/responses.xlsx"+q
	p.GroupOptions = []option{{"", p.T("tracking.filter.anygroup")}}
	for _, g := range groups {
		p.GroupOptions = append(p.GroupOptions, option{g.Code, g.Name.In(p.Lang)})
	}
	p.GroupOptions = append(p.GroupOptions, option{views.GroupOther, p.T("tracking.group.other")})
	p.StateOptions = []option{{"", p.T("tracking.filter.anystate")}}
	for _, st := range trackingStates {
		p.StateOptions = append(p.StateOptions, option{st, p.T("tracking.state." + st)})
	}
	for _, g := range p.GroupOptions[1:] {
		if p.Filter.Group != "" && p.Filter.Group != g.Value {
			continue
		}
		gv := groupView{Code: g.Value, Name: g.Label}
		counts := map[string]int{}
		for _, r := range rs {
			if !inGroup(r, g.Value) {
				continue
			}
			st := trackingState(r)
			gv.Asked++
			counts[st]++
			if r.Answered() {
				gv.Answered++
			}
			if p.Filter.State != "" && p.Filter.State != st {
				continue
			}
			row := s.responseRow(&p.basePage, call, r, contacts[r.Organization.ID], reminded[r.Organization.ID])
			p.NoFocalPoint = p.NoFocalPoint || row.NoFocalPoint
			gv.Rows = append(gv.Rows, row)
		}
		if gv.Asked == 0 {
			continue
		}
		gv.Percent = views.Percent(gv.Answered, gv.Asked)
		for _, st := range trackingStates {
			gv.Counts = append(gv.Counts, stateCount{p.T("tracking.state." + st), counts[st]})
		}
		p.Groups = append(p.Groups, gv)
	}
	for _, r := range rs {
		p.Asked++
		if r.Answered() {
			p.Answered++
		}
	}
	p.Percent = views.Percent(p.Answered, p.Asked)
	if p.RateChart, err = s.responseRateChart(ctx, &p.basePage, call, p.Asked); err != nil {
		return err
	}
	p.RateTitle = p.T("tracking.rate.title")
	p.JointForm, p.CanRecord = f, s.currentUser(c).Can(forms.ManageCalls, 0)
	if p.Joint, err = s.jointViews(c, &p.basePage, call, &p.JointForm); err != nil {
		return err
	}
	jointErrors(&p.basePage, jointFields, &p.JointForm)
	s.render(c, status, "tracking", p)
	return nil
}

func trackingState(r forms.Response) string {
	switch {
	case r.CoveredBy != "" && (r.State == forms.NotStarted || r.State == forms.InDraft):
		return "joint"
	case r.State == forms.Submitted && r.Late:
		return "late"
	}
	return string(r.State)
}

func inGroup(r forms.Response, group string) bool {
	return slices.Contains(views.GroupsOf(r.Organization), group)
}

func (s *Server) responseRow(b *basePage, call forms.Call, r forms.Response, contacts []forms.Contact, rem forms.Reminded) responseRow {
	st := trackingState(r)
	row := responseRow{Code: r.Organization.Code, Name: r.Organization.Name.In(b.Lang), State: st,
		StateLabel: b.T("tracking.state." + st), Reference: r.Reference, CoveredBy: r.CoveredBy, Late: r.Late,
		Versions: r.Versions, Changes: r.Changes, NoFocalPoint: true}
	for _, ct := range contacts {
		v := contactView{Name: ct.Name, Email: ct.Email, RoleLabel: b.T("role." + string(ct.Role)), LastSignIn: b.T("tracking.contact.never")}
		if !ct.LastSignIn.IsZero() {
			v.LastSignIn = b.Tf("tracking.contact.signedin", map[string]any{"At": b.Timestamp(ct.LastSignIn)})
		}
		row.Contacts = append(row.Contacts, v)
		if ct.Role == forms.FocalPoint {
			row.NoFocalPoint = false
		}
	}
	if !rem.At.IsZero() {
		row.Reminded = b.Timestamp(rem.At)
		for _, part := range []struct {
			id string
			n  int
		}{{"tracking.reminded.sent", rem.Sent}, {"tracking.reminded.queued", rem.Queued}, {"tracking.reminded.failed", rem.Failed}} {
			if part.n > 0 {
				row.Reminded += " · " + b.Tn(part.id, part.n, nil)
			}
		}
	}
	row.Remindable = !r.Answered() && !row.NoFocalPoint
	if !r.LastActivity.IsZero() {
		row.LastActivity = b.Timestamp(r.LastActivity)
	}
	if r.Versions > 0 {
		row.Href = "/office/calls/" + call.Key + "/orgs/" + r.Organization.Code
	}
	row.Entered = r.Entry != nil
	if r.State.Editable() && call.TakesEntries(r.State) && b.User.Can(forms.EnterOnBehalf, r.Organization.ID) {
		row.EnterHref = "/office/calls/" + call.Key + "/orgs/" + r.Organization.Code + "/enter"
	}
	return row
}

// exportResponses sends a call's response tracking as CSV (UTF-8, with a
// byte order mark for Excel) or XLSX, with the page's filters.
func (s *Server) exportResponses(format string) handlerFunc {
	return func(c *gin.Context) error {
		ctx := c.Request.Context()
		call := scopeOf(c).call
		rs, err := s.store.Responses(ctx, call)
		if err != nil {
			return err
		}
		contacts, err := s.store.CallContacts(ctx, call)
		if err != nil {
			return err
		}
		reminded, err := s.store.CallReminded(ctx, call)
		if err != nil {
			return err
		}
		group, state := c.Query("group"), c.Query("state")
		sheet := export.Sheet{Name: "Responses", Widths: map[int]float64{2: 40, 4: 18, 8: 22, 11: 22, 12: 50, 13: 50, 14: 22},
			Header: []string{"code", "name", "kind", "regional_groups", "state", "late", "covered_by", "reference", "versions", "changes_since_submission", "last_activity_utc",
				"focal_points", "contributors", "last_reminder_utc", "last_reminder_delivered", "last_reminder_not_delivered", "entered_by_office"}}
		en := s.pages.cat.Text(forms.English)
		for _, r := range rs {
			if (group != "" && !inGroup(r, group)) || (state != "" && trackingState(r) != state) {
				continue
			}
			last := ""
			if !r.LastActivity.IsZero() {
				last = r.LastActivity.UTC().Format(time.RFC3339)
			}
			people := map[forms.Role][]string{}
			for _, ct := range contacts[r.Organization.ID] {
				p := ct.Name + " <" + ct.Email + ">"
				if !ct.LastSignIn.IsZero() {
					p += " (last sign-in " + ct.LastSignIn.UTC().Format(time.RFC3339) + ")"
				}
				people[ct.Role] = append(people[ct.Role], p)
			}
			rem, remAt := reminded[r.Organization.ID], ""
			if !rem.At.IsZero() {
				remAt = rem.At.UTC().Format(time.RFC3339)
			}
			sheet.Rows = append(sheet.Rows, []any{r.Organization.Code, r.Organization.Name.En, string(r.Organization.Kind),
				strings.Join(r.Organization.RegionalGroups, " "), trackingState(r), strconv.FormatBool(r.Late), r.CoveredBy,
				r.Reference, r.Versions, r.Changes, last,
				strings.Join(people[forms.FocalPoint], "; "), strings.Join(people[forms.Contributor], "; "), remAt, rem.Sent, rem.Failed,
				views.EntryNote(en, r.Organization.Name.En, r.Entry)})
		}
		filters := strings.Trim(group+"-"+state, "-")
		about := [][2]string{{"Call", call.Title.In(forms.English) + " (" + call.Key + ")"}, {"Extracted", time.Now().UTC().Format(time.RFC3339)},
			{"Included", "group: " + orAll(group) + "; state: " + orAll(state)}}
		return sendTable(c, "responses-"+call.Key, filters, format, c.Query("bom") != "0", about, sheet)
	}
}

// orAll is a filter's value, or "all" when it is not set.
func orAll(v string) string {
	if v == "" {
		return "all"
	}
	return v
}

// sendTable sends a sheet as CSV (with a byte order mark for Excel when
// bom) or as XLSX with an About sheet, named after what it holds, its
// filters and the day.
func sendTable(c *gin.Context, name, filters, format string, bom bool, about [][2]string, sheet export.Sheet) error {
	if filters != "" {
		name += "-" + filters
	}
	name += "-" + time.Now().UTC().Format("20060102")
	if format == "csv" {
		download(c, name+".csv", csvType)
		c.Status(http.StatusOK)
		return export.CSV(c.Writer, sheet, bom)
	}
	download(c, name+".xlsx", xlsxType)
	c.Status(http.StatusOK)
	return export.Workbook(c.Writer, about, sheet)
}

// responseRateChart draws the share of the organizations asked that had
// submitted, day by day, from the call's opening to today (or its
// deadline, when past).
func (s *Server) responseRateChart(ctx context.Context, p *basePage, call forms.Call, asked int) (template.HTML, error) {
	firsts, err := s.store.FirstSubmissions(ctx, call)
	if err != nil {
		return "", err
	}
	day := func(t time.Time) float64 { return float64(t.Unix() / 86400) }
	line := charts.Line{Name: p.T("tracking.rate.line")}
	start := call.Opens
	if start.IsZero() && len(firsts) > 0 {
		start = firsts[0]
	}
	end := time.Now()
	if !call.Deadline.IsZero() && call.Deadline.Before(end) && (len(firsts) == 0 || firsts[len(firsts)-1].Before(call.Deadline)) {
		end = call.Deadline
	}
	share := func(n int) float64 {
		if asked == 0 {
			return 0
		}
		return float64(n) * 100 / float64(asked)
	}
	if !start.IsZero() {
		line.Points = append(line.Points, charts.Point{X: day(start), Y: 0, Label: p.Day(start)})
	}
	for i, t := range firsts {
		pt := charts.Point{X: day(t), Y: share(i + 1), Label: p.Day(t)}
		if n := len(line.Points); n > 0 && line.Points[n-1].X == pt.X {
			line.Points[n-1] = pt // one point a day: the day's last count
			continue
		}
		line.Points = append(line.Points, pt)
	}
	if n := len(line.Points); n > 0 && day(end) > line.Points[n-1].X {
		line.Points = append(line.Points, charts.Point{X: day(end), Y: share(len(firsts)), Label: p.Day(end)})
	}
	summary := p.T("series.chart.empty")
	if len(line.Points) > 0 {
		summary = p.Tn("tracking.rate.summary", len(firsts), map[string]any{"Share": strconv.Itoa(int(math.Round(share(len(firsts))))) + " %",
			"Count": len(firsts), "Asked": asked, "Day": line.Points[len(line.Points)-1].Label})
	}
	return charts.LineChart{ID: "response-rate", RTL: p.Dir == "rtl", Step: true, YMax: 100,
		FormatY: func(v float64) string { return strconv.Itoa(int(math.Round(v))) + " %" },
		FormatX: func(v float64) string { return p.Day(time.Unix(int64(v)*86400, 0).UTC()) },
		Lines:   []charts.Line{line},
		Texts:   charts.Texts{Title: p.T("tracking.rate.title"), Summary: summary, XAxis: p.T("tracking.rate.x"), YAxis: p.T("tracking.rate.y")}}.SVG(), nil
}
