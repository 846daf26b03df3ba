package estimator

import (
	"sync"
	"testing"
)

// Estimators are safe for concurrent use: goroutines estimating the same
// queries get the same answers as one goroutine (run with -race).
func TestConcurrentEstimates(t *testing.T) {
	db := flightsDB(t)
	cat := flightsCatalog(t, db)
	m, err := Load(bytesReader(t, goldenModel), nil, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	test := examples(t, db.Schema, labelled(t, db, 60, 3, 31, false))
	for _, est := range []Estimator{NewHistogram(cat), NewSample(cat), m} {
		want := make([]Estimate, len(test))
		for i, e := range test {
			if want[i], err = est.Estimate(e.Query); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		errs := make(chan string, 4*len(test))
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i, e := range test {
					got, err := est.Estimate(e.Query)
					if err != nil || got != want[i] {
						errs <- est.Name()
					}
					if _, err := EstimateSubPlans(est, e.Query); err != nil {
						errs <- est.Name()
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for name := range errs {
			t.Fatalf("%s: concurrent estimate differs or fails", name)
		}
	}
}
