package views

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"golang.org/x/net/idna"

	"github.com/meetboard/meetboard/models"
)

// stamp formats a time for a datetime attribute (UTC, RFC 3339).
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// clock is the text shown for a time before the script localizes it.
func clock(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// span formats a duration compactly: 42s, 12m 03s, 1h 04m.
func span(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
}

// notHTTP is why a URL that is not an absolute http(s) URL is not a link.
const notHTTP = "not an http(s) URL, so not a link"

// linkRefusal says why a URL from a webhook is shown as text rather than as
// a link, or "" when it may be a link. The host is the one Go's URL parser
// finds, after userinfo ("https://cdn.ok@evil.com/" is evil.com); URLs the
// parser rejects (a backslash or control character in the authority, as in
// "https://evil.com\@cdn.ok/", which a browser would send to evil.com) are
// not links at all.
func linkRefusal(ctx context.Context, raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return notHTTP
	}
	var list *linkHostList
	if ctx != nil {
		list, _ = ctx.Value(linkHostsKey{}).(*linkHostList)
	}
	if list == nil {
		return ""
	}
	host, ok := normalHost(u.Hostname())
	if !ok {
		return "host " + u.Hostname() + " is not on the link allowlist, so not a link"
	}
	if !list.allows(host) {
		return "host " + host + " is not on the link allowlist, so not a link"
	}
	return ""
}

// linkHostsKey is the context key of the link allowlist.
type linkHostsKey struct{}

// linkHostList is a parsed link allowlist.
type linkHostList struct {
	exact map[string]bool
	// suffixes are ".example.com" for each "*.example.com".
	suffixes []string
}

func (l *linkHostList) allows(host string) bool {
	if l.exact[host] {
		return true
	}
	for _, s := range l.suffixes {
		if len(host) > len(s) && strings.HasSuffix(host, s) {
			return true
		}
	}
	return false
}

// WithLinkHosts returns a context under which recording, HLS and other
// webhook URLs are links only when their host is on hosts: an exact host
// ("cdn.example.com", an IP address) or any subdomain of one
// ("*.example.com": a.example.com and a.b.example.com, not example.com
// itself unless it is listed too). Other http(s) URLs are shown as text.
// An empty or nil hosts allows every host (only the http(s) rule applies).
//
// hosts should come from ParseLinkHosts; an entry it would reject is
// skipped here, so a bad entry never widens the list. Both the page render
// (the request's user context) and the live push (the server's context)
// must carry it, or pushed fragments would differ from the page.
func WithLinkHosts(ctx context.Context, hosts []string) context.Context {
	return LinkHostsContext(hosts)(ctx)
}

// LinkHostsContext parses the allowlist once and returns what
// WithLinkHosts does with it, for use on every request.
func LinkHostsContext(hosts []string) func(context.Context) context.Context {
	var l *linkHostList
	if len(hosts) > 0 {
		l = &linkHostList{exact: map[string]bool{}}
		for _, h := range hosts {
			e, err := parseLinkHost(h)
			if err != nil {
				continue
			}
			if base, ok := strings.CutPrefix(e, "*."); ok {
				l.suffixes = append(l.suffixes, "."+base)
			} else {
				l.exact[e] = true
			}
		}
	}
	return func(ctx context.Context) context.Context { return context.WithValue(ctx, linkHostsKey{}, l) }
}

// ParseLinkHosts reads a comma-separated link allowlist, such as
// "cdn.example.com, *.videosdk.live". Entries are hosts or IP addresses, or
// "*." and a domain for its subdomains; no scheme, port or path. They are
// returned lower-cased, internationalized names in their ASCII (punycode)
// form, without duplicates. Empty entries are skipped; an empty s is an
// empty list (every host allowed).
func ParseLinkHosts(s string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		e, err := parseLinkHost(f)
		if err != nil {
			return nil, err
		}
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out, nil
}

// parseLinkHost validates and normalizes one allowlist entry.
func parseLinkHost(entry string) (string, error) {
	bad := func(why string) (string, error) {
		return "", fmt.Errorf("link host %q: %s", entry, why)
	}
	e := strings.TrimSpace(entry)
	switch {
	case e == "":
		return bad("empty")
	case strings.Contains(e, "://"), strings.ContainsAny(e, "/?#@\\"):
		return bad("give a host name only, without scheme, user, path or query")
	}
	if a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(e, "["), "]")); err == nil {
		if a.Zone() != "" {
			return bad("an IP address with a zone cannot be a link host")
		}
		return a.Unmap().String(), nil
	}
	if strings.Contains(e, ":") {
		return bad("give a host name only, without a port")
	}
	base, wild := strings.CutPrefix(e, "*.")
	if strings.Contains(base, "*") {
		return bad(`"*" is only allowed as a whole first label, as in *.example.com`)
	}
	host, ok := normalHost(base)
	if !ok || !validDNSName(host) {
		return bad("not a valid host name")
	}
	if _, err := netip.ParseAddr(host); err == nil && wild {
		return bad("a wildcard cannot cover an IP address")
	}
	if numericLabel(host[strings.LastIndexByte(host, '.')+1:]) {
		// Browsers read a name whose last label is a number as an IPv4
		// address (0x7f.1 is 127.0.0.1): only the dotted-decimal form is
		// accepted, and ParseAddr took it above.
		return bad("looks like an IP address but is not a standard one")
	}
	if wild {
		if !strings.Contains(host, ".") {
			return bad("a wildcard needs a domain of at least two labels, as in *.example.com")
		}
		return "*." + host, nil
	}
	return host, nil
}

