package indexadvisor

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/internal/server"
)

func TestIgnoreIndexes(t *testing.T) {
	names := map[string][]string{"order_items": {"cx_a", "cx_b"}, "orders": {"cx_c"}}
	for _, tc := range []struct{ in, want string }{
		{"SELECT * FROM order_items WHERE product_id = 3 ORDER BY id DESC LIMIT 10",
			"SELECT * FROM `order_items` IGNORE INDEX (`cx_a`, `cx_b`) WHERE `product_id`=3 ORDER BY `id` DESC LIMIT 10"},
		{"SELECT COUNT(*) FROM orders o JOIN order_items oi ON oi.order_id = o.id JOIN products p ON p.id = oi.product_id WHERE o.status = 'x'",
			"SELECT COUNT(1) FROM (`orders` AS `o` IGNORE INDEX (`cx_c`) JOIN `order_items` AS `oi` IGNORE INDEX (`cx_a`, `cx_b`) ON `oi`.`order_id`=`o`.`id`) JOIN `products` AS `p` ON `p`.`id`=`oi`.`product_id` WHERE `o`.`status`=_UTF8MB4'x'"},
	} {
		got, err := ignoreIndexes(tc.in, names)
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if got != tc.want {
			t.Errorf("ignoreIndexes(%s)\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
	if _, err := ignoreIndexes("SELECT * FROM products WHERE id = 1", names); err == nil {
		t.Error("a statement without a table of the new indexes: want an error")
	}
	if _, err := ignoreIndexes("SELECT * FROM", names); err == nil {
		t.Error("a statement that does not parse: want an error")
	}
}

// TestLiveRecheck checks the paired recheck of suspected regressions
// (recheck.go) on the server: with order_items(order_id) built, a lookup
// by order_id given a fake 1.5x slowdown is refuted (it is faster with the
// index), and the GROUP BY trap (a full scan of the index with a row
// lookup per entry) given the same fake slowdown stays a regression; the
// statements ignoring the index run the plan timed without it.
func TestLiveRecheck(t *testing.T) {
	dsn := liveDSN(t, "measure on")
	ctx := context.Background()
	cat, srv := ecommerceServer(ctx, t, dsn)
	w, err := NewWorkload(cat.Schema, flightsStatements(t, `
SELECT * FROM order_items WHERE order_id = 4711;
SELECT order_id, COUNT(*) FROM order_items WHERE unit_price BETWEEN 20 AND 21 GROUP BY order_id;
`))
	if err != nil {
		t.Fatal(err)
	}
	a, err := newAdvisor(w, Options{Catalog: cat})
	if err != nil {
		t.Fatal(err)
	}
	m := newMeasurer(a, EvalOptions{Server: srv, IndexPrefix: "cr" + runTag() + "_", NoiseFloor: 2 * time.Millisecond,
		Time: server.TimeOptions{Runs: 3, Warmups: -1, Limit: 10 * time.Second}})
	m.say = t.Logf
	defer func() {
		if err := m.dropAll(ctx); err != nil {
			t.Error(err)
		}
	}()
	if m.base, err = m.timeAll(ctx, nil); err != nil {
		t.Fatal(err)
	}
	oi := cat.Schema.TableIndex("order_items")
	ix := &Index{Table: oi, Columns: []int{cat.Schema.Tables[oi].ColumnIndex("order_id")}}
	if err := m.apply(ctx, []*Index{ix}); err != nil {
		t.Fatal(err)
	}
	lookup, trap := -1, -1
	for si, st := range w.Statements {
		if strings.Contains(st.SQL, "GROUP BY") {
			trap = si
		} else {
			lookup = si
		}
	}
	fake := make([]time.Duration, len(m.base))
	for si, b := range m.base {
		fake[si] = b + b/2 + 3*time.Millisecond // suspected: > 1.1x and 2 ms, under SlowStatement
	}
	for si, b := range m.base {
		if fake[si] >= SlowStatement {
			t.Fatalf("statement %d took %v without the index: too slow to recheck (at most %v)", si, b, SlowStatement)
		}
	}
	if err := m.recheck(ctx, []*Index{ix}, fake); err != nil {
		t.Fatal(err)
	}
	t.Logf("base %v, rechecked %v (%d rechecked, %d refuted)", m.base, fake, m.rechecked, m.refuted)
	if m.rechecked != 2 {
		t.Fatalf("%d statements rechecked, want both", m.rechecked)
	}
	if fake[lookup] >= m.base[lookup]*11/10+2*time.Millisecond {
		t.Errorf("lookup by order_id: %v after the recheck against %v without the index: the fake regression stood", fake[lookup], m.base[lookup])
	}
	if fake[trap] <= m.base[trap]*11/10 {
		t.Errorf("GROUP BY trap: %v after the recheck against %v without the index: the real regression was refuted", fake[trap], m.base[trap])
	}

	// A plan is rechecked once: the same suspects again are left alone.
	again := slices.Clone(fake)
	if err := m.recheck(ctx, []*Index{ix}, again); err != nil {
		t.Fatal(err)
	}
	if m.rechecked != 2 || !slices.Equal(again, fake) {
		t.Errorf("second recheck of the same plans: %d rechecked (want still 2), times %v -> %v", m.rechecked, fake, again)
	}

	// A suspect timed at SlowStatement or more (timed once) is rechecked
	// too, in slowRecheckRuns pairs: the same verdicts.
	m.checked = make([]map[string]bool, len(m.base))
	slow := make([]time.Duration, len(m.base))
	for si, b := range m.base {
		slow[si] = b + SlowStatement
	}
	if err := m.recheck(ctx, []*Index{ix}, slow); err != nil {
		t.Fatal(err)
	}
	if m.rechecked != 4 {
		t.Fatalf("%d statements rechecked after the slow suspects, want 4", m.rechecked)
	}
	if slow[lookup] >= m.base[lookup]*11/10+2*time.Millisecond {
		t.Errorf("lookup by order_id, suspected at %v: %v after the recheck: the fake regression stood", m.base[lookup]+SlowStatement, slow[lookup])
	}
	if slow[trap] <= m.base[trap]*11/10 {
		t.Errorf("GROUP BY trap, suspected at %v: %v after the recheck: the real regression was refuted", m.base[trap]+SlowStatement, slow[trap])
	}
}

// TestRecheckedTime checks that a recheck's verdict is the pair medians'
// and that the time it writes passes the regression test against the
// base time exactly when the pairs confirmed a regression.
func TestRecheckedTime(t *testing.T) {
	ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
	floor := 2 * time.Millisecond
	counted := func(b, tm time.Duration) bool {
		return float64(tm) > RegressionThreshold*float64(b) && tm-b > floor
	}
	for _, tc := range []struct {
		name                string
		base, without, with time.Duration
		regressed           bool
	}{
		// TPC-H seed 6 #23: a noisy 7.4 ms base, pairs 0.43 against 0.58 ms:
		// 1.35x of a fraction of a millisecond, not a regression (base x
		// ratio said 10 ms).
		{"tpch6-23", ms(7.4), ms(0.43), ms(0.58), false},
		// A real slowdown keeps its ratio.
		{"trap", ms(40), ms(38), ms(120), true},
		// Much slower pairs at a lower level than the base: counted.
		{"confirmed-low", ms(20), ms(3), ms(9), true},
		// The pairs agree within 10%: refuted.
		{"noise", ms(30), ms(50), ms(53), false},
		// Beyond the floor in absolute terms but within 10%.
		{"within-ratio", ms(100), ms(400), ms(430), false},
		// Faster with the indexes.
		{"faster", ms(5), ms(6), ms(2), false},
		// Ecommerce seed 8 #35: a base below the pairs' difference.
		{"eco8-35", ms(116.75), ms(220.46), ms(91.09), false},
	} {
		if got := pairRegressed(tc.without, tc.with, floor); got != tc.regressed {
			t.Errorf("%s: pairRegressed = %v, want %v", tc.name, got, tc.regressed)
		}
		nt := recheckedTime(tc.base, tc.without, tc.with, floor)
		if nt <= 0 {
			t.Errorf("%s: time %v, want positive", tc.name, nt)
		}
		if got := counted(tc.base, nt); got != tc.regressed {
			t.Errorf("%s: rechecked time %v against base %v counted %v, want %v", tc.name, nt, tc.base, got, tc.regressed)
		}
	}
}
