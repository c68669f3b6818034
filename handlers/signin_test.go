package handlers

import (
	"context"
	"html"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"portal/forms"
	"portal/forms/demo"
	"portal/storage"
	"portal/storage/storagetest"
)

// TestSignInFlow signs in through the development provider as each demo
// account, lands on the home of its role, and signs out.
func TestSignInFlow(t *testing.T) {
	t.Parallel()
	for _, a := range demo.Accounts {
		t.Run(a.Subject, func(t *testing.T) {
			t.Parallel()
			store := storagetest.NewStore(t)
			inviteDemoAccount(t, store, a)
			ts, _ := startServer(t, store)
			c, jar := newRecordingClient(t)

			r := signIn(t, c, ts.URL, a.Subject)
			if r.status != http.StatusSeeOther || r.header.Get("Location") != "/home" {
				t.Fatalf("callback: %d to %q, want 303 to /home\n%s", r.status, r.header.Get("Location"), r.body)
			}
			tokens := jar.sessionTokens()
			if len(tokens) < 2 || tokens[0] == tokens[len(tokens)-1] {
				t.Errorf("session tokens set during sign-in: %q; want the one of /signin renewed at the callback", tokens)
			}

			home := do(t, c, "GET", ts.URL+"/home", nil)
			if want := roleHome(a); want == "" {
				if home.status != http.StatusOK || !strings.Contains(home.body, "Your access is pending") {
					t.Errorf("/home with no role: %d, want 200 with the pending page\n%s", home.status, home.body)
				}
			} else {
				if home.status != http.StatusSeeOther || home.header.Get("Location") != want {
					t.Fatalf("/home: %d to %q, want 303 to %s", home.status, home.header.Get("Location"), want)
				}
				if land := do(t, c, "GET", ts.URL+want, nil); land.status != http.StatusOK {
					t.Errorf("%s: %d, want 200", want, land.status)
				}
			}

			out := do(t, c, "POST", ts.URL+"/signout", nil, "Origin: "+ts.URL)
			loc := out.header.Get("Location")
			endSession := ts.URL + DevIdPPath + "/end_session?"
			if out.status != http.StatusSeeOther || (loc != "/signed-out" && !strings.HasPrefix(loc, endSession)) {
				t.Fatalf("sign-out: %d to %q, want 303 to the provider's end_session or /signed-out", out.status, loc)
			}
			if strings.HasPrefix(loc, endSession) {
				if r := do(t, c, "GET", loc, nil); r.header.Get("Location") != ts.URL+"/signed-out" {
					t.Errorf("provider's end_session: %d to %q, want back to /signed-out", r.status, r.header.Get("Location"))
				}
			}
			after := do(t, c, "GET", ts.URL+"/home", nil)
			if after.status != http.StatusSeeOther || !strings.HasPrefix(after.header.Get("Location"), "/signin") {
				t.Errorf("/home after sign-out: %d to %q, want 303 to /signin", after.status, after.header.Get("Location"))
			}

			for _, action := range []string{forms.AuditSignIn, forms.AuditSignOut} {
				if n := len(auditEvents(t, store, action, a.Email)); n != 1 {
					t.Errorf("%d %s events by %s, want 1", n, action, a.Email)
				}
			}
		})
	}
}

// roleHome is where /home sends the account after sign-in; "" when it has no role.
func roleHome(a demo.Account) string {
	switch a.Role {
	case forms.FocalPoint, forms.Contributor:
		return "/orgs/" + a.Org
	case forms.Analyst, forms.Admin:
		return "/office"
	case forms.Commission:
		return "/commission"
	}
	return ""
}

