package catalog

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
)

// Functional and near-functional dependencies (CORDS: Ilyas et al.,
// "CORDS: Automatic Discovery of Correlations and Soft Functional
// Dependencies", SIGMOD 2004). A date determines its month, year and day
// of week; an hour of departures nearly determines nothing else. What an
// estimator needs of a dependency From -> To is, for any range of From,
// which values of To its rows can hold: so a dependency is kept as a
// partition of the table's rows, sorted by From, into bins of about equal
// row count (whole From values per bin, one value per bin when the domain
// is small: a mapping), each bin recording its From range, its rows and
// the smallest and largest value of every dependent column among them:
//
//	rows sorted by fdate ─► bin 0      bin 1      …  bin k
//	                        fdate [lo, hi] rows   month [5, 5]  dow [3, 4] …
//
// The bins are exact: every row of a bin lies in its ranges, so a filter
// that no bin admits (month > 5 AND fdate within one May afternoon) has no
// rows, and a filter's joint selectivity is summed over the bins it admits
// instead of multiplied across the columns.
//
// A column To is kept as dependent on From when it is near-functional:
// the bins' To ranges are narrow, covering on average (weighted by rows)
// at most NearDependencyCoverage of To's values (measured on the table's
// sample). An exact dependency on a small domain covers 1/ndv per bin; an
// independent column covers nearly everything within a few rows.
const (
	// DependencyBins is the largest number of bins of a dependency: on
	// 3M rows a bin holds ~370 rows, a few hours of four years of dates.
	DependencyBins = 8192
	// minDependencyBinRows is the fewest rows a bin of a table holds (but
	// one bin per distinct value is allowed below it): a range over a few
	// rows is narrow by chance, whatever the columns.
	minDependencyBinRows = 64
	// NearDependencyCoverage is the "near" threshold: the largest mean
	// share of the dependent's values a bin's range may cover.
	NearDependencyCoverage = 0.5
	// maxDependencies bounds the dependencies Load accepts per table.
	maxDependencies = 1 << 10
)

// Dependency is a (near-)functional dependency of columns To on column
// From of one table, summarised by bins (see DependencyBin).
type Dependency struct {
	From int   // the determinant column
	To   []int // the dependent columns, ascending
	// Bins partition the table's non-NULL From rows, ascending and
	// disjoint by From.
	Bins []DependencyBin
}

// DependencyBin is one bin of a Dependency: its rows' smallest and largest
// From values, its row count, and per dependent column (parallel to
// Dependency.To) the smallest and largest value among its rows.
type DependencyBin struct {
	Lo, Hi   Datum
	Rows     int64
	Min, Max []Datum
}

// depColumn is a column read as ordered uint64 keys (strings by rank).
type depColumn struct {
	t      Type
	d      ColumnData
	rankOf []uint64 // strings: the rank of each dictionary code
	sorted []string // strings: the distinct values in order
	ok     bool     // no NULL, the expected length
}

func newDepColumn(d ColumnData, t Type, n int) depColumn {
	for _, null := range d.Null {
		if null {
			return depColumn{}
		}
	}
	c := depColumn{t: t, d: d}
	switch t {
	case TypeFloat:
		c.ok = len(d.Floats) == n
	case TypeString:
		c.ok = len(d.Codes) == n
		order := make([]int, len(d.Dict))
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool { return d.Dict[order[a]] < d.Dict[order[b]] })
		c.rankOf = make([]uint64, len(d.Dict))
		for _, code := range order {
			if len(c.sorted) == 0 || c.sorted[len(c.sorted)-1] != d.Dict[code] {
				c.sorted = append(c.sorted, d.Dict[code])
			}
			c.rankOf[code] = uint64(len(c.sorted) - 1)
		}
	default:
		c.ok = len(d.Ints) == n
	}
	return c
}

// key returns row r's key.
func (c *depColumn) key(r int) uint64 {
	switch c.t {
	case TypeFloat:
		return floatKey(c.d.Floats[r])
	case TypeString:
		return c.rankOf[c.d.Codes[r]]
	}
	return intKey(c.d.Ints[r])
}

