package handlers

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gin-gonic/gin"

	"portal/forms"
	"portal/templates/form"
	"portal/templates/views"
	"portal/templates/words"
)

// The Office's form for a call for submissions: new at /office/calls/new,
// edited at /office/calls/<key>/edit. Every problem is shown at its field
// and in a summary; nothing is saved until there is none.

type callFormPage struct {
	basePage
	Action, Heading string
	Form            callForm
	Questionnaires  []option
	States          []option
	Groups          []views.Option
	Zones           []string
	Errors          map[string]string
	ErrorList       []option // field id, message
}

type callForm struct {
	Key, Reference, Questionnaire, Years, Opens, Deadline, TimeZone, State, Organizations, Reminders string
	Title, Mandate, Body                                                                             []textInput
	Late, AllMemberStates                                                                            bool
	Groups                                                                                           []string
}

type textInput struct {
	Lang  forms.Language
	Name  string
	Value string
	Label string // the language's name in itself
}

// commonZones are offered for the deadline; any IANA name is accepted.
var commonZones = []string{"UTC", "Europe/Vienna", "America/New_York", "Africa/Nairobi", "Asia/Bangkok", "America/Bogota", "Europe/Moscow", "Asia/Riyadh", "Asia/Shanghai"}

func (s *Server) showNewCall(c *gin.Context) error {
	f := callForm{TimeZone: "Europe/Vienna", State: string(forms.CallDraft), AllMemberStates: true, Reminders: "30, 7, 1, -7"}
	return s.renderCallForm(c, f, nil, "/office/calls/new", http.StatusOK)
}

func (s *Server) showEditCall(c *gin.Context) error {
	call := scopeOf(c).call
	return s.renderCallForm(c, formOfCall(call), nil, "/office/calls/"+call.Key+"/edit", http.StatusOK)
}

// formOfCall writes a call into its form's fields.
func formOfCall(call forms.Call) callForm {
	f := callForm{Key: call.Key, Reference: call.Reference, Questionnaire: call.Questionnaire + "@" + strconv.Itoa(call.Version),
		TimeZone: call.TimeZone, State: string(call.State), Late: call.LateAllowed, AllMemberStates: call.Audience.AllMemberStates,
		Groups: call.Audience.Groups, Organizations: strings.Join(call.Audience.Organizations, ", ")}
	years := make([]string, len(call.Years))
	for i, y := range call.Years {
		years[i] = strconv.Itoa(y)
	}
	f.Years = strings.Join(years, ", ")
	days := make([]string, len(call.Reminders))
	for i, d := range call.Reminders {
		days[i] = strconv.Itoa(d)
	}
	f.Reminders = strings.Join(days, ", ")
	loc := call.Location()
	if !call.Opens.IsZero() {
		f.Opens = call.Opens.In(loc).Format(time.DateOnly)
	}
	if !call.Deadline.IsZero() {
		f.Deadline = call.Deadline.In(loc).Format("2006-01-02T15:04")
	}
	for _, l := range forms.Languages {
		f.Title = append(f.Title, textInput{l, "title_" + string(l), call.Title[l], words.LanguageName(l)})
		f.Mandate = append(f.Mandate, textInput{l, "mandate_" + string(l), call.Mandate[l], words.LanguageName(l)})
		f.Body = append(f.Body, textInput{l, "body_" + string(l), call.Body[l], words.LanguageName(l)})
	}
	return f
}

func (s *Server) renderCallForm(c *gin.Context, f callForm, errs map[string]string, action string, status int) error {
	ctx := c.Request.Context()
	p := &callFormPage{basePage: s.newBase(c), Action: action, Form: f, Errors: map[string]string{}, Zones: commonZones}
	if len(f.Title) == 0 {
		p.Form = mergeTexts(f)
	}
	p.Heading = p.T("callform.new")
	if action != "/office/calls/new" {
		p.Heading = p.T("callform.edit")
	}
	p.Title = p.Heading
	for _, q := range s.opts.Questionnaires.All() {
		p.Questionnaires = append(p.Questionnaires, option{q.Key + "@" + strconv.Itoa(q.Version), q.Title.In(p.Lang) + " (" + q.Key + ", v" + strconv.Itoa(q.Version) + ")"})
	}
	for _, st := range forms.CallStates {
		p.States = append(p.States, option{string(st), p.T("call.state." + string(st))})
	}
	groups, err := s.store.RegionalGroups(ctx)
	if err != nil {
		return err
	}
	for _, g := range groups {
		p.Groups = append(p.Groups, views.Option{Value: g.Code, Label: g.Name.In(p.Lang), ID: "group-" + g.Code, Checked: slices.Contains(f.Groups, g.Code)})
	}
	for _, field := range []string{"key", "reference", "title", "questionnaire", "years", "opens", "deadline", "time_zone", "reminders", "audience", "state"} {
		if id, ok := errs[field]; ok {
			p.Errors[field] = p.T(id)
			p.ErrorList = append(p.ErrorList, option{"call-" + field, p.Errors[field]})
		}
	}
	s.render(c, status, "callform", p)
	return nil
}

