package email

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"portal/forms"
	"portal/mail"
	"portal/templates/words"
)

var show = flag.Bool("show", false, "print every message composed")

var (
	vienna, _ = time.LoadLocation("Europe/Vienna")
	site      = Site{
		BaseURL:         "https://portal.example.org/",
		From:            mail.Address{Addr: "portal@unodc.example.org"},
		ReplyTo:         mail.Address{Name: "UNODC", Addr: "office@unodc.example.org"},
		PreferencesPath: "/preferences",
	}
	crime = Call{
		Key:         "crime-2026",
		Title:       forms.Text{forms.English: "Crime statistics 2026", forms.Arabic: "إحصاءات الجريمة 2026", forms.French: "Statistiques de la criminalité 2026"},
		Deadline:    time.Date(2026, 3, 31, 23, 59, 0, 0, vienna),
		Zone:        vienna,
		LateAllowed: true,
	}
	austria = forms.OrganizationRef{ID: 14, Code: "AUT", Name: forms.Names{En: "Austria", Fr: "Autriche", Ar: "النمسا", Ru: "Австрия", Es: "Austria", Zh: "奥地利"}}
	focal   = mail.Address{Name: "Maria Huber", Addr: "maria.huber@bmi.gv.example"}
	hostile = forms.OrganizationRef{ID: 15, Code: "XSS", Name: forms.Names{En: `<script>alert("org")</script> & Co`, Ar: `<script>alert("org")</script> & Co`}}
)

func text(t *testing.T, l forms.Language) words.Text {
	t.Helper()
	cat, err := words.Load()
	if err != nil {
		t.Fatal(err)
	}
	return cat.Text(l)
}

// kind is one message kind, composed for an organization (hostile or not).
type kind struct {
	name string
	path string // the link the message must carry
	make func(t words.Text, org forms.OrganizationRef) (mail.Message, error)
}

