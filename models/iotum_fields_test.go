package models_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// iotumStory lists iotum's documented fixtures in the order their
// timestamps tell.
func iotumStory(t *testing.T) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(iotumFixtures, "*.json"))
	if err != nil || len(names) < 20 {
		t.Fatalf("iotum fixtures: %v, %v", names, err)
	}
	stamp := map[string]string{}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		var env struct{ Timestamp string }
		if err := json.Unmarshal(b, &env); err != nil {
			t.Fatal(err)
		}
		stamp[n] = env.Timestamp
	}
	sort.SliceStable(names, func(i, j int) bool { return stamp[names[i]] < stamp[names[j]] })
	return names
}

// TestIotumFields: what iotum's deliveries carry reaches the meeting: the
// conference's join URL, the stream's preview, the participant's role as
// last changed (whatever order the events come in), and the stays and
// stages; the story ends in the same state in order and backwards.
func TestIotumFields(t *testing.T) {
	story := iotumStory(t)
	backwards := slices.Clone(story)
	slices.Reverse(backwards)
	dbtest.ForEach(t, func(t *testing.T, url string) {
		var shapes []string
		for _, order := range [][]string{story, backwards} {
			s := openStore(t, freshURL(t, url))
			for _, f := range order {
				postFile(t, s, "iotum", f, time.Now().UTC())
			}
			d := detail(t, s, "1258835")
			if d.Meeting.URL != "https://iotum.callbridge.rocks/conf/call/1258835" {
				t.Errorf("meeting URL %q", d.Meeting.URL)
			}
			var live *models.Stream
			for i := range d.Streams {
				if d.Streams[i].Kind == models.StreamLivestream {
					live = &d.Streams[i]
				}
			}
			preview := "https://callbridge-previews.s3.amazonaws.com/61803/1258835/preview"
			if live == nil || live.PreviewURL != preview+".mp4" || live.PreviewImageURL != preview+".jpg" ||
				!sameTime(live.PreviewAt, time.Date(2022, 8, 24, 20, 13, 45, 0, time.UTC)) || live.Status != models.StageStopped {
				t.Errorf("livestream %+v, want it stopped with the preview of 20:13:45", live)
			}
			for _, p := range d.Participants {
				if p.ParticipantID == "7120351" && p.Role != "moderator" {
					t.Errorf("participant %s has role %q, want the role it was changed to, moderator", p.ParticipantID, p.Role)
				}
			}
			shapes = append(shapes, shape(t, d))
		}
		if shapes[0] != shapes[1] {
			t.Errorf("backwards, the conference ends elsewhere\nin order: %s\nbackwards: %s", shapes[0], shapes[1])
		}
	})
}

// TestIotumPreviewNewestWins: a stream's preview is the newest by the
// provider's time, whichever arrives last; one without an image drops the
// older image.
func TestIotumPreviewNewestWins(t *testing.T) {
	older, newer := filepath.Join(iotumFixtures, "stream_preview_updated.json"), filepath.Join(iotumFixtures, "edge/stream-preview-no-image.json")
	dbtest.ForEach(t, func(t *testing.T, url string) {
		for _, order := range [][]string{{older, newer}, {newer, older}} {
			s := openStore(t, freshURL(t, url))
			for _, f := range order {
				postFile(t, s, "iotum", f, time.Now().UTC())
			}
			d := detail(t, s, "1258835")
			if len(d.Streams) != 1 || d.Streams[0].PreviewImageURL != "" ||
				!sameTime(d.Streams[0].PreviewAt, time.Date(2022, 8, 24, 20, 14, 45, 0, time.UTC)) {
				t.Errorf("%v: streams %+v, want the 20:14:45 preview, without an image", order, d.Streams)
			}
		}
	})
}
