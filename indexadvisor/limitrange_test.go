package indexadvisor

import "testing"

// TestLimitForcesRange: with a LIMIT below the table's rows MariaDB checks
// again for a range before it scans (limitForcedScanRow) and reads a
// third of the customers through customers(region) with a lookup each,
// then sorts them (fresh ecommerce seed 21's #3 at scale 10: 37 -> 65
// ms, trace in guard.go). Without the LIMIT it keeps the scan. The model
// must predict the first statement slower with the index and leave the
// second alone.
func TestLimitForcesRange(t *testing.T) {
	_, cat := ecommerceData(t, 1)
	a := testAdvisor(t, cat, "SELECT * FROM customers WHERE region = 'north_america' ORDER BY segment DESC LIMIT 10;\n"+
		"SELECT * FROM customers WHERE region = 'north_america' ORDER BY segment DESC;\n")
	cu := cat.Schema.TableIndex("customers")
	ix := &Index{Table: cu, Columns: []int{cat.Schema.Tables[cu].ColumnIndex("region")}}
	for si, want := range []bool{true, false} {
		base, with := stmtCost(a, si), stmtCost(a, si, ix)
		t.Logf("statement %d: %.0f without, %.0f with customers(region)", si, base, with)
		if got := slower(with, base); got != want {
			t.Errorf("statement %d: customers(region) %.0f against %.0f without: slower %v, want %v", si, with, base, got, want)
		}
	}
	c := a.newConfig()
	c.chosen[cu] = []*Index{ix}
	c.refresh(cu)
	if c.regressed() != 1 {
		t.Errorf("customers(region): %d statements predicted slower, want 1 (the LIMIT one)", c.regressed())
	}
}
