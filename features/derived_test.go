package features

import "testing"

// TestDerivedSchemas: the query and the subqueries that read a derived
// relation have the extended schema and the relation list; the others the
// schema they were parsed against; the virtual table follows the base
// tables and holds the relation's keys and aggregates.
func TestDerivedSchemas(t *testing.T) {
	s := testSchema()
	q, err := Parse(s, "WITH r (kid, n) AS (SELECT kind_id, COUNT(*) FROM title GROUP BY kind_id) "+
		"SELECT * FROM kind_type kt, r WHERE kt.id = r.kid AND r.n = (SELECT MAX(n) FROM r) "+
		"AND EXISTS (SELECT * FROM title t WHERE t.kind_id = kt.id AND t.production_year > 2000)")
	if err != nil {
		t.Fatal(err)
	}
	if !q.HasDerived() || len(q.Derived) != 1 || q.BaseSchema().Tables[0] != s.Tables[0] || len(q.BaseSchema().Tables) != len(s.Tables) {
		t.Fatalf("derived %v, base schema %d tables", q.Derived, len(q.BaseSchema().Tables))
	}
	d := q.Derived[0]
	def := q.Schema.Tables[d.Table]
	if d.Table != len(s.Tables) || def.Name != "r" || len(def.Columns) != 2 || def.Columns[0].Name != "kid" || def.Columns[1].Name != "n" ||
		d.Cols[0] != (DerivedCol{Key: 0, Agg: -1}) || d.Cols[1] != (DerivedCol{Key: -1, Agg: 0}) || d.Query.Schema != s {
		t.Fatalf("relation %+v, table %+v", d, def)
	}
	if q.DerivedOf(d.Table) == nil || q.DerivedOf(0) != nil || q.Tables[1].Table != d.Table {
		t.Fatal("DerivedOf")
	}
	if len(q.Subqueries) != 2 {
		t.Fatalf("%d subqueries", len(q.Subqueries))
	}
	for _, sq := range q.Subqueries {
		reads := sq.Query.Tables[0].Table == d.Table
		if sq.Query.HasDerived() != reads || (sq.Query.Schema == q.Schema) != reads || (sq.Query.Schema == s) == reads {
			t.Errorf("%v subquery: derived %v, extended schema %v", sq.Kind, sq.Query.HasDerived(), sq.Query.Schema == q.Schema)
		}
	}
	if sub := q.Sub(1); !sub.HasDerived() || sub.Schema != q.Schema {
		t.Error("Sub drops the derived relations")
	}
	plain, err := Parse(s, "SELECT * FROM title t WHERE t.kind_id = 1")
	if err != nil || plain.HasDerived() || plain.BaseSchema() != s || plain.DerivedOf(0) != nil {
		t.Fatalf("plain query: %v", err)
	}
}
