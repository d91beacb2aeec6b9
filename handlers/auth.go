package handlers

import (
	"context"
	"crypto/subtle"
	"errors"
	"math"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/views"
)

// Cookie names.
const (
	sessionCookie = "meetboard_session"
	// loginCookie carries the sign-in form's CSRF token (double submit):
	// there is no session yet to hold it.
	loginCookie = "meetboard_login"
)

// Where requireOperator leaves the credential it let a request in with:
// the signed-in session, the API token, or true in open mode.
const (
	localsSession = "session"
	localsToken   = "token"
	localsOpen    = "open"
)

// openCache remembers for a few seconds whether any account exists.
type openCache struct {
	mu      sync.Mutex
	open    bool
	checked time.Time
}

// open reports whether the dashboard runs without accounts: no operator,
// no API token. It then listens on loopback only and asks nobody to sign
// in. The first account closes it within a few seconds, no restart needed.
func (h *Handler) open(ctx context.Context) (bool, error) {
	if h.cfg.APIToken != "" {
		return false, nil
	}
	h.openState.mu.Lock()
	defer h.openState.mu.Unlock()
	if time.Since(h.openState.checked) < 3*time.Second {
		return h.openState.open, nil
	}
	ops, tokens, err := h.cfg.Operators.Count(ctx)
	if err != nil {
		return false, err
	}
	h.openState.open, h.openState.checked = ops == 0 && tokens == 0, time.Now()
	return h.openState.open, nil
}

// requireOperator lets a request through when the dashboard is open, when it
// comes from a signed-in browser, or, where tokens is set (the API, the live
// socket, metrics and CSV exports), when it carries a valid API token
// (Authorization: Bearer). A token sent to a page gets 401: tokens are for
// scripts, and a page's forms need a session. Others get 401 or, for pages,
// are sent to sign in.
func (h *Handler) requireOperator(page, tokens bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		open, err := h.open(ctx)
		if err != nil {
			return h.storeError(c, err)
		}
		if open {
			if status, msg := h.openGuard(c); status != 0 {
				if page {
					return h.htmlError(c, status, msg)
				}
				return fail(c, status, msg)
			}
			c.Locals(localsOpen, true)
			return c.Next()
		}
		if bearer, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer "); ok {
			if !tokens {
				return h.htmlError(c, fiber.StatusUnauthorized, "API tokens open the JSON API, CSV exports, /metrics and the live socket, not pages: sign in to use the pages")
			}
			if token := strings.TrimSpace(bearer); h.tokenValid(ctx, token) {
				c.Locals(localsToken, token)
				return c.Next()
			}
			return fail(c, fiber.StatusUnauthorized, "invalid API token")
		}
		s, err := h.cfg.Operators.Session(ctx, c.Cookies(sessionCookie), time.Now().UTC())
		switch {
		case err == nil:
			c.Locals(localsSession, s)
			return c.Next()
		case !errors.Is(err, models.ErrNotFound):
			return h.storeError(c, err)
		case page && (!tokens || strings.Contains(c.Get(fiber.HeaderAccept), "text/html")):
			// A browser is sent to sign in; a script fetching a CSV export
			// (which asks for no HTML) gets 401, as it would from the API.
			return c.Redirect("/login?next="+url.QueryEscape(string(c.Request().URI().RequestURI())), fiber.StatusSeeOther)
		}
		return fail(c, fiber.StatusUnauthorized, "sign in, or send an API token as Authorization: Bearer <token>")
	}
}

// tokenValid checks an API token: the configured one, or one made with the
// token command.
func (h *Handler) tokenValid(ctx context.Context, token string) bool {
	if h.cfg.APIToken != "" && subtle.ConstantTimeCompare([]byte(token), []byte(h.cfg.APIToken)) == 1 {
		return true
	}
	ok, err := h.cfg.Operators.TokenValid(ctx, token)
	return err == nil && ok
}

// liveOwnerOf is the credential requireOperator let c in with, for a live
// socket.
func liveOwnerOf(c *fiber.Ctx) liveOwner {
	o := liveOwner{addr: clientAddr(c)}
	if s := signedIn(c); s != nil {
		o.session = s.ID
	}
	o.token, _ = c.Locals(localsToken).(string)
	o.open, _ = c.Locals(localsOpen).(bool)
	return o
}

