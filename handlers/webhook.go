package handlers

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/meetboard/meetboard/handlers/webhooks"
	"github.com/meetboard/meetboard/models"
)

// webhookAnswer is the body of a 2xx webhook answer.
type webhookAnswer struct {
	EventID uint64 `json:"eventId"`
	Outcome string `json:"outcome"`
	Repeat  bool   `json:"repeat,omitempty"`
}

// webhookSource is one provider's endpoint: its registry entry and, when
// its secret is configured, the check every delivery must pass.
type webhookSource struct {
	webhooks.Provider
	// verify checks the signature or token; nil when none is configured.
	verify webhooks.Verifier
}

// webhookSources pairs each provider with its configured verifier. A
// verifier for a provider not in the list is a wiring mistake that would
// leave deliveries unverified unnoticed, so it panics, as a list that
// fails webhooks.Validate does.
func webhookSources(list []webhooks.Provider, verifiers map[string]webhooks.Verifier) []webhookSource {
	if err := webhooks.Validate(list); err != nil {
		panic("handlers: webhook providers: " + err.Error())
	}
	for name := range verifiers {
		if _, ok := webhooks.Find(list, name); !ok {
			panic("handlers: a webhook verifier for provider " + strconv.Quote(name) + ", which is not among the providers")
		}
	}
	sources := make([]webhookSource, len(list))
	for i, p := range list {
		sources[i] = webhookSource{Provider: p, verify: verifiers[p.Name]}
	}
	return sources
}

// webhook receives one provider's deliveries: verify the signature on the
// raw bytes, decode, commit the event log row, and only then answer 2xx.
// The projector applies it to the models behind the answer.
func (h *Handler) webhook(src webhookSource) fiber.Handler {
	isTest := func(body []byte) bool { return src.IsTest != nil && src.IsTest(body) }
	return func(c *fiber.Ctx) error {
		received := time.Now().UTC()
		// readBody's buffer, not Fiber's reused memory: the store keeps it.
		body := requestBody(c)
		if src.verify != nil {
			if err := src.verify(body, func(name string) string { return c.Get(name) }, received); err != nil {
				if isTest(body) {
					return c.JSON(fiber.Map{"status": "ok"})
				}
				return h.refuse(c, src.Name, received, models.RefusedSignature, err.Error(), body)
			}
		}
		ev, err := src.Decode(body)
		if err != nil {
			if isTest(body) {
				return c.JSON(fiber.Map{"status": "ok"})
			}
			// The decoder's message may quote the body, so it goes to the
			// sender only.
			return h.refuse(c, src.Name, received, models.RefusedMalformed, err.Error(), body)
		}
		return h.ingest(c, models.Delivery{Provider: src.Name, Body: body, ReceivedAt: received, Event: ev})
	}
}

// ingest writes a decoded delivery to the event log and answers the
// provider: 200 accepted once its row is committed, 503 (retry later) when
// the database cannot take it.
func (h *Handler) ingest(c *fiber.Ctx, d models.Delivery) error {
	ctx, cancel := context.WithTimeout(context.Background(), h.cfg.IngestTimeout)
	defer cancel()
	res, err := h.cfg.Store.Ingest(ctx, d)
	took := time.Since(d.ReceivedAt)
	if err != nil {
		msg := "database unavailable, retry later"
		if errors.Is(err, models.ErrClosed) {
			msg = "server shutting down, retry later"
			c.Set(fiber.HeaderRetryAfter, "5")
		} else {
			h.dbUnavailable(c)
		}
		h.recordWebhook(h.log.With("err", err), d.Provider, d.Event, outcomeUnavailable, fiber.StatusServiceUnavailable, 0, took)
		h.recordRefusal(c, d.Provider, models.RefusedUnavailable, fiber.StatusServiceUnavailable, msg, d.Body, d.ReceivedAt)
		return fail(c, fiber.StatusServiceUnavailable, msg)
	}
	h.recordWebhook(h.log, d.Provider, d.Event, res.Outcome, fiber.StatusOK, res.EventID, took)
	return c.JSON(webhookAnswer{EventID: res.EventID, Outcome: res.Outcome, Repeat: res.Repeat})
}

// recordWebhook counts a webhook answer in the metrics and logs it. ev
// carries the type and meeting once the body is decoded; took < 0 means the
// duration is unknown.
func (h *Handler) recordWebhook(log *slog.Logger, provider string, ev models.Event, outcome string, status int, eventID uint64, took time.Duration) {
	h.metrics.webhook(provider, ev.Type, outcome, took)
	logWebhook(log, provider, ev.Type, ev.MeetingID, outcome, status, eventID, max(took, 0))
}

// refuse answers a delivery that failed verification (401) or decoding
// (400), and counts the failure against its source address: past the
// address's failure limit it is answered 429 instead, and logged only
// once a window (see failureLimit). Either way the refusal is recorded
// for the provider health pages, without waiting for the database.
func (h *Handler) refuse(c *fiber.Ctx, provider string, received time.Time, kind, reason string, body []byte) error {
	addr := clientAddr(c)
	over, first, retry := h.failures.fail(addr, received)
	if over {
		h.recordRefusal(c, provider, models.RefusedRateLimited, fiber.StatusTooManyRequests, reason, body, received)
		h.metrics.webhook(provider, "", outcomeRateLimited, time.Since(received))
		if first {
			h.log.Warn("webhook failures over the limit: further failures from this address are answered 429 and not logged until the window ends",
				"provider", provider, "ip", addr, "limit_per_minute", h.failures.perMinute, "until", retry)
		}
		wait := retryAfter(time.Until(retry))
		c.Set(fiber.HeaderRetryAfter, wait)
		return fail(c, fiber.StatusTooManyRequests, "too many failed deliveries from "+addr+" ("+reason+"); retry after "+wait+" s")
	}
	status := refusalStatus(kind)
	h.recordRefusal(c, provider, kind, status, reason, body, received)
	log := h.log
	if status == fiber.StatusUnauthorized {
		log = log.With("reason", reason, "ip", addr)
	}
	h.recordWebhook(log, provider, models.Event{}, refusalOutcome(kind), status, 0, time.Since(received))
	return fail(c, status, reason)
}
