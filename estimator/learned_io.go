package estimator

import (
	"fmt"
	"io"

	"github.com/cardinaldb/cardinal/catalog"
)

// The payload header and baseline codes shared by the SetNet and Linear
// payloads (formats in setnet_io.go and linear_io.go).

// Limits of payload fields, so that a corrupt file cannot make Load
// allocate without bound.
const (
	// maxPayloadDim bounds every count read from a payload (2^24 float64s
	// = 128 MiB).
	maxPayloadDim = 1 << 24
	// maxPayloadTables bounds the table count a payload may declare
	// (schemas of more than a thousand tables are not realistic for one
	// estimator).
	maxPayloadTables = 1 << 10
)

// readPayloadHeader starts reading a SetNet or Linear payload: it checks
// the catalog, reads the magic (cur, or the version-1 old) and, from
// version 2 on, the baseline kind byte. Read errors stay in rd.
func readPayloadHeader(r io.Reader, cat *catalog.Catalog, cur, old string) (rd *snReader, v1 bool, base byte, err error) {
	if cat == nil || cat.Schema == nil {
		return nil, false, 0, fmt.Errorf("%w: nil catalog", ErrBadPayload)
	}
	rd = &snReader{r: r}
	v1 = rd.magicOf(cur, old)
	base = baseCodeHistogram
	if !v1 {
		base = rd.read(1)[0]
	}
	return rd, v1, base, nil
}

// baselineFromCode returns the baseline a payload's kind byte names, bound
// to cat; nil stands for the model's own sample baseline.
func baselineFromCode(base byte, cat *catalog.Catalog) (Estimator, error) {
	switch base {
	case baseCodeHistogram:
		return NewHistogram(cat), nil
	case baseCodeSample:
		return nil, nil
	}
	return nil, fmt.Errorf("%w: baseline kind %d", ErrBadPayload, base)
}

// Baseline kinds recorded in version-2 payloads.
const (
	baseCodeHistogram byte = 0 // NewHistogram (the only baseline of version 1)
	baseCodeSample    byte = 1 // the join-sample baseline (sampleBaseline)
)

// baselineCode returns the payload code of a model's baseline: its own
// sample baseline figs, or a histogram.
func baselineCode(base Estimator, figs *sampleBaseline) (byte, error) {
	if b, ok := base.(*sampleBaseline); ok && b == figs {
		return baseCodeSample, nil
	}
	if _, ok := base.(*Histogram); ok {
		return baseCodeHistogram, nil
	}
	return 0, fmt.Errorf("%w: baseline %q", ErrNotSaveable, base.Name())
}
