package features

import (
	"errors"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Names past an unsupported construct in an uncounted subquery.
//
// checkSelect resolves a subquery the model does not count (of the
// select list, ORDER BY or GROUP BY) only for the names it gets wrong,
// and a resolution stops at its first error: a construct the model does
// not support (REGEXP, a select-list alias of the enclosing query in an
// expression) hid every name after it, and SELECT (SELECT MAX(k.id) FROM
// kind_type k WHERE k.kind REGEXP 'a' AND k.nope = 1) FROM title was
// counted where MariaDB 10.11 says Unknown column 'k.nope'. Once the
// subquery's FROM is resolved, restNames checks the names of the rest of
// its clauses one by one in that FROM's scope and the enclosing ones.
// Lenient where the model cannot tell: a select-list alias (its own or
// an enclosing query's) is taken as known anywhere.

// restNames returns the first name error among the clauses of sel (its
// FROM resolved by r), or nil.
func (r *resolver) restNames(sel *ast.SelectStmt) error {
	r.sh.cur = 0
	var exprs []ast.ExprNode
	var ons func(n ast.ResultSetNode)
	ons = func(n ast.ResultSetNode) {
		if j, ok := n.(*ast.Join); ok {
			ons(j.Left)
			ons(j.Right)
			if j.On != nil {
				exprs = append(exprs, j.On.Expr)
			}
		}
	}
	ons(sel.From.TableRefs)
	if sel.Fields != nil {
		for _, f := range sel.Fields.Fields {
			if f.Expr != nil {
				exprs = append(exprs, f.Expr)
			}
		}
	}
	exprs = append(exprs, sel.Where)
	if sel.Having != nil {
		exprs = append(exprs, sel.Having.Expr)
	}
	if sel.GroupBy != nil {
		for _, it := range sel.GroupBy.Items {
			exprs = append(exprs, it.Expr)
		}
	}
	if sel.OrderBy != nil {
		for _, it := range sel.OrderBy.Items {
			exprs = append(exprs, it.Expr)
		}
	}
	for _, e := range exprs {
		if e == nil {
			continue
		}
		if err := r.checkKeyExpr(e); err != nil {
			return err
		}
	}
	return nil
}

// anyAlias reports whether cn is an unqualified name that is a
// select-list alias of r or of a query enclosing it.
func (r *resolver) anyAlias(cn *ast.ColumnNameExpr) bool {
	if cn.Name.Table.L != "" {
		return false
	}
	for p := r; p != nil; p = p.parent {
		if p.aliases[cn.Name.Name.L] {
			return true
		}
	}
	return false
}

// aliasError reports whether err is an unknown column that is a
// select-list alias of r or of a query enclosing it.
func (r *resolver) aliasError(err error) bool {
	var pe *Error
	if !errors.As(err, &pe) || !badSelectColumn(err) {
		return false
	}
	cn := &ast.ColumnNameExpr{Name: &ast.ColumnName{Name: ast.NewCIStr(pe.Construct)}}
	return !strings.Contains(pe.Construct, ".") && r.anyAlias(cn)
}
