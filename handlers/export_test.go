package handlers

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

// TestSafeCell: a cell a spreadsheet would take for a formula gets an
// apostrophe in front; others stay as they are.
func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{
		"":              "",
		"Alice":         "Alice",
		"=1+1":          "'=1+1",
		"+15551234":     "'+15551234",
		"-2":            "'-2",
		"@SUM(A1)":      "'@SUM(A1)",
		"\t=cmd":        "'\t=cmd",
		"\r=cmd":        "'\r=cmd",
		" =not leading": " =not leading",
		"2026-01-02":    "2026-01-02",
	} {
		if got := safeCell(in); got != want {
			t.Errorf("safeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// failAfter takes n bytes, then fails as a connection whose client went
// away does.
type failAfter struct{ n int }

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		return 0, io.ErrClosedPipe
	}
	f.n -= len(p)
	return len(p), nil
}

// TestExportStopsWhenClientGone: an export of a list that never ends
// stops reading the database at the first page its client cannot take.
func TestExportStopsWhenClientGone(t *testing.T) {
	w := &exportWriter{bw: bufio.NewWriterSize(&failAfter{n: 10000}, 512)}
	out, err := newCSV(w, "n", "text")
	if err != nil {
		t.Fatal(err)
	}
	reads := 0
	read := func(ctx context.Context) ([]int, error) {
		reads++
		if reads > 100 {
			return nil, errors.New("still reading after the client went away")
		}
		return make([]int, 50), nil
	}
	err = walk(context.Background(), read, 50, func(int) {},
		func(int) error { return out.row("1", strings.Repeat("x", 20)) }, out.flush)
	if !errors.Is(err, errClientGone) {
		t.Fatalf("the export ended with %v, want errClientGone", err)
	}
	// 10,000 bytes take 9 pages of 50 rows of 23 bytes; the tenth fails.
	if reads > 10 {
		t.Errorf("%d pages read for a client that took 9", reads)
	}
}

// TestExportStopsWithServer: an export stops when the server shuts down.
func TestExportStopsWithServer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	reads := 0
	err := walk(ctx, func(context.Context) ([]int, error) {
		reads++
		if reads == 3 {
			cancel()
		}
		return make([]int, 2), nil
	}, 2, func(int) {}, func(int) error { return nil }, func() error { return nil })
	if !errors.Is(err, context.Canceled) || reads != 3 {
		t.Errorf("after %d reads: %v, want context.Canceled after 3", reads, err)
	}
}

// TestExportLink: a list's CSV keeps the page's filters, not its place;
// pages without a list to export have none.
func TestExportLink(t *testing.T) {
	for _, c := range []struct {
		kind  string
		query map[string]string
		want  string
	}{
		{pageRecordings, map[string]string{"meeting": "ab", "status": "failed", "page": "3"}, "/recordings.csv?meeting=ab&status=failed"},
		{pageEvents, map[string]string{"before": "99", "meeting": "a&b"}, "/events.csv?meeting=a%26b"},
		{pageMeetings, nil, "/meetings.csv"},
		{pageRooms, map[string]string{"meeting": "x"}, ""},
		{pageMeeting, map[string]string{"meeting": "x"}, ""},
		{pageAlerts, nil, ""},
	} {
		if got := exportLink(c.kind, c.query); got != c.want {
			t.Errorf("exportLink(%s, %v) = %q, want %q", c.kind, c.query, got, c.want)
		}
	}
}
