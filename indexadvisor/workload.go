package indexadvisor

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets/live"
	"github.com/cardinaldb/cardinal/features"
)

// Kind is what a workload statement does.
type Kind uint8

// Statement kinds.
const (
	KindSelect Kind = iota + 1
	KindInsert
	KindUpdate
	KindDelete
)

func (k Kind) String() string {
	switch k {
	case KindSelect:
		return "SELECT"
	case KindInsert:
		return "INSERT"
	case KindUpdate:
		return "UPDATE"
	case KindDelete:
		return "DELETE"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Statement is one workload statement with its weight.
type Statement struct {
	SQL    string
	Kind   Kind
	Weight float64 // executions (a digest's COUNT_STAR, a slow log's entries)
	Digest string  // performance_schema's digest, else the query model's shape digest
	// Query is the read part: the SELECT, or for UPDATE and DELETE the
	// rows their WHERE finds (SELECT * FROM t WHERE ...); nil for INSERT.
	Query *features.Query
	// Table is the written table (schema index) of INSERT, UPDATE and
	// DELETE; -1 for SELECT.
	Table int
	// Columns are the columns an UPDATE sets (schema column indexes); nil
	// for INSERT and DELETE, which touch every index.
	Columns []int
	// Rows is the rows one execution writes: the VALUES rows of an INSERT
	// (1 for INSERT ... SELECT, whose rows are unknown), and for UPDATE
	// and DELETE the estimate of their WHERE (filled in by
	// RecommendIndex).
	Rows float64
}

// Skip counts workload statements left out for one reason.
type Skip struct {
	Reason     string
	Statements int
	Executions float64
	Example    string
}

// Workload is a weighted set of statements over one schema.
type Workload struct {
	Schema     *catalog.Schema
	Statements []Statement
	Skipped    []Skip
}

// Errors of building a workload and recommending.
var (
	// ErrEmptyWorkload: no statement of the input could be modelled.
	ErrEmptyWorkload = errors.New("indexadvisor: no statement of the workload can be modelled")
	// ErrOptions: an Options field is out of range (negative, NaN, Inf).
	ErrOptions = errors.New("indexadvisor: invalid options")
	// ErrSchema: the workload's schema does not match the catalog.
	ErrSchema = errors.New("indexadvisor: workload schema does not match the catalog")
)

// NewWorkload models captured statements (live.ParseSQLFile,
// live.ParseSlowLog, live.CaptureDigests; merge repeats with live.Merge or
// not: weights add up either way) against schema. SELECTs go through
// features.Parse; INSERT, REPLACE, UPDATE and DELETE of one table are kept
// as writes (their index maintenance) with, for UPDATE and DELETE, the
// read of their WHERE. Anything else is counted in Workload.Skipped by
// reason, never dropped silently. A statement's weight is its Count (1
// when 0).
func NewWorkload(schema *catalog.Schema, stmts []live.Statement) (*Workload, error) {
	w := &Workload{Schema: schema}
	fp := features.NewParser()
	tp := parser.New()
	skips := map[string]*Skip{}
	var order []string
	skip := func(reason string, s live.Statement) {
		k := skips[reason]
		if k == nil {
			k = &Skip{Reason: reason, Example: clip(s.SQL)}
			skips[reason] = k
			order = append(order, reason)
		}
		k.Statements++
		k.Executions += weightOf(s)
	}
	for _, s := range stmts {
		if s.Normalized {
			skip("digest text without literals", s)
			continue
		}
		kw := firstWord(s.SQL)
		st := Statement{SQL: s.SQL, Weight: weightOf(s), Digest: s.Digest, Table: -1}
		switch kw {
		case "SELECT", "(":
			q, err := fp.Parse(schema, s.SQL)
			if err != nil {
				skip(reason(err), s)
				continue
			}
			if q.HasDerived() {
				skip("grouped derived table or CTE", s) // no statistics of its virtual tables
				continue
			}
			st.Kind, st.Query = KindSelect, q
			if st.Digest == "" {
				st.Digest = q.Digest()
			}
		case "INSERT", "REPLACE", "UPDATE", "DELETE":
			if err := modelWrite(tp, fp, schema, &st); err != nil {
				skip(reason(err), s)
				continue
			}
		default:
			if kw == "" {
				kw = "?"
			}
			skip("not a SELECT, INSERT, UPDATE or DELETE: "+kw, s)
			continue
		}
		w.Statements = append(w.Statements, st)
	}
	for _, r := range order {
		w.Skipped = append(w.Skipped, *skips[r])
	}
	if len(w.Statements) == 0 {
		// Say why, or the user is left guessing (recommend and
		// eval-indexes print only this error).
		why := make([]string, len(w.Skipped))
		for i, k := range w.Skipped {
			why[i] = fmt.Sprintf("%d %s, e.g. %q", k.Statements, k.Reason, k.Example)
		}
		return w, fmt.Errorf("%w (%d statements, all skipped: %s)", ErrEmptyWorkload, len(stmts), strings.Join(why, "; "))
	}
	return w, nil
}

// ErrWrite: a write statement the model does not represent.
var ErrWrite = errors.New("unsupported write")

// modelWrite fills st from an INSERT, REPLACE, UPDATE or DELETE.
func modelWrite(tp *parser.Parser, fp *features.Parser, schema *catalog.Schema, st *Statement) error {
	nodes, _, err := tp.ParseSQL(st.SQL)
	if err != nil {
		return fmt.Errorf("%w: syntax: %v", ErrWrite, firstLine(err.Error()))
	}
	if len(nodes) != 1 {
		return fmt.Errorf("%w: %d statements", ErrWrite, len(nodes))
	}
	var refs *ast.TableRefsClause
	var where ast.ExprNode
	switch n := nodes[0].(type) {
	case *ast.InsertStmt:
		st.Kind, refs, st.Rows = KindInsert, n.Table, float64(max(1, len(n.Lists)))
	case *ast.UpdateStmt:
		st.Kind, refs, where = KindUpdate, n.TableRefs, n.Where
	case *ast.DeleteStmt:
		if n.IsMultiTable {
			return fmt.Errorf("%w: multi-table DELETE", ErrWrite)
		}
		st.Kind, refs, where = KindDelete, n.TableRefs, n.Where
	default:
		return fmt.Errorf("%w: %T", ErrWrite, n)
	}
	if refs == nil || refs.TableRefs == nil || refs.TableRefs.Right != nil {
		return fmt.Errorf("%w: %s of several tables", ErrWrite, st.Kind)
	}
	ts, ok := refs.TableRefs.Left.(*ast.TableSource)
	if !ok {
		return fmt.Errorf("%w: %s target", ErrWrite, st.Kind)
	}
	tn, ok := ts.Source.(*ast.TableName)
	if !ok {
		return fmt.Errorf("%w: %s target", ErrWrite, st.Kind)
	}
	st.Table = schema.TableIndex(tn.Name.O)
	if st.Table < 0 {
		return fmt.Errorf("%w: unknown table %s", features.ErrUnknownTable, tn.Name.O)
	}
	t := schema.Tables[st.Table]
	if u, ok := nodes[0].(*ast.UpdateStmt); ok {
		for _, a := range u.List {
			ci := t.ColumnIndex(a.Column.Name.O)
			if ci < 0 {
				return fmt.Errorf("%w: UPDATE sets unknown column %s", features.ErrUnknownColumn, a.Column.Name.O)
			}
			st.Columns = append(st.Columns, ci)
		}
	}
	if st.Kind == KindInsert {
		return nil
	}
	sql := "SELECT * FROM " + catalog.QuoteIdent(t.Name)
	if ts.AsName.O != "" {
		sql += " AS " + catalog.QuoteIdent(ts.AsName.O)
	}
	if where != nil {
		var b strings.Builder
		if err := where.Restore(format.NewRestoreCtx(format.DefaultRestoreFlags, &b)); err != nil {
			return fmt.Errorf("%w: WHERE: %w", ErrWrite, err)
		}
		sql += " WHERE " + b.String()
	}
	q, err := fp.Parse(schema, sql)
	if err != nil {
		return err
	}
	st.Query = q
	st.Digest = cond(st.Digest == "", st.Kind.String()+":"+q.Digest(), st.Digest)
	return nil
}

func cond[T any](c bool, a, b T) T {
	if c {
		return a
	}
	return b
}

func weightOf(s live.Statement) float64 {
	if s.Count <= 0 {
		return 1
	}
	return float64(s.Count)
}

// firstWord is the upper-cased first keyword of sql, past comments.
func firstWord(sql string) string {
	s := strings.TrimSpace(sql)
	for {
		switch {
		case strings.HasPrefix(s, "/*"):
			i := strings.Index(s, "*/")
			if i < 0 {
				return ""
			}
			s = strings.TrimSpace(s[i+2:])
		case strings.HasPrefix(s, "--"), strings.HasPrefix(s, "#"):
			i := strings.IndexByte(s, '\n')
			if i < 0 {
				return ""
			}
			s = strings.TrimSpace(s[i+1:])
		default:
			if strings.HasPrefix(s, "(") {
				return "("
			}
			i := strings.IndexFunc(s, func(r rune) bool {
				return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
			})
			if i < 0 {
				i = len(s)
			}
			return strings.ToUpper(s[:i])
		}
	}
}

// reason names an error without its position so errors of one kind count
// together.
func reason(err error) string {
	var fe *features.Error
	if errors.As(err, &fe) && fe.Err != nil {
		if fe.Construct != "" {
			return fe.Err.Error() + " " + fe.Construct
		}
		return fe.Err.Error()
	}
	return firstLine(err.Error())
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		return s[:117] + "..."
	}
	return s
}
