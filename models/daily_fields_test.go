package models_test

import (
	"context"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// TestDailyFiles: a Daily transcript keeps where it is written
// (out_params.s3), one file however many of its events say so, and a
// raw-tracks recording keeps each track's type and size.
func TestDailyFiles(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		arrival := time.Now().UTC()
		for _, name := range []string{"transcript.ready-to-download", "transcript.started", "transcript.error", "recording.ready-to-download"} {
			postDaily(t, s, name, arrival)
		}
		d := detail(t, s, "consult-42")
		want := models.File{Path: "mydomain/consult-42/7e1a4c2b-9d8f-4e6a-b5c3-d2e1f0a9b8c7.vtt", Bucket: "meetboard-transcripts"}
		if len(d.Transcriptions) != 1 || len(d.Transcriptions[0].Files) != 1 || d.Transcriptions[0].Files[0] != want {
			t.Errorf("transcriptions %+v, want one with the file %+v", d.Transcriptions, want)
		}
		recs, err := s.ListRecordings(context.Background(), models.ListFilter{})
		if err != nil || len(recs) != 1 || len(recs[0].Files) != 4 {
			t.Fatalf("recordings %+v, %v; want one with four files", recs, err)
		}
		if f := recs[0].Files[2]; f.Kind != "video" || f.Size != 412000000 {
			t.Errorf("the video track %+v, want kind video and 412000000 bytes", f)
		}
	})
}
