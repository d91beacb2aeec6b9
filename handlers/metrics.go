package handlers

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/meetboard/meetboard/handlers/webhooks"
	"github.com/meetboard/meetboard/live"
	"github.com/meetboard/meetboard/models"
)

const (
	metricsNamespace = "meetboard"

	// maxTypeLabels is how many distinct event types each provider may
	// have as a label value; later new types are counted as typeOther.
	maxTypeLabels = 200
	// maxTypeLabelLen is the longest type kept as a label value, in bytes.
	maxTypeLabelLen = 64

	// typeOther labels event types past the cap, too long, or not UTF-8.
	typeOther = "other"
	// typeUnknown labels deliveries whose type was never read (rejected
	// before decoding, malformed, too large).
	typeUnknown = "unknown"
	// outcomeOther labels an outcome outside the known set (a bug).
	outcomeOther = "other"
)

// Outcomes of a non-2xx answer; the 2xx ones are the store's
// (models.OutcomeApplied and the rest).
const (
	outcomeRejected    = "rejected"     // 401: signature or token wrong or missing
	outcomeMalformed   = "malformed"    // 400 (and any other 4xx): not decodable
	outcomeTooLarge    = "too-large"    // 413: body over the limit
	outcomeRateLimited = "rate-limited" // 429: the webhook limiter refused it
	outcomeUnavailable = "unavailable"  // 503 (and any other 5xx): not stored, retry
)

// knownOutcomes bounds the outcome label.
var knownOutcomes = map[string]string{
	models.OutcomeAccepted:  models.OutcomeAccepted,
	models.OutcomeApplied:   models.OutcomeApplied,
	models.OutcomeNoChange:  models.OutcomeNoChange,
	models.OutcomeStored:    models.OutcomeStored,
	models.OutcomeDuplicate: models.OutcomeDuplicate,
	models.OutcomeError:     models.OutcomeError,
	outcomeRejected:         outcomeRejected,
	outcomeMalformed:        outcomeMalformed,
	outcomeTooLarge:         outcomeTooLarge,
	outcomeRateLimited:      outcomeRateLimited,
	outcomeUnavailable:      outcomeUnavailable,
}

// webhookDurationBuckets span 0.5 ms (a rejected delivery) to 10 s (the
// default ingest timeout), roughly ×2–2.5 apart.
var webhookDurationBuckets = []float64{
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
}

// metrics holds the dashboard's Prometheus collectors in its own registry
// (no global default registry).
type metrics struct {
	reg      *prometheus.Registry
	webhooks *prometheus.CounterVec
	duration *prometheus.HistogramVec
	dbErrors prometheus.Counter
	http     http.Handler

	mu        sync.Mutex
	providers map[string]*providerLabels // guarded by mu
}

// providerLabels are the label values of one provider seen so far. They
// are private copies, and the registry is given only those: a caller's
// string may point into memory Fiber reuses, and the registry keeps the
// label values of every series it creates.
type providerLabels struct {
	name  string
	types map[string]string // type → its copy; at most maxTypeLabels
}

// newMetrics builds the registry. hubStats and dbStats are read at scrape
// time; either may be nil, and its series are then left out.
func newMetrics(hubStats func() live.Stats, dbStats func() sql.DBStats) *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{
		reg: reg,
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace,
			Name:      "webhooks_total",
			Help:      "Webhook deliveries answered, by provider, event type and outcome.",
		}, []string{"provider", "type", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: metricsNamespace,
			Name:      "webhook_duration_seconds",
			Help:      "Time from receiving a webhook delivery to answering it.",
			Buckets:   webhookDurationBuckets,
		}, []string{"provider"}),
		dbErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: metricsNamespace,
			Name:      "db_errors_total",
			Help:      "Database errors seen by the handlers (failed ingests and queries).",
		}),
		providers: make(map[string]*providerLabels),
	}
	reg.MustRegister(m.webhooks, m.duration, m.dbErrors,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	if hubStats != nil {
		reg.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Namespace: metricsNamespace,
				Name:      "websocket_clients",
				Help:      "Live websocket subscribers connected now.",
			}, func() float64 { return float64(hubStats().Subscribers) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Namespace: metricsNamespace,
				Name:      "live_topics",
				Help:      "Distinct pages watched live now; each is rendered again at every change that can affect it.",
			}, func() float64 { return float64(hubStats().Topics) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Namespace: metricsNamespace,
				Name:      "live_messages_sent_total",
				Help:      "Messages written to live websockets, snapshots included.",
			}, func() float64 { return float64(hubStats().Sent) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Namespace: metricsNamespace,
				Name:      "live_clients_dropped_total",
				Help:      "Live websocket subscribers closed with 1013 because they could not keep up.",
			}, func() float64 { return float64(hubStats().Dropped) }),
		)
	}
	if dbStats != nil {
		reg.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Namespace: metricsNamespace,
				Name:      "db_open_connections",
				Help:      "Open database connections, in use or idle.",
			}, func() float64 { return float64(dbStats().OpenConnections) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Namespace: metricsNamespace,
				Name:      "db_in_use_connections",
				Help:      "Database connections in use now.",
			}, func() float64 { return float64(dbStats().InUse) }),
		)
	}

	m.http = promhttp.InstrumentMetricHandler(reg, promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		// A failing collector (the process one, say) leaves its series
		// out instead of failing the whole scrape; failures are counted
		// in promhttp_metric_handler_errors_total.
		ErrorHandling:       promhttp.ContinueOnError,
		Registry:            reg,
		MaxRequestsInFlight: 4,
	}))
	return m
}

