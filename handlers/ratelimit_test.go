package handlers

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

const testLimit = 3

// limitedApp serves POST /hook behind a limiter answering JSON and POST
// /login behind loginLimiter, with the proxy settings proxyConfig gives for trusted.
// GET /whoami answers clientAddr and c.IP().
func limitedApp(trusted []string) *fiber.App {
	enable, proxies, header, validate := proxyConfig(trusted)
	app := fiber.New(fiber.Config{DisableStartupMessage: true,
		EnableTrustedProxyCheck: enable, TrustedProxies: proxies, ProxyHeader: header, EnableIPValidation: validate})
	app.Use(securityHeaders(nil))
	app.Post("/hook", newLimiter(testLimit, func(c *fiber.Ctx) error {
		return fail(c, fiber.StatusTooManyRequests, "too many requests")
	}), func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"outcome": "applied"}) })
	app.Post("/login", loginLimiter(testLimit), func(c *fiber.Ctx) error { return c.SendString("welcome") })
	app.Get("/whoami", func(c *fiber.Ctx) error { return c.SendString(clientAddr(c) + " " + c.IP()) })
	return app
}

// post sends a request through app.Test, whose peer is always 0.0.0.0,
// with X-Forwarded-For values (each its own header line) if given.
func post(t *testing.T, app *fiber.App, path string, xff ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader("{}"))
	for _, v := range xff {
		req.Header.Add("X-Forwarded-For", v)
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// check429 verifies a limited answer: 429, a Retry-After of 1-60 s and the
// security headers (the limiter runs after them).
func check429(t *testing.T, resp *http.Response) {
	t.Helper()
	if resp.StatusCode != fiber.StatusTooManyRequests {
		t.Fatalf("status %d, want 429", resp.StatusCode)
	}
	ra, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || ra < 1 || ra > 60 {
		t.Errorf("Retry-After %q, want 1-60 seconds", resp.Header.Get("Retry-After"))
	}
	if resp.Header.Get("Content-Security-Policy") == "" {
		t.Error("429 without the security headers")
	}
}

func TestLoginLimiter(t *testing.T) {
	app := limitedApp(nil)
	for i := 1; i <= testLimit; i++ {
		if resp := post(t, app, "/login"); resp.StatusCode != fiber.StatusOK {
			t.Fatalf("request %d: status %d", i, resp.StatusCode)
		}
	}
	resp := post(t, app, "/login")
	check429(t, resp)
	body, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") || !strings.Contains(string(body), "Try again in") {
		t.Errorf("Content-Type %q, body %q", ct, body)
	}
}

// Over real sockets from two loopback addresses: with no trusted proxy the
// key is the socket peer, and X-Forwarded-For changes nothing.
func TestLimiterPerSocketPeer(t *testing.T) {
	addr, _ := listenFiber(t, limitedApp(nil))
	client := func(local string) *http.Client {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}, Timeout: 5 * time.Second}
		return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
	}
	send := func(c *http.Client, xff string) int {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/hook", strings.NewReader("{}"))
		req.Header.Set("X-Forwarded-For", xff)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	a, b := client("127.0.0.1"), client("127.0.0.2")
	for i := 1; i <= testLimit; i++ {
		if st := send(a, "203.0.113."+strconv.Itoa(i)); st != fiber.StatusOK {
			t.Fatalf("a, request %d: %d", i, st)
		}
	}
	if st := send(a, "203.0.113.99"); st != fiber.StatusTooManyRequests {
		t.Errorf("a, request %d with a fresh X-Forwarded-For: %d, want 429", testLimit+1, st)
	}
	if st := send(b, ""); st != fiber.StatusOK {
		t.Errorf("b, another address: %d, want 200", st)
	}
}

func TestLimiterBehindTrustedProxy(t *testing.T) {
	app := limitedApp([]string{"0.0.0.0"}) // app.Test's peer
	for i := 1; i <= testLimit; i++ {
		if resp := post(t, app, "/hook", "203.0.113.7"); resp.StatusCode != fiber.StatusOK {
			t.Fatalf("request %d: status %d", i, resp.StatusCode)
		}
	}
	check429(t, post(t, app, "/hook", "203.0.113.7"))
	// The client cannot escape by prepending its own entries: the proxy
	// appended the address it saw.
	check429(t, post(t, app, "/hook", "198.51.100.1, 203.0.113.7"))
	check429(t, post(t, app, "/hook", "198.51.100.2", "203.0.113.7"))
	// Another client through the same proxy has its own budget.
	if resp := post(t, app, "/hook", "203.0.113.8"); resp.StatusCode != fiber.StatusOK {
		t.Errorf("another client behind the proxy: %d, want 200", resp.StatusCode)
	}
}