func TestSignInMissingState(t *testing.T) {
	t.Parallel()
	store := storagetest.NewStore(t)
	ts, _ := startServer(t, store)

	r := do(t, newClient(t), "GET", ts.URL+"/auth/callback?code=x", nil)
	checkSignInRefused(t, r, http.StatusBadRequest, "state")
	for _, ck := range r.header.Values("Set-Cookie") {
		if strings.HasPrefix(ck, "portal_session=") {
			t.Errorf("refused callback set a session cookie: %s", ck)
		}
	}
	checkNoUsers(t, store)
	checkFailureAudited(t, store, "state", "")
}

func TestSignInTamperedState(t *testing.T) {
	t.Parallel()
	store := storagetest.NewStore(t)
	ts, _ := startServer(t, store)
	c := newClient(t)
	callback := devCallbackURL(t, c, ts.URL, "demo-newcomer")

	r := do(t, c, "GET", withQuery(t, callback, "state", "forged-"+queryOf(t, callback, "state")), nil)
	checkSignInRefused(t, r, http.StatusBadRequest, "state")
	checkNoUsers(t, store)
	checkFailureAudited(t, store, "state", "")

	// One attempt per sign-in: the genuine answer is now refused as well.
	r = do(t, c, "GET", callback, nil)
	checkSignInRefused(t, r, http.StatusBadRequest, "state")
	checkNoUsers(t, store)
}

func TestSignInReplayedCode(t *testing.T) {
	t.Parallel()
	store := storagetest.NewStore(t)
	ts, _ := startServer(t, store)
	c := newClient(t)
	callback := devCallbackURL(t, c, ts.URL, "demo-newcomer")
	if r := do(t, c, "GET", callback, nil); r.status != http.StatusSeeOther || r.header.Get("Location") != "/home" {
		t.Fatalf("first use of the callback: %d to %q\n%s", r.status, r.header.Get("Location"), r.body)
	}
	if r := do(t, c, "POST", ts.URL+"/signout", nil, "Origin: "+ts.URL); r.status != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", r.status)
	}

	// The same browser after signing out, and another one: no sign-in under way.
	other := newClient(t)
	for _, client := range []*http.Client{c, other} {
		r := do(t, client, "GET", callback, nil)
		checkSignInRefused(t, r, http.StatusBadRequest, "state")
		checkFailureAudited(t, store, "state", "")
	}
	// A browser with a sign-in of its own under way: the provider refuses the spent code.
	attacker := newClient(t)
	state := queryOf(t, do(t, attacker, "GET", ts.URL+"/signin", nil).header.Get("Location"), "state")
	r := do(t, attacker, "GET", withQuery(t, callback, "state", state), nil)
	checkSignInRefused(t, r, http.StatusBadRequest, "code")
	checkFailureAudited(t, store, "code", "")

	for _, client := range []*http.Client{c, other, attacker} {
		if r := do(t, client, "GET", ts.URL+"/home", nil); !strings.HasPrefix(r.header.Get("Location"), "/signin") {
			t.Errorf("after the replays /home answers %d to %q, want a redirect to /signin", r.status, r.header.Get("Location"))
		}
	}
	if n := len(auditEvents(t, store, forms.AuditSignIn, "")); n != 1 {
		t.Errorf("%d signin events, want 1", n)
	}
}

func TestSignInDeniedByProvider(t *testing.T) {
	t.Parallel()
	store := storagetest.NewStore(t)
	ts, _ := startServer(t, store)
	c := newClient(t)
	state := queryOf(t, do(t, c, "GET", ts.URL+"/signin", nil).header.Get("Location"), "state")

	q := url.Values{"error": {"access_denied"}, "state": {state}}
	r := do(t, c, "GET", ts.URL+"/auth/callback?"+q.Encode(), nil)
	checkSignInRefused(t, r, http.StatusForbidden, "denied")
	checkNoUsers(t, store)
	checkFailureAudited(t, store, "denied", "")
}

