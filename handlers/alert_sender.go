package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/meetboard/meetboard/models"
)

// Alerts are raised and sent by AlertSender, beside the server and never
// on the webhook path: every few seconds it raises the new problems of the
// chosen kinds (models.Store.RaiseAlerts), then sends the due ones to the
// configured URL as one JSON POST per batch, which carries a
// Slack-compatible "text" and the alerts themselves. A batch that fails is
// tried again with backoff. Alerts are deduplicated by the store: a
// problem is raised once, whatever the instance, and one instance sends
// it.
const (
	alertEvery   = 5 * time.Second
	alertLookBak = 15 * time.Minute // problems older than this when first seen are not raised
	alertBatch   = 20
	alertLease   = time.Minute
	alertTimeout = 10 * time.Second
	alertKeep    = 30 * 24 * time.Hour
)

// AlertSender raises and sends alerts until its context ends.
type AlertSender struct {
	Store *models.Store
	// URL receives the alerts as JSON POSTs; "" raises them (for the
	// alerts page and the browsers' notifications) without sending.
	URL string
	// Kinds are the kinds of problem that alert.
	Kinds []models.ProblemKind
	// PublicURL, when set, makes the alerts' links absolute.
	PublicURL string
	Client    *http.Client
	Log       *slog.Logger
}

// Run raises and sends alerts every alertEvery until ctx ends.
func (a *AlertSender) Run(ctx context.Context) {
	if a.Client == nil {
		a.Client = &http.Client{Timeout: alertTimeout}
	}
	tick := time.NewTicker(alertEvery)
	defer tick.Stop()
	lastPrune := time.Time{}
	for {
		a.round(ctx)
		if time.Since(lastPrune) > time.Hour {
			if _, err := a.Store.PruneAlerts(ctx, time.Now().Add(-alertKeep)); err != nil && ctx.Err() == nil {
				a.Log.Warn("alerts: removing old alerts failed", "err", err)
			}
			lastPrune = time.Now()
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// round raises the new alerts and sends the due ones, a few batches at
// most.
func (a *AlertSender) round(ctx context.Context) {
	n, err := a.Store.RaiseAlerts(ctx, a.Kinds, time.Now().Add(-alertLookBak), a.URL != "")
	if err != nil {
		if ctx.Err() == nil {
			a.Log.Warn("alerts: reading problems failed", "err", err)
		}
		return
	}
	if n > 0 {
		a.Log.Info("alerts raised", "alerts", n, "sent_to", redactURL(a.URL))
	}
	if a.URL == "" {
		return
	}
	for range 5 {
		batch, err := a.Store.ClaimAlerts(ctx, alertBatch, alertLease)
		if err != nil || len(batch) == 0 {
			if err != nil && ctx.Err() == nil {
				a.Log.Warn("alerts: claiming failed", "err", err)
			}
			return
		}
		sendErr := a.send(ctx, batch)
		if sendErr != nil {
			a.Log.Warn("alerts: sending failed; will retry", "alerts", len(batch), "err", sendErr)
		}
		if err := a.Store.FinishAlerts(context.WithoutCancel(ctx), batch, sendErr); err != nil {
			a.Log.Warn("alerts: recording the send failed", "err", err)
			return
		}
		if sendErr != nil {
			return
		}
	}
}

// alertMessage is the JSON body sent to the alert URL.
type alertMessage struct {
	// Text is the alerts in words, for Slack-compatible incoming webhooks.
	Text   string         `json:"text"`
	Alerts []models.Alert `json:"alerts"`
}

// send POSTs one batch.
func (a *AlertSender) send(ctx context.Context, batch []models.Alert) error {
	for i := range batch {
		batch[i].Link = a.absolute(batch[i].Link)
	}
	body, err := json.Marshal(alertMessage{Text: alertText(batch), Alerts: batch})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, alertTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "meetboard-alerts")
	resp, err := a.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s answered %d: %s", redactURL(a.URL), resp.StatusCode, strings.TrimSpace(string(snippet)))
	}
	return nil
}

// absolute makes a dashboard link absolute with the public URL.
func (a *AlertSender) absolute(link string) string {
	if link == "" || a.PublicURL == "" || !strings.HasPrefix(link, "/") {
		return link
	}
	return strings.TrimSuffix(a.PublicURL, "/") + link
}

// alertText writes a batch of alerts as a message, one line each.
func alertText(batch []models.Alert) string {
	var b strings.Builder
	if len(batch) == 1 {
		b.WriteString("meetboard: a problem\n")
	} else {
		fmt.Fprintf(&b, "meetboard: %d problems\n", len(batch))
	}
	for _, al := range batch {
		fmt.Fprintf(&b, "• %s: %s", alertLabel(al.Kind), al.What)
		if al.MeetingID != "" {
			fmt.Fprintf(&b, ", meeting %s", al.MeetingID)
		}
		if al.Provider != "" {
			fmt.Fprintf(&b, " (%s)", al.Provider)
		}
		if al.Reason != "" {
			fmt.Fprintf(&b, ": %s", al.Reason)
		}
		fmt.Fprintf(&b, ", at %s UTC", al.HappenedAt.UTC().Format("2006-01-02 15:04:05"))
		if al.Link != "" {
			fmt.Fprintf(&b, " %s", al.Link)
		}
		b.WriteString("\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// alertLabel names a kind of problem in an alert's text.
func alertLabel(k models.ProblemKind) string {
	s := strings.ReplaceAll(string(k), "-", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// redactURL drops an alert URL's path and query, which for incoming
// webhooks hold the secret, from what is logged.
func redactURL(raw string) string {
	if i := strings.Index(raw, "://"); i >= 0 {
		if j := strings.IndexByte(raw[i+3:], '/'); j >= 0 {
			return raw[:i+3+j] + "/…"
		}
	}
	return raw
}
