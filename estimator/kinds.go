package estimator

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/cardinaldb/cardinal/catalog"
)

// Model kinds register themselves: the file that implements a kind calls
// registerKind from its init function, and Save, Load, Train, Kinds and
// CatalogOf consult the registry, so a new kind is one file, not an edit
// of each of them.
//
//	histogram.go, sample.go,            registerKind(kindSpec{...})
//	gbdt_io.go, setnet_io.go,   ──init──►  kindRegistry: name ─► train, load
//	linear_io.go, online_io.go                        │
//	                     Train, Kinds, Load ◄─────────┘
//	Save, CatalogOf ◄── the model itself (savedModel: kind, catalog, payload)
//
// The registry is written only during package initialisation and read
// afterwards, so it needs no lock (the pattern of image.RegisterFormat
// and database/sql.Register).

// kindSpec describes a model kind.
type kindSpec struct {
	name string
	// rank orders Kinds: the baselines first, then the learned models
	// from the simplest.
	rank int
	// learned kinds correct the baseline: their files from before
	// learnedMinVersion are refused (the baseline changed under them).
	learned bool
	// train builds the kind for Train; nil when Train does not build it
	// (Online wraps a trained model instead).
	train func(ctx context.Context, cat *catalog.Catalog, examples []Example, opts TrainOptions) (Model, error)
	// load reads the kind's payload (written by its savePayload) against
	// the catalog stored in the same file, of model file version version.
	load func(payload []byte, cat *catalog.Catalog, version int) (Model, error)
}

// kindRegistry maps a kind name to its description (see registerKind).
var kindRegistry = map[string]kindSpec{}

// registerKind adds a kind; called from init functions only. A duplicate
// name or a missing loader is a programming error and panics.
func registerKind(k kindSpec) {
	if _, dup := kindRegistry[k.name]; dup || k.name == "" || k.load == nil {
		panic(fmt.Sprintf("estimator: bad or duplicate kind registration %q", k.name))
	}
	kindRegistry[k.name] = k
}

// savedModel is a model of a registered kind: it names its kind and the
// catalog it estimates with, and writes its payload (the part of the
// model file after the catalog).
type savedModel interface {
	Model
	kind() string
	modelCatalog() *catalog.Catalog
	savePayload(w io.Writer) error
}

// Kinds returns every estimator kind Train knows, baselines first.
func Kinds() []string {
	var ks []kindSpec
	for _, k := range kindRegistry {
		if k.train != nil {
			ks = append(ks, k)
		}
	}
	slices.SortFunc(ks, func(a, b kindSpec) int { return a.rank - b.rank })
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = k.name
	}
	return names
}

// CatalogOf returns the catalog a model estimates with (the one stored in
// its model file), or nil for estimators of other packages.
func CatalogOf(m Model) *catalog.Catalog {
	if s, ok := m.(savedModel); ok {
		return s.modelCatalog()
	}
	return nil
}

// nilOnError returns m as a Model, or a nil Model with err (not a typed
// nil pointer).
func nilOnError[M Model](m M, err error) (Model, error) {
	if err != nil {
		return nil, err
	}
	return m, nil
}
