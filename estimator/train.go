package estimator

import (
	"context"
	"errors"
	"fmt"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/internal/optcheck"
)

// TrainOptions configure Train: the options of the kind being trained are
// used, the others ignored. The zero value means every kind's defaults.
type TrainOptions struct {
	GBDT   GBDTOptions
	SetNet SetNetOptions
	Linear LinearOptions
}

// ErrOptions: an option is negative, NaN, infinite or above its
// documented maximum (zero means the default). Training and NewOnline
// check their options before any work.
var ErrOptions = errors.New("estimator: invalid options")

// Validate checks every kind's options (see ErrOptions).
func (o TrainOptions) Validate() error { return optcheck.Struct(ErrOptions, "TrainOptions", o) }

// Validate checks the options (see ErrOptions).
func (o GBDTOptions) Validate() error { return optcheck.Struct(ErrOptions, "GBDTOptions", o) }

// Validate checks the options (see ErrOptions).
func (o SetNetOptions) Validate() error { return optcheck.Struct(ErrOptions, "SetNetOptions", o) }

// Validate checks the options (see ErrOptions).
func (o LinearOptions) Validate() error { return optcheck.Struct(ErrOptions, "LinearOptions", o) }

// Validate checks the options (see ErrOptions).
func (o OnlineOptions) Validate() error { return optcheck.Struct(ErrOptions, "OnlineOptions", o) }

// Train builds the estimator of the given kind: the baselines from the
// catalog alone, the learned models from the labelled examples. An unknown
// kind is ErrKind.
func Train(ctx context.Context, kind string, cat *catalog.Catalog, examples []Example, opts TrainOptions) (Model, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if k, ok := kindRegistry[kind]; ok && k.train != nil {
		m, err := k.train(ctx, cat, examples, opts)
		if err != nil {
			return nil, err
		}
		// A learned model also learns group counts when the examples
		// carry them (groups_io.go).
		if err := trainGroupsIfLabelled(ctx, m, examples, opts.GBDT); err != nil {
			return nil, fmt.Errorf("group model: %w", err)
		}
		return m, nil
	}
	return nil, fmt.Errorf("%w: unknown estimator %q (want one of %v)", ErrKind, kind, Kinds())
}
