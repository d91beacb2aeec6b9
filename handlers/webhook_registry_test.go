package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meetboard/meetboard/handlers/webhooks"
	"github.com/meetboard/meetboard/models"
)

// registryServer is the dashboard's app on a fresh SQLite database whose
// projector decodes with providers' decoders (the registry's when nil).
func registryServer(t *testing.T, cfg Config) (*Server, *models.Store) {
	t.Helper()
	db, err := models.Open(filepath.Join(t.TempDir(), "d.db"), models.DBOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := models.Migrate(db); err != nil {
		t.Fatal(err)
	}
	list := cfg.Providers
	if list == nil {
		list = webhooks.Providers()
	}
	store := models.NewStore(db, models.StoreOptions{Decode: webhooks.Decoder(list)})
	t.Cleanup(func() {
		store.Close()
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	cfg.Store, cfg.Logger = store, slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := New(cfg)
	t.Cleanup(func() { srv.Shutdown(5 * time.Second) })
	return srv, store
}

// postWebhook posts body to path with the headers and returns the status
// and the answer's body.
func postWebhook(t *testing.T, srv *Server, path string, body []byte, header map[string]string) (int, string) {
	t.Helper()
	req := httptest.NewRequest("POST", path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := srv.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestWebhookRoutesFromRegistry: with no list given, every registered
// provider is served at its path, answers for it are counted under its
// name (413s, which no route sees, included), and other names are not
// routes.
func TestWebhookRoutesFromRegistry(t *testing.T) {
	srv, _ := registryServer(t, Config{BodyLimit: 1024})
	for _, p := range webhooks.Providers() {
		if got := webhookProvider(p.Path(), srv.h.cfg.Providers); got != p.Name {
			t.Errorf("webhookProvider(%q) = %q", p.Path(), got)
		}
		if got := webhookProvider(strings.ToUpper(p.Path())+"/", srv.h.cfg.Providers); got != p.Name {
			t.Errorf("webhookProvider(%q) = %q", strings.ToUpper(p.Path())+"/", got)
		}
		if status, body := postWebhook(t, srv, p.Path(), []byte("not json"), nil); status != 400 {
			t.Errorf("%s, undecodable body: %d %s, want 400", p.Path(), status, body)
		}
		if status, body := postWebhook(t, srv, p.Path(), bytes.Repeat([]byte(" "), 2048), nil); status != 413 {
			t.Errorf("%s, body over the limit: %d %s, want 413", p.Path(), status, body)
		}
	}
	if status, _ := postWebhook(t, srv, "/webhooks/nobody", []byte("{}"), nil); status != 404 {
		t.Errorf("/webhooks/nobody: %d, want 404", status)
	}
	text := scrape(t, metricsApp(srv.h.metrics))
	for _, p := range webhooks.Providers() {
		wantSample(t, text, `meetboard_webhooks_total{outcome="malformed",provider="`+p.Name+`",type="unknown"}`, "1")
		wantSample(t, text, `meetboard_webhooks_total{outcome="too-large",provider="`+p.Name+`",type="unknown"}`, "1")
	}
	if strings.Contains(text, `provider="nobody"`) {
		t.Error("an unknown provider's path became a label")
	}
}

// acme is a provider the registry does not know: bodies are {"type",
// "id"}, deliveries carry the secret in X-Acme-Token, and {"ping":true} is
// its set-up request. verified records what its verifier was given.
func acme(verified *[]string, mu *sync.Mutex) webhooks.Provider {
	return webhooks.Provider{
		Name: "acme", Display: "Acme",
		Decode: func(body []byte) (models.Event, error) {
			var b struct{ Type, ID string }
			if err := json.Unmarshal(body, &b); err != nil || b.Type == "" {
				return models.Event{}, errors.New("not an acme delivery")
			}
			return models.Event{Type: b.Type, ProviderEventID: b.ID}, nil
		},
		IsTest: func(body []byte) bool { return string(body) == `{"ping":true}` },
		Secret: webhooks.Secret{Env: "ACME_TOKEN", Parse: func(token string) (webhooks.Verifier, error) {
			return func(body []byte, header webhooks.Header, received time.Time) error {
				mu.Lock()
				*verified = append(*verified, string(body))
				mu.Unlock()
				if time.Since(received) > time.Minute || received.Location() != time.UTC {
					return errors.New("arrival time not given")
				}
				if header("X-Acme-Token") != token {
					return errors.New("acme token does not match")
				}
				return nil
			}, nil
		}},
	}
}

// TestWebhookInjectedProvider: a provider given in Config, and nowhere
// else, gets its route, its verification, its set-up request, its metrics
// label and its decoder in the projector; the registry's providers are not
// served when they are not in the list.
func TestWebhookInjectedProvider(t *testing.T) {
	var mu sync.Mutex
	var verified []string
	p := acme(&verified, &mu)
	verify, err := p.Secret.Parse("s3cret")
	if err != nil {
		t.Fatal(err)
	}
	srv, store := registryServer(t, Config{Providers: []webhooks.Provider{p}, Verifiers: map[string]webhooks.Verifier{"acme": verify}})

	body := []byte(`{"type":"widget.made","id":"e1"}`)
	if status, answer := postWebhook(t, srv, "/webhooks/acme", body, nil); status != 401 || !strings.Contains(answer, "acme token does not match") {
		t.Errorf("unsigned: %d %s, want 401 from the verifier", status, answer)
	}
	if status, answer := postWebhook(t, srv, "/webhooks/acme", body, map[string]string{"x-acme-token": "wrong"}); status != 401 {
		t.Errorf("wrong token: %d %s, want 401", status, answer)
	}
	if status, answer := postWebhook(t, srv, "/webhooks/acme", []byte(`{"ping":true}`), nil); status != 200 || !strings.Contains(answer, `"ok"`) {
		t.Errorf("set-up request: %d %s, want 200 ok", status, answer)
	}
	status, answer := postWebhook(t, srv, "/webhooks/acme", body, map[string]string{"x-acme-token": "s3cret"})
	if status != 200 {
		t.Fatalf("signed: %d %s, want 200", status, answer)
	}
	var got webhookAnswer
	if err := json.Unmarshal([]byte(answer), &got); err != nil || got.EventID == 0 || got.Outcome != models.OutcomeAccepted {
		t.Fatalf("signed: answer %s (%v)", answer, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := store.Applied(ctx, models.Result{EventID: got.EventID, Outcome: got.Outcome})
	if err != nil || res.Outcome == models.OutcomeError {
		t.Errorf("projector: %+v %v", res, err)
	}
	if ev, err := store.Event(ctx, got.EventID); err != nil || ev.Provider != "acme" || ev.Type != "widget.made" {
		t.Errorf("stored event: %+v %v", ev, err)
	}
	mu.Lock()
	if len(verified) != 4 || verified[3] != string(body) {
		t.Errorf("the verifier saw %q, want the four bodies as sent", verified)
	}
	mu.Unlock()

	for _, r := range webhooks.Providers() {
		if status, _ := postWebhook(t, srv, r.Path(), []byte("{}"), nil); status != 404 {
			t.Errorf("%s is served though not in the list: %d", r.Path(), status)
		}
	}
	text := scrape(t, metricsApp(srv.h.metrics))
	wantSample(t, text, `meetboard_webhooks_total{outcome="rejected",provider="acme",type="unknown"}`, "2")
	wantSample(t, text, `meetboard_webhooks_total{outcome="accepted",provider="acme",type="widget.made"}`, "1")
	if got := webhookProvider("/webhooks/acme", srv.h.cfg.Providers); got != "acme" {
		t.Errorf("webhookProvider(/webhooks/acme) = %q", got)
	}
}

// TestWebhookUnverifiedProvider: a provider with no verifier takes
// deliveries without asking for one.
func TestWebhookUnverifiedProvider(t *testing.T) {
	var mu sync.Mutex
	var verified []string
	srv, _ := registryServer(t, Config{Providers: []webhooks.Provider{acme(&verified, &mu)}})
	if status, answer := postWebhook(t, srv, "/webhooks/acme", []byte(`{"type":"widget.made","id":"e1"}`), nil); status != 200 {
		t.Errorf("unverified provider: %d %s, want 200", status, answer)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(verified) != 0 {
		t.Errorf("a verifier ran: %q", verified)
	}
}

// TestWebhookConfigMistakes: a verifier for a provider that is not served,
// or a provider list that does not validate, stops New.
func TestWebhookConfigMistakes(t *testing.T) {
	var mu sync.Mutex
	var verified []string
	p := acme(&verified, &mu)
	verify, _ := p.Secret.Parse("s3cret")
	for name, c := range map[string]struct {
		cfg  Config
		want string
	}{
		"verifier for an unknown provider": {Config{Verifiers: map[string]webhooks.Verifier{"acme": verify}}, `provider "acme", which is not among the providers`},
		"provider listed twice":            {Config{Providers: []webhooks.Provider{p, p}}, `provider "acme" is listed twice`},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(r.(string), c.want) {
					t.Errorf("New: panic %v, want one containing %q", r, c.want)
				}
			}()
			srv := New(c.cfg)
			srv.Shutdown(time.Second)
		})
	}
}
