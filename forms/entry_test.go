package forms

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestOfficeEntryValidate(t *testing.T) {
	now := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
	day := time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		e    OfficeEntry
		want map[string]string
	}{
		{"complete", OfficeEntry{Channel: ChannelEmail, ReceivedOn: day, ReceivedFrom: "Ministry of Interior"}, nil},
		{"today", OfficeEntry{Channel: ChannelPost, ReceivedOn: time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC), ReceivedFrom: "Mission"}, nil},
		{"nothing", OfficeEntry{ReceivedFrom: "  "}, map[string]string{"channel": "entry.error.channel", "received_on": "entry.error.date", "received_from": "entry.error.from"}},
		{"unknown channel, future day", OfficeEntry{Channel: "pigeon", ReceivedOn: now.AddDate(0, 0, 1), ReceivedFrom: "x"},
			map[string]string{"channel": "entry.error.channel", "received_on": "entry.error.future"}},
		{"sender too long", OfficeEntry{Channel: ChannelFax, ReceivedOn: day, ReceivedFrom: tooLong()}, map[string]string{"received_from": "entry.error.from.long"}},
	}
	for _, tt := range tests {
		var got map[string]string
		if err := tt.e.Validate(now); err != nil {
			fe, ok := err.(*Error)
			if !ok || fe.Kind != KindInvalid {
				t.Fatalf("%s: %v, want KindInvalid", tt.name, err)
			}
			got = fe.Fields
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func tooLong() string {
	b := make([]rune, MaxReceivedFrom+1)
	for i := range b {
		b[i] = 'é'
	}
	return string(b)
}

// An entry is decided on EnterOnBehalf (the Office's), with the rules of
// state and time of a submission.
func TestDecideEntry(t *testing.T) {
	aut := Organization{ID: austria, Code: "AUT", Kind: MemberState, RegionalGroups: []string{"WEOG"}}
	asked := Call{Key: "c", State: CallOpen, Audience: Audience{Groups: []string{"WEOG"}}, Deadline: time.Now().Add(time.Hour)}
	analyst := &User{Memberships: []Membership{{Role: Analyst}}}
	fp := &User{Memberships: []Membership{member(FocalPoint, austria)}}
	now := time.Now()
	closed := asked
	closed.State = CallClosed
	notAsked := asked
	notAsked.Audience = Audience{Groups: []string{"AFRICAN"}}
	tests := []struct {
		name string
		u    *User
		c    Call
		from SubmissionState
		want Kind // -1: allowed
	}{
		{"analyst, open call", analyst, asked, InDraft, -1},
		{"analyst, returned on a closed call", analyst, closed, Returned, -1},
		{"analyst, closed call", analyst, closed, InDraft, KindConflict},
		{"analyst, already submitted", analyst, asked, Submitted, KindConflict},
		{"analyst, call not asking", analyst, notAsked, InDraft, KindNotFound},
		{"focal point", fp, asked, InDraft, KindForbidden},
		{"nobody", nil, asked, InDraft, KindForbidden},
	}
	for _, tt := range tests {
		kindOf := func(err error) Kind {
			if err == nil {
				return -1
			}
			return KindOf(err)
		}
		_, err := DecideEntry(tt.u, aut, tt.c, tt.from, now)
		if got := kindOf(err); got != tt.want {
			t.Errorf("%s: %v, want kind %d", tt.name, err, tt.want)
		}
		r := TransitionRequest{Call: tt.c, User: tt.u, Transition: TransitionSubmit, At: now, Entry: &OfficeEntry{}}
		if _, err := r.Decide(aut, tt.from); kindOf(err) != tt.want {
			t.Errorf("%s: the request's Decide: %v, want kind %d", tt.name, err, tt.want)
		}
		if ok := tt.c.TakesEntries(tt.from); ok != (tt.c.State == CallOpen || tt.from == Returned) {
			t.Errorf("%s: TakesEntries = %v", tt.name, ok)
		}
	}
}
