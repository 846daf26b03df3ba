package estimator

import (
	"context"
	"fmt"

	"github.com/cardinaldb/cardinal/catalog"
)

// TrainOptions configure Train: the options of the kind being trained are
// used, the others ignored. The zero value means every kind's defaults.
type TrainOptions struct {
	GBDT   GBDTOptions
	SetNet SetNetOptions
	Linear LinearOptions
}

// Train builds the estimator of the given kind: the baselines from the
// catalog alone, the learned models from the labelled examples. An unknown
// kind is ErrKind.
func Train(ctx context.Context, kind string, cat *catalog.Catalog, examples []Example, opts TrainOptions) (Model, error) {
	if k, ok := kindRegistry[kind]; ok && k.train != nil {
		return k.train(ctx, cat, examples, opts)
	}
	return nil, fmt.Errorf("%w: unknown estimator %q (want one of %v)", ErrKind, kind, Kinds())
}