// TestSignInProviderMisbehaves signs in with a provider whose answer the
// portal must not believe.
func TestSignInProviderMisbehaves(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mode   fakeIdPMode
		status int
		reason string
		target string // the e-mail address the audit event names
	}{
		{"wrong nonce", idpWrongNonce, http.StatusBadRequest, "token", ""},
		{"expired ID token", idpExpired, http.StatusBadRequest, "token", ""},
		{"signed by another key", idpForeignKey, http.StatusBadRequest, "token", ""},
		{"for another audience", idpOtherAudience, http.StatusBadRequest, "token", ""},
		{"unverified e-mail", idpUnverifiedEmail, http.StatusForbidden, "unverified", fakeEmail},
		{"no e-mail", idpNoEmail, http.StatusForbidden, "unverified", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			idp := newFakeIdP(t, tt.mode)
			store := storagetest.NewStore(t)
			ts := startServerWithIdP(t, idp.URL, store)
			c := newClient(t)

			r := signInWithFakeIdP(t, c, ts.URL)
			checkSignInRefused(t, r, tt.status, tt.reason)
			checkNoUsers(t, store)
			checkFailureAudited(t, store, tt.reason, tt.target)
			if r := do(t, c, "GET", ts.URL+"/home", nil); !strings.HasPrefix(r.header.Get("Location"), "/signin") {
				t.Errorf("/home after a refused sign-in: %d to %q, want a redirect to /signin", r.status, r.header.Get("Location"))
			}
		})
	}
}

