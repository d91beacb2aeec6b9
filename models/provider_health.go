package models

import (
	"context"
	"sync"
	"time"
)

// HealthMinutes is how many minutes ProviderHealth.PerMinute covers.
const HealthMinutes = 60

// healthDayMinutes is the longest window ProviderHealth counts: a day.
const healthDayMinutes = 24 * 60

// healthSettle is how long after a minute ends its counts are taken as
// final and cached: deliveries commit within the ingest timeout of their
// arrival, and refusals are written within seconds of theirs.
const healthSettle = 15 * time.Second

// ProviderHealth is how one provider's webhook deliveries have fared
// lately. Every figure comes from the database, so it counts the
// deliveries of every instance sharing it: accepted ones from the event
// log, refused ones from the refusal counts (see RecordRefusal).
type ProviderHealth struct {
	Provider string `json:"provider"`
	// LastAccepted is the arrival of the newest delivery in the event log,
	// LastRefused that of the newest refusal recorded (counts are kept a
	// day, refusals kept whole longer); nil when there is none.
	LastAccepted *time.Time `json:"lastAccepted"`
	LastRefused  *time.Time `json:"lastRefused"`
	// PerMinute counts the deliveries of each of the last HealthMinutes
	// minutes, oldest first; the last is the current minute so far.
	PerMinute []DeliveryMinute `json:"perMinute"`
	// LastHour and LastDay count the deliveries of the last 60 and 1,440
	// minutes, the current one included.
	LastHour DeliveryCounts `json:"lastHour"`
	LastDay  DeliveryCounts `json:"lastDay"`
	// Refusals are the newest refusals kept whole, newest first.
	Refusals []Refusal `json:"refusals"`
}

// LastReceived is the arrival of the newest delivery, accepted or
// refused; nil when there is none.
func (h ProviderHealth) LastReceived() *time.Time {
	switch {
	case h.LastAccepted == nil:
		return h.LastRefused
	case h.LastRefused == nil || h.LastAccepted.After(*h.LastRefused):
		return h.LastAccepted
	}
	return h.LastRefused
}

// DeliveryMinute counts one minute's deliveries.
type DeliveryMinute struct {
	Start    time.Time `json:"start"`
	Accepted int64     `json:"accepted"`
	Refused  int64     `json:"refused"`
}

// DeliveryCounts counts the deliveries of a window: accepted into the
// event log, and refused, by refusal kind.
type DeliveryCounts struct {
	Accepted int64            `json:"accepted"`
	Refused  int64            `json:"refused"`
	ByKind   map[string]int64 `json:"byKind"`
}

// minuteTally is one provider's deliveries in one minute.
type minuteTally struct {
	accepted int64
	refused  map[string]int64 // by kind
}

// healthCache keeps, per provider, the tallies of minutes that are over
// (settled), so ProviderHealth reads from the database only the minutes
// it has not seen settled: the last one or two, and at first the day
// before them. It holds at most a day of minutes per provider.
type healthCache struct {
	mu      sync.Mutex
	minutes map[string]map[int64]*minuteTally
	through map[string]int64 // minutes before this one are cached
}

// ProviderHealth reports on each of providers at now: the last delivery
// accepted and refused, the deliveries of each minute of the last hour,
// counts over the last hour and day, and its newest recent refusals kept
// whole. The event log is read only within the day before now, through
// the index on provider and arrival.
func (s *Store) ProviderHealth(ctx context.Context, providers []string, now time.Time, recent int) ([]ProviderHealth, error) {
	tallies, err := s.healthTallies(ctx, providers, now)
	if err != nil {
		return nil, err
	}
	nowMin := now.Unix() / 60
	out := make([]ProviderHealth, len(providers))
	for i, p := range providers {
		h := ProviderHealth{Provider: p, PerMinute: make([]DeliveryMinute, HealthMinutes),
			LastHour: DeliveryCounts{ByKind: map[string]int64{}}, LastDay: DeliveryCounts{ByKind: map[string]int64{}}}
		for j := range h.PerMinute {
			m := nowMin - HealthMinutes + 1 + int64(j)
			h.PerMinute[j].Start = time.Unix(m*60, 0).UTC()
		}
		for m, t := range tallies[p] {
			age := nowMin - m
			if age < 0 || age >= healthDayMinutes {
				continue
			}
			var refused int64
			for kind, n := range t.refused {
				refused += n
				h.LastDay.ByKind[kind] += n
				if age < HealthMinutes {
					h.LastHour.ByKind[kind] += n
				}
			}
			h.LastDay.Accepted += t.accepted
			h.LastDay.Refused += refused
			if age < HealthMinutes {
				h.LastHour.Accepted += t.accepted
				h.LastHour.Refused += refused
				j := HealthMinutes - 1 - age
				h.PerMinute[j].Accepted, h.PerMinute[j].Refused = t.accepted, refused
			}
		}
		if h.LastAccepted, err = s.newest(ctx, "raw_events", "received_at DESC", "received_at", p); err != nil {
			return nil, err
		}
		counted, err := s.newest(ctx, "refusal_counts", "minute DESC, last_at DESC", "last_at", p)
		if err != nil {
			return nil, err
		}
		kept, err := s.newest(ctx, "refusals", "received_at DESC", "received_at", p)
		if err != nil {
			return nil, err
		}
		h.LastRefused = counted
		if kept != nil && (counted == nil || kept.After(*counted)) {
			h.LastRefused = kept
		}
		if recent > 0 {
			if h.Refusals, err = s.recentRefusalsOf(ctx, p, recent); err != nil {
				return nil, err
			}
		}
		out[i] = h
	}
	return out, nil
}

