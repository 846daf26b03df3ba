package estimator

import (
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/features"
)

// testCatalog builds statistics for db the way an ANALYZE would (top-20
// MCVs, 100-bucket equi-depth histogram, seeded uniform sample).
func testCatalog(t testing.TB, db *datasets.DB, sampleSize int, seed uint64) *catalog.Catalog {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	cat := &catalog.Catalog{Schema: db.Schema}
	for _, tb := range db.Tables {
		n := tb.Rows
		ts := catalog.TableStats{Rows: int64(n)}
		var rows []int
		if n <= sampleSize {
			rows = make([]int, n)
			for i := range rows {
				rows[i] = i
			}
		} else {
			rows = rng.Perm(n)[:sampleSize]
		}
		for _, col := range tb.Cols {
			vals := make([]catalog.Datum, n)
			for i := range vals {
				vals[i] = col.Datum(i)
			}
			s := make([]catalog.Datum, len(rows))
			for i, r := range rows {
				s[i] = vals[r]
			}
			ts.Sample = append(ts.Sample, s)
			ts.Columns = append(ts.Columns, testColStats(vals))
		}
		cat.Stats = append(cat.Stats, ts)
	}
	return cat
}

func testColStats(vals []catalog.Datum) catalog.ColumnStats {
	var st catalog.ColumnStats
	n := float64(len(vals))
	freq := map[catalog.Datum]int{}
	var nonNull []catalog.Datum
	for _, v := range vals {
		if v.IsNull() {
			st.NullFrac++
			continue
		}
		freq[v]++
		nonNull = append(nonNull, v)
	}
	st.NullFrac /= n
	st.Distinct = int64(len(freq))
	if len(nonNull) == 0 {
		return st
	}
	sort.Slice(nonNull, func(a, b int) bool { return catalog.Compare(nonNull[a], nonNull[b]) < 0 })
	st.Min, st.Max = nonNull[0], nonNull[len(nonNull)-1]
	type kv struct {
		v catalog.Datum
		c int
	}
	var kvs []kv
	for v, c := range freq {
		kvs = append(kvs, kv{v, c})
	}
	sort.Slice(kvs, func(a, b int) bool {
		if kvs[a].c != kvs[b].c {
			return kvs[a].c > kvs[b].c
		}
		return catalog.Compare(kvs[a].v, kvs[b].v) < 0
	})
	avg := float64(len(nonNull)) / float64(len(freq))
	isMCV := map[catalog.Datum]bool{}
	mcvSum := 0.0
	for _, e := range kvs {
		if len(st.MCVs) == 20 || (float64(e.c) <= 1.25*avg && len(freq) > 20) {
			break
		}
		st.MCVs = append(st.MCVs, catalog.MCV{Value: e.v, Freq: float64(e.c) / n})
		isMCV[e.v] = true
		mcvSum += float64(e.c) / n
	}
	var rest []catalog.Datum
	for _, v := range nonNull {
		if !isMCV[v] {
			rest = append(rest, v)
		}
	}
	if len(rest) > 0 {
		b := min(100, len(rest)-1)
		if b < 1 {
			st.Histogram = []catalog.Datum{rest[0], rest[0]}
		} else {
			for i := 0; i <= b; i++ {
				st.Histogram = append(st.Histogram, rest[i*(len(rest)-1)/b])
			}
		}
	}
	st.HistFrac = float64(len(rest)) / n
	return st
}

// tri is a three-valued truth value for the test oracle.
type tri int8

const (
	triF tri = iota
	triT
	triU
)

// oracleEval evaluates e on one row (three-valued), the slow obvious way.
func oracleEval(e *features.Expr, row []catalog.Datum) tri {
	switch e.Kind {
	case features.ExprAnd:
		r := triT
		for _, a := range e.Args {
			switch oracleEval(a, row) {
			case triF:
				return triF
			case triU:
				r = triU
			}
		}
		return r
	case features.ExprOr:
		r := triF
		for _, a := range e.Args {
			switch oracleEval(a, row) {
			case triT:
				return triT
			case triU:
				r = triU
			}
		}
		return r
	case features.ExprNot:
		switch oracleEval(e.Args[0], row) {
		case triT:
			return triF
		case triF:
			return triT
		}
		return triU
	}
	// Atomic predicates: features' own three-valued Pred.Eval, an
	// implementation independent of the bitmap code under test.
	switch e.Pred.Eval(row[e.Pred.Col]) {
	case features.True:
		return triT
	case features.False:
		return triF
	}
	return triU
}
