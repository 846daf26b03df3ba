package catalog

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
)

// Build computes statistics for every table of schema from src, the way
// ANALYZE does but exactly (every row is read):
//
//   - Rows, NullFrac, exact Distinct, Min and Max;
//   - MCVs: the values strictly more frequent than the average non-NULL
//     value (count > non-NULL rows / Distinct), most frequent first (ties in
//     value order), at most opts.MCVs of them, Freq a fraction of all rows;
//   - an equi-depth histogram (Piatetsky-Shapiro & Connell, SIGMOD 1984)
//     over the remaining non-NULL values: min(opts.Buckets, m-1) buckets for
//     m such rows (one bucket when m == 1), bound i being the value at rank
//     i*(m-1)/buckets of their sorted sequence, so a heavy value may repeat
//     as a bound; HistFrac = m / Rows;
//   - a uniform sample of opts.SampleSize rows without replacement (Floyd's
//     algorithm, CACM 30(9) 1987, drawn from rng), kept in row order; the
//     whole table when it has no more rows; opts.SharedKeySampleSize rows
//     for fact tables on a shared dimension (sharedsample.go);
//   - (near-)functional dependencies between columns (see Dependency;
//     off with opts.NoDependencies);
//   - join synopses of each sample along its foreign keys, DefaultJoinDepth
//     hops deep, where the referenced columns are unique (see JoinSample;
//     off with opts.NoJoinSynopses);
//   - HyperLogLog sketches of the columns and column pairs of tables of at
//     least opts.SketchRows rows (see Sketch; off with opts.NoSketches).
//
// Columns are sorted with a byte-wise radix sort (strings by dictionary
// code counting) and processed in parallel on GOMAXPROCS workers; the result
// depends only on the data, the options and rng. rng may be nil when no
// table exceeds the sample size.
func Build(schema *Schema, src Source, opts StatsOptions, rng *rand.Rand) (*Catalog, error) {
	return BuildContext(context.Background(), schema, src, opts, rng)
}

