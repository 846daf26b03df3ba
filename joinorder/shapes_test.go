package joinorder

import (
	"errors"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/features"
)

// Outer joins constrain the join order: the planners refuse them (never
// emitting an order the query's ValidJoin would reject); semi- and
// anti-join subqueries are filters and plan, and the rewritten SQL keeps
// them.
func TestShapesPlanning(t *testing.T) {
	s := datasets.EcommerceSchema()
	outer, err := features.Parse(s, "SELECT * FROM customers c LEFT JOIN orders o ON c.id = o.customer_id")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewCards(outer, "test"); !errors.Is(err, ErrQuery) {
		t.Fatalf("outer join: err = %v, want ErrQuery", err)
	}
	if outer.ValidJoin(0b10, 0b01) != true || (&features.Query{Outer: outer.Outer}).ValidJoin(0b10, 0b100) {
		t.Errorf("ValidJoin")
	}
	semi, err := features.Parse(s, "SELECT * FROM orders o, order_items oi WHERE o.id = oi.order_id AND NOT EXISTS (SELECT * FROM customers c WHERE c.id = o.customer_id AND c.region = 'west')")
	if err != nil {
		t.Fatal(err)
	}
	cards, err := NewCards(semi, "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []uint64{1, 2, 3} {
		if err := cards.Set(m, 10); err != nil {
			t.Fatal(err)
		}
	}
	p, err := DPccp(cards, Cout{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{p.HintedSQL(), p.StraightJoinSQL()} {
		if !strings.Contains(sql, "NOT EXISTS (SELECT * FROM `customers` AS `c` WHERE `c`.`region` = 'west' AND `c`.`id` = `o`.`customer_id`)") {
			t.Errorf("the subquery is lost: %s", sql)
		}
	}
}