// keys fills dst with every row's key.
func (c *depColumn) keys(dst []uint64) {
	switch c.t {
	case TypeFloat:
		for r, f := range c.d.Floats {
			dst[r] = floatKey(f)
		}
	case TypeString:
		for r, code := range c.d.Codes {
			dst[r] = c.rankOf[code]
		}
	default:
		for r, v := range c.d.Ints {
			dst[r] = intKey(v)
		}
	}
}

// datum is the value of key k.
func (c *depColumn) datum(k uint64) Datum {
	switch c.t {
	case TypeFloat:
		return Float(keyFloat(k))
	case TypeString:
		return String(c.sorted[k])
	}
	return Int(keyInt(k))
}

// screenStride is the row stride of a dependency's first, cheap check
// (see findDependency).
const screenStride = 8

// addDependencies finds each table's dependencies (see Dependency) over
// every row of src, using the statistics and samples already in cat.
func addDependencies(cat *Catalog, src Source) {
	type job struct{ table, from int }
	var jobs []job
	cols := make([][]depColumn, len(cat.Schema.Tables))
	for ti, t := range cat.Schema.Tables {
		n := int(cat.Stats[ti].Rows)
		if n < 2*minDependencyBinRows || len(t.Columns) < 2 || cat.Stats[ti].SampleSize() == 0 {
			continue
		}
		cols[ti] = make([]depColumn, len(t.Columns))
		for ci, c := range t.Columns {
			if cat.Stats[ti].Columns[ci].Distinct >= 2 {
				cols[ti][ci] = newDepColumn(src.ColumnData(ti, ci), c.Type, n)
			}
		}
		for ci := range t.Columns {
			if cols[ti][ci].ok {
				jobs = append(jobs, job{ti, ci})
			}
		}
	}
	found := make([]*Dependency, len(jobs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				jb := jobs[j]
				found[j] = findDependency(&cat.Stats[jb.table], cols[jb.table], jb.from)
			}
		}()
	}
	for j := range jobs {
		next <- j
	}
	close(next)
	wg.Wait()
	for j, d := range found {
		if d != nil {
			ts := &cat.Stats[jobs[j].table]
			ts.Dependencies = append(ts.Dependencies, *d)
		}
	}
}

// findDependency bins the rows by column from and returns the columns
// near-functionally dependent on it, or nil.
func findDependency(ts *TableStats, cols []depColumn, from int) *Dependency {
	total := int(ts.Rows)
	det := &cols[from]
	// Bin bounds from every screenStride-th row, sorted: whole values,
	// about total/bins rows each (one bin per value when there are few).
	n := (total + screenStride - 1) / screenStride
	keys := make([]uint64, n)
	for i := range keys {
		keys[i] = det.key(i * screenStride)
	}
	sorted := slices.Clone(keys)
	radixSort(sorted, make([]uint64, n))
	nb := min(DependencyBins, max(1, total/minDependencyBinRows))
	var upper []uint64
	if ts.Columns[from].Distinct <= int64(nb) {
		for i := range n {
			if i == n-1 || sorted[i+1] != sorted[i] {
				upper = append(upper, sorted[i])
			}
		}
	} else {
		for b := 1; b <= nb; b++ {
			v := sorted[min(n-1, b*n/nb-1)]
			if len(upper) == 0 || v > upper[len(upper)-1] {
				upper = append(upper, v)
			}
		}
	}
	if len(upper) < 2 {
		return nil
	}
	var all []int
	for c := range cols {
		if c != from && cols[c].ok {
			all = append(all, c)
		}
	}
	// Screen on the strided rows: fewer rows per bin make narrower
	// ranges, so a column over the threshold there is over it in full
	// (nearly always).
	screened := scanDependency(ts, cols, from, screenStride, upper, keys, all)
	if screened == nil {
		return nil
	}
	keys = make([]uint64, total)
	det.keys(keys)
	return scanDependency(ts, cols, from, 1, upper, keys, screened.To)
}

