package estimator_test

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/estimator"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/querylog"
)

// TestOneErrorVocabulary: each concept has one error value (issue 8, item
// 4); the names other packages keep for compatibility are that value, so
// errors.Is works whichever name a caller uses.
func TestOneErrorVocabulary(t *testing.T) {
	for _, c := range []struct {
		name      string
		old, want error
	}{
		{"features.ErrUnknownColumn", features.ErrUnknownColumn, catalog.ErrUnknownColumn},
		{"datasets.ErrUnknownColumn", datasets.ErrUnknownColumn, catalog.ErrUnknownColumn},
		{"features.ErrUnknownTable", features.ErrUnknownTable, catalog.ErrUnknownTable},
		{"features.ErrSyntax", features.ErrSyntax, catalog.ErrSyntax},
		{"datasets.ErrSchema", datasets.ErrSchema, catalog.ErrInvalidSchema},
		{"estimator.ErrBadMagic", estimator.ErrBadMagic, catalog.ErrBadMagic},
		{"estimator.ErrVersion", estimator.ErrVersion, catalog.ErrVersion},
		{"estimator.ErrCorrupt", estimator.ErrCorrupt, catalog.ErrCorrupt},
		{"estimator.ErrBadLabel", estimator.ErrBadLabel, querylog.ErrBadLabel},
	} {
		if c.old != c.want {
			t.Errorf("%s is not the same value as the catalog's", c.name)
		}
	}
}

// TestErrorsIsAcrossPackages checks the shared values on real failures.
func TestErrorsIsAcrossPackages(t *testing.T) {
	// A model file given to catalog.Load, and a catalog to estimator.Load:
	// both are ErrBadMagic under either name.
	model, err := os.ReadFile("testdata/flights-small.model")
	if err != nil {
		t.Fatal(err)
	}
	_, err = catalog.Load(bytes.NewReader(model))
	if !errors.Is(err, estimator.ErrBadMagic) || !errors.Is(err, catalog.ErrBadMagic) {
		t.Errorf("catalog.Load(model file) = %v, want ErrBadMagic", err)
	}
	// A truncated model file is ErrCorrupt under both names.
	_, err = estimator.Load(bytes.NewReader(model[:len(model)-1]), nil, estimator.LoadOptions{})
	if !errors.Is(err, catalog.ErrCorrupt) || !errors.Is(err, estimator.ErrCorrupt) {
		t.Errorf("estimator.Load(truncated) = %v, want ErrCorrupt", err)
	}
	// An unknown column in a query is the same error for every package.
	s, err := catalog.ParseSchema("CREATE TABLE t (a INT PRIMARY KEY)")
	if err != nil {
		t.Fatal(err)
	}
	_, err = features.Parse(s, "SELECT * FROM t WHERE t.b = 1")
	for _, target := range []error{features.ErrUnknownColumn, catalog.ErrUnknownColumn, datasets.ErrUnknownColumn} {
		if !errors.Is(err, target) {
			t.Errorf("features.Parse(unknown column) = %v, not errors.Is %v", err, target)
		}
	}
}
