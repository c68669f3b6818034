package handlers

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"portal/forms"
	"portal/forms/definition"
	"portal/forms/demo"
	"portal/storage"
	"portal/storage/storagetest"
)

func TestMain(m *testing.M) { storagetest.Main(m) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// newServer returns the portal's handler, wired as cmd wires it (the
// development identity provider, sessions in PostgreSQL), on a fresh
// database of its own. baseURL is where it claims to be served.
func newServer(t testing.TB, baseURL string) *Server {
	t.Helper()
	return newServerWith(t, baseURL, storagetest.NewStore(t))
}

func newServerWith(t testing.TB, baseURL string, store *storage.Store) *Server {
	t.Helper()
	u, err := url.Parse(baseURL)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{BaseURL: u, Version: "test", Logger: quiet, Store: store, Sessions: store.SessionStore(), Questionnaires: builtin(t), DevMail: true}
	if opts.DevIdP, opts.OIDC, err = NewDevIdP(u, quiet); err != nil {
		t.Fatal(err)
	}
	if err := demo.InviteAccounts(context.Background(), store); err != nil {
		t.Fatal(err)
	}
	if err := demo.EnsureCalls(context.Background(), store, opts.Questionnaires, time.Now()); err != nil {
		t.Fatal(err)
	}
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// startServer serves the portal on a real loopback listener, as a browser
// or an HTTP client reaches it, on the given store (a fresh one if nil).
func startServer(t testing.TB, store *storage.Store) (*httptest.Server, *Server) {
	t.Helper()
	if store == nil {
		store = storagetest.NewStore(t)
	}
	ts := httptest.NewUnstartedServer(nil)
	s := newServerWith(t, "http://"+ts.Listener.Addr().String(), store)
	ts.Config.Handler = s
	ts.Start()
	t.Cleanup(ts.Close)
	return ts, s
}

// newClient is a browser-like HTTP client: it keeps cookies and does not
// follow redirects, so tests see each step.
func newClient(t testing.TB) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type response struct {
	status int
	header http.Header
	body   string
}

// get serves one GET through the real router; header is "Name: value" pairs.
func get(t *testing.T, h http.Handler, target string, header ...string) response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.RemoteAddr = "127.0.0.1:40000" // as a client on this machine (httptest's default is 192.0.2.1)
	for _, kv := range header {
		k, v, _ := strings.Cut(kv, ": ")
		req.Header.Add(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return response{rec.Code, rec.Header(), rec.Body.String()}
}

// builtin returns the built-in questionnaires.
func builtin(t testing.TB) *definition.Library {
	t.Helper()
	lib, err := definition.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

// builtinQuestionnaire returns the questionnaire a call uses.
func builtinQuestionnaire(t testing.TB, c forms.Call) *forms.Questionnaire {
	t.Helper()
	q, ok := builtin(t).Version(c.Questionnaire, c.Version)
	if !ok {
		t.Fatalf("no questionnaire %s v%d", c.Questionnaire, c.Version)
	}
	return q
}

// editOf is an edit that sets every field of a.
func editOf(a forms.Answers) forms.Edit { return forms.Edit{Fields: a.Fields(), Answers: a} }

// srvActor is the actor of changes tests make through the store.
func srvActor() forms.Actor { return forms.Actor{Label: "test"} }

// demoCallOf returns the store a started portal runs on, the stored demo
// call of a questionnaire ("tourism-views", "crime-statistics") and the
// questionnaire itself.
func demoCallOf(t testing.TB, srv *Server, questionnaire string) (*storage.Store, forms.Call, *forms.Questionnaire) {
	t.Helper()
	store := srv.store.(*storage.Store)
	call, err := store.CallByKey(context.Background(), demoCall(questionnaire).Key)
	if err != nil {
		t.Fatal(err)
	}
	return store, call, builtinQuestionnaire(t, call)
}

// saveAnswers saves answers as the organization's draft of the call, and
// submits them as its focal point when submit.
func saveAnswers(t testing.TB, store *storage.Store, call forms.Call, q *forms.Questionnaire, code string, a forms.Answers, submit bool) {
	t.Helper()
	ctx := context.Background()
	org := orgRef(t, store, code)
	if _, err := store.SaveDraft(ctx, call, org, editOf(a), srvActor()); err != nil {
		t.Fatal(err)
	}
	if !submit {
		return
	}
	fp := &forms.User{Memberships: []forms.Membership{{Role: forms.FocalPoint, Organization: org}}}
	if _, err := store.Transition(ctx, forms.TransitionRequest{Call: call, Questionnaire: q, Organization: org, User: fp, Transition: forms.TransitionSubmit, At: time.Now(), Actor: srvActor()}); err != nil {
		t.Fatal(err)
	}
}

// startQueue works store's jobs (releases, mail recorded, chores) until the
// test ends, looking every 50 ms.
func startQueue(t testing.TB, store *storage.Store) *storage.Queue {
	t.Helper()
	q, err := store.NewQueue(storage.QueueConfig{Poll: 50 * time.Millisecond, Chores: time.Hour, Questionnaires: builtin(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		q.Stop(ctx)
	})
	return q
}
