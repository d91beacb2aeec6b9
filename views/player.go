package views

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/meetboard/meetboard/models"
)

// playerID is the element id of a stream's player box (hlsPlayback):
// "player-" and 16 hex digits of a hash of the stream's identity (provider,
// kind, key) and its playback URL. It is the same in every render of the
// stream while its URL stays the same, which is what lets htmx keep a
// playing box across live swaps (hx-preserve), and it differs when the URL
// changes, so a box never keeps playing a URL its link no longer shows.
// Hex keeps it a plain CSS identifier, as htmx looks preserved boxes up
// with an unescaped "#" selector.
func playerID(s models.Stream) string {
	h := sha256.New()
	for _, part := range []string{s.Provider, string(s.Kind), s.StreamKey, s.PlaybackURL} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return "player-" + hex.EncodeToString(h.Sum(nil)[:8])
}
