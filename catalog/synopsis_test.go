package catalog

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"
)

// TestJoinSynopsisFollowsKeys checks every synopsis row against the rows
// its foreign keys reference: a two-hop path (items -> orders ->
// customers), a dangling and a NULL key (Missing), a float key equal to
// an integer id, and a foreign key into non-unique columns (no synopsis).
func TestJoinSynopsisFollowsKeys(t *testing.T) {
	s, err := ParseSchema(`
CREATE TABLE customers (id INT PRIMARY KEY, region VARCHAR(8), tag INT);
CREATE TABLE orders (id INT PRIMARY KEY, cust DOUBLE REFERENCES customers (id), day INT);
CREATE TABLE items (id INT PRIMARY KEY, ord INT REFERENCES orders (id), tag INT REFERENCES customers (tag));`)
	if err != nil {
		t.Fatal(err)
	}
	const nc, no, ni = 5, 40, 300
	cust := []ColumnData{{Ints: make([]int64, nc)}, {Codes: make([]uint32, nc), Dict: []string{"eu", "us"}}, {Ints: make([]int64, nc)}}
	for i := range nc {
		cust[0].Ints[i] = int64(10 + i)
		cust[1].Codes[i] = uint32(i % 2)
		cust[2].Ints[i] = int64(i % 2) // not unique: items.tag gets no synopsis
	}
	ord := []ColumnData{{Ints: make([]int64, no)}, {Floats: make([]float64, no), Null: make([]bool, no)}, {Ints: make([]int64, no)}}
	for i := range no {
		ord[0].Ints[i] = int64(100 + i)
		ord[1].Floats[i] = float64(10 + i%nc)
		if i%7 == 3 {
			ord[1].Floats[i] = 99 // dangling
		}
		ord[1].Null[i] = i%11 == 5
		ord[2].Ints[i] = int64(i)
	}
	items := []ColumnData{{Ints: make([]int64, ni)}, {Ints: make([]int64, ni)}, {Ints: make([]int64, ni)}}
	for i := range ni {
		items[0].Ints[i] = int64(i)
		items[1].Ints[i] = int64(100 + (i*7)%no)
		items[2].Ints[i] = int64(i % 2)
	}
	src := &memSource{rows: []int{nc, no, ni}, cols: [][]ColumnData{cust, ord, items}}
	cat, err := Build(s, src, StatsOptions{SampleSize: 50}, newRand(3))
	if err != nil {
		t.Fatal(err)
	}
	it := &cat.Stats[2]
	if len(it.Joins) != 2 {
		t.Fatalf("items has %d synopses, want 2 (orders, orders->customers)", len(it.Joins))
	}
	ordersOf := map[int64]int{} // order id -> row
	for r, id := range ord[0].Ints {
		ordersOf[id] = r
	}
	for _, j := range it.Joins {
		end := j.EndTable(s)
		for i := range it.SampleSize() {
			r := ordersOf[it.Sample[1][i].I]
			switch end {
			case 1:
				if j.Sample[0][i].I != ord[0].Ints[r] || j.Sample[2][i].I != ord[2].Ints[r] {
					t.Fatalf("row %d: orders synopsis %v, want order %d", i, j.Sample[0][i], ord[0].Ints[r])
				}
			case 0:
				missing := ord[1].Null[r] || ord[1].Floats[r] == 99
				if (j.Missing != nil && j.Missing[i]) != missing {
					t.Fatalf("row %d: missing %v, want %v", i, j.Missing != nil && j.Missing[i], missing)
				}
				if !missing && float64(j.Sample[0][i].I) != ord[1].Floats[r] {
					t.Fatalf("row %d: customer %v, want %v", i, j.Sample[0][i], ord[1].Floats[r])
				}
				if missing && !j.Sample[1][i].IsNull() {
					t.Fatalf("row %d: missing row holds %v", i, j.Sample[1][i])
				}
			default:
				t.Fatalf("synopsis ends at table %d", end)
			}
		}
	}
	// orders -> customers has missing rows, and survives a round trip.
	if oj := cat.Stats[1].Joins; len(oj) != 1 || oj[0].Missing == nil {
		t.Fatalf("orders synopses %+v", oj)
	}
	got, err := Load(bytes.NewReader(saveBytes(t, cat)))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, cat) {
		t.Fatal("round trip differs")
	}
	off, err := Build(s, src, StatsOptions{SampleSize: 50, NoJoinSynopses: true}, newRand(3))
	if err != nil {
		t.Fatal(err)
	}
	if len(off.Stats[2].Joins) != 0 {
		t.Fatal("NoJoinSynopses built synopses")
	}
}

// fakeLookup answers every key with a fixed result.
type fakeLookup struct {
	rows   func(keys [][]Datum) [][]Datum
	unique bool
	err    error
}

func (f fakeLookup) Lookup(_ context.Context, _ int, keys [][]Datum) ([][]Datum, bool, error) {
	if f.err != nil {
		return nil, false, f.err
	}
	return f.rows(keys), f.unique, nil
}

// AddJoinSynopses passes lookup errors on, rejects answers of the wrong
// shape with ErrInvalidSource, and builds no synopsis through a key that
// is not unique.
func TestAddJoinSynopsesLookupErrors(t *testing.T) {
	cat := goldenCatalog(t)
	ctx := context.Background()
	boom := errors.New("server gone")
	if err := AddJoinSynopses(ctx, cat, DefaultJoinDepth, fakeLookup{err: boom}); !errors.Is(err, boom) {
		t.Errorf("lookup error: %v", err)
	}
	short := fakeLookup{unique: true, rows: func(keys [][]Datum) [][]Datum { return make([][]Datum, len(keys)/2) }}
	if err := AddJoinSynopses(ctx, cat, DefaultJoinDepth, short); !errors.Is(err, ErrInvalidSource) {
		t.Errorf("too few rows: %v", err)
	}
	narrow := fakeLookup{unique: true, rows: func(keys [][]Datum) [][]Datum {
		out := make([][]Datum, len(keys))
		for i := range out {
			out[i] = []Datum{Int(1)}
		}
		return out
	}}
	if err := AddJoinSynopses(ctx, cat, DefaultJoinDepth, narrow); !errors.Is(err, ErrInvalidSource) {
		t.Errorf("row of the wrong width: %v", err)
	}
	dup := fakeLookup{unique: false, rows: func(keys [][]Datum) [][]Datum { return nil }}
	if err := AddJoinSynopses(ctx, cat, DefaultJoinDepth, dup); err != nil || len(cat.Stats[1].Joins) != 0 {
		t.Errorf("not unique: %v, %d synopses", err, len(cat.Stats[1].Joins))
	}
}
