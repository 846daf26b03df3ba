package catalog_test

import (
	"bytes"
	"reflect"
	"slices"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
)

// TestFlightsDependencies finds the dependencies of the bundled flights
// data: its departure time determines the month and the day of week, and the
// hour, and not the delay; every row lies within its bin's ranges (the
// bins are exact), and they survive a save and load.
func TestFlightsDependencies(t *testing.T) {
	db, cat := flightsData(t)
	fl := db.Schema.TableIndex("flights")
	def := db.Schema.Tables[fl]
	col := def.ColumnIndex
	var dep *catalog.Dependency
	for i, d := range cat.Stats[fl].Dependencies {
		var to []string
		for _, c := range d.To {
			to = append(to, def.Columns[c].Name)
		}
		t.Logf("%s -> %v (%d bins)", def.Columns[d.From].Name, to, len(d.Bins))
		if d.From == col("dep_time") {
			dep = &cat.Stats[fl].Dependencies[i]
		}
	}
	if dep == nil {
		t.Fatal("no dependency on dep_time")
	}
	for _, c := range []string{"month", "day_of_week"} {
		if !slices.Contains(dep.To, col(c)) {
			t.Errorf("dep_time does not determine %s: %v", c, dep.To)
		}
	}
	if slices.Contains(dep.To, col("delay")) {
		t.Error("dep_time determines the delay")
	}
	tab := db.Tables[fl]
	rows := make([]int64, len(dep.Bins))
	for r := range tab.Rows {
		v := tab.Cols[dep.From].Datum(r)
		b, ok := slices.BinarySearchFunc(dep.Bins, v, func(b catalog.DependencyBin, v catalog.Datum) int {
			if catalog.Compare(b.Hi, v) < 0 {
				return -1
			}
			if catalog.Compare(b.Lo, v) > 0 {
				return 1
			}
			return 0
		})
		if !ok {
			t.Fatalf("row %d: dep_time %v in no bin", r, v)
		}
		rows[b]++
		for k, c := range dep.To {
			if x := tab.Cols[c].Datum(r); catalog.Compare(x, dep.Bins[b].Min[k]) < 0 || catalog.Compare(x, dep.Bins[b].Max[k]) > 0 {
				t.Fatalf("row %d: %s %v outside bin %d's [%v, %v]", r, def.Columns[c].Name, x, b, dep.Bins[b].Min[k], dep.Bins[b].Max[k])
			}
		}
	}
	for b := range rows {
		if rows[b] != dep.Bins[b].Rows {
			t.Fatalf("bin %d: %d rows, recorded %d", b, rows[b], dep.Bins[b].Rows)
		}
	}
	var buf bytes.Buffer
	if err := cat.Save(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := catalog.Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Stats[fl].Dependencies, cat.Stats[fl].Dependencies) {
		t.Error("dependencies differ after a save and load")
	}
	off, err := db.Catalog(catalog.StatsOptions{NoDependencies: true}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(off.Stats[fl].Dependencies) != 0 {
		t.Error("NoDependencies kept dependencies")
	}
}
