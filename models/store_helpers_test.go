package models_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/meetboard/meetboard/handlers/webhooks"
	"github.com/meetboard/meetboard/handlers/webhooks/videosdk"
	"gorm.io/gorm"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

const fixtures = "../handlers/webhooks/videosdk/testdata"

// openStore migrates a database and starts a store on it, closed when the
// test ends.
func openStore(t *testing.T, url string) *models.Store {
	t.Helper()
	return openStoreWith(t, url, models.StoreOptions{})
}

// openStoreWith is openStore with options.
func openStoreWith(t *testing.T, url string, opts models.StoreOptions) *models.Store {
	t.Helper()
	db := migratedDB(t, url, models.DBOptions{})
	if opts.Decode == nil {
		opts.Decode = testDecode
	}
	s := models.NewStore(db, opts)
	t.Cleanup(s.Close) // before the database closes: cleanups run last first
	return s
}

// migratedDB opens and migrates a database, closed when the test ends.
func migratedDB(t testing.TB, url string, opts models.DBOptions) *gorm.DB {
	t.Helper()
	db := openDB(t, url, opts)
	if err := models.Migrate(db); err != nil {
		t.Fatal(err)
	}
	return db
}

// openDB opens a database as it is, closed when the test ends.
func openDB(t testing.TB, url string, opts models.DBOptions) *gorm.DB {
	t.Helper()
	db, err := models.Open(url, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	return db
}

// fixture reads a fixture body, e.g. "v2/participant-joined".
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixtureDir reads every fixture body in a folder, sorted by name.
func fixtureDir(t *testing.T, dir string) [][]byte {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(fixtures, dir, "*.json"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no fixtures in %s: %v", dir, err)
	}
	sort.Strings(names)
	out := make([][]byte, len(names))
	for i, n := range names {
		if out[i], err = os.ReadFile(n); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// post decodes and ingests one VideoSDK body, as the webhook handler does.
func post(t *testing.T, s *models.Store, body []byte) models.Result {
	t.Helper()
	return postAt(t, s, body, time.Now().UTC())
}

// postAt is post with the time the body was received.
func postAt(t *testing.T, s *models.Store, body []byte, at time.Time) models.Result {
	t.Helper()
	ev, err := videosdk.Decode(body)
	if err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	res, err := s.Ingest(context.Background(), models.Delivery{
		Provider: videosdk.Provider, Body: body, ReceivedAt: at, Event: ev,
	})
	if err != nil {
		t.Fatalf("ingest %s: %v", ev.Type, err)
	}
	return applied(t, s, res)
}

// syntheticPrefix starts the bodies synthetic makes.
var syntheticPrefix = []byte("synthetic event: ")

// synthetic is a delivery of an event built by a test rather than decoded
// from a provider's body. Its body is the event as JSON behind
// syntheticPrefix, which testDecode reads back, since the projector decodes
// every body again.
func synthetic(provider string, ev models.Event) models.Delivery {
	b, err := json.Marshal(ev)
	if err != nil {
		panic(err)
	}
	return models.Delivery{Provider: provider, Body: append(append([]byte(nil), syntheticPrefix...), b...), ReceivedAt: time.Now().UTC(), Event: ev}
}

// testDecode decodes the providers' bodies, and those synthetic makes.
func testDecode(provider string, body []byte) (models.Event, error) {
	if rest, ok := bytes.CutPrefix(body, syntheticPrefix); ok {
		var ev models.Event
		err := json.Unmarshal(rest, &ev)
		return ev, err
	}
	return webhooks.Decode(provider, body)
}

// settle waits until the projector has applied everything logged so far.
func settle(t testing.TB, s *models.Store) {
	t.Helper()
	ok, err := s.Settle(context.Background(), 30*time.Second)
	if err != nil || !ok {
		t.Fatalf("the projector did not catch up within 30 s: %v", err)
	}
}

// applied waits until the projector has applied a logged delivery and
// returns its result with what applying it did.
func applied(t testing.TB, s *models.Store, res models.Result) models.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := s.Applied(ctx, res)
	if err != nil {
		t.Fatalf("event %d not applied: %v", res.EventID, err)
	}
	return res
}

// body builds a VideoSDK webhook body.
func body(typ string, data map[string]any) []byte {
	b, err := json.Marshal(map[string]any{"webhookType": typ, "data": data})
	if err != nil {
		panic(err)
	}
	return b
}

func detail(t *testing.T, s *models.Store, meetingID string) *models.MeetingDetail {
	t.Helper()
	d, err := s.MeetingDetail(context.Background(), "", meetingID, 0)
	if err != nil {
		t.Fatalf("meeting %s: %v", meetingID, err)
	}
	return d
}

// shape is a meeting's state with the times that depend on arrival dropped
// and every list sorted, so states reached through different delivery
// orders can be compared.
func shape(t *testing.T, d *models.MeetingDetail) string {
	t.Helper()
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	out, _ := json.MarshalIndent(normalize(v), "", " ")
	return string(out)
}

func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if strings.HasSuffix(k, "At") {
				delete(x, k)
				continue
			}
			x[k] = normalize(e)
		}
		return x
	case []any:
		keys := make([]string, len(x))
		for i, e := range x {
			x[i] = normalize(e)
			b, _ := json.Marshal(x[i])
			keys[i] = string(b)
		}
		sort.Sort(byKey{keys, x})
		return x
	}
	return v
}

type byKey struct {
	keys []string
	vals []any
}

func (b byKey) Len() int           { return len(b.keys) }
func (b byKey) Less(i, j int) bool { return b.keys[i] < b.keys[j] }
func (b byKey) Swap(i, j int) {
	b.keys[i], b.keys[j] = b.keys[j], b.keys[i]
	b.vals[i], b.vals[j] = b.vals[j], b.vals[i]
}

func decodeDelivery(t testing.TB, b []byte) models.Delivery {
	ev, err := videosdk.Decode(b)
	if err != nil {
		t.Error(err)
	}
	return models.Delivery{Provider: videosdk.Provider, Body: b, ReceivedAt: time.Now().UTC(), Event: ev}
}