func TestLimiterIgnoresForwardedForFromUntrustedPeer(t *testing.T) {
	app := limitedApp([]string{"10.0.0.1"}) // not app.Test's peer 0.0.0.0
	for i := 1; i <= testLimit; i++ {
		if resp := post(t, app, "/hook", "203.0.113."+strconv.Itoa(i)); resp.StatusCode != fiber.StatusOK {
			t.Fatalf("request %d: status %d", i, resp.StatusCode)
		}
	}
	check429(t, post(t, app, "/hook", "203.0.113.99"))
}

func TestClientAddr(t *testing.T) {
	cases := []struct {
		name    string
		trusted []string
		xff     []string
		want    string // clientAddr, then c.IP()
	}{
		{"no proxies: peer", nil, []string{"203.0.113.7"}, "0.0.0.0 0.0.0.0"},
		{"untrusted peer: peer", []string{"10.0.0.1"}, []string{"203.0.113.7"}, "0.0.0.0 0.0.0.0"},
		{"trusted proxy, one hop", []string{"0.0.0.0"}, []string{"203.0.113.7"}, "203.0.113.7 203.0.113.7"},
		{"trusted proxy, no header: the proxy", []string{"0.0.0.0"}, nil, "0.0.0.0 0.0.0.0"},
		// c.IP() takes the leftmost entry, which the client wrote.
		{"client-written entries are skipped", []string{"0.0.0.0"}, []string{"198.51.100.1, 203.0.113.7"}, "203.0.113.7 198.51.100.1"},
		{"chain of trusted proxies", []string{"0.0.0.0", "10.0.0.0/8"}, []string{"198.51.100.1, 203.0.113.7, 10.1.2.3"}, "203.0.113.7 198.51.100.1"},
		{"several header lines", []string{"0.0.0.0"}, []string{"198.51.100.1", "203.0.113.7"}, "203.0.113.7 198.51.100.1"},
		// c.IP() skips entries with ports and falls back to the peer.
		{"ports and brackets", []string{"0.0.0.0"}, []string{"[2001:db8::7]:4711"}, "2001:db8::7 0.0.0.0"},
		{"IPv4 with a port", []string{"0.0.0.0"}, []string{"203.0.113.7:4711"}, "203.0.113.7 0.0.0.0"},
		{"garbage ends the walk", []string{"0.0.0.0", "10.0.0.0/8"}, []string{"unknown, 10.1.2.3"}, "10.1.2.3 10.1.2.3"},
		{"all trusted: leftmost", []string{"0.0.0.0", "10.0.0.0/8"}, []string{"10.9.9.9, 10.1.2.3"}, "10.9.9.9 10.9.9.9"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/whoami", nil)
			for _, v := range c.xff {
				req.Header.Add("X-Forwarded-For", v)
			}
			resp, err := limitedApp(c.trusted).Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if string(body) != c.want {
				t.Errorf("clientAddr, c.IP() = %q, want %q", body, c.want)
			}
		})
	}
}

func TestParseTrustedProxies(t *testing.T) {
	got, err := ParseTrustedProxies(" 10.0.0.0/8, 192.0.2.10 ,,::1, ::ffff:198.51.100.7, 2001:db8::1/32 ")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "192.0.2.10", "::1", "198.51.100.7", "2001:db8::/32"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, err := ParseTrustedProxies(""); err != nil || got != nil {
		t.Errorf("empty: %q, %v", got, err)
	}
	for _, bad := range []string{"proxy.internal", "10.0.0.0/33", "10.0.0.1:80", "fe80::1%eth0", "10.0.0.*"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if enable, proxies, header, validate := proxyConfig(nil); !enable || proxies != nil || header != "" || !validate {
		t.Errorf("proxyConfig(nil) = %v, %q, %q, %v; want true, nil, \"\", true", enable, proxies, header, validate)
	}
	if enable, proxies, header, validate := proxyConfig(want); !enable || !reflect.DeepEqual(proxies, want) || header != "X-Forwarded-For" || !validate {
		t.Errorf("proxyConfig = %v, %q, %q, %v", enable, proxies, header, validate)
	}
}

func TestLimiterZeroIsOff(t *testing.T) {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Post("/hook", newLimiter(0, nil), func(c *fiber.Ctx) error { return c.SendStatus(fiber.StatusOK) })
	for i := 0; i < 20; i++ {
		if resp := post(t, app, "/hook"); resp.StatusCode != fiber.StatusOK {
			t.Fatalf("request %d: %d", i, resp.StatusCode)
		}
	}
}
