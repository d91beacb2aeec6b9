package handlers

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/views"
)

// searchShow serves GET /search?q=: meetings and participants found by
// any part of an id or name (see models.Store.Search). The page is not
// live: a search is run when it is asked for.
func (h *Handler) searchShow(c *fiber.Ctx) error {
	q := c.Query("q")
	meta := views.Meta{Title: "Search", Query: q}
	h.pageMeta(c, &meta)
	page := views.SearchPage{Query: q}
	status := fiber.StatusOK
	if q != "" {
		r, err := h.cfg.Store.Search(c.UserContext(), q, 0)
		switch {
		case errors.Is(err, models.ErrBadSearch), errors.Is(err, models.ErrSearchTimeout):
			status, page.Problem = fiber.StatusBadRequest, sentence(searchProblem(err))
		case err != nil:
			h.log.Error("search failed", "err", err)
			h.dbUnavailable(c)
			return h.htmlError(c, fiber.StatusServiceUnavailable, "The database is unavailable; search will work again once it is back.")
		default:
			page.Results = &r
		}
	}
	return render(c, status, views.Page(meta, views.SearchFragments(page)))
}

// apiSearch serves GET /api/search?q=&limit=: what the search page shows,
// as JSON.
func (h *Handler) apiSearch(c *fiber.Ctx) error {
	q := queryNumbers{c: c}
	limit := q.get("limit")
	if q.err != nil {
		return q.fail()
	}
	behind := h.settle(c)
	r, err := h.cfg.Store.Search(c.UserContext(), c.Query("q"), limit)
	if errors.Is(err, models.ErrBadSearch) || errors.Is(err, models.ErrSearchTimeout) {
		return fail(c, fiber.StatusBadRequest, searchProblem(err))
	}
	if err != nil {
		return h.storeError(c, err)
	}
	return c.JSON(struct {
		models.SearchResults
		Behind *apiBehind `json:"behind,omitempty"`
	}{r, behind})
}

// searchProblem is what a refused search says: ErrBadSearch's reason
// without its prefix.
func searchProblem(err error) string {
	msg, _ := strings.CutPrefix(err.Error(), models.ErrBadSearch.Error()+": ")
	return msg
}

// sentence starts a message with a capital and ends it with a full stop,
// for a page.
func sentence(msg string) string {
	r, n := utf8.DecodeRuneInString(msg)
	if n == 0 {
		return msg
	}
	return string(unicode.ToUpper(r)) + strings.TrimSuffix(msg[n:], ".") + "."
}
