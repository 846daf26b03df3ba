package joinorder_test

import (
	"math"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/joinorder"
)

// tpchSF1Catalog is the TPC-H schema with the SF1 statistics the MariaDB
// model reads: table rows, the join columns' distinct counts and
// lineitem's (l_partkey, l_suppkey) key degree (every partsupp pair
// appears in lineitem about 7.5 times).
func tpchSF1Catalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	s := datasets.TPCHSchema(false)
	rows := map[string]int64{"region": 5, "nation": 25, "supplier": 10000, "customer": 150000,
		"part": 200000, "partsupp": 800000, "orders": 1500000, "lineitem": 6001215}
	distinct := map[string]int64{"n_regionkey": 5, "s_nationkey": 25, "ps_partkey": 200000, "ps_suppkey": 10000,
		"l_partkey": 200000, "l_suppkey": 10000, "l_orderkey": 1500000}
	cat := &catalog.Catalog{Schema: s, Stats: make([]catalog.TableStats, len(s.Tables))}
	for i, tab := range s.Tables {
		ts := &cat.Stats[i]
		ts.Rows = rows[tab.Name]
		ts.Columns = make([]catalog.ColumnStats, len(tab.Columns))
		for c, col := range tab.Columns {
			ts.Columns[c].Distinct = distinct[col.Name]
		}
		if tab.Name == "lineitem" {
			ts.KeyDegrees = []catalog.KeyDegrees{{
				Columns:  []int{tab.ColumnIndex("l_partkey"), tab.ColumnIndex("l_suppkey")},
				RestRows: 6001215, RestKeys: 800000}}
		}
	}
	return cat
}

// TestMariaDBFetchCap is seed 5's TPC-H query 28 (README, issue-10
// MariaDB section), which the guard hinted 3.54x slower than the server's
// plan: gbdt right on every prefix of the server's order (region, nation,
// supplier, partsupp, part, lineitem) but 67x over on the whole query (134
// rows against 2). The lineitem lookups fetch the outer rows times
// lineitem's rows per (l_partkey, l_suppkey) key (316 x 7.5), not the
// join's rows over the shipdate filter's selectivity (323,000 in the run),
// so the overestimate of the last join no longer prices the server's order
// 9x dearer than with the right count.
func TestMariaDBFetchCap(t *testing.T) {
	cat := tpchSF1Catalog(t)
	m, err := joinorder.NewMariaDB(cat, joinorder.MariaDBCosts{})
	if err != nil {
		t.Fatal(err)
	}
	q, err := features.Parse(cat.Schema, `SELECT COUNT(*) FROM supplier, nation, region, partsupp, part, lineitem
		WHERE s_nationkey = n_nationkey AND n_regionkey = r_regionkey AND ps_suppkey = s_suppkey
		AND ps_partkey = p_partkey AND l_partkey = ps_partkey AND l_suppkey = ps_suppkey
		AND n_name = 'FRANCE' AND ps_availqty < 1114 AND p_container IN ('SM BOX', 'LG BOX', 'WRAP JAR', 'MED PKG', 'JUMBO CAN')
		AND l_shipdate = '1995-03-15'`)
	if err != nil {
		t.Fatal(err)
	}
	q = joinorder.ImpliedJoins(q)
	const sup, nat, reg, ps, part, li = 0, 1, 2, 3, 4, 5
	server := []int{reg, nat, sup, ps, part, li}
	single := map[int]float64{sup: 10000, nat: 1, reg: 5, ps: 89000, part: 25000, li: 2376}
	prefix := []float64{5, 1, 402, 3074, 316} // gbdt along the server's order
	cards := func(whole float64) *joinorder.Cards {
		c, err := joinorder.NewCards(q, "gbdt")
		if err != nil {
			t.Fatal(err)
		}
		for occ, r := range single {
			if err := c.Set(1<<occ, r); err != nil {
				t.Fatal(err)
			}
		}
		var mask uint64
		for i, occ := range server {
			mask |= 1 << occ
			r := whole
			if i < len(prefix) {
				r = prefix[i]
			}
			if err := c.Set(mask, r); err != nil {
				t.Fatal(err)
			}
		}
		return c
	}

	// The last join alone: 316 lookups, 316 x 6,001,215 / 800,000 rows
	// fetched through the secondary (l_partkey, l_suppkey) index.
	left := uint64(1<<sup | 1<<nat | 1<<reg | 1<<ps | 1<<part)
	got, op := m.Join(q, joinorder.JoinInput{Left: left, Right: 1 << li, LeftRows: 316, RightRows: single[li], Rows: 134, Edge: true})
	c := m.Costs()
	want := 316*c.Lookup + 316*(6001215.0/800000)*c.FetchSec
	if op != joinorder.OpIndexNL || math.Abs(got-want) > 1e-6*want {
		t.Errorf("lineitem join: %v cost %.0f us, want index nested loop %.0f us (uncapped: %.0f)",
			op, got, want, 316*c.Lookup+134/(single[li]/6001215)*c.FetchSec)
	}

	// The server's whole order: priced on the 67x overestimate as on the
	// right count (2 rows), within 1%.
	over, err := m.OrderWork(cards(134), server)
	if err != nil {
		t.Fatal(err)
	}
	right, err := m.OrderWork(cards(2), server)
	if err != nil {
		t.Fatal(err)
	}
	if r := over.Cost(c) / right.Cost(c); r > 1.01 {
		t.Errorf("server's order %.0f us on the overestimate, %.0f us on the right count (%.2fx): %+v", over.Cost(c), right.Cost(c), r, over)
	}
	// Secondary-index fetches: nation by n_regionkey (25), partsupp by
	// ps_suppkey (3,074 over the availqty filter's selectivity, under
	// the cap of 402 suppliers x 80 rows, the 32,160 MariaDB read there)
	// and lineitem's capped 2,370.
	if want := 25 + 3074/(89000.0/800000) + 316*(6001215.0/800000); math.Abs(over.FetchSec-want) > 1e-6*want {
		t.Errorf("secondary-index fetches %.0f, want %.0f", over.FetchSec, want)
	}
}