// newest is a time column of a provider's first row in an order that an
// index on provider and the order's columns serves; nil when it has none.
func (s *Store) newest(ctx context.Context, table, order, column, provider string) (*time.Time, error) {
	var t []time.Time
	err := s.db.WithContext(ctx).Table(table).Where("provider = ?", provider).
		Order(order).Limit(1).Pluck(column, &t).Error
	if err != nil || len(t) == 0 {
		return nil, err
	}
	at := t[0].UTC()
	return &at, nil
}

// healthTallies returns the providers' tallies of the day of minutes
// before now: the settled ones from the cache, after reading those it
// lacks, and the rest from the database.
func (s *Store) healthTallies(ctx context.Context, providers []string, now time.Time) (map[string]map[int64]*minuteTally, error) {
	c := &s.health
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.minutes == nil {
		c.minutes, c.through = map[string]map[int64]*minuteTally{}, map[string]int64{}
	}
	nowMin := now.Unix() / 60
	first := nowMin - healthDayMinutes + 1
	settled := max(now.Add(-healthSettle).Unix()/60, first)
	from := settled
	for _, p := range providers {
		from = min(from, max(c.through[p], first))
	}
	if from < settled {
		read, err := s.countMinutes(ctx, providers, from, settled)
		if err != nil {
			return nil, err
		}
		for _, p := range providers {
			cached := c.minutes[p]
			if cached == nil {
				cached = map[int64]*minuteTally{}
				c.minutes[p] = cached
			}
			for m := range cached {
				if m < first {
					delete(cached, m)
				}
			}
			for m, t := range read[p] {
				if m >= max(c.through[p], first) {
					cached[m] = t
				}
			}
			c.through[p] = settled
		}
	}
	tail, err := s.countMinutes(ctx, providers, settled, nowMin+1)
	if err != nil {
		return nil, err
	}
	out := make(map[string]map[int64]*minuteTally, len(providers))
	for _, p := range providers {
		out[p] = make(map[int64]*minuteTally, len(c.minutes[p])+len(tail[p]))
		for m, t := range c.minutes[p] {
			if m >= first {
				out[p][m] = t
			}
		}
		for m, t := range tail[p] {
			out[p][m] = t
		}
	}
	return out, nil
}

// countMinutes counts the providers' deliveries of the minutes from, up
// to to (minutes are Unix time / 60): accepted ones in the event log,
// refused ones in the refusal counts.
func (s *Store) countMinutes(ctx context.Context, providers []string, from, to int64) (map[string]map[int64]*minuteTally, error) {
	out := map[string]map[int64]*minuteTally{}
	tally := func(p string, m int64) *minuteTally {
		if out[p] == nil {
			out[p] = map[int64]*minuteTally{}
		}
		t := out[p][m]
		if t == nil {
			t = &minuteTally{refused: map[string]int64{}}
			out[p][m] = t
		}
		return t
	}
	if len(providers) == 0 || from >= to {
		return out, nil
	}
	minute := "CAST(strftime('%s', received_at) AS INTEGER) / 60"
	if isPostgres(s.db) {
		minute = "CAST(floor(extract(epoch FROM received_at) / 60) AS BIGINT)"
	}
	var accepted []struct {
		Provider string
		Minute   int64
		N        int64
	}
	err := s.db.WithContext(ctx).Table("raw_events").Select("provider, "+minute+" AS minute, COUNT(*) AS n").
		Where("provider IN ? AND received_at >= ? AND received_at < ?", providers, time.Unix(from*60, 0).UTC(), time.Unix(to*60, 0).UTC()).
		Group("provider, minute").Scan(&accepted).Error
	if err != nil {
		return nil, err
	}
	for _, r := range accepted {
		tally(r.Provider, r.Minute).accepted += r.N
	}
	var refused []struct {
		Provider string
		Minute   int64
		Kind     string
		N        int64
	}
	err = s.db.WithContext(ctx).Table("refusal_counts").Select("provider, minute, kind, SUM(deliveries) AS n").
		Where("minute >= ? AND minute < ? AND provider IN ?", from, to, providers).
		Group("provider, minute, kind").Scan(&refused).Error
	if err != nil {
		return nil, err
	}
	for _, r := range refused {
		tally(r.Provider, r.Minute).refused[r.Kind] += r.N
	}
	return out, nil
}
