package features

import (
	"errors"
	"math/bits"
	"slices"
	"strconv"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
)

// Residual filters: conditions of WHERE that mix several table
// occurrences under OR or NOT (TPC-H Q7's
// (n1.n_name = 'FRANCE' AND n2.n_name = 'GERMANY') OR (...), Q19's OR of
// three part-and-lineitem branches).
//
//	WHERE p_partkey = l_partkey AND p_brand = 'Brand#12' AND l_quantity >= 1
//	   OR p_partkey = l_partkey AND p_brand = 'Brand#23' AND l_quantity >= 10
//	      │ join predicates and conditions common to every branch are
//	      │ factored out (exact: AND distributes over OR in three-valued
//	      ▼ logic too)
//	join p.p_partkey = l.l_partkey  +  Residual{Terms: [[p: brand = 12, l: qty >= 1],
//	                                                   [p: brand = 23, l: qty >= 10]]}
//
// A Residual is in disjunctive normal form: an OR of terms, each an AND of
// filters on distinct occurrences (a condition on one occurrence, however
// complex, is one filter). NOT is pushed to the single-table conditions
// (De Morgan holds in Kleene's logic). A row of the join passes when some
// term is TRUE, i.e. when every filter of the term is TRUE, so the count of
// a query with residuals is, by inclusion-exclusion over the terms,
//
//	|q| = Σ_{S ⊆ terms, S ≠ ∅} (-1)^{|S|+1} |q with the filters of S's terms ANDed in|
//
// which Expansion lists: the engine counts it exactly, the estimators
// estimate it from the estimates of those queries. A sub-plan holds a
// residual when it contains all of its occurrences (Query.Sub keeps it);
// sub-plans that do not ignore it, as they ignore the join edges they do
// not contain.

// Residual is a filter over several table occurrences in disjunctive
// normal form (see above).
type Residual struct {
	Terms []ResidualTerm
}

// ResidualTerm is an AND of filters on distinct occurrences, sorted by
// occurrence.
type ResidualTerm []TableFilter

// TableFilter is a filter on one table occurrence (an index into
// Query.Tables).
type TableFilter struct {
	Table  int
	Filter *Expr
}

// MaxResidualTerms bounds the terms of the DNF of a query's residuals
// (the product over its residuals): the count costs 2^terms - 1 counts.
const MaxResidualTerms = 8

// Mask returns the occurrences the residual reads.
func (r *Residual) Mask() uint64 {
	var m uint64
	for _, t := range r.Terms {
		for _, f := range t {
			if f.Table >= 0 && f.Table < MaxTables {
				m |= 1 << uint(f.Table)
			}
		}
	}
	return m
}

// ResidualMask returns the occurrences q's residuals read.
func (q *Query) ResidualMask() uint64 {
	var m uint64
	for i := range q.Residuals {
		m |= q.Residuals[i].Mask()
	}
	return m
}

// errResidualTerms: the residuals' DNF is too large (see Expansion).
var errResidualTerms = errors.New("too many terms")

// residualTerms is the DNF of the conjunction of q's residuals (the
// product of their terms), each term merged per occurrence.
func (q *Query) residualTerms() ([]ResidualTerm, error) {
	terms := []ResidualTerm{nil}
	for _, r := range q.Residuals {
		if len(r.Terms)*len(terms) > MaxResidualTerms {
			return nil, errResidualTerms
		}
		next := make([]ResidualTerm, 0, len(terms)*len(r.Terms))
		for _, a := range terms {
			for _, b := range r.Terms {
				next = append(next, mergeTerm(a, b))
			}
		}
		terms = next
	}
	return terms, nil
}

// mergeTerm ANDs two terms, one filter per occurrence.
func mergeTerm(a, b ResidualTerm) ResidualTerm {
	out := slices.Clone(a)
	for _, f := range b {
		k := slices.IndexFunc(out, func(g TableFilter) bool { return g.Table == f.Table })
		if k < 0 {
			out = append(out, f)
			continue
		}
		out[k].Filter = andOf([]*Expr{out[k].Filter, f.Filter})
	}
	slices.SortFunc(out, func(x, y TableFilter) int { return x.Table - y.Table })
	return out
}

