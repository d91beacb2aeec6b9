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
	return h.public.hostname != "" && strings.EqualFold(h.public.hostname, host)
}

// publicSite is Config.PublicURL read once: the origin browsers send from
// it, its host with the port, and its host name; all empty when unset.
type publicSite struct {
	origin, host, hostname string
}

// parsePublicURL reads Config.PublicURL (checked when the configuration
// was read; an unreadable one counts as unset).
func parsePublicURL(s string) publicSite {
	u, err := url.Parse(s)
	if s == "" || err != nil || u.Host == "" {
		return publicSite{}
	}
	return publicSite{origin: u.Scheme + "://" + u.Host, host: u.Host, hostname: u.Hostname()}
}

// publicOrigin reports whether an Origin header is the public URL's.
func (h *Handler) publicOrigin(origin string) bool {
	return h.public.origin != "" && strings.EqualFold(origin, h.public.origin)
}
