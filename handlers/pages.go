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
	meta := views.Meta{Nav: "/" + t.Kind, Filter: t.Meeting, Path: "/" + t.Kind, LiveURL: t.LiveURL()}
	list := models.ListFilter{Prefix: t.Meeting, Limit: pageSize + 1, Offset: (t.Page - 1) * pageSize}
	page := views.ListPage{Path: meta.Path, Filter: t.Meeting, Page: t.Page}
	switch t.Kind {
	case pageRooms:
		meta.Title, meta.Nav, meta.Path = "Live rooms", "/", "/"
		board, err := s.LiveRooms(ctx, t.Meeting, t.Page)
		if err != nil {
			return meta, nil, err
		}
		recent, err := s.RecentSessions(ctx, t.Meeting, 20)
		view := views.ViewCards
		if t.View == views.ViewTable {
			view = views.ViewTable
		}
		return meta, views.RoomsFragments(views.Board{Rooms: board, Recent: recent, Counts: h.fleetCounts(ctx), Filter: t.Meeting, View: view}), err
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
		rows, page.More = trim(rows)
		return meta, views.MeetingsFragments(rows, page), err
	case pageRecordings:
		meta.Title = "Recordings"
		rows, err := s.ListRecordings(ctx, list)
		rows, page.More = trim(rows)
		return meta, views.RecordingsFragments(rows, page), err
	case pageStreams:
		meta.Title = "HLS and livestreams"
		rows, err := s.ListStreams(ctx, list)
		rows, page.More = trim(rows)
		return meta, views.StreamsFragments(rows, page), err
	case pageCalls:
		meta.Title = "Calls"
		rows, err := s.ListCalls(ctx, list)
		rows, page.More = trim(rows)
		return meta, views.CallsFragments(rows, page), err
	case pageEvents:
		meta.Title = "Event log"
		events, err := s.ListEvents(ctx, models.EventFilter{MeetingPrefix: t.Meeting, BeforeID: t.Before, Limit: pageSize + 1})
		var more bool
		events, more = trim(events)
		return meta, views.EventsFragments(events, t.Meeting, t.Before, more), err
	}
	return meta, nil, fmt.Errorf("unknown page %q", t.Kind)
}

// trim drops the extra row a list query fetched to learn whether an older
// page exists.
func trim[T any](rows []T) ([]T, bool) {
	if len(rows) > pageSize {
		return rows[:pageSize], true
	}
	return rows, false
}
