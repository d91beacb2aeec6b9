package handlers

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

func TestStreamSources(t *testing.T) {
	cases := []struct {
		name  string
		hosts []string
		want  string
	}{
		{"no allowlist: any http(s) host, as any is a link", nil,
			"connect-src 'self' http: https:; media-src 'self' blob: http: https:"},
		{"hosts, addresses and subdomains on any port", []string{"cdn.videosdk.live", "*.daily.co", "127.0.0.1"},
			"connect-src 'self' cdn.videosdk.live:* *.daily.co:* 127.0.0.1:*; media-src 'self' blob: cdn.videosdk.live:* *.daily.co:* 127.0.0.1:*"},
		{"what a policy cannot name is left out", []string{"::1", "cdn_1.example", "cdn.example"},
			"connect-src 'self' cdn.example:*; media-src 'self' blob: cdn.example:*"},
		{"nothing nameable: no stream host at all", []string{"2001:db8::1"},
			"connect-src 'self'; media-src 'self' blob:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := streamSources(c.hosts)
			if got != c.want {
				t.Errorf("streamSources(%q) =\n %q, want\n %q", c.hosts, got, c.want)
			}
			for _, src := range strings.Fields(strings.ReplaceAll(got, ";", " ")) {
				if src == "*" || strings.HasPrefix(src, "'unsafe-") || src == "data:" {
					t.Errorf("streamSources(%q) = %q allows %s", c.hosts, got, src)
				}
			}
		})
	}
}

// The policy every answer carries follows the allowlist it is given, and
// names each directive once (a repeated directive is ignored by browsers).
func TestSecurityHeadersStreamSources(t *testing.T) {
	for _, hosts := range [][]string{nil, {"cdn.example"}} {
		app := fiber.New(fiber.Config{DisableStartupMessage: true})
		app.Use(securityHeaders(hosts))
		app.Get("/", func(c *fiber.Ctx) error { return c.SendString("ok") })
		csp := do(t, app, httptest.NewRequest(http.MethodGet, "/", nil)).Header.Get("Content-Security-Policy")
		if !strings.HasSuffix(csp, "; "+streamSources(hosts)) {
			t.Errorf("hosts %q: CSP %q does not end with %q", hosts, csp, streamSources(hosts))
		}
		seen := map[string]bool{}
		for _, d := range strings.Split(csp, ";") {
			name := strings.Fields(d)[0]
			if seen[name] {
				t.Errorf("hosts %q: %s twice in %q", hosts, name, csp)
			}
			seen[name] = true
		}
		if !seen["connect-src"] || !seen["media-src"] {
			t.Errorf("hosts %q: CSP %q lacks connect-src or media-src", hosts, csp)
		}
	}
}
