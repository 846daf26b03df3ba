package server

import (
	"context"
	"fmt"
	"strings"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	_ "github.com/pingcap/tidb/pkg/parser/test_driver" // literal values for the parser
)

// ExecDDL runs one index statement in the Server's database: CREATE
// [UNIQUE] INDEX, DROP INDEX, ALTER TABLE whose every clause adds or
// drops an index (ALGORITHM and LOCK clauses allowed), or ANALYZE TABLE.
// Anything else, and statements naming another database, are refused
// with ErrNotAllowed before they reach the server. It is how index
// experiments build and remove candidate indexes on the test server.
func (s *Server) ExecDDL(ctx context.Context, stmt string) error {
	if err := checkDDL(stmt, s.name); err != nil {
		return err
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return s.wrap("connect", err)
	}
	defer conn.Close()
	// ANALYZE TABLE answers with a result set; read it to the end.
	rows, err := conn.QueryContext(ctx, stmt)
	if err != nil {
		return s.wrap(clip(stmt), err)
	}
	for rows.Next() {
	}
	if err := rows.Close(); err != nil {
		return s.wrap(clip(stmt), err)
	}
	return nil
}

// checkDDL parses stmt with the TiDB parser and accepts only the index
// statements ExecDDL documents, on tables of database db (or unqualified).
func checkDDL(stmt, db string) error {
	nodes, _, err := parser.New().ParseSQL(stmt)
	if err != nil {
		return fmt.Errorf("server: %w: does not parse: %w", ErrNotAllowed, err)
	}
	if len(nodes) != 1 {
		return fmt.Errorf("server: %w: %d statements (want one)", ErrNotAllowed, len(nodes))
	}
	refuse := func(what string) error {
		return fmt.Errorf("server: %w: %s: %s", ErrNotAllowed, what, clip(stmt))
	}
	inDB := func(t *ast.TableName) bool {
		return t.Schema.O == "" || strings.EqualFold(t.Schema.O, db)
	}
	switch n := nodes[0].(type) {
	case *ast.CreateIndexStmt:
		if !inDB(n.Table) {
			return refuse("table of another database")
		}
	case *ast.DropIndexStmt:
		if !inDB(n.Table) {
			return refuse("table of another database")
		}
	case *ast.AnalyzeTableStmt:
		for _, t := range n.TableNames {
			if !inDB(t) {
				return refuse("table of another database")
			}
		}
	case *ast.AlterTableStmt:
		if !inDB(n.Table) {
			return refuse("table of another database")
		}
		for _, spec := range n.Specs {
			switch spec.Tp {
			case ast.AlterTableDropIndex, ast.AlterTableAlgorithm, ast.AlterTableLock:
			case ast.AlterTableAddConstraint:
				switch spec.Constraint.Tp {
				case ast.ConstraintIndex, ast.ConstraintKey, ast.ConstraintUniq, ast.ConstraintUniqIndex, ast.ConstraintUniqKey:
				default:
					return refuse("ALTER TABLE adding a constraint other than an index")
				}
			default:
				return refuse("ALTER TABLE clause other than ADD/DROP INDEX, ALGORITHM, LOCK")
			}
		}
	default:
		return refuse("not an index statement")
	}
	return nil
}

// Index is a secondary index on the server.
type Index struct {
	Table, Name string
	Columns     []string
	Unique      bool
}

// SecondaryIndexes lists the indexes of the Server's database other than
// primary keys (information_schema.STATISTICS), by table and name.
func (s *Server) SecondaryIndexes(ctx context.Context) ([]Index, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT TABLE_NAME, INDEX_NAME, COLUMN_NAME, NON_UNIQUE
		FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND INDEX_NAME <> 'PRIMARY'
		ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`, s.name)
	if err != nil {
		return nil, s.wrap("information_schema.STATISTICS", err)
	}
	defer rows.Close()
	var out []Index
	for rows.Next() {
		var t, name, col string
		var nonUnique int
		if err := rows.Scan(&t, &name, &col, &nonUnique); err != nil {
			return nil, s.wrap("information_schema.STATISTICS", err)
		}
		if n := len(out); n == 0 || out[n-1].Table != t || out[n-1].Name != name {
			out = append(out, Index{Table: t, Name: name, Unique: nonUnique == 0})
		}
		out[len(out)-1].Columns = append(out[len(out)-1].Columns, col)
	}
	return out, s.wrap("information_schema.STATISTICS", rows.Err())
}
