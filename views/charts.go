package views

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/meetboard/meetboard/models"
)

// The charts are drawn on the server as SVG: a plot of 10 units per bucket
// across and 100 up, stretched to the chart's box (preserveAspectRatio
// none, lines drawn with non-scaling strokes), with the axes' labels and
// the legend in HTML around it, so text keeps its size on a phone.
const (
	plotStep   = 10  // plot units per bucket, across
	plotHeight = 100 // plot units, up
)

// chartKind is how a chart draws its series.
type chartKind int

const (
	chartLine chartKind = iota // one line per series (gauges)
	chartBars                  // stacked bars (counters)
)

// chartView is one chart ready to draw.
type chartView struct {
	ID    string
	Title string
	// Note says what the numbers are and where they come from.
	Note   string
	Kind   chartKind
	Series []seriesView
	// Buckets is how many buckets the plot holds; Width its width in plot
	// units.
	Buckets int
	// YMax is the value at the top of the plot, YMid halfway up.
	YMax, YMid string
	// XLabels name points of the time axis, evenly spaced, oldest first.
	XLabels []string
	// Summary sums the chart up in words, for screen readers (its desc).
	Summary string
	// Empty says the chart has nothing to show yet, and EmptyNote so in
	// words.
	Empty     bool
	EmptyNote string
}

// Width is the plot's width in plot units.
func (c chartView) Width() int { return max(c.Buckets, 1) * plotStep }

// viewBox is the plot's SVG viewBox.
func (c chartView) viewBox() string { return fmt.Sprintf("0 0 %d %d", c.Width(), plotHeight) }

// gridPath draws the plot's horizontal grid lines: bottom, middle, top.
func (c chartView) gridPath() string {
	w := c.Width()
	return fmt.Sprintf("M0 %dH%dM0 %dH%dM0 0H%d", plotHeight, w, plotHeight/2, w, w)
}

// seriesView is one line or one stack of bars of a chart, with its legend.
type seriesView struct {
	Label string
	// Class colours it (chart.css): s0 to s5 in order, or a colour that
	// means something (an outcome, a kind of failure).
	Class string
	Path  string
	// Stat is the number the legend gives: a counter's total, a gauge's
	// latest sample.
	Stat string
}

// chartSeries is a series' values while a chart is built: nil where a
// gauge has no sample.
type chartSeries struct {
	label  string
	class  string
	values []*int64
}

// lineChart draws gauges as lines.
func lineChart(id, title, note string, c models.Charts, r models.ChartRange, series []chartSeries) chartView {
	v := chartView{ID: id, Title: title, Note: note, Kind: chartLine, Buckets: c.Buckets, XLabels: timeLabels(r)}
	peak := int64(0)
	any := false
	for _, s := range series {
		for _, p := range s.values {
			if p != nil {
				any = true
				peak = max(peak, *p)
			}
		}
	}
	top := niceMax(peak)
	v.YMax, v.YMid = number(top), number(top/2)
	v.Empty, v.EmptyNote = !any, "No sample in "+rangeWords(r)+" yet: they are taken once a minute."
	var words []string
	for i, s := range series {
		sv := seriesView{Label: s.label, Class: seriesClass(s.class, i), Path: linePath(s.values, top), Stat: "no sample"}
		if latest, lo, hi, ok := gaugeStats(s.values); ok {
			sv.Stat = "latest " + number(latest)
			words = append(words, fmt.Sprintf("%s: latest %s, highest %s, lowest %s", s.label, number(latest), number(hi), number(lo)))
		}
		v.Series = append(v.Series, sv)
	}
	v.Summary = summary(r, words)
	return v
}

// barChart draws counters as stacked bars, the series in order from the
// bottom.
func barChart(id, title, note string, c models.Charts, r models.ChartRange, series []chartSeries) chartView {
	v := chartView{ID: id, Title: title, Note: note, Kind: chartBars, Buckets: c.Buckets, XLabels: timeLabels(r)}
	sums := make([]int64, c.Buckets)
	for _, s := range series {
		for i, p := range s.values {
			if p != nil {
				sums[i] += *p
			}
		}
	}
	peak := int64(0)
	for _, n := range sums {
		peak = max(peak, n)
	}
	top := niceMax(peak)
	v.YMax, v.YMid = number(top), number(top/2)
	v.Empty, v.EmptyNote = peak == 0, "None in "+rangeWords(r)+"."
	below := make([]int64, c.Buckets)
	var words []string
	for i, s := range series {
		var total, most int64
		var d strings.Builder
		for b, p := range s.values {
			if p == nil || *p == 0 {
				continue
			}
			total += *p
			most = max(most, *p)
			y0, y1 := plotY(below[b], top), plotY(below[b]+*p, top)
			if y1 >= y0 { // too small to see: a unit high, inside the plot
				y1 = y0 - 1
				if y1 < 0 {
					y0, y1 = 1, 0
				}
			}
			fmt.Fprintf(&d, "M%d %dh%dv%dh-%dz", b*plotStep+1, y1, plotStep-2, y0-y1, plotStep-2)
			below[b] += *p
		}
		v.Series = append(v.Series, seriesView{Label: s.label, Class: seriesClass(s.class, i), Path: d.String(), Stat: number(total)})
		if total > 0 {
			words = append(words, fmt.Sprintf("%s: %s in all, at most %s %s", s.label, number(total), number(most), perBucket(r)))
		}
	}
	if len(words) == 0 {
		words = []string{"none"}
	}
	v.Summary = summary(r, words)
	return v
}

