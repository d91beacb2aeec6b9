package handlers

import (
	"net"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// openGuard holds open mode (no accounts, no sign-in) to what makes it
// safe, at every request rather than only at start:
//
//   - the server must listen on loopback only: when the last account is
//     deleted from a dashboard listening beyond it, every page, the API and
//     the live socket answer 503 until an account exists again (webhooks
//     and health checks go on);
//   - the request must name this machine (or the public URL's host) in its
//     Host header: a web page on rebind.attacker.example whose name the
//     attacker points at 127.0.0.1 (DNS rebinding) is refused, since the
//     browser sends the attacker's name.
//
// It returns 0 when the request may go on, else the status and message to
// answer.
func (h *Handler) openGuard(c *fiber.Ctx) (int, string) {
	if !h.cfg.Loopback {
		return fiber.StatusServiceUnavailable, "This dashboard has no operator accounts and listens beyond this machine, " +
			"so it shows nothing. Create an account: dashboard user add NAME."
	}
	if !h.localHost(c.Hostname()) {
		return fiber.StatusForbidden, "Without operator accounts the dashboard answers only requests addressed to localhost, " +
			"a loopback address or the public URL's host (DASHBOARD_PUBLIC_URL)."
	}
	return 0, ""
}

// localHost reports whether a Host header (with or without its port)
// names this machine: localhost or a name under it, a loopback address,
// or the public URL's host.
func (h *Handler) localHost(hostport string) bool {
	host := hostport
	if hh, _, err := net.SplitHostPort(hostport); err == nil {
		host = hh
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return true
	}
	if h.cfg.PublicURL != "" {
		if u, err := url.Parse(h.cfg.PublicURL); err == nil && strings.EqualFold(u.Hostname(), host) {
			return true
		}
	}
	return false
}

// publicOrigin reports whether an Origin header is the public URL's.
func (h *Handler) publicOrigin(origin string) bool {
	if h.cfg.PublicURL == "" {
		return false
	}
	u, err := url.Parse(h.cfg.PublicURL)
	return err == nil && strings.EqualFold(origin, u.Scheme+"://"+u.Host)
}
