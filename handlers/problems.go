package handlers

import (
	"context"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/views"
)

// recentProblems is how far back the problems counted as recent go: the
// problems page's heading and the navigation count them.
const recentProblems = time.Hour

// problemCountCap bounds the count of recent problems: past it the count
// reads "99+", and the query reads no more rows.
const problemCountCap = 99

// problemCountFor is how long the navigation's count is reused: every page
// shows it.
const problemCountFor = 10 * time.Second

// loadProblems reads a page of the problems view: the newest problems
// after the topic's cursor, and how many came in the last hour.
func (h *Handler) loadProblems(ctx context.Context, t topic, meta views.Meta) (views.Meta, []views.Fragment, error) {
	meta.Title = "Problems"
	f := models.ProblemFilter{Prefix: t.Meeting, Limit: pageSize + 1}
	if t.Cursor != "" {
		c, err := models.ParseProblemCursor(t.Cursor)
		if err != nil {
			return meta, nil, err
		}
		f.Before = &c
	}
	rows, err := h.cfg.Store.Problems(ctx, f)
	if err != nil {
		return meta, nil, err
	}
	page := views.ProblemsPage{Filter: t.Meeting, Cursor: t.Cursor, Recent: -1}
	since := time.Now().Add(-recentProblems)
	if t.Cursor == "" {
		// The newest page counts the last hour's problems itself, unless
		// they fill it.
		n := 0
		for n < len(rows) && !rows[n].At.Before(since) {
			n++
		}
		if n < len(rows) || len(rows) < f.Limit {
			page.Recent = n
		}
	}
	rows, page.More = trim(rows)
	if page.Recent < 0 {
		recent, err := h.cfg.Store.Problems(ctx, models.ProblemFilter{Prefix: t.Meeting, Since: since, Limit: problemCountCap + 1})
		if err != nil {
			return meta, nil, err
		}
		page.Recent = len(recent)
	}
	return meta, views.ProblemsFragments(rows, page), nil
}

// apiProblems serves GET /api/problems?meeting=<id or prefix>&before=<cursor>&limit=:
// the newest problems of every kind, newest first, and the cursor of the
// next page in "next" when there is one.
func (h *Handler) apiProblems(c *fiber.Ctx) error {
	q := queryNumbers{c: c}
	f := models.ProblemFilter{Prefix: c.Query("meeting"), Limit: q.get("limit")}
	if q.err != nil {
		return q.fail()
	}
	if b := c.Query("before"); b != "" {
		cur, err := models.ParseProblemCursor(b)
		if err != nil {
			return fail(c, fiber.StatusBadRequest, err.Error())
		}
		f.Before = &cur
	}
	// A full page has a next one, perhaps empty: the store gives at most
	// models.MaxPageSize rows, so a page cannot be read one row over.
	limit := apiLimit(f.Limit)
	f.Limit = limit
	behind := h.settle(c)
	rows, err := h.cfg.Store.Problems(c.UserContext(), f)
	if err != nil {
		return h.storeError(c, err)
	}
	next := ""
	if len(rows) == limit {
		next = rows[limit-1].Cursor().String()
	}
	return c.JSON(struct {
		Problems []models.Problem `json:"problems"`
		Next     string           `json:"next,omitempty"`
		Behind   *apiBehind       `json:"behind,omitempty"`
	}{rows, next, behind})
}

// problemCount is the count of problems in the last hour the navigation
// shows, read at most every problemCountFor; -1 when it cannot be read.
type problemCount struct {
	mu   sync.Mutex
	n    int
	read time.Time
}

// recentProblemCount is how many problems came in the last hour, at most
// problemCountCap + 1 (-1 when unknown).
func (h *Handler) recentProblemCount(ctx context.Context) int {
	pc := &h.problems
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if !pc.read.IsZero() && time.Since(pc.read) < problemCountFor {
		return pc.n
	}
	rows, err := h.cfg.Store.Problems(ctx, models.ProblemFilter{Since: time.Now().Add(-recentProblems), Limit: problemCountCap + 1})
	pc.n, pc.read = len(rows), time.Now()
	if err != nil {
		pc.n = -1
	}
	return pc.n
}
