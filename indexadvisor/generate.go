package indexadvisor

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets/live"
)

// GenerateWorkload draws n SELECT statements over cat's schema for index
// advice demos, tests and benchmarks, from templates index choice cares
// about, with literals from the catalog's samples:
//
//	point     SELECT * FROM t WHERE a = v [AND b = w]
//	range     SELECT c, d FROM t WHERE a BETWEEN v AND w
//	top-k     SELECT * FROM t WHERE a = v ORDER BY b DESC LIMIT 10
//	group     SELECT g, COUNT(*) FROM t WHERE a BETWEEN v AND w GROUP BY g
//	join      SELECT COUNT(*) FROM t JOIN u ON <foreign key> WHERE u.a = v
//
// Each statement gets a weight (Count) of 1 to 100. Tables need a sample.
func GenerateWorkload(cat *catalog.Catalog, n int, rng *rand.Rand) []live.Statement {
	s := cat.Schema
	var out []live.Statement
	q := catalog.QuoteIdent
	for len(out) < n {
		ti := rng.IntN(len(s.Tables))
		t := s.Tables[ti]
		ts := &cat.Stats[ti]
		if ts.SampleSize() == 0 || len(t.Columns) < 2 {
			if len(out) == 0 && ti == len(s.Tables)-1 && rng.IntN(4) == 0 {
				break
			}
			continue
		}
		row := rng.IntN(ts.SampleSize())
		lit := func(c int) (string, bool) {
			d := ts.Sample[c][row]
			if d.Kind == catalog.KindNull {
				return "", false
			}
			return literal(d, t.Columns[c].Type), true
		}
		col := func() int { return rng.IntN(len(t.Columns)) }
		a, b := col(), col()
		for b == a {
			b = col()
		}
		va, ok := lit(a)
		if !ok {
			continue
		}
		var sql string
		switch k := rng.IntN(5); k {
		case 0:
			sql = fmt.Sprintf("SELECT * FROM %s WHERE %s = %s", q(t.Name), q(t.Columns[a].Name), va)
			if vb, ok := lit(b); ok && rng.IntN(2) == 0 {
				sql += fmt.Sprintf(" AND %s = %s", q(t.Columns[b].Name), vb)
			}
		case 1, 3:
			if !t.Columns[a].Type.Numeric() {
				continue
			}
			lo, hi := rangeAround(ts, a, rng)
			g := q(t.Columns[b].Name)
			if k == 1 {
				sql = fmt.Sprintf("SELECT %s, %s FROM %s WHERE %s BETWEEN %s AND %s", g, q(t.Columns[a].Name), q(t.Name), q(t.Columns[a].Name),
					literal(lo, t.Columns[a].Type), literal(hi, t.Columns[a].Type))
			} else {
				sql = fmt.Sprintf("SELECT %s, COUNT(*) FROM %s WHERE %s BETWEEN %s AND %s GROUP BY %s", g, q(t.Name), q(t.Columns[a].Name),
					literal(lo, t.Columns[a].Type), literal(hi, t.Columns[a].Type), g)
			}
		case 2:
			sql = fmt.Sprintf("SELECT * FROM %s WHERE %s = %s ORDER BY %s DESC LIMIT 10", q(t.Name), q(t.Columns[a].Name), va, q(t.Columns[b].Name))
		case 4:
			var fks []catalog.ForeignKey
			for _, fk := range s.ForeignKeys {
				if strings.EqualFold(fk.RefTable, t.Name) && !strings.EqualFold(fk.Table, t.Name) {
					fks = append(fks, fk)
				}
			}
			if len(fks) == 0 {
				continue
			}
			fk := fks[rng.IntN(len(fks))]
			var on []string
			for i := range fk.Columns {
				on = append(on, fmt.Sprintf("f.%s = d.%s", q(fk.Columns[i]), q(fk.RefColumns[i])))
			}
			sql = fmt.Sprintf("SELECT COUNT(*) FROM %s f JOIN %s d ON %s WHERE d.%s = %s", q(fk.Table), q(t.Name), strings.Join(on, " AND "), q(t.Columns[a].Name), va)
		}
		out = append(out, live.Statement{SQL: sql, Count: 1 + int64(rng.IntN(100)), Source: live.SourceSQLFile})
	}
	return out
}

// rangeAround picks a range of about 1-5% of column c's sampled values.
func rangeAround(ts *catalog.TableStats, c int, rng *rand.Rand) (catalog.Datum, catalog.Datum) {
	col := ts.Sample[c]
	var vals []catalog.Datum
	for _, d := range col {
		if d.Kind != catalog.KindNull {
			vals = append(vals, d)
		}
	}
	if len(vals) == 0 {
		return catalog.Int(0), catalog.Int(0)
	}
	// Stable, so equal values keep the sample's order (the workloads of
	// every seed are unchanged from the insertion sort this replaced).
	slices.SortStableFunc(vals, catalog.Compare)
	w := max(1, len(vals)*(1+rng.IntN(5))/100)
	i := rng.IntN(max(1, len(vals)-w))
	return vals[i], vals[min(len(vals)-1, i+w)]
}

// literal renders a datum as a MySQL literal for a column of type t.
func literal(d catalog.Datum, t catalog.Type) string {
	switch d.Kind {
	case catalog.KindString:
		return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(d.S) + "'"
	case catalog.KindFloat:
		return fmt.Sprintf("%g", d.F)
	}
	switch t {
	case catalog.TypeDate:
		return "'" + time0(d.I).Format("2006-01-02") + "'"
	case catalog.TypeDateTime:
		return "'" + time0(d.I).Format("2006-01-02 15:04:05") + "'"
	}
	return fmt.Sprint(d.I)
}

func time0(sec int64) time.Time { return time.Unix(sec, 0).UTC() }