var kinds = []kind{
	{"invitation", "/signin", func(t words.Text, org forms.OrganizationRef) (mail.Message, error) {
		return site.Invitation(t, Invitation{To: focal, Role: forms.FocalPoint, Organization: org, InvitedBy: `Ana <ana@unodc.example.org>`,
			Expires: time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC), Path: "/signin"})
	}},
	{"receipt", "/orgs/AUT/calls/crime-2026/receipts/1", func(t words.Text, org forms.OrganizationRef) (mail.Message, error) {
		return site.Receipt(t, Receipt{To: focal, Call: crime, Organization: org, Number: 1, Reference: "CCPCJ22-P4-AUT-1",
			Checksum: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", At: time.Date(2026, 3, 1, 14, 5, 9, 0, time.UTC),
			By: "Maria Huber", Path: "/orgs/AUT/calls/crime-2026/receipts/1"})
	}},
	{"late receipt", "/orgs/AUT/calls/crime-2026/receipts/2", func(t words.Text, org forms.OrganizationRef) (mail.Message, error) {
		return site.Receipt(t, Receipt{To: focal, Call: crime, Organization: org, Number: 2, Reference: "CCPCJ22-P4-AUT-2",
			Checksum: "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752", At: time.Date(2026, 4, 2, 8, 0, 0, 0, time.UTC),
			By: "Maria Huber", Late: true, OnBehalfOf: []string{"AUT", "DEU"}, Path: "/orgs/AUT/calls/crime-2026/receipts/2"})
	}},
	{"entered receipt", "/orgs/AUT/calls/crime-2026/receipts/1", func(t words.Text, org forms.OrganizationRef) (mail.Message, error) {
		return site.Receipt(t, Receipt{To: focal, Call: crime, Organization: org, Number: 1, Reference: "CCPCJ22-P4-AUT-1",
			Checksum: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", At: time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC),
			By: "analyst@unodc.example.org", Path: "/orgs/AUT/calls/crime-2026/receipts/1",
			Entry: t.Tf("entry.note", map[string]any{"Organization": org.Name.In(t.Lang), "Channel": t.T("entry.channel.email"), "Date": "2026-03-12", "From": "the Ministry of Interior"})})
	}},
	{"returned", "/orgs/AUT/calls/crime-2026", func(t words.Text, org forms.OrganizationRef) (mail.Message, error) {
		return site.Returned(t, Returned{To: focal, Call: crime, Organization: org,
			Message: "Please check table 2: the totals differ.\n</blockquote><script>alert('office')</script>", Path: "/orgs/AUT/calls/crime-2026"})
	}},
	{"accepted", "/orgs/AUT/calls/crime-2026/submission", func(t words.Text, org forms.OrganizationRef) (mail.Message, error) {
		return site.Accepted(t, Accepted{To: focal, Call: crime, Organization: org, Reference: "CCPCJ22-P4-AUT-2", Path: "/orgs/AUT/calls/crime-2026/submission"})
	}},
	{"comment", "/orgs/AUT/calls/crime-2026/police", func(t words.Text, org forms.OrganizationRef) (mail.Message, error) {
		return site.Comment(t, Comment{To: focal, Call: crime, Organization: org, Place: "Table 2 <police>", Path: "/orgs/AUT/calls/crime-2026/police"})
	}},
	{"call opened", "/orgs/AUT/calls/crime-2026", func(t words.Text, org forms.OrganizationRef) (mail.Message, error) {
		return site.CallOpened(t, CallOpened{To: focal, Call: crime, Organization: org, Path: "/orgs/AUT/calls/crime-2026"})
	}},
	{"reminder before", "/orgs/AUT/calls/crime-2026", func(t words.Text, org forms.OrganizationRef) (mail.Message, error) {
		return site.Reminder(t, Reminder{To: focal, Call: crime, Organization: org, Now: crime.Deadline.AddDate(0, 0, -7), Path: "/orgs/AUT/calls/crime-2026"})
	}},
	{"reminder after", "/orgs/AUT/calls/crime-2026", func(t words.Text, org forms.OrganizationRef) (mail.Message, error) {
		return site.Reminder(t, Reminder{To: focal, Call: crime, Organization: org, Now: crime.Deadline.AddDate(0, 0, 3), Path: "/orgs/AUT/calls/crime-2026"})
	}},
	{"digest", "/office/calls/crime-2026/orgs/AUT", func(t words.Text, org forms.OrganizationRef) (mail.Message, error) {
		return site.Digest(t, Digest{To: focal, Since: time.Date(2026, 3, 1, 6, 0, 0, 0, time.UTC),
			Submissions: []DigestEntry{
				{Organization: org.Name, Call: crime.Title, Path: "/office/calls/crime-2026/orgs/AUT"},
				{Organization: forms.Names{En: "Germany", Ar: "ألمانيا"}, Call: crime.Title, Late: true, Path: "/office/calls/crime-2026/orgs/DEU"},
			},
			Answers: []DigestEntry{{Organization: forms.Names{En: "Chile", Ar: "شيلي"}, Call: crime.Title, Path: "/office/calls/crime-2026/orgs/CHL"}},
			Path:    "/office"})
	}},
	{"empty digest", "/office", func(t words.Text, _ forms.OrganizationRef) (mail.Message, error) {
		return site.Digest(t, Digest{To: focal, Since: time.Date(2026, 3, 1, 6, 0, 0, 0, time.UTC), Path: "/office"})
	}},
}