// hostIDNA maps a host as browsers do before looking it up (UTS #46,
// nontransitional, without the STD3 ASCII rules, so "_" is allowed), to
// its lower-case ASCII form.
var hostIDNA = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.Transitional(false),
	idna.StrictDomainName(false), idna.CheckHyphens(false))

// normalHost is a URL's host in the form the allowlist holds: IP addresses
// in their standard form, names lower-cased in ASCII (punycode), without a
// trailing dot. It fails for hosts that cannot be looked up.
func normalHost(h string) (string, bool) {
	if a, err := netip.ParseAddr(h); err == nil {
		if a.Zone() != "" {
			return "", false
		}
		return a.Unmap().String(), true
	}
	h = strings.TrimSuffix(h, ".")
	if h == "" {
		return "", false
	}
	ascii, err := hostIDNA.ToASCII(h)
	if err != nil || ascii == "" {
		return "", false
	}
	return strings.ToLower(ascii), true
}

// validDNSName reports whether h (normalized) is a DNS name: dot-separated
// labels of letters, digits, "-" and "_", each 1 to 63 bytes, 253 in all.
func validDNSName(h string) bool {
	if len(h) > 253 {
		return false
	}
	for _, l := range strings.Split(h, ".") {
		if l == "" || len(l) > 63 {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// numericLabel reports whether a label is a number as the URL standard's
// IPv4 parser reads one: decimal digits, or 0x and hex digits.
func numericLabel(l string) bool {
	if rest, ok := strings.CutPrefix(l, "0x"); ok {
		for i := 0; i < len(rest); i++ {
			if !strings.ContainsRune("0123456789abcdef", rune(rest[i])) {
				return false
			}
		}
		return true
	}
	if l == "" {
		return false
	}
	for i := 0; i < len(l); i++ {
		if l[i] < '0' || l[i] > '9' {
			return false
		}
	}
	return true
}

// meetingPath is the dashboard page of a meeting.
func meetingPath(id string) string { return "/meetings/" + url.PathEscape(id) }

// stateClass is the CSS class of a status badge.
func stateClass(status string) string {
	if status == "" {
		return "badge st-none"
	}
	return "badge st-" + strings.ToLower(status)
}

// stageStep is one step of a lifecycle stepper.
type stageStep struct {
	Name  string
	At    *time.Time
	Class string
	// For is how long the job stayed in this stage, when known.
	For string
}

// stages lays a lifecycle out as the steps it went through: starting,
// started (with playable for HLS), stopping, and its end.
func stages(l models.Lifecycle, playable *time.Time) []stageStep {
	steps := []stageStep{
		{Name: "starting", At: l.StartingAt},
		{Name: "started", At: l.StartedAt},
	}
	if playable != nil || l.Status == models.StagePlayable {
		steps = append(steps, stageStep{Name: "playable", At: playable})
	}
	end := string(l.Status)
	if !l.Status.Terminal() {
		end = "stopped"
	}
	steps = append(steps, stageStep{Name: "stopping", At: l.StoppingAt}, stageStep{Name: end, At: l.EndedAt})
	current := -1
	for i, s := range steps {
		if s.Name == string(l.Status) {
			current = i
		}
	}
	for i := range steps {
		switch {
		case i == current && (l.Status == models.StageFailed || l.Status == models.StageCancelled):
			steps[i].Class = "failed"
		case i == current:
			steps[i].Class = "current"
		case steps[i].At != nil:
			steps[i].Class = "done"
		case i < current:
			steps[i].Class = "skipped"
		}
		if steps[i].At != nil {
			for j := i + 1; j < len(steps); j++ {
				if steps[j].At != nil {
					steps[i].For = span(steps[j].At.Sub(*steps[i].At))
					break
				}
			}
		}
	}
	return steps
}

// duration is how long an attendance lasted, or "" when unknown.
func duration(a models.Attendance) string {
	if a.JoinedAt == nil || a.LeftAt == nil {
		return ""
	}
	return span(a.LeftAt.Sub(*a.JoinedAt))
}

// names lists participants' names (or ids) for a room card.
func displayName(p models.Participant) string {
	if p.Name != "" {
		return p.Name
	}
	return p.ParticipantID
}

func pageLink(path, filter string, page int) string {
	v := url.Values{}
	if filter != "" {
		v.Set("meeting", filter)
	}
	if page > 1 {
		v.Set("page", fmt.Sprint(page))
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// boardRange says which live rooms a page of the board shows.
func boardRange(b models.LiveBoard) string {
	switch {
	case len(b.Rooms) == 0:
		return fmt.Sprintf("No live room on page %d", b.Page)
	case b.Before == 0:
		return fmt.Sprintf("The %d most recently active of %d live rooms", len(b.Rooms), b.Live)
	}
	return fmt.Sprintf("Live rooms %d–%d of %d, by latest activity", b.Before+1, b.Before+len(b.Rooms), b.Live)
}

// previousRoomsPage is where the board's link to more recently active
// rooms goes: the page before, or the first from a page past the end.
func previousRoomsPage(b models.LiveBoard) int {
	if len(b.Rooms) == 0 {
		return 1
	}
	return b.Page - 1
}

// fileLabel names a recording's file link.
func fileLabel(i int, f models.File) string {
	name := f.Path
	if name == "" {
		name = f.URL
	}
	if j := strings.LastIndexByte(name, '/'); j >= 0 && j < len(name)-1 {
		name = name[j+1:]
	}
	if name == "" {
		name = fmt.Sprintf("file %d", i+1)
	}
	return name
}

// liveAttrs connect a page's main element to its live topic; a page
// without one (an error page) gets none, and its dot says "Not live".
func liveAttrs(url string) templ.Attributes {
	if url == "" {
		return templ.Attributes{}
	}
	return templ.Attributes{"hx-ext": "ws", "ws-connect": url}
}

// roomID is a room card's element id: one card per live session.
func roomID(r models.Room) string {
	return "room-" + r.Meeting.Provider + "-" + r.Meeting.MeetingID + "-" + r.Session.SessionID
}

// count writes a number with its noun: 1 call, 2 calls.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// sessionStart is when a session began: the provider's start time, or when
// its first event arrived.
func sessionStart(s models.Session) time.Time {
	if s.StartedAt != nil {
		return *s.StartedAt
	}
	return s.FirstSeenAt
}

// sessionEnd is when a session ended, or when it was last heard of if it
// went stale.
func sessionEnd(s models.Session) *time.Time {
	if s.EndedAt != nil {
		return s.EndedAt
	}
	t := s.LastEventAt
	return &t
}

// jobStatus is the status of a room's job, "" when it has none.
func jobStatus(j any) string {
	switch x := j.(type) {
	case *models.Recording:
		if x != nil {
			return string(x.Status)
		}
	case *models.Stream:
		if x != nil {
			return string(x.Status)
		}
	case *models.Transcription:
		if x != nil {
			return string(x.Status)
		}
	case *models.AgentSession:
		if x != nil {
			return string(x.Status)
		}
	}
	return ""
}

// truncated reports whether a limited read left rows out of d.
func truncated(d *models.MeetingDetail) bool {
	t := d.Totals
	return len(d.Sessions) < t.Sessions || len(d.Participants) < t.Participants || len(d.Recordings) < t.Recordings ||
		len(d.Streams) < t.Streams || len(d.Transcriptions) < t.Transcriptions || len(d.Calls) < t.Calls || len(d.Agents) < t.Agents
}

// latestSession is a meeting's most recent session.
func latestSession(ss []models.Session) *models.Session {
	if len(ss) == 0 {
		return nil
	}
	return &ss[len(ss)-1]
}

// messageClass shows a failure's message as an error.
func messageClass(l models.Lifecycle) string {
	if l.Status == models.StageFailed || l.Status == models.StageCancelled {
		return "error"
	}
	return "muted"
}

func streamLabel(k models.StreamKind) string {
	if k == models.StreamHLS {
		return "HLS"
	}
	return "livestream"
}

// callRows pairs a meeting's calls with its id, for the calls table.
func callRows(d *models.MeetingDetail) []models.CallRow {
	rows := make([]models.CallRow, len(d.Calls))
	for i, c := range d.Calls {
		rows[i] = models.CallRow{Call: c, MeetingID: d.Meeting.MeetingID}
	}
	return rows
}

func filteredBy(filter string) string {
	if filter == "" {
		return ""
	}
	return " for meeting " + filter
}

// stepTime is when a call step happened: the provider's time, else when it
// arrived.
func stepTime(s models.CallStep) *time.Time {
	if s.At != nil {
		return s.At
	}
	return &s.ReceivedAt
}

func outcomeClass(o string) string {
	switch o {
	case models.OutcomeError:
		return "badge st-failed"
	case models.OutcomeApplied:
		return "badge st-started"
	}
	return "badge st-none"
}

// eventRowID is the element id of an event's row in an events table.
func eventRowID(id uint64) string { return "event-" + strconv.FormatUint(id, 10) }
