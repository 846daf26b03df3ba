package estimator

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strings"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// The guarantees every estimator of this package gives, applied here once
// for every kind rather than in each model:
//
//	query ─► checkQuery: indexes fit the catalog, parsed against its schema
//	      ─► components: a disconnected query (a cross join) is the product
//	         of its connected parts, each estimated by the model
//	      ─► capEstimate: 0 <= Low <= Rows <= High <= Π rows of its tables
//
// A cross join multiplies its inputs by definition, so the product of the
// parts' estimates is the estimate of the whole; models trained on
// connected queries would otherwise drop the disconnected tables.

// ErrSchema: the query was parsed against another schema than the
// model's catalog (it also matches ErrQuery).
var ErrSchema = errors.New("estimator: query parsed against another schema")

// catalogOf returns the catalog an estimator of this package estimates
// with (CatalogOf), or nil for an estimator from elsewhere.
func catalogOf(est Estimator) *catalog.Catalog { return CatalogOf(est) }

// sameSchema reports whether a query parsed against q may be estimated
// with a catalog of schema c: the same tables with the same columns of
// the same types, in the same order (the query refers to them by index).
// A model file's schema is a copy, hence the comparison by content.
func sameSchema(q, c *catalog.Schema) bool {
	if q == c {
		return true
	}
	if q == nil || c == nil || len(q.Tables) != len(c.Tables) {
		return false
	}
	for i, qt := range q.Tables {
		ct := c.Tables[i]
		if qt == ct {
			continue
		}
		if qt == nil || ct == nil || !strings.EqualFold(qt.Name, ct.Name) || len(qt.Columns) != len(ct.Columns) {
			return false
		}
		for j, qc := range qt.Columns {
			if cc := ct.Columns[j]; qc.Type != cc.Type || !strings.EqualFold(qc.Name, cc.Name) {
				return false
			}
		}
	}
	return true
}

// tableProduct returns the product of the row counts of the tables of q
// in mask: no query over them can return more rows. It is capped at
// maxRows.
func tableProduct(cat *catalog.Catalog, q *features.Query, mask uint64) float64 {
	p := 1.0
	for m := mask & q.FullMask(); m != 0; m &= m - 1 {
		i := bits.TrailingZeros64(m)
		t := q.Tables[i].Table
		if t < 0 || t >= len(cat.Stats) {
			return maxRows
		}
		p *= math.Max(0, float64(cat.Stats[t].Rows))
	}
	return math.Min(p, maxRows)
}

// capEstimate makes e finite and non-negative, at most limit, with
// Low <= Rows <= High.
func capEstimate(e Estimate, limit float64) Estimate {
	e.Rows = math.Min(sanitize(e.Rows), limit)
	e.Low = math.Min(sanitize(e.Low), e.Rows)
	e.High = math.Min(math.Max(sanitize(e.High), e.Rows), limit)
	return e
}

// components returns the masks of the connected components of q's join
// graph, in order of their lowest table.
func components(q *features.Query) []uint64 {
	full := q.FullMask()
	if len(q.Tables) <= 1 || q.Connected(full) {
		return []uint64{full}
	}
	adj := make([]uint64, len(q.Tables))
	for _, j := range q.Joins {
		if j.Left >= 0 && j.Right >= 0 && j.Left < len(adj) && j.Right < len(adj) {
			adj[j.Left] |= 1 << uint(j.Right)
			adj[j.Right] |= 1 << uint(j.Left)
		}
	}
	var out []uint64
	for left := full; left != 0; {
		comp := left & -left
		for frontier := comp; frontier != 0; {
			var next uint64
			for m := frontier; m != 0; m &= m - 1 {
				next |= adj[bits.TrailingZeros64(m)]
			}
			next &^= comp
			comp |= next
			frontier = next
		}
		out = append(out, comp)
		left &^= comp
	}
	return out
}

// estimateGuarded is the Estimate of every model of this package: it
// checks q against cat and takes its canonical form (canonicalQuery, once:
// connected gets a checked, canonical query or a Sub of one), estimates
// each connected component with connected, multiplies them, and caps the
// result.
func estimateGuarded(cat *catalog.Catalog, q *features.Query, connected func(*features.Query) (Estimate, error)) (Estimate, error) {
	if q.HasDerived() {
		return estimateDerived(cat, q, connected) // derived.go
	}
	if q != nil && len(q.Residuals) > 0 {
		return estimateResiduals(cat, q, connected)
	}
	q, err := canonicalQuery(cat, q)
	if err != nil {
		return Estimate{}, err
	}
	if len(q.Tables) == 1 || q.Connected(q.FullMask()) {
		// The common case, without allocating.
		e, err := connected(q)
		if err != nil {
			return Estimate{}, err
		}
		return capEstimate(e, tableProduct(cat, q, q.FullMask())), nil
	}
	out := Estimate{Rows: 1, Low: 1, High: 1}
	for _, m := range components(q) {
		e, err := connected(q.Sub(m))
		if err != nil {
			return Estimate{}, err
		}
		e = capEstimate(e, tableProduct(cat, q, m))
		out.Rows *= e.Rows
		out.Low *= e.Low
		out.High *= e.High
		if out.Source == "" {
			out.Source = e.Source
		}
	}
	return capEstimate(out, tableProduct(cat, q, q.FullMask())), nil
}

// checkLabelFor validates a true row count of q: finite, non-negative and
// at most the product of its tables' row counts (ErrBadLabel).
func checkLabelFor(cat *catalog.Catalog, q *features.Query, rows float64) error {
	if err := checkLabel(rows); err != nil {
		return err
	}
	if cat != nil && q != nil {
		if limit := tableProduct(cat, q, q.FullMask()); rows > limit {
			return fmt.Errorf("%w: %v rows, more than the %v of the cross product of the query's tables", ErrBadLabel, rows, limit)
		}
	}
	return nil
}
