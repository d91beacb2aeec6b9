package main

import (
	"net/url"
	"strings"
	"testing"
)

// TestCSVInjection posts values that a spreadsheet would take for formulas
// (a meeting id, a participant's name and id, a leave reason, a failure
// message, a caller's number) and checks every export shows them as text:
// each such cell has an apostrophe in front, and no cell of any export
// begins with =, +, -, @, a tab or a carriage return. The JSON API gives
// the values as they came.
func TestCSVInjection(t *testing.T) {
	s := start(t, tempDBEnv(t))
	const m = "=HYPERLINK(\"http://evil.example/\",\"open\")"
	hostile := []string{m, "+SUM(1,2)", "@cmd|' /C calc'!A0", "-2+3", "\t=1+1", "\r=1+1"}
	s.mustPost(t,
		presenceHook("participant-joined", m, "s1", hostile[1], hostile[2]),
		presenceHook("participant-left", m, "s1", hostile[1], hostile[2], "reason", hostile[3]),
		videosdkHook("recording-failed", map[string]any{"meetingId": m, "sessionId": "s1", "id": "r1", "message": hostile[4]}),
		callHook("call-transfer-failed", m, hostile[5], "TRANSFER_FAILED"),
	)
	s.settle(t)
	seen := map[string]bool{}
	for _, path := range []string{"/meetings.csv", "/recordings.csv", "/calls.csv", "/events.csv", "/problems.csv",
		"/meetings/" + url.PathEscape(m) + "/attendance.csv"} {
		table := s.getCSV(t, path)
		if len(table.rows) == 0 {
			t.Errorf("%s: no rows", path)
		}
		for _, r := range table.rows {
			for col, cell := range r {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("%s: %s begins with %q: %q", path, col, cell[0], cell)
				}
				for _, h := range hostile {
					if cell == "'"+h {
						seen[h] = true
					}
				}
			}
		}
	}
	for _, h := range hostile {
		if !seen[h] {
			t.Errorf("no export shows %q as text ('%s)", h, h)
		}
	}
	stays := s.attendanceJSON(t, m)
	if len(stays) != 1 || stays[0].Name != hostile[2] || stays[0].LeaveReason != hostile[3] {
		t.Errorf("the JSON changes what came: %+v", stays)
	}
}
