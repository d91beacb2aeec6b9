package handlers

import (
	"context"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/views"
)

// pageCharts is the charts page's kind, and its live topic's.
const pageCharts = "charts"

// chartsEvery is how often the feed renders the topics that show charts
// (see topic.showsCharts) again: the charts page and the live-rooms
// board's strip update as minutes pass and events land, at most this
// often, never once per event.
const chartsEvery = 5 * time.Second

// chartsCacheFor is how long a read of the charts' rollups is reused: the
// live-rooms board renders at every change of a room, and its strip must
// neither read the rollups nor change (and be pushed) at each. It is a
// little less than chartsEvery, so each tick of the charts reads them anew.
const chartsCacheFor = chartsEvery - time.Second

// chartsRangeParam reads a page's ?range= into the topic's canonical form:
// "" for the default (the last hour), else a range's name; an unknown range
// is an error naming the known ones.
func chartsRangeParam(raw string) (string, error) {
	r, err := models.ParseChartRange(raw)
	if err != nil || r.Name == models.ChartRanges()[0].Name {
		return "", err
	}
	return r.Name, nil
}

// showsCharts reports whether a page shows charts, which the feed renders
// again every chartsEvery rather than at each change: the charts page, and
// the strip on the live-rooms board's unfiltered first page.
func (t topic) showsCharts() bool {
	return t.Kind == pageCharts || t.Kind == pageRooms && t.Meeting == "" && t.Page == 1
}

// chartCache holds the latest read of each range's rollups.
type chartCache struct {
	mu    sync.Mutex
	reads map[string]chartRead
}

type chartRead struct {
	charts models.Charts
	at     time.Time
}

// charts reads a range's rollups ending now, reusing a read younger than
// chartsCacheFor.
func (h *Handler) charts(ctx context.Context, r models.ChartRange) (models.Charts, error) {
	cc := &h.chartCache
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if got, ok := cc.reads[r.Name]; ok && time.Since(got.at) < chartsCacheFor {
		return got.charts, nil
	}
	now := time.Now()
	c, err := h.cfg.Store.Charts(ctx, r, now)
	if err != nil {
		return c, err
	}
	if cc.reads == nil {
		cc.reads = map[string]chartRead{}
	}
	cc.reads[r.Name] = chartRead{charts: c, at: now}
	return c, nil
}

// loadCharts reads the charts page of a topic.
func (h *Handler) loadCharts(ctx context.Context, t topic, meta views.Meta) (views.Meta, []views.Fragment, error) {
	meta.Title, meta.Path = "Charts", ""
	r, err := models.ParseChartRange(t.Range)
	if err != nil {
		return meta, nil, err
	}
	c, err := h.charts(ctx, r)
	if err != nil {
		return meta, nil, err
	}
	return meta, views.ChartsFragments(c, r), nil
}

// chartStrip is the last hour's charts for the board's strip, nil when the
// page shows none. A strip that cannot be read is left out, and the page
// shown without it.
func (h *Handler) chartStrip(ctx context.Context, t topic) *models.Charts {
	if !t.showsCharts() {
		return nil
	}
	c, err := h.charts(ctx, models.ChartRanges()[0])
	if err != nil {
		h.log.Warn("charts strip failed", "err", err)
		return nil
	}
	return &c
}

// apiCharts serves GET /api/charts?range=hour|day|week: the rollups behind
// the charts, every series with a value per bucket, read afresh once the
// models have taken in the deliveries answered before the request.
func (h *Handler) apiCharts(c *fiber.Ctx) error {
	r, err := models.ParseChartRange(c.Query("range"))
	if err != nil {
		return fail(c, fiber.StatusBadRequest, err.Error())
	}
	behind := h.settle(c)
	charts, err := h.cfg.Store.Charts(c.UserContext(), r, time.Now())
	if err != nil {
		return h.storeError(c, err)
	}
	return c.JSON(struct {
		models.Charts
		Behind *apiBehind `json:"behind,omitempty"`
	}{charts, behind})
}