// Expansion returns the queries whose counts combine, by inclusion-
// exclusion, into the count of q: for every non-empty set S of the terms
// of the DNF of q's residuals, q without residuals and with the filters
// of S's terms ANDed into its tables' filters, and the number of terms
// of S (the count enters with sign +1 when it is odd, else -1). A query
// without residuals expands to itself (one term). ErrTooComplex when the
// DNF has more than MaxResidualTerms terms.
func (q *Query) Expansion() (qs []*Query, sizes []int, err error) {
	if len(q.Residuals) == 0 {
		return []*Query{q}, []int{1}, nil
	}
	terms, err := q.residualTerms()
	if err != nil {
		return nil, nil, ErrTooComplex
	}
	base := *q
	base.Residuals = nil
	for s := uint64(1); s < 1<<uint(len(terms)); s++ {
		var all ResidualTerm
		for i, t := range terms {
			if s&(1<<uint(i)) != 0 {
				all = mergeTerm(all, t)
			}
		}
		x := base
		x.Tables = slices.Clone(base.Tables)
		for _, f := range all {
			if f.Table < 0 || f.Table >= len(x.Tables) {
				return nil, nil, ErrTooComplex
			}
			x.Tables[f.Table].Filter = andOf(nonNil(x.Tables[f.Table].Filter, f.Filter))
		}
		qs, sizes = append(qs, &x), append(sizes, bits.OnesCount64(s))
	}
	return qs, sizes, nil
}

// WithoutResiduals returns q with no residual filters (a shallow copy),
// or q itself when it has none.
func (q *Query) WithoutResiduals() *Query {
	if len(q.Residuals) == 0 {
		return q
	}
	c := *q
	c.Residuals = nil
	return &c
}

func nonNil(xs ...*Expr) []*Expr {
	out := xs[:0:0]
	for _, x := range xs {
		if x != nil {
			out = append(out, x)
		}
	}
	return out
}

// subResiduals returns the residuals of q whose occurrences are all in
// mask, renumbered by idx.
func (q *Query) subResiduals(mask uint64, idx []int) []Residual {
	var out []Residual
	for _, r := range q.Residuals {
		if r.Mask()&^mask != 0 {
			continue
		}
		var terms []ResidualTerm
		for _, t := range r.Terms {
			nt := make(ResidualTerm, len(t))
			for i, f := range t {
				nt[i] = TableFilter{Table: idx[f.Table], Filter: f.Filter}
			}
			terms = append(terms, nt)
		}
		out = append(out, Residual{Terms: terms})
	}
	return out
}

// residualRender writes the residuals as WHERE conjuncts; first tells
// whether WHERE is still to be written. It returns the new first.
func (w *renderer) residuals(first bool) bool {
	for _, r := range w.q.Residuals {
		if first {
			w.b.WriteString(" WHERE ")
			first = false
		} else {
			w.b.WriteString(" AND ")
		}
		w.residual(&r)
	}
	return first
}

func (w *renderer) residual(r *Residual) {
	w.b.WriteByte('(')
	for i, t := range r.Terms {
		if i > 0 {
			w.b.WriteString(" OR ")
		}
		w.b.WriteByte('(')
		n := 0
		for _, f := range t {
			args := []*Expr{f.Filter}
			if f.Filter != nil && f.Filter.Kind == ExprAnd {
				args = f.Filter.Args
			}
			for _, a := range args {
				if n > 0 {
					w.b.WriteString(" AND ")
				}
				w.expr(f.Table, a, true)
				n++
			}
		}
		if n == 0 {
			w.b.WriteString("TRUE")
		}
		w.b.WriteByte(')')
	}
	w.b.WriteByte(')')
}

// crossTable reports whether err is filter's refusal of a condition that
// mixes occurrences (which a residual may hold).
func crossTable(err error) bool {
	var pe *Error
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Construct {
	case "OR across tables", "AND across tables", "join inside OR/NOT":
		return true
	}
	return false
}

