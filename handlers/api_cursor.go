package handlers

import (
	"errors"

	"github.com/meetboard/meetboard/models"
)

// listCursor reads the before= of a list of meetings, recordings, streams
// or calls: nil when absent; an error when it is not a cursor an answer
// gave, or comes with an offset (a list pages by one or the other).
func listCursor(before string, offset int) (*models.ListCursor, error) {
	if before == "" {
		return nil, nil
	}
	if offset > 0 {
		return nil, errors.New("before and offset do not go together: page by one or the other")
	}
	cur, err := models.ParseListCursor(before)
	if err != nil {
		return nil, err
	}
	return &cur, nil
}

// listNext is the before= of the page after rows, a full page of a list of
// meetings, recordings, streams or calls; "" when rows is not full (the
// list ends there).
func listNext(rows any, limit int) string {
	var last interface{ Cursor() models.ListCursor }
	switch r := rows.(type) {
	case []models.MeetingSummary:
		if len(r) == limit && limit > 0 {
			last = r[limit-1]
		}
	case []models.RecordingRow:
		if len(r) == limit && limit > 0 {
			last = r[limit-1]
		}
	case []models.StreamRow:
		if len(r) == limit && limit > 0 {
			last = r[limit-1]
		}
	case []models.CallRow:
		if len(r) == limit && limit > 0 {
			last = r[limit-1]
		}
	}
	if last == nil {
		return ""
	}
	return last.Cursor().String()
}
