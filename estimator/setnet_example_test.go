package estimator

import (
	"context"
	"fmt"
	"math"
)

// snMedianQError is the median q-error of est on exs; NaN (which compares
// false with everything, so "beats the histogram" fails) when est errs.
func snMedianQError(est Estimator, exs []Example) float64 {
	qs := make([]float64, 0, len(exs))
	for _, ex := range exs {
		e, err := est.Estimate(ex.Query)
		if err != nil {
			return math.NaN()
		}
		qs = append(qs, QError(e.Rows, ex.Rows))
	}
	return Quantiles(qs).Median
}

func ExampleTrainSetNet() {
	// 2,000 flights queries labelled by the exact engine (see
	// setnet_fixture_test.go); 400 more held out.
	f, err := snFixtureOnce()
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := TrainSetNet(context.Background(), f.cat, f.train, SetNetOptions{Seed: 1, Epochs: 20})
	if err != nil {
		fmt.Println(err)
		return
	}
	e, _ := m.Estimate(f.test[0].Query)
	fmt.Println(m.Name(), e.Source, e.Low <= e.Rows && e.Rows <= e.High)
	fmt.Println("beats the histogram:", snMedianQError(m, f.test) < snMedianQError(NewHistogram(f.cat), f.test))
	// Output:
	// setnet setnet true
	// beats the histogram: true
}

func ExampleTrainLinear() {
	f, err := snFixtureOnce()
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := TrainLinear(context.Background(), f.cat, f.train, LinearOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Name(), len(m.Coefficients()), "coefficients")
	fmt.Println("beats the histogram:", snMedianQError(m, f.test) < snMedianQError(NewHistogram(f.cat), f.test))
	// Output:
	// linear 20 coefficients
	// beats the histogram: true
}
