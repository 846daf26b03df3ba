package estimator

import (
	"fmt"
	"io"
	"math"

	"github.com/cardinaldb/cardinal/catalog"
)

// Online payload (uvarints, little-endian float64s, strings and sections as
// in the model file envelope):
//
//	"CONL" | u8 onlineVersion
//	base kind (string) | base payload (section: the wrapped model's own
//	                     payload; the catalog is the file's)
//	options: alpha, capacity, window, drift factor,
//	         reference (flag; median p90 p95 p99 max mean, n)
//	observed | reference q-errors (n, values)
//	served ring, raw ring (n, next, values)
//	digest corrections, table-set corrections (n, then key and correction,
//	         most recently used first)
//
// Loading checks every count against its option (a ring holds at most
// Window values, a map at most Capacity entries), every option against
// its documented range, and reads values one by one, so a corrupt or
// hostile payload is ErrCorrupt and never a large allocation.

const (
	onlineMagic = "CONL"
	// onlineVersion is the version of the Online payload format.
	onlineVersion = 1
	// maxOnlineSize bounds Capacity and Window in a payload (and so what a
	// loaded Online may grow to).
	maxOnlineSize = 1 << 24
	// maxOnlineKey bounds a correction key (a query digest).
	maxOnlineKey = 1 << 20
)

func init() {
	registerKind(kindSpec{name: KindOnline, rank: 5,
		// learned: its wrapped model's payload follows the current
		// baselines (the kind is newer than learnedMinVersion anyway).
		learned: true,
		load:    func(b []byte, cat *catalog.Catalog) (Model, error) { return nilOnError(loadOnlinePayload(b, cat)) },
	})
}

func (o *Online) kind() string { return KindOnline }

// modelCatalog is the wrapped model's catalog (nil when it is not a model
// of this package).
func (o *Online) modelCatalog() *catalog.Catalog { return CatalogOf(o.base) }

// savePayload writes the Online payload: the wrapped model's, then the
// feedback state, taken under the lock (consistent with concurrent
// Observe calls). A wrapped estimator that is not a savable model of
// this package, or another Online, is ErrKind.
func (o *Online) savePayload(out io.Writer) error {
	base, ok := o.base.(savedModel)
	if !ok || base.kind() == KindOnline {
		return fmt.Errorf("%w: online over %T", ErrKind, o.base)
	}
	var bp payloadWriter
	if err := base.savePayload(&bp); err != nil {
		return err
	}
	w := payloadWriter{b: []byte(onlineMagic)}
	w.b = append(w.b, onlineVersion)
	w.str(base.kind())
	w.section(bp.b)
	op := o.opts
	w.f64(op.Alpha)
	w.uvarint(op.Capacity)
	w.uvarint(op.Window)
	w.f64(op.DriftFactor)
	w.bool(op.Reference != nil)
	if r := op.Reference; r != nil {
		for _, v := range []float64{r.Median, r.P90, r.P95, r.P99, r.Max, r.Mean} {
			w.f64(v)
		}
		w.uvarint(r.N)
	}
	o.mu.Lock()
	w.uvarint(o.observed)
	w.uvarint(len(o.ref))
	for _, v := range o.ref {
		w.f64(v)
	}
	for _, r := range []*fbRing{&o.served, &o.raw} {
		w.uvarint(len(r.buf))
		w.uvarint(r.next)
		for _, v := range r.buf {
			w.f64(v)
		}
	}
	for _, l := range []*fbLRU{o.digests, o.tableSets} {
		w.uvarint(l.Len())
		l.each(func(k string, c float64) {
			w.str(k)
			w.f64(c)
		})
	}
	o.mu.Unlock()
	_, err := out.Write(w.b)
	return err
}

// loadOnlinePayload reads an Online payload against cat (the file's
// catalog, which the wrapped model estimates with).
func loadOnlinePayload(b []byte, cat *catalog.Catalog) (*Online, error) {
	r := &payloadReader{b: b}
	if len(b) < len(onlineMagic)+1 || string(b[:len(onlineMagic)]) != onlineMagic {
		r.fail("not an online payload")
		return nil, r.err
	}
	if v := b[len(onlineMagic)]; v != onlineVersion {
		return nil, fmt.Errorf("%w: online payload version %d (this build reads %d)", ErrVersion, v, onlineVersion)
	}
	r.off = len(onlineMagic) + 1
	baseKind := r.str("base kind", maxKindLen)
	basePayload := r.section("base payload")
	if r.err != nil {
		return nil, r.err
	}
	spec, ok := kindRegistry[baseKind]
	if !ok || baseKind == KindOnline {
		r.fail("online model over kind %q", baseKind)
		return nil, r.err
	}
	base, err := spec.load(basePayload, cat)
	if err != nil {
		return nil, fmt.Errorf("%w: online model's %s payload: %w", ErrCorrupt, baseKind, err)
	}
	var op OnlineOptions
	op.Alpha = r.f64("alpha")
	op.Capacity = r.uvarint("capacity", maxOnlineSize)
	op.Window = r.uvarint("window", maxOnlineSize)
	op.DriftFactor = r.f64("drift factor")
	if r.bool("reference flag") {
		var s QErrorSummary
		for _, p := range []*float64{&s.Median, &s.P90, &s.P95, &s.P99, &s.Max, &s.Mean} {
			*p = r.f64("reference")
		}
		s.N = r.uvarint("reference n", math.MaxInt32)
		op.Reference = &s
	}
	if r.err != nil {
		return nil, r.err
	}
	if op.withDefaults() != op || op.Capacity == 0 || op.Window == 0 {
		r.fail("options %+v out of range", op)
		return nil, r.err
	}
	o := NewOnline(base, op)
	o.observed = r.uvarint("observed", math.MaxInt)
	n := r.uvarint("reference q-errors", op.Window)
	for range n {
		if r.err != nil {
			break
		}
		o.ref = append(o.ref, r.f64("reference q-error"))
	}
	for _, ring := range []*fbRing{&o.served, &o.raw} {
		n := r.uvarint("ring length", op.Window)
		ring.next = r.uvarint("ring position", op.Window-1)
		if r.err == nil && n < op.Window && ring.next != 0 {
			r.fail("ring of %d values at position %d", n, ring.next)
		}
		for range n {
			if r.err != nil {
				break
			}
			ring.buf = append(ring.buf, r.f64("q-error"))
		}
	}
	for _, l := range []*fbLRU{o.digests, o.tableSets} {
		n := r.uvarint("corrections", op.Capacity)
		for range n {
			k := r.str("key", maxOnlineKey)
			c := r.f64("correction")
			if r.err != nil {
				break
			}
			if math.Abs(c) > maxCorrection {
				r.fail("correction %v out of ±%v", c, maxCorrection)
			} else if !l.pushBack(k, c) {
				r.fail("duplicate key %q", k)
			}
		}
	}
	if r.err == nil && (len(o.ref) > o.observed || len(o.served.buf) > o.observed) {
		r.fail("%d observations, fewer than the values held", o.observed)
	}
	if r.err == nil && r.off != len(b) {
		r.fail("%d trailing bytes", len(b)-r.off)
	}
	if r.err != nil {
		return nil, r.err
	}
	return o, nil
}
