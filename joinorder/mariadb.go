package joinorder

import (
	"fmt"
	"math"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// MariaDBCosts are the constants of the MariaDB cost model, in
// microseconds of one execution: a plan's cost is its predicted latency.
// The zero value of a field means its default (DefaultMariaDBCosts);
// negative, NaN or infinite values are ErrOptions.
type MariaDBCosts struct {
	ScanRow  float64 // per row of a full table scan, the table's filter evaluated
	Lookup   float64 // per index lookup (one B-tree descent: a ref or eq_ref access)
	FetchPK  float64 // per row fetched through the primary key, or a covering secondary index
	FetchSec float64 // per row fetched through a secondary index (then the clustered index)
	JoinRow  float64 // per row pair a block nested loop (or a cross product) compares
}

// DefaultMariaDBCosts are starting values, not a fit: microseconds of an
// unloaded server with every page cached, set from probe statements timed
// on TPC-H SF1 in MariaDB 10.11 (2 GB buffer pool) on the shared 2-core
// build machine at a load average near 20, scaled down about 10x for the
// load:
//
//	ScanRow   SELECT COUNT(*) FROM lineitem WHERE l_quantity < 0: 10-16 s for 6,001,215 rows
//	Lookup    orders ⋈ lineitem on its primary-key prefix (1.5M lookups in o_custkey order,
//	          6M rows fetched): 74-107 s, lookups dominating; orders ⋈ customer on its
//	          primary key: 5-8 s for 1.5M eq_ref lookups (in o_custkey order, so mostly cached)
//	FetchSec  a fetch through a secondary index costs a clustered-index lookup more
//	          (taken as most of a Lookup)
//	JoinRow   a block nested loop compares a row pair in far less than a row read
//
// Only their ratios matter for ordering; joinbench.Setup.Calibrate refits
// them to a server's measured latencies (FitMariaDBCosts).
var DefaultMariaDBCosts = MariaDBCosts{ScanRow: 0.15, Lookup: 1.0, FetchPK: 0.12, FetchSec: 0.9, JoinRow: 0.02}

// MariaDB is a cost model of MariaDB's left-deep executor with its default
// join_cache_level 2 (no hash joins): a table joined through a join column
// that leads an index is read by index lookups (ref / eq_ref access: one
// Lookup per outer row, then FetchPK or FetchSec per row matching the join
// key, before the table's filter: the join's rows over the filter's
// selectivity, at most the outer rows times the table's rows per join key,
// as MariaDB's best_access_path counts a ref access), any other by a block nested loop (a
// full scan per join buffer of outer rows, JoinRow per row pair). The
// first table is scanned in full (ScanRow per row). A non-leaf right input (bushy plans, which
// MariaDB does not execute) is priced as a materialised hash join, so that
// DPccp stays usable with it.
type MariaDB struct {
	c        MariaDBCosts
	baseRows []float64
	pk       map[[2]int]bool // (schema table, column) leads the primary key
	sec      map[[2]int]bool // (schema table, column) leads a secondary index (declared, or a foreign key's)
	pkCols   map[[2]int]bool // (schema table, column) is a primary key column
	keys     [][]indexKey    // per schema table, its indexes' rows per key (mariadb_keys.go)
}

// joinBufferRows is the outer rows one join buffer holds: MariaDB's
// default join_buffer_size of 256 KiB over rows of about 100 bytes (the
// join columns and row references it keeps).
const joinBufferRows = 2560

// NewMariaDB returns the MariaDB cost model for cat's schema with costs c
// (zero fields: DefaultMariaDBCosts). Table sizes come from cat.Stats.
func NewMariaDB(cat *catalog.Catalog, c MariaDBCosts) (*MariaDB, error) {
	d := DefaultMariaDBCosts
	for _, f := range []struct {
		v   *float64
		def float64
	}{{&c.ScanRow, d.ScanRow}, {&c.Lookup, d.Lookup}, {&c.FetchPK, d.FetchPK}, {&c.FetchSec, d.FetchSec}, {&c.JoinRow, d.JoinRow}} {
		if *f.v < 0 || math.IsNaN(*f.v) || math.IsInf(*f.v, 0) {
			return nil, fmt.Errorf("%w: MariaDB cost %g", ErrOptions, *f.v)
		}
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	m := &MariaDB{c: c, pk: map[[2]int]bool{}, sec: map[[2]int]bool{}, pkCols: map[[2]int]bool{}}
	if cat == nil || cat.Schema == nil {
		return m, nil
	}
	s := cat.Schema
	m.baseRows = make([]float64, len(s.Tables))
	m.keys = tableKeys(cat)
	for i, t := range s.Tables {
		if i < len(cat.Stats) {
			m.baseRows[i] = float64(cat.Stats[i].Rows)
		}
		for k, col := range t.PrimaryKey {
			if c := t.ColumnIndex(col); c >= 0 {
				m.pkCols[[2]int{i, c}] = true
				if k == 0 {
					m.pk[[2]int{i, c}] = true
				}
			}
		}
		for _, ix := range t.Indexes {
			if len(ix.Columns) > 0 && ix.Columns[0].Prefix == 0 {
				if c := t.ColumnIndex(ix.Columns[0].Name); c >= 0 {
					m.sec[[2]int{i, c}] = true
				}
			}
		}
	}
	for _, fk := range s.ForeignKeys {
		// InnoDB indexes a foreign key's columns unless the primary key
		// starts with them.
		ti := s.TableIndex(fk.Table)
		if ti < 0 || len(fk.Columns) == 0 {
			continue
		}
		if c := s.Tables[ti].ColumnIndex(fk.Columns[0]); c >= 0 && !m.pk[[2]int{ti, c}] {
			m.sec[[2]int{ti, c}] = true
		}
	}
	return m, nil
}

// Name returns "mariadb".
func (*MariaDB) Name() string { return "mariadb" }

// Costs returns the model's constants.
func (m *MariaDB) Costs() MariaDBCosts { return m.c }

func (m *MariaDB) base(q *features.Query, occ int, rows float64) float64 {
	t := q.Tables[occ].Table
	if t >= 0 && t < len(m.baseRows) && m.baseRows[t] > 0 {
		return math.Max(m.baseRows[t], rows)
	}
	return rows
}

// Work is what executing (part of) a plan does, in the units the
// MariaDBCosts price: its cost is Work.Cost(costs).
type Work struct {
	ScanRows  float64 // rows read by full table scans
	Lookups   float64 // index lookups
	FetchPK   float64 // rows fetched through a primary key or covering index
	FetchSec  float64 // rows fetched through a secondary index
	JoinPairs float64 // row pairs a block nested loop (or cross product) compares
}

// Cost returns the work priced by c, in microseconds.
func (w Work) Cost(c MariaDBCosts) float64 {
	return w.ScanRows*c.ScanRow + w.Lookups*c.Lookup + w.FetchPK*c.FetchPK + w.FetchSec*c.FetchSec + w.JoinPairs*c.JoinRow
}

// Add returns w + o.
func (w Work) Add(o Work) Work {
	return Work{w.ScanRows + o.ScanRows, w.Lookups + o.Lookups, w.FetchPK + o.FetchPK, w.FetchSec + o.FetchSec, w.JoinPairs + o.JoinPairs}
}

// Scan prices a full table scan.
func (m *MariaDB) Scan(q *features.Query, occ int, rows float64) float64 {
	return m.scanWork(q, occ, rows).Cost(m.c)
}

func (m *MariaDB) scanWork(q *features.Query, occ int, rows float64) Work {
	return Work{ScanRows: m.base(q, occ, rows)}
}

// Join prices the join of in as MariaDB would run it.
func (m *MariaDB) Join(q *features.Query, in JoinInput) (float64, Op) {
	w, op := m.joinWork(q, in)
	cost := in.LeftCost + w.Cost(m.c)
	if in.Right&(in.Right-1) != 0 || op == OpCross {
		// A materialised or scanned right input's own cost.
		cost += in.RightCost
	}
	return cost, op
}

// joinWork is the work of one join beyond its inputs' (a leaf right input
// read by lookups costs no scan; one joined by a block nested loop or a
// cross product is scanned, which Join adds as RightCost).
func (m *MariaDB) joinWork(q *features.Query, in JoinInput) (Work, Op) {
	if !in.Edge {
		return Work{JoinPairs: in.LeftRows * in.RightRows}, OpCross
	}
	if in.Right&(in.Right-1) != 0 {
		// Materialised right input, hashed (not MariaDB's executor).
		return Work{JoinPairs: in.LeftRows + in.RightRows}, OpHashJoin
	}
	r := trailing(in.Right)
	base := m.base(q, r, in.RightRows)
	var buf [16]int
	bound := boundCols(q, in.Left, r, buf[:0]) // r's columns the join binds
	pk, sec := m.access(q, r, bound)
	if pk || sec {
		sel := 1.0
		if base > 0 {
			sel = math.Max(in.RightRows, 1) / base
		}
		// Fetched rows before r's filter: the join's rows over the
		// filter's selectivity, capped by the outer rows times r's rows
		// per join key (see mariadb_keys.go).
		fetched := math.Min(in.Rows/sel, in.LeftRows*base)
		if rpk := m.rowsPerKey(q, r, bound); !math.IsInf(rpk, 1) {
			fetched = math.Min(fetched, math.Max(in.Rows, in.LeftRows*rpk))
		}
		w := Work{Lookups: in.LeftRows}
		if pk || m.covering(q, r) {
			w.FetchPK = fetched
		} else {
			w.FetchSec = fetched
		}
		return w, OpIndexNL
	}
	// Block nested loop: the right table is scanned once (RightCost)
	// and once more per further join buffer of outer rows.
	scans := math.Max(1, math.Ceil(in.LeftRows/joinBufferRows))
	return Work{ScanRows: (scans - 1) * base, JoinPairs: in.LeftRows * in.RightRows}, OpCross
}

// OrderWork returns the work of executing the connected left-deep order
// (occurrences of cards' query, first scanned) with the rows of cards, as
// MariaDB's executor does it under this model; it fails with ErrPlan for
// an order that is not a permutation and ErrCards for missing rows.
func (m *MariaDB) OrderWork(cards *Cards, order []int) (Work, error) {
	p, err := FromOrder(cards, m, order)
	if err != nil {
		return Work{}, err
	}
	q := cards.q
	var walk func(n *Node) (Work, uint64, float64)
	walk = func(n *Node) (Work, uint64, float64) {
		if n.Leaf() {
			return m.scanWork(q, n.Table, n.Rows), 1 << uint(n.Table), n.Rows
		}
		lw, lm, lr := walk(n.Left)
		rw, rm, rr := walk(n.Right)
		w, op := m.joinWork(q, JoinInput{Left: lm, Right: rm, LeftRows: lr, RightRows: rr, Rows: n.Rows, Edge: cards.g.joined(lm, rm)})
		w = w.Add(lw)
		if rm&(rm-1) != 0 || op == OpCross {
			w = w.Add(rw)
		}
		return w, lm | rm, n.Rows
	}
	w, _, _ := walk(p.Root)
	return w, nil
}

// access reports whether occurrence r can be read by a lookup on its
// primary key (pk) or a secondary index (sec) through a join edge binding
// one of its columns bound (boundCols).
func (m *MariaDB) access(q *features.Query, r int, bound []int) (pk, sec bool) {
	rt := q.Tables[r].Table
	for _, col := range bound {
		pk = pk || m.pk[[2]int{rt, col}]
		sec = sec || m.sec[[2]int{rt, col}]
	}
	return pk, sec
}

// boundCols appends to dst the columns of occurrence r that join edges
// from the occurrences in left bind (one per edge), and returns it.
func boundCols(q *features.Query, left uint64, r int, dst []int) []int {
	for _, j := range q.Joins {
		switch {
		case j.Right == r && left&(1<<uint(j.Left)) != 0:
			dst = append(dst, j.RightCol)
		case j.Left == r && left&(1<<uint(j.Right)) != 0:
			dst = append(dst, j.LeftCol)
		}
	}
	return dst
}

// covering reports whether a secondary-index lookup on r needs no row
// from the clustered index: r has no filter and every join column of r is
// an index key (a secondary index carries the primary key's columns).
func (m *MariaDB) covering(q *features.Query, r int) bool {
	if q.Tables[r].Filter != nil {
		return false
	}
	rt := q.Tables[r].Table
	var keyCols int
	for _, j := range q.Joins {
		col := -1
		switch r {
		case j.Left:
			col = j.LeftCol
		case j.Right:
			col = j.RightCol
		default:
			continue
		}
		if !m.pkCols[[2]int{rt, col}] {
			keyCols++
		}
	}
	// One non-primary-key column: the index on it covers.
	return keyCols <= 1
}
