package views

import (
	"strings"
	"testing"

	"github.com/meetboard/meetboard/models"
)

// TestMeetingShowsProviderFields: the meeting page shows the join URL, each
// participant's role and a stream's preview links, where providers give
// them.
func TestMeetingShowsProviderFields(t *testing.T) {
	d := sampleDetail()
	d.Meeting.URL = "https://iotum.callbridge.rocks/conf/call/1258835"
	d.Participants[0].Role = "moderator"
	d.Streams = []models.Stream{{Provider: "iotum", Kind: models.StreamLivestream, Lifecycle: lifecycle(models.StageStarted, ""),
		PreviewURL: "https://previews.example/p.mp4", PreviewImageURL: "https://previews.example/p.jpg"}}
	byID := map[string]Fragment{}
	for _, f := range MeetingFragments(d, nil) {
		byID[f.ID] = f
	}
	for _, c := range []struct{ fragment, selector, want string }{
		{"meeting-summary", `a[href="https://iotum.callbridge.rocks/conf/call/1258835"]`, "join URL"},
		{"meeting-participants", "td .muted", "moderator"},
		{"meeting-streams", `a[href="https://previews.example/p.mp4"]`, "preview"},
		{"meeting-streams", `a[href="https://previews.example/p.jpg"]`, "preview image"},
	} {
		doc := parse(t, render(t, byID[c.fragment]))
		if got := doc.Find(c.selector).First().Text(); got != c.want {
			t.Errorf("%s: %s reads %q, want %q", c.fragment, c.selector, got, c.want)
		}
	}
}

// TestFilesShowWhatProvidersSay: a transcription's files are shown, and a
// stored file says its bucket, kind and size when the provider gives them.
func TestFilesShowWhatProvidersSay(t *testing.T) {
	d := sampleDetail()
	d.Transcriptions[0].Files = models.JSONList[models.File]{{Path: "mydomain/room/t.vtt", Bucket: "transcripts"}}
	d.Recordings[0].Files = models.JSONList[models.File]{{Path: "mydomain/room/track", Kind: "video", Size: 412000000}}
	byID := map[string]Fragment{}
	for _, f := range MeetingFragments(d, nil) {
		byID[f.ID] = f
	}
	tr := parse(t, render(t, byID["meeting-transcriptions"])).Find(".links").Text()
	if !strings.Contains(tr, "transcripts/mydomain/room/t.vtt") {
		t.Errorf("transcription links %q, want the bucket and path", tr)
	}
	rec := parse(t, render(t, byID["meeting-recordings"])).Find(".links").Text()
	if !strings.Contains(rec, "mydomain/room/track") || !strings.Contains(rec, "video · 412 MB") {
		t.Errorf("recording links %q, want the path, kind and size", rec)
	}
}
