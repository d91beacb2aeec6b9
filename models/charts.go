package models

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ChartRange is a span of time the charts show, ending now, in buckets of
// one width.
type ChartRange struct {
	// Name is how a URL names it: hour, day or week.
	Name   string
	Span   time.Duration
	Bucket time.Duration
}

// Buckets is how many buckets the range shows.
func (r ChartRange) Buckets() int { return int(r.Span / r.Bucket) }

// ChartRanges lists the ranges the charts show, shortest first; the first
// is the default.
func ChartRanges() []ChartRange {
	return []ChartRange{
		{"hour", time.Hour, time.Minute},
		{"day", 24 * time.Hour, 5 * time.Minute},
		{"week", 7 * 24 * time.Hour, time.Hour},
	}
}

// ParseChartRange finds a range by name; "" is the default, the hour.
func ParseChartRange(name string) (ChartRange, error) {
	ranges := ChartRanges()
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" {
		return ranges[0], nil
	}
	names := make([]string, len(ranges))
	for i, r := range ranges {
		if r.Name == name {
			return r, nil
		}
		names[i] = r.Name
	}
	return ChartRange{}, fmt.Errorf("range must be one of %s; got %.40q", strings.Join(names, ", "), name)
}

// Charts are the rollups of a range: every series, a value per bucket.
type Charts struct {
	Range         string `json:"range"`
	BucketSeconds int    `json:"bucketSeconds"`
	// Start is the first bucket's start; bucket i starts i buckets later,
	// and the last is the one now is in, so far.
	Start   time.Time     `json:"start"`
	Buckets int           `json:"buckets"`
	Series  []ChartSeries `json:"series"`
}

// ChartSeries is one line or one stack of a chart.
type ChartSeries struct {
	Series string `json:"series"`
	// Label is the provider/outcome of deliveries, the kind of failures,
	// "" for the gauges.
	Label string `json:"label,omitempty"`
	// Values holds a number per bucket. A counter's is the sum of its
	// minutes (0 when nothing came). A gauge's is its highest sample in
	// the bucket, or null where none was taken (the dashboard was not
	// running, or was applying a rebuild).
	Values []*int64 `json:"values"`
}

// Of returns the series of a name and label, nil when the range has none.
func (c Charts) Of(series, label string) *ChartSeries {
	for i := range c.Series {
		if c.Series[i].Series == series && c.Series[i].Label == label {
			return &c.Series[i]
		}
	}
	return nil
}

// maxChartLabels bounds the labels a chart read takes per bucket: the
// providers times the outcomes, the kinds of failure and the gauges are
// far fewer (21 with today's three providers).
const maxChartLabels = 128

// Charts reads the rollups of a range ending at now: the gauges (always,
// null where unsampled), the deliveries of every provider and outcome that
// has any in the range, and the failures of every kind (0 where none).
// It reads the range's buckets of one width only, at most a few hundred
// per label, through the rollups' primary key: its cost does not grow with
// the history kept or the events logged.
func (s *Store) Charts(ctx context.Context, r ChartRange, now time.Time) (Charts, error) {
	n := r.Buckets()
	w := int64(r.Bucket / time.Second)
	last := floorTo(now.Unix(), w)
	first := last - int64(n-1)*w
	c := Charts{Range: r.Name, BucketSeconds: int(w), Start: time.Unix(first, 0).UTC(), Buckets: n}
	// Scanned by hand: a day's chart reads a few thousand rows, and
	// GORM's reflection would cost more than the database.
	rows, err := s.db.WithContext(ctx).Raw(`SELECT bucket, series, label, value FROM rollups
		WHERE width = ? AND bucket >= ? AND bucket <= ? LIMIT ?`, w, first, last, n*maxChartLabels).Rows()
	if err != nil {
		return c, err
	}
	defer rows.Close()
	index := map[[2]string]int{}
	series := func(name, label string, zero bool) *ChartSeries {
		k := [2]string{name, label}
		if i, ok := index[k]; ok {
			return &c.Series[i]
		}
		cs := ChartSeries{Series: name, Label: label, Values: make([]*int64, n)}
		if zero {
			for i := range cs.Values {
				cs.Values[i] = new(int64)
			}
		}
		index[k] = len(c.Series)
		c.Series = append(c.Series, cs)
		return &c.Series[len(c.Series)-1]
	}
	series(SeriesRooms, "", false)
	series(SeriesPeople, "", false)
	for _, k := range FailureKinds() {
		series(SeriesFailures, k, true)
	}
	for rows.Next() {
		var bucket, v int64
		var name, label string
		if err := rows.Scan(&bucket, &name, &label, &v); err != nil {
			return c, err
		}
		gauge := name == SeriesRooms || name == SeriesPeople
		series(name, label, !gauge).Values[(bucket-first)/w] = &v
	}
	if err := rows.Err(); err != nil {
		return c, err
	}
	// Gauges, deliveries by label, failures in FailureKinds' order.
	kinds := FailureKinds()
	slices.SortStableFunc(c.Series, func(a, b ChartSeries) int {
		if n := cmp.Compare(seriesRank(a.Series), seriesRank(b.Series)); n != 0 {
			return n
		}
		if a.Series == SeriesFailures {
			return cmp.Compare(slices.Index(kinds, a.Label), slices.Index(kinds, b.Label))
		}
		return cmp.Compare(a.Label, b.Label)
	})
	return c, nil
}

// seriesRank orders the series: gauges, deliveries, failures, others.
func seriesRank(name string) int {
	switch name {
	case SeriesRooms:
		return 0
	case SeriesPeople:
		return 1
	case SeriesDeliveries:
		return 2
	case SeriesFailures:
		return 3
	}
	return 4
}
