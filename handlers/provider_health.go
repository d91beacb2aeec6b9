package handlers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/meetboard/meetboard/handlers/webhooks"
	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/views"
)

// How many of its newest refusals kept whole are shown of each provider:
// on the providers page (and in GET /api/providers), and on a provider's
// own page (and GET /api/providers/<name>).
const (
	providersRefusals = 5
	providerRefusals  = 50
)

// maxProviderName bounds a provider name in a topic; registry names are
// far shorter.
const maxProviderName = 64

// providerTopic is the topic of the providers page, or of one provider's
// page. A provider's name is checked for its form only: the page of a
// name the registry does not know says so.
func providerTopic(kind, provider string) (topic, error) {
	t := topic{Kind: kind, Page: 1}
	if kind == pageProviders {
		return t, nil
	}
	if provider == "" || len(provider) > maxProviderName || strings.Trim(provider, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		return topic{}, fmt.Errorf("a provider topic needs a provider name (lower-case letters, digits and '-'), got %q", provider)
	}
	t.Provider = provider
	return t, nil
}

// loadProviderHealth reads the providers page, or one provider's page.
func (h *Handler) loadProviderHealth(ctx context.Context, t topic, meta views.Meta) (views.Meta, []views.Fragment, error) {
	meta.Nav, meta.Path, meta.Filter = "/providers", "", ""
	stats := h.cfg.Store.RefusalStats()
	if t.Kind == pageProviders {
		meta.Title = "Providers"
		list, err := h.providerHealth(ctx, h.cfg.Providers, providersRefusals)
		return meta, views.ProvidersFragments(list, stats), err
	}
	p, ok := webhooks.Find(h.cfg.Providers, t.Provider)
	if !ok {
		meta.Title = "No such provider"
		return meta, views.UnknownProviderFragments(t.Provider), nil
	}
	meta.Title = p.Display + " webhooks"
	list, err := h.providerHealth(ctx, []webhooks.Provider{p}, providerRefusals)
	if err != nil {
		return meta, nil, err
	}
	return meta, views.ProviderFragments(list[0], stats), nil
}

// providerHealth reads the health of providers now, with their newest
// refusals kept whole, and counts them by outcome and by refusal reason.
func (h *Handler) providerHealth(ctx context.Context, providers []webhooks.Provider, refusals int) ([]views.ProviderHealth, error) {
	names := make([]string, len(providers))
	for i, p := range providers {
		names[i] = p.Name
	}
	list, err := h.cfg.Store.ProviderHealth(ctx, names, time.Now(), refusals)
	if err != nil {
		return nil, err
	}
	out := make([]views.ProviderHealth, len(list))
	for i, ph := range list {
		out[i] = views.ProviderHealth{ProviderHealth: ph, Display: providers[i].Display,
			Outcomes: healthOutcomes(ph), Reasons: healthReasons(ph)}
	}
	return out, nil
}

// refusalStatus is the HTTP status a refusal of a kind is answered with.
func refusalStatus(kind string) int {
	switch kind {
	case models.RefusedSignature:
		return 401
	case models.RefusedMalformed:
		return 400
	case models.RefusedTooLarge:
		return 413
	case models.RefusedEncoding:
		return 415
	case models.RefusedRateLimited:
		return 429
	}
	return 503
}

// refusalOutcome is the outcome /metrics counts a refusal of a kind under.
func refusalOutcome(kind string) string {
	switch kind {
	case models.RefusedSignature:
		return outcomeRejected
	case models.RefusedMalformed, models.RefusedEncoding:
		return outcomeMalformed
	case models.RefusedTooLarge:
		return outcomeTooLarge
	case models.RefusedRateLimited:
		return outcomeRateLimited
	}
	return outcomeUnavailable
}

// healthOutcomes counts a provider's answers by outcome: accepted into the
// event log, then each outcome of a refusal, with the statuses it covers.
func healthOutcomes(ph models.ProviderHealth) []views.HealthCount {
	rows := []views.HealthCount{{Name: models.OutcomeAccepted, Status: "200", Hour: ph.LastHour.Accepted, Day: ph.LastDay.Accepted}}
	at := map[string]int{}
	for _, kind := range models.RefusalKinds() {
		name, status := refusalOutcome(kind), fmt.Sprint(refusalStatus(kind))
		i, seen := at[name]
		if !seen {
			i = len(rows)
			at[name] = i
			rows = append(rows, views.HealthCount{Name: name, Status: status})
		} else if !strings.Contains(rows[i].Status, status) {
			rows[i].Status += ", " + status
		}
		rows[i].Hour += ph.LastHour.ByKind[kind]
		rows[i].Day += ph.LastDay.ByKind[kind]
	}
	return rows
}

// healthReasons counts a provider's refusals by kind.
func healthReasons(ph models.ProviderHealth) []views.HealthCount {
	var rows []views.HealthCount
	for _, kind := range models.RefusalKinds() {
		rows = append(rows, views.HealthCount{Name: kind, Status: fmt.Sprint(refusalStatus(kind)),
			Hour: ph.LastHour.ByKind[kind], Day: ph.LastDay.ByKind[kind]})
	}
	return rows
}
