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

// TestKeyMapDuplicateKey: data whose declared key holds a value twice (a
// CSV export with a repeated id) still gets its statistics; the key is
// not unique in the data, so the table gets no key map (its point filter
// would not be one row) and the other tables keep theirs.
func TestKeyMapDuplicateKey(t *testing.T) {
	s, err := ParseSchema(goldenSchema)
	if err != nil {
		t.Fatal(err)
	}
	const n = 60
	cust := []ColumnData{{Ints: make([]int64, 12)}, {Codes: make([]uint32, 12)}, {Codes: make([]uint32, 12), Dict: []string{"Oslo"}}, {Ints: make([]int64, 12)}}
	for i := range 12 {
		cust[0].Ints[i] = int64(i + 1)
		cust[1].Dict = append(cust[1].Dict, "customer "+string(rune('A'+i)))
		cust[1].Codes[i] = uint32(i)
	}
	ord := []ColumnData{{Ints: make([]int64, n)}, {Ints: make([]int64, n)}, {Floats: make([]float64, n)}, {Ints: make([]int64, n)}}
	for i := range n {
		ord[0].Ints[i] = int64(1000 + i)
		ord[1].Ints[i] = int64(1 + i%12)
	}
	ord[0].Ints[7] = ord[0].Ints[3] // order 1003 twice
	src := &memSource{rows: []int{12, n}, cols: [][]ColumnData{cust, ord}}
	cat, err := Build(s, src, StatsOptions{Buckets: 4, MCVs: 3, SampleSize: 8}, newRand(7))
	if err != nil {
		t.Fatalf("Build with order 1003 twice: %v", err)
	}
	if cat.Stats[1].KeyMap != nil {
		t.Error("orders, whose id 1003 is held twice, have a key map")
	}
	if len(cat.Stats[1].Sample) == 0 {
		t.Error("orders have no sample")
	}
}
