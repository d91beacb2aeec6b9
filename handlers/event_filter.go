package handlers

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/meetboard/meetboard/handlers/webhooks"
	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/views"
)

// logFilter is how the event log is filtered besides its meeting filter:
// by provider, type, outcome and arrival time. It is kept canonical, since
// the event log's live topic names it: a provider of the registry, an
// outcome of models.LogOutcomes, a type of at most models.MaxEventTypeLength
// bytes, and times in whole minutes, UTC, so that a time range does not make
// a new topic for every second (the live caps per session and address
// bound how many a browser may watch).
type logFilter struct {
	Provider string
	Type     string
	Outcome  string
	From, To time.Time
}

// filterTimeLayouts are the forms a time of the filter may take: what a
// browser's datetime-local field sends (read as UTC), with a zone, RFC
// 3339 to the second or beyond, or a day.
var filterTimeLayouts = []string{"2006-01-02T15:04", views.FilterTimeLayout, time.RFC3339Nano, "2006-01-02"}

// parseLogFilter reads the filter from a query. Empty parameters filter
// nothing; anything it does not know is an error naming what it takes.
func parseLogFilter(v url.Values) (logFilter, error) {
	f := logFilter{
		Provider: strings.ToLower(strings.TrimSpace(v.Get("provider"))),
		Type:     strings.TrimSpace(v.Get("type")),
		Outcome:  strings.ToLower(strings.TrimSpace(v.Get("outcome"))),
	}
	if f.Provider != "" {
		if _, ok := webhooks.Find(webhooks.Providers(), f.Provider); !ok {
			return logFilter{}, fmt.Errorf("provider must be one of %s; got %.40q", strings.Join(providerNames(), ", "), v.Get("provider"))
		}
	}
	if len(f.Type) > models.MaxEventTypeLength {
		return logFilter{}, fmt.Errorf("an event type is at most %d bytes, got %d", models.MaxEventTypeLength, len(f.Type))
	}
	if f.Outcome != "" && !slices.Contains(models.LogOutcomes(), f.Outcome) {
		return logFilter{}, fmt.Errorf("outcome must be one of %s; got %.40q", strings.Join(models.LogOutcomes(), ", "), v.Get("outcome"))
	}
	var err error
	if f.From, err = filterTime("from", v.Get("from")); err != nil {
		return logFilter{}, err
	}
	if f.To, err = filterTime("to", v.Get("to")); err != nil {
		return logFilter{}, err
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return logFilter{}, fmt.Errorf("from must be before to")
	}
	return f, nil
}

// filterTime reads one end of the time range, cut to the minute.
func filterTime(name, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range filterTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 2000 || t.Year() > 2200 {
				break
			}
			return t.UTC().Truncate(time.Minute), nil
		}
	}
	return time.Time{}, fmt.Errorf("%s must be a time such as 2026-03-05T14:30 (UTC) or 2026-03-05T14:30+02:00; got %.40q", name, s)
}

// providerNames are the registry's providers' names.
func providerNames() []string {
	var out []string
	for _, p := range webhooks.Providers() {
		out = append(out, p.Name)
	}
	return out
}

// set adds the filter to a topic's or link's parameters.
func (f logFilter) set(v url.Values) {
	for k, s := range map[string]string{"provider": f.Provider, "type": f.Type, "outcome": f.Outcome,
		"from": formatFilterTime(f.From), "to": formatFilterTime(f.To)} {
		if s != "" {
			v.Set(k, s)
		}
	}
}

// zero reports whether the filter keeps every event.
func (f logFilter) zero() bool {
	return f.Provider == "" && f.Type == "" && f.Outcome == "" && f.From.IsZero() && f.To.IsZero()
}

// apply puts the filter into a read of the log.
func (f logFilter) apply(ef models.EventFilter) models.EventFilter {
	ef.Provider, ef.Type, ef.Outcome, ef.From, ef.To = f.Provider, f.Type, f.Outcome, f.From, f.To
	return ef
}

// form is the filter as the event log's page shows it.
func (f logFilter) form(meeting string) views.LogFilter {
	return views.LogFilter{Meeting: meeting, Provider: f.Provider, Type: f.Type, Outcome: f.Outcome, From: f.From, To: f.To,
		Providers: providerNames(), Outcomes: models.LogOutcomes()}
}

func formatFilterTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(views.FilterTimeLayout)
}

// queryValues is a request's query as url.Values.
func queryValues(c *fiber.Ctx) url.Values {
	v := url.Values{}
	for k, val := range c.Queries() {
		v.Set(k, val)
	}
	return v
}
