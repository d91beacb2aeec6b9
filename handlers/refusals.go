package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/meetboard/meetboard/models"
)

// recordRefusal records a refused delivery for the provider health pages
// (see models.Store.RecordRefusal, which never waits for the database):
// its kind and status, the reason it was told, its source address and the
// start of body (nil when the body was not read). received is when it
// arrived; zero means now.
func (h *Handler) recordRefusal(c *fiber.Ctx, provider, kind string, status int, reason string, body []byte, received time.Time) {
	h.cfg.Store.RecordRefusal(models.Refusal{Provider: provider, Kind: kind, Status: status, Reason: reason,
		Source: clientAddr(c), ReceivedAt: received, BodySize: -1}, body)
}

// bodyRefusal is the refusal kind of an answer readBody gave a webhook, ""
// for one that is no delivery's.
func bodyRefusal(status int) string {
	switch status {
	case fiber.StatusRequestEntityTooLarge:
		return models.RefusedTooLarge
	case fiber.StatusUnsupportedMediaType:
		return models.RefusedEncoding
	case fiber.StatusBadRequest:
		return models.RefusedMalformed
	case fiber.StatusServiceUnavailable:
		return models.RefusedBusy
	}
	return ""
}

// refusalGauges registers what became of this instance's refusals.
func (m *metrics) refusalGauges(stats func() models.RefusalStats) {
	m.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Namespace: metricsNamespace,
			Name:      "refusals_dropped_total",
			Help:      "Refused deliveries this instance could not record for the provider health page: more waited than it holds in memory, or the database did not take them.",
		}, func() float64 { return float64(stats().Dropped) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: metricsNamespace,
			Name:      "refusals_held",
			Help:      "Rows of refused deliveries (kept whole, and counts) held in memory until they are written.",
		}, func() float64 { return float64(stats().Held) }),
	)
}
