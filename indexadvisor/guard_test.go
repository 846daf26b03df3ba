package indexadvisor

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
)

// trapWorkload: destination lookups make an index led by destination
// worthwhile; the GROUP BY destination statement with a selective
// distance range is the trap (a server scans that index in full with a
// row lookup each).
const trapWorkload = `
SELECT * FROM flights WHERE destination = 'LAX';
SELECT * FROM flights WHERE destination = 'ORD';
SELECT * FROM flights WHERE destination = 'DFW';
SELECT destination, COUNT(*) FROM flights WHERE distance BETWEEN 1500 AND 1510 GROUP BY destination;
`

// trainFlightsGuard trains the guard on pairs measured on a generated
// flights workload plus the trap statements, and returns it with the
// held-out pairs.
var guardOnce struct {
	sync.Once
	g    *Guard
	test []GuardExample
}

func trainFlightsGuard(t *testing.T) (*Guard, []GuardExample) {
	t.Helper()
	guardOnce.Do(func() { guardOnce.g, guardOnce.test = trainGuardOnce(t) })
	if guardOnce.g == nil {
		t.Fatal("guard training failed")
	}
	return guardOnce.g, guardOnce.test
}

func trainGuardOnce(t *testing.T) (*Guard, []GuardExample) {
	t.Helper()
	db, cat := flights(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	stmts := append(GenerateWorkload(cat, 200, rng), flightsStatements(t, trapWorkload)...)
	w, err := NewWorkload(cat.Schema, stmts)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := MeasurePairs(ctx, db, w, Options{Catalog: cat}, 3000, rng)
	if err != nil {
		t.Fatal(err)
	}
	rng.Shuffle(len(ex), func(i, j int) { ex[i], ex[j] = ex[j], ex[i] })
	cut := len(ex) * 7 / 10
	g, err := TrainGuard(ctx, ex[:cut])
	if err != nil {
		t.Fatal(err)
	}
	return g, ex[cut:]
}

// TestGuardBeatsBaseline trains the guard and compares it with trusting
// the what-if model (BaselineRegress) on held-out measured pairs.
func TestGuardBeatsBaseline(t *testing.T) {
	g, test := trainFlightsGuard(t)
	rows := make([][]float64, len(test))
	for i, e := range test {
		rows[i] = e.Features
	}
	pred, err := g.Predict(rows)
	if err != nil {
		t.Fatal(err)
	}
	var gOK, bOK, pos, gHit, bHit, gFP, bFP int
	for i, e := range test {
		if pred[i] == e.Regress {
			gOK++
		}
		if BaselineRegress(e.Features) == e.Regress {
			bOK++
		}
		if !e.Regress && pred[i] {
			gFP++
		}
		if !e.Regress && BaselineRegress(e.Features) {
			bFP++
		}
		if e.Regress {
			pos++
			if pred[i] {
				gHit++
			}
			if BaselineRegress(e.Features) {
				bHit++
			}
		}
	}
	n := float64(len(test))
	f1 := func(tp, fp int) float64 { return 2 * float64(tp) / float64(2*tp+fp+(pos-tp)) }
	t.Logf("held-out pairs %d (%d regress): guard accuracy %.3f, recall %d/%d, false alarms %d, F1 %.3f; baseline accuracy %.3f, recall %d/%d, false alarms %d, F1 %.3f",
		len(test), pos, float64(gOK)/n, gHit, pos, gFP, f1(gHit, gFP), float64(bOK)/n, bHit, pos, bFP, f1(bHit, bFP))
	if pos == 0 {
		t.Fatal("no regressing pair among the held-out ones")
	}
	if f1(gHit, gFP) <= f1(bHit, bFP) || gOK < bOK {
		t.Errorf("guard (accuracy %d, F1 %.3f) does not beat the baseline (accuracy %d, F1 %.3f)", gOK, f1(gHit, gFP), bOK, f1(bHit, bFP))
	}
}

// trapBudget holds one index of the trap workload (flights(destination),
// 425,984 bytes, or flights(distance), 507,904) but not two, nor
// flights(distance, destination) (589,824), which serves the GROUP BY
// statement beside an index led by destination.
const trapBudget = 520_000

// TestGuardCatchesGroupByTrap: with room for one index and without the
// guard, the advisor priced at cheapest plans (which cannot see the trap)
// takes the index led by destination, the best for the lookups; the
// guard predicts the GROUP BY statement regresses with it, and the index
// is distrusted.
func TestGuardCatchesGroupByTrap(t *testing.T) {
	_, cat := flights(t)
	w, err := NewWorkload(cat.Schema, flightsStatements(t, trapWorkload))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := RecommendIndex(context.Background(), w, Options{Catalog: cat, CheapestPlan: true, Budget: trapBudget})
	if err != nil {
		t.Fatal(err)
	}
	led := func(rs []Recommended) *Recommended {
		for i := range rs {
			if rs[i].Columns[0] == "destination" {
				return &rs[i]
			}
		}
		return nil
	}
	if led(plain.Indexes) == nil {
		t.Fatalf("without the guard no index led by destination: %+v", plain.Indexes)
	}
	g, _ := trainFlightsGuard(t)
	w, _ = NewWorkload(cat.Schema, flightsStatements(t, trapWorkload))
	guarded, err := RecommendIndex(context.Background(), w, Options{Catalog: cat, Guard: g, CheapestPlan: true, Budget: trapBudget})
	if err != nil {
		t.Fatal(err)
	}
	d := led(guarded.Distrusted)
	if d == nil || !slices.Contains(d.Regressions, 3) {
		t.Fatalf("guard did not distrust the destination index for the GROUP BY statement (3): distrusted %+v", guarded.Distrusted)
	}
	t.Logf("distrusted %s(%v) for statements %v", d.Table, d.Columns, d.Regressions)
	if led(guarded.Indexes) != nil {
		t.Errorf("a distrusted index is still recommended: %+v", guarded.Indexes)
	}
	var b strings.Builder
	guarded.DDL(&b)
	t.Logf("guarded advice:\n%s", b.String())
}

// TestDefaultAvoidsGroupByTrap: priced at the server's plans (the
// default) the advisor never leaves the GROUP BY statement to a full scan
// of an index led by destination. With room for one index it leaves that
// index out and serves the GROUP BY statement's range; with room for
// all, it takes the destination index only beside one led by distance,
// which keeps the range. Measured on MariaDB 10.11 (the bundled flights
// in cardinal_flights_ixadv_s1, 2026-12-07, warm, median of 7): flights(destination) alone
// takes the GROUP BY statement from 2.83 to 15.2 ms (a full index scan,
// "Using where") while destination = 'ORD' goes from 5.53 to 1.56 ms
// (1,160 rows in 161 leaves, looked up in primary key order); beside
// flights(distance, destination) the GROUP BY statement takes the
// covering range, 0.12 ms, and 'ORD' 1.84 ms.
func TestDefaultAvoidsGroupByTrap(t *testing.T) {
	_, cat := flights(t)
	for _, budget := range []float64{trapBudget, 0} {
		w, err := NewWorkload(cat.Schema, flightsStatements(t, trapWorkload))
		if err != nil {
			t.Fatal(err)
		}
		r, err := RecommendIndex(context.Background(), w, Options{Catalog: cat, Budget: budget})
		if err != nil {
			t.Fatal(err)
		}
		var dest, dist bool
		for _, rec := range r.Indexes {
			// Led by destination without distance: the trap's full
			// index scan with a row lookup each (one that also holds
			// distance covers the statement in group order).
			dest = dest || rec.Columns[0] == "destination" && !slices.Contains(rec.Columns, "distance")
			dist = dist || rec.Columns[0] == "distance"
		}
		if budget > 0 && !dist {
			t.Errorf("budget %.0f: no index led by distance serves the GROUP BY statement's range: %+v", budget, r.Indexes)
		}
		if dest && (budget > 0 || !dist) {
			t.Errorf("budget %.0f: an index led by the GROUP BY column without one led by distance: %+v", budget, r.Indexes)
		}
		t.Logf("budget %.0f: %+v", budget, r.Indexes)
	}
}
