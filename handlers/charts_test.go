package handlers

import (
	"strings"
	"testing"
)

// TestChartsTopic: the charts page has one topic per range, whatever else
// its URL says; an unknown range makes none; no change renders it (the
// feed renders the pages that show charts every chartsEvery instead),
// and only the board's unfiltered first page shows the strip.
func TestChartsTopic(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"charts", "charts"},
		{"charts?range=hour", "charts"},
		{"charts?range=Day&meeting=ab&page=3&before=7", "charts?range=day"},
		{"charts?range=week", "charts?range=week"},
	} {
		got, err := parseTopic(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got.String() != c.want {
			t.Errorf("%s: topic %q, want %q", c.in, got.String(), c.want)
		}
		if again, _ := parseTopic(got.String()); again != got {
			t.Errorf("%s: the name does not read back to the same topic", c.in)
		}
		if got.affectedBy(map[string]bool{"m": true}, true) {
			t.Errorf("%s: a change renders it", c.in)
		}
		if !got.showsCharts() {
			t.Errorf("%s: not rendered as time passes", c.in)
		}
	}
	if _, err := parseTopic("charts?range=fortnight"); err == nil || !strings.Contains(err.Error(), "hour, day, week") {
		t.Errorf("an unknown range: %v", err)
	}
	for name, want := range map[string]bool{"rooms": true, "rooms?before=3": true, "rooms?meeting=a": false, "rooms?page=2": false, "meetings": false, "problems": false} {
		tp, err := parseTopic(name)
		if err != nil {
			t.Fatal(err)
		}
		if tp.showsCharts() != want {
			t.Errorf("%s shows charts: %v, want %v", name, tp.showsCharts(), want)
		}
	}
}
