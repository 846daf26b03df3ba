package features

import "github.com/pingcap/tidb/pkg/parser/ast"

// inspector is an ast.Visitor that calls itself on every node before its
// children, as go/ast.Inspect does: returning false skips the node's
// children. It serves the small searches (hasAggregate, withStart) that
// would otherwise each declare a visitor type.
type inspector func(n ast.Node) bool

func (f inspector) Enter(n ast.Node) (ast.Node, bool) { return n, !f(n) }

func (f inspector) Leave(n ast.Node) (ast.Node, bool) { return n, true }
