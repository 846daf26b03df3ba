package catalog

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
)

// Distinct-value sketches of large tables (TableStats.Sketches).
//
//	table with >= SketchRows rows
//	   ├─ one HLL per column (precision SketchPrecision, 4 KiB by default)
//	   └─ one HLL per pair of its first maxPairColumns non-unique columns
//	        (precision PairSketchPrecision, 1 KiB by default): the distinct
//	        (a, b) tuples that GROUP BY a, b counts, which no per-column
//	        statistic bounds better than Distinct(a)·Distinct(b)
//
// Exact distinct counts of single columns come from Build's sort; of
// pairs they would need one sort (or hash set) per pair, which is what
// the sketches avoid: one pass over the rows, memory fixed by precision.
// Where the whole table is not read at all (live.SampleCatalog), streamed
// sketches replace the sample's distinct counts, which are only lower
// bounds. The estimator's distinct-value estimation (estimator/groups.go)
// caps the distinct tuples of a table's grouping keys by the sketch.

// Defaults of the sketch options (StatsOptions).
const (
	// DefaultSketchRows is the fewest rows a table needs for Build to
	// sketch it: below it the sample holds a large share of the table and
	// a sketch adds little.
	DefaultSketchRows = 1 << 20
	// DefaultSketchPrecision (4,096 registers: 1.6% standard error) and
	// DefaultPairSketchPrecision (1,024: 3.3%) size the sketches.
	DefaultSketchPrecision     = 12
	DefaultPairSketchPrecision = 10
	// maxPairColumns bounds the columns whose pairs are sketched (120
	// pairs, 120 KiB at the default precision).
	maxPairColumns = 16
	// maxSketches bounds the sketches of one table in a catalog file.
	maxSketches = maxColumns + maxPairColumns*(maxPairColumns-1)/2
)

// Sketch is a HyperLogLog sketch of the distinct non-NULL values of one
// column (len(Cols) == 1) or of the tuples of a pair of columns (Cols
// ascending; tuples with a NULL are skipped) over all of a table's rows.
type Sketch struct {
	Cols []int
	HLL  HLL
}

// Sketch returns the sketch of the given columns of the table (one, or a
// pair in any order), or nil.
func (ts *TableStats) Sketch(cols ...int) *HLL {
	if len(cols) == 2 && cols[0] > cols[1] {
		cols = []int{cols[1], cols[0]}
	}
	for i := range ts.Sketches {
		if slices.Equal(ts.Sketches[i].Cols, cols) {
			return &ts.Sketches[i].HLL
		}
	}
	return nil
}

// pairColumns lists the columns of a table whose pairs are sketched: the
// first maxPairColumns whose distinct values are at most half the rows
// (a pair with a near-unique column is near-unique).
func pairColumns(ts *TableStats) []int {
	var cols []int
	for c := range ts.Columns {
		if len(cols) < maxPairColumns && ts.Columns[c].Distinct > 0 && 2*ts.Columns[c].Distinct <= ts.Rows {
			cols = append(cols, c)
		}
	}
	return cols
}

// AddSketches computes the sketches of every table of c with at least
// opts.SketchRows rows from src, in one pass over each such table's rows,
// replacing the tables' Sketches.
func AddSketches(c *Catalog, src Source, opts StatsOptions) error {
	return AddSketchesContext(context.Background(), c, src, opts)
}

