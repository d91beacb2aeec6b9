package models

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ListCursor is a place in a list of meetings, recordings, streams or
// calls: the time the list is ordered by (a row's last change, or a
// meeting's last event) and the row. The next page starts after it.
type ListCursor struct {
	At  time.Time
	Ref uint
}

// String writes the cursor as it goes in a URL: nanoseconds since 1970
// and the row, e.g. "1717000000123456789.42".
func (c ListCursor) String() string {
	return strconv.FormatInt(c.At.UnixNano(), 10) + "." + strconv.FormatUint(uint64(c.Ref), 10)
}

// ParseListCursor reads a cursor String wrote.
func ParseListCursor(s string) (ListCursor, error) {
	at, ref, ok := strings.Cut(s, ".")
	nanos, err1 := strconv.ParseInt(at, 10, 64)
	row, err2 := strconv.ParseUint(ref, 10, 0)
	if !ok || err1 != nil || err2 != nil {
		return ListCursor{}, fmt.Errorf("a list cursor is a time and a row as an answer's \"next\" gives it, got %.80q", s)
	}
	return ListCursor{At: time.Unix(0, nanos).UTC(), Ref: uint(row)}, nil
}

// Cursor is the place of the row in the recordings list.
func (r RecordingRow) Cursor() ListCursor { return ListCursor{At: r.UpdatedAt, Ref: r.ID} }

// Cursor is the place of the row in the streams list.
func (r StreamRow) Cursor() ListCursor { return ListCursor{At: r.UpdatedAt, Ref: r.ID} }

// Cursor is the place of the row in the calls list.
func (r CallRow) Cursor() ListCursor { return ListCursor{At: r.UpdatedAt, Ref: r.ID} }

// Cursor is the place of the row in the meetings list.
func (m MeetingSummary) Cursor() ListCursor { return ListCursor{At: m.LastEventAt, Ref: m.ID} }

// listOrder orders q, a list of table's rows, as f asks, and keeps the rows
// after f.Before: newest first by the column changed (then by row), or by
// row alone with f.BySeen. The cursor's time is compared as the column
// stores it; a cursor comes from a row read back (Cursor), so it matches.
func listOrder(q *gorm.DB, table, changed string, f ListFilter) *gorm.DB {
	id := table + ".id"
	if f.BySeen {
		if f.Before != nil {
			q = q.Where(id+" < ?", f.Before.Ref)
		}
		return q.Order(id + " DESC")
	}
	if c := f.Before; c != nil {
		q = q.Where("("+changed+" < ? OR ("+changed+" = ? AND "+id+" < ?))", c.At, c.At, c.Ref)
	}
	return q.Order(changed + " DESC, " + id + " DESC")
}
