package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// presenceHook is a VideoSDK event of someone in session s of meeting m.
func presenceHook(typ, m, s, id, name string, kv ...any) []byte {
	return videosdkHook(typ, withFields(map[string]any{"meetingId": m, "sessionId": s, "participantId": id, "participantName": name}, kv...))
}

// sessionHook is a VideoSDK session start or end, at a time.
func sessionHook(typ, m, s, key string, at time.Time) []byte {
	return videosdkHook(typ, map[string]any{"meetingId": m, "sessionId": s, key: at.Format(time.RFC3339)})
}

// csvTable is a CSV export read back: its header and its rows by column.
type csvTable struct {
	header []string
	rows   []map[string]string
}

// column lists one column's cells, in row order.
func (c csvTable) column(name string) []string {
	out := make([]string, len(c.rows))
	for i, r := range c.rows {
		out[i] = r[name]
	}
	return out
}

// parseCSV reads an export's body: UTF-8 behind a byte-order mark, a
// header row, then rows as long as the header.
func parseCSV(t *testing.T, body []byte) csvTable {
	t.Helper()
	rest, ok := bytes.CutPrefix(body, []byte("\uFEFF"))
	if !ok {
		t.Errorf("the CSV does not begin with a UTF-8 byte-order mark: %.40q", body)
	}
	records, err := csv.NewReader(bytes.NewReader(rest)).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v\n%.2000s", err, rest)
	}
	if len(records) == 0 {
		t.Fatal("the CSV has no header row")
	}
	out := csvTable{header: records[0]}
	for _, rec := range records[1:] {
		row := map[string]string{}
		for i, name := range out.header {
			row[name] = rec[i]
		}
		out.rows = append(out.rows, row)
	}
	return out
}

// getCSV downloads an export and reads it back.
func (s *server) getCSV(t *testing.T, path string) csvTable {
	t.Helper()
	resp, err := http.Get(s.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: the body was cut short: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %.300s", path, resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv; charset=utf-8") {
		t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=") || !strings.HasSuffix(cd, `.csv"`) {
		t.Errorf("GET %s: Content-Disposition %q", path, cd)
	}
	return parseCSV(t, body)
}

// getJSON reads an API answer into v.
func (s *server) getJSON(t *testing.T, path string, v any) {
	t.Helper()
	resp, body := get(t, http.DefaultClient, s.URL+path, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %.300s", path, resp.StatusCode, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("GET %s: %v: %.300s", path, err, body)
	}
}

// apiWalk reads every page of an API list by its "next" cursor, limit
// rows at a time, and returns the rows under key.
func (s *server) apiWalk(t *testing.T, path, key string, limit int) []map[string]any {
	t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	var all []map[string]any
	before := ""
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatalf("%s: the pages do not end", path)
		}
		p := fmt.Sprintf("%s%slimit=%d", path, sep, limit)
		if before != "" {
			p += "&before=" + url.QueryEscape(before)
		}
		var page map[string]json.RawMessage
		s.getJSON(t, p, &page)
		var rows []map[string]any
		if err := json.Unmarshal(page[key], &rows); err != nil {
			t.Fatalf("%s: %s: %v", p, key, err)
		}
		all = append(all, rows...)
		before = ""
		if raw, ok := page["next"]; ok {
			if err := json.Unmarshal(raw, &before); err != nil {
				t.Fatalf("%s: next is not a string: %s", p, raw)
			}
		}
		if before == "" {
			if len(rows) == limit {
				t.Fatalf("%s: a full page without a next", p)
			}
			return all
		}
	}
}

// field lists one field of API rows, as text.
func field(rows []map[string]any, key string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprint(r[key])
	}
	return out
}

// postMany delivers VideoSDK webhooks from workers at once, each worker's
// share in order, and fails the test unless each is answered 200.
func (s *server) postMany(t *testing.T, workers [][][]byte) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(workers))
	for _, bodies := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, b := range bodies {
				resp, err := http.Post(s.URL+"/webhooks/videosdk", "application/json", bytes.NewReader(b))
				if err != nil {
					errs <- err
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs <- fmt.Errorf("POST %s: %d", b, resp.StatusCode)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// spread deals bodies out to n workers, keeping each group's bodies
// together and in order.
func spread(n int, groups [][][]byte) [][][]byte {
	out := make([][][]byte, n)
	for i, g := range groups {
		out[i%n] = append(out[i%n], g...)
	}
	return out
}