// TestSignInWithOtherProvider signs in with a provider other than the
// development one, which proves the fake provider right, including one that
// gives the e-mail address only at userinfo.
func TestSignInWithOtherProvider(t *testing.T) {
	t.Parallel()
	for name, mode := range map[string]fakeIdPMode{"honest": idpHonest, "e-mail at userinfo": idpEmailAtUserinfo} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			idp := newFakeIdP(t, mode)
			store := storagetest.NewStore(t)
			ts := startServerWithIdP(t, idp.URL, store)
			c := newClient(t)

			r := signInWithFakeIdP(t, c, ts.URL)
			if r.status != http.StatusSeeOther || r.header.Get("Location") != "/home" {
				t.Fatalf("callback: %d to %q, want 303 to /home\n%s", r.status, r.header.Get("Location"), r.body)
			}
			if r := do(t, c, "GET", ts.URL+"/home", nil); r.status != http.StatusOK || !strings.Contains(r.body, fakeEmail) {
				t.Errorf("/home: %d, want 200 naming %s", r.status, fakeEmail)
			}
			users, err := store.Users(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			want := []string{idp.URL + " " + fakeSubject + " " + fakeEmail + " true"}
			var got []string
			for _, u := range users {
				got = append(got, u.Issuer+" "+u.Subject+" "+u.Email+" "+strconv.FormatBool(u.EmailVerified))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("users (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSignInProviderUnreachable(t *testing.T) {
	t.Parallel()
	store := storagetest.NewStore(t)
	ts := startServerWithIdP(t, "http://"+closedAddress(t), store)
	c := newClient(t)

	r := do(t, c, "GET", ts.URL+"/signin", nil)
	checkSignInRefused(t, r, http.StatusBadGateway, "idp")
	checkFailureAudited(t, store, "idp", "")
	for _, path := range []string{"/", "/healthz"} {
		if r := do(t, c, "GET", ts.URL+path, nil); r.status != http.StatusOK {
			t.Errorf("%s while the provider is down: %d, want 200", path, r.status)
		}
	}
}

// TestSignInInvitations signs in as an account with no role after the Office
// has invited its address (or not quite).
func TestSignInInvitations(t *testing.T) {
	t.Parallel()
	const email = "newcomer@example.org" // demo-newcomer's
	now := time.Now()
	tests := []struct {
		name   string
		invite func(t *testing.T, store *storage.Store)
		want   []string // the memberships after sign-in, "role ORG"
	}{
		{"expired", func(t *testing.T, store *storage.Store) {
			inviteAt(t, store, email, forms.Contributor, "AUT", now.Add(-forms.DefaultInvitationLifetime-time.Hour))
		}, nil},
		{"revoked", func(t *testing.T, store *storage.Store) {
			inv := inviteAt(t, store, email, forms.Contributor, "AUT", now)
			if _, err := store.RevokeInvitation(context.Background(), inv.ID, forms.Actor{Label: "system"}); err != nil {
				t.Fatal(err)
			}
		}, nil},
		{"another address", func(t *testing.T, store *storage.Store) {
			inviteAt(t, store, "someone.else@example.org", forms.Contributor, "AUT", now)
		}, nil},
		{"valid", func(t *testing.T, store *storage.Store) {
			inviteAt(t, store, email, forms.Contributor, "AUT", now)
		}, []string{"contributor AUT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store := storagetest.NewStore(t)
			tt.invite(t, store)
			ts, _ := startServer(t, store)
			c := newClient(t)
			if r := signIn(t, c, ts.URL, "demo-newcomer"); r.header.Get("Location") != "/home" {
				t.Fatalf("sign-in: %d to %q\n%s", r.status, r.header.Get("Location"), r.body)
			}

			users, err := store.Users(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, u := range users {
				for _, m := range u.Memberships {
					got = append(got, string(m.Role)+" "+m.Organization.Code)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("memberships (-want +got):\n%s", diff)
			}
			home := do(t, c, "GET", ts.URL+"/home", nil)
			switch {
			case tt.want == nil && (home.status != http.StatusOK || !strings.Contains(home.body, "Your access is pending")):
				t.Errorf("/home: %d, want 200 with the pending page", home.status)
			case tt.want != nil && home.header.Get("Location") != "/orgs/AUT":
				t.Errorf("/home: %d to %q, want 303 to /orgs/AUT", home.status, home.header.Get("Location"))
			}
		})
	}
}

func TestSignInRateLimit(t *testing.T) {
	t.Parallel()
	ts, _ := startServer(t, nil)
	c := newClient(t)

	allowed := 0
	var limited response
	for range 30 {
		r := do(t, c, "GET", ts.URL+"/signin", nil)
		if r.status == http.StatusTooManyRequests {
			limited = r
			break
		}
		if r.status != http.StatusSeeOther {
			t.Fatalf("/signin number %d: %d, want 303 or 429", allowed+1, r.status)
		}
		allowed++
	}
	// A burst of 20, and one more every 6 s should the loop be slow.
	if limited.status != http.StatusTooManyRequests || allowed < 20 || allowed > 22 {
		t.Fatalf("%d sign-ins allowed, then %d; want 20 then 429", allowed, limited.status)
	}
	if s, err := strconv.Atoi(limited.header.Get("Retry-After")); err != nil || s <= 0 {
		t.Errorf("Retry-After %q, want a number of seconds", limited.header.Get("Retry-After"))
	}
	if !strings.Contains(limited.body, "Too many attempts") {
		t.Errorf("429 page does not say why:\n%s", limited.body)
	}
	if r := do(t, c, "GET", ts.URL+"/", nil); r.status != http.StatusOK {
		t.Errorf("/ while sign-in is limited: %d, want 200", r.status)
	}
}

// signInMessages are distinctive words of each sign-in error's English message.
var signInMessages = map[string]string{
	"state":      "expired or was already used",
	"denied":     "did not let you sign in",
	"idp":        "cannot be reached",
	"code":       "did not accept this sign-in",
	"token":      "could not verify the answer of your identity provider",
	"unverified": "has not confirmed your e-mail address",
}

// checkSignInRefused checks that r is the sign-in error page for reason:
// its status, its message in words, and a link to start again.
func checkSignInRefused(t *testing.T, r response, status int, reason string) {
	t.Helper()
	if r.status != status {
		t.Errorf("status %d, want %d (%s)", r.status, status, reason)
	}
	body := html.UnescapeString(r.body)
	if !strings.Contains(body, signInMessages[reason]) {
		t.Errorf("page does not say %q:\n%s", signInMessages[reason], body)
	}
	if !strings.Contains(r.body, `href="/signin"`) {
		t.Errorf("page has no link to /signin:\n%s", body)
	}
}

// checkNoUsers checks that nobody has signed in.
func checkNoUsers(t *testing.T, store *storage.Store) {
	t.Helper()
	users, err := store.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 0 {
		t.Errorf("users after a refused sign-in: %+v", users)
	}
}

// checkFailureAudited checks that the latest signin.failed event gives
// reason, and names target.
func checkFailureAudited(t *testing.T, store *storage.Store, reason, target string) {
	t.Helper()
	evs := auditEvents(t, store, forms.AuditSignInFailed, "")
	if len(evs) == 0 {
		t.Errorf("no %s event", forms.AuditSignInFailed)
		return
	}
	if got := evs[0].Details["reason"]; got != reason || evs[0].Target != target {
		t.Errorf("%s event: reason %q target %q, want %q %q", forms.AuditSignInFailed, got, evs[0].Target, reason, target)
	}
}

// auditEvents returns the events of action, by actor if not "", newest first.
func auditEvents(t testing.TB, store *storage.Store, action, actor string) []forms.AuditEvent {
	t.Helper()
	evs, err := store.AuditEvents(context.Background(), forms.AuditFilter{Action: action, Actor: actor, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// inviteDemoAccount invites a demo account to its role, as `portal serve`
// does for the development provider, unless it is invited already; an
// account with no role is left alone.
func inviteDemoAccount(t testing.TB, store *storage.Store, a demo.Account) {
	t.Helper()
	if a.Role == "" {
		return
	}
	if _, err := createInvitation(store, a.Email, a.Role, a.Org, time.Now()); err != nil && forms.KindOf(err) != forms.KindConflict {
		t.Fatal(err)
	}
}

// inviteAt stores an invitation of email to role (in the organization code,
// "" for a portal-wide role) made at created, open for the default lifetime.
func inviteAt(t testing.TB, store *storage.Store, email string, role forms.Role, code string, created time.Time) forms.Invitation {
	t.Helper()
	inv, err := createInvitation(store, email, role, code, created)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func createInvitation(store *storage.Store, email string, role forms.Role, code string, created time.Time) (forms.Invitation, error) {
	ctx := context.Background()
	var org forms.OrganizationRef
	if code != "" {
		o, err := store.OrganizationByCode(ctx, code)
		if err != nil {
			return forms.Invitation{}, err
		}
		org = forms.OrganizationRef{ID: o.ID, Code: o.Code, Name: o.Name}
	}
	inv, err := forms.NewInvitation(email, role, org, created, forms.DefaultInvitationLifetime)
	if err != nil {
		return forms.Invitation{}, err
	}
	return store.CreateInvitation(ctx, inv, forms.Actor{Label: "system"})
}

// devCallbackURL starts a sign-in and picks subject at the development
// provider, and returns where the provider sends the browser back to: the
// portal's /auth/callback with a code and the state, not yet visited.
func devCallbackURL(t testing.TB, c *http.Client, base, subject string) string {
	t.Helper()
	r := do(t, c, "GET", base+"/signin", nil)
	r = do(t, c, "GET", r.header.Get("Location"), nil) // provider's authorize
	id := queryOf(t, r.header.Get("Location"), "id")
	r = do(t, c, "POST", base+DevSignInPath, url.Values{"id": {id}, "subject": {subject}})
	r = do(t, c, "GET", r.header.Get("Location"), nil) // provider's callback
	callback := r.header.Get("Location")
	if !strings.HasPrefix(callback, base+"/auth/callback?") {
		t.Fatalf("provider sent the browser to %q, want the portal's callback", callback)
	}
	return callback
}

func queryOf(t testing.TB, rawURL, name string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get(name)
}

func withQuery(t testing.TB, rawURL, name, value string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(name, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// closedAddress returns a loopback address where nothing listens.
func closedAddress(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// recordingJar is a cookie jar that also remembers each session token the
// portal sets, in order.
type recordingJar struct {
	http.CookieJar
	mu     sync.Mutex
	tokens []string
}

func (j *recordingJar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	j.mu.Lock()
	for _, ck := range cookies {
		if ck.Name == "portal_session" && ck.Value != "" {
			j.tokens = append(j.tokens, ck.Value)
		}
	}
	j.mu.Unlock()
	j.CookieJar.SetCookies(u, cookies)
}

func (j *recordingJar) sessionTokens() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]string(nil), j.tokens...)
}

// newRecordingClient is newClient with a jar that records session tokens.
func newRecordingClient(t testing.TB) (*http.Client, *recordingJar) {
	t.Helper()
	c := newClient(t)
	jar := &recordingJar{CookieJar: c.Jar}
	c.Jar = jar
	return c, jar
}

// TestSignInWithoutVerifiedClaim: a provider that sends an e-mail address
// but no email_verified claim anywhere (as Entra ID does) is refused unless
// the portal is told to trust its addresses; an explicit false never is.
func TestSignInWithoutVerifiedClaim(t *testing.T) {
	t.Parallel()
	trust := func(o *Options) { o.OIDC.TrustEmail = true }
	for _, tt := range []struct {
		name   string
		mode   fakeIdPMode
		tweaks []func(*Options)
		status int
	}{
		{"no claim, not trusted", idpNoVerifiedClaim, nil, http.StatusForbidden},
		{"no claim, trusted", idpNoVerifiedClaim, []func(*Options){trust}, http.StatusSeeOther},
		{"explicit false, trusted", idpUnverifiedEmail, []func(*Options){trust}, http.StatusForbidden},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			idp := newFakeIdP(t, tt.mode)
			ts := startServerWithIdP(t, idp.URL, storagetest.NewStore(t), tt.tweaks...)
			if r := signInWithFakeIdP(t, newClient(t), ts.URL); r.status != tt.status {
				t.Errorf("callback: %d, want %d\n%s", r.status, tt.status, r.body)
			}
		})
	}
}

// logBuffer is a logger's output that a test reads while the portal writes.
type logBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// logTo makes the portal log, in text, into b.
func logTo(b *logBuffer) func(*Options) {
	return func(o *Options) { o.Logger = slog.New(slog.NewTextHandler(b, nil)) }
}

// supportEmail names the support address on the portal's pages.
const supportEmail = "portal.support@unodc.example.org"

func withSupport(o *Options) { o.SupportEmail = supportEmail }

// checkMisconfigured checks that r is the page that says the portal's
// sign-in is misconfigured and whom to write to, and that the log says
// so at level ERROR with each of logged.
func checkMisconfigured(t *testing.T, r response, log *logBuffer, logged ...string) {
	t.Helper()
	if r.status != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", r.status)
	}
	body := html.UnescapeString(r.body)
	for _, want := range []string{"sign-in is misconfigured", supportEmail} {
		if !strings.Contains(body, want) {
			t.Errorf("page does not say %q:\n%s", want, body)
		}
	}
	for _, wrong := range []string{signInMessages["code"], signInMessages["idp"], "already used"} {
		if strings.Contains(body, wrong) {
			t.Errorf("page blames the user or the provider (%q):\n%s", wrong, body)
		}
	}
	var line string
	for l := range strings.Lines(log.String()) {
		if strings.Contains(l, "sign-in failed") {
			line = l
		}
	}
	if !strings.Contains(line, "level=ERROR") || !strings.Contains(line, "reason=config") {
		t.Errorf("log line %q, want a sign-in failure at level ERROR with reason=config", line)
	}
	for _, want := range logged {
		if !strings.Contains(line, want) {
			t.Errorf("log line %q does not name %q", line, want)
		}
	}
}

// TestSignInIssuerAsConfigured: an issuer is used exactly as configured, a
// trailing slash included, and one that is not the provider's shows the
// page for a misconfigured portal and logs both values, instead of saying
// forever that the provider cannot be reached.
func TestSignInIssuerAsConfigured(t *testing.T) {
	t.Parallel()
	t.Run("trailing slash, as the provider's", func(t *testing.T) {
		t.Parallel()
		idp := newFakeIdP(t, idpIssuerSlash)
		ts := startServerWithIdP(t, idp.URL+"/", storagetest.NewStore(t))
		if r := signInWithFakeIdP(t, newClient(t), ts.URL); r.status != http.StatusSeeOther || r.header.Get("Location") != "/home" {
			t.Errorf("callback: %d to %q, want 303 to /home\n%s", r.status, r.header.Get("Location"), r.body)
		}
	})
	for name, tt := range map[string]struct {
		mode       fakeIdPMode
		configured func(url string) string
	}{
		"trailing slash, the provider's without": {idpHonest, func(u string) string { return u + "/" }},
		"no trailing slash, the provider's with": {idpIssuerSlash, func(u string) string { return u }},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			idp := newFakeIdP(t, tt.mode)
			store := storagetest.NewStore(t)
			var log logBuffer
			ts := startServerWithIdP(t, tt.configured(idp.URL), store, withSupport, logTo(&log))
			r := do(t, newClient(t), "GET", ts.URL+"/signin", nil)
			checkMisconfigured(t, r, &log, `configured_issuer=`+tt.configured(idp.URL), `announced_issuer=`+idp.issuer())
			checkFailureAudited(t, store, "config", "")
		})
	}
}

// TestSignInProviderRefusesPortal: when the token endpoint refuses the
// portal itself (a wrong or missing client secret, a client not allowed
// the flow), the user is told the portal is misconfigured, not that their
// sign-in took too long, and the log has the provider's error.
func TestSignInProviderRefusesPortal(t *testing.T) {
	t.Parallel()
	for name, tt := range map[string]struct {
		mode   fakeIdPMode
		secret string
		logged string
	}{
		"wrong client secret":   {idpHonest, "not-the-secret", "invalid_client"},
		"no client secret":      {idpHonest, "", "invalid_client"},
		"client not authorized": {idpRefusesClient, fakeClientSecret, "unauthorized_client"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			idp := newFakeIdP(t, tt.mode)
			store := storagetest.NewStore(t)
			var log logBuffer
			ts := startServerWithIdP(t, idp.URL, store, withSupport, logTo(&log), func(o *Options) { o.OIDC.ClientSecret = tt.secret })
			r := signInWithFakeIdP(t, newClient(t), ts.URL)
			checkMisconfigured(t, r, &log, tt.logged)
			checkNoUsers(t, store)
			checkFailureAudited(t, store, "config", "")
		})
	}
	t.Run("no support address", func(t *testing.T) {
		t.Parallel()
		idp := newFakeIdP(t, idpHonest)
		ts := startServerWithIdP(t, idp.URL, storagetest.NewStore(t), func(o *Options) { o.OIDC.ClientSecret = "wrong" })
		r := signInWithFakeIdP(t, newClient(t), ts.URL)
		if body := html.UnescapeString(r.body); r.status != http.StatusInternalServerError || !strings.Contains(body, "sign-in is misconfigured") || !strings.Contains(body, "tell the Office") {
			t.Errorf("%d, want 500 saying the sign-in is misconfigured and to tell the Office\n%s", r.status, body)
		}
	})
}

// TestSignInTwoTabs starts two sign-ins in two tabs of one browser and
// finishes the older first: both succeed, and each only once.
func TestSignInTwoTabs(t *testing.T) {
	t.Parallel()
	store := storagetest.NewStore(t)
	ts, _ := startServer(t, store)
	c := newClient(t)
	first := devCallbackURL(t, c, ts.URL, "demo-newcomer")
	second := devCallbackURL(t, c, ts.URL, "demo-newcomer")

	for _, callback := range []string{first, second} {
		if r := do(t, c, "GET", callback, nil); r.status != http.StatusSeeOther || r.header.Get("Location") != "/home" {
			t.Errorf("callback of state %s: %d to %q, want 303 to /home\n%s", queryOf(t, callback, "state"), r.status, r.header.Get("Location"), r.body)
		}
	}
	if r := do(t, c, "GET", ts.URL+"/home", nil); r.status != http.StatusOK {
		t.Errorf("/home after two sign-ins: %d, want 200", r.status)
	}
	// Each state works once.
	other := newClient(t)
	for _, callback := range []string{first, second} {
		checkSignInRefused(t, do(t, other, "GET", callback, nil), http.StatusBadRequest, "state")
	}
}

// TestSignInPendingBounded: a session keeps a few sign-ins under way; the
// oldest of one too many is forgotten, the newest still finishes.
func TestSignInPendingBounded(t *testing.T) {
	t.Parallel()
	idp := newFakeIdP(t, idpHonest)
	ts := startServerWithIdP(t, idp.URL, storagetest.NewStore(t))
	c := newClient(t)
	var callbacks []string
	for range maxPendingSignIns + 1 {
		r := do(t, c, "GET", ts.URL+"/signin", nil)
		r = do(t, c, "GET", r.header.Get("Location"), nil) // the fake provider answers at once
		callbacks = append(callbacks, r.header.Get("Location"))
	}
	newest := callbacks[len(callbacks)-1]
	if r := do(t, c, "GET", newest, nil); r.status != http.StatusSeeOther || r.header.Get("Location") != "/home" {
		t.Fatalf("newest callback: %d to %q, want 303 to /home\n%s", r.status, r.header.Get("Location"), r.body)
	}
	checkSignInRefused(t, do(t, c, "GET", callbacks[0], nil), http.StatusBadRequest, "state")
}

// TestSignOutProviderHangs signs out on a portal process that has not
// discovered the provider yet (another replica, or after a restart) while
// the provider hangs: the session ends at once, and the browser is not
// held for long.
func TestSignOutProviderHangs(t *testing.T) {
	t.Parallel()
	idp := newFakeIdP(t, idpHonest)
	dbURL := storagetest.NewDatabase(t)
	storeA := openStore(t, dbURL)
	tsA := startServerWithIdP(t, idp.URL, storeA)
	c := newClient(t)
	if r := signInWithFakeIdP(t, c, tsA.URL); r.header.Get("Location") != "/home" {
		t.Fatalf("sign-in: %d to %q\n%s", r.status, r.header.Get("Location"), r.body)
	}
	token := sessionToken(t, c, tsA.URL)

	idp.hang.Store(true)
	tsB := startServerWithIdP(t, idp.URL, openStore(t, dbURL))
	start := time.Now()
	out := do(t, plainClient(), "POST", tsB.URL+"/signout", nil, "Cookie: portal_session="+token, "Origin: "+tsB.URL)
	took := time.Since(start)
	if out.status != http.StatusSeeOther || out.header.Get("Location") != "/signed-out" {
		t.Errorf("sign-out: %d to %q, want 303 to /signed-out", out.status, out.header.Get("Location"))
	}
	if took > signOutDiscovery+2*time.Second {
		t.Errorf("sign-out took %v with the provider hanging, want at most about %v", took, signOutDiscovery)
	}
	if r := do(t, plainClient(), "GET", tsA.URL+"/home", nil, "Cookie: portal_session="+token); !strings.HasPrefix(r.header.Get("Location"), "/signin") {
		t.Errorf("/home after signing out: %d to %q, want a redirect to /signin", r.status, r.header.Get("Location"))
	}
}
