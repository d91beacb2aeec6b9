package main

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/meetboard/meetboard/handlers/webhooks"
)

// parse runs parseConfig on args with env as the environment.
func parse(args []string, env map[string]string) (config, error) {
	return parseConfig(args, func(k string) string { return env[k] }, io.Discard)
}

func TestConfigWholeNumbers(t *testing.T) {
	c, err := parse(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Retention != 90*24*time.Hour {
		t.Errorf("default retention %v, want 90 days", c.Retention)
	}
	if c, err := parse([]string{"-retention", "0"}, nil); err != nil || c.Retention != 0 {
		t.Errorf("-retention 0: %v, %v", c.Retention, err)
	}
	if c.DBMaxConns != 0 || c.Committers != 0 || c.LiveBuffer != 16 || c.WebhookFailureLimit != 600 || c.LoginRateLimit != 20 {
		t.Errorf("defaults: %+v", c)
	}
	if c.LiveBudget != 64<<10 {
		t.Errorf("default live budget %d, want 64 KiB a second", c.LiveBudget)
	}
	for in, want := range map[string]int{"0": -1, "256k": 256 << 10, "1m": 1 << 20} {
		if c, err := parse([]string{"-live-budget", in}, nil); err != nil || c.LiveBudget != want {
			t.Errorf("-live-budget %s: %d, %v; want %d", in, c.LiveBudget, err, want)
		}
	}
	c, err = parse([]string{"-committers", "3"}, map[string]string{"DASHBOARD_COMMITTERS": "5", "DASHBOARD_DB_MAX_CONNS": " 12 ", "DASHBOARD_WEBHOOK_FAILURE_LIMIT": ""})
	if err != nil {
		t.Fatal(err)
	}
	if c.Committers != 3 || c.DBMaxConns != 12 || c.WebhookFailureLimit != 600 {
		t.Errorf("flag over environment over default: committers %d, db conns %d, webhook limit %d", c.Committers, c.DBMaxConns, c.WebhookFailureLimit)
	}
	for _, bad := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{nil, map[string]string{"DASHBOARD_LIVE_BUFFER": "sixteen"}, `-live-buffer (env DASHBOARD_LIVE_BUFFER): want a whole number, got "sixteen"`},
		{nil, map[string]string{"DASHBOARD_DB_MAX_CONNS": "1.5"}, `-db-max-conns (env DASHBOARD_DB_MAX_CONNS): want a whole number, got "1.5"`},
		{[]string{"-login-rate-limit", "x"}, nil, `-login-rate-limit (env DASHBOARD_LOGIN_RATE_LIMIT): want a whole number, got "x"`},
		{[]string{"-committers", "-1"}, nil, "cannot be negative"},
		{nil, map[string]string{"DASHBOARD_WEBHOOK_FAILURE_LIMIT": "-5"}, "cannot be negative"},
		{[]string{"-max-conns", "-1"}, nil, "cannot be negative"},
		{[]string{"-retention", "ninety days"}, nil, "-retention: want a duration"},
		{[]string{"-body-memory", "512k"}, nil, "must be at least -body-limit"},
		{[]string{"-live-buffer", "0"}, nil, "-live-buffer: want at least 1"},
		{nil, map[string]string{"DASHBOARD_LIVE_BUDGET": "-5"}, "-live-budget: want a positive size"},
	} {
		if _, err := parse(bad.args, bad.env); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%v %v: error %v, want one containing %q", bad.args, bad.env, err, bad.want)
		}
	}
}

// headers is a header lookup over a map, without regard to case.
func headers(h map[string]string) webhooks.Header {
	return func(name string) string {
		for k, v := range h {
			if strings.EqualFold(k, name) {
				return v
			}
		}
		return ""
	}
}