// scanDependency bins every stride-th row (keys: their determinant keys)
// by the bin bounds upper (a row past the last joins the last bin) and
// returns the columns of cand near-functionally dependent on column from,
// with the bins when stride is 1, or nil.
func scanDependency(ts *TableStats, cols []depColumn, from, stride int, upper, keys []uint64, cand []int) *Dependency {
	n := len(keys)
	bin := make([]uint16, n)
	rows := make([]int64, len(upper))
	first := make([]uint64, len(upper))
	last := make([]uint64, len(upper))
	for b := range first {
		first[b] = ^uint64(0)
	}
	for r, k := range keys {
		var b int
		if r > 0 && keys[r-1] <= k && k <= upper[bin[r-1]] {
			b = int(bin[r-1]) // sorted runs (dates in row order) skip the search
		} else {
			b, _ = slices.BinarySearch(upper, k)
			b = min(b, len(upper)-1)
		}
		bin[r] = uint16(b)
		rows[b]++
		first[b] = min(first[b], k)
		last[b] = max(last[b], k)
	}
	dep := &Dependency{From: from}
	var mins, maxs [][]uint64
	lo := make([]uint64, len(upper))
	hi := make([]uint64, len(upper))
	for _, c := range cand {
		col := &cols[c]
		for b := range lo {
			lo[b], hi[b] = ^uint64(0), 0
		}
		if stride == 1 {
			col.keys(keys)
		} else {
			for i := range keys {
				keys[i] = col.key(i * stride)
			}
		}
		for r, k := range keys {
			b := bin[r]
			lo[b] = min(lo[b], k)
			hi[b] = max(hi[b], k)
		}
		if coverage(ts.Sample[c], col, lo, hi, rows, n) > NearDependencyCoverage {
			continue
		}
		dep.To = append(dep.To, c)
		if stride == 1 {
			mins, maxs = append(mins, slices.Clone(lo)), append(maxs, slices.Clone(hi))
		}
	}
	if len(dep.To) == 0 || stride != 1 {
		return dep.orNil()
	}
	det := &cols[from]
	for b := range upper {
		if rows[b] == 0 {
			continue
		}
		db := DependencyBin{Lo: det.datum(first[b]), Hi: det.datum(last[b]), Rows: rows[b],
			Min: make([]Datum, len(dep.To)), Max: make([]Datum, len(dep.To))}
		for k, c := range dep.To {
			db.Min[k], db.Max[k] = cols[c].datum(mins[k][b]), cols[c].datum(maxs[k][b])
		}
		dep.Bins = append(dep.Bins, db)
	}
	return dep
}

func (d *Dependency) orNil() *Dependency {
	if len(d.To) == 0 {
		return nil
	}
	return d
}

// coverage is the row-weighted mean, over bins, of the share of sampled
// values of a column that lie within the bin's range [lo, hi].
func coverage(sample []Datum, col *depColumn, lo, hi []uint64, rows []int64, n int) float64 {
	if len(sample) == 0 {
		return 1
	}
	ks := make([]uint64, 0, len(sample))
	for _, d := range sample {
		k, ok := datumKey(d, col)
		if !ok {
			return 1
		}
		ks = append(ks, k)
	}
	slices.Sort(ks)
	sum := 0.0
	for b := range lo {
		if rows[b] == 0 {
			continue
		}
		i, _ := slices.BinarySearch(ks, lo[b])
		j, found := slices.BinarySearch(ks, hi[b])
		for found && j < len(ks) && ks[j] == hi[b] {
			j++
		}
		sum += float64(rows[b]) * float64(j-i) / float64(len(ks))
	}
	return sum / float64(n)
}

// datumKey is the key of a sampled datum in col's order.
func datumKey(d Datum, col *depColumn) (uint64, bool) {
	switch d.Kind {
	case KindInt:
		return intKey(d.I), true
	case KindFloat:
		return floatKey(d.F), true
	case KindString:
		if col.t != TypeString {
			return 0, false
		}
		i, _ := slices.BinarySearch(col.sorted, d.S)
		return uint64(i), true
	}
	return 0, false
}