// AddSketchesContext is AddSketches, stopping with ctx's error once ctx is
// done (checked every sketchChunkRows rows of each worker); the table it
// was sketching is then left without sketches.
func AddSketchesContext(ctx context.Context, c *Catalog, src Source, opts StatsOptions) error {
	opts, err := opts.withDefaults()
	if err != nil {
		return err
	}
	for ti, t := range c.Schema.Tables {
		ts := &c.Stats[ti]
		ts.Sketches = nil
		n := src.NumRows(ti)
		if n < opts.SketchRows || len(t.Columns) == 0 {
			continue
		}
		data := make([]ColumnData, len(t.Columns))
		dictHash := make([][]uint64, len(t.Columns))
		for ci, col := range t.Columns {
			data[ci] = src.ColumnData(ti, ci)
			if err := checkColumn(data[ci], col.Type, n); err != nil {
				return fmt.Errorf("table %q column %q: %w", t.Name, col.Name, err)
			}
			if col.Type == TypeString {
				dictHash[ci] = make([]uint64, len(data[ci].Dict))
				for k, s := range data[ci].Dict {
					dictHash[ci][k] = HashDatum(String(s))
				}
			}
		}
		pairs := pairColumns(ts)
		for ci := range t.Columns {
			h, _ := NewHLL(opts.SketchPrecision)
			ts.Sketches = append(ts.Sketches, Sketch{Cols: []int{ci}, HLL: *h})
		}
		for a := range pairs {
			for b := a + 1; b < len(pairs); b++ {
				h, _ := NewHLL(opts.PairSketchPrecision)
				ts.Sketches = append(ts.Sketches, Sketch{Cols: []int{pairs[a], pairs[b]}, HLL: *h})
			}
		}
		// Row ranges in parallel, each into sketches of its own, merged
		// at the end (a sketch of a union is the merge of the sketches).
		workers := max(min(runtime.GOMAXPROCS(0), n/sketchChunkRows), 1)
		parts := make([][]Sketch, workers)
		var wg sync.WaitGroup
		for w := range workers {
			parts[w] = make([]Sketch, len(ts.Sketches))
			for i, sk := range ts.Sketches {
				parts[w][i] = Sketch{Cols: sk.Cols, HLL: HLL{Precision: sk.HLL.Precision, Registers: make([]uint8, len(sk.HLL.Registers))}}
			}
			wg.Add(1)
			go func(sks []Sketch, lo, hi int) {
				defer wg.Done()
				for ; lo < hi && ctx.Err() == nil; lo += sketchChunkRows {
					sketchRows(sks, t, data, dictHash, pairs, lo, min(lo+sketchChunkRows, hi))
				}
			}(parts[w], n*w/workers, n*(w+1)/workers)
		}
		wg.Wait()
		if err := ctx.Err(); err != nil {
			ts.Sketches = nil // half-counted: none rather than wrong
			return err
		}
		for _, p := range parts {
			for i := range p {
				_ = ts.Sketches[i].HLL.Merge(&p[i].HLL) // same precisions by construction
			}
		}
	}
	return nil
}

// sketchChunkRows is the fewest rows a worker of AddSketches gets, and
// the rows a worker sketches between checks of AddSketchesContext's
// context (tables are sketched from StatsOptions.SketchRows rows on, by
// default DefaultSketchRows = 16 chunks: a cancelled build stops well
// before such a table ends).
const sketchChunkRows = 1 << 16

// sketchRows adds rows [lo, hi) of table t to sks (the column sketches,
// then the pairs of pairs in order).
func sketchRows(sks []Sketch, t *Table, data []ColumnData, dictHash [][]uint64, pairs []int, lo, hi int) {
	hashes := make([]uint64, len(t.Columns))
	null := make([]bool, len(t.Columns))
	for r := lo; r < hi; r++ {
		for ci, col := range t.Columns {
			d := data[ci]
			null[ci] = d.Null != nil && d.Null[r]
			if null[ci] {
				continue
			}
			switch col.Type {
			case TypeString:
				hashes[ci] = dictHash[ci][d.Codes[r]]
			case TypeFloat:
				hashes[ci] = HashDatum(Float(d.Floats[r]))
			default:
				hashes[ci] = HashDatum(Int(d.Ints[r]))
			}
			sks[ci].HLL.AddHash(hashes[ci])
		}
		k := len(t.Columns)
		for a := range pairs {
			for b := a + 1; b < len(pairs); b++ {
				if !null[pairs[a]] && !null[pairs[b]] {
					sks[k].HLL.AddHash(HashPair(hashes[pairs[a]], hashes[pairs[b]]))
				}
				k++
			}
		}
	}
}

