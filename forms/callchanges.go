package forms

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// CallChanges returns what an edit changes in a call, field by field in a
// fixed order, each with its value before and after as text: key,
// reference, title.<lang>, mandate.<lang>, body.<lang>, questionnaire
// (key@version), years, state, opens, deadline, time_zone, late_allowed,
// audience.all_member_states, audience.groups, audience.organizations.
// For a new call, before is the zero Call.
func CallChanges(before, after Call) []Change {
	var out []Change
	add := func(field, old, new string) {
		if old != new {
			out = append(out, Change{Field: field, Old: old, New: new})
		}
	}
	add("key", before.Key, after.Key)
	add("reference", before.Reference, after.Reference)
	for _, t := range []struct {
		name     string
		old, new Text
	}{{"title", before.Title, after.Title}, {"mandate", before.Mandate, after.Mandate}, {"body", before.Body, after.Body}} {
		for _, l := range Languages {
			add(t.name+"."+string(l), t.old[l], t.new[l])
		}
	}
	add("questionnaire", questionnaireOf(before), questionnaireOf(after))
	add("years", joinInts(before.Years), joinInts(after.Years))
	add("state", string(before.State), string(after.State))
	add("opens", timeText(before.Opens), timeText(after.Opens))
	add("deadline", timeText(before.Deadline), timeText(after.Deadline))
	add("time_zone", before.TimeZone, after.TimeZone)
	add("late_allowed", strconv.FormatBool(before.LateAllowed), strconv.FormatBool(after.LateAllowed))
	add("reminders", joinInts(before.Reminders), joinInts(after.Reminders))
	add("audience.all_member_states", strconv.FormatBool(before.Audience.AllMemberStates), strconv.FormatBool(after.Audience.AllMemberStates))
	add("audience.groups", sortedList(before.Audience.Groups), sortedList(after.Audience.Groups))
	add("audience.organizations", sortedList(before.Audience.Organizations), sortedList(after.Audience.Organizations))
	return out
}

// CheckAnsweredCallEdit says whether a call that organizations have
// answered (a draft with content, or a submitted version) may be edited
// from before to after: its answers are keyed by the questions of its
// questionnaire and by its reporting years, so changing either would leave
// every draft reading as empty. It returns nil, or an error of kind
// KindConflict whose Fields name "questionnaire" and "years" with the
// catalogue IDs of what to tell the Office.
func CheckAnsweredCallEdit(before, after Call) error {
	fields := map[string]string{}
	if before.Questionnaire != after.Questionnaire || before.Version != after.Version {
		fields["questionnaire"] = "call.invalid.questionnaire.answered"
	}
	if !slices.Equal(before.Years, after.Years) {
		fields["years"] = "call.invalid.years.answered"
	}
	if len(fields) > 0 {
		return &Error{Kind: KindConflict, Message: "organizations have answered the call: its questionnaire and years cannot change", Fields: fields}
	}
	return nil
}

func questionnaireOf(c Call) string {
	if c.Questionnaire == "" {
		return ""
	}
	return c.Questionnaire + "@" + strconv.Itoa(c.Version)
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}

func sortedList(xs []string) string {
	s := slices.Clone(xs)
	slices.Sort(s)
	return strings.Join(s, ",")
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
