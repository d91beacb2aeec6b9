package handlers

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/meetboard/meetboard/models"
)

// lagBannerAfter is how far behind the log the models may be before the
// pages say so.
const lagBannerAfter = 5 * time.Second

// lagCacheFor is how long a reading of the projector's lag is reused.
const lagCacheFor = 200 * time.Millisecond

// lagCache is the projector's lag, read at most every lagCacheFor: every
// page render and every metrics scrape asks for it. (A reading reused for
// a whole second made the oldest wait look up to a second longer.)
type lagCache struct {
	mu   sync.Mutex
	lag  models.Lag
	read time.Time
}

// lag is how far the models are behind the event log (zero when it cannot
// be read: the pages then say nothing of it).
func (h *Handler) lag(ctx context.Context) models.Lag {
	h.lagState.mu.Lock()
	defer h.lagState.mu.Unlock()
	if time.Since(h.lagState.read) < lagCacheFor {
		return h.lagState.lag
	}
	lag, err := h.cfg.Store.Lag(ctx)
	if err != nil {
		lag = models.Lag{}
	}
	h.lagState.lag, h.lagState.read = lag, time.Now()
	return lag
}

// projectorGauges registers the projector's lag: events logged and not yet
// applied, and how long the oldest of them has waited.
func (m *metrics) projectorGauges(lag func() models.Lag) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: metricsNamespace,
			Name:      "projector_lag_events",
			Help:      "Deliveries accepted into the event log and not yet applied to the models.",
		}, func() float64 { return float64(lag().Events) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: metricsNamespace,
			Name:      "projector_lag_seconds",
			Help:      "How long the oldest delivery not yet applied to the models has waited.",
		}, func() float64 { return lag().Age(time.Now()).Seconds() }),
	)
}