// residualConjunct handles a top-level conjunct that filter refused with
// ferr because it mixes occurrences under OR or NOT: it factors out join predicates and conditions common
// to every branch of an OR, and keeps the rest as a Residual (or as a
// single-table filter when one occurrence is left). ok is false when e is
// not such a conjunct.
func (r *resolver) residualConjunct(e ast.ExprNode, ferr error) (ok bool, err error) {
	if !crossTable(ferr) {
		return false, nil
	}
	off := e.OriginTextPosition()
	if r.parent != nil || len(r.sh.groups) > 0 {
		return true, r.errAt(off, ErrUnsupported, "OR across tables", "conditions mixing tables under OR or NOT are modelled only in a top-level query without outer joins")
	}
	e = stripParens(e)
	var dnf []ResidualTerm
	if b, isOr := e.(*ast.BinaryOperationExpr); isOr && b.Op == opcode.LogicOr {
		if dnf, err = r.factorOr(b); err != nil {
			return true, err
		}
	} else if dnf, err = r.dnf(e, false); err != nil {
		return true, err
	}
	if dnf == nil {
		return true, nil // a branch became TRUE: the OR is TRUE
	}
	dnf = splitOrTerms(dnf)
	dnf, common := r.factorTerms(dnf)
	for _, f := range common {
		r.conj[f.Table] = append(r.conj[f.Table], f.Filter)
	}
	for _, t := range dnf {
		if len(t) == 0 {
			return true, nil // a term is TRUE once the common part is out
		}
	}
	if len(dnf) == 1 {
		// One term: an AND of single-table filters.
		for _, f := range dnf[0] {
			r.conj[f.Table] = append(r.conj[f.Table], f.Filter)
		}
		return true, nil
	}
	occ := -1
	single := true
	for _, t := range dnf {
		for _, f := range t {
			if occ < 0 {
				occ = f.Table
			} else if f.Table != occ {
				single = false
			}
		}
	}
	if single && occ >= 0 {
		args := make([]*Expr, 0, len(dnf))
		for _, t := range dnf {
			args = appendFlat(args, t[0].Filter, ExprOr)
		}
		x := args[0]
		if len(args) > 1 {
			x = &Expr{Kind: ExprOr, Args: args}
		}
		r.conj[occ] = append(r.conj[occ], x)
		return true, nil
	}
	r.q.Residuals = append(r.q.Residuals, Residual{Terms: dnf})
	if _, err := r.q.residualTerms(); err != nil {
		return true, r.errAt(off, ErrTooComplex, "OR across tables", "the conditions mixing tables expand to more than %d AND terms", MaxResidualTerms)
	}
	return true, nil
}

// orItem is one conjunct of a branch of an OR: a join edge or a
// condition.
type orItem struct {
	node ast.ExprNode
	join *Join
	key  string // what makes two items equal across branches
}

