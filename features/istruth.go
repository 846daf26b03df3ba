package features

import (
	"github.com/cardinaldb/cardinal/catalog"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
)

// Truth tests of conditions: (p) IS [NOT] TRUE / FALSE where p is a
// comparison or an AND / OR / NOT of conditions on one table occurrence.
// IS never yields UNKNOWN (SQL:2016 8.16 <boolean test>; MySQL/MariaDB
// follow it), while p may, so the rewrite turns p into two-valued forms
// built from the model's own kinds, exact under any enclosing NOT:
//
//	T(p): TRUE where p is TRUE, else FALSE     F(p): TRUE where p is FALSE, else FALSE
//	T(atom)    = atom     AND c IS NOT NULL     F(atom)    = NOT atom AND c IS NOT NULL
//	T(a AND b) = T(a) AND T(b)                  F(a AND b) = F(a) OR F(b)
//	T(a OR b)  = T(a) OR T(b)                   F(a OR b)  = F(a) AND F(b)
//	T(NOT a)   = F(a)                           F(NOT a)   = T(a)
//
//	p IS TRUE = T(p)    p IS NOT TRUE = NOT T(p)    p IS FALSE = F(p)    p IS NOT FALSE = NOT F(p)
//
// An atom of the model is UNKNOWN exactly when a column it reads is NULL
// (eval.go: comparisons, LIKE, BETWEEN, IN; functions map NULL to NULL
// and only NULL; two-column comparisons read both columns) or a literal
// is NULL, which is refused here; IS [NOT] NULL atoms are never UNKNOWN
// and need no guard. "c IS NOT NULL" is added only for columns that may
// read NULL: nullable ones, and every column of a table on the
// NULL-supplying side of an outer join (its NULL-extended rows, which
// decide whether a WHERE condition keeps the join outer); a condition on
// the NOT NULL columns of other tables stays as written.

// isTruthCond handles (p) IS [NOT] TRUE / FALSE where p is not a plain
// column (exprcol.go's isTruth does the column): the filter of p,
// rewritten as above. It returns the occurrence p reads.
func (r *resolver) isTruthCond(n *ast.IsTruthExpr) (*Expr, int, error) {
	p, occ, err := r.filter(n.Expr)
	if err != nil {
		return nil, 0, err
	}
	want := n.True != 0
	x, err := r.truth(n, occ, p, want)
	if err != nil {
		return nil, 0, err
	}
	if n.Not {
		x = notExpr(x)
	}
	return x, occ, nil
}

// truth returns T(p) when want, else F(p), for a filter p on occurrence
// occ read from the expression at (for error positions).
func (r *resolver) truth(at ast.ExprNode, occ int, p *Expr, want bool) (*Expr, error) {
	switch p.Kind {
	case ExprAnd, ExprOr:
		kind := p.Kind
		switch {
		case want:
		case kind == ExprAnd: // F(a AND b) = F(a) OR F(b)
			kind = ExprOr
		default: // F(a OR b) = F(a) AND F(b)
			kind = ExprAnd
		}
		args := make([]*Expr, 0, len(p.Args))
		for _, a := range p.Args {
			x, err := r.truth(at, occ, a, want)
			if err != nil {
				return nil, err
			}
			args = appendFlat(args, x, kind)
		}
		if kind == ExprAnd {
			args = dedupeNotNull(args)
		}
		if len(args) == 1 {
			return args[0], nil
		}
		return &Expr{Kind: kind, Args: args}, nil
	case ExprNot:
		return r.truth(at, occ, p.Args[0], !want)
	}
	if p.Kind == ExprPred && (p.Pred.Op == OpIsNull || p.Pred.Op == OpIsNotNull) {
		if want {
			return p, nil
		}
		return notExpr(p), nil
	}
	for _, v := range p.Pred.Values {
		if v.Kind == catalog.KindNull {
			return nil, r.errAt(at.OriginTextPosition(), ErrUnsupported, "IS TRUE/FALSE", "a comparison with NULL inside IS TRUE/FALSE is not modelled (it is never TRUE or FALSE)")
		}
	}
	x := p
	if !want {
		x = notExpr(p)
	}
	cols := []int{p.Pred.Col}
	if p.Kind == ExprCols && p.Pred.Col2 != p.Pred.Col {
		cols = append(cols, p.Pred.Col2)
	}
	args := []*Expr{x}
	for _, c := range cols {
		if r.mayReadNull(occ, c) {
			args = append(args, pred(c, OpIsNotNull))
		}
	}
	if len(args) == 1 {
		return x, nil
	}
	return &Expr{Kind: ExprAnd, Args: dedupeNotNull(args)}, nil
}

