// Package testutil holds helpers shared by the tests of several packages.
package testutil

import (
	"context"
	"sync"
	"testing"

	"github.com/cardinaldb/cardinal/datasets"
)

// flights caches the bundled flights data for the life of a test binary.
type flights struct {
	once sync.Once
	db   *datasets.DB
	err  error
}

// cache is per test binary; tests only read the data it holds.
var cache flights

// Flights returns the bundled flights data, loaded once per test binary.
// Tests must not modify it.
func Flights(t testing.TB) *datasets.DB {
	t.Helper()
	cache.once.Do(func() { cache.db, cache.err = datasets.Flights() })
	if cache.err != nil {
		t.Fatal(cache.err)
	}
	return cache.db
}

// TPCHScale is the TPC-H sub-scale tests use (datasets.TPCH): 100
// suppliers, 1,500 customers, 2,000 parts, 8,000 partsupps, 15,000 orders
// and 60,175 lineitems. The first test run on a machine generates it
// (about 30 s: dbgen's set-up); later runs read the on-disk cache.
const TPCHScale = 0.01

var tpch struct {
	once sync.Once
	db   *datasets.DB
	err  error
}

// TPCH returns the TPC-H data at TPCHScale (without comment columns),
// loaded once per test binary. Tests must not modify it.
func TPCH(t testing.TB) *datasets.DB {
	t.Helper()
	tpch.once.Do(func() {
		tpch.db, tpch.err = datasets.TPCH(context.Background(), datasets.TPCHOptions{Scale: TPCHScale})
	})
	if tpch.err != nil {
		t.Fatal(tpch.err)
	}
	return tpch.db
}

// Must fails the test on a non-nil error.
func Must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