func encodeSketches(e *encoder, stats []TableStats) {
	e.Uvarint(uint64(len(stats)))
	for _, ts := range stats {
		e.Uvarint(uint64(len(ts.Sketches)))
		for _, s := range ts.Sketches {
			e.Uvarint(uint64(len(s.Cols)))
			for _, c := range s.Cols {
				e.Uvarint(uint64(c))
			}
			e.U8(s.HLL.Precision)
			// Registers run-length encoded: (zero run, value) pairs, as
			// sparse sketches are mostly zeros.
			regs := s.HLL.Registers
			for i := 0; i < len(regs); {
				j := i
				for j < len(regs) && regs[j] == 0 {
					j++
				}
				e.Uvarint(uint64(j - i))
				if j == len(regs) {
					break
				}
				e.U8(regs[j])
				i = j + 1
			}
		}
	}
}

func decodeSketches(d *decoder, stats []TableStats) {
	n := d.Count("sketch tables", maxTables, 1)
	if d.Err() != nil {
		return
	}
	if n != len(stats) {
		d.Fail("sketches of %d tables for %d", n, len(stats))
		return
	}
	for ti := range stats {
		ns := d.Count("sketch", maxSketches, 3)
		for range ns {
			if d.Err() != nil {
				return
			}
			nc := d.Count("sketch column", 2, 1)
			s := Sketch{Cols: make([]int, nc)}
			for k := range s.Cols {
				s.Cols[k] = int(d.Uvarint("column"))
			}
			p := int(d.U8("precision"))
			if d.Err() != nil {
				return
			}
			h, err := NewHLL(p)
			if err != nil {
				d.Fail("sketch precision %d", p)
				return
			}
			for i := 0; i < len(h.Registers); {
				run := d.Uvarint("zero run")
				if d.Err() != nil {
					return
				}
				if run > uint64(len(h.Registers)-i) {
					d.Fail("zero run %d past %d registers", run, len(h.Registers))
					return
				}
				i += int(run)
				if i == len(h.Registers) {
					break
				}
				h.Registers[i] = d.U8("register")
				i++
			}
			s.HLL = *h
			stats[ti].Sketches = append(stats[ti].Sketches, s)
		}
	}
}

// checkSketches validates the sketches of one table: known, distinct
// column sets (one column, or an ascending pair) and registers within the
// rank range of their precision.
func checkSketches(ts *TableStats, ncols int) error {
	seen := map[[2]int]bool{}
	for i, s := range ts.Sketches {
		key := [2]int{-1, -1}
		if len(s.Cols) != 1 && len(s.Cols) != 2 {
			return fmt.Errorf("sketch %d has %d columns", i, len(s.Cols))
		}
		for k, c := range s.Cols {
			if c < 0 || c >= ncols {
				return fmt.Errorf("sketch %d: column %d out of range", i, c)
			}
			key[k] = c
		}
		if len(s.Cols) == 2 && s.Cols[0] >= s.Cols[1] {
			return fmt.Errorf("sketch %d: columns %v not ascending", i, s.Cols)
		}
		if seen[key] {
			return fmt.Errorf("sketch %d: columns %v sketched twice", i, s.Cols)
		}
		seen[key] = true
		p := int(s.HLL.Precision)
		if p < MinHLLPrecision || p > MaxHLLPrecision || len(s.HLL.Registers) != 1<<p {
			return fmt.Errorf("sketch %d: precision %d with %d registers", i, p, len(s.HLL.Registers))
		}
		for _, r := range s.HLL.Registers {
			if int(r) > 65-p {
				return fmt.Errorf("sketch %d: register %d over rank %d", i, r, 65-p)
			}
		}
	}
	return nil
}
