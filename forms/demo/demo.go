// Package demo is the data a development portal starts with and the tests
// set up from: the demo calls, answers to them in every state, a released
// report, synthetic views at scale, and the demo accounts' invitations.
// It speaks to the database through the small Store it declares, so it
// imports the domain only.
package demo

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"portal/forms"
	"portal/forms/synthetic"
)

// Calls are the calls a development portal starts with: views on the
// tourism sector, and crime statistics for the four years before now's.
func Calls(now time.Time) []forms.Call {
	y := now.Year()
	span := strconv.Itoa(y-4) + "–" + strconv.Itoa(y-1)
	return []forms.Call{
		{
			Key: "ccpcj-tourism-views", Questionnaire: "tourism-views", Version: 1, Reference: "CCPCJ22-P4",
			State: forms.CallOpen, Opens: now.AddDate(0, 0, -30), Deadline: endOfDay(now.AddDate(0, 0, 30), "Europe/Vienna"),
			TimeZone: "Europe/Vienna",
			// The first reminder's day is past: a development portal sends
			// that round when it starts (see /dev-mail).
			Reminders: []int{45, 14, 3},
			Audience:  forms.Audience{AllMemberStates: true, Organizations: []string{"EU", "UNTOURISM", "INTERPOL"}},
			Mandate: forms.Text{
				forms.English: "Economic and Social Council resolution 2012/19, paragraph 4",
				forms.French:  "Résolution 2012/19 du Conseil économique et social, paragraphe 4",
				forms.Spanish: "Resolución 2012/19 del Consejo Económico y Social, párrafo 4",
				forms.Russian: "Резолюция 2012/19 Экономического и Социального Совета, пункт 4",
				forms.Arabic:  "قرار المجلس الاقتصادي والاجتماعي 2012/19، الفقرة 4",
				forms.Chinese: "经济及社会理事会第2012/19号决议第4段",
			},
			Body: forms.Text{
				forms.English: "Commission on Crime Prevention and Criminal Justice, twenty-second session",
				forms.French:  "Commission pour la prévention du crime et la justice pénale, vingt-deuxième session",
				forms.Spanish: "Comisión de Prevención del Delito y Justicia Penal, 22º período de sesiones",
				forms.Russian: "Комиссия по предупреждению преступности и уголовному правосудию, двадцать вторая сессия",
				forms.Arabic:  "لجنة منع الجريمة والعدالة الجنائية، الدورة الثانية والعشرون",
				forms.Chinese: "预防犯罪和刑事司法委员会第二十二届会议",
			},
			Title: forms.Text{
				forms.English: "Views on cooperation against threats to the tourism sector (ECOSOC resolution 2012/19, paragraph 4)",
				forms.French:  "Vues sur la coopération contre les menaces visant le secteur du tourisme (résolution 2012/19 du Conseil économique et social, paragraphe 4)",
				forms.Spanish: "Opiniones sobre la cooperación contra las amenazas al sector del turismo (resolución 2012/19 del Consejo Económico y Social, párrafo 4)",
				forms.Russian: "Соображения о сотрудничестве в противодействии угрозам для сектора туризма (резолюция 2012/19 Экономического и Социального Совета, пункт 4)",
				forms.Arabic:  "آراء بشأن التعاون على التصدي للتهديدات التي يتعرض لها قطاع السياحة (قرار المجلس الاقتصادي والاجتماعي 2012/19، الفقرة 4)",
				forms.Chinese: "关于合作应对旅游业所受威胁的意见（经济及社会理事会第2012/19号决议第4段）",
			},
		},
		{
			Key: "crime-statistics-" + strconv.Itoa(y), Questionnaire: "crime-statistics", Version: 1,
			Years: []int{y - 4, y - 3, y - 2, y - 1}, Reference: "UNCTS-" + strconv.Itoa(y),
			State: forms.CallOpen, Opens: now.AddDate(0, 0, -10), Deadline: endOfDay(now.AddDate(0, 0, 60), "UTC"),
			TimeZone: "UTC", LateAllowed: true, Reminders: []int{30, 7, 1, -7},
			Audience: forms.Audience{AllMemberStates: true},
			Mandate: forms.Text{
				forms.English: "Economic and Social Council resolution 2012/18",
				forms.French:  "Résolution 2012/18 du Conseil économique et social",
				forms.Spanish: "Resolución 2012/18 del Consejo Económico y Social",
				forms.Russian: "Резолюция 2012/18 Экономического и Социального Совета",
				forms.Arabic:  "قرار المجلس الاقتصادي والاجتماعي 2012/18",
				forms.Chinese: "经济及社会理事会第2012/18号决议",
			},
			Body: forms.Text{
				forms.English: "Commission on Crime Prevention and Criminal Justice",
				forms.French:  "Commission pour la prévention du crime et la justice pénale",
				forms.Spanish: "Comisión de Prevención del Delito y Justicia Penal",
				forms.Russian: "Комиссия по предупреждению преступности и уголовному правосудию",
				forms.Arabic:  "لجنة منع الجريمة والعدالة الجنائية",
				forms.Chinese: "预防犯罪和刑事司法委员会",
			},
			Title: forms.Text{
				forms.English: "Crime and criminal justice statistics, " + span,
				forms.French:  "Statistiques de la criminalité et de la justice pénale, " + span,
				forms.Spanish: "Estadísticas sobre delincuencia y justicia penal, " + span,
				forms.Russian: "Статистика преступности и уголовного правосудия, " + span + " годы",
				forms.Arabic:  "إحصاءات الجريمة والعدالة الجنائية، " + span,
				forms.Chinese: "犯罪和刑事司法统计，" + span + "年",
			},
		},
	}
}

