// Package testutil holds helpers shared by the tests of several packages.
package testutil

import (
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

// Must fails the test on a non-nil error.
func Must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
