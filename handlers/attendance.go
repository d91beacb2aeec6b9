package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/meetboard/meetboard/models"
)

// attendanceColumns are the attendance CSV's columns: one row per stay.
var attendanceColumns = []string{"meeting_id", "provider", "session_id", "session_started_utc", "session_ended_utc",
	"participant_id", "name", "role", "joined_utc", "left_utc", "seconds_in_room", "time_in_room", "leave_reason"}

// attendanceMeeting finds the meeting of an attendance request
// (/…/meetings/<meetingId>/attendance…?provider=), or answers 400 or 404.
func (x *exporter) attendanceMeeting(c *fiber.Ctx) (models.Meeting, bool, error) {
	id, err := url.PathUnescape(c.Params("meetingId"))
	if err != nil {
		return models.Meeting{}, false, fail(c, fiber.StatusBadRequest, "meeting id is not a valid URL path segment")
	}
	m, err := x.h.cfg.Store.FindMeeting(c.UserContext(), c.Query("provider"), id)
	if errors.Is(err, models.ErrNotFound) {
		return m, false, fail(c, fiber.StatusNotFound, "no meeting "+id)
	}
	if err != nil {
		return m, false, x.h.storeError(c, err)
	}
	return m, true, nil
}

// walkAttendance reads every stay of the meeting, a page at a time.
func walkAttendance(ctx context.Context, s *models.Store, m models.Meeting, emit func(models.Stay) error, flush func() error) error {
	var after *models.StayCursor
	return walk(ctx, func(ctx context.Context) ([]models.Stay, error) {
		return s.Attendance(ctx, m.ID, after, exportPageRows)
	},
		exportPageRows, func(last models.Stay) { c := last.Cursor(); after = &c }, emit, flush)
}

// attendanceCSV serves GET /meetings/<meetingId>/attendance.csv
// [?provider=]: every stay of every session of the meeting, one row each,
// sessions as first stored, their participants as first seen.
func (x *exporter) attendanceCSV(c *fiber.Ctx) error {
	x.h.settle(c)
	m, ok, err := x.attendanceMeeting(c)
	if !ok {
		return err
	}
	s := x.h.cfg.Store
	return x.stream(c, "text/csv; charset=utf-8; header=present", "attendance-"+fileSafe(m.MeetingID)+".csv",
		func(ctx context.Context, w *exportWriter) error {
			out, err := newCSV(w, attendanceColumns...)
			if err != nil {
				return errClientGone
			}
			return walkAttendance(ctx, s, m, func(st models.Stay) error {
				secs, stayed := "", ""
				if st.Seconds != nil {
					secs, stayed = strconv.FormatInt(*st.Seconds, 10), clockDuration(*st.Seconds)
				}
				return out.row(m.MeetingID, m.Provider, st.SessionID, utc(st.SessionStartedAt), utc(st.SessionEndedAt),
					st.ParticipantID, st.Name, st.Role, utc(st.JoinedAt), utc(st.LeftAt), secs, stayed, st.LeaveReason)
			}, out.flush)
		})
}

// apiAttendance serves GET /api/meetings/<meetingId>/attendance
// [?provider=]: the attendance CSV's rows as JSON, {"meeting": …,
// "stays": […]}, streamed as they are read.
func (x *exporter) apiAttendance(c *fiber.Ctx) error {
	behind := x.h.settle(c)
	m, ok, err := x.attendanceMeeting(c)
	if !ok {
		return err
	}
	head, err := json.Marshal(m)
	if err != nil {
		return err
	}
	tail := []byte("]}")
	if behind != nil {
		b, _ := json.Marshal(behind)
		tail = append([]byte(`],"behind":`), append(b, '}')...)
	}
	s := x.h.cfg.Store
	return x.stream(c, fiber.MIMEApplicationJSONCharsetUTF8, "", func(ctx context.Context, w *exportWriter) error {
		w.Write([]byte(`{"meeting":`))
		w.Write(head)
		w.Write([]byte(`,"stays":[`))
		out := &jsonOut{w: w}
		if err := walkAttendance(ctx, s, m, func(st models.Stay) error { return out.item(st) }, w.flush); err != nil {
			return err
		}
		_, err := w.Write(tail)
		return err
	})
}

// clockDuration writes seconds as hours, minutes and seconds (1:02:03),
// which spreadsheets read as a duration.
func clockDuration(secs int64) string {
	return fmt.Sprintf("%d:%02d:%02d", secs/3600, secs/60%60, secs%60)
}

// fileSafe is s for a file name: letters, digits, '.', '-' and '_' kept,
// anything else '_', at most 80 bytes.
func fileSafe(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
	return s[:min(len(s), 80)]
}
