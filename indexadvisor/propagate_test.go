package indexadvisor

import (
	"context"
	"math"
	"strconv"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
)

var tpchSmallOnce dataOnce

// tpchSmall is TPC-H at scale 0.01 (60k lineitem rows, 100 suppliers)
// and its catalog, built once per test binary.
func tpchSmall(t testing.TB) (*datasets.DB, *catalog.Catalog) {
	t.Helper()
	return tpchSmallOnce.get(t, func() (*datasets.DB, error) {
		return datasets.TPCH(context.Background(), datasets.TPCHOptions{Scale: 0.01})
	})
}

// TestPropagatedEquality: in TPC-H's composite join of lineitem to
// partsupp filtered on d.ps_suppkey = v, MariaDB propagates the equality to
// lineitem's scan (l_suppkey = v, "Using where") and looks partsupp up for
// the rows that pass only (propagate.go; maria5, SF1, seed 9's #23: 619 of
// 6,001,215 rows, 1.17 s, a scan of lineitem). The model must cost that
// statement at about a scan of each table, not as a blind join of every
// lineitem row (nine scans of lineitem before), and an index on
// lineitem(l_suppkey) can save it no more than that scan; the join of
// lineitem to supplier filtered on s_acctbal, which has no equality to
// propagate, stays blind (ANALYZE: 6,001,215 eq_ref lookups, 6.9 s).
func TestPropagatedEquality(t *testing.T) {
	db, cat := tpchSmall(t)
	sup := db.Table("supplier")
	acct := sup.Cols[cat.Schema.Tables[cat.Schema.TableIndex("supplier")].ColumnIndex("s_acctbal")].Floats[0]
	a := testAdvisor(t, cat,
		"SELECT COUNT(*) FROM lineitem f JOIN partsupp d ON f.l_partkey = d.ps_partkey AND f.l_suppkey = d.ps_suppkey WHERE d.ps_suppkey = 55;\n"+
			"SELECT COUNT(*) FROM lineitem f JOIN supplier d ON f.l_suppkey = d.s_suppkey WHERE d.s_acctbal = "+strconv.FormatFloat(acct, 'f', -1, 64)+";\n")
	li, ps := cat.Schema.TableIndex("lineitem"), cat.Schema.TableIndex("partsupp")
	suppkey := cat.Schema.Tables[li].ColumnIndex("l_suppkey")
	scan := func(ti int) float64 { return a.tables[ti].pages*costPage + a.tables[ti].rows*costRow }
	cost := func(c *config, si int) float64 {
		s := 0.0
		for _, oi := range a.stmtOccs[si] {
			s += c.cur[oi].cost
		}
		return s
	}
	occs := a.stmtOccs[0]
	if len(occs) != 2 || a.occs[occs[0]].table != ps || a.occs[occs[1]].table != li {
		t.Fatalf("composite join: want partsupp driving lineitem, got occurrences %v", occs)
	}
	inner := a.occs[occs[1]]
	var prop *conjunct
	for i, c := range inner.conj {
		if c.col == suppkey && c.kind == predEq {
			prop = &inner.conj[i]
		}
	}
	if prop == nil {
		t.Fatalf("lineitem's occurrence has no l_suppkey equality (conjuncts %+v)", inner.conj)
	}
	truth, err := engine.Count(context.Background(), db, &features.Query{Schema: cat.Schema,
		Tables: []features.TableRef{{Table: li, Alias: "lineitem", Filter: prop.expr}}})
	if err != nil {
		t.Fatal(err)
	}
	blind := 0.0
	for _, l := range a.occs[occs[0]].blindBy {
		blind = math.Max(blind, l.rows)
	}
	t.Logf("lineitem rows with the propagated l_suppkey = 55: %d true, blind link %.0f (of %.0f)", truth, blind, a.tables[li].rows)
	if blind > 3*float64(truth)+10 || 3*blind < float64(truth) {
		t.Errorf("blind link rows %.0f, want the %d rows that pass the propagated equality (within 3x)", blind, truth)
	}
	c := a.newConfig()
	base, want := cost(c, 0), scan(li)+scan(ps)
	t.Logf("composite join: %.0f, scans of lineitem and partsupp %.0f", base, want)
	if base > 1.5*want {
		t.Errorf("composite join costs %.0f, more than 1.5x a scan of each table (%.0f): the propagated equality is not seen", base, want)
	}
	if g := c.gainAdd(singleCandidate(t, a, "lineitem", "l_suppkey")); g > 1.2*scan(li)+cost(c, 1) {
		t.Errorf("lineitem(l_suppkey) gains %.0f, more than a scan of lineitem (%.0f) and the supplier join (%.0f)", g, scan(li), cost(c, 1))
	}
	if b := cost(c, 1); b < 3*scan(li) {
		t.Errorf("supplier join on s_acctbal costs %.0f, less than 3 scans of lineitem (%.0f): want it still blind", b, 3*scan(li))
	}
}