// signedIn is the session requireOperator found, if any.
func signedIn(c *fiber.Ctx) *models.OperatorSession {
	s, _ := c.Locals(localsSession).(*models.OperatorSession)
	return s
}

// loginShow serves the sign-in form.
func (h *Handler) loginShow(c *fiber.Ctx) error {
	if open, err := h.open(c.UserContext()); err == nil && open {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	return h.loginForm(c, fiber.StatusOK, "")
}

func (h *Handler) loginForm(c *fiber.Ctx, status int, message string) error {
	csrf := c.Cookies(loginCookie)
	if len(csrf) < 32 {
		csrf = models.RandomText()
	}
	h.setCookie(c, loginCookie, csrf, time.Hour)
	return render(c, status, views.LoginPage(localPath(c.Query("next", c.FormValue("next"))), message, csrf))
}

// loginSubmit checks the form and signs the operator in. What it answers,
// and when, must not tell whether the username exists: the throttle is
// asked before any account is looked up and keys on (address, username),
// and models.Operators.SignIn runs the same bcrypt comparison for an
// unknown name as for a wrong password.
func (h *Handler) loginSubmit(c *fiber.Ctx) error {
	csrf := c.Cookies(loginCookie)
	if csrf == "" || subtle.ConstantTimeCompare([]byte(csrf), []byte(c.FormValue("_csrf"))) != 1 {
		return h.loginForm(c, fiber.StatusForbidden, "The form expired. Please sign in again.")
	}
	username, addr := c.FormValue("username"), clientAddr(c)
	key := newThrottleKey(addr, username)
	now := time.Now()
	if until, held := h.throttle.attempt(key, now); held {
		wait := retryAfter(until.Sub(now))
		c.Set(fiber.HeaderRetryAfter, wait)
		h.log.Warn("sign-in refused: too many failures", "user", username, "ip", addr)
		return h.loginForm(c, fiber.StatusTooManyRequests, "Too many failed sign-ins. Try again in "+wait+" seconds.")
	}
	token, s, err := h.cfg.Operators.SignIn(c.UserContext(), username, c.FormValue("password"), now.UTC())
	switch {
	case errors.Is(err, models.ErrBadLogin):
		h.log.Warn("sign-in failed", "user", username, "ip", addr)
		return h.loginForm(c, fiber.StatusUnauthorized, "Wrong username or password.")
	case err != nil:
		return h.storeError(c, err)
	}
	h.throttle.succeeded(key)
	h.log.Info("signed in", "user", s.Operator.Username, "ip", addr)
	h.setCookie(c, sessionCookie, token, models.SessionLifetime)
	c.ClearCookie(loginCookie)
	return c.Redirect(localPath(c.FormValue("next")), fiber.StatusSeeOther)
}

// logoutSubmit signs the operator out.
func (h *Handler) logoutSubmit(c *fiber.Ctx) error {
	token := c.Cookies(sessionCookie)
	s, err := h.cfg.Operators.Session(c.UserContext(), token, time.Now().UTC())
	if err == nil {
		if subtle.ConstantTimeCompare([]byte(s.CSRFToken), []byte(c.FormValue("_csrf"))) != 1 {
			return h.htmlError(c, fiber.StatusForbidden, "The form expired. Reload the page and sign out again.")
		}
		if err := h.cfg.Operators.SignOut(c.UserContext(), token); err != nil {
			return h.storeError(c, err)
		}
		h.closeLive(func(o liveOwner) bool { return o.session != s.ID })
	}
	c.ClearCookie(sessionCookie)
	return c.Redirect("/login", fiber.StatusSeeOther)
}

// setCookie sets an HttpOnly, SameSite=Lax cookie, Secure when the
// dashboard is reached over TLS.
func (h *Handler) setCookie(c *fiber.Ctx, name, value string, life time.Duration) {
	c.Cookie(&fiber.Cookie{
		Name: name, Value: value, Path: "/", Expires: time.Now().Add(life),
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
		Secure: c.Protocol() == "https" || strings.HasPrefix(h.cfg.PublicURL, "https://"),
	})
}

// localPath keeps a redirect target on this site: a path, never another
// host ("//evil.example" and "/\evil.example" included).
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	if u, err := url.Parse(p); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return p
}

// retryAfter is a wait in whole seconds, rounded up, for a Retry-After
// header.
func retryAfter(wait time.Duration) string {
	return strconv.Itoa(int(math.Ceil(wait.Seconds())))
}
