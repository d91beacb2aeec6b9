package handlers

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/meetboard/meetboard/models"
)

// listExports are the lists that export as CSV, by page kind: each is
// served at /<kind>.csv with its page's query (meeting and status filters;
// the page and the event log's place are dropped, since an export holds
// every row the filters select).
func listExports() map[string]listExport {
	return map[string]listExport{
		pageMeetings:   {meetingColumns, exportMeetings},
		pageRecordings: {recordingColumns, exportRecordings},
		pageStreams:    {streamColumns, exportStreams},
		pageCalls:      {callColumns, exportCalls},
		pageEvents:     {eventColumns, exportEvents},
		pageProblems:   {problemColumns, exportProblems},
	}
}

// listExport is how one list exports: its header row, and what writes its
// rows, every one the topic's filters select. base is the dashboard's URL,
// which the rows' links start with.
type listExport struct {
	header []string
	rows   func(ctx context.Context, s *models.Store, t topic, base string, out *csvOut) error
}

// exportLink is the CSV export of the list a page of kind shows, with the
// page's query but its place in the list; "" for a page with no export.
func exportLink(kind string, query map[string]string) string {
	if _, ok := listExports()[kind]; !ok {
		return ""
	}
	v := url.Values{}
	for k, val := range query {
		if k != "page" && k != "before" && val != "" {
			v.Set(k, val)
		}
	}
	if len(v) == 0 {
		return "/" + kind + ".csv"
	}
	return "/" + kind + ".csv?" + v.Encode()
}

// listCSV serves GET /<kind>.csv: the whole list as the page's filters
// select it, newest first by when each row was first stored.
func (x *exporter) listCSV(kind string) fiber.Handler {
	ex := listExports()[kind]
	return func(c *fiber.Ctx) error {
		v := url.Values{}
		for k, val := range c.Queries() {
			v.Set(strings.Clone(k), strings.Clone(val))
		}
		t, err := topicFrom(kind, v)
		if err != nil {
			return fail(c, fiber.StatusBadRequest, err.Error())
		}
		x.h.settle(c)
		base, s := x.base(c), x.h.cfg.Store
		return x.stream(c, "text/csv; charset=utf-8; header=present", kind+".csv", func(ctx context.Context, w *exportWriter) error {
			out, err := newCSV(w, ex.header...)
			if err != nil {
				return errClientGone
			}
			return ex.rows(ctx, s, t, base, out)
		})
	}
}

// base is the dashboard's URL, which exported links start with: the
// public URL when set, else the one the request came to.
func (x *exporter) base(c *fiber.Ctx) string {
	if x.h.public.origin != "" {
		return x.h.public.origin
	}
	return strings.Clone(c.BaseURL())
}

// meetingURL is the dashboard page of a meeting, "" for none.
func meetingURL(base, id string) string {
	if id == "" {
		return ""
	}
	return base + "/meetings/" + url.PathEscape(id)
}

// listWalk reads every row of a list of meetings, recordings, streams or
// calls that the topic's filters select, by when each was first stored.
func listWalk[T interface{ Cursor() models.ListCursor }](ctx context.Context, t topic, out *csvOut,
	read func(context.Context, models.ListFilter) ([]T, error), cells func(T) []string) error {
	f := models.ListFilter{Prefix: t.Meeting, Status: t.Status, Limit: exportPageRows, BySeen: true}
	return walk(ctx, func(ctx context.Context) ([]T, error) { return read(ctx, f) }, f.Limit,
		func(last T) { c := last.Cursor(); f.Before = &c },
		func(r T) error { return out.row(cells(r)...) }, out.flush)
}

var meetingColumns = []string{"meeting_id", "provider", "live", "live_sessions", "in_room", "first_seen_utc", "last_event_utc", "join_url", "page_url"}

func exportMeetings(ctx context.Context, s *models.Store, t topic, base string, out *csvOut) error {
	return listWalk(ctx, t, out, s.ListMeetings, func(m models.MeetingSummary) []string {
		live, ids := "no", make([]string, len(m.LiveSessions))
		for i, sess := range m.LiveSessions {
			ids[i] = sess.SessionID
		}
		if len(ids) > 0 {
			live = "yes"
		}
		return []string{m.MeetingID, m.Provider, live, strings.Join(ids, " "), strconv.Itoa(m.Present),
			utc(&m.FirstSeenAt), utc(&m.LastEventAt), m.URL, meetingURL(base, m.MeetingID)}
	})
}

var recordingColumns = []string{"meeting_id", "provider", "session_id", "kind", "recording_id", "participant_id", "track",
	"status", "message", "starting_utc", "started_utc", "stopping_utc", "ended_utc",
	"file_urls", "file_paths", "key_url", "meta_url", "first_seen_utc", "updated_utc", "page_url"}

