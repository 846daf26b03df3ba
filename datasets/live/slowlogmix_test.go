package live

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/querylog"
)

// slowLogMix is a DBA's slow log in miniature: the statements issue 13
// found skipped (outer, semi- and anti-joins, NOW() - INTERVAL, YEAR(),
// GROUP BY, ...) over the flights data. The NOW()/CURDATE() filters are
// chosen so that any "now" after 2002 gives the same rows (the flights
// are of 2001), so the server's clock and the engine's agree.
var slowLogMix = []struct{ name, sql string }{
	{"left join", "SELECT f.id, a.name FROM flights f LEFT JOIN airports a ON f.origin = a.iata AND a.state = 'TX' WHERE f.delay > 60"},
	{"right join", "SELECT r.num_flights, a.city FROM airports a RIGHT JOIN routes r ON a.iata = r.destination WHERE r.num_flights > 5"},
	{"in select", "SELECT * FROM flights WHERE origin IN (SELECT iata FROM airports WHERE state = 'CA') AND month = 2"},
	{"exists", "SELECT * FROM airports a WHERE EXISTS (SELECT 1 FROM flights f WHERE f.origin = a.iata AND f.delay > 120)"},
	{"not exists", "SELECT iata FROM airports a WHERE NOT EXISTS (SELECT * FROM routes r WHERE r.origin = a.iata)"},
	{"not in", "SELECT * FROM airports WHERE state NOT IN (SELECT state FROM airports WHERE city = 'Chicago')"},
	{"scalar subquery", "SELECT * FROM flights WHERE distance > (SELECT AVG(distance) FROM flights)"},
	{"correlated scalar", "SELECT * FROM routes r WHERE r.num_flights > (SELECT AVG(r2.num_flights) FROM routes r2 WHERE r2.origin = r.origin)"},
	{"derived table", "SELECT t.origin FROM (SELECT origin, delay FROM flights WHERE month = 1) AS t WHERE t.delay > 60"},
	{"cte", "WITH late AS (SELECT * FROM flights WHERE delay > 30) SELECT * FROM late WHERE late.distance > 1000"},
	{"now minus interval", "SELECT * FROM flights WHERE dep_time > NOW() - INTERVAL 30 YEAR AND delay > 30"},
	{"curdate", "SELECT * FROM flights WHERE dep_time < CURDATE() - INTERVAL 1 DAY AND month = 3"},
	{"year month", "SELECT * FROM flights WHERE YEAR(dep_time) = 2001 AND MONTH(dep_time) = 3"},
	{"date_add constant", "SELECT * FROM flights WHERE dep_time >= '2001-02-01' AND dep_time < DATE_ADD('2001-02-01', INTERVAL 1 MONTH)"},
	{"date()", "SELECT * FROM flights WHERE DATE(dep_time) = '2001-02-14'"},
	{"column plus constant", "SELECT * FROM flights WHERE delay + 15 > 60"},
	{"coalesce", "SELECT * FROM airports WHERE COALESCE(state, 'none') = 'none'"},
	{"is true", "SELECT * FROM flights WHERE (delay > 60) IS TRUE"},
	{"two columns", "SELECT * FROM routes WHERE origin < destination"},
	{"or with join", "SELECT * FROM flights f, airports a WHERE (f.origin = a.iata AND a.state = 'TX') OR (f.origin = a.iata AND f.delay > 300)"},
	{"group by", "SELECT origin, COUNT(*) FROM flights WHERE delay > 15 GROUP BY origin"},
	{"group by having", "SELECT origin, COUNT(*) FROM flights GROUP BY origin HAVING COUNT(*) > 100"},
	{"distinct", "SELECT DISTINCT state FROM airports WHERE country = 'USA'"},
}

// TestLiveSlowLogMix runs slowLogMix on the private server, captures it
// from the server's slow log, labels it with Collect and checks each
// label against the engine's count of the same query: issue 13's "a slow
// log with a mix of those statements is captured and labelled by collect
// with nothing skipped": the test fails when collect skips any statement
// or labels one differently from the engine.
func TestLiveSlowLogMix(t *testing.T) {
	s := newFlightsServer(t)
	path := testEnv(t, "CARDINAL_TEST_SLOWLOG", "the server's slow log is not known")
	ctx := context.Background()
	marker := fmt.Sprintf("slowlogmix-%d", time.Now().UnixNano())
	for _, st := range slowLogMix {
		rows, err := query(ctx, s.db, st.sql+" /* "+marker+" */")
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		for rows.Next() {
		}
		if err := rows.Close(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
	}
	var found []Statement
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		all, err := ParseSlowLog(f, path)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		found = found[:0]
		for _, st := range all {
			if strings.Contains(st.SQL, marker) {
				found = append(found, st)
			}
		}
		if len(found) == len(slowLogMix) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(found) != len(slowLogMix) {
		t.Fatalf("found %d of %d statements in %s", len(found), len(slowLogMix), path)
	}

	out := filepath.Join(t.TempDir(), "labels.jsonl")
	schema := datasets.FlightsSchema()
	rep, err := Collect(ctx, s.db, schema, found, CollectOptions{Out: out, Timeout: testCountTimeout})
	if err != nil {
		t.Fatalf("collect: %v (report %+v)", err, rep)
	}
	labels := map[string]querylog.Record{}
	for _, r := range readLabels(t, out) {
		labels[r.SQL] = r
	}
	for _, sk := range rep.Skipped {
		t.Errorf("collect skipped %d statements: %s (e.g. %s)", sk.Statements, sk.Reason, sk.Example)
	}
	labelled := 0
	for i, st := range slowLogMix {
		why := ""
		q, err := features.Parse(schema, found[i].SQL)
		if err != nil {
			why = "not labelled: " + err.Error()
		} else if rec, ok := labels[q.SQL()]; !ok {
			why = "parsed but not labelled"
		} else if want, err := engine.CountGroups(ctx, s.data, q); err != nil {
			why = "engine: " + err.Error()
		} else if rec.Rows != want.Rows {
			why = fmt.Sprintf("labelled %d rows, the engine counts %d", rec.Rows, want.Rows)
		} else if q.Group != nil && (rec.Groups == nil || *rec.Groups != want.Groups) {
			why = fmt.Sprintf("labelled groups %v, the engine counts %d", rec.Groups, want.Groups)
		} else if q.Group == nil && rec.Groups != nil {
			why = fmt.Sprintf("labelled groups %d for a query without grouping", *rec.Groups)
		}
		if why != "" {
			t.Errorf("%s: %s\n%s", st.name, why, st.sql)
			continue
		}
		labelled++
	}
	if labelled != len(slowLogMix) {
		t.Errorf("%d of %d statements labelled and equal to the engine's count", labelled, len(slowLogMix))
	}
	t.Logf("%d of %d statements labelled and equal to the engine's count; report %+v", labelled, len(slowLogMix), rep)
}