// TestMessages: every kind, in every language: both parts carry the
// link, the message can be sent as it is, and no message ID of the
// catalogue shows instead of its words.
func TestMessages(t *testing.T) {
	ids := catalogueIDs(t)
	for _, l := range forms.Languages {
		tx := text(t, l)
		for _, k := range kinds {
			m, err := k.make(tx, austria)
			if err != nil {
				t.Errorf("%s %s: %v", l, k.name, err)
				continue
			}
			if *show && (l == forms.English || l == forms.Arabic) {
				t.Logf("%s %s\nSubject: %s\n\n%s\n%s", l, k.name, m.Subject, m.Text, m.HTML)
			}
			if err := m.Check(); err != nil {
				t.Errorf("%s %s: the message cannot be sent: %v", l, k.name, err)
			}
			link := "https://portal.example.org" + k.path
			if !strings.Contains(m.Text, link) || !strings.Contains(m.HTML, `href="`+link+`"`) {
				t.Errorf("%s %s: a part lacks the link %s", l, k.name, link)
			}
			for _, part := range []string{m.Subject, m.Text, m.HTML} {
				for _, id := range ids {
					if strings.Contains(part, id) {
						t.Errorf("%s %s: the message ID %q shows instead of its words:\n%s", l, k.name, id, part)
					}
				}
			}
			if strings.Contains(m.HTML, "<no value>") || strings.Contains(m.Text, "<no value>") || strings.Contains(m.Subject, "<no value>") {
				t.Errorf("%s %s: a placeholder has no value", l, k.name)
			}
			dir := "ltr"
			if l == forms.Arabic {
				dir = "rtl"
			}
			want := fmt.Sprintf(`<html lang="%s" dir="%s">`, l, dir)
			if !strings.Contains(m.HTML, want) || !strings.Contains(m.HTML, fmt.Sprintf(`<div lang="%s" dir="%s"`, l, dir)) {
				t.Errorf("%s %s: the HTML part lacks %s", l, k.name, want)
			}
			if m.Lang != string(l) || m.AutoSubmitted != "auto-generated" || m.From.Name != tx.T("site.name") || m.ReplyTo != site.ReplyTo || !cmp.Equal(m.To, []mail.Address{focal}) {
				t.Errorf("%s %s: Lang %q, Auto-Submitted %q, From %v, Reply-To %v, To %v", l, k.name, m.Lang, m.AutoSubmitted, m.From, m.ReplyTo, m.To)
			}
			if !strings.HasPrefix(m.Text, tx.T("site.name")+"\n\n") || !strings.Contains(m.Text, "\n-- \n"+tx.T("mail.footer.auto")) {
				t.Errorf("%s %s: the plain text part is not laid out as body.txt says:\n%s", l, k.name, m.Text)
			}
		}
	}
}

