package handlers

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"portal/forms"
	"portal/forms/demo"
	"portal/storage"
	"strings"
	"sync"
	"testing"
	"time"
)

// do sends a request with the client, with the headers given as
// "Name: value", and returns the response with its body read.
func do(t testing.TB, c *http.Client, method, target string, form url.Values, header ...string) response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, kv := range header {
		k, v, _ := strings.Cut(kv, ": ")
		req.Header.Add(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, string(b)}
}

// signIn goes through the whole sign-in flow as a browser would: the
// portal's /signin, the development provider's authorize endpoint, its
// account picker, its callback, and the portal's /auth/callback. It returns
// the final response (a redirect to the user's home on success).
func signIn(t testing.TB, c *http.Client, base, subject string) response {
	t.Helper()
	return signInAt(t, c, base, base+"/signin", subject)
}

// clientAs is a new client signed in as subject at the portal at base.
func clientAs(t testing.TB, base, subject string) *http.Client {
	t.Helper()
	c := newClient(t)
	if r := signIn(t, c, base, subject); r.status != http.StatusSeeOther {
		t.Fatalf("sign-in as %s: %d", subject, r.status)
	}
	return c
}

// signInAt is signIn starting from start (the sign-in address, with a next
// page perhaps).
func signInAt(t testing.TB, c *http.Client, base, start, subject string) response {
	t.Helper()
	r := do(t, c, "GET", start, nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("/signin: %d", r.status)
	}
	r = do(t, c, "GET", r.header.Get("Location"), nil) // provider's authorize
	picker := r.header.Get("Location")
	u, err := url.Parse(picker)
	if err != nil || !strings.HasSuffix(u.Path, DevSignInPath) {
		t.Fatalf("authorize sent the browser to %q, want the account picker", picker)
	}
	r = do(t, c, "POST", base+DevSignInPath, url.Values{"id": {u.Query().Get("id")}, "subject": {subject}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("picking %s: %d\n%s", subject, r.status, r.body)
	}
	r = do(t, c, "GET", r.header.Get("Location"), nil) // provider's callback, to the portal with a code
	if !strings.Contains(r.header.Get("Location"), "/auth/callback?") {
		t.Fatalf("provider callback sent the browser to %q", r.header.Get("Location"))
	}
	return do(t, c, "GET", r.header.Get("Location"), nil)
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
