package privacy

import (
	"context"
	"strconv"
	"strings"
	"time"

	"stoa/views"
)

// ValueCount is one value of a dimension with its total.
type ValueCount struct {
	Value string
	Count int64
}

// Report is the statistics of the last days, for /admin/analytics.
type Report struct {
	Days      []ValueCount // one per day, oldest first, zero-filled; Value is YYYY-MM-DD
	Total     int64
	Pages     []ValueCount // by count, largest first
	Browsers  []ValueCount
	Referrers []ValueCount
}

// Report adds up the last days of statistics, including what is still only in memory.
func (a *Analytics) Report(ctx context.Context, days int) (*Report, error) {
	if err := a.Flush(ctx); err != nil {
		return nil, err
	}
	end := a.now().UTC()
	start := end.AddDate(0, 0, -(days - 1)).Format(time.DateOnly)
	r := &Report{}
	byDay, err := a.store.viewsByDay(ctx, start)
	if err != nil {
		return nil, err
	}
	for i := days - 1; i >= 0; i-- {
		d := end.AddDate(0, 0, -i).Format(time.DateOnly)
		r.Days = append(r.Days, ValueCount{Value: d, Count: byDay[d]})
		r.Total += byDay[d]
	}
	for _, x := range []struct {
		dim   string
		limit int
		into  *[]ValueCount
	}{{"page", 50, &r.Pages}, {"browser", 12, &r.Browsers}, {"referrer", 25, &r.Referrers}} {
		if *x.into, err = a.store.topValues(ctx, x.dim, start, x.limit); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// The line chart's plot area in SVG user units; it stretches to its box, and its labels
// are HTML beside it, so text stays readable on a phone and on a wide screen alike.
const plotW, plotH = 600.0, 200.0

// niceStep rounds v/4 up to 1, 2 or 5 times a power of ten, so the axis labels are round.
func niceStep(v int64) int64 {
	raw := max(1, (v+3)/4)
	p := int64(1)
	for p*10 <= raw {
		p *= 10
	}
	for _, m := range []int64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

func f1(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

// lineChart lays out the daily views as an SVG polyline with HTML axis labels.
func lineChart(days []ValueCount) views.LineChart {
	var peak int64
	for _, d := range days {
		peak = max(peak, d.Count)
	}
	step := niceStep(peak)
	top := max(step, (peak+step-1)/step*step)
	c := views.LineChart{}
	dx := plotW / float64(max(1, len(days)-1))
	var pts []string
	for i, d := range days {
		x := dx * float64(i)
		y := plotH * (1 - float64(d.Count)/float64(top))
		pts = append(pts, f1(x)+","+f1(y))
		t, _ := time.Parse(time.DateOnly, d.Value)
		c.Days = append(c.Days, views.CountRow{Value: t.Format("Mon 2 Jan"), Count: d.Count})
	}
	c.Points = strings.Join(pts, " ")
	for v := top; v >= 0; v -= step {
		c.YLabels = append(c.YLabels, strconv.FormatInt(v, 10))
		c.Grid = append(c.Grid, f1(plotH*(1-float64(v)/float64(top))))
	}
	// Five dates under the axis, evenly spaced from the first day to the last.
	for i := 0; i < 5 && len(days) > 0; i++ {
		d := days[i*(len(days)-1)/4]
		t, _ := time.Parse(time.DateOnly, d.Value)
		c.XLabels = append(c.XLabels, t.Format("2 Jan"))
	}
	return c
}

// barChart lays out totals as rows, each with an SVG bar scaled to the largest.
func barChart(values []ValueCount) []views.ChartBar {
	var top int64
	for _, v := range values {
		top = max(top, v.Count)
	}
	var out []views.ChartBar
	for _, v := range values {
		pct := 0.0
		if top > 0 {
			pct = 100 * float64(v.Count) / float64(top)
		}
		out = append(out, views.ChartBar{Label: v.Value, Count: v.Count, Width: f1(max(pct, 0.5))})
	}
	return out
}
