package views

import (
	"net/url"
	"strings"

	"github.com/meetboard/meetboard/models"
)

// chartViews are the charts of the charts page, in order: what each shows
// and where its numbers come from.
func chartViews(c models.Charts, r models.ChartRange) []chartView {
	outcome := func(label string) string { _, o := models.SplitDeliveryLabel(label); return o }
	provider := func(label string) string { p, _ := models.SplitDeliveryLabel(label); return p }
	byOutcome := sumBy(c, models.SeriesDeliveries, outcome)
	for i := range byOutcome {
		byOutcome[i].class = outcomeColour(byOutcome[i].label)
	}
	failures := sumBy(c, models.SeriesFailures, func(label string) string { return label })
	for i := range failures {
		failures[i].class = "bad" + string(rune('0'+i%4))
	}
	per := perBucket(r)
	return []chartView{
		lineChart("chart-rooms", "Rooms live", "Live sessions not gone stale, as the live-rooms board counts them; "+
			"sampled once a minute, the highest sample of each bar's span.", c, r, []chartSeries{gauge(c, models.SeriesRooms, "rooms live")}),
		lineChart("chart-people", "People in rooms", "Participants present in those rooms; sampled once a minute, "+
			"the highest sample of each bar's span.", c, r, []chartSeries{gauge(c, models.SeriesPeople, "people")}),
		barChart("chart-deliveries-provider", "Deliveries "+per+", by provider", deliveriesNote, c, r,
			sumBy(c, models.SeriesDeliveries, provider)),
		barChart("chart-deliveries-outcome", "Deliveries "+per+", by outcome", "The same deliveries, by what applying them did: "+
			"applied, no-change (a repeat, or nothing new), stored (kept in the log only), error; or duplicate.", c, r, byOutcome),
		barChart("chart-failures", "Failures "+per+", by kind", "Recordings (composite merges included), HLS and "+
			"livestreams, and transcriptions that moved to failed, and failed call steps, as the problems page counts them; "+
			"a redelivered failure counts once.", c, r, failures),
	}
}

// deliveriesNote says which deliveries the deliveries charts count.
const deliveriesNote = "Webhooks the event log took in, and deliveries answered as duplicates of a Daily event id. " +
	"Deliveries refused before the log (bad signature, too large, rate-limited) are not counted."

// stripTile is one small chart of the live-rooms board's strip.
type stripTile struct {
	Label, Value, Unit string
	// Title says where the number comes from.
	Title string
	Chart chartView
}

// stripViews are the strip's tiles, over the last hour.
func stripViews(c models.Charts) []stripTile {
	r, _ := models.ParseChartRange("hour")
	latest := func(s chartSeries) string {
		if v, _, _, ok := gaugeStats(s.values); ok {
			return number(v)
		}
		return "–"
	}
	rooms, people := gauge(c, models.SeriesRooms, "rooms live"), gauge(c, models.SeriesPeople, "people")
	all := func(series, class string) chartSeries {
		sum := sumBy(c, series, func(string) string { return "" })
		if len(sum) == 0 {
			sum = []chartSeries{{values: make([]*int64, c.Buckets)}}
		}
		sum[0].class = class
		return sum[0]
	}
	deliveries, failures := all(models.SeriesDeliveries, "s0"), all(models.SeriesFailures, "bad0")
	deliveriesChart := barChart("strip-deliveries", "Deliveries", "", c, r, []chartSeries{deliveries})
	failuresChart := barChart("strip-failures", "Failures", "", c, r, []chartSeries{failures})
	return []stripTile{
		{Label: "Rooms live", Value: latest(rooms), Unit: "latest", Title: "Sampled once a minute", Chart: lineChart("strip-rooms", "Rooms live", "", c, r, []chartSeries{rooms})},
		{Label: "People in rooms", Value: latest(people), Unit: "latest", Title: "Sampled once a minute", Chart: lineChart("strip-people", "People", "", c, r, []chartSeries{people})},
		{Label: "Deliveries", Value: deliveriesChart.Series[0].Stat, Unit: "last hour", Title: "Webhooks taken in, a bar a minute", Chart: deliveriesChart},
		{Label: "Failures", Value: failuresChart.Series[0].Stat, Unit: "last hour", Title: "Recordings, streams, transcriptions and calls that failed, a bar a minute", Chart: failuresChart},
	}
}

// chartsPath is the charts page of a range.
func chartsPath(r models.ChartRange) string {
	if r.Name == models.ChartRanges()[0].Name {
		return "/charts"
	}
	return "/charts?range=" + url.QueryEscape(r.Name)
}

func joinIDs(ids []string) string { return strings.Join(ids, " ") }
