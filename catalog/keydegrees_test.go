package catalog

import (
	"bytes"
	"errors"
	"strconv"
	"testing"
)

// Build counts the rows of every key of a non-unique join key exactly
// (orders.customer of the golden catalog), and none for a primary key.
func TestKeyDegrees(t *testing.T) {
	cat := goldenCatalog(t)
	if len(cat.Stats[0].KeyDegrees) != 0 {
		t.Errorf("customers.id is unique but has key degrees %+v", cat.Stats[0].KeyDegrees)
	}
	kd := cat.Stats[1].KeyDegreesOf([]int{1})
	if kd == nil {
		t.Fatal("orders.customer has no key degrees")
	}
	// The truth, counted here from the sample of a whole-table build.
	whole := goldenCatalogWith(t, StatsOptions{Buckets: 4, MCVs: 3, SampleSize: 100})
	want := map[int64]int64{}
	for _, d := range whole.Stats[1].Sample[1] {
		want[d.I]++
	}
	idx := kd.Index()
	total := int64(0)
	for id, n := range want {
		if got := kd.Degree(idx, AppendKey(nil, Int(id))); got != float64(n) {
			t.Errorf("customer %d: degree %v, want %d", id, got, n)
		}
		total += n
	}
	if len(kd.Keys) != len(want) || kd.RestKeys != 0 || total != cat.Stats[1].Rows {
		t.Errorf("%d keys (rest %d) for %d customers, %d rows", len(kd.Keys), kd.RestKeys, len(want), total)
	}
	if got := kd.Degree(idx, AppendKey(nil, Int(999))); got != 0 {
		t.Errorf("absent key: degree %v, want 0", got)
	}
	if cat.Stats[1].KeyDegreesOf([]int{0}) != nil {
		t.Error("key degrees on a column no foreign key joins")
	}
}

// Past MaxKeyDegrees keys the most frequent are kept and the rest summed.
func TestKeyDegreesRest(t *testing.T) {
	counts := map[string]int64{}
	for i := range MaxKeyDegrees + 10 {
		n := int64(1)
		if i < 5 {
			n = 100 + int64(i)
		}
		counts[string(AppendKey(nil, String("k"+strconv.Itoa(i))))] = n
	}
	kd, ok := newKeyDegrees([]int{0}, counts)
	if !ok || len(kd.Keys) != MaxKeyDegrees || kd.RestKeys != 10 || kd.RestRows != 10 || kd.Counts[0] != 104 {
		t.Fatalf("kept %d keys (first %d), rest %d rows %d keys", len(kd.Keys), kd.Counts[0], kd.RestRows, kd.RestKeys)
	}
	if got := kd.Degree(kd.Index(), AppendKey(nil, String("absent"))); got != 1 {
		t.Errorf("a key not kept: degree %v, want the rest's average 1", got)
	}
	if _, ok := newKeyDegrees([]int{0}, map[string]int64{"a": 1, "b": 1}); ok {
		t.Error("a unique key got a degree table")
	}
}

// Save refuses inconsistent key degrees (typed), and a round trip keeps
// them.
func TestKeyDegreesInvalid(t *testing.T) {
	for name, spoil := range map[string]func(*KeyDegrees){
		"unordered":    func(k *KeyDegrees) { k.Counts[0], k.Counts[len(k.Counts)-1] = k.Counts[len(k.Counts)-1], k.Counts[0] },
		"zero count":   func(k *KeyDegrees) { k.Counts[len(k.Counts)-1] = 0 },
		"bad column":   func(k *KeyDegrees) { k.Columns[0] = 99 },
		"rest":         func(k *KeyDegrees) { k.RestKeys = 3 },
		"too many":     func(k *KeyDegrees) { k.Counts[0] = 1 << 40 },
		"duplicate":    func(k *KeyDegrees) { k.Keys[1] = k.Keys[0] },
		"counts short": func(k *KeyDegrees) { k.Counts = k.Counts[:1] },
	} {
		cat := goldenCatalog(t)
		spoil(&cat.Stats[1].KeyDegrees[0])
		if err := cat.Save(&bytes.Buffer{}); !errors.Is(err, ErrInvalidSchema) {
			t.Errorf("%s: Save err %v, want ErrInvalidSchema", name, err)
		}
	}
}
