package estimator

import (
	"bufio"
	"fmt"
	"io"

	"github.com/cardinaldb/cardinal/catalog"
)

// savePayload writes the Linear model's payload (format in setnet_io.go).
func (m *Linear) savePayload(w io.Writer) error {
	if m.base.Name() != KindHistogram {
		return fmt.Errorf("%w: baseline %q", ErrNotSaveable, m.base.Name())
	}
	bw := &snWriter{w: bufio.NewWriter(w)}
	bw.write([]byte(linMagic))
	bw.u32(len(m.smp.ss.tables))
	bw.u32(len(m.coef))
	bw.u32(m.opts.SampleRows)
	bw.f64(m.opts.Lambda)
	bw.f64(m.yMean)
	bw.f64(m.resLo)
	bw.f64(m.resHi)
	bw.f64s(m.mu)
	bw.f64s(m.sd)
	bw.f64s(m.coef)
	return bw.flush()
}

// loadLinearPayload reads a Linear payload and binds it to cat, which must
// have as many tables as the training catalog; the baseline is
// NewHistogram(cat).
func loadLinearPayload(r io.Reader, cat *catalog.Catalog) (*Linear, error) {
	if cat == nil || cat.Schema == nil {
		return nil, fmt.Errorf("%w: nil catalog", ErrBadPayload)
	}
	rd := &snReader{r: r}
	rd.magic(linMagic)
	nT := rd.dim("tables", snMaxTables)
	k := rd.dim("features", snMaxDim)
	var o LinearOptions
	o.SampleRows = rd.dim("sample rows", snMaxDim)
	o.Lambda = rd.f64()
	if rd.err != nil {
		return nil, rd.err
	}
	if nT != len(cat.Schema.Tables) || len(cat.Stats) < nT || k != linFeatures(nT) || o.SampleRows == 0 || !(o.Lambda > 0) {
		return nil, fmt.Errorf("%w: linear payload for %d tables/%d features, catalog has %d tables",
			ErrBadPayload, nT, k, len(cat.Schema.Tables))
	}
	m := newLinearShell(cat, NewHistogram(cat), o)
	m.yMean, m.resLo, m.resHi = rd.f64(), rd.f64(), rd.f64()
	m.mu, m.sd, m.coef = rd.f64s(k), rd.f64s(k), rd.f64s(k)
	if rd.err != nil {
		return nil, rd.err
	}
	if m.resLo > 0 || m.resHi < 0 {
		return nil, fmt.Errorf("%w: band [%v, %v]", ErrBadPayload, m.resLo, m.resHi)
	}
	for j, s := range m.sd {
		if !(s > 0) {
			return nil, fmt.Errorf("%w: feature %d has scale %v", ErrBadPayload, j, s)
		}
	}
	return m, nil
}
