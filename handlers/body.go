package handlers

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/sync/semaphore"
)

// Request bodies are streamed (fasthttp's StreamRequestBody): the server
// reserves nothing for the length a request announces, and readBody grows a
// body's buffer only as its bytes arrive. Every body a handler sees has been
// read whole by readBody first, within three bounds:
//
//   - its route's limit (the webhook body limit, or formBodyLimit for the
//     forms): over it, the rest is read and thrown away (up to drainLimit)
//     so that the sender, still writing, can read the 413 rather than a
//     connection reset;
//   - the server's budget for bodies in flight (Config.BodyMemory): a
//     request that would take it past the budget is answered 503 with
//     Retry-After, so thousands of slow senders cannot hold more memory
//     than the budget between them;
//   - the connection's read timeout.
const (
	// formBodyLimit is the largest body of a request other than a webhook
	// (the sign-in and sign-out forms are a few hundred bytes).
	formBodyLimit = 64 << 10
	// firstBodyBuffer is a body buffer's first size; it doubles as bytes
	// arrive.
	firstBodyBuffer = 4 << 10
	// drainLimit is how much of a body over its limit is read and discarded
	// before answering 413; past it the connection is closed after the
	// answer.
	drainLimit = 16 << 20
	// DefaultBodyMemory is the default budget for request bodies in flight.
	DefaultBodyMemory = 128 << 20
)

// localsBody is where readBody leaves the body it read.
const localsBody = "body"

var (
	errBodyTooLarge = errors.New("body over the limit")
	errBodyBudget   = errors.New("bodies in flight over the budget")
)

// bodyReader reads request bodies within the server's budget.
type bodyReader struct {
	budget *semaphore.Weighted
	size   int64
}

func newBodyReader(budget int) *bodyReader {
	if budget <= 0 {
		budget = DefaultBodyMemory
	}
	return &bodyReader{budget: semaphore.NewWeighted(int64(budget)), size: int64(budget)}
}

// readBody reads the request's body (at most limit bytes once decoded)
// before the handlers run, and leaves it for requestBody. limit(c) picks
// the route's limit. Bodies in gzip are accepted and counted decoded;
// other content codings get 415.
func (h *Handler) readBody(limit func(c *fiber.Ctx) int) fiber.Handler {
	return func(c *fiber.Ctx) error {
		stream := c.Context().RequestBodyStream()
		if stream == nil {
			return c.Next()
		}
		maxBytes := limit(c)
		var reserved int64
		defer func() { h.bodies.budget.Release(reserved) }()
		reserve := func(n int) bool {
			if !h.bodies.budget.TryAcquire(int64(n)) {
				return false
			}
			reserved += int64(n)
			return true
		}
		var (
			body []byte
			err  error
		)
		switch enc := string(bytes.ToLower(bytes.TrimSpace(c.Request().Header.Peek(fiber.HeaderContentEncoding)))); enc {
		case "", "identity":
			body, err = readLimited(stream, maxBytes, reserve)
		case "gzip", "x-gzip":
			body, err = readGzip(stream, maxBytes, reserve)
			c.Request().Header.Del(fiber.HeaderContentEncoding)
		default:
			drain(c, stream)
			return fiber.NewError(fiber.StatusUnsupportedMediaType, "Content-Encoding "+strconv.Quote(enc)+" is not accepted: send the body uncompressed or in gzip")
		}
		switch {
		case errors.Is(err, errBodyTooLarge):
			drain(c, stream)
			return fiber.NewError(fiber.StatusRequestEntityTooLarge, "request body is larger than the limit of "+formatBytes(maxBytes))
		case errors.Is(err, errBodyBudget):
			c.Context().SetConnectionClose()
			c.Set(fiber.HeaderRetryAfter, "1")
			return fiber.NewError(fiber.StatusServiceUnavailable, "the server is receiving too many request bodies at once; retry shortly")
		case err != nil:
			c.Context().SetConnectionClose()
			return fiber.NewError(fiber.StatusBadRequest, "the request body could not be read: "+err.Error())
		}
		c.Request().SetBodyRaw(body)
		c.Locals(localsBody, body)
		return c.Next()
	}
}

// requestBody is the body readBody read. It is the handler's own memory,
// not the server's: it may be kept after the handler returns.
func requestBody(c *fiber.Ctx) []byte {
	b, _ := c.Locals(localsBody).([]byte)
	return b
}

// readLimited reads r to its end into a buffer that grows as bytes arrive,
// each growth reserved first; more than limit bytes is errBodyTooLarge.
func readLimited(r io.Reader, limit int, reserve func(int) bool) ([]byte, error) {
	var buf []byte
	for {
		if len(buf) == cap(buf) {
			size := min(max(2*cap(buf), firstBodyBuffer), limit+1)
			if size <= cap(buf) {
				return nil, errBodyTooLarge
			}
			if !reserve(size - cap(buf)) {
				return nil, errBodyBudget
			}
			grown := make([]byte, len(buf), size)
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if len(buf) > limit {
			return nil, errBodyTooLarge
		}
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// readGzip reads a gzip body, limit and reserve counting its decoded bytes.
func readGzip(r io.Reader, limit int, reserve func(int) bool) ([]byte, error) {
	z, err := gzip.NewReader(r)
	if err != nil {
		return nil, errors.New("not gzip: " + err.Error())
	}
	body, err := readLimited(z, limit, reserve)
	if err != nil {
		return nil, err
	}
	// Whatever follows the gzip stream is discarded, so the connection is
	// ready for its next request.
	if _, err := io.Copy(io.Discard, r); err != nil {
		return nil, err
	}
	return body, nil
}

// drain reads and discards what is left of a refused body, up to
// drainLimit, so a sender still writing it reads the answer instead of a
// reset; if more is left, the connection closes after the answer.
func drain(c *fiber.Ctx, r io.Reader) {
	n, err := io.Copy(io.Discard, io.LimitReader(r, drainLimit+1))
	if err != nil || n > drainLimit {
		c.Context().SetConnectionClose()
	}
}