// factorOr splits the branches of an OR into their conjuncts, adds the
// join edges and single-table conditions common to every branch (as the
// edges and filters they are) and returns the DNF of what remains; nil
// (and no error) when some branch is left empty, i.e. TRUE.
func (r *resolver) factorOr(b *ast.BinaryOperationExpr) ([]ResidualTerm, error) {
	branches := chain(b, opcode.LogicOr)
	items := make([][]orItem, len(branches))
	for i, br := range branches {
		for _, c := range chain(br, opcode.LogicAnd) {
			it := orItem{node: c}
			if j, ok, err := r.joinItem(c); err != nil {
				return nil, err
			} else if ok {
				it.join = &j
				it.key = "J" + joinKey(j)
			} else if x, occ, err := r.filter(c); err == nil {
				it.key = "F" + strconv.Itoa(occ) + ":" + (&Query{Schema: r.schema, Tables: r.q.Tables}).exprSQL(occ, x)
			}
			items[i] = append(items[i], it)
		}
	}
	common := map[string]bool{}
	for _, it := range items[0] {
		if it.key == "" {
			continue
		}
		in := true
		for _, other := range items[1:] {
			if !slices.ContainsFunc(other, func(o orItem) bool { return o.key == it.key }) {
				in = false
				break
			}
		}
		if in {
			common[it.key] = true
		}
	}
	done := map[string]bool{}
	for _, it := range items[0] {
		if !common[it.key] || done[it.key] {
			continue
		}
		done[it.key] = true
		if it.join != nil {
			j := *it.join
			if err := r.addJoin(it.node.OriginTextPosition(), j.Left, j.LeftCol, j.Right, j.RightCol); err != nil {
				return nil, err
			}
			continue
		}
		x, occ, err := r.filter(it.node)
		if err != nil {
			return nil, err
		}
		r.conj[occ] = append(r.conj[occ], x)
	}
	var dnf []ResidualTerm
	for _, br := range items {
		var rest []ast.ExprNode
		for _, it := range br {
			if common[it.key] {
				continue
			}
			if it.join != nil {
				if slices.Contains(r.q.Joins, *it.join) {
					continue // already a join of the query: TRUE on every joined row
				}
				return nil, r.errAt(it.node.OriginTextPosition(), ErrUnsupported, "join inside OR/NOT", "a join condition inside OR must appear in every branch")
			}
			rest = append(rest, it.node)
		}
		if len(rest) == 0 {
			return nil, nil // this branch is TRUE
		}
		terms := []ResidualTerm{nil}
		for _, c := range rest {
			d, err := r.dnf(c, false)
			if err != nil {
				return nil, err
			}
			terms, err = r.andDNF(c, terms, d)
			if err != nil {
				return nil, err
			}
		}
		dnf = append(dnf, terms...)
		if len(dnf) > MaxResidualTerms {
			return nil, r.errAt(b.OriginTextPosition(), ErrTooComplex, "OR across tables", "the conditions mixing tables expand to more than %d AND terms", MaxResidualTerms)
		}
	}
	return dnf, nil
}

// joinItem recognises a join predicate a.x = b.y between two occurrences.
func (r *resolver) joinItem(e ast.ExprNode) (Join, bool, error) {
	b, ok := stripParens(e).(*ast.BinaryOperationExpr)
	if !ok || b.Op != opcode.EQ {
		return Join{}, false, nil
	}
	lc, lok := stripParens(b.L).(*ast.ColumnNameExpr)
	rc, rok := stripParens(b.R).(*ast.ColumnNameExpr)
	if !lok || !rok {
		return Join{}, false, nil
	}
	a, ac, err := r.column(lc)
	if err != nil {
		return Join{}, false, err
	}
	o, oc, err := r.column(rc)
	if err != nil {
		return Join{}, false, err
	}
	if a == o {
		return Join{}, false, nil
	}
	if a > o {
		a, ac, o, oc = o, oc, a, ac
	}
	return Join{Left: a, Right: o, LeftCol: ac, RightCol: oc}, true, nil
}

func joinKey(j Join) string {
	return strconv.Itoa(j.Left) + "." + strconv.Itoa(j.LeftCol) + "=" + strconv.Itoa(j.Right) + "." + strconv.Itoa(j.RightCol)
}

// exprSQL renders a filter of occurrence occ (a key for comparisons).
func (q *Query) exprSQL(occ int, e *Expr) string {
	w := &renderer{q: q, mode: modeSQL}
	w.expr(occ, e, false)
	return w.b.String()
}

// dnf converts a condition to disjunctive normal form over single-table
// filters (negated when neg).
func (r *resolver) dnf(e ast.ExprNode, neg bool) ([]ResidualTerm, error) {
	e = stripParens(e)
	x, occ, err := r.filter(e)
	if err == nil {
		if neg {
			x = &Expr{Kind: ExprNot, Args: []*Expr{x}}
		}
		return []ResidualTerm{{{Table: occ, Filter: x}}}, nil
	}
	if !crossTable(err) {
		return nil, err
	}
	switch n := e.(type) {
	case *ast.IsTruthExpr:
		return r.truthDNF(n, neg) // istruth.go
	case *ast.UnaryOperationExpr:
		if n.Op == opcode.Not || n.Op == opcode.Not2 {
			return r.dnf(n.V, !neg)
		}
	case *ast.BinaryOperationExpr:
		if n.Op == opcode.LogicAnd || n.Op == opcode.LogicOr {
			conj := (n.Op == opcode.LogicAnd) != neg
			var out []ResidualTerm
			if conj {
				out = []ResidualTerm{nil}
			}
			for _, c := range chain(n, n.Op) {
				d, err := r.dnf(c, neg)
				if err != nil {
					return nil, err
				}
				if conj {
					if out, err = r.andDNF(e, out, d); err != nil {
						return nil, err
					}
				} else {
					out = append(out, d...)
					if len(out) > MaxResidualTerms {
						return nil, r.errAt(e.OriginTextPosition(), ErrTooComplex, "OR across tables", "the conditions mixing tables expand to more than %d AND terms", MaxResidualTerms)
					}
				}
			}
			return out, nil
		}
	}
	return nil, err
}

