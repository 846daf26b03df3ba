package engine_test

import (
	"context"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
)

// cpuTimer reports the process CPU time (user + system) per operation as
// "cpu-ms/op": on a shared, overloaded machine wall time says little. Run
// with -cpu 1 so that the CPU time is that of one core.
type cpuTimer struct{ start time.Duration }

func cpuNow() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU() cpuTimer { return cpuTimer{cpuNow()} }

func (c cpuTimer) report(b *testing.B) {
	b.ReportMetric(float64(cpuNow()-c.start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

var (
	ecoMu  sync.Mutex
	ecoDBs = map[float64]*datasets.DB{}
)

// ecommerce returns the synthetic data set at a scale, built once per test
// binary.
func ecommerce(b *testing.B, scale float64) *datasets.DB {
	b.Helper()
	ecoMu.Lock()
	defer ecoMu.Unlock()
	if db := ecoDBs[scale]; db != nil {
		return db
	}
	db, err := datasets.Ecommerce(context.Background(), datasets.EcommerceOptions{Scale: scale, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	ecoDBs[scale] = db
	return db
}

func parse(b *testing.B, db *datasets.DB, sql string) *features.Query {
	b.Helper()
	q, err := features.Parse(db.Schema, sql)
	if err != nil {
		b.Fatal(err)
	}
	return q
}

// BenchmarkCountSingleTable3M: COUNT(*) with three predicates over the
// ~3M order_items of ecommerce scale 10 (target: <= 10 ms on one core;
// run with -cpu 1).
func BenchmarkCountSingleTable3M(b *testing.B) {
	db := ecommerce(b, 10)
	q := parse(b, db, "SELECT COUNT(*) FROM order_items WHERE quantity >= 2 AND unit_price BETWEEN 10 AND 200 AND product_id < 15000")
	c := engine.New(db, engine.Options{})
	cpu := startCPU()
	for b.Loop() {
		if _, err := c.Count(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(db.Table("order_items").Rows), "rows")
	cpu.report(b)
}

// BenchmarkCountStrings1M: string IN (dictionary lookup) and NOT LIKE (per
// dictionary entry) plus a float range over the 1M orders of ecommerce
// scale 10.
func BenchmarkCountStrings1M(b *testing.B) {
	db := ecommerce(b, 10)
	q := parse(b, db, "SELECT COUNT(*) FROM orders WHERE status IN ('shipped', 'delivered') AND total > 50 AND NOT status LIKE 'c%'")
	c := engine.New(db, engine.Options{})
	cpu := startCPU()
	for b.Loop() {
		if _, err := c.Count(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(db.Table("orders").Rows), "rows")
	cpu.report(b)
}

// fiveTable is a 5-occurrence acyclic query over ecommerce: items with
// their order, product and customer, and all other orders of that customer.
const fiveTable = `SELECT COUNT(*) FROM order_items oi
	JOIN orders o ON oi.order_id = o.id
	JOIN products p ON oi.product_id = p.id
	JOIN customers c ON o.customer_id = c.id
	JOIN orders o2 ON o2.customer_id = c.id
	WHERE oi.quantity < 5 AND p.category IN ('books', 'toys', 'home') AND c.region <> 'europe' AND o2.status = 'delivered'`

// BenchmarkSubPlans5Table1M: every connected sub-plan count of fiveTable at
// ~1M order_items (ecommerce scale 3.3; target: <= 50 ms).
func BenchmarkSubPlans5Table1M(b *testing.B) {
	db := ecommerce(b, 3.3)
	q := parse(b, db, fiveTable)
	c := engine.New(db, engine.Options{})
	cpu := startCPU()
	for b.Loop() {
		if _, err := c.CountSubPlans(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(db.Table("order_items").Rows), "rows")
	b.ReportMetric(float64(q.CountConnectedSubsets(features.DefaultMaxSubPlans)), "subplans")
	cpu.report(b)
}

// BenchmarkCount5Table1M: the count of fiveTable alone.
func BenchmarkCount5Table1M(b *testing.B) {
	db := ecommerce(b, 3.3)
	q := parse(b, db, fiveTable)
	c := engine.New(db, engine.Options{})
	cpu := startCPU()
	for b.Loop() {
		if _, err := c.Count(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
	cpu.report(b)
}
