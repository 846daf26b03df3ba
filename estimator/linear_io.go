package estimator

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/cardinaldb/cardinal/catalog"
)

func init() {
	registerKind(kindSpec{name: KindLinear, rank: 2, learned: true,
		train: func(ctx context.Context, cat *catalog.Catalog, ex []Example, o TrainOptions) (Model, error) {
			return nilOnError(TrainLinear(ctx, cat, ex, o.Linear))
		},
		load: func(b []byte, cat *catalog.Catalog, version int) (Model, error) {
			return nilOnError(loadLinearPayload(bytes.NewReader(b), cat, version))
		},
	})
}

func (m *Linear) kind() string                   { return KindLinear }
func (m *Linear) modelCatalog() *catalog.Catalog { return m.cat }

// savePayload writes the Linear model's payload (format in setnet_io.go).
func (m *Linear) savePayload(w io.Writer) error {
	bk, err := baselineCode(m.base, m.figs)
	if err != nil {
		return err
	}
	bw := &fieldWriter{w: bufio.NewWriter(w)}
	if len(m.coef) == linFeaturesV1(len(m.cat.Schema.Tables)) {
		// A loaded version-1 model is saved as it was read.
		if bk != baseCodeHistogram {
			return fmt.Errorf("%w: version-1 linear model with baseline %q", ErrNotSaveable, m.base.Name())
		}
		bw.write([]byte(linMagicV1))
	} else {
		bw.write([]byte(linMagic))
		bw.write([]byte{bk})
	}
	bw.u32(len(m.cat.Schema.Tables))
	bw.u32(len(m.coef))
	bw.u32(m.opts.SampleRows)
	bw.f64(m.opts.Lambda)
	bw.f64(m.yMean)
	bw.f64(m.resLo)
	bw.f64(m.resHi)
	bw.f64s(m.mu)
	bw.f64s(m.sd)
	bw.f64s(m.coef)
	if len(m.coef) != linFeaturesV1(len(m.cat.Schema.Tables)) {
		writeConformal(bw, &m.band)
	}
	bw.f64(m.shrinkTau) // from model file version 15
	return bw.flush()
}

// loadLinearPayload reads a Linear payload and binds it to cat, which must
// have as many tables as the training catalog; the baseline is the one
// recorded in the payload, bound to cat.
func loadLinearPayload(r io.Reader, cat *catalog.Catalog, fileVersion int) (*Linear, error) {
	rd, version, base, err := readPayloadHeader(r, cat, [payloadVersions]string{linMagicV1, linMagicV2, linMagic})
	if err != nil {
		return nil, err
	}
	v1 := version == 1
	nFeat := linFeatures
	if v1 {
		nFeat = linFeaturesV1
	}
	nT := rd.dim("tables", maxPayloadTables)
	k := rd.dim("features", maxPayloadDim)
	var o LinearOptions
	o.SampleRows = rd.dim("sample rows", maxPayloadDim)
	o.Lambda = rd.f64()
	if rd.err != nil {
		return nil, rd.err
	}
	if nT != len(cat.Schema.Tables) || len(cat.Stats) < nT || k != nFeat(nT) || o.SampleRows == 0 || !(o.Lambda > 0) {
		return nil, fmt.Errorf("%w: linear payload for %d tables/%d features, catalog has %d tables",
			ErrBadPayload, nT, k, len(cat.Schema.Tables))
	}
	be, err := baselineFromCode(base, cat)
	if err != nil {
		return nil, err
	}
	m := newLinearShell(cat, be, o)
	m.figs.synopsisCap = base == baseCodeSampleCapped
	m.yMean, m.resLo, m.resHi = rd.f64(), rd.f64(), rd.f64()
	m.mu, m.sd, m.coef = rd.f64s(k), rd.f64s(k), rd.f64s(k)
	if rd.err != nil {
		return nil, rd.err
	}
	if m.resLo > 0 || m.resHi < 0 {
		return nil, fmt.Errorf("%w: band [%v, %v]", ErrBadPayload, m.resLo, m.resHi)
	}
	if version >= 3 {
		if m.band, err = readConformal3(rd); err != nil {
			return nil, err
		}
	}
	if fileVersion >= linearShrinkMinVersion {
		m.shrinkTau = rd.f64()
		if rd.err != nil {
			return nil, rd.err
		}
		if !(m.shrinkTau >= 0 && m.shrinkTau <= maxShrinkTau) {
			return nil, fmt.Errorf("%w: shrink constant %v out of [0, %v]", ErrBadPayload, m.shrinkTau, maxShrinkTau)
		}
	}
	for j, s := range m.sd {
		if !(s > 0) {
			return nil, fmt.Errorf("%w: feature %d has scale %v", ErrBadPayload, j, s)
		}
	}
	return m, nil
}