// endOfDay is 23:59 of t's day in the named zone.
func endOfDay(t time.Time, zone string) time.Time {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 23, 59, 0, 0, loc)
}

// EnsureCalls stores the demo calls that are not stored yet and, the
// first time, demo answers to the views call in every state: Kenya has
// submitted, Germany's was accepted, France's returned for clarification
// with a comment, Brazil has a draft, and the European Union submitted
// jointly for Belgium, Luxembourg and the Netherlands, as the Office
// records. Austria's is left for the user. Each step is dated some days
// before now, within the weeks the call has been open, so that some
// answers have waited longer than others (docs/exports.md, "Demo and
// synthetic figures").
func EnsureCalls(ctx context.Context, store Store, lib Questionnaires, now time.Time) error {
	for i, c := range Calls(now) {
		stored, err := store.EnsureCall(ctx, c)
		if err != nil {
			return fmt.Errorf("demo call %s: %w", c.Key, err)
		}
		if err := demoSubmissions(ctx, store, lib, stored, now, i == 1); err != nil {
			return fmt.Errorf("demo submissions to %s: %w", c.Key, err)
		}
		if i == 0 {
			if err := demoReport(ctx, store, lib, stored); err != nil {
				return fmt.Errorf("demo report of %s: %w", c.Key, err)
			}
		}
	}
	return nil
}

// demoReport writes the frame of the views call's report and releases it
// once, so that the Commission's reader has a report to read; the analyst
// can write on and release again.
func demoReport(ctx context.Context, store Store, lib Questionnaires, call forms.Call) error {
	q, ok := lib.Version(call.Questionnaire, call.Version)
	if !ok {
		return fmt.Errorf("questionnaire %s v%d", call.Questionnaire, call.Version)
	}
	d, err := store.ReportDraft(ctx, call)
	if err != nil || d.Title != "" {
		return err
	}
	d = forms.ReportDraft{Language: forms.English, ReportText: forms.ReportText{
		Title: "International cooperation against criminal and terrorist threats to the tourism sector",
		Introduction: "In its resolution 2012/19, the Economic and Social Council invited Member States and international and regional " +
			"organizations to provide the United Nations Office on Drugs and Crime with their views on ways to make international " +
			"cooperation against criminal and terrorist threats to the tourism sector more effective, including through " +
			"public-private partnerships.\n\nThis report compiles the views received and accepted by the Office.",
		Summaries: map[string]string{"legal_framework": "Respondents describe criminal codes that cover offences against tourists, " +
			"with specific provisions on trafficking in persons and on the sexual exploitation of children in travel and tourism."},
	},
		Translations: map[forms.Language]forms.ReportText{forms.French: {
			Title: "La coopération internationale contre les menaces criminelles et terroristes visant le secteur du tourisme",
			Summaries: map[string]string{"legal_framework": "Les répondants décrivent des codes pénaux qui couvrent les infractions " +
				"commises contre les touristes, avec des dispositions particulières sur la traite des personnes et sur l’exploitation " +
				"sexuelle des enfants dans le cadre des voyages et du tourisme."},
		}},
	}
	actor := forms.Actor{Label: "demo: the Office"}
	if err := store.SaveReportDraft(ctx, call, d, actor); err != nil {
		return err
	}
	_, err = store.ReleaseReport(ctx, call, q, lib.All(), actor)
	return err
}

