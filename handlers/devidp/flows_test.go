package devidp

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"portal/forms"
)

func TestComplete(t *testing.T) {
	e := newEnv(t, alice.Subject)
	ctx := t.Context()

	if e.idp.PendingAuthRequest(ctx, "made-up") {
		t.Error("PendingAuthRequest(made-up) = true")
	}
	_, err := e.idp.Complete(ctx, "made-up", alice.Subject)
	if !errors.Is(err, ErrUnknownAuthRequest) || forms.KindOf(err) != forms.KindNotFound {
		t.Errorf("Complete(made-up id) = %v, want ErrUnknownAuthRequest of kind not found", err)
	}

	id := e.pendingID(t)
	if !e.idp.PendingAuthRequest(ctx, id) {
		t.Fatal("PendingAuthRequest = false for a fresh request")
	}
	_, err = e.idp.Complete(ctx, id, "nobody")
	if !errors.Is(err, ErrUnknownAccount) || forms.KindOf(err) != forms.KindInvalid {
		t.Errorf("Complete(unknown subject) = %v, want ErrUnknownAccount of kind invalid", err)
	}
	if !e.idp.PendingAuthRequest(ctx, id) {
		t.Fatal("an unknown subject ended the request")
	}
	next, err := e.idp.Complete(ctx, id, bob.Subject)
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if want := e.issuer + "/authorize/callback?id=" + url.QueryEscape(id); next != want {
		t.Errorf("Complete = %q, want %q", next, want)
	}
	if e.idp.PendingAuthRequest(ctx, id) {
		t.Error("PendingAuthRequest = true after Complete")
	}
	if _, err := e.idp.Complete(ctx, id, alice.Subject); !errors.Is(err, ErrUnknownAuthRequest) {
		t.Errorf("second Complete = %v, want ErrUnknownAuthRequest", err)
	}
	if got := e.idp.Accounts(); !slices.Equal(got, []Account{alice, bob}) {
		t.Errorf("Accounts = %v", got)
	}
}

// advance moves the provider's clock on by d.
func advance(p *Provider, d time.Duration) {
	p.store.mu.Lock()
	defer p.store.mu.Unlock()
	now := p.store.now
	p.store.now = func() time.Time { return now().Add(d) }
}

func TestExpiry(t *testing.T) {
	t.Run("auth request after 10 minutes", func(t *testing.T) {
		e := newEnv(t, alice.Subject)
		id := e.pendingID(t)
		advance(e.idp, 10*time.Minute)
		if e.idp.PendingAuthRequest(t.Context(), id) {
			t.Error("request still pending after 10 minutes")
		}
		if _, err := e.idp.Complete(t.Context(), id, alice.Subject); !errors.Is(err, ErrUnknownAuthRequest) {
			t.Errorf("Complete = %v, want ErrUnknownAuthRequest", err)
		}
	})
	t.Run("code after 10 minutes", func(t *testing.T) {
		e := newEnv(t, alice.Subject)
		conf := e.oauth2Config()
		f := e.authorize(t, conf)
		advance(e.idp, 10*time.Minute)
		if _, err := conf.Exchange(t.Context(), f.code, oauth2.VerifierOption(f.verifier)); err == nil {
			t.Error("a 10-minute-old code was exchanged")
		}
	})
	t.Run("access token after 5 minutes", func(t *testing.T) {
		e := newEnv(t, alice.Subject)
		conf := e.oauth2Config()
		f := e.authorize(t, conf)
		tok, err := conf.Exchange(t.Context(), f.code, oauth2.VerifierOption(f.verifier))
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Until(tok.Expiry); d < 4*time.Minute || d > 5*time.Minute {
			t.Errorf("access token expires in %v, want 5 minutes", d)
		}
		advance(e.idp, 4*time.Minute)
		if _, err := e.rp.UserInfo(t.Context(), oauth2.StaticTokenSource(tok)); err != nil {
			t.Fatalf("userinfo after 4 minutes: %v", err)
		}
		advance(e.idp, time.Minute)
		if _, err := e.rp.UserInfo(t.Context(), oauth2.StaticTokenSource(tok)); err == nil {
			t.Error("userinfo accepted a 5-minute-old access token")
		}
	})
}