// plotY is the height of a value in plot units from the top, for a plot
// whose top is top.
func plotY(v, top int64) int {
	return plotHeight - int(math.Round(float64(v)*plotHeight/float64(top)))
}

// linePath draws a gauge's samples as a line through the middle of their
// buckets, broken where there is none; a lone sample is a dot (a
// zero-length segment with round caps).
func linePath(values []*int64, top int64) string {
	var d strings.Builder
	drawing := false
	for i, p := range values {
		if p == nil {
			drawing = false
			continue
		}
		x, y := i*plotStep+plotStep/2, plotY(*p, top)
		next := i+1 < len(values) && values[i+1] != nil
		switch {
		case drawing:
			fmt.Fprintf(&d, "L%d %d", x, y)
		case next:
			fmt.Fprintf(&d, "M%d %d", x, y)
		default:
			fmt.Fprintf(&d, "M%d %dh0", x, y)
		}
		drawing = true
	}
	return d.String()
}

// gaugeStats are a gauge's latest, lowest and highest samples.
func gaugeStats(values []*int64) (latest, lo, hi int64, ok bool) {
	for _, p := range values {
		if p == nil {
			continue
		}
		if !ok {
			lo, hi = *p, *p
		}
		latest, lo, hi, ok = *p, min(lo, *p), max(hi, *p), true
	}
	return latest, lo, hi, ok
}

// niceMax is the top of a plot whose highest value is peak: the least of
// 2, 4, 6, 8 and 10 times a power of ten that holds it, so that halfway
// up is a whole number too.
func niceMax(peak int64) int64 {
	scale := int64(1)
	for 10*scale < peak {
		scale *= 10
	}
	for _, m := range []int64{2, 4, 6, 8} {
		if m*scale >= peak {
			return m * scale
		}
	}
	return 10 * scale
}

// timeLabels name evenly spaced points of a range's time axis, oldest
// first, relative to now: they do not change as time passes, so a push
// carries only what did.
func timeLabels(r models.ChartRange) []string {
	switch r.Name {
	case "day":
		return []string{"−24 h", "−18 h", "−12 h", "−6 h", "now"}
	case "week":
		return []string{"−7 d", "−6 d", "−5 d", "−4 d", "−3 d", "−2 d", "−1 d", "now"}
	}
	return []string{"−60 min", "−45", "−30", "−15", "now"}
}

// perBucket says what one bar counts: "per minute".
func perBucket(r models.ChartRange) string {
	switch r.Bucket {
	case time.Minute:
		return "per minute"
	case time.Hour:
		return "per hour"
	}
	return fmt.Sprintf("per %d minutes", int(r.Bucket.Minutes()))
}

// rangeWords names a range: "the last hour".
func rangeWords(r models.ChartRange) string { return "the last " + r.Name }

func summary(r models.ChartRange, words []string) string {
	if len(words) == 0 {
		return "No sample in " + rangeWords(r) + "."
	}
	return "Over " + rangeWords(r) + ", " + perBucket(r) + ": " + strings.Join(words, "; ") + "."
}

// number writes a whole number with thousands separators: 12,345.
func number(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

// seriesClass is a series' colour class: its own when it has one, else
// the i-th of the palette.
func seriesClass(own string, i int) string {
	if own != "" {
		return own
	}
	return "s" + strconv.Itoa(i%6)
}

// outcomeColour gives the delivery outcomes colours that mean something.
func outcomeColour(outcome string) string {
	switch outcome {
	case models.OutcomeApplied:
		return "ok"
	case models.OutcomeNoChange:
		return "quiet"
	case models.OutcomeStored:
		return "info"
	case models.OutcomeError:
		return "bad"
	case models.OutcomeDuplicate:
		return "warn"
	}
	return ""
}

// sumBy adds up the series of one name by a key of their label, keys in
// the order first seen.
func sumBy(c models.Charts, series string, key func(label string) string) []chartSeries {
	var out []chartSeries
	for _, cs := range c.Series {
		if cs.Series != series {
			continue
		}
		k := key(cs.Label)
		i := slices.IndexFunc(out, func(s chartSeries) bool { return s.label == k })
		if i < 0 {
			out = append(out, chartSeries{label: k, values: make([]*int64, len(cs.Values))})
			i = len(out) - 1
		}
		for b, p := range cs.Values {
			if p == nil {
				continue
			}
			if out[i].values[b] == nil {
				out[i].values[b] = new(int64)
			}
			*out[i].values[b] += *p
		}
	}
	return out
}

// gauge is a gauge series of the charts.
func gauge(c models.Charts, series, label string) chartSeries {
	s := chartSeries{label: label, values: make([]*int64, c.Buckets)}
	if cs := c.Of(series, ""); cs != nil {
		s.values = cs.Values
	}
	return s
}