// TestMariaDBFetchCapUnknown: an index without statistics (no rows per
// key) leaves the fetch count uncapped, and an empty outer input costs a
// finite nothing, not NaN (0 outer rows times unknown rows per key).
func TestMariaDBFetchCapUnknown(t *testing.T) {
	cat := tpchSF1Catalog(t)
	li := cat.Schema.TableIndex("lineitem")
	cat.Stats[li].KeyDegrees = nil
	for c := range cat.Stats[li].Columns {
		cat.Stats[li].Columns[c].Distinct = 0
	}
	m, err := joinorder.NewMariaDB(cat, joinorder.MariaDBCosts{})
	if err != nil {
		t.Fatal(err)
	}
	q, err := features.Parse(cat.Schema, `SELECT COUNT(*) FROM part, lineitem WHERE l_partkey = p_partkey AND l_shipdate = '1995-03-15'`)
	if err != nil {
		t.Fatal(err)
	}
	c := m.Costs()
	for _, tc := range []struct{ left, rows, want float64 }{
		{0, 0, 0},
		{316, 134, 316*c.Lookup + 134/(2376/6001215.0)*c.FetchSec}, // Rows / sel, as before the cap
	} {
		got, _ := m.Join(q, joinorder.JoinInput{Left: 1, Right: 2, LeftRows: tc.left, RightRows: 2376, Rows: tc.rows, Edge: true})
		if math.IsNaN(got) || math.Abs(got-tc.want) > 1e-6*math.Max(1, tc.want) {
			t.Errorf("%g outer rows, %g rows: cost %g, want %g", tc.left, tc.rows, got, tc.want)
		}
	}
}
