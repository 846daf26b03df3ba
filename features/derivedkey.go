package features

import (
	"errors"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

// derivedKeyExpr returns the expression a flattened derived table (or
// CTE) computes for the column cn names, when it is an expression rather
// than a plain column, so that GROUP BY / DISTINCT over it group by the
// expression itself (TPC-H Q7-Q9: GROUP BY o_year where the derived table
// selects extract(year from o_orderdate) AS o_year; Q22: cntrycode =
// substring(c_phone from 1 for 2)). It returns nil for anything else,
// which the caller resolves as a column; with the expression, the scope
// it resolves in (its derived table's).
func (r *resolver) derivedKeyExpr(cn *ast.ColumnNameExpr) (ast.ExprNode, int) {
	if len(r.sh.scopes) == 0 {
		return nil, 0
	}
	b, err := r.lookup(cn, r.sh.cur)
	if err != nil || b.expr == nil {
		return nil, 0
	}
	return b.expr, b.scope
}

// derivedGroupKey resolves the computed column cn (expression x of its
// derived table, scope k) as a grouping key; an expression that is no
// modelled key is reported at the reference, naming the derived column.
func (r *resolver) derivedGroupKey(cn *ast.ColumnNameExpr, x ast.ExprNode, k int, clause string) (GroupKey, error) {
	restore := r.inScope(k)
	key, err := r.groupKey(x, clause)
	restore()
	var fe *Error
	if err != nil && errors.Is(err, ErrUnsupported) && errors.As(err, &fe) {
		return GroupKey{}, r.errAt(cn.OriginTextPosition(), errDerivedExpr, "derived column "+cn.Name.Name.O,
			"the derived table computes it with an expression that is no modelled grouping key: %s", fe.Msg)
	}
	return key, err
}
