package catalog

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// The key map of the golden orders holds every order's id with its
// customer (the foreign key), ascending; it round-trips through Save and
// Load, and Save refuses an inconsistent one.
func TestKeyMap(t *testing.T) {
	cat := goldenCatalog(t)
	if cat.Stats[0].KeyMap != nil {
		t.Error("customers, sampled whole, have a key map")
	}
	km := cat.Stats[1].KeyMap
	if km == nil {
		t.Fatal("orders have no key map")
	}
	orders := cat.Schema.Tables[1]
	if km.Key != orders.ColumnIndex("id") || !reflect.DeepEqual(km.Columns, []int{orders.ColumnIndex("customer")}) {
		t.Fatalf("key map on %d -> %v, want id -> customer", km.Key, km.Columns)
	}
	if len(km.Keys) != 60 {
		t.Fatalf("%d keys, want all 60 orders", len(km.Keys))
	}
	// goldenCatalogWith's orders: id 1000+i, customer drawn from its rng;
	// the sample holds some of them with the same customer.
	sampled := 0
	for i, id := range cat.Stats[1].Sample[0] {
		r, ok := km.Lookup(id)
		if !ok {
			t.Fatalf("sampled order %v not in the key map", id)
		}
		if want := cat.Stats[1].Sample[1][i]; Compare(km.Values[0][r], want) != 0 {
			t.Errorf("order %v: customer %v in the key map, %v in the sample", id, km.Values[0][r], want)
		}
		sampled++
	}
	if sampled == 0 {
		t.Fatal("no sampled orders")
	}
	for _, v := range []Datum{Int(999), Int(1060), Null} {
		if _, ok := km.Lookup(v); ok {
			t.Errorf("key %v found", v)
		}
	}
	got, err := Load(bytes.NewReader(saveBytes(t, cat)))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Stats[1].KeyMap, km) {
		t.Error("key map differs after a round trip")
	}
	if c := goldenCatalogWith(t, StatsOptions{Buckets: 4, MCVs: 3, SampleSize: 8, NoKeyMaps: true}); c.Stats[1].KeyMap != nil {
		t.Error("NoKeyMaps: orders have a key map")
	}
	for name, spoil := range map[string]func(km *KeyMap){
		"keys not ascending": func(km *KeyMap) { km.Keys[0], km.Keys[1] = km.Keys[1], km.Keys[0] },
		"key twice":          func(km *KeyMap) { km.Keys[1] = km.Keys[0] },
		"values short":       func(km *KeyMap) { km.Values[0] = km.Values[0][1:] },
		"not the unique key": func(km *KeyMap) { km.Key = 2 },
		"key column":         func(km *KeyMap) { km.Columns = []int{km.Key} },
		"wrong kind":         func(km *KeyMap) { km.Values[0][0] = String("x") },
		"more keys than rows": func(km *KeyMap) {
			for i := range 60 {
				km.Keys = append(km.Keys, Int(int64(5000+i)))
				km.Values[0] = append(km.Values[0], Int(1))
			}
		},
	} {
		c := goldenCatalog(t)
		spoil(c.Stats[1].KeyMap)
		var buf bytes.Buffer
		if err := c.Save(&buf); !errors.Is(err, ErrInvalidSchema) {
			t.Errorf("%s: Save: %v, want ErrInvalidSchema", name, err)
		}
	}
}
