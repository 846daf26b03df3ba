package engine_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/testutil"
)

// TestDerivedScopeCounts: a flattened derived table or CTE is a name
// scope (features/scope.go). What the server accepts counts as the same
// query written without the derived table; what it refuses (an inner
// alias or an unselected column used outside, an unknown column of a
// select-list subquery) is a typed error, not a count. Before the scopes,
// the second refused case counted 19,633 and the first accepted one was a
// duplicate alias.
func TestDerivedScopeCounts(t *testing.T) {
	db := testutil.Flights(t)
	c := engine.New(db, engine.Options{})
	ctx := context.Background()
	count := func(sql string) (int64, error) {
		q, err := features.Parse(db.Schema, sql)
		if err != nil {
			return 0, err
		}
		if q.Group != nil {
			g, err := c.CountGroups(ctx, q)
			return g.Groups, err
		}
		return c.Count(ctx, q)
	}
	for _, p := range [][2]string{
		{"SELECT * FROM (SELECT origin FROM flights f) d JOIN airports f ON d.origin = f.iata WHERE f.state = 'CA'",
			"SELECT * FROM flights g JOIN airports f ON g.origin = f.iata WHERE f.state = 'CA'"},
		{"SELECT * FROM (SELECT origin FROM flights f WHERE f.distance > 100) d JOIN airports f ON d.origin = f.iata WHERE f.state = 'CA'",
			"SELECT * FROM flights g JOIN airports f ON g.origin = f.iata WHERE f.state = 'CA' AND g.distance > 100"},
		{"WITH c AS (SELECT f.origin, f.delay FROM flights f WHERE f.distance > 1000) SELECT * FROM c c1 JOIN c c2 ON c1.origin = c2.origin WHERE c1.delay > 60",
			"SELECT * FROM flights f1 JOIN flights f2 ON f1.origin = f2.origin WHERE f1.distance > 1000 AND f2.distance > 1000 AND f1.delay > 60"},
		{"SELECT * FROM (SELECT * FROM flights f) d WHERE d.distance > 100 AND origin = 'LAX'",
			"SELECT * FROM flights WHERE distance > 100 AND origin = 'LAX'"},
		{"SELECT * FROM (SELECT origin FROM flights) a JOIN (SELECT origin FROM flights) b USING (origin) WHERE origin = 'SFO'",
			"SELECT * FROM flights a JOIN flights b ON a.origin = b.origin WHERE a.origin = 'SFO'"},
		{"SELECT DISTINCT * FROM (SELECT origin FROM (SELECT origin, destination FROM flights) d1) d2",
			"SELECT DISTINCT origin FROM flights"},
		{"SELECT (SELECT MAX(a.iata) FROM airports a WHERE a.iata = f.origin), f.origin FROM flights f WHERE f.delay > 30",
			"SELECT f.origin FROM flights f WHERE f.delay > 30"},
		{"SELECT (SELECT origin), (SELECT d.origin FROM DUAL) FROM (SELECT origin FROM flights) d WHERE origin = 'LAX'",
			"SELECT origin FROM flights WHERE origin = 'LAX'"},
		// An unaliased expression is named by its text, as on the server.
		{"SELECT d.`delay + 1`, `1+1` FROM (SELECT origin, delay + 1, 1+1 FROM flights) d WHERE origin = 'LAX'",
			"SELECT origin FROM flights WHERE origin = 'LAX'"},
		// A string literal is named by its value.
		{"SELECT d.abc, `it's` FROM (SELECT origin, 'abc', 'it''s' FROM flights) d WHERE origin = 'LAX'",
			"SELECT origin FROM flights WHERE origin = 'LAX'"},
		// A CTE's body does not see itself (no RECURSIVE): its name there
		// is the base table, also in its WHERE's subqueries (a stack
		// overflow before).
		{"WITH flights AS (SELECT origin FROM flights) SELECT * FROM flights WHERE origin = 'LAX'",
			"SELECT * FROM flights WHERE origin = 'LAX'"},
		{"WITH flights AS (SELECT origin FROM flights WHERE origin IN (SELECT origin FROM flights WHERE delay > 100)) SELECT * FROM flights",
			"SELECT * FROM flights WHERE origin IN (SELECT origin FROM flights WHERE delay > 100)"},
		{"WITH a AS (SELECT origin FROM flights), b AS (SELECT origin FROM a WHERE origin = 'LAX') SELECT * FROM b",
			"SELECT * FROM flights WHERE origin = 'LAX'"},
		// A grouped derived table may share its alias with a table, as on
		// MariaDB 10.11 (a duplicate alias before): d.n is the derived
		// table's, d.state the table's.
		{"SELECT * FROM airports d JOIN (SELECT origin, COUNT(*) AS n FROM flights GROUP BY origin) d ON d.origin = d.iata WHERE d.n > 100 AND d.state = 'CA'",
			"SELECT * FROM airports a JOIN (SELECT origin, COUNT(*) AS n FROM flights GROUP BY origin) g ON g.origin = a.iata WHERE g.n > 100 AND a.state = 'CA'"},
		{"SELECT * FROM (SELECT origin, COUNT(*) AS n FROM flights GROUP BY origin) d, airports d WHERE n > 100 AND d.iata = d.origin",
			"SELECT * FROM (SELECT origin, COUNT(*) AS n FROM flights GROUP BY origin) g, airports a WHERE g.n > 100 AND a.iata = g.origin"},
	} {
		got, err := count(p[0])
		want, werr := count(p[1])
		if err != nil || werr != nil || got != want || want == 0 {
			t.Errorf("%s: %d (%v), %s: %d (%v)", p[0], got, err, p[1], want, werr)
		}
	}
	for _, e := range []struct {
		sql  string
		want error
	}{
		{"SELECT f.* FROM (SELECT origin FROM flights f) d", features.ErrUnknownTable},
		{"SELECT * FROM (SELECT origin FROM flights f) d WHERE f.distance > 100", features.ErrUnknownTable},
		{"WITH c AS (SELECT origin FROM flights f) SELECT * FROM c WHERE f.distance > 100", features.ErrUnknownTable},
		{"SELECT d.distance FROM (SELECT origin FROM flights) d", features.ErrUnknownColumn},
		{"SELECT * FROM (SELECT origin FROM flights) d WHERE distance > 100", features.ErrUnknownColumn},
		{"SELECT (SELECT nope FROM airports LIMIT 1) FROM flights", features.ErrUnknownColumn},
		{"SELECT origin, (SELECT MAX(nope) FROM airports) FROM flights", features.ErrUnknownColumn},
		{"SELECT * FROM flights WHERE origin IN (SELECT code FROM airports WHERE nope = 1)", features.ErrUnknownColumn},
		{"SELECT (SELECT nope) FROM flights", features.ErrUnknownColumn},
		{"SELECT (SELECT d.nope FROM DUAL) FROM (SELECT origin FROM flights) d", features.ErrUnknownColumn},
		{"SELECT * FROM (SELECT origin, 'origin' FROM flights) d", features.ErrDuplicateAlias},
		// Computed, not unknown (ErrUnknownColumn before).
		{"SELECT * FROM (SELECT delay + 1 FROM flights) d WHERE `delay + 1` > 100", features.ErrUnsupported},
		// A CTE's body sees no later CTE of its WITH, nor itself (the
		// server: table b doesn't exist).
		{"WITH a AS (SELECT origin FROM b), b AS (SELECT origin FROM flights) SELECT * FROM a", features.ErrUnknownTable},
		{"WITH a AS (SELECT origin, COUNT(*) FROM a GROUP BY origin) SELECT * FROM a", features.ErrUnknownTable},
		// A table and a derived table of one name: ambiguous where both
		// have the column; in a statement with a WITH clause, refused
		// (MariaDB 10.11: Not unique table/alias).
		{"SELECT * FROM airports d JOIN (SELECT origin AS iata, COUNT(*) AS n FROM flights GROUP BY origin) d ON d.n = 1 WHERE d.iata = 'LAX'", features.ErrAmbiguousColumn},
		{"WITH c AS (SELECT origin FROM flights) SELECT * FROM c d, airports d", features.ErrDuplicateAlias},
		{"WITH c AS (SELECT origin FROM flights) SELECT * FROM c, (SELECT origin, COUNT(*) AS n FROM flights GROUP BY origin) d, airports d", features.ErrDuplicateAlias},
	} {
		n, err := count(e.sql)
		if !errors.Is(err, e.want) {
			t.Errorf("%s: %d, %v; want %v", e.sql, n, err, e.want)
		}
	}
}
