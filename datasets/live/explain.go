package live

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cardinaldb/cardinal/estimator"
	"github.com/cardinaldb/cardinal/features"
)

// ExplainEstimator is the server's own optimizer as a baseline estimator:
// it asks EXPLAIN FORMAT=JSON for the plan of the query and reads the
// optimizer's row estimate off it (see PlanRows). It never executes the
// query (ANALYZE is not used). It is an estimator.ContextEstimator, so
// evaluations score it beside Cardinal's models. Safe for concurrent use.
type ExplainEstimator struct {
	db      *sql.DB
	flavour Flavour
	// Timeout bounds one EXPLAIN. NewExplainEstimator sets
	// DefaultExplainTimeout.
	Timeout time.Duration
}

// DefaultExplainTimeout bounds one EXPLAIN: planning takes milliseconds,
// but MariaDB reads const tables while planning.
const DefaultExplainTimeout = 30 * time.Second

// NewExplainEstimator returns the EXPLAIN baseline for a server of the
// given flavour (from Open or DetectFlavour).
func NewExplainEstimator(db *sql.DB, flavour Flavour) *ExplainEstimator {
	return &ExplainEstimator{db: db, flavour: flavour, Timeout: DefaultExplainTimeout}
}

// Name identifies the estimator in reports.
func (e *ExplainEstimator) Name() string { return "explain-" + e.flavour.String() }

// ExplainSQL is the statement Estimate sends for q: EXPLAIN FORMAT=JSON of
// CountSQL(q) with the select list COUNT(*) replaced by 1, so that the
// plan is that of producing the rows (an aggregate over no WHERE may
// otherwise be "optimized away" without an estimate).
func ExplainSQL(q *features.Query) string {
	s := CountSQL(q)
	if rest, ok := strings.CutPrefix(s, "SELECT COUNT(*) "); ok {
		s = "SELECT 1 " + rest
	}
	return "EXPLAIN FORMAT=JSON " + s
}

var _ estimator.ContextEstimator = (*ExplainEstimator)(nil)

// EstimateContext returns the optimizer's estimate of q's row count. The
// optimizer gives no confidence band: Low and High equal Rows.
func (e *ExplainEstimator) EstimateContext(ctx context.Context, q *features.Query) (estimator.Estimate, error) {
	rows, err := e.rows(ctx, q)
	if err != nil {
		return estimator.Estimate{}, err
	}
	return estimator.Estimate{Rows: rows, Low: rows, High: rows, Source: e.Name()}, nil
}

// rows asks the server for the plan of q and reads its row estimate.
func (e *ExplainEstimator) rows(ctx context.Context, q *features.Query) (float64, error) {
	if e.flavour == FlavourUnknown {
		return 0, ErrFlavour
	}
	timeout := e.Timeout
	if timeout <= 0 {
		timeout = DefaultExplainTimeout
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var plan string
	if err := queryRow(cctx, e.db, ExplainSQL(q), nil, &plan); err != nil {
		return 0, fmt.Errorf("live: explain: %w", err)
	}
	return PlanRows(e.flavour, []byte(plan))
}

// PlanRows reads the row estimate off an EXPLAIN FORMAT=JSON plan.
//
// The plan's tables are taken in plan order (the order of "nested_loop"
// arrays; MariaDB's "block-nl-join" and filesort/temporary-table wrappers
// are looked through).
//
//	MySQL 8: the last table's rows_produced_per_join. MySQL computes it
//	         along the nested-loop plan as
//	             produced(k) = produced(k-1) * rows_examined_per_scan(k) * filtered(k)/100
//	         (produced(0) = 1), so it is the product over the plan. When
//	         it is missing, that product is computed here.
//	MariaDB: the product over the plan of rows * filtered/100 (rows is the
//	         estimate per lookup for ref access, per scan otherwise).
//
// A plan that says "Impossible WHERE" or "no matching row in const table"
// estimates 0 rows; one without tables ("No tables used") 1.
func PlanRows(f Flavour, plan []byte) (float64, error) {
	dec := json.NewDecoder(bytes.NewReader(repairJSON(plan)))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return 0, fmt.Errorf("%w: EXPLAIN output is not JSON: %w", ErrServer, err)
	}
	var tables []map[string]any
	impossible := false
	walkPlan(root, &tables, &impossible)
	if impossible {
		return 0, nil
	}
	if len(tables) == 0 {
		return 1, nil
	}
	switch f {
	case FlavourMySQL:
		if v, ok := planNumber(tables[len(tables)-1]["rows_produced_per_join"]); ok {
			return v, nil
		}
		return planProduct(tables, "rows_examined_per_scan")
	case FlavourMariaDB:
		return planProduct(tables, "rows")
	}
	return 0, ErrFlavour
}

