package email

import (
	"fmt"
	"strings"
	"time"

	"portal/forms"
	"portal/mail"
	"portal/templates/words"
)

// Call is what a message says of a call for submissions.
type Call struct {
	Key         string     // forms.Call.Key: in the list and thread ids
	Title       forms.Text // shown in the reader's language
	Deadline    time.Time
	Zone        *time.Location // the call's time zone (forms.Call.TimeZone); nil is UTC
	LateAllowed bool           // submissions after the deadline are taken, marked late
}

// title is the call's title in t's language.
func (c Call) title(t words.Text) string { return c.Title.In(t.Lang) }

// Invitation is the message to a person the Office or a focal point
// invited.
type Invitation struct {
	To   mail.Address
	Role forms.Role
	// Organization is the organization the role is held for; zero for a
	// role held portal-wide (analyst, Commission reader, administrator).
	Organization forms.OrganizationRef
	InvitedBy    string    // the inviter, as the invitations page names them
	Expires      time.Time // shown in t's zone
	Path         string    // where to accept: the sign-in page, "/signin"
}

// Invitation writes the invitation: the role, for which organization, who
// invited, until when it is open, and the link to sign in and take it.
func (s Site) Invitation(t words.Text, in Invitation) (mail.Message, error) {
	u, err := s.link(in.Path)
	if err != nil {
		return mail.Message{}, err
	}
	if _, ok := forms.ParseRole(string(in.Role)); !ok {
		return mail.Message{}, fmt.Errorf("email: invitation to an unknown role %q", in.Role)
	}
	role := t.T("role." + string(in.Role))
	rows := []row{{Label: t.T("mail.label.role"), Value: role}}
	subject := t.Tf("mail.invitation.subject", map[string]any{"Role": role})
	if in.Organization.Code != "" {
		org := in.Organization.Name.In(t.Lang)
		rows = append(rows, row{Label: t.T("mail.label.organization"), Value: org})
		subject = t.Tf("mail.invitation.subject.org", map[string]any{"Role": role, "Organization": org})
	}
	rows = append(rows,
		row{Label: t.T("mail.label.invitedby"), Value: in.InvitedBy},
		row{Label: t.T("invitations.col.expires"), Value: t.Timestamp(in.Expires)})
	b := body{
		Title: t.T("mail.invitation.title"),
		Blocks: []block{
			{Text: t.T("mail.invitation.lead")},
			{Rows: rows},
			{Text: t.Tf("mail.invitation.how", map[string]any{"Email": in.To.Addr})},
			{Link: &link{Label: t.T("mail.invitation.link"), URL: u}},
		},
	}
	return s.compose(t, in.To, subject, b)
}

// Receipt is the receipt of a submitted version, to the person who
// submitted it and to the organization's focal points.
type Receipt struct {
	To           mail.Address
	Call         Call
	Organization forms.OrganizationRef
	Number       int    // the version's number: 1 for the first submission
	Reference    string // the receipt's number, CCPCJ22-P4-AUT-1
	Checksum     string // SHA-256 of the version, hex
	At           time.Time
	By           string   // who submitted it
	Late         bool     // received after the deadline
	OnBehalfOf   []string // for a joint answer: the States' codes
	Path         string   // the receipt's page, "/orgs/AUT/calls/crime-2026/receipts/1"
	// Entry, when the Office entered the version on the organization's
	// behalf, says so and how the answers came (views.EntryNote), in t's language.
	Entry string
}

