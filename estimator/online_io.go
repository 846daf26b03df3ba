package estimator

import (
	"fmt"
	"io"
	"math"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/internal/bincodec"
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
		load: func(b []byte, cat *catalog.Catalog, version int) (Model, error) {
			return nilOnError(loadOnlinePayload(b, cat, version))
		},
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
	var bp bincodec.Encoder
	if err := base.savePayload(&bp); err != nil {
		return err
	}
	w := bincodec.Encoder{B: []byte(onlineMagic)}
	w.B = append(w.B, onlineVersion)
	w.Str(base.kind())
	w.Section(bp.B)
	op := o.opts
	w.F64(op.Alpha)
	w.Uvarint(uint64(op.Capacity))
	w.Uvarint(uint64(op.Window))
	w.F64(op.DriftFactor)
	w.Bool(op.Reference != nil)
	if r := op.Reference; r != nil {
		for _, v := range []float64{r.Median, r.P90, r.P95, r.P99, r.Max, r.Mean} {
			w.F64(v)
		}
		w.Uvarint(uint64(r.N))
	}
	o.mu.Lock()
	w.Uvarint(uint64(o.observed))
	w.Uvarint(uint64(len(o.ref)))
	for _, v := range o.ref {
		w.F64(v)
	}
	for _, r := range []*fbRing{&o.served, &o.raw} {
		w.Uvarint(uint64(len(r.buf)))
		w.Uvarint(uint64(r.next))
		for _, v := range r.buf {
			w.F64(v)
		}
	}
	for _, l := range []*fbLRU{o.digests, o.tableSets} {
		w.Uvarint(uint64(l.Len()))
		l.each(func(k string, c float64) {
			w.Str(k)
			w.F64(c)
		})
	}
	o.mu.Unlock()
	_, err := out.Write(w.B)
	return err
}

// loadOnlinePayload reads an Online payload against cat (the file's
// catalog, which the wrapped model estimates with).
func loadOnlinePayload(b []byte, cat *catalog.Catalog, version int) (*Online, error) {
	r := bincodec.NewDecoder(b, "payload")
	if len(b) < len(onlineMagic)+1 || string(b[:len(onlineMagic)]) != onlineMagic {
		r.Fail("not an online payload")
		return nil, r.Err()
	}
	if v := b[len(onlineMagic)]; v != onlineVersion {
		return nil, fmt.Errorf("%w: online payload version %d (this build reads %d)", ErrVersion, v, onlineVersion)
	}
	r.Bytes("magic and version", len(onlineMagic)+1)
	baseKind := r.Str("base kind", maxKindLen)
	basePayload := r.Section("base payload")
	if r.Err() != nil {
		return nil, r.Err()
	}
	spec, ok := kindRegistry[baseKind]
	if !ok || baseKind == KindOnline {
		r.Fail("online model over kind %q", baseKind)
		return nil, r.Err()
	}
	base, err := spec.load(basePayload, cat, version)
	if err != nil {
		return nil, fmt.Errorf("%w: online model's %s payload: %w", ErrCorrupt, baseKind, err)
	}
	var op OnlineOptions
	op.Alpha = r.Finite("alpha")
	op.Capacity = r.Count("capacity", maxOnlineSize, 0)
	op.Window = r.Count("window", maxOnlineSize, 0)
	op.DriftFactor = r.Finite("drift factor")
	if r.Bool("reference flag") {
		var s QErrorSummary
		for _, p := range []*float64{&s.Median, &s.P90, &s.P95, &s.P99, &s.Max, &s.Mean} {
			*p = r.Finite("reference")
		}
		s.N = r.Count("reference n", math.MaxInt32, 0)
		op.Reference = &s
	}
	if r.Err() != nil {
		return nil, r.Err()
	}
	if op.withDefaults() != op || op.Capacity == 0 || op.Window == 0 {
		r.Fail("options %+v out of range", op)
		return nil, r.Err()
	}
	o := NewOnline(base, op)
	o.observed = r.Count("observed", math.MaxInt, 0)
	n := r.Count("reference q-errors", op.Window, 0)
	for range n {
		if r.Err() != nil {
			break
		}
		o.ref = append(o.ref, r.Finite("reference q-error"))
	}
	for _, ring := range []*fbRing{&o.served, &o.raw} {
		n := r.Count("ring length", op.Window, 0)
		ring.next = r.Count("ring position", op.Window-1, 0)
		if r.Err() == nil && n < op.Window && ring.next != 0 {
			r.Fail("ring of %d values at position %d", n, ring.next)
		}
		for range n {
			if r.Err() != nil {
				break
			}
			ring.buf = append(ring.buf, r.Finite("q-error"))
		}
	}
	for _, l := range []*fbLRU{o.digests, o.tableSets} {
		n := r.Count("corrections", op.Capacity, 0)
		for range n {
			k := r.Str("key", maxOnlineKey)
			c := r.Finite("correction")
			if r.Err() != nil {
				break
			}
			if math.Abs(c) > maxCorrection {
				r.Fail("correction %v out of ±%v", c, maxCorrection)
			} else if !l.pushBack(k, c) {
				r.Fail("duplicate key %q", k)
			}
		}
	}
	if r.Err() == nil && (len(o.ref) > o.observed || len(o.served.buf) > o.observed) {
		r.Fail("%d observations, fewer than the values held", o.observed)
	}
	if r.Err() == nil && r.Left() != 0 {
		r.Fail("%d trailing bytes", r.Left())
	}
	if r.Err() != nil {
		return nil, r.Err()
	}
	return o, nil
}
