package bench

import (
	"fmt"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// plotSize is the size of the PNG written by WritePlot.
const (
	plotWidth  = 22 * vg.Centimeter
	plotHeight = 11 * vg.Centimeter
)

// WritePlot draws the q-error quantiles (median, p90, p95, p99) of every
// model on single-table and join queries as grouped bars on a log scale,
// and writes a PNG.
func (r *Report) WritePlot(w io.Writer) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("q-error on %d never-seen %s queries (lower is better)", r.TestQueries, r.Dataset)
	p.Y.Label.Text = "q-error (log scale)"
	p.Y.Min = 0
	p.Y.Tick.Marker = powerTicks{}
	// The legend sits over the medians, the shortest bars.
	p.Legend.Top, p.Legend.Left = true, true
	labels := []string{"single median", "single p95", "single p99", "join median", "join p95", "join p99"}
	width := vg.Points(60 / float64(max(1, len(r.Results))))
	for i, res := range r.Results {
		vals := plotter.Values{res.Single.Median, res.Single.P95, res.Single.P99, res.Joins.Median, res.Joins.P95, res.Joins.P99}
		for j := range vals {
			// Bars are drawn in log10 space so that a perfect estimate
			// (q-error 1) is a bar of height zero.
			vals[j] = math.Log10(math.Max(vals[j], 1))
		}
		bars, err := plotter.NewBarChart(vals, width)
		if err != nil {
			return err
		}
		bars.Color = plotutil.Color(i)
		bars.LineStyle.Color = color.Black
		bars.Offset = vg.Length(float64(i)-float64(len(r.Results)-1)/2) * width
		p.Add(bars)
		p.Legend.Add(res.Model, bars)
	}
	p.NominalX(labels...)
	// Room for the outer bars of the first and last groups.
	p.X.Min, p.X.Max = -0.6, float64(len(labels))-0.4
	wt, err := p.WriterTo(plotWidth, plotHeight, "png")
	if err != nil {
		return err
	}
	_, err = wt.WriteTo(w)
	return err
}

// powerTicks labels a log10 axis with the powers of ten it stands for.
type powerTicks struct{}

// Ticks implements plot.Ticker.
func (powerTicks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	for e := math.Floor(min); e <= math.Ceil(max); e++ {
		ticks = append(ticks, plot.Tick{Value: e, Label: fmt.Sprintf("%g", math.Pow(10, e))})
	}
	return ticks
}
