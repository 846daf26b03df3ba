package estimator

import (
	"context"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
)

// The baseline uses the catalog's functional dependencies (flights:
// dep_time determines month and day_of_week): a month or day of week that
// contradicts a date range is no rows, exactly (near 0 where a bin
// straddles the month's end), and a consistent one is
// not counted twice; without the dependencies independence is off by the
// month's or the weekday's selectivity.
func TestFunctionalDependencyBaseline(t *testing.T) {
	db := flightsDB(t)
	with := flightsCatalog(t, db)
	without, err := db.Catalog(catalog.StatsOptions{NoDependencies: true}, 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, c := range []struct {
		sql       string
		empty     bool
		maxQError float64 // with the dependencies
		minQError float64 // without them
	}{
		{"SELECT COUNT(*) FROM flights WHERE month = 3 AND dep_time BETWEEN '2001-02-10 08:00:00' AND '2001-02-11 20:00:00'", true, 1, 1},
		{"SELECT COUNT(*) FROM flights WHERE month > 2 AND delay > 10 AND dep_time <= '2001-02-28 23:00:00'", true, 3, 5},
		{"SELECT COUNT(*) FROM flights WHERE day_of_week IN (1, 7) AND dep_time BETWEEN '2001-01-09 00:00:00' AND '2001-01-11 23:59:59'", true, 1, 1},
		{"SELECT COUNT(*) FROM flights WHERE month = 2 AND dep_time BETWEEN '2001-02-01 00:00:00' AND '2001-02-14 00:00:00'", false, 1.3, 2.5},
		{"SELECT COUNT(*) FROM flights WHERE day_of_week = 5 AND dep_time BETWEEN '2001-03-01 00:00:00' AND '2001-03-01 23:59:59'", false, 1.5, 5},
	} {
		q, err := features.Parse(db.Schema, c.sql)
		if err != nil {
			t.Fatal(err)
		}
		truth, err := engine.Count(ctx, db, q)
		if err != nil {
			t.Fatal(err)
		}
		if (truth == 0) != c.empty {
			t.Fatalf("%s: %d rows", c.sql, truth)
		}
		hw, err := NewHistogram(with).Estimate(q)
		if err != nil {
			t.Fatal(err)
		}
		ho, err := NewHistogram(without).Estimate(q)
		if err != nil {
			t.Fatal(err)
		}
		qw, qo := QError(hw.Rows, float64(truth)), QError(ho.Rows, float64(truth))
		t.Logf("%s: true %d, with dependencies %.1f (q %.2f), without %.1f (q %.2f)", c.sql, truth, hw.Rows, qw, ho.Rows, qo)
		if qw > c.maxQError || qo < c.minQError {
			t.Errorf("%s: q-error %.2f with dependencies (want <= %v), %.2f without (want >= %v)", c.sql, qw, c.maxQError, qo, c.minQError)
		}
		// The baseline every learned model corrects.
		b := newSampleBaseline(with, newSampleSet(with))
		var w baseProbe
		b.start(q, &w)
		f := b.figures(q, &w)
		b.finish(&w)
		if c.empty && c.maxQError == 1 && f.base != 0 {
			t.Errorf("%s: baseline %.1f rows, want 0", c.sql, f.base)
		}
	}
}