func TestDiscovery(t *testing.T) {
	e := newEnv(t, alice.Subject)
	var d struct {
		Issuer              string   `json:"issuer"`
		EndSession          string   `json:"end_session_endpoint"`
		UserInfo            string   `json:"userinfo_endpoint"`
		JWKS                string   `json:"jwks_uri"`
		CodeChallenge       []string `json:"code_challenge_methods_supported"`
		Scopes              []string `json:"scopes_supported"`
		TokenEndpointAuth   []string `json:"token_endpoint_auth_methods_supported"`
		IDTokenSigningAlgos []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := e.rp.Claims(&d); err != nil {
		t.Fatal(err)
	}
	if d.Issuer != e.issuer {
		t.Errorf("issuer %q, want %q", d.Issuer, e.issuer)
	}
	if want := e.issuer + "/end_session"; d.EndSession != want {
		t.Errorf("end_session_endpoint %q, want %q", d.EndSession, want)
	}
	if diff := cmp.Diff([]string{"S256"}, d.CodeChallenge); diff != "" {
		t.Errorf("code_challenge_methods_supported (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"openid", "email", "profile"}, d.Scopes); diff != "" {
		t.Errorf("scopes_supported (-want +got):\n%s", diff)
	}
	for _, m := range []string{"client_secret_basic", "client_secret_post"} {
		if !slices.Contains(d.TokenEndpointAuth, m) {
			t.Errorf("token_endpoint_auth_methods_supported %v lacks %s", d.TokenEndpointAuth, m)
		}
	}
	if diff := cmp.Diff([]string{"RS256"}, d.IDTokenSigningAlgos); diff != "" {
		t.Errorf("id_token_signing_alg_values_supported (-want +got):\n%s", diff)
	}

	resp, err := http.Get(d.JWKS)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var jwks struct {
		Keys []struct {
			Kty, Alg, Use, Kid, D string
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&jwks); err != nil {
		t.Fatal(err)
	}
	if len(jwks.Keys) != 1 || jwks.Keys[0].Kty != "RSA" || jwks.Keys[0].Alg != "RS256" || jwks.Keys[0].Use != "sig" || jwks.Keys[0].Kid == "" {
		t.Errorf("keys: %+v, want one RSA signing key", jwks.Keys)
	}
	if jwks.Keys[0].D != "" {
		t.Error("the keys endpoint publishes the private key")
	}
}

func TestEndSession(t *testing.T) {
	e := newEnv(t, alice.Subject)
	ctx := t.Context()
	conf := e.oauth2Config()
	f := e.authorize(t, conf)
	tok, err := conf.Exchange(ctx, f.code, oauth2.VerifierOption(f.verifier))
	if err != nil {
		t.Fatal(err)
	}
	idToken, _ := tok.Extra("id_token").(string) // checked by TestSignIn
	endSession := e.issuer + "/end_session?"

	t.Run("unregistered post-logout URI", func(t *testing.T) {
		resp := browse(t, endSession+url.Values{
			"id_token_hint":            {idToken},
			"post_logout_redirect_uri": {e.base + "/elsewhere"},
		}.Encode(), e.base+"/elsewhere")
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d, want 400", resp.StatusCode)
		}
	})
	t.Run("registered post-logout URI", func(t *testing.T) {
		resp := browse(t, endSession+url.Values{
			"id_token_hint":            {idToken},
			"post_logout_redirect_uri": {e.signedOut},
			"state":                    {"bye"},
		}.Encode(), e.signedOut)
		if q := location(t, resp, e.signedOut); q.Get("state") != "bye" {
			t.Errorf("state %q, want bye", q.Get("state"))
		}
		if _, err := e.rp.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
			t.Error("the access token still works after the session ended")
		}
	})
	t.Run("default page", func(t *testing.T) {
		resp := browse(t, endSession, "")
		if resp.StatusCode != http.StatusOK || resp.Request.URL.String() != e.issuer+"/logged-out" {
			t.Fatalf("ended at %s with status %d, want the logged-out page", resp.Request.URL, resp.StatusCode)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("content type %q", ct)
		}
	})
}

func TestNewRefusesBadConfig(t *testing.T) {
	good := func() Config {
		return Config{
			Issuer:       "http://127.0.0.1:8080/dev-idp",
			ClientID:     testClientID,
			ClientSecret: testSecret,
			RedirectURIs: []string{"http://127.0.0.1:8080/auth/callback"},
			LoginURL:     func(string) string { return "/login" },
			Accounts:     []Account{alice},
		}
	}
	if _, err := New(good()); err != nil {
		t.Fatalf("New(good config): %v", err)
	}
	for name, change := range map[string]func(*Config){
		"no issuer":          func(c *Config) { c.Issuer = "" },
		"relative issuer":    func(c *Config) { c.Issuer = "/dev-idp" },
		"trailing slash":     func(c *Config) { c.Issuer += "/" },
		"no secret":          func(c *Config) { c.ClientSecret = "" },
		"no redirect URI":    func(c *Config) { c.RedirectURIs = nil },
		"no login URL":       func(c *Config) { c.LoginURL = nil },
		"no accounts":        func(c *Config) { c.Accounts = nil },
		"duplicate subject":  func(c *Config) { c.Accounts = []Account{alice, alice} },
		"colon in a subject": func(c *Config) { c.Accounts = []Account{{Subject: "a:b"}} },
	} {
		t.Run(name, func(t *testing.T) {
			c := good()
			change(&c)
			if _, err := New(c); err == nil {
				t.Error("New accepted the config")
			}
		})
	}
}

func TestNoPackageState(t *testing.T) {
	// Two providers are independent: a code from one means nothing to the other.
	e1 := newEnv(t, alice.Subject)
	e2 := newEnv(t, alice.Subject)
	f := e1.authorize(t, e1.oauth2Config())
	conf := e2.oauth2Config()
	if _, err := conf.Exchange(t.Context(), f.code, oauth2.VerifierOption(f.verifier)); err == nil {
		t.Error("one provider accepted another's code")
	}
}
