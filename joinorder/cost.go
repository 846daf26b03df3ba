package joinorder

import (
	"math"
	"strings"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// Op is the physical operator of a plan node.
type Op uint8

// Operators. C_out knows only Scan and Join; the MySQL-like model picks
// HashJoin or IndexNL per join, and both use Cross where no join edge links
// the two inputs.
const (
	OpScan     Op = iota + 1 // read one table occurrence, applying its filter
	OpJoin                   // a join without a physical operator (C_out)
	OpHashJoin               // build a hash table on the right input, probe with the left
	OpIndexNL                // for each left row, look the right table up through an index
	OpCross                  // cross product (the inputs share no join edge)
)

func (o Op) String() string {
	switch o {
	case OpScan:
		return "scan"
	case OpJoin:
		return "join"
	case OpHashJoin:
		return "hash join"
	case OpIndexNL:
		return "index nested loop"
	case OpCross:
		return "cross product"
	}
	return "?"
}

// JoinInput describes one candidate join to a cost model: Left is the outer
// (probe) input, Right the inner (build or index lookup) input.
type JoinInput struct {
	Left, Right         uint64  // the inputs' occurrence masks
	LeftRows, RightRows float64 // rows of the inputs
	Rows                float64 // rows of the join
	LeftCost, RightCost float64 // cumulative costs of the inputs
	Edge                bool    // a join edge links the inputs
}

// CostModel prices plans from cardinalities. Costs are cumulative: a
// node's cost includes its inputs'. Implementations must be safe for
// concurrent use and must keep the principle of optimality (a join's cost
// depends on its inputs only through their rows and costs, and on whether
// the right input is a single occurrence), which dynamic programming
// relies on.
type CostModel interface {
	Name() string
	// Scan returns the cost of reading occurrence occ of q, whose filter
	// leaves rows rows.
	Scan(q *features.Query, occ int, rows float64) float64
	// Join returns the cumulative cost of joining in and the operator.
	Join(q *features.Query, in JoinInput) (float64, Op)
}

// Cout is the C_out cost model: the sum of the sizes of all intermediate
// results, the final one included, with free scans (S. Cluet, G.
// Moerkotte, "On the Complexity of Generating Optimal Left-Deep Processing
// Trees with Cross Products", ICDT 1995). It is symmetric, ignores
// physical operators, and is the standard model for comparing join orders
// by cardinalities alone (Leis et al., "How Good Are Query Optimizers,
// Really?", VLDB 2015).
type Cout struct{}

// Name returns "cout".
func (Cout) Name() string { return "cout" }

// Scan is free under C_out.
func (Cout) Scan(*features.Query, int, float64) float64 { return 0 }

// Join returns LeftCost + RightCost + Rows.
func (Cout) Join(_ *features.Query, in JoinInput) (float64, Op) {
	op := OpJoin
	if !in.Edge {
		op = OpCross
	}
	return in.LeftCost + in.RightCost + in.Rows, op
}

// Constants of the MySQL-like cost model. The unit is MySQL's: one random
// page read from disk.
const (
	// RowEvaluateCost prices evaluating one row (a filter, a join
	// condition, producing an output row): MySQL 8.0's default
	// server_cost.row_evaluate_cost (MySQL 8.0 Reference Manual, 10.9.5
	// "The Optimizer Cost Model").
	RowEvaluateCost = 0.1
	// KeyCompareCost prices one key comparison: MySQL 8.0's default
	// server_cost.key_compare_cost (same source). The model charges it per
	// row inserted into a hash table.
	KeyCompareCost = 0.05
	// MemoryBlockReadCost prices reading a page from the buffer pool:
	// MySQL 8.0's default engine_cost.memory_block_read_cost (same
	// source).
	MemoryBlockReadCost = 0.25
	// IOBlockReadCost prices reading a page from disk: MySQL 8.0's default
	// engine_cost.io_block_read_cost (same source).
	IOBlockReadCost = 1.0
	// RowsPerPage is the rows of a 16 KiB InnoDB page at about 160 bytes a
	// row (the InnoDB default page size; the row size is this model's
	// assumption for the narrow fact and dimension tables of the bundled
	// data sets).
	RowsPerPage = 100
	// BTreeDepth is the pages an index dive reads: a B-tree of fan-out
	// about 100 over up to 10^6-10^8 rows has 3-4 levels; with the top
	// level cached, 3 buffer-pool pages.
	BTreeDepth = 3
)

// MySQL is a MySQL-like cost model of left-deep execution with two join
// methods, choosing the cheaper per join:
//
//   - index nested loop (when the right input is one occurrence with an
//     index on a join column: its primary key's first column or a foreign
//     key column, which InnoDB indexes, or the first column of one of the
//     catalog's secondary indexes): each left row costs one index dive
//     (BTreeDepth buffer-pool pages) and each fetched row RowEvaluateCost;
//     fetched rows are the join's rows before the right filter
//     (Rows / selectivity of the right filter);
//   - hash join (any right input): both inputs' costs, KeyCompareCost +
//     RowEvaluateCost per build (right) row, RowEvaluateCost per probe
//     (left) row;
//
// and RowEvaluateCost per output row for both. A table scan costs one disk
// page per RowsPerPage rows plus RowEvaluateCost per row of the whole
// table, as MySQL's table_scan_cost does. A cross product is a block nested
// loop: RowEvaluateCost per row pair.
type MySQL struct {
	baseRows []float64       // per schema table; 0 when unknown
	indexed  map[[2]int]bool // (schema table, column) has an index
}

// NewMySQL returns the MySQL-like cost model for cat's schema. Table sizes
// come from cat.Stats; a table without statistics is priced by its
// filtered rows.
func NewMySQL(cat *catalog.Catalog) *MySQL {
	m := &MySQL{indexed: map[[2]int]bool{}}
	if cat == nil || cat.Schema == nil {
		return m
	}
	s := cat.Schema
	m.baseRows = make([]float64, len(s.Tables))
	for i := range s.Tables {
		if i < len(cat.Stats) {
			m.baseRows[i] = float64(cat.Stats[i].Rows)
		}
	}
	mark := func(table string, cols []string) {
		ti := s.TableIndex(table)
		if ti < 0 || len(cols) == 0 {
			return
		}
		if c := s.Tables[ti].ColumnIndex(cols[0]); c >= 0 {
			m.indexed[[2]int{ti, c}] = true
		}
	}
	for _, t := range s.Tables {
		mark(t.Name, t.PrimaryKey)
		// Secondary indexes (KEY, INDEX, UNIQUE) serve lookups on their
		// first column as well.
		for _, ix := range t.Indexes {
			if len(ix.Columns) > 0 && ix.Columns[0].Prefix == 0 {
				mark(t.Name, []string{ix.Columns[0].Name})
			}
		}
	}
	for _, fk := range s.ForeignKeys {
		mark(fk.Table, fk.Columns)
		mark(fk.RefTable, fk.RefColumns)
	}
	return m
}

// Name returns "mysql".
func (*MySQL) Name() string { return "mysql" }

func (m *MySQL) base(q *features.Query, occ int, rows float64) float64 {
	t := q.Tables[occ].Table
	if t >= 0 && t < len(m.baseRows) && m.baseRows[t] > 0 {
		return math.Max(m.baseRows[t], rows)
	}
	return rows
}

// Scan prices a full table scan.
func (m *MySQL) Scan(q *features.Query, occ int, rows float64) float64 {
	b := m.base(q, occ, rows)
	return math.Ceil(b/RowsPerPage)*IOBlockReadCost + b*RowEvaluateCost
}

// Join prices the cheaper of an index nested loop and a hash join.
func (m *MySQL) Join(q *features.Query, in JoinInput) (float64, Op) {
	out := in.Rows * RowEvaluateCost
	if !in.Edge {
		return in.LeftCost + in.RightCost + in.LeftRows*in.RightRows*RowEvaluateCost + out, OpCross
	}
	hash := in.LeftCost + in.RightCost + in.RightRows*(KeyCompareCost+RowEvaluateCost) + in.LeftRows*RowEvaluateCost + out
	if in.Right&(in.Right-1) != 0 {
		return hash, OpHashJoin
	}
	r := trailing(in.Right)
	if !m.lookup(q, in.Left, r) {
		return hash, OpHashJoin
	}
	base := m.base(q, r, in.RightRows)
	sel := 1.0
	if base > 0 {
		sel = math.Max(in.RightRows, 1) / base
	}
	fetched := math.Min(in.Rows/sel, in.LeftRows*base)
	nl := in.LeftCost + in.LeftRows*BTreeDepth*MemoryBlockReadCost + fetched*RowEvaluateCost + out
	if nl < hash {
		return nl, OpIndexNL
	}
	return hash, OpHashJoin
}

// lookup reports whether occurrence r has an index on a column of a join
// edge to an occurrence in left.
func (m *MySQL) lookup(q *features.Query, left uint64, r int) bool {
	rt := q.Tables[r].Table
	for _, j := range q.Joins {
		switch {
		case j.Right == r && left&(1<<uint(j.Left)) != 0:
			if m.indexed[[2]int{rt, j.RightCol}] {
				return true
			}
		case j.Left == r && left&(1<<uint(j.Right)) != 0:
			if m.indexed[[2]int{rt, j.LeftCol}] {
				return true
			}
		}
	}
	return false
}

// CostModelByName returns "cout", "mysql" or "mariadb" (the latter two
// over cat; mariadb with DefaultMariaDBCosts).
func CostModelByName(name string, cat *catalog.Catalog) (CostModel, bool) {
	switch strings.ToLower(name) {
	case "cout", "c_out":
		return Cout{}, true
	case "mysql":
		return NewMySQL(cat), true
	case "mariadb":
		m, err := NewMariaDB(cat, MariaDBCosts{})
		return m, err == nil
	}
	return nil, false
}
