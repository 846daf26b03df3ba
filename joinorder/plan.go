package joinorder

import (
	"encoding/json"
	"fmt"
	"math/bits"
	"strconv"
	"strings"

	"github.com/cardinaldb/cardinal/features"
)

// Node is one node of a join tree: a leaf reads one table occurrence, an
// inner node joins its Left (outer, probe) and Right (inner, build or
// lookup) inputs.
type Node struct {
	Mask        uint64 // the occurrences under the node (bit i = Query.Tables[i])
	Table       int    // the occurrence of a leaf; -1 for a join
	Left, Right *Node  // nil for a leaf
	Op          Op
	Rows        float64 // rows under the plan's cardinalities
	Cost        float64 // cumulative cost under the plan's cost model
}

// Leaf reports whether n reads a table.
func (n *Node) Leaf() bool { return n.Left == nil }

// Plan is a join tree for a query with where it came from.
type Plan struct {
	Query *features.Query
	Root  *Node
	// Method is the enumerator that built the tree: "dpccp", "leftdeep",
	// "goo", "agent" (with "+cross" when components were cross-joined).
	Method string
	// Source says how the plan was chosen, fallbacks included, e.g.
	// "agent" or "dpccp (fallback: agent predicted 1.31x costlier)".
	Source string
	Cards  string // the cardinality source the rows and costs are under
	Model  string // the cost model's name
}

// Cost returns the plan's total cost.
func (p *Plan) Cost() float64 { return p.Root.Cost }

// Rows returns the plan's result rows.
func (p *Plan) Rows() float64 { return p.Root.Rows }

// LeftDeep reports whether every join's right input is a single table.
func (p *Plan) LeftDeep() bool {
	for n := p.Root; !n.Leaf(); n = n.Left {
		if !n.Right.Leaf() {
			return false
		}
	}
	return true
}

// Order returns the occurrences in join order: the leaves left to right
// for a left-deep plan; for a bushy plan, a linearisation that keeps the
// leaves' left-to-right order except that each next occurrence must join
// one already placed (so the order needs no cross product where the query
// needs none). This is the order the MySQL and MariaDB hints carry.
func (p *Plan) Order() []int {
	var leaves []int
	var walk func(n *Node)
	walk = func(n *Node) {
		if n.Leaf() {
			leaves = append(leaves, n.Table)
			return
		}
		walk(n.Left)
		walk(n.Right)
	}
	walk(p.Root)
	if p.LeftDeep() {
		return leaves
	}
	g, err := newGraph(p.Query)
	if err != nil {
		return leaves
	}
	out := make([]int, 0, len(leaves))
	var placed uint64
	used := make([]bool, len(leaves))
	for len(out) < len(leaves) {
		pick := -1
		for i, t := range leaves {
			if used[i] {
				continue
			}
			if placed == 0 || g.adj[t]&placed != 0 {
				pick = i
				break
			}
		}
		if pick < 0 { // disconnected: take the next leaf (a cross product)
			for i := range leaves {
				if !used[i] {
					pick = i
					break
				}
			}
		}
		used[pick] = true
		out = append(out, leaves[pick])
		placed |= 1 << uint(leaves[pick])
	}
	return out
}

// Validate checks that p joins every table occurrence of its query exactly
// once, that every join's inputs are disjoint and, unless one of them is
// not connected to the other in the whole query's graph, linked by a join
// edge (a cross product only where the graph is disconnected).
func Validate(p *Plan) error {
	if p == nil || p.Root == nil {
		return fmt.Errorf("%w: nil plan", ErrPlan)
	}
	g, err := newGraph(p.Query)
	if err != nil {
		return err
	}
	var check func(n *Node) (uint64, error)
	check = func(n *Node) (uint64, error) {
		if n.Leaf() {
			if n.Right != nil || n.Table < 0 || n.Table >= g.n || n.Mask != 1<<uint(n.Table) {
				return 0, fmt.Errorf("%w: bad leaf (table %d, mask %#x)", ErrPlan, n.Table, n.Mask)
			}
			return n.Mask, nil
		}
		if n.Right == nil {
			return 0, fmt.Errorf("%w: join without a right input", ErrPlan)
		}
		l, err := check(n.Left)
		if err != nil {
			return 0, err
		}
		r, err := check(n.Right)
		if err != nil {
			return 0, err
		}
		if l&r != 0 {
			return 0, fmt.Errorf("%w: tables %v joined twice", ErrPlan, p.Query.Aliases(l&r))
		}
		if n.Mask != l|r {
			return 0, fmt.Errorf("%w: node mask %#x is not its inputs' %#x", ErrPlan, n.Mask, l|r)
		}
		if !g.joined(l, r) {
			// Allowed only when no edge path links any of l to any of
			// r... within the query: i.e. l and r lie in different
			// components of the whole graph.
			for _, c := range g.components(g.all) {
				if c&l != 0 && c&r != 0 {
					return 0, fmt.Errorf("%w: cross product of %v and %v, which the query joins", ErrPlan, p.Query.Aliases(l), p.Query.Aliases(r))
				}
			}
		}
		return l | r, nil
	}
	m, err := check(p.Root)
	if err != nil {
		return err
	}
	if m != g.all {
		return fmt.Errorf("%w: plan covers %v, not all %d tables", ErrPlan, p.Query.Aliases(m), g.n)
	}
	return nil
}

