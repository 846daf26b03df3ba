package indexadvisor

import (
	"math"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// An ORDER BY ... LIMIT walk whose rest filter is correlated with the
// ORDER BY column without either determining the other (the correlated
// walk trap). In ecommerce the dearest items are bought one at a time:
// of the 300,000 order items with the highest unit prices (a tenth of
// order_items at scale 10) 4 have quantity = 5, against 149,927 (5%) in
// the whole table. Measured on MariaDB 10.11 (maria4, fresh ecommerce
// seed 19's #35, 2026-12-06): SELECT * FROM order_items WHERE quantity = 5
// ORDER BY unit_price DESC LIMIT 10 ran 1.05 s by a scan and filesort and
// 1.8-1.9 s walking order_items(unit_price) backwards with a row lookup
// per entry. Independence (walkRest) walks LIMIT over 5%, 200 entries; the
// walk really reads most of a tenth of the index before its tenth match.
//
// The catalog's sample is a uniform sample of the table, so its rows in
// the index's order are a thinned copy of the walk. Under independence
// the sample's first match comes after about 1/rest sampled rows; when it
// comes after rows in which independence expects sampleWalkDepleted
// matches or more (a chance of e^-5, 0.7%, if the rest filter were
// independent of the order), the start of the walk is depleted, and the
// walk reads at least the share of the index before that first match.
// Otherwise the sample says nothing the other estimates do not (it
// cannot resolve LIMIT matches among millions of rows), and the walk is
// left to them.
const (
	// sampleWalkDepleted is the matches independence expects before the
	// sample's first match for the start of the walk to count as
	// depleted: P(none | independent) = e^-5 = 0.7%.
	sampleWalkDepleted = 5
	// sampleWalkMinRows is the fewest sampled rows in the walk's range for
	// the sample to be asked at all.
	sampleWalkMinRows = 200
	// sampleWalkMinMatches is the fewest sampled matches for the first of
	// them to place the start of the matches: with a handful, where the
	// first one falls is mostly the sampling gap (the depletion test
	// above then says little about the matches that follow).
	sampleWalkMinMatches = 10
	// sampleWalkMinGroups is, when the walk's column determines a rest
	// column (walkfd.go's clustered matches), the fewest distinct values
	// of the first ORDER BY column among the sampled matches for the
	// sample to place them: in fewer groups walkfd.go prices them, since
	// the sample may miss a small group at the start of the walk
	// (development ecommerce seed 18's #13, unit_price = 19.79 ORDER BY
	// product_id DESC LIMIT 10: 286,670 matches in 21 products, the first
	// sampled match at 7.1% of the walk, the tenth true one at 3.9%; it
	// walked order_items(product_id) in 580 ms against 929 ms for the
	// scan). Many groups in one stretch of the walk are the sample's: TPC-H
	// lines whose receipt date determines their status (fresh TPC-H seed
	// 15's #15, l_linestatus = 'F' ORDER BY l_receiptdate DESC LIMIT 10:
	// every line received late is still open, and the walk of
	// lineitem(l_receiptdate, ...) ran 9.37 s against 2.95 s).
	sampleWalkMinGroups = 30
)

// walkKey identifies a sampled walk: an occurrence (statement, position in
// its query) and the conjuncts its index serves.
type walkKey struct {
	stmt, qi  int
	mask      uint64
	clustered bool
}

// sampleWalk is the entries an index walk in o's ORDER BY order reads
// (of entries, the index range the conjuncts in mask select) before its
// first match of the other conjuncts when the sample shows the start of
// the walk depleted of matches (above); 0 when it does not, or the sample
// cannot tell. clustered says walkfd.go prices the walk's matches as
// clustered (sampleWalkMinGroups).
func (a *advisor) sampleWalk(o *occ, mask uint64, entries float64, clustered bool) float64 {
	if len(o.order) == 0 || entries <= 0 {
		return 0
	}
	key := walkKey{o.stmt, o.qi, mask, clustered}
	share, ok := a.walkCache[key]
	if !ok {
		share = sampleWalkShare(&a.cat.Stats[o.table], o, mask, clustered)
		if a.walkCache == nil {
			a.walkCache = map[walkKey]float64{}
		}
		a.walkCache[key] = share
	}
	return share * entries
}

// sampleWalkShare is the share of the walk's range before the sample's
// first match when the start of the walk is depleted, else 0.
func sampleWalkShare(ts *catalog.TableStats, o *occ, mask uint64, clustered bool) float64 {
	n := ts.SampleSize()
	if n < sampleWalkMinRows {
		return 0
	}
	for _, c := range o.order {
		if c < 0 || c >= len(ts.Sample) {
			return 0
		}
	}
	row := 0
	get := func(col int) catalog.Datum {
		if col < 0 || col >= len(ts.Sample) {
			return catalog.Datum{}
		}
		return ts.Sample[col][row]
	}
	var inRange []int
	var match []bool
	matches := 0
	for row = range n {
		served, rest := true, true
		for i, c := range o.conj {
			if i >= 64 {
				break
			}
			if c.expr.Eval(get) == features.True {
				continue
			}
			if mask&(1<<i) != 0 {
				served = false
				break
			}
			rest = false
		}
		if !served {
			continue
		}
		inRange = append(inRange, row)
		match = append(match, rest)
		if rest {
			matches++
		}
	}
	s := len(inRange)
	if s < sampleWalkMinRows || matches < sampleWalkMinMatches {
		return 0
	}
	if clustered {
		groups := map[catalog.Datum]bool{}
		for i, r := range inRange {
			if match[i] {
				groups[ts.Sample[o.order[0]][r]] = true
			}
		}
		if len(groups) < sampleWalkMinGroups {
			return 0
		}
	}
	// The walk's order: the ORDER BY columns, ties in primary key order
	// (the sample keeps the table's row order), all reversed when the
	// first column descends (an index walked backwards). Only the first
	// match and the rows before it matter: two linear passes, no sort.
	desc := len(o.desc) > 0 && o.desc[0]
	before := func(x, y int) bool { // in-range row x comes before y
		for k, c := range o.order {
			v := catalog.Compare(ts.Sample[c][inRange[x]], ts.Sample[c][inRange[y]])
			if k < len(o.desc) && o.desc[k] != desc {
				v = -v
			}
			if v != 0 {
				return (v < 0) != desc
			}
		}
		return (x < y) != desc
	}
	firstMatch := -1
	for i := range inRange {
		if match[i] && (firstMatch < 0 || before(i, firstMatch)) {
			firstMatch = i
		}
	}
	first := 0
	for i := range inRange {
		if i != firstMatch && before(i, firstMatch) {
			first++
		}
	}
	rate := float64(matches) / float64(s)
	if float64(first)*rate < sampleWalkDepleted {
		return 0
	}
	return math.Min(1, float64(first)/float64(s))
}
