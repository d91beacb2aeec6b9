package models

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// ProblemRefused is refused webhook deliveries: one problem per provider,
// refusal kind and hour, counted from refusal_counts (see refusals.go).
const ProblemRefused ProblemKind = "deliveries-refused"

// refusedWindow is how far back refused deliveries are problems: as far
// as their counts are kept.
const refusedWindow = 24 * time.Hour

// refusedDeliveries reads the refused deliveries of the last day, grouped
// by provider, kind of refusal and hour: each group is one problem, at the
// time of its last refusal, linking to the provider's health page. There
// are at most a few hundred groups (providers × kinds × 24), read through
// the counts' minute key. Refusals name no meeting, so a meeting filter
// leaves them out.
func (s *Store) refusedDeliveries(ctx context.Context, w problemWindow) ([]Problem, error) {
	if w.f.Prefix != "" {
		return nil, nil
	}
	since := time.Now().Add(-refusedWindow).Unix() / 60
	q := s.db.WithContext(ctx).Table(`(SELECT provider, kind, minute / 60 AS hour, SUM(deliveries) AS deliveries,
			COUNT(DISTINCT source) AS sources, MAX(last_at) AS at
		FROM refusal_counts WHERE minute >= ? GROUP BY provider, kind, minute / 60) AS r`, since).
		Select("r.provider, r.kind, r.hour, r.deliveries, r.sources, r.at")
	var rows []struct {
		Provider, Kind string
		Hour           uint64
		Deliveries     int64
		Sources        int
		At             sqlTime
	}
	if err := w.apply(q, "r.at", "r.hour", "''", 0).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Problem, len(rows))
	for i, r := range rows {
		// Source addresses past the ones counted apart are counted as one
		// ("other"), so the number of addresses is at least this.
		out[i] = Problem{At: r.At.UTC(), What: refusalWords(r.Kind), Provider: r.Provider,
			Reason: fmt.Sprintf("%s refused in the hour, from %s", plural(int(r.Deliveries), "delivery", "deliveries"),
				plural(r.Sources, "address", "addresses")),
			Link: "/providers/" + url.PathEscape(r.Provider), Ref: r.Hour}
	}
	return out, nil
}

// refusalWords is a kind of refusal in words: "bad signature".
func refusalWords(kind string) string { return strings.ReplaceAll(kind, "-", " ") }