// mergeTexts gives a form with no text inputs yet one per language.
func mergeTexts(f callForm) callForm {
	for _, l := range forms.Languages {
		f.Title = append(f.Title, textInput{l, "title_" + string(l), "", words.LanguageName(l)})
		f.Mandate = append(f.Mandate, textInput{l, "mandate_" + string(l), "", words.LanguageName(l)})
		f.Body = append(f.Body, textInput{l, "body_" + string(l), "", words.LanguageName(l)})
	}
	return f
}

// saveCall creates or updates a call from the form.
func (s *Server) saveCall(c *gin.Context) error {
	ctx := c.Request.Context()
	existing := scopeOf(c).call // none on the route of a new call
	action := "/office/calls/new"
	if existing.Key != "" {
		action = "/office/calls/" + existing.Key + "/edit"
	}
	f, call, errs := s.readCallForm(c)
	call.ID = existing.ID
	q, _ := s.opts.Questionnaires.Version(call.Questionnaire, call.Version)
	if err := call.Validate(q); err != nil {
		var fe *forms.Error
		if e, ok := err.(*forms.Error); ok {
			fe = e
		}
		if fe != nil {
			for k, v := range fe.Fields {
				if _, set := errs[k]; !set {
					errs[k] = v
				}
			}
		}
	}
	// Answers are keyed by the call's questions and years: once an
	// organization has answered, neither may change (the store refuses it too).
	if existing.ID != 0 && forms.CheckAnsweredCallEdit(existing, call) != nil {
		answered, err := s.store.CallAnswered(ctx, existing)
		if err != nil {
			return err
		}
		if answered {
			addFieldErrors(errs, forms.CheckAnsweredCallEdit(existing, call))
		}
	}
	// The portal closes such a call at its deadline (CloseCallsPastDeadline):
	// open, it would close again within the minute.
	if _, set := errs["deadline"]; !set && call.State == forms.CallOpen && !call.LateAllowed && call.Late(time.Now()) {
		errs["deadline"] = "call.invalid.deadline.passed"
	}
	if len(errs) > 0 {
		return s.renderCallForm(c, f, errs, action, http.StatusUnprocessableEntity)
	}
	saved, err := s.store.SaveCall(ctx, call, s.actor(c))
	switch forms.KindOf(err) {
	case forms.KindConflict:
		errs := map[string]string{}
		if addFieldErrors(errs, err); len(errs) == 0 {
			errs["key"] = "call.invalid.key.taken"
		}
		return s.renderCallForm(c, f, errs, action, http.StatusUnprocessableEntity)
	case forms.KindInvalid:
		return s.renderCallForm(c, f, map[string]string{"audience": "call.invalid.organizations"}, action, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	s.flash(c, "callform.saved")
	c.Redirect(http.StatusSeeOther, "/office/calls/"+saved.Key)
	return nil
}

// addFieldErrors adds the per-field messages of a *forms.Error to errs,
// keeping any a field has already.
func addFieldErrors(errs map[string]string, err error) {
	var fe *forms.Error
	if !errors.As(err, &fe) {
		return
	}
	for k, v := range fe.Fields {
		if _, set := errs[k]; !set {
			errs[k] = v
		}
	}
}

// readCallForm reads the form: what was typed, the call it makes, and
// what could not be read (field → catalogue ID).
func (s *Server) readCallForm(c *gin.Context) (callForm, forms.Call, map[string]string) {
	errs := map[string]string{}
	f := callForm{Key: strings.TrimSpace(c.PostForm("key")), Reference: strings.ToUpper(strings.TrimSpace(c.PostForm("reference"))),
		Questionnaire: c.PostForm("questionnaire"), Years: c.PostForm("years"), Opens: c.PostForm("opens"),
		Deadline: c.PostForm("deadline"), TimeZone: strings.TrimSpace(c.PostForm("time_zone")), State: c.PostForm("state"),
		Organizations: c.PostForm("organizations"), Late: c.PostForm("late") != "", AllMemberStates: c.PostForm("all_member_states") != "",
		Groups: c.PostFormArray("groups"), Reminders: c.PostForm("reminders")}
	call := forms.Call{Key: f.Key, Reference: f.Reference, TimeZone: f.TimeZone, State: forms.CallState(f.State), LateAllowed: f.Late,
		Title: forms.Text{}, Mandate: forms.Text{}, Body: forms.Text{},
		Audience: forms.Audience{AllMemberStates: f.AllMemberStates}}
	for _, l := range forms.Languages {
		for _, t := range []struct {
			name string
			to   forms.Text
			list *[]textInput
		}{{"title_", call.Title, &f.Title}, {"mandate_", call.Mandate, &f.Mandate}, {"body_", call.Body, &f.Body}} {
			v := strings.TrimSpace(form.CleanText(c.PostForm(t.name + string(l))))
			*t.list = append(*t.list, textInput{l, t.name + string(l), v, words.LanguageName(l)})
			if v != "" {
				t.to[l] = v
			}
		}
	}
	if key, v, ok := strings.Cut(f.Questionnaire, "@"); ok {
		call.Questionnaire = key
		call.Version, _ = strconv.Atoi(v)
	}
	for _, part := range strings.FieldsFunc(f.Years, isListSeparator) {
		if from, to, isRange := strings.Cut(part, "-"); isRange {
			a, err1 := strconv.Atoi(from)
			b, err2 := strconv.Atoi(to)
			if err1 != nil || err2 != nil || b < a || b-a > 30 {
				errs["years"] = "call.invalid.years"
				continue
			}
			for y := a; y <= b; y++ {
				call.Years = append(call.Years, y)
			}
			continue
		}
		y, err := strconv.Atoi(part)
		if err != nil {
			errs["years"] = "call.invalid.years"
			continue
		}
		call.Years = append(call.Years, y)
	}
	slices.Sort(call.Years)
	// Reminder days, a minus sign for after the deadline (the typographic
	// one too).
	for _, part := range strings.FieldsFunc(strings.ReplaceAll(f.Reminders, "−", "-"), isListSeparator) {
		d, err := strconv.Atoi(part)
		if err != nil {
			errs["reminders"] = "call.invalid.reminders"
			continue
		}
		call.Reminders = append(call.Reminders, d)
	}
	slices.Sort(call.Reminders)
	slices.Reverse(call.Reminders)
	loc, err := time.LoadLocation(f.TimeZone)
	if err != nil || f.TimeZone == "" {
		loc = time.UTC
	}
	if f.Opens != "" {
		if call.Opens, err = time.ParseInLocation(time.DateOnly, f.Opens, loc); err != nil {
			errs["opens"] = "call.invalid.opens"
		}
	}
	if f.Deadline != "" {
		if call.Deadline, err = time.ParseInLocation("2006-01-02T15:04", f.Deadline, loc); err != nil {
			errs["deadline"] = "call.invalid.deadline"
		}
	}
	for _, g := range f.Groups {
		if codePattern.MatchString(g) {
			call.Audience.Groups = append(call.Audience.Groups, g)
		}
	}
	for _, code := range strings.FieldsFunc(strings.ToUpper(f.Organizations), isListSeparator) {
		if !codePattern.MatchString(code) {
			errs["audience"] = "call.invalid.organizations"
			continue
		}
		if !slices.Contains(call.Audience.Organizations, code) {
			call.Audience.Organizations = append(call.Audience.Organizations, code)
		}
	}
	return f, call, errs
}

// isListSeparator separates the items of a list typed in any of the six
// languages: commas (Latin, Arabic, Chinese), semicolons, spaces.
func isListSeparator(r rune) bool {
	return r == ',' || r == ';' || r == '،' || r == '，' || r == '、' || r == '；' || unicode.IsSpace(r)
}
