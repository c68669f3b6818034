package main

import (
	"context"
	"database/sql"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"portal/forms"
	"portal/forms/definition"
	"portal/forms/demo"
	"portal/handlers"
	"portal/storage"
	"portal/storage/storagetest"
)

// TestSubmissionSurvivesKill kills the portal process with SIGKILL while
// it submits, at random moments, again and again, and checks after each
// kill that the submission is either wholly there (the state submitted, a
// version holding every answer of the draft) or wholly not (still a draft,
// no new version): never a version without its answers, nor a state
// without its version.
func TestSubmissionSurvivesKill(t *testing.T) {
	t.Parallel()
	dbURL := storagetest.NewDatabase(t)
	ctx := context.Background()
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	const rounds = 16
	var submitted, draft int
	// One address throughout: the development provider's issuer is the
	// portal's address, and users are known by issuer and subject.
	addr := freeAddr(t)
	for round := range rounds {
		p := startPortal(t, []string{"PORTAL_DATABASE_URL=" + dbURL, "PORTAL_ADDR=" + addr}, "serve")
		waitReady(t, p, addr, 90*time.Second)
		base := "http://" + addr
		if round == 0 {
			fillViews(t, dbURL)
		}
		c := devSignIn(t, base, "demo-fp-aut")
		call := demo.Calls(time.Now())[0]
		done := make(chan struct{})
		go func() {
			defer close(done)
			resp, err := c.PostForm(base+"/orgs/AUT/calls/"+call.Key+"/submit", url.Values{})
			if err == nil {
				resp.Body.Close()
			}
		}()
		time.Sleep(time.Duration(rand.IntN(40000)) * time.Microsecond)
		if err := p.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		p.wait(t, 10*time.Second)
		<-done

		var state string
		var versions, frozen, answers int
		if err := db.QueryRowContext(ctx, `
			SELECT d.state, (SELECT count(*) FROM submission_versions v WHERE v.draft_id = d.id),
			       (SELECT count(*) FROM submission_answers a JOIN submission_versions v ON v.id = a.version_id
			        WHERE v.draft_id = d.id AND v.number = d.submitted_versions),
			       (SELECT count(*) FROM draft_answers a WHERE a.draft_id = d.id)
			FROM drafts d JOIN calls c ON c.id = d.call_id JOIN organizations o ON o.id = d.organization_id
			WHERE c.key = $1 AND o.code = 'AUT'`, call.Key).Scan(&state, &versions, &frozen, &answers); err != nil {
			t.Fatal(err)
		}
		switch {
		case state == "submitted" && versions == submitted+1 && frozen == answers && answers > 0:
			submitted++
			// Reset for the next round: a draft again (the versions stay).
			if _, err := db.ExecContext(ctx, `UPDATE drafts SET state = 'draft' FROM calls c WHERE c.id = drafts.call_id AND c.key = $1`, call.Key); err != nil {
				t.Fatal(err)
			}
		case state == "draft" && versions == submitted:
			draft++
		default:
			t.Fatalf("round %d: state %s with %d versions (%d before), %d answers frozen of %d", round, state, versions, submitted, frozen, answers)
		}
	}
	t.Logf("%d kills: %d after the submission committed, %d before", rounds, submitted, draft)
}

// fillViews answers every question of Austria's draft of the views call.
func fillViews(t *testing.T, dbURL string) {
	t.Helper()
	ctx := context.Background()
	s, err := storage.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	lib, err := definition.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	call, err := s.CallByKey(ctx, demo.Calls(time.Now())[0].Key)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := lib.Version(call.Questionnaire, call.Version)
	o, err := s.OrganizationByCode(ctx, "AUT")
	if err != nil {
		t.Fatal(err)
	}
	a := demo.Answers(q, "Austria")
	if _, err := s.SaveDraft(ctx, call, forms.OrganizationRef{ID: o.ID, Code: o.Code}, forms.Edit{Fields: a.Fields(), Answers: a}, forms.Actor{Label: "test"}); err != nil {
		t.Fatal(err)
	}
}

// devSignIn signs in at the portal's development provider as a browser
// would, and returns the client holding the session.
func devSignIn(t *testing.T, base, subject string) *http.Client {
	t.Helper()
	return devSignInVia(t, base, subject, nil)
}

// devSignInVia is devSignIn through the transport tr (nil for the default).
func devSignInVia(t *testing.T, base, subject string, tr http.RoundTripper) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	next := func(resp *http.Response, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.Header.Get("Location")
	}
	loc := next(c.Get(base + "/signin"))
	loc = next(c.Get(loc)) // the provider's authorize: to its account picker
	u, err := url.Parse(loc)
	if err != nil || !strings.HasSuffix(u.Path, handlers.DevSignInPath) {
		t.Fatalf("sign-in went to %q", loc)
	}
	loc = next(c.PostForm(base+handlers.DevSignInPath, url.Values{"id": {u.Query().Get("id")}, "subject": {subject}}))
	loc = next(c.Get(loc)) // the provider's callback
	if loc = next(c.Get(loc)); loc != "/home" {
		t.Fatalf("sign-in as %s ended at %q", subject, loc)
	}
	return c
}
