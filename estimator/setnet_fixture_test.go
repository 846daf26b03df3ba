package estimator

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/datasets/workload"
	"github.com/cardinaldb/cardinal/features"
)

// Test data for the learned models: the bundled flights data, its
// catalog, and a seeded workload of SQL templates (single-table, 2- and
// 3-way joins, correlated predicates) labelled by the exact engine.

type snFixture struct {
	db    *datasets.DB
	cat   *catalog.Catalog
	train []Example // template queries (repeating shapes)
	test  []Example
	// wlTrain and wlTest come from the workload generator (random join
	// walks, sub-plans labelled, grouped by query); whole groups are held
	// out.
	wlTrain, wlTest []Example
}

var snFixtureOnce = sync.OnceValues(func() (*snFixture, error) {
	db, err := datasets.Flights()
	if err != nil {
		return nil, err
	}
	cat, err := catalog.Build(db.Schema, db, catalog.StatsOptions{}, rand.New(rand.NewPCG(7, 7)))
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(11, 13))
	qs, err := snGenQueries(rng, db, 2400)
	if err != nil {
		return nil, err
	}
	exs, err := snLabel(db, qs)
	if err != nil {
		return nil, err
	}
	wq, err := workload.Generate(context.Background(), db, workload.JoinGraphFromSchema(db.Schema),
		workload.Options{Queries: 900, MaxJoins: 2}, rand.New(rand.NewPCG(17, 19)))
	if err != nil {
		return nil, err
	}
	recs, err := workload.Label(context.Background(), db, wq, workload.LabelOptions{SubPlans: true})
	if err != nil {
		return nil, err
	}
	wl, err := Examples(db.Schema, recs)
	if err != nil {
		return nil, err
	}
	cut := 0
	for cut < len(wl) && wl[cut].Group <= 750 {
		cut++
	}
	return &snFixture{db: db, cat: cat, train: exs[:2000], test: exs[2000:], wlTrain: wl[:cut], wlTest: wl[cut:]}, nil
})

func snFlightsFixture(t testing.TB) *snFixture {
	t.Helper()
	f, err := snFixtureOnce()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// snLabel counts every query exactly on db.
func snLabel(db *datasets.DB, qs []*features.Query) ([]Example, error) {
	c := engine.New(db, engine.Options{})
	out := make([]Example, len(qs))
	for i, q := range qs {
		n, err := c.Count(context.Background(), q)
		if err != nil {
			return nil, fmt.Errorf("query %d (%s): %w", i, q.SQL(), err)
		}
		out[i] = Example{Query: q, Rows: float64(n)}
	}
	return out, nil
}

// snGenQueries draws n queries over the flights schema from templates,
// with literals taken from random rows of db.
func snGenQueries(rng *rand.Rand, db *datasets.DB, n int) ([]*features.Query, error) {
	fl, ap, rt := db.Table("flights"), db.Table("airports"), db.Table("routes")
	frow := func() []catalog.Datum { return fl.Row(rng.IntN(fl.Rows), nil) }
	arow := func() []catalog.Datum {
		for {
			r := ap.Row(rng.IntN(ap.Rows), nil)
			if !r[3].IsNull() && !r[5].IsNull() {
				return r
			}
		}
	}
	quote := func(d catalog.Datum) string { return "'" + strings.ReplaceAll(d.S, "'", "''") + "'" }
	// Flights column indexes: 2 hour, 3 month, 4 day_of_week, 5 delay,
	// 6 distance, 7 origin.
	fpred := func(alias string) string {
		r := frow()
		switch rng.IntN(8) {
		case 0:
			return fmt.Sprintf("%s.month = %d", alias, r[3].I)
		case 1:
			return fmt.Sprintf("%s.hour BETWEEN %d AND %d", alias, r[2].I, r[2].I+int64(rng.IntN(6)))
		case 2:
			return fmt.Sprintf("%s.delay > %d", alias, r[5].I)
		case 3:
			return fmt.Sprintf("%s.distance < %d", alias, r[6].I)
		case 4:
			return fmt.Sprintf("%s.day_of_week IN (%d, %d)", alias, r[4].I, 1+rng.IntN(7))
		case 5:
			return fmt.Sprintf("%s.origin = %s", alias, quote(r[7]))
		case 6:
			return fmt.Sprintf("(%s.delay < %d OR %s.distance > %d)", alias, r[5].I, alias, r[6].I)
		}
		return fmt.Sprintf("NOT (%s.hour < %d)", alias, r[2].I)
	}
	fpreds := func(alias string) string {
		k := 1 + rng.IntN(3)
		ps := make([]string, k)
		for i := range ps {
			ps[i] = fpred(alias)
		}
		return strings.Join(ps, " AND ")
	}
	apred := func(alias string) string {
		r := arow()
		switch rng.IntN(3) {
		case 0:
			return fmt.Sprintf("%s.state = %s", alias, quote(r[3]))
		case 1:
			return fmt.Sprintf("%s.latitude > %g", alias, r[5].F)
		}
		return fmt.Sprintf("%s.state IN (%s, %s)", alias, quote(r[3]), quote(arow()[3]))
	}
	var out []*features.Query
	for len(out) < n {
		var sql string
		switch rng.IntN(5) {
		case 0:
			sql = "SELECT COUNT(*) FROM flights f WHERE " + fpreds("f")
		case 1:
			sql = "SELECT COUNT(*) FROM flights f JOIN airports a ON f.origin = a.iata WHERE " + fpreds("f") + " AND " + apred("a")
		case 2:
			sql = fmt.Sprintf("SELECT COUNT(*) FROM flights f JOIN routes r ON f.origin = r.origin AND f.destination = r.destination WHERE %s AND r.num_flights > %d",
				fpreds("f"), rt.Row(rng.IntN(rt.Rows), nil)[2].I)
		case 3:
			sql = "SELECT COUNT(*) FROM flights f JOIN airports a ON f.origin = a.iata JOIN airports b ON f.destination = b.iata WHERE " +
				apred("a") + " AND " + apred("b") + " AND " + fpred("f")
		default:
			sql = "SELECT COUNT(*) FROM routes r JOIN airports a ON r.origin = a.iata WHERE " + apred("a") +
				fmt.Sprintf(" AND r.num_flights < %d", rt.Row(rng.IntN(rt.Rows), nil)[2].I)
		}
		q, err := features.Parse(db.Schema, sql)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", sql, err)
		}
		out = append(out, q)
	}
	return out, nil
}

// snQErrors returns the q-errors of est on exs.
func snQErrors(t testing.TB, est Estimator, exs []Example) []float64 {
	t.Helper()
	out := make([]float64, len(exs))
	for i, ex := range exs {
		e, err := est.Estimate(ex.Query)
		if err != nil {
			t.Fatalf("%s: %s: %v", est.Name(), ex.Query.SQL(), err)
		}
		out[i] = QError(e.Rows, ex.Rows)
	}
	return out
}

func TestSNFixture(t *testing.T) {
	f := snFlightsFixture(t)
	zero, joins := 0, 0
	for _, ex := range f.train {
		if ex.Rows == 0 {
			zero++
		}
		if len(ex.Query.Joins) > 0 {
			joins++
		}
	}
	t.Logf("%d train, %d test; %d empty results, %d join queries; workload %d/%d", len(f.train), len(f.test), zero, joins, len(f.wlTrain), len(f.wlTest))
	if joins < len(f.train)/2 || zero > len(f.train)/2 {
		t.Fatalf("workload is degenerate: %d joins, %d empty of %d", joins, zero, len(f.train))
	}
}
