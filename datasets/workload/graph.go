package workload

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// Edge is a join path: FromCols of table From equal ToCols of table To
// (indices into the graph's schema; composite when several columns). The
// columns need not be unique on either side, and From may equal To (a
// self join such as airports(city, state) = airports(city, state)).
type Edge struct {
	From     int
	FromCols []int
	To       int
	ToCols   []int
	// Name describes the edge for messages, e.g.
	// "flights(origin,destination) -> routes(origin,destination)".
	Name string
}

// JoinGraph is the set of join paths a workload may use.
type JoinGraph struct {
	Schema *catalog.Schema
	Edges  []Edge
	// Invalid lists declared foreign keys that name unknown tables or
	// columns; Generate refuses a graph with any (ErrBadGraph).
	Invalid []string
}

// JoinGraphFromSchema returns the join paths declared as foreign keys of s,
// many-to-many and self-referencing ones included.
func JoinGraphFromSchema(s *catalog.Schema) *JoinGraph {
	g := &JoinGraph{Schema: s}
	for _, fk := range s.ForeignKeys {
		name := fmt.Sprintf("%s(%s) -> %s(%s)", fk.Table, strings.Join(fk.Columns, ","), fk.RefTable, strings.Join(fk.RefColumns, ","))
		from, to := s.TableIndex(fk.Table), s.TableIndex(fk.RefTable)
		if from < 0 || to < 0 || len(fk.Columns) == 0 || len(fk.Columns) != len(fk.RefColumns) {
			g.Invalid = append(g.Invalid, name)
			continue
		}
		e := Edge{From: from, To: to, Name: name}
		ok := true
		for i := range fk.Columns {
			a, b := s.Tables[from].ColumnIndex(fk.Columns[i]), s.Tables[to].ColumnIndex(fk.RefColumns[i])
			if a < 0 || b < 0 {
				ok = false
				break
			}
			e.FromCols = append(e.FromCols, a)
			e.ToCols = append(e.ToCols, b)
		}
		if !ok {
			g.Invalid = append(g.Invalid, name)
			continue
		}
		g.Edges = append(g.Edges, e)
	}
	return g
}

// JoinGraphFromQueries returns the join paths the queries use: for each
// pair of joined table occurrences, one (composite) edge between their
// tables, deduplicated. The schema is that of the first query.
func JoinGraphFromQueries(qs []*features.Query) *JoinGraph {
	g := &JoinGraph{}
	seen := map[string]bool{}
	for _, q := range qs {
		if q == nil || q.Schema == nil {
			continue
		}
		if g.Schema == nil {
			g.Schema = q.Schema
		}
		type pair struct{ l, r int }
		var order []pair
		byPair := map[pair]*Edge{}
		for _, j := range q.Joins {
			if j.Left < 0 || j.Right < 0 || j.Left >= len(q.Tables) || j.Right >= len(q.Tables) {
				continue
			}
			l, r, lc, rc := j.Left, j.Right, j.LeftCol, j.RightCol
			if l > r {
				l, r, lc, rc = r, l, rc, lc
			}
			p := pair{l, r}
			e := byPair[p]
			if e == nil {
				e = &Edge{From: q.Tables[l].Table, To: q.Tables[r].Table}
				byPair[p] = e
				order = append(order, p)
			}
			e.FromCols = append(e.FromCols, lc)
			e.ToCols = append(e.ToCols, rc)
		}
		for _, p := range order {
			e := canonical(*byPair[p])
			e.Name = edgeName(q.Schema, e)
			if !seen[e.Name] {
				seen[e.Name] = true
				g.Edges = append(g.Edges, e)
			}
		}
	}
	return g
}

// canonical orders a composite edge's column pairs and puts the smaller
// (table, columns) side first, so the same join written either way is
// one edge.
func canonical(e Edge) Edge {
	e = sortPairs(e)
	if e.To < e.From || (e.To == e.From && slices.Compare(e.ToCols, e.FromCols) < 0) {
		e.From, e.To, e.FromCols, e.ToCols = e.To, e.From, e.ToCols, e.FromCols
		e = sortPairs(e)
	}
	return e
}

// sortPairs orders the column pairs of e by the From column.
func sortPairs(e Edge) Edge {
	idx := make([]int, len(e.FromCols))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		if e.FromCols[a] != e.FromCols[b] {
			return e.FromCols[a] - e.FromCols[b]
		}
		return e.ToCols[a] - e.ToCols[b]
	})
	fc, tc := make([]int, len(idx)), make([]int, len(idx))
	for i, k := range idx {
		fc[i], tc[i] = e.FromCols[k], e.ToCols[k]
	}
	e.FromCols, e.ToCols = fc, tc
	return e
}

func edgeName(s *catalog.Schema, e Edge) string {
	cols := func(t int, cs []int) string {
		if t < 0 || t >= len(s.Tables) {
			return fmt.Sprintf("table#%d", t)
		}
		var names []string
		for _, c := range cs {
			if c < 0 || c >= len(s.Tables[t].Columns) {
				names = append(names, fmt.Sprintf("#%d", c))
			} else {
				names = append(names, s.Tables[t].Columns[c].Name)
			}
		}
		return s.Tables[t].Name + "(" + strings.Join(names, ",") + ")"
	}
	return cols(e.From, e.FromCols) + " -> " + cols(e.To, e.ToCols)
}
