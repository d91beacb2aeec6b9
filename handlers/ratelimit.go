package handlers

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"
)

// Rate limiting is per source address, counted in fixed one-minute windows
// in this process's memory: each limiter (each call of newLimiter) has its
// own counts, and instances behind a load balancer each allow the full
// rate. A request over the limit is answered 429 with
// Retry-After (seconds until the window ends) and is not passed on.
//
// The source address is the TCP peer unless the peer is a trusted proxy.
// Fiber decides what to trust from these fiber.Config fields, which
// proxyConfig derives from DASHBOARD_TRUSTED_PROXIES:
//
//   - EnableTrustedProxyCheck: when false (Fiber's default), every peer
//     counts as a trusted proxy: c.IP() returns ProxyHeader (if set) and
//     c.Protocol() believes X-Forwarded-Proto from anyone on the internet.
//     proxyConfig always turns it on.
//   - TrustedProxies: the peers (IP addresses or CIDR ranges) that are
//     proxies. Only from them are ProxyHeader and X-Forwarded-Proto read.
//   - ProxyHeader: the header naming the client, here X-Forwarded-For. Empty,
//     c.IP() is always the socket peer.
//   - EnableIPValidation: makes c.IP() return the first valid address in
//     the header (the peer if there is none) instead of the header's text.
//
// With no trusted proxies c.IP() is the socket peer, and behind a proxy every
// client would then share the proxy's budget: set DASHBOARD_TRUSTED_PROXIES
// to the proxy's address.
//
// The key is clientAddr, not c.IP() as such: c.IP() returns the first
// (leftmost) valid address of X-Forwarded-For, which a proxy that appends to the
// header (nginx's $proxy_add_x_forwarded_for, AWS ALB) passes on from the
// client unchanged, so a client could pick a fresh key per request.
// clientAddr reads the header from the right instead, as the proxies wrote it.

// loginLimiter allows perMinute requests per source address per minute
// (perMinute <= 0: no limit) and answers the rest 429 with a short plain-text message.
func loginLimiter(perMinute int) fiber.Handler {
	return newLimiter(perMinute, func(c *fiber.Ctx) error {
		c.Status(fiber.StatusTooManyRequests).Type("txt", "utf-8")
		return c.SendString("Too many sign-in attempts from your address. Try again in " +
			c.GetRespHeader(fiber.HeaderRetryAfter) + " seconds.\n")
	})
}

// newLimiter builds a limiter; perMinute <= 0 means no limit.
func newLimiter(perMinute int, reached fiber.Handler) fiber.Handler {
	if perMinute <= 0 {
		return func(c *fiber.Ctx) error { return c.Next() }
	}
	return limiter.New(limiter.Config{
		Max:               perMinute,
		Expiration:        time.Minute,
		KeyGenerator:      clientAddr,
		LimitReached:      reached,
		LimiterMiddleware: limiter.FixedWindow{},
		// Storage nil: an in-memory store of this limiter's own.
	})
}

// clientAddr is the address a request is counted against: the TCP peer,
// unless the peer is a trusted proxy (c.IsProxyTrusted) and the app has a
// ProxyHeader. Then it is the rightmost address in that header (all its
// occurrences, in order) that is not itself a trusted proxy: the client as
// the first trusted proxy saw it, whatever the client put in the header
// itself. If every address in the header is a trusted proxy it is the
// leftmost; if the header is missing it is the peer. An entry that is not
// an address (a hop that wrote "unknown") ends the walk at the last
// address read.
func clientAddr(c *fiber.Ctx) string {
	peer := canonicalIP(c.Context().RemoteIP().String())
	cfg := c.App().Config()
	if cfg.ProxyHeader == "" || !c.IsProxyTrusted() {
		return peer
	}
	trusted := parseTrusted(cfg.TrustedProxies)
	last := peer
	values := c.Request().Header.PeekAll(cfg.ProxyHeader)
	for i := len(values) - 1; i >= 0; i-- {
		hops := strings.Split(string(values[i]), ",")
		for j := len(hops) - 1; j >= 0; j-- {
			hop := strings.TrimSpace(hops[j])
			if hop == "" {
				continue
			}
			a, ok := hopAddr(hop)
			if !ok {
				return last
			}
			if !trusted(a) {
				return a.String()
			}
			last = a.String()
		}
	}
	return last
}

// parseTrusted reads fiber.Config.TrustedProxies (IP addresses and CIDR
// ranges) into a membership test. Entries Fiber cannot read either are
// skipped.
func parseTrusted(list []string) func(netip.Addr) bool {
	var prefixes []netip.Prefix
	for _, s := range list {
		if p, err := netip.ParsePrefix(s); err == nil {
			prefixes = append(prefixes, p.Masked())
		} else if a, err := netip.ParseAddr(s); err == nil {
			a = a.Unmap()
			prefixes = append(prefixes, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	return func(a netip.Addr) bool {
		for _, p := range prefixes {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
}

// hopAddr reads one X-Forwarded-For entry: an address, optionally with a
// port ("192.0.2.1:4711", "[2001:db8::1]:4711") or in brackets.
func hopAddr(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone(""), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		return hopAddr(s[1 : len(s)-1])
	}
	return netip.Addr{}, false
}

// canonicalIP writes an address in its standard form, IPv4 without the
// IPv6 mapping.
func canonicalIP(s string) string {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone("").String()
	}
	return s
}

// ParseTrustedProxies reads DASHBOARD_TRUSTED_PROXIES: a comma-separated
// list of the reverse proxies' addresses, each an IP address or a CIDR range
// ("10.0.0.0/8, 192.0.2.10, ::1"). It returns them in standard form for
// proxyConfig. Empty is an empty list: no proxy is trusted.
func ParseTrustedProxies(s string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: not a CIDR range: %w", f, err)
			}
			if p.Addr().Zone() != "" {
				return nil, fmt.Errorf("trusted proxy %q: a range cannot have a zone", f)
			}
			out = append(out, p.Masked().String())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil || a.Zone() != "" {
			return nil, fmt.Errorf("trusted proxy %q: not an IP address or CIDR range", f)
		}
		out = append(out, a.Unmap().String())
	}
	return out, nil
}

// proxyConfig returns the fiber.Config fields to set for the trusted
// proxies (from ParseTrustedProxies):
//
//	enable, proxies, header, validate := proxyConfig(trusted)
//	fiber.Config{EnableTrustedProxyCheck: enable, TrustedProxies: proxies,
//		ProxyHeader: header, EnableIPValidation: validate, ...}
//
// enable is always true, so that with no proxies no peer is trusted:
// c.IP() is the socket peer and X-Forwarded-* headers are ignored (Fiber
// with the check off trusts them from everyone). header is X-Forwarded-For
// when there are proxies, "" when there are none. validate is always true:
// without it c.IP() from a proxy is the header's whole text ("a, b", or ""
// when the header is missing) rather than an address.
func proxyConfig(trusted []string) (enable bool, proxies []string, header string, validate bool) {
	if len(trusted) == 0 {
		return true, nil, "", true
	}
	return true, append([]string(nil), trusted...), fiber.HeaderXForwardedFor, true
}
