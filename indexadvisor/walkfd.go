package indexadvisor

import (
	"math"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// An ORDER BY ... LIMIT walk whose rest filter is on a column the ORDER BY
// column determines (the clustered-match trap). Walking order_items by
// product_id, the rows of unit_price = v are not spread along the walk: a
// product has one unit price, so they lie in the few products priced v,
// and the walk meets its first match only after every product between
// the end of the index and the first such product. Measured on MariaDB
// 10.11 (maria3, ecommerce scale 10, fresh seed 12's #29): SELECT * FROM
// order_items WHERE unit_price = 159.59 ORDER BY product_id DESC LIMIT 10
// has 599 rows in 4 of the 20,000 products (the highest 16,172); with
// order_items(product_id) MariaDB walks that index backwards with a row
// lookup each and ran 1.14-1.27 s against 516 ms for the scan and
// filesort. Independence (walkRest) says the walk stops after LIMIT /
// selectivity entries, here about 50,000: no trap.
//
// With k of the ORDER BY column's g values holding a match, placed at
// random along the walk, the walk reads about need/(k+1) of its entries,
// need being the groups (values) LIMIT matches fill; k is the rest
// conjunct's selectivity times g. For a unique ORDER BY column that is
// LIMIT / selectivity again, so only determined columns are re-priced.
const (
	// fdMinGroups is the fewest sampled values of the ORDER BY column with
	// at least two sampled rows for the sample to decide that it
	// determines a column (fewer: no evidence either way, not determined).
	fdMinGroups = 20
	// fdMinConstant is the share of those values whose sampled rows all
	// hold one value of the rest column for it to count as determined
	// (CORDS' soft functional dependency; ecommerce's product_id ->
	// unit_price is exact, 1.0 on the sample).
	fdMinConstant = 0.95
)

// determines reports whether column from of table ti (near-)functionally
// determines column to in the catalog's sample.
//
// Not the catalog's dependencies (catalog.Dependency): those are bins of
// the determinant's order with each dependent's value range, which keep a
// date and its month but not an exact dependency whose values do not
// follow the determinant's order. The ecommerce catalog at scale 10 has no
// order_items product_id -> unit_price (8,192 bins of about 2.4 products
// each span most of the prices); asked through it, seed 12's 10% estimate
// went 29.6% -> 74.2% with the #29 trap unseen (review, 2026-12-06).
func (a *advisor) determines(ti, from, to int) bool {
	key := [3]int{ti, from, to}
	if v, ok := a.fdCache[key]; ok {
		return v
	}
	v := sampleDetermines(&a.cat.Stats[ti], from, to)
	if a.fdCache == nil {
		a.fdCache = map[[3]int]bool{}
	}
	a.fdCache[key] = v
	return v
}

// sampleDetermines is determines on the table's sample: of the from values
// sampled at least twice (NULLs aside), at least fdMinConstant hold one
// to value, and there are at least fdMinGroups of them.
func sampleDetermines(ts *catalog.TableStats, from, to int) bool {
	if from == to || from >= len(ts.Sample) || to >= len(ts.Sample) {
		return false
	}
	type group struct {
		first    catalog.Datum
		n        int
		constant bool
	}
	groups := map[catalog.Datum]*group{}
	fs, tv := ts.Sample[from], ts.Sample[to]
	for i := range fs {
		if fs[i].IsNull() || tv[i].IsNull() {
			continue
		}
		g := groups[fs[i]]
		if g == nil {
			groups[fs[i]] = &group{first: tv[i], n: 1, constant: true}
			continue
		}
		g.n++
		if g.constant && catalog.Compare(g.first, tv[i]) != 0 {
			g.constant = false
		}
	}
	multi, constant := 0, 0
	for _, g := range groups {
		if g.n >= 2 {
			multi++
			if g.constant {
				constant++
			}
		}
	}
	return multi >= fdMinGroups && float64(constant) >= fdMinConstant*float64(multi)
}

// clusteredWalk is the entries an index walk in ORDER BY order reads
// before LIMIT rows pass o's conjuncts outside mask, when a conjunct
// (equality or IN) is on a column the walk's column ocol determines:
// entries scaled by need/(k+1) (above), the largest over such
// conjuncts; 0 when none is.
func (a *advisor) clusteredWalk(o *occ, mask uint64, ocol int, entries float64) float64 {
	t := &a.tables[o.table]
	g := float64(a.cat.Stats[o.table].Columns[ocol].Distinct)
	if g < 2 || entries <= 0 || o.limit <= 0 {
		return 0
	}
	perGroup := t.rows / g
	walkGroups := math.Max(1, g*math.Min(1, entries/t.rows))
	need := math.Ceil(o.limit / math.Max(perGroup, 1))
	walk := 0.0
	for i, c := range o.conj {
		if i >= 64 || mask&(1<<i) != 0 || (c.kind != predEq && c.kind != predIn) || c.col < 0 {
			continue
		}
		if c.expr.Pred.Op != features.OpIsNull && len(c.expr.Pred.Values) > 0 && a.determines(o.table, c.col, ocol) {
			// The rest column determines the walk's: the matches of each
			// listed value share one value of the walk's column, one
			// group at a random place along the walk (reverseWalk).
			walk = math.Max(walk, a.reverseWalk(o, i, entries))
			continue
		}
		if !a.determines(o.table, ocol, c.col) {
			continue
		}
		s := a.sel(o, 1<<i)
		if c.expr.Pred.Op != features.OpIsNull {
			f := 0.0
			for _, v := range c.expr.Pred.Values {
				f += a.valueFreq(o.table, c.col, v)
			}
			s = math.Min(s, f)
		}
		k := s * walkGroups
		w := entries
		if need <= k {
			w = entries * need / (k + 1)
		}
		walk = math.Max(walk, w)
	}
	return walk
}

// reverseWalk is the entries an index walk in ORDER BY order reads when
// rest conjunct i of o (an equality or IN list of k values) is on a
// column that determines the walk's column: each value's matches share
// one value of the walk's column, so they lie in k groups placed at
// random along the walk, and the walk reads entries x need/(k+1), need
// being the groups LIMIT fills (each value holding its share of the
// conjunct's rows); past k, the whole walk. Fresh ecommerce seed 16's
// #21 at scale 10 (maria6, 2026-12-06): SELECT * FROM order_items WHERE
// product_id = 6657 ORDER BY unit_price DESC LIMIT 10 ran 1.44 s by a scan
// and filesort, and 8.8-13.3 s walking order_items(unit_price) or
// (unit_price, quantity) backwards with a row lookup each (a product has
// one unit price: its 285,317 rows lie in one place of the walk);
// independence walked LIMIT over the selectivity, about 100 entries.
func (a *advisor) reverseWalk(o *occ, i int, entries float64) float64 {
	c := o.conj[i]
	k := float64(len(c.expr.Pred.Values))
	perValue := a.sel(o, 1<<i) * a.tables[o.table].rows / k
	need := math.Ceil(o.limit / math.Max(perValue, 1))
	if need > k {
		return entries
	}
	return entries * need / (k + 1)
}