// checkDependencies verifies table ti's dependencies: columns in range,
// ascending disjoint bins of the columns' kinds with Min <= Max.
func (c *Catalog) checkDependencies(ti int) error {
	t, ts := c.Schema.Tables[ti], &c.Stats[ti]
	for _, d := range ts.Dependencies {
		if d.From < 0 || d.From >= len(t.Columns) || len(d.To) == 0 || len(d.Bins) == 0 {
			return fmt.Errorf("table %q: dependency on column %d with %d dependents and %d bins", t.Name, d.From, len(d.To), len(d.Bins))
		}
		for i, c := range d.To {
			if c < 0 || c >= len(t.Columns) || c == d.From || (i > 0 && c <= d.To[i-1]) {
				return fmt.Errorf("table %q: dependent column %d of column %d", t.Name, c, d.From)
			}
		}
		fk := kindOf(t.Columns[d.From].Type)
		for i, b := range d.Bins {
			if !datumFits(b.Lo, fk, false) || !datumFits(b.Hi, fk, false) || Compare(b.Lo, b.Hi) > 0 || b.Rows < 0 ||
				(i > 0 && Compare(d.Bins[i-1].Hi, b.Lo) >= 0) || len(b.Min) != len(d.To) || len(b.Max) != len(d.To) {
				return fmt.Errorf("table %q: bin %d of the dependency on %q", t.Name, i, t.Columns[d.From].Name)
			}
			for k, c := range d.To {
				ck := kindOf(t.Columns[c].Type)
				if !datumFits(b.Min[k], ck, false) || !datumFits(b.Max[k], ck, false) || Compare(b.Min[k], b.Max[k]) > 0 {
					return fmt.Errorf("table %q: bin %d of the dependency on %q: range of %q", t.Name, i, t.Columns[d.From].Name, t.Columns[c].Name)
				}
			}
		}
	}
	return nil
}

// encodeDependencies writes per table the count of dependencies, then per
// dependency From, the To columns, and the bins (Lo, Hi, Rows, then Min
// and Max per dependent).
func encodeDependencies(e *encoder, stats []TableStats) {
	e.Uvarint(uint64(len(stats)))
	for _, ts := range stats {
		e.Uvarint(uint64(len(ts.Dependencies)))
		for _, d := range ts.Dependencies {
			e.Uvarint(uint64(d.From))
			e.Uvarint(uint64(len(d.To)))
			for _, c := range d.To {
				e.Uvarint(uint64(c))
			}
			e.Uvarint(uint64(len(d.Bins)))
			for _, b := range d.Bins {
				e.datum(b.Lo)
				e.datum(b.Hi)
				e.Uvarint(uint64(b.Rows))
				for k := range d.To {
					e.datum(b.Min[k])
					e.datum(b.Max[k])
				}
			}
		}
	}
}

func decodeDependencies(d *decoder, stats []TableStats) {
	n := d.Count("dependency tables", maxTables, 1)
	if d.Err() != nil {
		return
	}
	if n != len(stats) {
		d.Fail("dependencies of %d tables for %d", n, len(stats))
		return
	}
	for ti := range stats {
		nd := d.Count("dependency", maxDependencies, 3)
		for range nd {
			if d.Err() != nil {
				return
			}
			dep := Dependency{From: int(d.Uvarint("column"))}
			nt := d.Count("dependent column", maxColumns, 1)
			for range nt {
				dep.To = append(dep.To, int(d.Uvarint("column")))
			}
			nb := d.Count("dependency bin", maxList, 3+2*nt)
			if d.Err() != nil {
				return
			}
			dep.Bins = make([]DependencyBin, nb)
			for b := range dep.Bins {
				db := &dep.Bins[b]
				db.Lo, db.Hi = d.datum(), d.datum()
				rows := d.Uvarint("rows")
				if rows > math.MaxInt64 {
					d.Fail("bin of %d rows", rows)
				}
				db.Rows = int64(rows)
				db.Min, db.Max = make([]Datum, nt), make([]Datum, nt)
				for k := range nt {
					db.Min[k], db.Max[k] = d.datum(), d.datum()
				}
				if d.Err() != nil {
					return
				}
			}
			stats[ti].Dependencies = append(stats[ti].Dependencies, dep)
		}
	}
}
