package indexadvisor

import (
	"context"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/live"
)

// dataOnce holds a data set and its catalog, built once per test binary.
type dataOnce struct {
	sync.Once
	db  *datasets.DB
	cat *catalog.Catalog
	err error
}

// get returns the data open gives and its catalog, opening them on the
// first call.
func (d *dataOnce) get(t testing.TB, open func() (*datasets.DB, error)) (*datasets.DB, *catalog.Catalog) {
	t.Helper()
	d.Do(func() {
		d.db, d.err = open()
		if d.err == nil {
			d.cat, d.err = d.db.Catalog(catalog.StatsOptions{}, 1)
		}
	})
	if d.err != nil {
		t.Fatal(d.err)
	}
	return d.db, d.cat
}

var flightsOnce dataOnce

// flights returns the bundled flights data and its catalog (built once).
func flights(t testing.TB) (*datasets.DB, *catalog.Catalog) {
	t.Helper()
	return flightsOnce.get(t, datasets.Flights)
}

const flightsWorkload = `
SELECT * FROM flights WHERE origin = 'SFO' AND destination = 'LAX';
SELECT * FROM flights WHERE origin = 'SFO' AND destination = 'LAX';
SELECT id, delay FROM flights WHERE origin = 'ORD' ORDER BY dep_time DESC LIMIT 10;
SELECT COUNT(*) FROM flights f JOIN airports a ON f.origin = a.iata WHERE a.state = 'TX' AND f.delay > 60;
SELECT destination, COUNT(*) FROM flights WHERE distance BETWEEN 1500 AND 1600 GROUP BY destination;
SELECT name FROM airports WHERE city = 'Chicago';
UPDATE flights SET delay = 0 WHERE id = 17;
INSERT INTO flights VALUES (99999, '2001-01-01 00:00:00', 0, 1, 1, 0, 100, 'SFO', 'LAX');
CREATE TABLE nope (a INT);
`

func flightsStatements(t testing.TB, text string) []live.Statement {
	t.Helper()
	stmts, err := live.ParseSQLFile(strings.NewReader(text), "workload.sql")
	if err != nil {
		t.Fatal(err)
	}
	return live.Merge(stmts)
}

// testAdvisor returns an advisor with default options over the
// statements of text (a SQL file's) on cat.
func testAdvisor(t testing.TB, cat *catalog.Catalog, text string) *advisor {
	t.Helper()
	w, err := NewWorkload(cat.Schema, flightsStatements(t, text))
	if err != nil {
		t.Fatal(err)
	}
	a, err := newAdvisor(w, Options{Catalog: cat})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// stmtCost is the estimated cost of statement si of a (its occurrences'
// plans) under a configuration of ixs added to no new index.
func stmtCost(a *advisor, si int, ixs ...*Index) float64 {
	c := a.newConfig()
	for _, ix := range ixs {
		c.move(nil, ix)
	}
	return c.stmtCost(si)
}

// singleCandidate returns a's one-column candidate index on table(col),
// failing the test when there is none.
func singleCandidate(t testing.TB, a *advisor, table, col string) *Index {
	t.Helper()
	ti := a.cat.Schema.TableIndex(table)
	for _, ix := range a.candidates() {
		if ix.Table == ti && slices.Equal(ix.Columns, []int{a.cat.Schema.Tables[ti].ColumnIndex(col)}) {
			return ix
		}
	}
	t.Fatalf("no %s(%s) candidate", table, col)
	return nil
}

func TestRecommendFlights(t *testing.T) {
	_, cat := flights(t)
	w, err := NewWorkload(cat.Schema, flightsStatements(t, flightsWorkload))
	if err != nil {
		t.Fatal(err)
	}
	r, err := RecommendIndex(context.Background(), w, Options{Catalog: cat})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	r.DDL(&b)
	t.Logf("\n%s", b.String())
	for _, q := range r.Queries {
		t.Logf("%5.1f%% %8.1f -> %8.1f %v %s", 100*q.Improvement, q.Before, q.After, q.Indexes, q.SQL)
	}
	t.Logf("skipped %+v; candidates %d (%s)", w.Skipped, r.Candidates, humanBytes(r.CandidateBytes))
}

// liveDSN returns the test server's DSN (CARDINAL_TEST_DSN). Without one
// the test skips, saying it had no server to do what on, except under
// CI=true, where the integration tests must run and it fails.
func liveDSN(t testing.TB, what string) string {
	t.Helper()
	dsn := os.Getenv("CARDINAL_TEST_DSN")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but CARDINAL_TEST_DSN is empty")
		}
		t.Skip("CARDINAL_TEST_DSN is empty: no server to " + what)
	}
	return dsn
}