// Receipt writes the receipt: reference, call, organization, when (in the
// call's zone, named) and by whom, whether late, and the checksum. The
// first receipt begins the submission's thread (its id is ThreadID); a
// later one follows it.
func (s Site) Receipt(t words.Text, in Receipt) (mail.Message, error) {
	u, err := s.link(in.Path)
	if err != nil {
		return mail.Message{}, err
	}
	tz := t.InZone(zoneOf(in.Call.Zone))
	title, org := in.Call.title(t), in.Organization.Name.In(t.Lang)
	late := row{Label: t.T("receipt.late"), Value: t.T("mail.receipt.late.no")}
	if in.Late {
		late.Value = t.T("receipt.late.yes")
	}
	rows := []row{
		{Label: t.T("receipt.reference"), Value: in.Reference, LTR: true},
		{Label: t.T("receipt.organization"), Value: org},
		{Label: t.T("receipt.call"), Value: title},
		{Label: t.T("receipt.at"), Value: tz.Timestamp(in.At)},
		{Label: t.T("receipt.by"), Value: in.By},
		late,
	}
	if in.Entry != "" {
		rows[4] = row{Label: t.T("receipt.entry.by"), Value: in.By}
		rows = append(rows, row{Label: t.T("receipt.entry"), Value: in.Entry})
	}
	if len(in.OnBehalfOf) > 0 {
		rows = append(rows, row{Label: t.T("receipt.onbehalf"), Value: strings.Join(in.OnBehalfOf, ", "), LTR: true})
	}
	rows = append(rows, row{Label: t.T("receipt.checksum"), Value: in.Checksum, LTR: true})
	b := body{
		Title: t.T("mail.receipt.title"),
		Blocks: []block{
			{Text: t.T("receipt.lead")},
			{Rows: rows},
			{Text: t.T("receipt.checksum.hint")},
			{Link: &link{Label: t.T("mail.receipt.link"), URL: u}},
		},
	}
	m, err := s.compose(t, in.To, t.Tf("mail.receipt.subject", map[string]any{"Reference": in.Reference, "Call": title, "Organization": org}), b)
	if err != nil {
		return mail.Message{}, err
	}
	m.ListID = s.listID(in.Call.Key, title)
	m.MessageID = s.receiptID(in.Call.Key, in.Organization.Code, in.Number)
	if in.Number > 1 {
		root := s.ThreadID(in.Call.Key, in.Organization.Code)
		m.InReplyTo, m.References = root, []string{root}
	}
	return m, nil
}

// Returned is the notice that the Office returned a submission for
// clarification, to the organization's focal points and contributors.
type Returned struct {
	To           mail.Address
	Call         Call
	Organization forms.OrganizationRef
	Message      string // what the Office asks, as it wrote it
	Path         string // the answers, "/orgs/AUT/calls/crime-2026"
}

// Returned writes the return for clarification, quoting the Office's
// message, in the submission's thread.
func (s Site) Returned(t words.Text, in Returned) (mail.Message, error) {
	u, err := s.link(in.Path)
	if err != nil {
		return mail.Message{}, err
	}
	title, org := in.Call.title(t), in.Organization.Name.In(t.Lang)
	blocks := []block{
		{Text: t.T("mail.returned.lead")},
		{Rows: []row{{Label: t.T("mail.label.call"), Value: title}, {Label: t.T("mail.label.organization"), Value: org}}},
	}
	if strings.TrimSpace(in.Message) != "" {
		blocks = append(blocks, block{Text: t.T("mail.returned.message")}, block{Quote: strings.TrimSpace(in.Message)})
	}
	blocks = append(blocks,
		block{Text: t.T("mail.returned.next")},
		block{Link: &link{Label: t.T("mail.returned.link"), URL: u}})
	return s.threaded(t, in.To, in.Call, in.Organization,
		t.Tf("mail.returned.subject", map[string]any{"Call": title, "Organization": org}),
		body{Title: t.T("mail.returned.title"), Blocks: blocks})
}

// Accepted is the notice that the Office accepted a submission.
type Accepted struct {
	To           mail.Address
	Call         Call
	Organization forms.OrganizationRef
	Reference    string // the accepted version's receipt number
	Path         string // the submission, "/orgs/AUT/calls/crime-2026/submission"
}

// Accepted writes the acceptance, in the submission's thread.
func (s Site) Accepted(t words.Text, in Accepted) (mail.Message, error) {
	u, err := s.link(in.Path)
	if err != nil {
		return mail.Message{}, err
	}
	title, org := in.Call.title(t), in.Organization.Name.In(t.Lang)
	rows := []row{{Label: t.T("mail.label.call"), Value: title}, {Label: t.T("mail.label.organization"), Value: org}}
	if in.Reference != "" {
		rows = append(rows, row{Label: t.T("receipt.reference"), Value: in.Reference, LTR: true})
	}
	return s.threaded(t, in.To, in.Call, in.Organization,
		t.Tf("mail.accepted.subject", map[string]any{"Call": title, "Organization": org}),
		body{Title: t.T("mail.accepted.title"), Blocks: []block{
			{Text: t.T("mail.accepted.lead")},
			{Rows: rows},
			{Link: &link{Label: t.T("mail.accepted.link"), URL: u}},
		}})
}

// Comment is the notice of a new comment from the Office on a submission.
// It says where the comment is, not what it says.
type Comment struct {
	To           mail.Address
	Call         Call
	Organization forms.OrganizationRef
	// Place says what the comment is about, in the reader's language:
	// a section, a question or a figure, or the submission as a whole.
	Place string
	Path  string // the comment's place, "/orgs/AUT/calls/crime-2026/police#q-3"
}

