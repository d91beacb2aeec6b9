package main

import (
	"io"
	"strings"
	"testing"
	"time"
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
	} {
		if _, err := parse(bad.args, bad.env); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%v %v: error %v, want one containing %q", bad.args, bad.env, err, bad.want)
		}
	}
}
