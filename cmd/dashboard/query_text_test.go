package main

import (
	"net/http"
	"testing"

	"github.com/meetboard/meetboard/models/dbtest"
)

// TestQueryNotText: a filter that is not text (invalid UTF-8, a NUL byte)
// gets 400 on pages and the API; PostgreSQL refused it as an argument,
// and the answer was 503, the database "unavailable".
func TestQueryNotText(t *testing.T) {
	s := start(t, map[string]string{"DATABASE_URL": dbtest.PostgresDSN(t)})
	for _, path := range []string{"/recordings?meeting=%FF", "/api/recordings?meeting=a%00b", "/events?meeting=%C3", "/api/meetings?meeting=%FF"} {
		resp, body := get(t, http.DefaultClient, s.URL+path, nil)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("GET %s: %d %s; want 400", path, resp.StatusCode, body)
		}
	}
	if resp, body := get(t, http.DefaultClient, s.URL+"/recordings?meeting=%C3%A9", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("a filter in UTF-8 (é): %d %s", resp.StatusCode, body)
	}
}