// Comment writes the notice of a comment, in the submission's thread. It
// is an optional message: its footer says where to turn it off.
func (s Site) Comment(t words.Text, in Comment) (mail.Message, error) {
	u, err := s.link(in.Path)
	if err != nil {
		return mail.Message{}, err
	}
	title, org := in.Call.title(t), in.Organization.Name.In(t.Lang)
	rows := []row{{Label: t.T("mail.label.call"), Value: title}, {Label: t.T("mail.label.organization"), Value: org}}
	if in.Place != "" {
		rows = append(rows, row{Label: t.T("mail.label.about"), Value: in.Place})
	}
	b := body{Title: t.T("mail.comment.title"), Blocks: []block{
		{Text: t.T("mail.comment.lead")},
		{Rows: rows},
		{Link: &link{Label: t.T("mail.comment.link"), URL: u}},
	}}
	unsubscribe, err := s.optional(t, &b)
	if err != nil {
		return mail.Message{}, err
	}
	m, err := s.threaded(t, in.To, in.Call, in.Organization,
		t.Tf("mail.comment.subject", map[string]any{"Call": title, "Organization": org}), b)
	if err != nil {
		return mail.Message{}, err
	}
	m.ListUnsubscribe = unsubscribe
	return m, nil
}

// threaded composes a message in the thread of an organization's answer to
// a call, under the call's list.
func (s Site) threaded(t words.Text, to mail.Address, c Call, org forms.OrganizationRef, subject string, b body) (mail.Message, error) {
	m, err := s.compose(t, to, subject, b)
	if err != nil {
		return mail.Message{}, err
	}
	root := s.ThreadID(c.Key, org.Code)
	m.InReplyTo, m.References = root, []string{root}
	m.ListID = s.listID(c.Key, c.title(t))
	return m, nil
}

// CallOpened is the notice to an asked organization's focal points that a
// call is open.
type CallOpened struct {
	To           mail.Address
	Call         Call
	Organization forms.OrganizationRef
	Path         string // the organization's answer, "/orgs/AUT/calls/crime-2026"
}

// CallOpened writes the notice of a call: its title and its deadline in
// its zone, named.
func (s Site) CallOpened(t words.Text, in CallOpened) (mail.Message, error) {
	u, err := s.link(in.Path)
	if err != nil {
		return mail.Message{}, err
	}
	title, org := in.Call.title(t), in.Organization.Name.In(t.Lang)
	return s.aboutCall(t, in.To, in.Call, in.Organization,
		t.Tf("mail.opened.subject", map[string]any{"Call": title}),
		body{Title: t.T("mail.opened.title"), Blocks: []block{
			{Text: t.T("mail.opened.lead")},
			{Rows: []row{
				{Label: t.T("mail.label.call"), Value: title},
				{Label: t.T("mail.label.organization"), Value: org},
				{Label: t.T("mail.label.deadline"), Value: t.InZone(zoneOf(in.Call.Zone)).Timestamp(in.Call.Deadline)},
			}},
			{Link: &link{Label: t.T("mail.link.questionnaire"), URL: u}},
		}})
}

// Reminder is the reminder to an organization that has not submitted,
// before the deadline or after it.
type Reminder struct {
	To           mail.Address
	Call         Call
	Organization forms.OrganizationRef
	Now          time.Time // when it is sent: the days are counted from it
	Path         string    // the organization's answer, "/orgs/AUT/calls/crime-2026"
}

// Reminder writes a reminder: "due in 7 days" before the deadline, "overdue
// by 3 days" after it, counted in calendar days in the call's zone (due
// today, or passed today, on the deadline's own day).
func (s Site) Reminder(t words.Text, in Reminder) (mail.Message, error) {
	u, err := s.link(in.Path)
	if err != nil {
		return mail.Message{}, err
	}
	zone := zoneOf(in.Call.Zone)
	title, org := in.Call.title(t), in.Organization.Name.In(t.Lang)
	days := calendarDays(in.Now.In(zone), in.Call.Deadline.In(zone))
	var when string
	overdue := !in.Now.Before(in.Call.Deadline)
	switch {
	case overdue && days >= 0:
		when = t.T("mail.reminder.passed")
	case overdue:
		when = t.Tn("mail.reminder.overdue", -days, nil)
	case days == 0:
		when = t.T("mail.reminder.today")
	default:
		when = t.Tn("mail.reminder.due", days, nil)
	}
	subject := t.Tf("mail.reminder.subject", map[string]any{"Call": title, "When": when})
	blocks := []block{
		{Text: t.T("mail.reminder.lead")},
		{Rows: []row{
			{Label: t.T("mail.label.call"), Value: title},
			{Label: t.T("mail.label.organization"), Value: org},
			{Label: t.T("mail.label.deadline"), Value: t.InZone(zone).Timestamp(in.Call.Deadline)},
		}},
	}
	if overdue && in.Call.LateAllowed {
		blocks = append(blocks, block{Text: t.T("mail.reminder.late")})
	}
	blocks = append(blocks,
		block{Link: &link{Label: t.T("mail.link.questionnaire"), URL: u}},
		block{Text: t.T("mail.reminder.crossed")})
	return s.aboutCall(t, in.To, in.Call, in.Organization, subject, body{Title: subject, Blocks: blocks})
}

