package handlers

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/meetboard/meetboard/handlers/webhooks"
	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/views"
)

// providerHealthJSON is one provider's health in the API. Every figure
// but instance comes from the database, shared by all instances.
type providerHealthJSON struct {
	Provider     string                  `json:"provider"`
	Display      string                  `json:"display"`
	LastReceived *time.Time              `json:"lastReceived"`
	LastAccepted *time.Time              `json:"lastAccepted"`
	LastRefused  *time.Time              `json:"lastRefused"`
	PerMinute    []models.DeliveryMinute `json:"perMinute"`
	LastHour     healthWindowJSON        `json:"lastHour"`
	LastDay      healthWindowJSON        `json:"last24h"`
	Refusals     []refusalJSON           `json:"refusals"`
}

// healthWindowJSON counts a window's deliveries: accepted and refused, by
// outcome (as /metrics names them) and refusals by reason.
type healthWindowJSON struct {
	Accepted int64            `json:"accepted"`
	Refused  int64            `json:"refused"`
	Outcomes map[string]int64 `json:"outcomes"`
	Reasons  map[string]int64 `json:"reasons"`
}

// refusalJSON is a refusal kept whole, its excerpt as text (see
// models.Refusal.ExcerptText).
type refusalJSON struct {
	models.Refusal
	Excerpt    string `json:"excerpt"`
	ExcerptCut bool   `json:"excerptCut"`
}

// refusalsInstanceJSON is what became of this instance's refusals: its
// own figures, not shared.
type refusalsInstanceJSON struct {
	Recorded uint64 `json:"refusalsRecorded"`
	Written  uint64 `json:"refusalsWritten"`
	Dropped  uint64 `json:"refusalsDropped"`
	Held     int    `json:"refusalsHeld"`
}

func instanceJSON(st models.RefusalStats) refusalsInstanceJSON {
	return refusalsInstanceJSON{Recorded: st.Recorded, Written: st.Written, Dropped: st.Dropped, Held: st.Held}
}

func healthJSON(p views.ProviderHealth) providerHealthJSON {
	window := func(hour bool) healthWindowJSON {
		c := p.LastDay
		if hour {
			c = p.LastHour
		}
		w := healthWindowJSON{Accepted: c.Accepted, Refused: c.Refused, Outcomes: map[string]int64{}, Reasons: map[string]int64{}}
		for _, o := range p.Outcomes {
			w.Outcomes[o.Name] = pick(hour, o.Hour, o.Day)
		}
		for _, r := range p.Reasons {
			w.Reasons[r.Name] = pick(hour, r.Hour, r.Day)
		}
		return w
	}
	refusals := make([]refusalJSON, len(p.Refusals))
	for i, r := range p.Refusals {
		refusals[i] = refusalJSON{Refusal: r, Excerpt: r.ExcerptText(), ExcerptCut: r.ExcerptCut()}
	}
	return providerHealthJSON{Provider: p.Provider, Display: p.Display, LastReceived: p.LastReceived(),
		LastAccepted: p.LastAccepted, LastRefused: p.LastRefused, PerMinute: p.PerMinute,
		LastHour: window(true), LastDay: window(false), Refusals: refusals}
}

func pick(first bool, a, b int64) int64 {
	if first {
		return a
	}
	return b
}

// apiProvidersList serves GET /api/providers: every provider's health,
// each with its newest refusals kept whole.
func (h *Handler) apiProvidersList(c *fiber.Ctx) error {
	list, err := h.providerHealth(c.UserContext(), h.cfg.Providers, providersRefusals)
	if err != nil {
		return h.storeError(c, err)
	}
	out := make([]providerHealthJSON, len(list))
	for i, p := range list {
		out[i] = healthJSON(p)
	}
	return c.JSON(struct {
		Providers []providerHealthJSON `json:"providers"`
		Instance  refusalsInstanceJSON `json:"instance"`
	}{out, instanceJSON(h.cfg.Store.RefusalStats())})
}

// apiProviderShow serves GET /api/providers/<name>: one provider's health,
// with its newest refusals kept whole.
func (h *Handler) apiProviderShow(c *fiber.Ctx) error {
	name := strings.ToLower(c.Params("name"))
	p, ok := webhooks.Find(h.cfg.Providers, name)
	if !ok {
		return fail(c, fiber.StatusNotFound, "no provider "+name)
	}
	list, err := h.providerHealth(c.UserContext(), []webhooks.Provider{p}, providerRefusals)
	if err != nil {
		return h.storeError(c, err)
	}
	return c.JSON(struct {
		providerHealthJSON
		Instance refusalsInstanceJSON `json:"instance"`
	}{healthJSON(list[0]), instanceJSON(h.cfg.Store.RefusalStats())})
}
