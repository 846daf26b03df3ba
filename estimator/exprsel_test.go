package estimator

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
)

// TestExpressionEstimates: every estimator estimates functions of columns
// and comparisons of two columns of one row (valid bands, no error); the
// sample baseline, which evaluates them on the sampled rows, is close to
// the truth on one table (10,000 of 20,000 flights sampled), and the
// histogram baseline's documented defaults stay within a bound.
func TestExpressionEstimates(t *testing.T) {
	db := flightsDB(t)
	cat := flightsCatalog(t, db)
	train := examples(t, db.Schema, labelled(t, db, 300, 2, 23, false))
	models := []Estimator{NewHistogram(cat), NewSample(cat)}
	for _, kind := range []string{KindLinear, KindSetNet, KindGBDT} {
		m, err := Train(context.Background(), kind, cat, train, TrainOptions{GBDT: GBDTOptions{Seed: 5}, SetNet: SetNetOptions{Seed: 5, Epochs: 3}})
		if err != nil {
			t.Fatal(err)
		}
		models = append(models, m)
	}
	for _, c := range []struct {
		sql        string
		hist, samp float64 // q-error bounds (0: only validity checked)
	}{
		{"SELECT * FROM flights WHERE HOUR(dep_time) BETWEEN 9 AND 17", 3, 1.1},
		{"SELECT * FROM flights WHERE DAYOFWEEK(dep_time) IN (1, 7)", 1.5, 1.1},
		{"SELECT * FROM flights WHERE MONTH(dep_time) = 2 AND MINUTE(dep_time) < 30", 1.5, 1.1},
		{"SELECT * FROM flights WHERE DATE_FORMAT(dep_time, '%m-%d') < '02-10'", 0, 1.1},
		{"SELECT * FROM flights WHERE hour > month", 2, 1.1},
		{"SELECT * FROM flights WHERE hour <= day_of_week + 9", 2, 1.1},
		{"SELECT * FROM flights WHERE origin < destination", 0, 1.1},
		{"SELECT * FROM flights WHERE delay + 10 > 30 AND NOT (LOWER(origin) LIKE 'a%')", 0, 1.2},
		{"SELECT * FROM flights f JOIN airports a ON f.origin = a.iata WHERE MONTH(f.dep_time) = 3 AND a.city <> a.state", 0, 0},
		{"SELECT * FROM airports WHERE CHAR_LENGTH(city) > 8 OR latitude + 1.5 < 35", 0, 1.2},
		// Residual filters (inclusion-exclusion over the estimates of
		// their terms).
		{"SELECT * FROM flights f JOIN airports a ON f.origin = a.iata JOIN airports b ON f.destination = b.iata WHERE (a.state = 'CA' AND b.state = 'TX') OR (a.state = 'TX' AND b.state = 'CA')", 0, 3},
		{"SELECT * FROM flights f, airports a WHERE (f.origin = a.iata AND f.hour < 12 AND a.state = 'CA') OR (a.iata = f.origin AND f.delay > 30) OR (f.origin = a.iata AND a.latitude > 40 AND f.hour >= 18)", 0, 1.5},
	} {
		q, err := features.Parse(db.Schema, c.sql)
		if err != nil {
			t.Fatalf("%s: %v", c.sql, err)
		}
		truth, err := engine.Count(context.Background(), db, q)
		if err != nil {
			t.Fatal(err)
		}
		line := fmt.Sprintf("%-90s true %6d", c.sql, truth)
		for i, m := range models {
			e, err := m.Estimate(q)
			if err != nil {
				t.Errorf("%s: %s: %v", m.Name(), c.sql, err)
				continue
			}
			if math.IsNaN(e.Rows) || e.Rows < 0 || e.Low > e.Rows || e.Rows > e.High {
				t.Errorf("%s: %s: invalid estimate %+v", m.Name(), c.sql, e)
			}
			qe := QError(e.Rows, float64(truth))
			line += fmt.Sprintf("  %s %.2f", m.Name(), qe)
			if bound := []float64{c.hist, c.samp}; i < 2 && bound[i] > 0 && qe > bound[i] {
				t.Errorf("%s: %s: q-error %.2f > %.2f (estimate %.0f, true %d)", m.Name(), c.sql, qe, bound[i], e.Rows, truth)
			}
		}
		t.Log(line)
		if len(q.Residuals) == 0 {
			continue
		}
		// Sub-plans: those holding the residual's tables estimate it,
		// the others ignore it.
		for _, m := range models {
			subs, err := EstimateSubPlans(m, q)
			if err != nil {
				t.Fatalf("%s: sub-plans of %s: %v", m.Name(), c.sql, err)
			}
			for _, sp := range subs {
				e, err := m.Estimate(q.Sub(sp.Mask))
				if err != nil || math.Abs(e.Rows-sp.Estimate.Rows) > 1e-6*math.Max(1, e.Rows) {
					t.Errorf("%s: sub-plan %b: %v, Estimate of the sub-query %v (%v)", m.Name(), sp.Mask, sp.Estimate.Rows, e.Rows, err)
				}
			}
		}
	}
}