// calendarDays counts the days from the date of a to the date of b, both
// in their own (the same) zone: negative when b's date is before a's.
func calendarDays(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	da := time.Date(ay, am, ad, 12, 0, 0, 0, time.UTC)
	db := time.Date(by, bm, bd, 12, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Round(24*time.Hour) / (24 * time.Hour))
}

// aboutCall composes a message about a call to one organization: under
// the call's list, and grouped with the other notices of the call to the
// organization.
func (s Site) aboutCall(t words.Text, to mail.Address, c Call, org forms.OrganizationRef, subject string, b body) (mail.Message, error) {
	m, err := s.compose(t, to, subject, b)
	if err != nil {
		return mail.Message{}, err
	}
	root := s.callThreadID(c.Key, org.Code)
	m.InReplyTo, m.References = root, []string{root}
	m.ListID = s.listID(c.Key, c.title(t))
	return m, nil
}

// Digest is an analyst's daily digest: the submissions and the answers to
// returns received since the last one.
type Digest struct {
	To          mail.Address
	Since       time.Time // shown in t's zone
	Submissions []DigestEntry
	Answers     []DigestEntry // submissions again after a return for clarification
	Path        string        // the Office's page, "/office"
}

// DigestEntry is one submission in a digest.
type DigestEntry struct {
	Organization forms.Names
	Call         forms.Text
	Late         bool
	Path         string // the review page, "/office/calls/crime-2026/orgs/AUT"
}

// Digest writes the daily digest: how many of each (in the subject), and
// each with its link. It is an optional message: its footer says where
// to turn it off. An empty digest says that nothing arrived; whether to
// send one is the caller's choice.
func (s Site) Digest(t words.Text, in Digest) (mail.Message, error) {
	u, err := s.link(in.Path)
	if err != nil {
		return mail.Message{}, err
	}
	subs := t.Tn("mail.digest.submissions", len(in.Submissions), nil)
	answers := t.Tn("mail.digest.answers", len(in.Answers), nil)
	b := body{Title: t.Tf("mail.digest.title", map[string]any{"Since": t.Timestamp(in.Since)})}
	if len(in.Submissions)+len(in.Answers) == 0 {
		b.Blocks = append(b.Blocks, block{Text: t.T("mail.digest.empty")})
	}
	for _, l := range []struct {
		heading string
		entries []DigestEntry
	}{{subs, in.Submissions}, {answers, in.Answers}} {
		if len(l.entries) == 0 {
			continue
		}
		items := make([]item, len(l.entries))
		for i, e := range l.entries {
			eu, err := s.link(e.Path)
			if err != nil {
				return mail.Message{}, err
			}
			id := "mail.digest.entry"
			if e.Late {
				id = "mail.digest.entry.late"
			}
			items[i] = item{Text: t.Tf(id, map[string]any{"Organization": e.Organization.In(t.Lang), "Call": e.Call.In(t.Lang)}), URL: eu}
		}
		b.Blocks = append(b.Blocks, block{Heading: l.heading, Items: items})
	}
	b.Blocks = append(b.Blocks, block{Link: &link{Label: t.T("mail.digest.link"), URL: u}})
	unsubscribe, err := s.optional(t, &b)
	if err != nil {
		return mail.Message{}, err
	}
	m, err := s.compose(t, in.To, t.Tf("mail.digest.subject", map[string]any{"Submissions": subs, "Answers": answers}), b)
	if err != nil {
		return mail.Message{}, err
	}
	m.ListID = oneLine(t.T("mail.digest.list")) + " <digest." + s.domainOr() + ">"
	m.ListUnsubscribe = unsubscribe
	return m, nil
}

// CallOf is what a message says of a call.
func CallOf(c forms.Call) Call {
	return Call{Key: c.Key, Title: c.Title, Deadline: c.Deadline, Zone: c.Location(), LateAllowed: c.LateAllowed}
}
