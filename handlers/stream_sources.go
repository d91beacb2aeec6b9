package handlers

import "strings"

// streamSources are the connect-src and media-src directives of the
// Content-Security-Policy, which the in-page HLS player (static/player.js)
// needs beyond 'self':
//
//   - connect-src: hls.js fetches the playlists and segments from the
//     stream's host;
//   - media-src blob:: with hls.js the <video> plays a MediaSource, which
//     it is given as a blob: URL made by the page itself (blob: here lets
//     the page play only what its own scripts built);
//   - media-src, the stream hosts: where the browser plays HLS itself
//     (Safari), the <video> fetches the playlist and segments.
//
// The stream hosts are those of the link allowlist (linkHosts, as
// views.ParseLinkHosts returns them): a host may be played from exactly when
// its URLs may be links. Each is allowed on any port, as the allowlist is,
// and with the page's scheme (an http page also reaches https). A host a
// policy cannot name (an IPv6 address; a name with an underscore) is left
// out: its URLs are links but do not play. With no allowlist every http(s)
// URL is a link, so the player may reach any http(s) host: set
// DASHBOARD_LINK_HOSTS to narrow both.
//
// No worker-src: hls.js's worker is the file /static/vendor/hls.worker.js
// (its workerPath), which script-src 'self' allows, rather than the blob:
// worker it would otherwise make.
func streamSources(linkHosts []string) string {
	var hosts []string
	if len(linkHosts) == 0 {
		hosts = []string{"http:", "https:"}
	}
	for _, h := range linkHosts {
		if policyHost(h) {
			hosts = append(hosts, h+":*")
		}
	}
	connect := append([]string{"connect-src", "'self'"}, hosts...)
	media := append([]string{"media-src", "'self'", "blob:"}, hosts...)
	return strings.Join(connect, " ") + "; " + strings.Join(media, " ")
}

// policyHost reports whether a link allowlist entry can be written as the
// host of a policy's source: letters, digits, hyphens and dots, after an
// optional "*." (CSP's host-char; a lower-cased entry has no upper case).
func policyHost(h string) bool {
	h = strings.TrimPrefix(h, "*.")
	if h == "" {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
