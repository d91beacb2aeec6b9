package views

import (
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