// webhook records one delivery: provider, event type (bounded: at most 200
// distinct type labels per provider, then "other"; types longer than 64
// bytes are "other"), outcome (applied|no-change|stored|duplicate|error, or
// rejected|malformed|too-large|rate-limited|unavailable for non-2xx
// answers), and the time from receipt to answer. An empty type (not read
// yet) is "unknown"; an outcome outside that list is "other". A negative d
// means the receipt time is unknown (a 413 answered by the error handler:
// fasthttp sets no request time when reading the body fails): the delivery
// is counted but not timed. Safe for concurrent use, and a no-op on a nil
// *metrics.
func (m *metrics) webhook(provider, typ, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	provider, typ = m.labels(provider, typ)
	out, ok := knownOutcomes[outcome]
	if !ok {
		out = outcomeOther
	}
	m.webhooks.WithLabelValues(provider, typ, out).Inc()
	if d >= 0 {
		m.duration.WithLabelValues(provider).Observe(d.Seconds())
	}
}

// labels returns the provider and type label values for a delivery, as
// private copies, applying the type cap.
func (m *metrics) labels(provider, typ string) (string, string) {
	if !utf8.ValidString(provider) {
		provider = strings.ToValidUTF8(provider, "\uFFFD")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.providers[provider]
	if p == nil {
		p = &providerLabels{name: strings.Clone(provider), types: make(map[string]string)}
		m.providers[p.name] = p
	}
	switch {
	case typ == "":
		return p.name, typeUnknown
	case typ == typeOther:
		return p.name, typeOther
	case typ == typeUnknown:
		return p.name, typeUnknown
	case len(typ) > maxTypeLabelLen || !utf8.ValidString(typ):
		return p.name, typeOther
	}
	if t, ok := p.types[typ]; ok {
		return p.name, t
	}
	if len(p.types) >= maxTypeLabels {
		return p.name, typeOther
	}
	t := strings.Clone(typ)
	p.types[t] = t
	return p.name, t
}

// dbUnavailable notes that the database failed behind an answer: it is
// counted in /metrics, and the client is told to retry in 5 s.
func (h *Handler) dbUnavailable(c *fiber.Ctx) {
	h.metrics.dbError()
	c.Set(fiber.HeaderRetryAfter, "5")
}

// dbError counts a database error seen by a handler (ingest failure, query
// failure). A no-op on a nil *metrics.
func (m *metrics) dbError() {
	if m == nil {
		return
	}
	m.dbErrors.Inc()
}

// handler serves GET /metrics in the Prometheus text format (gzip when
// the scraper asks for it).
func (m *metrics) handler() fiber.Handler {
	return adaptor.HTTPHandler(m.http)
}

// webhookProvider names the provider of providers a request path is the
// webhook URL of ("" when it is none), for answers given outside the
// webhook handlers: a body over the limit is answered 413 by the error
// handler, before any route runs. Like the router, it ignores case and a
// trailing slash. Only these names become provider labels, so a path
// cannot add series.
func webhookProvider(path string, providers []webhooks.Provider) string {
	name, ok := strings.CutPrefix(strings.ToLower(strings.TrimSuffix(path, "/")), webhooks.PathPrefix)
	if !ok {
		return ""
	}
	if p, ok := webhooks.Find(providers, name); ok {
		return p.Name
	}
	return ""
}

// maxLogField is the longest type or meeting id logged, in bytes; they come
// from the (possibly unverified) body.
const maxLogField = 200

// logWebhook writes one line per delivery: provider, type, meeting id,
// outcome, status, duration and event id — never the body or any header
// value. The level is Info for 2xx, Warn for 4xx, Error for 5xx. eventId 0
// means the delivery was not stored.
func logWebhook(log *slog.Logger, provider, typ, meeting, outcome string, status int, eventID uint64, d time.Duration) {
	if log == nil {
		log = slog.Default()
	}
	level := slog.LevelInfo
	switch {
	case status >= 500:
		level = slog.LevelError
	case status >= 400:
		level = slog.LevelWarn
	}
	ctx := context.Background()
	if !log.Enabled(ctx, level) {
		return
	}
	log.LogAttrs(ctx, level, "webhook",
		slog.String("provider", provider),
		slog.String("type", clipLog(typ)),
		slog.String("meeting", clipLog(meeting)),
		slog.String("outcome", outcome),
		slog.Int("status", status),
		slog.Duration("duration", d),
		slog.Uint64("eventId", eventID),
	)
}

// clipLog shortens s to at most maxLogField bytes (plus "…") on a rune
// boundary.
func clipLog(s string) string {
	if len(s) <= maxLogField {
		return s
	}
	cut := maxLogField
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