// TestMessagesRead checks the English and Arabic words of each kind.
func TestMessagesRead(t *testing.T) {
	en, ar := text(t, forms.English), text(t, forms.Arabic)
	for _, tc := range []struct {
		kind    string
		t       words.Text
		subject string
		has     []string // in both parts
	}{
		{"invitation", en, "Invitation to the Member State submissions portal: National focal point, Austria",
			[]string{"National focal point", "Austria", "2026-03-15 10:00 UTC", "maria.huber@bmi.gv.example", "Sign in to the portal"}},
		{"invitation", ar, "دعوة إلى بوابة إسهامات الدول الأعضاء: جهة الوصل الوطنية، النمسا",
			[]string{"جهة الوصل الوطنية", "النمسا", "\u20662026-03-15 10:00 UTC\u2069", "تسجيل الدخول إلى البوابة"}},
		{"receipt", en, "Receipt CCPCJ22-P4-AUT-1: Crime statistics 2026, Austria",
			[]string{"Submission received", "CCPCJ22-P4-AUT-1", "2026-03-01 15:05 (Europe/Vienna)", "Maria Huber", "No: received before the deadline",
				"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}},
		{"receipt", ar, "إشعار بالاستلام CCPCJ22-P4-AUT-1: إحصاءات الجريمة 2026، النمسا",
			[]string{"تم استلام التقديم", "\u20662026-03-01 15:05 (Europe/Vienna)\u2069", "لا: ورد قبل الموعد النهائي"}},
		{"late receipt", en, "Receipt CCPCJ22-P4-AUT-2: Crime statistics 2026, Austria",
			[]string{"Yes: received after the deadline", "AUT, DEU", "2026-04-02 10:00 (Europe/Vienna)"}},
		{"entered receipt", en, "Receipt CCPCJ22-P4-AUT-1: Crime statistics 2026, Austria",
			[]string{"Entered by", "analyst@unodc.example.org", "Entered by the Office on behalf of Austria: received by e-mail on 2026-03-12 from the Ministry of Interior"}},
		{"entered receipt", ar, "إشعار بالاستلام CCPCJ22-P4-AUT-1: إحصاءات الجريمة 2026، النمسا",
			[]string{"أدخله المكتب بالنيابة عن النمسا"}},
		{"returned", en, "Returned for clarification: Crime statistics 2026, Austria",
			[]string{"The Office has returned your submission for clarification", "Please check table 2: the totals differ."}},
		{"returned", ar, "أعيد لطلب إيضاحات: إحصاءات الجريمة 2026، النمسا",
			[]string{"أعاد المكتب تقديمكم لطلب إيضاحات", "Please check table 2: the totals differ."}},
		{"accepted", en, "Accepted: Crime statistics 2026, Austria", []string{"The Office has accepted your submission", "CCPCJ22-P4-AUT-2"}},
		{"accepted", ar, "قُبل: إحصاءات الجريمة 2026، النمسا", []string{"قبل المكتب تقديمكم"}},
		{"comment", en, "New comment from the Office: Crime statistics 2026, Austria", []string{"Read the comment", "Turn off messages of this kind"}},
		{"comment", ar, "تعليق جديد من المكتب: إحصاءات الجريمة 2026، النمسا", []string{"قراءة التعليق"}},
		{"call opened", en, "New call for submissions: Crime statistics 2026", []string{"Deadline", "2026-03-31 23:59 (Europe/Vienna)", "Open the questionnaire"}},
		{"call opened", ar, "دعوة جديدة إلى تقديم الإسهامات: إحصاءات الجريمة 2026", []string{"\u20662026-03-31 23:59 (Europe/Vienna)\u2069", "فتح الاستبيان"}},
		{"reminder before", en, "Reminder: Crime statistics 2026 — due in 7 days", []string{"has not yet received"}},
		{"reminder before", ar, "تذكير: إحصاءات الجريمة 2026 — بقيت 7 أيام على الموعد النهائي", nil},
		{"reminder after", en, "Reminder: Crime statistics 2026 — overdue by 3 days", []string{"Submissions after the deadline are still taken"}},
		{"reminder after", ar, "تذكير: إحصاءات الجريمة 2026 — مضت 3 أيام على الموعد النهائي", []string{"لا تزال التقديمات الواردة بعد الموعد النهائي تُقبل"}},
		{"digest", en, "Daily digest: 2 new submissions, 1 answer to a return for clarification",
			[]string{"Received since 2026-03-01 06:00 UTC", "Austria — Crime statistics 2026", "Germany — Crime statistics 2026 (late)", "Chile — Crime statistics 2026"}},
		{"digest", ar, "الملخص اليومي: تقديمان جديدان، رد واحد على طلب إيضاح", []string{"ألمانيا — إحصاءات الجريمة 2026 (متأخر)"}},
		{"empty digest", en, "Daily digest: 0 new submissions, 0 answers to returns for clarification", []string{"Nothing arrived."}},
		{"empty digest", ar, "الملخص اليومي: لا تقديمات جديدة، لا ردود على طلبات الإيضاح", []string{"لم يرد شيء."}},
	} {
		m, err := kindNamed(tc.kind).make(tc.t, austria)
		if err != nil {
			t.Fatal(err)
		}
		if m.Subject != tc.subject {
			t.Errorf("%s %s: subject %q; want %q", tc.t.Lang, tc.kind, m.Subject, tc.subject)
		}
		for _, s := range tc.has {
			if !strings.Contains(m.Text, s) || !strings.Contains(m.HTML, s) {
				t.Errorf("%s %s: a part lacks %q:\n%s\n%s", tc.t.Lang, tc.kind, s, m.Text, m.HTML)
			}
		}
	}
}

// TestReminderDays: the days are counted in the call's zone, from the
// date a reminder goes to the deadline's date, in the forms each language
// has for them (Arabic: one, two, few, many and other).
func TestReminderDays(t *testing.T) {
	en, ar, ru := text(t, forms.English), text(t, forms.Arabic), text(t, forms.Russian)
	deadline := crime.Deadline // 2026-03-31 23:59 in Vienna, 21:59 UTC
	for _, tc := range []struct {
		now  time.Time
		t    words.Text
		when string
	}{
		{deadline.AddDate(0, 0, -1), en, "due in 1 day"},
		{deadline.AddDate(0, 0, -3), en, "due in 3 days"},
		{deadline.Add(-time.Hour), en, "due today"},
		{deadline.Add(30 * time.Second), en, "the deadline passed today"},
		// 23:30 UTC on the 31st is already 1 April in Vienna.
		{time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC), en, "overdue by 1 day"},
		{time.Date(2026, 3, 30, 23, 30, 0, 0, time.UTC), en, "due today"},
		{deadline.AddDate(0, 0, 1), en, "overdue by 1 day"},
		{deadline.AddDate(0, 0, 11), en, "overdue by 11 days"},
		{deadline.AddDate(0, 0, -1), ar, "بقي يوم واحد على الموعد النهائي"},
		{deadline.AddDate(0, 0, -2), ar, "بقي يومان على الموعد النهائي"},
		{deadline.AddDate(0, 0, -3), ar, "بقيت 3 أيام على الموعد النهائي"},
		{deadline.AddDate(0, 0, -11), ar, "بقي 11 يومًا على الموعد النهائي"},
		{deadline.AddDate(0, 0, -100), ar, "بقي 100 يوم على الموعد النهائي"},
		{deadline.Add(-time.Hour), ar, "يحين الموعد النهائي اليوم"},
		{deadline.AddDate(0, 0, 1), ar, "مضى يوم واحد على الموعد النهائي"},
		{deadline.AddDate(0, 0, 3), ar, "مضت 3 أيام على الموعد النهائي"},
		{deadline.AddDate(0, 0, 11), ar, "مضى 11 يومًا على الموعد النهائي"},
		{deadline.AddDate(0, 0, -1), ru, "срок истекает через 1 день"},
		{deadline.AddDate(0, 0, -3), ru, "срок истекает через 3 дня"},
		{deadline.AddDate(0, 0, -11), ru, "срок истекает через 11 дней"},
		{deadline.AddDate(0, 0, -21), ru, "срок истекает через 21 день"},
		{deadline.AddDate(0, 0, 5), ru, "просрочено на 5 дней"},
	} {
		m, err := site.Reminder(tc.t, Reminder{To: focal, Call: crime, Organization: austria, Now: tc.now, Path: "/orgs/AUT/calls/crime-2026"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(m.Subject, " — "+tc.when) || !strings.Contains(m.HTML, tc.when) {
			t.Errorf("%s at %s: %q; want it to end %q", tc.t.Lang, tc.now.In(vienna), m.Subject, tc.when)
		}
	}
	// Late submissions not taken: an overdue reminder does not say they are.
	closed := crime
	closed.LateAllowed = false
	m, err := site.Reminder(en, Reminder{To: focal, Call: closed, Organization: austria, Now: deadline.AddDate(0, 0, 2), Path: "/orgs/AUT/calls/crime-2026"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.Text, en.T("mail.reminder.late")) {
		t.Error("an overdue reminder for a call that takes no late submission says it takes them")
	}
}

// TestDigestCounts: the counts in the subject take each language's forms.
func TestDigestCounts(t *testing.T) {
	entries := func(n int) []DigestEntry {
		es := make([]DigestEntry, n)
		for i := range es {
			es[i] = DigestEntry{Organization: austria.Name, Call: crime.Title, Path: fmt.Sprintf("/office/calls/crime-2026/orgs/X%d", i)}
		}
		return es
	}
	for _, tc := range []struct {
		lang        forms.Language
		subs, answ  int
		wantSubject string
	}{
		{forms.English, 1, 3, "Daily digest: 1 new submission, 3 answers to returns for clarification"},
		{forms.Arabic, 1, 2, "الملخص اليومي: تقديم جديد واحد، ردّان على طلبات إيضاح"},
		{forms.Arabic, 3, 11, "الملخص اليومي: 3 تقديمات جديدة، 11 ردًّا على طلبات إيضاح"},
		{forms.Arabic, 100, 0, "الملخص اليومي: 100 تقديم جديد، لا ردود على طلبات الإيضاح"},
		{forms.Russian, 2, 5, "Ежедневная сводка: 2 новых представления, 5 ответов на возвраты для уточнения"},
		{forms.French, 2, 1, "Récapitulatif quotidien\u00a0: 2 nouvelles soumissions, 1 réponse à un renvoi pour éclaircissements"},
	} {
		m, err := site.Digest(text(t, tc.lang), Digest{To: focal, Submissions: entries(tc.subs), Answers: entries(tc.answ), Path: "/office"})
		if err != nil {
			t.Fatal(err)
		}
		if m.Subject != tc.wantSubject {
			t.Errorf("%s %d+%d: %q; want %q", tc.lang, tc.subs, tc.answ, m.Subject, tc.wantSubject)
		}
		if n := strings.Count(m.HTML, "<li>"); n != tc.subs+tc.answ {
			t.Errorf("%s: %d entries listed; want %d", tc.lang, n, tc.subs+tc.answ)
		}
	}
}

// TestHostileInput: a name, a title or the Office's message with markup
// in it is text in the HTML part, never markup.
func TestHostileInput(t *testing.T) {
	for _, l := range []forms.Language{forms.English, forms.Arabic} {
		tx := text(t, l)
		for _, k := range kinds {
			m, err := k.make(tx, hostile)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(m.HTML, "<script") || strings.Contains(m.HTML, "</blockquote><") || strings.Contains(m.HTML, "<police>") {
				t.Errorf("%s %s: markup from the input reached the HTML part:\n%s", l, k.name, m.HTML)
			}
			if k.name != "empty digest" && k.name != "call opened" && k.name != "reminder before" && k.name != "reminder after" && k.name != "digest" {
				if !strings.Contains(m.HTML, "&lt;script&gt;") {
					t.Errorf("%s %s: the organization's name is not shown, escaped:\n%s", l, k.name, m.HTML)
				}
			}
		}
	}
	// The Office's message: quoted as written in the text part, escaped in
	// the HTML part, in a quotation that takes its own direction.
	m, err := kindNamed("returned").make(text(t, forms.Arabic), austria)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, "> Please check table 2: the totals differ.\n> </blockquote><script>alert('office')</script>") {
		t.Errorf("the text part does not quote the message as written:\n%s", m.Text)
	}
	if !strings.Contains(m.HTML, `<blockquote dir="auto"`) || !strings.Contains(m.HTML, "&lt;/blockquote&gt;&lt;script&gt;alert(&#39;office&#39;)&lt;/script&gt;") {
		t.Errorf("the HTML part does not quote the message escaped:\n%s", m.HTML)
	}
}

// TestThreading: a submission's messages form one thread whose root is the
// first receipt; every message about a call is under the call's list.
func TestThreading(t *testing.T) {
	tx := text(t, forms.English)
	root := site.ThreadID("crime-2026", "AUT")
	if root != "submission.crime-2026.aut@portal.example.org" {
		t.Errorf("ThreadID = %q", root)
	}
	if other := site.ThreadID("crime-2026", "DEU"); other == root {
		t.Error("two organizations share a thread")
	}
	list := "Crime statistics 2026 <crime-2026.calls.portal.example.org>"
	callRoot := "call.crime-2026.aut@portal.example.org"
	for _, tc := range []struct {
		kind       string
		id         string // "" for a random one
		inReplyTo  string
		listID     string
		unsubcribe string
	}{
		{"invitation", "", "", "", ""},
		{"receipt", root, "", list, ""},
		{"late receipt", "receipt-2.crime-2026.aut@portal.example.org", root, list, ""},
		{"returned", "", root, list, ""},
		{"accepted", "", root, list, ""},
		{"comment", "", root, list, "https://portal.example.org/preferences"},
		{"call opened", "", callRoot, list, ""},
		{"reminder before", "", callRoot, list, ""},
		{"reminder after", "", callRoot, list, ""},
		{"digest", "", "", "Daily digest <digest.portal.example.org>", "https://portal.example.org/preferences"},
	} {
		m, err := kindNamed(tc.kind).make(tx, austria)
		if err != nil {
			t.Fatal(err)
		}
		if tc.id != "" && m.MessageID != tc.id {
			t.Errorf("%s: Message-ID %q; want %q", tc.kind, m.MessageID, tc.id)
		}
		if tc.id == "" && (!strings.HasSuffix(m.MessageID, "@portal.example.org") || m.MessageID == root || m.MessageID == callRoot) {
			t.Errorf("%s: Message-ID %q; want one of its own", tc.kind, m.MessageID)
		}
		var refs []string
		if tc.inReplyTo != "" {
			refs = []string{tc.inReplyTo}
		}
		if m.InReplyTo != tc.inReplyTo || !cmp.Equal(m.References, refs) {
			t.Errorf("%s: In-Reply-To %q, References %q; want %q", tc.kind, m.InReplyTo, m.References, tc.inReplyTo)
		}
		if m.ListID != tc.listID || m.ListUnsubscribe != tc.unsubcribe {
			t.Errorf("%s: List-Id %q, List-Unsubscribe %q; want %q, %q", tc.kind, m.ListID, m.ListUnsubscribe, tc.listID, tc.unsubcribe)
		}
	}
	// Two notices of the same kind are two messages.
	a, _ := kindNamed("returned").make(tx, austria)
	b, _ := kindNamed("returned").make(tx, austria)
	if a.MessageID == b.MessageID {
		t.Error("two returns share a Message-ID")
	}
	// The list's name is in the reader's language.
	m, err := kindNamed("accepted").make(text(t, forms.Arabic), austria)
	if err != nil {
		t.Fatal(err)
	}
	if m.ListID != "إحصاءات الجريمة 2026 <crime-2026.calls.portal.example.org>" {
		t.Errorf("Arabic List-Id %q", m.ListID)
	}
}

// TestSite: the footer follows the site's settings, links keep a path
// prefix, and a site that cannot work is refused.
func TestSite(t *testing.T) {
	tx := text(t, forms.English)
	s := Site{BaseURL: "https://un.example.org/portal", From: mail.Address{Name: "Submissions portal", Addr: "portal@un.example.org"}}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	m, err := s.Comment(tx, Comment{To: focal, Call: crime, Organization: austria, Path: "/orgs/AUT/calls/crime-2026/police?version=2"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, "https://un.example.org/portal/orgs/AUT/calls/crime-2026/police?version=2") {
		t.Errorf("the link loses the base's path:\n%s", m.Text)
	}
	if m.From.Name != "Submissions portal" || !m.ReplyTo.IsZero() || m.ListUnsubscribe != "" {
		t.Errorf("From %v, Reply-To %v, List-Unsubscribe %q", m.From, m.ReplyTo, m.ListUnsubscribe)
	}
	if !strings.Contains(m.Text, tx.T("mail.footer.noreply")) || strings.Contains(m.Text, tx.T("mail.footer.reply")) || strings.Contains(m.Text, tx.T("mail.footer.preferences")) {
		t.Errorf("the footer does not follow the site:\n%s", m.Text)
	}
	if got := s.ThreadID("crime-2026", "AUT"); got != "submission.crime-2026.aut@un.example.org" {
		t.Errorf("ThreadID %q", got)
	}
	if got := (Site{BaseURL: "http://127.0.0.1:8080"}).ThreadID("k", "AUT"); got != "submission.k.aut@127-0-0-1.invalid" {
		t.Errorf("ThreadID on an address: %q", got)
	}

	for _, bad := range []Site{
		{BaseURL: "portal.example.org", From: site.From},
		{BaseURL: "javascript:alert(1)", From: site.From},
		{BaseURL: "https://portal.example.org", From: mail.Address{Addr: "not an address"}},
		{BaseURL: "https://portal.example.org"},
		{BaseURL: "https://portal.example.org", From: site.From, ReplyTo: mail.Address{Name: "Office"}},
		{BaseURL: "https://portal.example.org", From: site.From, PreferencesPath: "//evil.example.org/x"},
	} {
		if err := bad.Check(); err == nil {
			t.Errorf("Check(%+v) took it", bad)
		}
	}
	for _, path := range []string{"", "orgs/AUT", "//evil.example.org/", "https://evil.example.org/"} {
		if _, err := site.Accepted(tx, Accepted{To: focal, Call: crime, Organization: austria, Path: path}); err == nil {
			t.Errorf("a link to %q was made", path)
		}
	}
	if _, err := site.Accepted(tx, Accepted{Call: crime, Organization: austria, Path: "/x"}); err == nil {
		t.Error("a message to no one was made")
	}
	m, err = site.Accepted(tx, Accepted{To: mail.Address{Name: "Eve\r\nBcc: x@example.org", Addr: "eve@example.org"}, Call: crime, Organization: austria, Path: "/x"})
	if err != nil || m.To[0].Name != "Eve Bcc: x@example.org" || m.Check() != nil {
		t.Errorf("a name with a line break: %v, %q", err, m.To)
	}
}

func TestLanguageFor(t *testing.T) {
	for _, tc := range []struct {
		user, org, want forms.Language
	}{
		{forms.Arabic, forms.French, forms.Arabic},
		{"", forms.French, forms.French},
		{"", "", forms.English},
		{"de", "", forms.English},
		{"de", forms.Spanish, forms.Spanish},
		{forms.Chinese, "", forms.Chinese},
	} {
		if got := LanguageFor(tc.user, tc.org); got != tc.want {
			t.Errorf("LanguageFor(%q, %q) = %q; want %q", tc.user, tc.org, got, tc.want)
		}
	}
}

// TestCountedMessagesUsedWithCount: the package asks for a counted message
// with its count (Tn), and for the others without one, and every message
// it asks for is in the catalogue.
func TestCountedMessagesUsedWithCount(t *testing.T) {
	cat, err := words.Load()
	if err != nil {
		t.Fatal(err)
	}
	en := cat.Messages(forms.English)
	used := regexp.MustCompile(`\.(T|Tf|Tn)\("([a-z0-9_.]+)"[,)]`)
	n := 0
	for _, f := range []string{"email.go", "messages.go"} {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range used.FindAllStringSubmatch(string(src), -1) {
			n++
			msg, ok := en[m[2]]
			switch {
			case !ok:
				t.Errorf("%s asks for %q, which en.json lacks", f, m[2])
			case len(msg) > 1 && m[1] != "Tn":
				t.Errorf("%s asks for the counted message %q without its count: use Tn", f, m[2])
			case len(msg) == 1 && m[1] == "Tn":
				t.Errorf("%s asks for %q with a count, but it has no plural forms", f, m[2])
			}
		}
	}
	if n < 40 {
		t.Errorf("found only %d uses of the catalogue", n)
	}
}

func kindNamed(name string) kind {
	for _, k := range kinds {
		if k.name == name {
			return k
		}
	}
	panic("no kind " + name)
}

// catalogueIDs are the catalogue's message IDs, longest first.
func catalogueIDs(t *testing.T) []string {
	t.Helper()
	cat, err := words.Load()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for id := range cat.Messages(forms.English) {
		if strings.Contains(id, ".") {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return len(ids[i]) > len(ids[j]) })
	return ids
}
