package models

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// OutcomeRefused labels, in the charts' deliveries, those refused before
// the event log (any kind of refusal).
const OutcomeRefused = "refused"

// Refusal kinds: why a webhook delivery was answered with an error and not
// logged.
const (
	RefusedSignature   = "bad-signature"        // 401: signature or token wrong or missing
	RefusedMalformed   = "malformed"            // 400: not decodable
	RefusedTooLarge    = "too-large"            // 413: body over the limit
	RefusedEncoding    = "unsupported-encoding" // 415: a Content-Encoding other than gzip
	RefusedRateLimited = "rate-limited"         // 429: too many failures from its address
	RefusedUnavailable = "unavailable"          // 503: the database could not take it
	RefusedBusy        = "busy"                 // 503: too many bodies in flight at once
)

// RefusalKinds lists the refusal kinds in the order pages show them.
func RefusalKinds() []string {
	return []string{RefusedSignature, RefusedMalformed, RefusedTooLarge, RefusedEncoding,
		RefusedRateLimited, RefusedUnavailable, RefusedBusy}
}

// What is kept of one refusal is bounded: its excerpt, reason and source
// are cut to these many bytes (at a character boundary).
const (
	// MaxRefusalExcerpt is how much of a refused body is kept.
	MaxRefusalExcerpt = 512
	// MaxRefusalReason is how much of the reason (the answer's error
	// message, which may quote the body) is kept.
	MaxRefusalReason = 512
	maxRefusalSource = 64
	maxRefusalName   = 64
)

// Defaults of StoreOptions.RefusalsKept and RefusalsPerMinute.
const (
	DefaultRefusalsKept      = 10_000
	DefaultRefusalsPerMinute = 120
)

const (
	// refusalSourcesPerMinute is how many source addresses an instance
	// counts apart in one minute; refusals from further addresses are
	// counted together, under the source "".
	refusalSourcesPerMinute = 100
	// maxRefusalCountRows bounds the count rows waiting to be written.
	maxRefusalCountRows = 2048
)

// Refusal is one webhook delivery that was answered with an error and not
// logged: a bad signature, a body that does not decode or is too large,
// and the rest of RefusalKinds. Everything in it is bounded in bytes (see
// RecordRefusal).
type Refusal struct {
	ID         uint64    `gorm:"primaryKey" json:"id"`
	Provider   string    `json:"provider"`
	ReceivedAt time.Time `json:"receivedAt"`
	// Kind is one of RefusalKinds.
	Kind string `json:"kind"`
	// Status is the HTTP status it was answered with.
	Status int `json:"status"`
	// Reason is the answer's error message, at most MaxRefusalReason bytes
	// of valid UTF-8.
	Reason string `json:"reason"`
	// Source is the sender's address (as the rate limits see it).
	Source string `json:"source"`
	// BodySize is how many bytes of the body were read; -1 when it was
	// not read (too large, or in an unsupported encoding).
	BodySize int64 `json:"bodySize"`
	// Excerpt is the body's first bytes, at most MaxRefusalExcerpt, as
	// received: show it through ExcerptText.
	Excerpt []byte `json:"-"`
}

// ExcerptText is the excerpt as text that is safe to show as such: valid
// UTF-8 is kept, except control characters other than newline and tab,
// which, like bytes that are not UTF-8, are written \xNN (and a backslash
// as two). It is still text from a stranger: escape it for HTML like any
// other.
func (r Refusal) ExcerptText() string {
	var b strings.Builder
	const hex = "0123456789abcdef"
	for i := 0; i < len(r.Excerpt); {
		c, size := utf8.DecodeRune(r.Excerpt[i:])
		switch {
		case c == utf8.RuneError && size <= 1, c < 0x20 && c != '\n' && c != '\t', c == 0x7f:
			b.WriteString(`\x`)
			b.WriteByte(hex[r.Excerpt[i]>>4])
			b.WriteByte(hex[r.Excerpt[i]&0xf])
			size = 1
		case c == '\\':
			b.WriteString(`\\`)
		default:
			b.Write(r.Excerpt[i : i+size])
		}
		i += size
	}
	return b.String()
}

// ExcerptCut reports whether the body was longer than its excerpt.
func (r Refusal) ExcerptCut() bool { return r.BodySize > int64(len(r.Excerpt)) }

// refusalCount counts the refusals of one minute, provider, kind and
// source address.
type refusalCount struct {
	Minute     int64  `gorm:"primaryKey;autoIncrement:false"` // Unix time / 60
	Provider   string `gorm:"primaryKey"`
	Kind       string `gorm:"primaryKey"`
	Source     string `gorm:"primaryKey"`
	Deliveries int64
	LastAt     time.Time
}

type refusalKey struct {
	minute                 int64
	provider, kind, source string
}

// RefusalStats says what became of the refusals this store recorded. They
// are this instance's figures, not shared.
type RefusalStats struct {
	// Recorded is how many refusals RecordRefusal took.
	Recorded uint64
	// Written is how many of them were counted in the database.
	Written uint64
	// Dropped is how many were lost: more were waiting than the store
	// holds in memory, or their write failed.
	Dropped uint64
	// Held is how many rows (refusals kept whole, and counts) wait in
	// memory to be written or are being written; at most MaxRefusalsHeld.
	Held int
	// PerMinute and Kept are the store's bounds: refusals kept whole a
	// minute by this instance, and in all (StoreOptions.RefusalsPerMinute
	// and RefusalsKept).
	PerMinute, Kept int
}

