package views

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
)

func TestLagFragment(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	render := func(l models.Lag) string {
		html, err := LagFragment(l, now, 5*time.Second).Render(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return string(html)
	}
	for _, l := range []models.Lag{{}, {Events: 40, Oldest: now.Add(-2 * time.Second)}} {
		if got := render(l); got != `<p id="lag" hidden></p>` {
			t.Errorf("%+v: %q, want the hidden placeholder", l, got)
		}
	}
	got := render(models.Lag{Events: 1234, Oldest: now.Add(-12 * time.Second)})
	for _, want := range []string{`id="lag"`, `role="status"`, "12s behind", "1234 accepted", "deliveries are"} {
		if !strings.Contains(got, want) {
			t.Errorf("banner %q lacks %q", got, want)
		}
	}
	if got := render(models.Lag{Events: 1, Oldest: now.Add(-time.Minute)}); !strings.Contains(got, "delivery is") {
		t.Errorf("one delivery: %q", got)
	}
}