func planProduct(tables []map[string]any, rowsKey string) (float64, error) {
	est := 1.0
	for _, t := range tables {
		rows, ok := planNumber(t[rowsKey])
		if !ok {
			name, _ := t["table_name"].(string)
			return 0, fmt.Errorf("%w: plan table %q has no %s", ErrServer, name, rowsKey)
		}
		filtered := 100.0
		if v, ok := planNumber(t["filtered"]); ok {
			filtered = v
		}
		est *= rows * filtered / 100
	}
	if math.IsNaN(est) || math.IsInf(est, 0) || est < 0 {
		return 0, fmt.Errorf("%w: plan estimate %v", ErrServer, est)
	}
	return est, nil
}

// planNumber reads a JSON number or a numeric string (MySQL writes
// "filtered": "10.00" and cost values as strings).
func planNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

// walkPlan collects the "table" objects of a plan in plan order: arrays in
// order, object keys sorted (an object holds at most one key leading to
// tables in plans of the modelled queries).
func walkPlan(v any, tables *[]map[string]any, impossible *bool) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			walkPlan(e, tables, impossible)
		}
	case map[string]any:
		if msg, ok := x["message"].(string); ok {
			low := strings.ToLower(msg)
			if strings.Contains(low, "impossible") || strings.Contains(low, "no matching row") {
				*impossible = true
			}
		}
		if b, ok := x["impossible_where"].(bool); ok && b {
			*impossible = true
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if t, ok := x[k].(map[string]any); ok && k == "table" {
				if _, isTable := t["table_name"]; isTable {
					*tables = append(*tables, t)
				}
				walkPlan(t, tables, impossible)
				continue
			}
			walkPlan(x[k], tables, impossible)
		}
	}
}

// repairJSON fixes what MariaDB (10.x, 11.x) writes into EXPLAIN
// FORMAT=JSON strings that is not JSON: \' for a quote inside string
// literals of conditions, bare '"' from identifiers that contain one, and
// raw control characters. A '"' inside a string ends it only when the next
// non-space byte is ':', ',', '}' or ']' (or the input ends); otherwise it
// is escaped. On valid JSON this is the identity.
func repairJSON(b []byte) []byte {
	out := make([]byte, 0, len(b)+16)
	in := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !in {
			out = append(out, c)
			in = c == '"'
			continue
		}
		switch {
		case c == '\\' && i+1 < len(b):
			n := b[i+1]
			if strings.IndexByte(`"\\/bfnrtu`, n) >= 0 {
				out = append(out, c, n)
			} else {
				out = append(out, n) // \' and other non-JSON escapes
			}
			i++
		case c == '"':
			j := i + 1
			for j < len(b) && (b[j] == ' ' || b[j] == '\t' || b[j] == '\n' || b[j] == '\r') {
				j++
			}
			if j == len(b) || b[j] == ':' || b[j] == ',' || b[j] == '}' || b[j] == ']' {
				out = append(out, c)
				in = false
			} else {
				out = append(out, '\\', '"')
			}
		case c < 0x20:
			out = append(out, fmt.Sprintf(`\u%04x`, c)...)
		default:
			out = append(out, c)
		}
	}
	return out
}