// refusalQueue holds the refusals recorded and not written yet, bounded:
// at most twice the refusals kept a minute, and maxRefusalCountRows
// counts. What does not fit is dropped and counted; a write that fails is
// dropped too, so a database that is down never makes refusals pile up.
type refusalQueue struct {
	perMinute int
	wake      chan struct{}

	mu       sync.Mutex
	minute   int64           // the minute the quota and sources are of
	kept     int             // refusals kept whole in that minute
	sources  map[string]bool // addresses counted apart in that minute
	rows     []Refusal
	counts   map[refusalKey]*refusalCount
	inFlight int // rows being written

	recorded, written, dropped uint64 // see RefusalStats
}

func newRefusalQueue(perMinute int) *refusalQueue {
	return &refusalQueue{perMinute: perMinute, wake: make(chan struct{}, 1),
		sources: map[string]bool{}, counts: map[refusalKey]*refusalCount{}}
}

// maxRows is how many refusals kept whole may wait at once.
func (q *refusalQueue) maxRows() int { return 2 * q.perMinute }

// MaxRefusalsHeld is the most rows RefusalStats.Held may be for a store
// keeping perMinute refusals whole a minute: a batch being written and
// the next one waiting.
func MaxRefusalsHeld(perMinute int) int { return 2 * (2*perMinute + maxRefusalCountRows) }

// RecordRefusal counts a refused delivery and, within the minute's quota
// (StoreOptions.RefusalsPerMinute; never for rate-limited ones, which come
// in floods), keeps it whole, with the first MaxRefusalExcerpt bytes of
// body (copied: the caller keeps its buffer). It never blocks and never
// touches the database: a writer goroutine writes what was recorded, in
// one transaction a second at most, and tells the change feed. Strings are
// copied, cut to their bounds and made valid UTF-8 without NUL bytes.
func (s *Store) RecordRefusal(r Refusal, body []byte) {
	r.ID = 0
	r.Provider = boundText(r.Provider, maxRefusalName)
	r.Kind = boundText(r.Kind, maxRefusalName)
	r.Reason = boundText(r.Reason, MaxRefusalReason)
	r.Source = boundText(r.Source, maxRefusalSource)
	if r.ReceivedAt.IsZero() {
		r.ReceivedAt = time.Now()
	}
	r.ReceivedAt = r.ReceivedAt.UTC()
	r.Excerpt = nil
	if body != nil {
		r.BodySize = int64(len(body))
		r.Excerpt = slices.Clone(body[:min(len(body), MaxRefusalExcerpt)])
	}
	q := s.refusals
	minute := r.ReceivedAt.Unix() / 60
	q.mu.Lock()
	q.recorded++
	if minute != q.minute {
		q.minute, q.kept = minute, 0
		clear(q.sources)
	}
	source := r.Source
	if !q.sources[source] {
		if len(q.sources) < refusalSourcesPerMinute {
			q.sources[source] = true
		} else {
			source = ""
		}
	}
	k := refusalKey{minute: minute, provider: r.Provider, kind: r.Kind, source: source}
	c := q.counts[k]
	if c == nil {
		if len(q.counts) >= maxRefusalCountRows {
			q.dropped++
			q.mu.Unlock()
			return
		}
		c = &refusalCount{Minute: minute, Provider: r.Provider, Kind: r.Kind, Source: source}
		q.counts[k] = c
	}
	c.Deliveries++
	c.LastAt = maxTime(c.LastAt, r.ReceivedAt)
	if r.Kind != RefusedRateLimited && q.kept < q.perMinute {
		q.kept++
		if len(q.rows) < q.maxRows() {
			q.rows = append(q.rows, r)
		}
	}
	q.mu.Unlock()
	poke(q.wake)
}

// RefusalStats reports what became of the refusals recorded so far.
func (s *Store) RefusalStats() RefusalStats {
	q := s.refusals
	q.mu.Lock()
	defer q.mu.Unlock()
	return RefusalStats{Recorded: q.recorded, Written: q.written, Dropped: q.dropped,
		Held: len(q.rows) + len(q.counts) + q.inFlight, PerMinute: s.opts.RefusalsPerMinute, Kept: s.opts.RefusalsKept}
}

// RecentRefusals lists the refusals kept whole that were received at or
// after since, newest first, at most limit (1 to 500; 0 means 50). Only
// some refusals are kept whole (see RecordRefusal): count them with
// ProviderHealth.
func (s *Store) RecentRefusals(ctx context.Context, since time.Time, limit int) ([]Refusal, error) {
	var rows []Refusal
	err := s.db.WithContext(ctx).Where("received_at >= ?", since.UTC()).
		Order("received_at DESC, id DESC").Limit(listLimit(limit)).Find(&rows).Error
	return rows, err
}

// recentRefusalsOf is RecentRefusals of one provider, however old.
func (s *Store) recentRefusalsOf(ctx context.Context, provider string, limit int) ([]Refusal, error) {
	var rows []Refusal
	err := s.db.WithContext(ctx).Where("provider = ?", provider).
		Order("received_at DESC, id DESC").Limit(listLimit(limit)).Find(&rows).Error
	return rows, err
}

// listLimit bounds a list's length: 1 to 500, 0 (or less) meaning 50.
func listLimit(n int) int {
	switch {
	case n <= 0:
		return 50
	case n > 500:
		return 500
	}
	return n
}

// boundText is s cut to at most n bytes at a character boundary, as valid
// UTF-8 without NUL bytes (PostgreSQL's text takes neither), in memory of
// its own.
func boundText(s string, n int) string {
	if len(s) > n+utf8.UTFMax {
		s = s[:n+utf8.UTFMax]
	}
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
	}
	if len(s) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return strings.Clone(s)
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
