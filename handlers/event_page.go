package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/views"
)

// eventShow serves GET /events/<id>: one event's own page, a permalink
// with its metadata, outcome, body and the events next to it, kept live.
func (h *Handler) eventShow(c *fiber.Ctx) error {
	t, err := topicFrom(pageEvent, url.Values{"id": {c.Params("id")}})
	if err != nil {
		return h.htmlError(c, fiber.StatusBadRequest, "That is not an event id.")
	}
	_, err = h.cfg.Store.Event(c.UserContext(), t.Event)
	if errors.Is(err, models.ErrNotFound) {
		return h.htmlError(c, fiber.StatusNotFound, fmt.Sprintf("No event %d in the log: retention may have removed it, or it was never logged.", t.Event))
	}
	var meta views.Meta
	var frags []views.Fragment
	if err == nil {
		meta, frags, err = h.load(c.UserContext(), t)
	}
	if err != nil {
		h.log.Error("page failed", "path", c.Path(), "err", err)
		h.dbUnavailable(c)
		return h.htmlError(c, fiber.StatusServiceUnavailable, "The database is unavailable; this page will work again once it is back.")
	}
	h.pageMeta(c, &meta)
	return render(c, fiber.StatusOK, views.Page(meta, frags))
}

// eventTopic is the topic of an event's page: the event's id, and nothing
// else.
func eventTopic(v url.Values) (topic, error) {
	id, err := strconv.ParseUint(v.Get("id"), 10, 64)
	if err != nil || id == 0 {
		return topic{}, fmt.Errorf("an event's page needs an event id, got %.30q", v.Get("id"))
	}
	return topic{Kind: pageEvent, Page: 1, Event: id}, nil
}

// loadEvent reads what an event's page shows. An event the log no longer
// holds (retention removed it since the page opened) shows as gone.
func (h *Handler) loadEvent(ctx context.Context, t topic, meta views.Meta) (views.Meta, []views.Fragment, error) {
	meta.Title, meta.Nav, meta.Path = "Event "+strconv.FormatUint(t.Event, 10), "/events", ""
	p, err := h.cfg.Store.EventPage(ctx, t.Event)
	if errors.Is(err, models.ErrNotFound) {
		return meta, views.EventFragments(nil, t.Event), nil
	}
	if err != nil {
		return meta, nil, err
	}
	return meta, views.EventFragments(&p, t.Event), nil
}