// GenerateViews makes a call of views answered by the first n Member
// States (by code), each in one of the six languages with its own
// checklists (synthetic.Views), submitted and accepted; for benchmarks and
// demonstrations at scale. It returns the call; States already accepted
// are left as they are.
func GenerateViews(ctx context.Context, store Store, lib Questionnaires, n int, now time.Time) (forms.Call, error) {
	q, ok := lib.Version("tourism-views", 1)
	if !ok {
		return forms.Call{}, fmt.Errorf("no tourism-views questionnaire")
	}
	call, err := store.EnsureCall(ctx, forms.Call{Key: "tourism-views-synthetic", Reference: "VIEWS-SYN",
		Title:         forms.Text{forms.English: "Views on cooperation against threats to the tourism sector (synthetic)"},
		Questionnaire: q.Key, Version: q.Version, State: forms.CallOpen, TimeZone: "UTC",
		Deadline: now.AddDate(0, 1, 0), Audience: forms.Audience{AllMemberStates: true}})
	if err != nil {
		return forms.Call{}, err
	}
	orgs, err := store.Organizations(ctx, forms.MemberState)
	if err != nil {
		return forms.Call{}, err
	}
	slices.SortFunc(orgs, func(a, b forms.Organization) int { return strings.Compare(a.Code, b.Code) })
	office := &forms.User{Memberships: []forms.Membership{{Role: forms.Analyst}}}
	actor := forms.Actor{Label: "demo generate"}
	for _, o := range orgs[:min(n, len(orgs))] {
		ref := refOf(o)
		sub, err := store.Submission(ctx, call, ref)
		if err != nil {
			return call, err
		}
		if sub.State == forms.Accepted {
			continue
		}
		if sub.State.Editable() {
			a := synthetic.Views(q, o.Code)
			if _, err := store.SaveDraft(ctx, call, ref, forms.Edit{Base: sub.DraftVersion, Fields: a.Fields(), Answers: a}, actor); err != nil {
				return call, fmt.Errorf("%s: %w", o.Code, err)
			}
			fp := &forms.User{Memberships: []forms.Membership{{Role: forms.FocalPoint, Organization: ref}}}
			if _, err := store.Transition(ctx, forms.TransitionRequest{Call: call, Questionnaire: q, Organization: ref, User: fp, Transition: forms.TransitionSubmit, At: now, Actor: actor}); err != nil {
				return call, fmt.Errorf("%s: %w", o.Code, err)
			}
		}
		if _, err := store.Transition(ctx, forms.TransitionRequest{Call: call, Questionnaire: q, Organization: ref, User: office, Transition: forms.TransitionAccept, At: now, Actor: actor}); err != nil {
			return call, fmt.Errorf("%s: %w", o.Code, err)
		}
	}
	return call, nil
}

// demoStep is what one organization has done with a demo call.
type demoStep struct {
	code       string
	onBehalfOf []string // a joint submission's States
	then       []forms.Transition
	daysAgo    []int    // when each of then was made, in days before now
	comment    string   // the Office's, when it returns the answers
	threats    []string // the threats observed, when not the demo answers' first two
}

