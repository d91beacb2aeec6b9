package handlers

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/static"
	"github.com/meetboard/meetboard/views"
)

// securedApp is an app set up as handlers.New sets it up with the
// security middleware: the proxy settings from trusted, the headers first,
// then a page, a static file, a JSON answer and the error handler.
func securedApp(t *testing.T, trusted []string) *fiber.App {
	t.Helper()
	enable, proxies, header, validate := proxyConfig(trusted)
	app := fiber.New(fiber.Config{
		DisableStartupMessage:   true,
		EnableTrustedProxyCheck: enable,
		TrustedProxies:          proxies,
		ProxyHeader:             header,
		EnableIPValidation:      validate,
		ErrorHandler: func(c *fiber.Ctx, err error) error {
			return fail(c, fiber.StatusNotFound, err.Error())
		},
	})
	app.Use(securityHeaders([]string{"cdn.ok"}))
	app.Use(linkHosts([]string{"cdn.ok"}))
	app.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(static.FS), MaxAge: 3600}))
	app.Get("/", func(c *fiber.Ctx) error {
		return render(c, fiber.StatusOK, views.Page(views.Meta{Title: "Live rooms", Nav: "/", LiveURL: "/live?topic=rooms"},
			views.StreamsFragments([]models.StreamRow{
				{MeetingID: "m1", Stream: models.Stream{Provider: "videosdk", Kind: models.StreamHLS, PlaybackURL: "https://cdn.ok/hls/index.m3u8"}},
				{MeetingID: "m2", Stream: models.Stream{Provider: "videosdk", Kind: models.StreamHLS, PlaybackURL: "https://cdn.ok@evil.com/hls/index.m3u8"}},
				{MeetingID: "m3", Stream: models.Stream{Provider: "videosdk", Kind: models.StreamHLS, PlaybackURL: "javascript:alert(1)"}},
			}, views.ListPage{Path: "/streams", Page: 1})))
	})
	app.Get("/api/x", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"ok": true}) })
	return app
}

func do(t *testing.T, app *fiber.App, req *http.Request) *http.Response {
	t.Helper()
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	app := securedApp(t, nil)
	want := map[string]string{
		"Content-Security-Policy":      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'; connect-src 'self' cdn.ok:*; media-src 'self' blob: cdn.ok:*",
		"X-Content-Type-Options":       "nosniff",
		"X-Frame-Options":              "DENY",
		"Referrer-Policy":              "no-referrer",
		"Cross-Origin-Opener-Policy":   "same-origin",
		"Cross-Origin-Resource-Policy": "same-origin",
	}
	for _, path := range []string{"/", "/static/app.js", "/static/vendor/htmx.min.js", "/api/x", "/no-such-page"} {
		resp := do(t, app, httptest.NewRequest(http.MethodGet, path, nil))
		for h, v := range want {
			if got := resp.Header.Get(h); got != v {
				t.Errorf("%s: %s = %q, want %q", path, h, got, v)
			}
		}
		if got := resp.Header.Get("Strict-Transport-Security"); got != "" {
			t.Errorf("%s: Strict-Transport-Security over plain HTTP: %q", path, got)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if strings.Contains(csp, "unsafe-") {
			t.Errorf("%s: CSP allows unsafe sources: %q", path, csp)
		}
	}
}

func TestHSTSOnlyOverTLS(t *testing.T) {
	const hsts = "max-age=31536000; includeSubDomains"
	cases := []struct {
		name    string
		trusted []string
		headers map[string]string
		want    string
	}{
		{"plain HTTP", nil, nil, ""},
		{"X-Forwarded-Proto with no trusted proxy", nil, map[string]string{"X-Forwarded-Proto": "https"}, ""},
		{"X-Forwarded-Proto from an untrusted peer", []string{"10.0.0.1"}, map[string]string{"X-Forwarded-Proto": "https"}, ""},
		{"plain HTTP from a trusted proxy", []string{"0.0.0.0"}, map[string]string{"X-Forwarded-Proto": "http"}, ""},
		{"X-Forwarded-Proto https from a trusted proxy", []string{"0.0.0.0"}, map[string]string{"X-Forwarded-Proto": "https"}, hsts},
		{"X-Forwarded-Proto https from a trusted range", []string{"0.0.0.0/8"}, map[string]string{"X-Forwarded-Proto": "https"}, hsts},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			app := securedApp(t, c.trusted)
			req := httptest.NewRequest(http.MethodGet, "/", nil) // app.Test's peer is 0.0.0.0
			for k, v := range c.headers {
				req.Header.Set(k, v)
			}
			if got := do(t, app, req).Header.Get("Strict-Transport-Security"); got != c.want {
				t.Errorf("Strict-Transport-Security = %q, want %q", got, c.want)
			}
		})
	}
}

// The pages must work under script-src 'self' and style-src 'self': no
// inline script, style element, style attribute or event handler.
func TestPageHasNothingInline(t *testing.T) {
	resp := do(t, securedApp(t, nil), httptest.NewRequest(http.MethodGet, "/", nil))
	body, _ := io.ReadAll(resp.Body)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		if src, ok := s.Attr("src"); !ok || !strings.HasPrefix(src, "/static/") || strings.TrimSpace(s.Text()) != "" {
			t.Errorf("inline or foreign script: %s", goquery.NodeName(s))
		}
	})
	if n := doc.Find("style, [style]").Length(); n > 0 {
		t.Errorf("%d inline styles", n)
	}
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") {
				t.Errorf("inline event handler %s on <%s>", a.Key, goquery.NodeName(s))
			}
		}
	})
	if cfg, _ := doc.Find(`meta[name="htmx-config"]`).Attr("content"); !strings.Contains(cfg, `"includeIndicatorStyles":false`) {
		t.Errorf("htmx-config %q does not turn off htmx's inline indicator styles", cfg)
	}
}

// Pages render with the link allowlist of the linkHosts middleware.
func TestLinkHostsMiddleware(t *testing.T) {
	resp := do(t, securedApp(t, nil), httptest.NewRequest(http.MethodGet, "/", nil))
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var hrefs []string
	doc.Find("#streams-list a.ext").Each(func(_ int, s *goquery.Selection) {
		h, _ := s.Attr("href")
		hrefs = append(hrefs, h)
	})
	if len(hrefs) != 1 || hrefs[0] != "https://cdn.ok/hls/index.m3u8" {
		t.Errorf("external links %q, want only the one on cdn.ok", hrefs)
	}
	if n := doc.Find(`#streams-list span.url[title*="not on the link allowlist"]`).Length(); n != 1 {
		t.Errorf("%d off-list URLs shown as text, want 1", n)
	}
}