// Recost returns a copy of p with every node's rows and cost recomputed
// under cards and model (e.g. a plan chosen on estimates, priced with true
// counts).
func Recost(p *Plan, cards *Cards, model CostModel) (*Plan, error) {
	if err := Validate(p); err != nil {
		return nil, err
	}
	pl := planner{q: p.Query, g: cards.g, cards: cards, model: model}
	var rec func(n *Node) (*Node, error)
	rec = func(n *Node) (*Node, error) {
		if n.Leaf() {
			e, err := pl.leaf(n.Table)
			if err != nil {
				return nil, err
			}
			return &Node{Mask: n.Mask, Table: n.Table, Op: e.op, Rows: e.rows, Cost: e.cost}, nil
		}
		l, err := rec(n.Left)
		if err != nil {
			return nil, err
		}
		r, err := rec(n.Right)
		if err != nil {
			return nil, err
		}
		e, err := pl.join(l.Mask, r.Mask, entry{rows: l.Rows, cost: l.Cost}, entry{rows: r.Rows, cost: r.Cost})
		if err != nil {
			return nil, err
		}
		return &Node{Mask: n.Mask, Table: -1, Left: l, Right: r, Op: e.op, Rows: e.rows, Cost: e.cost}, nil
	}
	root, err := rec(p.Root)
	if err != nil {
		return nil, err
	}
	out := *p
	out.Root, out.Cards, out.Model = root, cards.Source, model.Name()
	return &out, nil
}

// String renders the plan as an indented tree with rows and cost per node.
func (p *Plan) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s plan", p.Method)
	if p.Source != p.Method {
		fmt.Fprintf(&b, " (%s)", p.Source)
	}
	fmt.Fprintf(&b, ", cost model %s on %s cardinalities: cost %s, rows %s\n", p.Model, p.Cards, fmtNum(p.Cost()), fmtNum(p.Rows()))
	var rec func(n *Node, prefix, branch string)
	rec = func(n *Node, prefix, branch string) {
		b.WriteString(prefix + branch)
		if n.Leaf() {
			t := p.Query.Tables[n.Table]
			fmt.Fprintf(&b, "scan %s", t.Alias)
			if name := p.Query.Schema.Tables[t.Table].Name; name != t.Alias {
				fmt.Fprintf(&b, " (%s)", name)
			}
		} else {
			b.WriteString(n.Op.String())
		}
		fmt.Fprintf(&b, "  rows=%s cost=%s\n", fmtNum(n.Rows), fmtNum(n.Cost))
		if n.Leaf() {
			return
		}
		next := prefix
		switch branch {
		case "├── ":
			next += "│   "
		case "└── ":
			next += "    "
		}
		rec(n.Left, next, "├── ")
		rec(n.Right, next, "└── ")
	}
	rec(p.Root, "", "")
	return b.String()
}

func fmtNum(f float64) string {
	if f >= 1e15 {
		return strconv.FormatFloat(f, 'g', 4, 64)
	}
	if f == float64(int64(f)) {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', 1, 64)
}

// jsonNode is the JSON form of a Node.
type jsonNode struct {
	Op    string    `json:"op"`
	Table string    `json:"table,omitempty"`
	Alias string    `json:"alias,omitempty"`
	Rows  float64   `json:"rows"`
	Cost  float64   `json:"cost"`
	Left  *jsonNode `json:"left,omitempty"`
	Right *jsonNode `json:"right,omitempty"`
}

type jsonPlan struct {
	Method   string    `json:"method"`
	Source   string    `json:"source"`
	Cards    string    `json:"cards"`
	Model    string    `json:"cost_model"`
	Cost     float64   `json:"cost"`
	Rows     float64   `json:"rows"`
	LeftDeep bool      `json:"left_deep"`
	Order    []string  `json:"order"`
	Tree     *jsonNode `json:"tree"`
}

// MarshalJSON renders the plan: method, source, cost, rows, join order
// (aliases) and the tree with op, table, alias, rows and cost per node.
func (p *Plan) MarshalJSON() ([]byte, error) {
	var rec func(n *Node) *jsonNode
	rec = func(n *Node) *jsonNode {
		j := &jsonNode{Op: n.Op.String(), Rows: n.Rows, Cost: n.Cost}
		if n.Leaf() {
			t := p.Query.Tables[n.Table]
			j.Table, j.Alias = p.Query.Schema.Tables[t.Table].Name, t.Alias
			return j
		}
		j.Left, j.Right = rec(n.Left), rec(n.Right)
		return j
	}
	order := p.Order()
	names := make([]string, len(order))
	for i, o := range order {
		names[i] = p.Query.Tables[o].Alias
	}
	return json.Marshal(jsonPlan{Method: p.Method, Source: p.Source, Cards: p.Cards, Model: p.Model,
		Cost: p.Cost(), Rows: p.Rows(), LeftDeep: p.LeftDeep(), Order: names, Tree: rec(p.Root)})
}

// trailing returns the index of the lowest set bit.
func trailing(m uint64) int { return bits.TrailingZeros64(m) }