// TestConfigProviderSecrets: each registered provider's secret is read
// from its variable (or its file flag), and becomes the verifier its
// deliveries are checked with; bad secrets are errors that say where they
// came from.
func TestConfigProviderSecrets(t *testing.T) {
	c, err := parse(nil, map[string]string{"DAILY_WEBHOOK_SECRET": "  ", "IOTUM_SIGNING_TOKEN": "\t"})
	if err != nil || len(c.Verifiers) != 0 {
		t.Fatalf("no secrets: %v verifiers, %v", len(c.Verifiers), err)
	}
	for _, p := range webhooks.Providers() {
		if f := p.Secret.FileFlag; f != "" {
			missing := filepath.Join(t.TempDir(), "missing")
			if _, err := parse([]string{"-" + f, missing}, nil); err == nil || !strings.HasPrefix(err.Error(), "-"+f+": open ") {
				t.Errorf("-%s with a missing file: %v", f, err)
			}
			if _, err := parse(nil, map[string]string{p.Secret.FileEnv: missing}); err == nil || !strings.HasPrefix(err.Error(), "-"+f+": open ") {
				t.Errorf("%s naming a missing file: %v", p.Secret.FileEnv, err)
			}
		}
	}

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	pemText := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	keyFile, badFile := filepath.Join(t.TempDir(), "key.pem"), filepath.Join(t.TempDir(), "bad.pem")
	os.WriteFile(keyFile, []byte(pemText), 0o600)
	os.WriteFile(badFile, []byte("not a key"), 0o600)
	body := []byte(`{"webhookType":"session-started"}`)
	sum := sha256.Sum256(body)
	rsaSig, _ := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	videoSDKSigned := map[string]string{"videosdk-signature": base64.StdEncoding.EncodeToString(rsaSig)}

	dailyKey := []byte("0123456789abcdef0123456789abcdef")
	now := time.Now()
	ts := strconv.FormatInt(now.Unix(), 10)
	mac := hmac.New(sha256.New, dailyKey)
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	dailySigned := map[string]string{"X-Webhook-Signature": base64.StdEncoding.EncodeToString(mac.Sum(nil)), "X-Webhook-Timestamp": ts}

	for _, c := range []struct {
		name     string
		args     []string
		env      map[string]string
		provider string
		good     map[string]string // headers the verifier accepts
	}{
		{"VideoSDK PEM in the environment", nil, map[string]string{"VIDEOSDK_WEBHOOK_PUBLIC_KEY": strings.ReplaceAll(pemText, "\n", `\n`)}, "videosdk", videoSDKSigned},
		{"VideoSDK PEM file by flag", []string{"-videosdk-public-key-file", keyFile}, nil, "videosdk", videoSDKSigned},
		{"VideoSDK PEM file by variable", nil, map[string]string{"VIDEOSDK_WEBHOOK_PUBLIC_KEY_FILE": " " + keyFile + " "}, "videosdk", videoSDKSigned},
		{"VideoSDK file over text", []string{"-videosdk-public-key-file", keyFile}, map[string]string{"VIDEOSDK_WEBHOOK_PUBLIC_KEY": "garbage"}, "videosdk", videoSDKSigned},
		{"Daily secret", nil, map[string]string{"DAILY_WEBHOOK_SECRET": " " + base64.StdEncoding.EncodeToString(dailyKey) + " "}, "daily", dailySigned},
		{"iotum token", nil, map[string]string{"IOTUM_SIGNING_TOKEN": "  tok-123 "}, "iotum", map[string]string{"x-signing-token": "tok-123"}},
	} {
		cfg, err := parse(c.args, c.env)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		v := cfg.Verifiers[c.provider]
		if len(cfg.Verifiers) != 1 || v == nil {
			t.Errorf("%s: verifiers %v, want one for %s", c.name, cfg.Verifiers, c.provider)
			continue
		}
		if err := v(body, headers(c.good), now); err != nil {
			t.Errorf("%s: a good delivery fails: %v", c.name, err)
		}
		if err := v(body, headers(nil), now); err == nil {
			t.Errorf("%s: an unsigned delivery passes", c.name)
		}
		if err := v(append(body, ' '), headers(c.good), now); err == nil && c.provider != "iotum" {
			t.Errorf("%s: a changed body passes", c.name)
		}
	}

	for _, bad := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{nil, map[string]string{"VIDEOSDK_WEBHOOK_PUBLIC_KEY": "garbage"}, "VIDEOSDK_WEBHOOK_PUBLIC_KEY: videosdk public key: no PEM block found"},
		{[]string{"-videosdk-public-key-file", badFile}, nil, "-videosdk-public-key-file: videosdk public key: no PEM block found"},
		{nil, map[string]string{"DAILY_WEBHOOK_SECRET": "not base64!"}, "DAILY_WEBHOOK_SECRET: daily webhook secret: not base64"},
	} {
		if _, err := parse(bad.args, bad.env); err == nil || !strings.HasPrefix(err.Error(), bad.want) {
			t.Errorf("%v %v: error %v, want %q", bad.args, bad.env, err, bad.want)
		}
	}
}

// TestStartupNamesEveryProvider: the startup lines list each registered
// provider's URL, in the order they always had, and warn about each one
// whose secret is not set.
func TestStartupNamesEveryProvider(t *testing.T) {
	if got, want := webhookURLs("http://127.0.0.1:8080", webhooks.Providers()),
		"http://127.0.0.1:8080/webhooks/videosdk http://127.0.0.1:8080/webhooks/daily http://127.0.0.1:8080/webhooks/iotum"; got != want {
		t.Errorf("webhook URLs %q, want %q", got, want)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	warnUnverified(log, webhooks.Providers(), nil)
	for _, p := range webhooks.Providers() {
		if want := p.Display + " webhooks are accepted unverified: set " + p.Secret.Env + " to check them"; !strings.Contains(logs.String(), want) {
			t.Errorf("no warning %q in:\n%s", want, logs.String())
		}
	}
	for _, want := range []string{"VideoSDK webhooks are accepted unverified: set VIDEOSDK_WEBHOOK_PUBLIC_KEY to check them",
		"Daily webhooks are accepted unverified: set DAILY_WEBHOOK_SECRET to check them",
		"iotum webhooks are accepted unverified: set IOTUM_SIGNING_TOKEN to check them"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("no warning %q", want)
		}
	}
	c, err := parse(nil, map[string]string{"IOTUM_SIGNING_TOKEN": "tok"})
	if err != nil {
		t.Fatal(err)
	}
	logs.Reset()
	warnUnverified(log, webhooks.Providers(), c.Verifiers)
	if n := strings.Count(logs.String(), "accepted unverified"); n != len(webhooks.Providers())-1 || strings.Contains(logs.String(), "iotum") {
		t.Errorf("with iotum's token set:\n%s", logs.String())
	}
}
