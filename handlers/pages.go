package handlers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/views"
)

// pageSize is how many rows a list page shows.
const pageSize = 50

// meetingPageRows is how many of each kind of row (sessions, participants,
// recordings...) a meeting's page shows, the newest: every event of the
// meeting renders the page again for those watching it.
const meetingPageRows = 100

// load reads what the page of topic t shows and lays it out as fragments.
// Pages and the live feed both call it, so a pushed fragment is exactly what
// a reload would show.
func (h *Handler) load(ctx context.Context, t topic) (views.Meta, []views.Fragment, error) {
	meta, frags, err := h.loadPage(ctx, t)
	if err != nil {
		return meta, frags, err
	}
	lag := views.LagFragment(h.lag(ctx), time.Now(), lagBannerAfter)
	return meta, append([]views.Fragment{lag}, frags...), nil
}

// loadPage reads what the page of topic t shows, under the lag banner.
func (h *Handler) loadPage(ctx context.Context, t topic) (views.Meta, []views.Fragment, error) {
	s := h.cfg.Store
	meta := views.Meta{Nav: "/" + t.Kind, Filter: t.Meeting, Path: "/" + t.Kind, LiveURL: t.LiveURL(),
		Status: t.Status, Statuses: listStatuses(t.Kind)}
	list := models.ListFilter{Prefix: t.Meeting, Status: t.Status, Limit: pageSize + 1, Offset: (t.Page - 1) * pageSize}
	page := views.ListPage{Path: meta.Path, Filter: t.Meeting, Status: t.Status, Page: t.Page}
	switch t.Kind {
	case pageRooms:
		meta.Title, meta.Nav, meta.Path = "Live rooms", "/", "/"
		board, err := s.LiveRooms(ctx, t.Meeting, t.Page)
		if err != nil {
			return meta, nil, err
		}
		recent, err := s.RecentSessions(ctx, t.Meeting, 20)
		if err != nil {
			return meta, nil, err
		}
		b := views.Board{Rooms: board, Recent: recent, Counts: h.fleetCounts(ctx), Charts: h.chartStrip(ctx, t), Filter: t.Meeting, View: views.ViewCards}
		if t.View == views.ViewTable {
			b.View = views.ViewTable
		}
		if b.HiddenLive, err = h.hidden(ctx, t, board.Live == 0, models.CountedLiveRooms); err != nil {
			return meta, nil, err
		}
		b.HiddenRecent, err = h.hidden(ctx, t, len(recent) == 0, models.CountedEndedSessions)
		return meta, views.RoomsFragments(b), err
	case pageMeeting:
		meta.Title, meta.Nav, meta.Path, meta.Filter = "Meeting "+t.Meeting, "/meetings", "", ""
		d, err := s.MeetingDetail(ctx, "", t.Meeting, meetingPageRows)
		if errors.Is(err, models.ErrNotFound) {
			// Shown empty and live: it fills in when the meeting's first
			// event arrives.
			empty := &models.MeetingDetail{Meeting: models.Meeting{MeetingID: t.Meeting}}
			return meta, views.MeetingFragments(empty, nil), nil
		}
		if err != nil {
			return meta, nil, err
		}
		events, err := s.ListEvents(ctx, models.EventFilter{Meeting: t.Meeting, Limit: 100})
		return meta, views.MeetingFragments(d, events), err
	case pageMeetings:
		meta.Title = "Meetings"
		rows, err := s.ListMeetings(ctx, list)
		if err != nil {
			return meta, nil, err
		}
		rows, page.More = trim(rows)
		page.Hidden, err = h.hidden(ctx, t, len(rows) == 0, models.CountedMeetings)
		return meta, views.MeetingsFragments(rows, page), err
	case pageRecordings:
		meta.Title = "Recordings"
		rows, err := s.ListRecordings(ctx, list)
		if err != nil {
			return meta, nil, err
		}
		rows, page.More = trim(rows)
		page.Hidden, err = h.hidden(ctx, t, len(rows) == 0, models.CountedRecordings)
		return meta, views.RecordingsFragments(rows, page), err
	case pageStreams:
		meta.Title = "HLS and livestreams"
		rows, err := s.ListStreams(ctx, list)
		if err != nil {
			return meta, nil, err
		}
		rows, page.More = trim(rows)
		page.Hidden, err = h.hidden(ctx, t, len(rows) == 0, models.CountedStreams)
		return meta, views.StreamsFragments(rows, page), err
	case pageCalls:
		meta.Title = "Calls"
		rows, err := s.ListCalls(ctx, list)
		if err != nil {
			return meta, nil, err
		}
		rows, page.More = trim(rows)
		page.Hidden, err = h.hidden(ctx, t, len(rows) == 0, models.CountedCalls)
		return meta, views.CallsFragments(rows, page), err
	case pageProblems:
		return h.loadProblems(ctx, t, meta)
	case pageAlerts:
		return h.loadAlerts(ctx, t, meta)
	case pageProviders, pageProvider:
		return h.loadProviderHealth(ctx, t, meta)
	case pageCharts:
		return h.loadCharts(ctx, t, meta)
	case pageEvent:
		return h.loadEvent(ctx, t, meta)
	case pageEvents:
		meta.Title = "Event log"
		p := views.EventsPage{Filter: t.Log.form(t.Meeting), Before: t.Before}
		meta.FilterForm = views.EventFilterForm(p.Filter)
		events, err := s.ListEvents(ctx, t.Log.apply(models.EventFilter{MeetingPrefix: t.Meeting, BeforeID: t.Before, Limit: pageSize + 1}))
		if err != nil {
			return meta, nil, err
		}
		events, p.More = trim(events)
		p.Hidden, err = h.hidden(ctx, t, len(events) == 0, models.CountedEvents)
		return meta, views.EventsFragments(events, p), err
	}
	return meta, nil, fmt.Errorf("unknown page %q", t.Kind)
}

// hidden counts the rows a filter leaves out of a list whose first page it
// left empty, for the empty state to say so; 0 when the list is not
// filtered, not empty, or paged past its first page.
func (h *Handler) hidden(ctx context.Context, t topic, empty bool, list models.Counted) (int, error) {
	if !empty || (t.Meeting == "" && t.Log.zero()) || t.Page > 1 || t.Before > 0 {
		return 0, nil
	}
	return h.cfg.Store.CountAll(ctx, list)
}

// trim drops the extra row a list query fetched to learn whether an older
// page exists.
func trim[T any](rows []T) ([]T, bool) {
	if len(rows) > pageSize {
		return rows[:pageSize], true
	}
	return rows, false
}
