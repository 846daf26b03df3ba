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

// Kinds returns every estimator kind Train knows, baselines first.
func Kinds() []string {
	return []string{KindHistogram, KindSample, KindLinear, KindSetNet, KindGBDT}
}

// Train builds the estimator of the given kind: the baselines from the
// catalog alone, the learned models from the labelled examples. An unknown
// kind is ErrKind.
func Train(ctx context.Context, kind string, cat *catalog.Catalog, examples []Example, opts TrainOptions) (Model, error) {
	switch kind {
	case KindHistogram:
		return NewHistogram(cat), nil
	case KindSample:
		return NewSample(cat), nil
	case KindGBDT:
		return TrainGBDT(ctx, cat, examples, opts.GBDT)
	case KindSetNet:
		return TrainSetNet(ctx, cat, examples, opts.SetNet)
	case KindLinear:
		return TrainLinear(ctx, cat, examples, opts.Linear)
	}
	return nil, fmt.Errorf("%w: unknown estimator %q (want one of %v)", ErrKind, kind, Kinds())
}
