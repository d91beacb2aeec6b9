package handlers

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/helmet"

	"github.com/meetboard/meetboard/views"
)

// contentSecurityPolicy lets pages load scripts, styles and images only
// from the dashboard itself (images also as data: URLs), never be framed,
// and never change their base URL or submit forms elsewhere. No
// 'unsafe-inline' and no 'unsafe-eval': the pages carry no inline script,
// style element or style attribute, and htmx is told not to inject its
// indicator styles or eval anything (views/layout.templ). Pages talk to the
// dashboard (fetch and the live websocket: in CSP Level 3, which Chromium,
// Firefox and Safari implement, 'self' also matches ws: and wss: on the
// page's own host and port) and to the stream hosts the HLS player plays
// from: connect-src and media-src are streamSources, appended by
// securityHeaders.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"

// hstsMaxAge is a year, in seconds.
const hstsMaxAge = 365 * 24 * 60 * 60

// securityHeaders sets the response security headers on every response
// (pages, static files, the API, webhook answers, errors):
//
//   - Content-Security-Policy as above, with streamSources(linkHosts);
//   - X-Content-Type-Options: nosniff;
//   - X-Frame-Options: DENY (and frame-ancestors 'none' in the CSP);
//   - Referrer-Policy: no-referrer, so recording and HLS links opened from a
//     meeting's page do not tell the file host which meeting was open;
//   - Cross-Origin-Opener-Policy: same-origin;
//   - Strict-Transport-Security: max-age=31536000; includeSubDomains, only
//     on requests that came over TLS: c.Protocol() is "https", which is
//     the connection itself or, only from a trusted proxy (see proxyConfig),
//     its X-Forwarded-Proto.
//
// Helmet's other defaults come along: X-XSS-Protection: 0,
// Cross-Origin-Embedder-Policy: require-corp, Cross-Origin-Resource-Policy:
// same-origin, Origin-Agent-Cluster: ?1, X-DNS-Prefetch-Control: off,
// X-Download-Options: noopen, X-Permitted-Cross-Domain-Policies: none.
//
// Its one argument is the link allowlist, the hosts the HLS player may play
// from; whether HSTS is sent is decided per request from how the request
// arrived, so there is no switch to get wrong. Register it
// first (app.Use before any route) so every answer, including 404s, 413s
// and 429s, carries the headers.
func securityHeaders(linkHosts []string) fiber.Handler {
	return helmet.New(helmet.Config{
		ContentSecurityPolicy:   contentSecurityPolicy + "; " + streamSources(linkHosts),
		ContentTypeNosniff:      "nosniff",
		XFrameOptions:           "DENY",
		ReferrerPolicy:          "no-referrer",
		CrossOriginOpenerPolicy: "same-origin",
		HSTSMaxAge:              hstsMaxAge,
		// HSTSExcludeSubdomains false: includeSubDomains. No preload.
	})
}

// linkHosts puts the link allowlist (views.WithLinkHosts) in each request's
// user context, which pages render with. Pushed fragments render with the
// server's own context, so that context must carry the same list (see
// views.WithLinkHosts). With no hosts it does nothing: every http(s) URL is a
// link.
func linkHosts(hosts []string) fiber.Handler {
	if len(hosts) == 0 {
		return func(c *fiber.Ctx) error { return c.Next() }
	}
	with := views.LinkHostsContext(hosts)
	return func(c *fiber.Ctx) error {
		c.SetUserContext(with(c.UserContext()))
		return c.Next()
	}
}
