package views

import (
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/meetboard/meetboard/models"
)

func TestNiceMax(t *testing.T) {
	for peak, want := range map[int64]int64{0: 2, 1: 2, 2: 2, 3: 4, 7: 8, 9: 10, 10: 10, 11: 20, 55: 60, 81: 100, 4321: 6000} {
		if got := niceMax(peak); got != want {
			t.Errorf("niceMax(%d) = %d, want %d", peak, got, want)
		}
	}
}

func TestNumber(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := number(n); got != want {
			t.Errorf("number(%d) = %q, want %q", n, got, want)
		}
	}
}

func ptr(v int64) *int64 { return &v }

// TestLinePath: a gauge's line is broken where a minute has no sample, and
// a lone sample is a dot.
func TestLinePath(t *testing.T) {
	got := linePath([]*int64{nil, ptr(5), ptr(6), nil, ptr(7), nil}, 10)
	if want := "M15 50L25 40M45 30h0"; got != want {
		t.Errorf("linePath = %q, want %q", got, want)
	}
}

// TestBarChart: counters stack from the bottom in series order, a count
// too small to see at the scale is still a unit high, and empty buckets
// draw nothing.
func TestBarChart(t *testing.T) {
	r, _ := models.ParseChartRange("hour")
	c := models.Charts{Buckets: 3}
	v := barChart("b", "Bars", "", c, r, []chartSeries{
		{label: "a", values: []*int64{ptr(999), ptr(0), ptr(500)}},
		{label: "b", values: []*int64{ptr(1), nil, ptr(500)}},
	})
	if v.YMax != "1,000" || v.YMid != "500" {
		t.Errorf("axis %s / %s", v.YMax, v.YMid)
	}
	if got, want := v.Series[0].Path, "M1 0h8v100h-8zM21 50h8v50h-8z"; got != want {
		t.Errorf("first series %q, want %q", got, want)
	}
	// Bucket 0 is full already: b's 1 is the top unit.
	if got, want := v.Series[1].Path, "M1 0h8v1h-8zM21 0h8v50h-8z"; got != want {
		t.Errorf("second series %q, want %q", got, want)
	}
	if v.Series[0].Stat != "1,499" || v.Series[1].Stat != "501" || !strings.Contains(v.Summary, "a: 1,499 in all, at most 999 per minute") {
		t.Errorf("legend %s, %s; summary %q", v.Series[0].Stat, v.Series[1].Stat, v.Summary)
	}
}

// TestChartsPage: every chart is a part with an accessible name and
// description, drawn without inline styles (the CSP forbids them), and
// the range picker marks the range shown.
func TestChartsPage(t *testing.T) {
	r, _ := models.ParseChartRange("day")
	buckets := r.Buckets()
	vals := func(v int64) []*int64 {
		out := make([]*int64, buckets)
		for i := range out {
			out[i] = ptr(v)
		}
		return out
	}
	c := models.Charts{Range: "day", Buckets: buckets, Series: []models.ChartSeries{
		{Series: models.SeriesRooms, Values: vals(3)},
		{Series: models.SeriesPeople, Values: make([]*int64, buckets)},
		{Series: models.SeriesDeliveries, Label: "daily/applied", Values: vals(2)},
		{Series: models.SeriesDeliveries, Label: "videosdk/applied", Values: vals(1)},
		{Series: models.SeriesDeliveries, Label: "videosdk/error", Values: vals(1)},
		{Series: models.SeriesFailures, Label: models.FailedCall, Values: vals(0)},
	}}
	frags := ChartsFragments(c, r)
	if len(frags) != 2 || len(frags[1].Parts) != 5 {
		t.Fatalf("%d fragments, %d charts", len(frags), len(frags[1].Parts))
	}
	var page strings.Builder
	for _, f := range frags {
		html, err := f.Render(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		page.Write(html)
	}
	if strings.Contains(page.String(), "style=") {
		t.Error("a chart has an inline style")
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(page.String()))
	if err != nil {
		t.Fatal(err)
	}
	if got := doc.Find(`#charts-range a[aria-current="page"]`).Text(); got != "Last day" {
		t.Errorf("the range picker marks %q", got)
	}
	doc.Find("figure.chart").Each(func(_ int, f *goquery.Selection) {
		id, _ := f.Attr("id")
		svg := f.Find("svg")
		if role, _ := svg.Attr("role"); role != "img" || svg.Find("title").Text() == "" || svg.Find("desc").Text() == "" {
			t.Errorf("%s: role %q, title %q, desc %q", id, role, svg.Find("title").Text(), svg.Find("desc").Text())
		}
	})
	legend := func(id string) string {
		var items []string
		doc.Find("#" + id + " .legend li").Each(func(_ int, li *goquery.Selection) {
			items = append(items, strings.Join(strings.Fields(li.Text()), " "))
		})
		return strings.Join(items, ", ")
	}
	if got, want := legend("chart-deliveries-provider"), "daily 576, videosdk 576"; got != want {
		t.Errorf("by provider: %q, want %q", got, want)
	}
	if got, want := legend("chart-deliveries-outcome"), "applied 864, error 288"; got != want {
		t.Errorf("by outcome: %q, want %q", got, want)
	}
	if got, want := legend("chart-rooms"), "rooms live latest 3"; got != want {
		t.Errorf("rooms: %q, want %q", got, want)
	}
	if got := doc.Find("#chart-people .chart-empty").Text(); !strings.Contains(got, "No sample") {
		t.Errorf("an unsampled gauge says %q", got)
	}
	if cls, _ := doc.Find("#chart-deliveries-outcome .legend .swatch").Last().Attr("class"); cls != "swatch bad" {
		t.Errorf("errors are drawn in %q", cls)
	}
}