// demoSubmissions seeds answers to a demo call the first time: the views
// in every state; for statistics (statistics true), synthetic figures
// from Kenya (submitted), Germany (accepted) and Mexico (a draft).
func demoSubmissions(ctx context.Context, store Store, lib Questionnaires, call forms.Call, now time.Time, statistics bool) error {
	q, ok := lib.Version(call.Questionnaire, call.Version)
	if !ok {
		return fmt.Errorf("questionnaire %s v%d", call.Questionnaire, call.Version)
	}
	ken, err := store.OrganizationByCode(ctx, "KEN")
	if err != nil {
		return err
	}
	if sub, err := store.Submission(ctx, call, refOf(ken)); err != nil || sub.State != forms.NotStarted {
		return err // seeded before
	}
	office := &forms.User{Email: "analyst@unodc.example.org", Memberships: []forms.Membership{{Role: forms.Analyst}}}
	officeActor := forms.Actor{Label: "demo: the Office"}
	accept := []forms.Transition{forms.TransitionSubmit, forms.TransitionAccept}
	// Answers came in over the weeks the calls have been open, so that
	// the Office's inbox and tracking show some waiting longer than others.
	steps := []demoStep{
		{"KEN", nil, []forms.Transition{forms.TransitionSubmit}, []int{19}, "", nil},
		{"DEU", nil, accept, []int{26, 21}, "", nil},
		{"FRA", nil, []forms.Transition{forms.TransitionSubmit, forms.TransitionReturn}, []int{24, 9},
			"Could you say which ministries take part in the partnerships you describe?", nil},
		{"BRA", nil, nil, nil, "", nil},
		{"EU", []string{"BEL", "LUX", "NLD"}, []forms.Transition{forms.TransitionSubmit}, []int{5}, "", nil},
		{"JPN", nil, accept, []int{28, 23}, "", []string{"terrorism", "counterfeit_products", "cultural_property"}},
		{"ZAF", nil, accept, []int{22, 12}, "", []string{"terrorism", "wildlife", "trafficking_in_persons"}},
		{"CHL", nil, accept, []int{16, 3}, "", []string{"terrorism", "drug_trafficking", "crimes_against_tourists"}},
	}
	if statistics {
		steps = []demoStep{
			{"KEN", nil, []forms.Transition{forms.TransitionSubmit}, []int{3}, "", nil},
			{"DEU", nil, accept, []int{8, 4}, "", nil},
			{"MEX", nil, nil, nil, "", nil},
		}
	}
	// A joint answer counts only for the States the Office records.
	for _, st := range steps {
		if len(st.onBehalfOf) > 0 {
			if err := store.Represent(ctx, call, st.code, st.onBehalfOf, officeActor); err != nil {
				return fmt.Errorf("record of %s's joint answer: %w", st.code, err)
			}
		}
	}
	for _, st := range steps {
		o, err := store.OrganizationByCode(ctx, st.code)
		if err != nil {
			return err
		}
		ref := refOf(o)
		fp := &forms.User{Email: "demo focal point of " + o.Code, Memberships: []forms.Membership{{Role: forms.FocalPoint, Organization: ref}}}
		actor := forms.Actor{Label: "demo: focal point of " + o.Code}
		a := Answers(q, o.Name.En)
		if st.threats != nil {
			a.Values["threats_observed"] = forms.Answer{Choices: st.threats}
		}
		if statistics {
			a = Statistics(q, call.Years, o.Code)
		}
		if _, err := store.SaveDraft(ctx, call, ref, forms.Edit{Fields: a.Fields(), Answers: a}, actor); err != nil {
			return err
		}
		for i, t := range st.then {
			who, by := fp, actor
			if t.Action() == forms.Review {
				who, by = office, officeActor
			}
			msg := ""
			if t == forms.TransitionReturn {
				msg = st.comment
			}
			at := now.AddDate(0, 0, -st.daysAgo[i])
			if at.Before(call.Opens) {
				at = call.Opens
			}
			if _, err := store.Transition(ctx, forms.TransitionRequest{Call: call, Questionnaire: q, Organization: ref, User: who, Transition: t, At: at, OnBehalfOf: st.onBehalfOf, Message: msg, Actor: by}); err != nil {
				return err
			}
		}
	}
	return nil
}

// Statistics are a State's demo figures: synthetic ones, and for
// Germany a jump in burglaries in the last year, explained as a State
// would, so that the Office's checks (the statistics page, the exports'
// Checks sheet) have a break to show.
func Statistics(q *forms.Questionnaire, years []int, code string) forms.Answers {
	a := synthetic.Statistics(q, years, code)
	if code != "DEU" || len(years) < 2 {
		return a
	}
	last := years[len(years)-1]
	jump := forms.CellRef{Question: "police_offences", Row: "burglary", Year: last, Category: forms.TotalCategory}
	prev, c := a.Cells[forms.CellRef{Question: jump.Question, Row: jump.Row, Year: last - 1, Category: jump.Category}], a.Cells[jump]
	if prev.State != forms.CellValue || c.State != forms.CellValue {
		return a
	}
	c.Value = prev.Value * 17 / 10
	a.Cells[jump] = c
	if a.Explanations == nil {
		a.Explanations = map[string]string{}
	}
	for _, f := range forms.Check(q, a, years) {
		if f.Severity == forms.SeverityWarning && a.Explanations[f.Key] == "" {
			a.Explanations[f.Key] = "Since " + strconv.Itoa(last) + " the police record each burglary of a holiday rental as an offence of its own."
		}
	}
	return a
}

func refOf(o forms.Organization) forms.OrganizationRef {
	return forms.OrganizationRef{ID: o.ID, Code: o.Code, Name: o.Name}
}

// Answers answers every question of q plausibly: a text naming the
// country, the first options, yes; tables are left to the user.
func Answers(q *forms.Questionnaire, country string) forms.Answers {
	a := forms.Answers{Values: map[string]forms.Answer{}}
	yes := true
	for _, sec := range q.Sections {
		for _, qq := range sec.Questions {
			switch qq.Kind {
			case forms.Narrative:
				a.Values[qq.Key] = forms.Answer{Text: country + ": " + qq.Label.In(forms.English) + " — the ministries of the interior and of tourism work with hotel and tour operators' associations."}
			case forms.SingleChoice:
				a.Values[qq.Key] = forms.Answer{Choices: []string{qq.Options[0].Key}}
			case forms.MultipleChoice:
				a.Values[qq.Key] = forms.Answer{Choices: []string{qq.Options[0].Key, qq.Options[1].Key}}
			case forms.YesNo:
				a.Values[qq.Key] = forms.Answer{Bool: &yes}
			}
		}
	}
	return a
}
