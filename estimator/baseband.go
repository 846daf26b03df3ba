package estimator

import (
	"context"
	"fmt"
	"io"
	"math"

	"github.com/cardinaldb/cardinal/internal/bincodec"
)

// Conformal bands of the baselines. The histogram and sample baselines
// learn nothing, so their bands were fixed spreads per table and join
// (histSpread, sampleJoinSpread) that covered 24-75% of the join queries
// of flights, not the documented 90%. Trained on a workload (Train with
// examples, as bench and `cardinal train` do), they calibrate a split
// conformal band (conformal.go) on its whole queries: since the baseline
// never fits them, every training query is a held-out query for it, and
// all of them calibrate (no split is lost to training).
//
//	NewHistogram(cat), NewSample(cat) ─► fixed spreads (no workload)
//	Train(kind, cat, examples)        ─► residuals ln(true) − ln(estimate) of the
//	                                     whole queries per join count ─► [lo, hi]
//
// An estimate the baseline gives with a zero-width band (the sample over
// tables sampled whole is exact) keeps it: its calibration residual is 0
// when it covers the truth and ±maxBandLog when not (it never will), so
// the other estimates' band accounts for both. The band applies to
// whole-query estimates; sub-plans (EstimateSubPlans) keep the spreads.

// calibrateBaseline returns the conformal band of est's estimates of the
// examples, nil without examples. est must estimate without a band.
func calibrateBaseline(ctx context.Context, est Estimator, exs []Example) (*conformalBand, error) {
	if len(exs) == 0 {
		return nil, nil
	}
	whole := wholeQueries(exs)
	res := make([]calibResidual, 0, len(exs))
	for i, ex := range exs {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if ex.Query == nil {
			return nil, fmt.Errorf("%w: example %d has no query", ErrQuery, i)
		}
		if err := checkLabel(ex.Rows); err != nil {
			return nil, fmt.Errorf("%w: example %d: %w", ErrQuery, i, err)
		}
		e, err := est.Estimate(ex.Query)
		if err != nil {
			return nil, fmt.Errorf("example %d: %w", i, err)
		}
		r := bandResidual(e, ex.Rows, ex.Query.HasShapes())
		res = append(res, calibResidual{joins: len(ex.Query.Tables) - 1, whole: whole[i], shaped: ex.Query.HasShapes(), in: r, ood: r})
	}
	b := fitConformal(res)
	return &b, nil
}

// zeroWidth reports whether e's band is the point estimate itself, of
// some rows (the sample's 0 rows when no sampled row joins has a
// zero-width band too, but is no exact answer: it is widened).
func zeroWidth(e Estimate) bool { return e.Rows > 0 && e.Low == e.Rows && e.High == e.Rows }

// keptExact reports whether e, of a query with an outer join or a
// subquery when shaped, keeps its zero-width band as an exact answer.
// Only plain queries do: the sample's zero-width estimates of such
// queries over tables sampled whole missed the truth for a third of the
// single-table ones on ecommerce (their subqueries reach other tables),
// and that class's band covered 67% of its training queries.
func keptExact(e Estimate, shaped bool) bool { return zeroWidth(e) && !shaped }

// bandResidual is the calibration residual of estimate e of a query of
// truth rows (shaped as in keptExact): ln(true) − ln(estimate), both
// clamped to one row as Covers clamps them; for an estimate keptExact 0
// when it covers and ±maxBandLog when it does not (widen keeps its band).
func bandResidual(e Estimate, truth float64, shaped bool) float64 {
	r := logRows(truth) - logRows(e.Rows)
	if keptExact(e, shaped) {
		if Covers(e, truth) {
			return 0
		}
		return math.Copysign(maxBandLog, r)
	}
	return clampBand(r)
}

// widen sets e's band to the calibrated one of its join count (b nil or
// uncalibrated, or e keptExact: e unchanged). The band is taken around
// the estimate clamped to one row, as Covers and the residuals clamp.
func (b *conformalBand) widen(e Estimate, joins int, shaped bool) Estimate {
	if b == nil || keptExact(e, shaped) {
		return e
	}
	lo, hi, ok := b.atShaped(joins, false, false, shaped)
	if !ok {
		return e
	}
	r := math.Max(e.Rows, 1)
	e.Low = math.Min(e.Rows, sanitize(r*math.Exp(lo)))
	e.High = math.Max(e.Rows, sanitize(r*math.Exp(hi)))
	return e
}

// saveBandPayload writes a baseline's payload: nothing without a band
// (what files of format 4 hold), else the band's value count (u32) and
// values (conformalBand.floats).
func saveBandPayload(w io.Writer, b *conformalBand) error {
	if b == nil {
		return nil
	}
	var enc bincodec.Encoder
	f := b.floats()
	enc.U32(uint32(len(f)))
	for _, x := range f {
		enc.F64(x)
	}
	_, err := w.Write(enc.B)
	return err
}

// loadBandPayload reads what saveBandPayload wrote (nil band for an empty
// payload); errors wrap ErrBadPayload.
func loadBandPayload(payload []byte) (*conformalBand, error) {
	if len(payload) == 0 {
		return nil, nil
	}
	d := bincodec.NewDecoder(payload, "band payload")
	n := int(d.U32("band values"))
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadPayload, err)
	}
	if n > maxBandValues || n*8 != len(payload)-4 {
		return nil, fmt.Errorf("%w: band of %d values in %d bytes", ErrBadPayload, n, len(payload))
	}
	b, err := readConformal(func() (float64, error) {
		x := d.F64("band value")
		return x, d.Err()
	}, n)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadPayload, err)
	}
	return &b, nil
}