// BuildContext is Build, stopping with ctx's error once ctx is done
// (checked between columns, between the join synopses' hops and between
// the sketches' row chunks): a catalog of millions of rows takes seconds.
func BuildContext(ctx context.Context, schema *Schema, src Source, opts StatsOptions, rng *rand.Rand) (*Catalog, error) {
	if err := schema.Validate(); err != nil {
		return nil, err
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	cat := &Catalog{Schema: schema, Stats: make([]TableStats, len(schema.Tables))}
	type job struct{ table, col int }
	var jobs []job
	rows := make([][]int, len(schema.Tables)) // sampled rows of each table
	nrows := make([]int, len(schema.Tables))
	for ti, t := range schema.Tables {
		if nrows[ti] = src.NumRows(ti); nrows[ti] < 0 {
			return nil, fmt.Errorf("%w: table %q has %d rows", ErrInvalidSource, t.Name, nrows[ti])
		}
	}
	k := sampleSizes(schema, nrows, opts)
	for ti, t := range schema.Tables {
		n := nrows[ti]
		if n > k[ti] && rng == nil {
			return nil, fmt.Errorf("%w: nil *rand.Rand but table %q must be sampled", ErrInvalidOptions, t.Name)
		}
		rows[ti] = sampleRows(n, k[ti], rng)
		cat.Stats[ti] = TableStats{
			Rows:    int64(n),
			Columns: make([]ColumnStats, len(t.Columns)),
			Sample:  make([][]Datum, len(t.Columns)),
		}
		for ci := range t.Columns {
			jobs = append(jobs, job{ti, ci})
		}
	}

	workers := min(runtime.GOMAXPROCS(0), len(jobs))
	errs := make([]error, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var sc scratch
			for j := range next {
				if errs[j] = ctx.Err(); errs[j] != nil {
					continue
				}
				jb := jobs[j]
				t := schema.Tables[jb.table]
				ts := &cat.Stats[jb.table]
				col := t.Columns[jb.col]
				data := src.ColumnData(jb.table, jb.col)
				if err := checkColumn(data, col.Type, int(ts.Rows)); err != nil {
					errs[j] = fmt.Errorf("table %q column %q: %w", t.Name, col.Name, err)
					continue
				}
				cs, err := sc.columnStats(data, col.Type, int(ts.Rows), opts)
				if err != nil {
					errs[j] = fmt.Errorf("table %q column %q: %w", t.Name, col.Name, err)
					continue
				}
				ts.Columns[jb.col] = cs
				ts.Sample[jb.col] = sampleColumn(data, col.Type, rows[jb.table])
			}
		}()
	}
	for j := range jobs {
		next <- j
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if !opts.NoDependencies {
		addDependencies(cat, src)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !opts.NoJoinSynopses {
		if err := AddJoinSynopses(ctx, cat, DefaultJoinDepth, NewSourceLookup(schema, src)); err != nil {
			return nil, err
		}
	}
	if !opts.NoKeyDegrees {
		if err := AddKeyDegrees(cat, src); err != nil {
			return nil, err
		}
	}
	if !opts.NoKeyMaps {
		if err := AddKeyMaps(cat, src); err != nil {
			return nil, err
		}
	}
	if !opts.NoSketches {
		if err := AddSketchesContext(ctx, cat, src, opts); err != nil {
			return nil, err
		}
	}
	return cat, nil
}

// sampleRows returns k row indexes drawn uniformly without replacement from
// [0, n) in ascending order, or all of them when n <= k.
func sampleRows(n, k int, rng *rand.Rand) []int {
	if n <= k {
		rows := make([]int, n)
		for i := range rows {
			rows[i] = i
		}
		return rows
	}
	// Floyd: for j in n-k..n-1 pick t in [0, j]; take j if t is taken.
	seen := make(map[int]struct{}, k)
	rows := make([]int, 0, k)
	for j := n - k; j < n; j++ {
		t := rng.IntN(j + 1)
		if _, dup := seen[t]; dup {
			t = j
		}
		seen[t] = struct{}{}
		rows = append(rows, t)
	}
	slices.Sort(rows)
	return rows
}

func sampleColumn(d ColumnData, t Type, rows []int) []Datum {
	out := make([]Datum, len(rows))
	for i, r := range rows {
		out[i] = datumAt(d, t, r)
	}
	return out
}

// datumAt returns row r of d, a column of type t.
func datumAt(d ColumnData, t Type, r int) Datum {
	switch {
	case d.Null != nil && d.Null[r]:
		return Null
	case t == TypeFloat:
		return Float(d.Floats[r])
	case t == TypeString:
		return String(d.Dict[d.Codes[r]])
	default:
		return Int(d.Ints[r])
	}
}

// scratch holds one worker's reusable buffers.
type scratch struct {
	keys, tmp []uint64
	counts    []int64 // per dictionary code
	order     []int   // dictionary codes in string order
	gCounts   []int64 // rows per distinct value
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// columnStats computes the statistics of one column of n rows.
func (sc *scratch) columnStats(d ColumnData, t Type, n int, opts StatsOptions) (ColumnStats, error) {
	var datum func(k uint64) Datum
	var gKeys []uint64 // ascending distinct values
	var gCounts []int64
	nulls := 0
	if t == TypeString {
		sc.counts = grow(sc.counts, len(d.Dict))
		clear(sc.counts)
		for i, c := range d.Codes {
			if d.Null != nil && d.Null[i] {
				nulls++
				continue
			}
			sc.counts[c]++
		}
		sc.order = sc.order[:0]
		for c, k := range sc.counts {
			if k > 0 {
				sc.order = append(sc.order, c)
			}
		}
		slices.SortFunc(sc.order, func(a, b int) int { return cmp.Compare(d.Dict[a], d.Dict[b]) })
		// Groups are keyed by the code of the first occurrence of each
		// distinct string; equal strings under several codes merge.
		gKeys = grow(sc.keys, len(sc.order))[:0]
		gCounts = grow(sc.gCounts, len(sc.order))[:0]
		for _, c := range sc.order {
			if g := len(gKeys) - 1; g >= 0 && d.Dict[gKeys[g]] == d.Dict[c] {
				gCounts[g] += sc.counts[c]
				continue
			}
			gKeys = append(gKeys, uint64(c))
			gCounts = append(gCounts, sc.counts[c])
		}
		sc.keys, sc.gCounts = gKeys, gCounts
		datum = func(k uint64) Datum { return String(d.Dict[k]) }
	} else {
		sc.keys = grow(sc.keys, n)[:0]
		if t == TypeFloat {
			for i, f := range d.Floats {
				if d.Null != nil && d.Null[i] {
					nulls++
					continue
				}
				if math.IsNaN(f) {
					return ColumnStats{}, fmt.Errorf("%w: NaN at row %d", ErrInvalidSource, i)
				}
				sc.keys = append(sc.keys, floatKey(f))
			}
			datum = func(k uint64) Datum { return Float(keyFloat(k)) }
		} else {
			for i, v := range d.Ints {
				if d.Null != nil && d.Null[i] {
					nulls++
					continue
				}
				sc.keys = append(sc.keys, intKey(v))
			}
			datum = func(k uint64) Datum { return Int(keyInt(k)) }
		}
		sc.tmp = grow(sc.tmp, len(sc.keys))
		radixSort(sc.keys, sc.tmp)
		// Deduplicate in place: group g's key overwrites keys[g] <= i.
		sc.gCounts = grow(sc.gCounts, len(sc.keys))
		g := -1
		for _, k := range sc.keys {
			if g >= 0 && sc.keys[g] == k {
				sc.gCounts[g]++
				continue
			}
			g++
			sc.keys[g], sc.gCounts[g] = k, 1
		}
		gKeys, gCounts = sc.keys[:g+1], sc.gCounts[:g+1]
	}
	return summarize(gKeys, gCounts, int64(n), int64(nulls), opts, datum), nil
}

// summarize turns the ascending distinct values (keys, with their row
// counts) of a column into ColumnStats.
func summarize(keys []uint64, counts []int64, rows, nulls int64, opts StatsOptions, datum func(uint64) Datum) ColumnStats {
	cs := ColumnStats{Distinct: int64(len(keys)), Min: Null, Max: Null}
	if rows == 0 {
		return cs
	}
	cs.NullFrac = float64(nulls) / float64(rows)
	if len(keys) == 0 {
		return cs
	}
	cs.Min, cs.Max = datum(keys[0]), datum(keys[len(keys)-1])
	nonNull := rows - nulls
	distinct := int64(len(keys))

	// MCV candidates: count > nonNull/distinct, compared exactly.
	var cand []int
	for g, c := range counts {
		if c*distinct > nonNull {
			cand = append(cand, g)
		}
	}
	slices.SortFunc(cand, func(a, b int) int {
		if c := cmp.Compare(counts[b], counts[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	if len(cand) > opts.MCVs {
		cand = cand[:opts.MCVs]
	}
	m := nonNull
	for _, g := range cand {
		cs.MCVs = append(cs.MCVs, MCV{Value: datum(keys[g]), Freq: float64(counts[g]) / float64(rows)})
		m -= counts[g]
	}
	cs.HistFrac = float64(m) / float64(rows)
	if m == 0 {
		return cs
	}
	isMCV := slices.Clone(cand)
	slices.Sort(isMCV)

	buckets := min(int64(opts.Buckets), max(m-1, 1))
	cs.Histogram = make([]Datum, 0, buckets+1)
	var cum int64 // non-MCV rows before group g
	bound := int64(0)
	target := int64(0) // rank of the next bound: bound*(m-1)/buckets
	for g, c := range counts {
		if len(isMCV) > 0 && isMCV[0] == g {
			isMCV = isMCV[1:]
			continue
		}
		for bound <= buckets && target < cum+c {
			cs.Histogram = append(cs.Histogram, datum(keys[g]))
			bound++
			target = bound * (m - 1) / buckets
		}
		cum += c
	}
	return cs
}