// mayReadNull reports whether column c of occurrence occ may be NULL
// where a condition reads it: a nullable column, or any column of a table
// an outer join NULL-extends.
func (r *resolver) mayReadNull(occ, c int) bool {
	if r.colDef(occ, c).Nullable {
		return true
	}
	for _, g := range r.sh.groups {
		if g.mask&(1<<uint(occ)) != 0 {
			return true
		}
	}
	return false
}

// dedupeNotNull drops repeated "c IS NOT NULL" guards from the operands
// of an AND (nested tests guard a column once).
func dedupeNotNull(args []*Expr) []*Expr {
	out := args[:0]
	seen := map[int]bool{}
	for _, a := range args {
		if a.Kind == ExprPred && a.Pred.Op == OpIsNotNull {
			if seen[a.Pred.Col] {
				continue
			}
			seen[a.Pred.Col] = true
		}
		out = append(out, a)
	}
	return out
}

// truthDNF is residual.go's dnf of a truth test whose condition mixes
// table occurrences (negated when neg): the DNF of its two-valued form,
// with T or F applied to each single-table part and NOT pushed to them by
// De Morgan (exact: the parts are two-valued).
func (r *resolver) truthDNF(n *ast.IsTruthExpr, neg bool) ([]ResidualTerm, error) {
	return r.truthTermsDNF(n.Expr, n.True != 0, neg != n.Not)
}

// truthTermsDNF returns the DNF of "e is want" (negated when neg).
func (r *resolver) truthTermsDNF(e ast.ExprNode, want, neg bool) ([]ResidualTerm, error) {
	e = stripParens(e)
	p, occ, err := r.filter(e)
	if err == nil {
		x, err := r.truth(e, occ, p, want)
		if err != nil {
			return nil, err
		}
		if neg {
			x = notExpr(x)
		}
		return []ResidualTerm{{{Table: occ, Filter: x}}}, nil
	}
	if !crossTable(err) {
		return nil, err
	}
	switch n := e.(type) {
	case *ast.IsTruthExpr:
		// "(test) is want" is the test itself or its negation.
		return r.truthTermsDNF(n.Expr, n.True != 0, neg != n.Not != !want)
	case *ast.UnaryOperationExpr:
		if n.Op == opcode.Not || n.Op == opcode.Not2 {
			return r.truthTermsDNF(n.V, !want, neg)
		}
	case *ast.BinaryOperationExpr:
		if n.Op == opcode.LogicAnd || n.Op == opcode.LogicOr {
			// T keeps AND / OR, F swaps them (De Morgan), NOT swaps again.
			conj := (n.Op == opcode.LogicAnd) == want != neg
			var out []ResidualTerm
			if conj {
				out = []ResidualTerm{nil}
			}
			for _, c := range chain(n, n.Op) {
				d, err := r.truthTermsDNF(c, want, neg)
				if err != nil {
					return nil, err
				}
				if conj {
					if out, err = r.andDNF(e, out, d); err != nil {
						return nil, err
					}
				} else if out = append(out, d...); len(out) > MaxResidualTerms {
					return nil, r.errAt(e.OriginTextPosition(), ErrTooComplex, "OR across tables", "the conditions mixing tables expand to more than %d AND terms", MaxResidualTerms)
				}
			}
			return out, nil
		}
	}
	return nil, err
}

// notExpr returns NOT x, unwrapping a double NOT.
func notExpr(x *Expr) *Expr {
	if x.Kind == ExprNot && len(x.Args) == 1 {
		return x.Args[0]
	}
	return &Expr{Kind: ExprNot, Args: []*Expr{x}}
}