func exportRecordings(ctx context.Context, s *models.Store, t topic, base string, out *csvOut) error {
	return listWalk(ctx, t, out, s.ListRecordings, func(r models.RecordingRow) []string {
		var urls, paths []string
		for _, f := range r.Files {
			if f.URL != "" {
				urls = append(urls, f.URL)
			}
			if f.Path != "" {
				paths = append(paths, strings.TrimPrefix(f.Bucket+"/"+strings.TrimPrefix(f.Path, "/"), "/"))
			}
		}
		l := r.Lifecycle
		return []string{r.MeetingID, r.Provider, r.SessionID, string(r.Kind), r.ExternalID, r.ParticipantID, r.TrackKind,
			string(l.Status), l.Message, utc(l.StartingAt), utc(l.StartedAt), utc(l.StoppingAt), utc(l.EndedAt),
			strings.Join(urls, " "), strings.Join(paths, " "), r.KeyURL, r.MetaURL,
			utc(&r.FirstSeenAt), utc(&r.UpdatedAt), meetingURL(base, r.MeetingID)}
	})
}

var streamColumns = []string{"meeting_id", "provider", "session_id", "kind", "stream_id", "status", "message",
	"starting_utc", "started_utc", "playable_utc", "stopping_utc", "ended_utc",
	"playback_hls_url", "livestream_url", "downstream_url", "preview_url", "preview_image_url",
	"first_seen_utc", "updated_utc", "page_url"}

func exportStreams(ctx context.Context, s *models.Store, t topic, base string, out *csvOut) error {
	return listWalk(ctx, t, out, s.ListStreams, func(r models.StreamRow) []string {
		l := r.Lifecycle
		return []string{r.MeetingID, r.Provider, r.SessionID, string(r.Kind), r.ExternalID, string(l.Status), l.Message,
			utc(l.StartingAt), utc(l.StartedAt), utc(r.PlayableAt), utc(l.StoppingAt), utc(l.EndedAt),
			r.PlaybackURL, r.LivestreamURL, r.DownstreamURL, r.PreviewURL, r.PreviewImageURL,
			utc(&r.FirstSeenAt), utc(&r.UpdatedAt), meetingURL(base, r.MeetingID)}
	})
}

var callColumns = []string{"meeting_id", "provider", "call_id", "direction", "from", "to", "status", "status_utc",
	"steps", "first_seen_utc", "updated_utc", "page_url"}

func exportCalls(ctx context.Context, s *models.Store, t topic, base string, out *csvOut) error {
	return listWalk(ctx, t, out, s.ListCalls, func(r models.CallRow) []string {
		steps := make([]string, len(r.Steps))
		for i, st := range r.Steps {
			at := st.At
			if at == nil {
				at = &st.ReceivedAt
			}
			steps[i] = strings.TrimSpace(st.Step+" "+st.Status) + " at " + utc(at)
			if st.Detail != "" {
				steps[i] += " (" + st.Detail + ")"
			}
		}
		return []string{r.MeetingID, r.Provider, r.CallID, r.Direction, r.From, r.To, r.Status, utc(r.StatusAt),
			strings.Join(steps, "; "), utc(&r.FirstSeenAt), utc(&r.UpdatedAt), meetingURL(base, r.MeetingID)}
	})
}

var eventColumns = []string{"event_id", "received_utc", "meeting_id", "session_id", "provider", "type", "outcome", "repeat", "detail",
	"provider_event_id", "body", "event_url", "page_url"}

func exportEvents(ctx context.Context, s *models.Store, t topic, base string, out *csvOut) error {
	f := t.Log.apply(models.EventFilter{MeetingPrefix: t.Meeting, Limit: exportEventRows})
	return walk(ctx, func(ctx context.Context) ([]models.RawEvent, error) { return s.ListEvents(ctx, f) }, f.Limit,
		func(last models.RawEvent) { f.BeforeID = last.ID },
		func(e models.RawEvent) error {
			id := strconv.FormatUint(e.ID, 10)
			repeat, providerID := "", ""
			if e.Repeat {
				repeat = "yes"
			}
			if e.ProviderEventID != nil {
				providerID = *e.ProviderEventID
			}
			return out.row(id, utc(&e.ReceivedAt), e.MeetingID, e.SessionID, e.Provider, e.Type, e.Outcome, repeat, e.Detail,
				providerID, string(e.Body), base+"/api/events/"+id, meetingURL(base, e.MeetingID))
		}, out.flush)
}

var problemColumns = []string{"at_utc", "kind", "what", "reason", "meeting_id", "provider", "session_id", "page_url"}

func exportProblems(ctx context.Context, s *models.Store, t topic, base string, out *csvOut) error {
	f := models.ProblemFilter{Prefix: t.Meeting, Limit: exportPageRows}
	return walk(ctx, func(ctx context.Context) ([]models.Problem, error) { return s.Problems(ctx, f) }, f.Limit,
		func(last models.Problem) { c := last.Cursor(); f.Before = &c },
		func(p models.Problem) error {
			link := ""
			if p.Link != "" {
				link = base + p.Link
			}
			return out.row(utc(&p.At), string(p.Kind), p.What, p.Reason, p.MeetingID, p.Provider, p.SessionID, link)
		}, out.flush)
}
