package handlers

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meetboard/meetboard/models"
)

// listStatuses are the values the status filter of a page of kind takes,
// nil for a page without one.
func listStatuses(kind string) []string {
	switch kind {
	case pageRecordings:
		return models.RecordingStatuses()
	case pageStreams:
		return models.StreamStatuses()
	case pageCalls:
		return models.CallStatuses()
	}
	return nil
}

// listStatus reads the status filter of a page of kind: "" for none, else
// one of listStatuses(kind), in its canonical form (so "Failed " is
// "failed"). A page without a status filter ignores the parameter; an
// unknown status is an error naming the known ones, rather than a list
// silently shown unfiltered. Topic names hold only known values, so a
// stranger cannot make up new topics with it.
func listStatus(kind, raw string) (string, error) {
	known := listStatuses(kind)
	status := strings.ToLower(strings.TrimSpace(raw))
	if known == nil || status == "" {
		return "", nil
	}
	if !slices.Contains(known, status) {
		return "", fmt.Errorf("status must be one of %s; got %.40q", strings.Join(known, ", "), raw)
	}
	return status, nil
}
