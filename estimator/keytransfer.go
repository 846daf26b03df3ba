package estimator

import "github.com/cardinaldb/cardinal/features"

// Contradictions across an equi-join (issue 12, class 1). A join
// a.x = b.y keeps only rows where the two columns are equal, so the
// conjuncts of a's filter on x and those of b's filter on y constrain one
// value: order_items.product_id >= 919 AND NOT (products.id >= 919), or
// customers.city IN ('London') with stores.city NOT IN ('London', ...),
// join to no row whatever the data. Each filter alone is satisfiable, the
// samples of big tables rarely prove the join empty, and the worst
// overestimates of joins through shared keys were such queries (true 0,
// estimated at tens of thousands). The check moves b's conjuncts on y to
// a's column x (predicate transfer across the equality, as optimizers
// derive implied predicates) and asks features.Unsatisfiable, which is
// sound: a sub-plan is declared empty only when no row can join.

// edgeContradiction reports whether pair edge e of q joins to no row
// because the conjuncts of its two filters on each joined column pair
// contradict each other.
func edgeContradiction(q *features.Query, e *pairEdge) bool {
	fl, fr := q.Tables[e.l].Filter, q.Tables[e.r].Filter
	if fl == nil || fr == nil || q.Schema == nil {
		return false
	}
	tl, tr := q.Schema.Tables[q.Tables[e.l].Table], q.Schema.Tables[q.Tables[e.r].Table]
	for k, cl := range e.lcol {
		cr := e.rcol[k]
		if cl < 0 || cl >= len(tl.Columns) || cr < 0 || cr >= len(tr.Columns) || tl.Columns[cl].Type != tr.Columns[cr].Type {
			continue
		}
		var args []*features.Expr
		args = appendColConjuncts(args, fl, cl, cl)
		n := len(args)
		if n == 0 {
			continue
		}
		args = appendColConjuncts(args, fr, cr, cl)
		if len(args) == n {
			continue
		}
		if features.Unsatisfiable(tl, &features.Expr{Kind: features.ExprAnd, Args: args}) {
			return true
		}
	}
	return false
}

// appendColConjuncts appends the top-level conjuncts of f that are a
// plain predicate on column col (ExprPred: not a function of it), or NOT
// of one, rewritten onto column to.
func appendColConjuncts(dst []*features.Expr, f *features.Expr, col, to int) []*features.Expr {
	if f.Kind == features.ExprAnd {
		for _, a := range f.Args {
			dst = appendColConjuncts(dst, a, col, to)
		}
		return dst
	}
	if p := colPred(f, col); p != nil {
		dst = append(dst, movedTo(f, to))
	}
	return dst
}

// colPred returns the predicate of e when e is a plain predicate on col,
// or NOT of one.
func colPred(e *features.Expr, col int) *features.Pred {
	if e.Kind == features.ExprNot && len(e.Args) == 1 {
		e = e.Args[0]
	}
	if e.Kind != features.ExprPred || e.Pred.Col != col {
		return nil
	}
	return &e.Pred
}

// movedTo returns conjunct e (a predicate or NOT of one) on column to.
func movedTo(e *features.Expr, to int) *features.Expr {
	if e.Kind == features.ExprNot {
		return &features.Expr{Kind: features.ExprNot, Args: []*features.Expr{movedTo(e.Args[0], to)}}
	}
	c := *e
	c.Pred.Col = to
	return &c
}

// joinContradiction reports whether a pair edge inside mask is an
// edgeContradiction, memoised per edge in memo when not nil.
func joinContradiction(q *features.Query, edges []pairEdge, mask uint64, memo *joinMemo) bool {
	if memo != nil && len(memo.ek) != len(edges) {
		memo = nil
	}
	for ei := range edges {
		e := &edges[ei]
		if mask&(1<<uint(e.l)) == 0 || mask&(1<<uint(e.r)) == 0 {
			continue
		}
		var c bool
		if memo != nil {
			if memo.contra[ei] == 0 {
				memo.contra[ei] = 1
				if edgeContradiction(q, e) {
					memo.contra[ei] = 2
				}
			}
			c = memo.contra[ei] == 2
		} else {
			c = edgeContradiction(q, e)
		}
		if c {
			return true
		}
	}
	return false
}
