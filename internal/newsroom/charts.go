package newsroom

import (
	"strconv"
	"strings"
	"time"

	"khabar/internal/locale"
)

// The charts are SVG drawn here, sized in user units that CSS scales to
// the column: at a phone's width about one unit a pixel, so their text
// stays readable. Time runs the way the interface's language reads (right
// to left in Arabic), and the value axis stands where a line starts.
const (
	sparkWidth, sparkHeight = 120, 28
	barWidth, barHeight     = 240, 14
	lineWidth, lineHeight   = 360, 170
	// The line chart's plot inside its margins: the value labels' side,
	// the other side, the top and the time labels' band.
	plotLabels, plotEdge, plotTop, plotBottom = 44, 6, 10, 24
)

// sparkline is the polyline of views per minute, scaled to the chart: the
// oldest minute at the start of the line as the language reads (the
// right in Arabic), the busiest minute at the top.
func sparkline(views []int64, rtl bool) string {
	if len(views) < 2 {
		return ""
	}
	var most int64 = 1
	for _, v := range views {
		most = max(most, v)
	}
	var sb strings.Builder
	for i, v := range views {
		x := i * sparkWidth / (len(views) - 1)
		if rtl {
			x = sparkWidth - x
		}
		y := sparkHeight - 1 - int(v*(sparkHeight-2)/most)
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(strconv.Itoa(x) + "," + strconv.Itoa(y))
	}
	return sb.String()
}

// statsBar is a row of a bar chart: a section, an author, a referrer
// group.
type statsBar struct {
	Label, Views string
	X, Width     int
}

// barsOf scales counts to bars, the largest the chart's width, growing
// from the start of the line.
func barsOf(labels []string, counts []int64, digits locale.Digits, rtl bool) []statsBar {
	var most int64
	for _, c := range counts {
		most = max(most, c)
	}
	out := make([]statsBar, len(counts))
	for i, c := range counts {
		b := statsBar{Label: labels[i], Views: digits.Int(int(c))}
		if most > 0 {
			b.Width = max(1, int(c*barWidth/most))
		}
		if rtl {
			b.X = barWidth - b.Width
		}
		out[i] = b
	}
	return out
}

// lineChart is views over time with its axes.
type lineChart struct {
	W, H int
	// Line is the polyline's points; Area closes it along the time axis.
	Line, Area string
	// Ticks are the value axis's lines and labels (zero, half, top).
	Ticks []chartText
	// Times label the first, middle and last buckets; Base is the time
	// axis's y.
	Times []chartText
	Base  int
	// AxisX is where the value labels stand, Anchor how they align.
	AxisX  int
	Anchor string
	// PlotStart and PlotEnd are the plot's horizontal bounds (left, right).
	PlotStart, PlotEnd int
}

// chartText is a label at (X, Y).
type chartText struct {
	X, Y   int
	Text   string
	Anchor string
}

// niceCeil is the least of 1, 2, 5 × 10ⁿ not below v: the value axis's
// top, so its half is a round number too.
func niceCeil(v int64) int64 {
	for p := int64(1); ; p *= 10 {
		for _, m := range []int64{1, 2, 5} {
			if m*p >= v {
				return m * p
			}
		}
	}
}

// newLineChart draws views, one per bucket from the first (starting at
// first, each step long), labelled with label.
func newLineChart(views []int64, first time.Time, step time.Duration, label func(time.Time) string, digits locale.Digits, rtl bool) lineChart {
	c := lineChart{W: lineWidth, H: lineHeight, Base: lineHeight - plotBottom}
	// The value axis on the side a line starts on; the plot beside it.
	left, right := plotLabels, lineWidth-plotEdge
	c.AxisX, c.Anchor = plotLabels-6, "end"
	if rtl {
		left, right = plotEdge, lineWidth-plotLabels
		c.AxisX, c.Anchor = lineWidth-plotLabels+6, "start"
	}
	c.PlotStart, c.PlotEnd = left, right
	var most int64
	for _, v := range views {
		most = max(most, v)
	}
	top := niceCeil(max(most, 2))
	height := c.Base - plotTop
	for _, v := range []int64{0, top / 2, top} {
		c.Ticks = append(c.Ticks, chartText{X: c.AxisX, Y: c.Base - int(v*int64(height)/top), Text: digits.Int(int(v)), Anchor: c.Anchor})
	}
	x := func(i int) int {
		if len(views) < 2 {
			return (left + right) / 2
		}
		d := i * (right - left) / (len(views) - 1)
		if rtl {
			return right - d
		}
		return left + d
	}
	var line strings.Builder
	for i, v := range views {
		if i > 0 {
			line.WriteByte(' ')
		}
		line.WriteString(strconv.Itoa(x(i)) + "," + strconv.Itoa(c.Base-int(v*int64(height)/top)))
	}
	c.Line = line.String()
	if len(views) > 0 {
		c.Area = strconv.Itoa(x(0)) + "," + strconv.Itoa(c.Base) + " " + c.Line + " " + strconv.Itoa(x(len(views)-1)) + "," + strconv.Itoa(c.Base)
		// The first bucket's label hangs from where the line starts, the
		// last's from where it ends, both inside the plot.
		startAnchor, endAnchor := "start", "end"
		if rtl {
			startAnchor, endAnchor = "end", "start"
		}
		at := func(i int, anchor string) chartText {
			return chartText{X: x(i), Y: lineHeight - 6, Text: label(first.Add(time.Duration(i) * step)), Anchor: anchor}
		}
		c.Times = []chartText{at(0, startAnchor)}
		// A middle label tells a day's hours from one hour's minutes
		// when the labels are times of day.
		if len(views) >= 5 {
			c.Times = append(c.Times, at((len(views)-1)/2, "middle"))
		}
		if len(views) > 1 {
			c.Times = append(c.Times, at(len(views)-1, endAnchor))
		}
	}
	return c
}