// andDNF is the DNF of the AND of two DNFs.
func (r *resolver) andDNF(at ast.ExprNode, a, b []ResidualTerm) ([]ResidualTerm, error) {
	if len(a)*len(b) > MaxResidualTerms {
		return nil, r.errAt(at.OriginTextPosition(), ErrTooComplex, "OR across tables", "the conditions mixing tables expand to more than %d AND terms", MaxResidualTerms)
	}
	out := make([]ResidualTerm, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, mergeTerm(x, y))
		}
	}
	return out, nil
}

// describeResiduals renders each residual for Describe.
func (q *Query) describeResiduals() []string {
	var out []string
	for i := range q.Residuals {
		w := &renderer{q: q, mode: modeDescribe}
		w.residual(&q.Residuals[i])
		out = append(out, w.b.String())
	}
	return out
}

// splitOrTerms replaces each term that is one filter whose expression is
// an OR by one term per argument, so that the DNF is the one its SQL
// rendering parses back to (an OR is flattened through parentheses).
func splitOrTerms(dnf []ResidualTerm) []ResidualTerm {
	var out []ResidualTerm
	for _, t := range dnf {
		if len(t) == 1 && t[0].Filter != nil && t[0].Filter.Kind == ExprOr {
			for _, a := range t[0].Filter.Args {
				out = append(out, ResidualTerm{{Table: t[0].Table, Filter: a}})
			}
			continue
		}
		out = append(out, t)
	}
	return out
}

// factorTerms moves the single-table conditions (AND arguments of a
// term's filters) that every term has out of the terms: (X AND A) OR
// (X AND B) is X AND (A OR B) in three-valued logic too. It returns the
// remaining terms (a term may become empty, i.e. TRUE) and the common
// conditions in the order of the first term.
func (r *resolver) factorTerms(dnf []ResidualTerm) ([]ResidualTerm, []TableFilter) {
	if len(dnf) < 2 {
		return dnf, nil
	}
	key := func(occ int, e *Expr) string {
		return strconv.Itoa(occ) + ":" + (&Query{Schema: r.schema, Tables: r.q.Tables}).exprSQL(occ, e)
	}
	args := func(f TableFilter) []*Expr {
		if f.Filter != nil && f.Filter.Kind == ExprAnd {
			return f.Filter.Args
		}
		return []*Expr{f.Filter}
	}
	keys := make([]map[string]bool, len(dnf))
	for i, t := range dnf {
		keys[i] = map[string]bool{}
		for _, f := range t {
			for _, a := range args(f) {
				keys[i][key(f.Table, a)] = true
			}
		}
	}
	common := map[string]bool{}
	var out []TableFilter
	for _, f := range dnf[0] {
		for _, a := range args(f) {
			k := key(f.Table, a)
			in := !common[k]
			for _, ks := range keys[1:] {
				in = in && ks[k]
			}
			if in {
				common[k] = true
				out = append(out, TableFilter{Table: f.Table, Filter: a})
			}
		}
	}
	if len(common) == 0 {
		return dnf, nil
	}
	rest := make([]ResidualTerm, 0, len(dnf))
	for _, t := range dnf {
		var nt ResidualTerm
		for _, f := range t {
			var keep []*Expr
			for _, a := range args(f) {
				if !common[key(f.Table, a)] {
					keep = append(keep, a)
				}
			}
			if len(keep) > 0 {
				nt = append(nt, TableFilter{Table: f.Table, Filter: andOf(keep)})
			}
		}
		rest = append(rest, nt)
	}
	return rest, out
}
