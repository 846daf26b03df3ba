package indexadvisor

import (
	"context"
	"math/rand/v2"
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

// TestGuardCatchesGroupByTrap: without the guard (and trap refusal off)
// the advisor priced at cheapest plans adds an index led by destination;
// the guard predicts a statement regresses with it and the index is
// distrusted. (Beside flights(distance, destination), which serves the
// GROUP BY statement, the server-like optimizer would not take it there;
// the guard, told whether the optimizer takes the index, flags a hub
// equality whose lookups cost more than the scan.)
func TestGuardCatchesGroupByTrap(t *testing.T) {
	_, cat := flights(t)
	w, err := NewWorkload(cat.Schema, flightsStatements(t, trapWorkload))
	if err != nil {
		t.Fatal(err)
	}
	// Priced at cheapest plans: the default pricing (the server's plans)
	// already leaves the destination index out (TestDefaultAvoidsGroupByTrap).
	plain, err := RecommendIndex(context.Background(), w, Options{Catalog: cat, CheapestPlan: true})
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
	guarded, err := RecommendIndex(context.Background(), w, Options{Catalog: cat, Guard: g, CheapestPlan: true})
	if err != nil {
		t.Fatal(err)
	}
	d := led(guarded.Distrusted)
	if d == nil || len(d.Regressions) == 0 {
		t.Fatalf("guard did not distrust the destination index: distrusted %+v", guarded.Distrusted)
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
// default) the advisor leaves the destination index out of the trap
// workload by itself, and still serves the GROUP BY statement's range.
func TestDefaultAvoidsGroupByTrap(t *testing.T) {
	_, cat := flights(t)
	w, err := NewWorkload(cat.Schema, flightsStatements(t, trapWorkload))
	if err != nil {
		t.Fatal(err)
	}
	r, err := RecommendIndex(context.Background(), w, Options{Catalog: cat})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Indexes) == 0 {
		t.Fatal("no index recommended")
	}
	for _, rec := range r.Indexes {
		if rec.Columns[0] == "destination" {
			t.Errorf("the default recommends %s(%v), led by the GROUP BY column", rec.Table, rec.Columns)
		}
	}
}
