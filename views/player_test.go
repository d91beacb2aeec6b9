package views

import (
	"bytes"
	"context"
	"regexp"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/meetboard/meetboard/models"
)

var playerIDPattern = regexp.MustCompile(`^player-[0-9a-f]{16}$`)

// Every page that shows an HLS playback URL offers its player: the meeting
// page, the streams list and a live room's card; a URL that is not a link
// offers none, and the stream's other URLs have none.
func TestPlayerBesidePlaybackURL(t *testing.T) {
	byName := map[string]page{}
	for _, p := range pages() {
		byName[p.name] = p
	}
	for _, c := range []struct{ page, root string }{
		{"meeting", "#meeting-streams"},
		{"streams", "#streams-list"},
		{"rooms", `[data-meeting="kx7q-2m9d-p4tz"]`},
	} {
		_, doc := renderPage(t, byName[c.page])
		root := doc.Find(c.root)
		players := root.Find(".player")
		if players.Length() != 1 {
			t.Errorf("%s: %d players, want 1 (for the playback URL only)", c.page, players.Length())
			continue
		}
		if src := players.AttrOr("data-src", ""); src != httpsURL {
			t.Errorf("%s: player data-src %q, want %q", c.page, src, httpsURL)
		}
		if id := players.AttrOr("id", ""); !playerIDPattern.MatchString(id) {
			t.Errorf("%s: player id %q, want player- and 16 hex digits", c.page, id)
		}
		if v, ok := players.Attr("hx-preserve"); !ok || v != "true" {
			t.Errorf("%s: player hx-preserve=%q (present %v), want true so live swaps keep it", c.page, v, ok)
		}
		play := players.Find("button.play")
		if play.Length() != 1 || play.AttrOr("type", "") != "button" {
			t.Errorf("%s: player has %d button.play of type %q, want one of type button", c.page, play.Length(), play.AttrOr("type", ""))
		}
		if players.Find("video, source, audio").Length() != 0 {
			t.Errorf("%s: the page renders a media element; nothing may load before Play", c.page)
		}
		checkExtLink(t, c.page, root, httpsURL)
	}
	// The hostile room's playback URL is javascript: and gets no player.
	_, rooms := renderPage(t, byName["rooms"])
	if n := rooms.Find(".player").Length(); n != 1 {
		t.Errorf("rooms: %d players, want 1 (none for the javascript: URL)", n)
	}
}

// A playback URL on a host the link allowlist refuses is text and has no
// player; one on an allowed host has both.
func TestPlayerFollowsLinkAllowlist(t *testing.T) {
	ctx := WithLinkHosts(context.Background(), []string{"cdn.ok"})
	for _, c := range []struct {
		url    string
		player bool
	}{
		{"https://cdn.ok/hls/index.m3u8", true},
		{"http://cdn.ok:8080/hls/index.m3u8", true},
		{"https://evil.com/hls/index.m3u8", false},
		{"https://cdn.ok@evil.com/hls/index.m3u8", false},
		{"javascript:alert(1)", false},
		{"", false},
	} {
		var buf bytes.Buffer
		s := models.Stream{Provider: "videosdk", Kind: models.StreamHLS, StreamKey: "k", PlaybackURL: c.url}
		if err := hlsPlayback(s).Render(ctx, &buf); err != nil {
			t.Fatal(err)
		}
		doc, err := goquery.NewDocumentFromReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if got := doc.Find(".player").Length() == 1; got != c.player {
			t.Errorf("%q: player %v, want %v\n%s", c.url, got, c.player, buf.String())
		}
		if got := doc.Find("a").Length() == 1; got != c.player {
			t.Errorf("%q: link %v, want %v (a player exactly where a link is)", c.url, got, c.player)
		}
	}
}

// A player's id is the same in every render of a stream, and another when
// the stream or its URL is another.
func TestPlayerID(t *testing.T) {
	s := models.Stream{Provider: "videosdk", Kind: models.StreamHLS, StreamKey: "hls-1", PlaybackURL: "https://cdn.ok/a.m3u8"}
	id := playerID(s)
	if !playerIDPattern.MatchString(id) {
		t.Fatalf("playerID = %q", id)
	}
	same := s
	same.Lifecycle = lifecycle(models.StageStopped, "done")
	if playerID(same) != id {
		t.Errorf("the id changed with the stream's stage")
	}
	for _, other := range []models.Stream{
		{Provider: "videosdk", Kind: models.StreamHLS, StreamKey: "hls-2", PlaybackURL: s.PlaybackURL},
		{Provider: "videosdk", Kind: models.StreamHLS, StreamKey: "hls-1", PlaybackURL: "https://cdn.ok/b.m3u8"},
		{Provider: "daily", Kind: models.StreamHLS, StreamKey: "hls-1", PlaybackURL: s.PlaybackURL},
		{Provider: "videosdk", Kind: models.StreamHLS, StreamKey: "hls-", PlaybackURL: "1https://cdn.ok/a.m3u8"},
	} {
		if playerID(other) == id {
			t.Errorf("%+v has the id of %+v", other, s)
		}
	}
}
