package datasets

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
)

// testTPCHScale is the sub-scale the tests use: 100 suppliers, 1,500
// customers, 2,000 parts, 15,000 orders, about 60,000 lineitems. It is
// generated once per machine (dbgen's set-up takes half a minute) and read
// from the cache (DefaultCacheDir) afterwards.
const testTPCHScale = 0.01

func testTPCH(t testing.TB) *DB {
	t.Helper()
	db, err := TPCH(context.Background(), TPCHOptions{Scale: testTPCHScale})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestTPCHSizes(t *testing.T) {
	db := testTPCH(t)
	want := map[string]int{"region": 5, "nation": 25, "supplier": 100, "customer": 1500, "part": 2000, "partsupp": 8000, "orders": 15000}
	for name, n := range want {
		if got := db.Table(name).Rows; got != n {
			t.Errorf("%s: %d rows, want %d", name, got, n)
		}
	}
	// dbgen draws 1..7 lines per order: 4 on average.
	if l := db.Table("lineitem").Rows; l < 15000*35/10 || l > 15000*45/10 {
		t.Errorf("lineitem: %d rows, want about 60,000", l)
	}
}

// TestTPCHKeys checks every primary key is unique and every foreign key
// resolves, by hashing the key values (independently of the engine).
func TestTPCHKeys(t *testing.T) {
	db := testTPCH(t)
	key := func(tab *Table, cols []string, r int) string {
		var b strings.Builder
		for _, c := range cols {
			fmt.Fprint(&b, tab.Cols[tab.Def.ColumnIndex(c)].Datum(r), "|")
		}
		return b.String()
	}
	for _, tab := range db.Tables {
		seen := map[string]bool{}
		for r := range tab.Rows {
			k := key(tab, tab.Def.PrimaryKey, r)
			if seen[k] {
				t.Fatalf("%s: duplicate primary key %s", tab.Def.Name, k)
			}
			seen[k] = true
		}
	}
	for _, fk := range db.Schema.ForeignKeys {
		ref := db.Table(fk.RefTable)
		have := map[string]bool{}
		for r := range ref.Rows {
			have[key(ref, fk.RefColumns, r)] = true
		}
		child := db.Table(fk.Table)
		for r := range child.Rows {
			if k := key(child, fk.Columns, r); !have[k] {
				t.Fatalf("%s(%v) row %d: %s not in %s", fk.Table, fk.Columns, r, k, fk.RefTable)
			}
		}
	}
}

// TestTPCHGolden compares the generated rows with the reference dbgen
// output at SF1 (testdata/tpch_sf1_rows.txt), folding the keys the
// sub-scale folds.
func TestTPCHGolden(t *testing.T) {
	db := testTPCH(t)
	f, err := os.Open(filepath.Join("testdata", "tpch_sf1_rows.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const nSupp, nCust, nPart = 100, 1500, 2000
	sc := bufio.NewScanner(f)
	psIndex := map[string]int{} // next supplier index of a part in partsupp
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		fields := strings.Split(line, "|")
		name, want := fields[0], fields[1:]
		num := func(i int) int64 {
			v, err := strconv.ParseInt(want[i], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		tab := db.Table(name)
		var row int
		switch name {
		case "partsupp":
			p := num(0)
			i := psIndex[want[0]]
			psIndex[want[0]]++
			want[1] = strconv.FormatInt(tpchSuppOf(p, int64(i), nSupp), 10)
			row = findRow(t, tab, catalog.Int(p), catalog.Int(tpchSuppOf(p, int64(i), nSupp)))
		case "orders":
			want[1] = strconv.FormatInt((num(1)-1)%nCust+1, 10)
			want[3] = "*" // recomputed; TestTPCHTotals checks it
			row = findRow(t, tab, catalog.Int(num(0)))
		case "lineitem":
			p, s := num(1), num(2)
			which := int64(-1)
			for i := range int64(4) {
				if tpchBridge(p, i, 10000) == s {
					which = i
				}
			}
			if which < 0 {
				t.Fatalf("reference lineitem %v: supplier not of the part", want)
			}
			fp := (p-1)%nPart + 1
			want[1] = strconv.FormatInt(fp, 10)
			want[2] = strconv.FormatInt(tpchSuppOf(fp, which, nSupp), 10)
			want[5] = fmt.Sprintf("%.2f", float64(tpchRetailPrice(fp)*num(4))/100)
			row = findRow(t, tab, catalog.Int(num(0)), catalog.Int(num(3)))
		default:
			row = findRow(t, tab, catalog.Int(num(0)))
		}
		got := dbgenRow(tab, row)
		if len(got) != len(want) {
			t.Fatalf("%s: %d fields %v, want %d %v", name, len(got), got, len(want), want)
		}
		for i := range want {
			if want[i] != "*" && got[i] != want[i] {
				t.Errorf("%s row %d column %s: got %q, want %q", name, row, tab.Def.Columns[i].Name, got[i], want[i])
			}
		}
		n++
	}
	if n != 148 {
		t.Fatalf("compared %d reference rows, want 148", n)
	}
}

// findRow returns the row of tab whose leading primary-key columns equal
// key.
func findRow(t *testing.T, tab *Table, key ...catalog.Datum) int {
	t.Helper()
	for r := range tab.Rows {
		ok := true
		for i, k := range key {
			if catalog.Compare(tab.Cols[tab.Def.ColumnIndex(tab.Def.PrimaryKey[i])].Datum(r), k) != 0 {
				ok = false
				break
			}
		}
		if ok {
			return r
		}
	}
	t.Fatalf("%s: no row with key %v", tab.Def.Name, key)
	return -1
}

// dbgenRow renders a row as dbgen's .tbl format does.
func dbgenRow(tab *Table, r int) []string {
	var out []string
	for i, c := range tab.Cols {
		d := c.Datum(r)
		switch tab.Def.Columns[i].Type {
		case catalog.TypeFloat:
			out = append(out, fmt.Sprintf("%.2f", d.F))
		case catalog.TypeDate:
			out = append(out, d.Format(catalog.TypeDate))
		case catalog.TypeString:
			out = append(out, d.S)
		default:
			out = append(out, strconv.FormatInt(d.I, 10))
		}
	}
	return out
}

// TestTPCHTotals checks o_totalprice against its lineitems as dbgen
// computes it (sum of extendedprice*(1-discount)*(1+tax), truncated to
// pennies at each step), and l_extendedprice against the part's price.
func TestTPCHTotals(t *testing.T) {
	db := testTPCH(t)
	li, o, p := db.Table("lineitem"), db.Table("orders"), db.Table("part")
	col := func(tab *Table, name string) *Column { return tab.Cols[tab.Def.ColumnIndex(name)] }
	pennies := func(f float64) int64 { return int64(math.Round(f * 100)) }
	price := map[int64]int64{}
	for r := range p.Rows {
		price[col(p, "p_partkey").Ints[r]] = pennies(col(p, "p_retailprice").Floats[r])
	}
	total := map[int64]int64{}
	for r := range li.Rows {
		qty := col(li, "l_quantity").Ints[r]
		ep := pennies(col(li, "l_extendedprice").Floats[r])
		if want := price[col(li, "l_partkey").Ints[r]] * qty; ep != want {
			t.Fatalf("lineitem row %d: extendedprice %d pennies, want %d", r, ep, want)
		}
		disc, tax := pennies(col(li, "l_discount").Floats[r]), pennies(col(li, "l_tax").Floats[r])
		total[col(li, "l_orderkey").Ints[r]] += ((ep * (100 - disc)) / 100) * (100 + tax) / 100
	}
	for r := range o.Rows {
		k := col(o, "o_orderkey").Ints[r]
		if got := pennies(col(o, "o_totalprice").Floats[r]); got != total[k] {
			t.Fatalf("order %d: totalprice %d pennies, lines sum to %d", k, got, total[k])
		}
	}
}

// TestTPCHConcurrent calls TPCH from several goroutines: dbgen's state is
// behind a mutex and the cache behind a lock file, so all get the same
// data.
func TestTPCHConcurrent(t *testing.T) {
	const n = 3
	dbs := make([]*DB, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dbs[i], errs[i] = TPCH(context.Background(), TPCHOptions{Scale: testTPCHScale})
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if i > 0 {
			if err := dbs[0].Diff(dbs[i]); err != nil {
				t.Fatalf("call %d differs: %v", i, err)
			}
		}
	}
}

func TestTPCHOptions(t *testing.T) {
	for _, s := range []float64{-1, 0.0001, 1.5, 31, math.NaN(), math.Inf(1)} {
		if _, err := TPCH(context.Background(), TPCHOptions{Scale: s, NoCache: true}); !errors.Is(err, ErrOptions) {
			t.Errorf("Scale %v: got %v, want ErrOptions", s, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := TPCH(ctx, TPCHOptions{Scale: 0.01, NoCache: true}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v", err)
	}
}

func TestTPCHSchema(t *testing.T) {
	for _, comments := range []bool{false, true} {
		s, err := catalog.ParseSchema(TPCHSchemaSQL(comments))
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Tables) != 8 || len(s.ForeignKeys) != 10 {
			t.Fatalf("%d tables, %d foreign keys", len(s.Tables), len(s.ForeignKeys))
		}
		li := s.Table("lineitem")
		if got := len(li.Columns); (got == 16) != comments {
			t.Errorf("comments=%v: lineitem has %d columns", comments, got)
		}
		if fmt.Sprint(li.PrimaryKey) != "[l_orderkey l_linenumber]" {
			t.Errorf("lineitem primary key %v", li.PrimaryKey)
		}
	}
}

// TestCacheEntry round-trips a DB through the cache format and checks
// that a changed file or manifest is refused.
func TestCacheEntry(t *testing.T) {
	db, err := Ecommerce(context.Background(), EcommerceOptions{Scale: 0.02, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "entry")
	m := manifest{Format: tpchCacheFormat, Generator: "test", Scale: 0.02}
	if err := writeCacheEntry(db, dir, m); err != nil {
		t.Fatal(err)
	}
	back, err := readCacheEntry(context.Background(), dir, m)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Diff(back); err != nil {
		t.Fatal(err)
	}
	other := m
	other.Scale = 0.03
	if _, err := readCacheEntry(context.Background(), dir, other); !errors.Is(err, ErrCache) {
		t.Errorf("other options: got %v, want ErrCache", err)
	}
	path := filepath.Join(dir, "orders"+colFileExt)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readCacheEntry(context.Background(), dir, m); !errors.Is(err, ErrCache) {
		t.Errorf("changed file: got %v, want ErrCache", err)
	}
}

func TestLockDir(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	unlock, err := lockDir(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := lockDir(ctx, path)
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("second lock while held: got %v, want context.Canceled", err)
	}
	unlock()
	unlock2, err := lockDir(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	unlock2()

	// A lock left by a process that died is broken at once. PIDs wrap
	// around well below MaxInt32 on Linux, so this one is not running.
	host, _ := os.Hostname()
	if err := os.WriteFile(path, []byte(fmt.Sprintf("%d %s\n", math.MaxInt32-1, host)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	unlock3, err := lockDir(ctx, path)
	if err != nil {
		t.Fatalf("lock of a dead process not broken: %v", err)
	}
	unlock3()
}

// FuzzReadColumns feeds arbitrary bytes to the column-file reader: it
// must return an error or a table that writes back to the same bytes,
// never panic or allocate past its row bound.
func FuzzReadColumns(f *testing.F) {
	db, err := Ecommerce(context.Background(), EcommerceOptions{Scale: 0.001, Seed: 1})
	if err != nil {
		f.Fatal(err)
	}
	def := db.Table("customers").Def
	var good strings.Builder
	if err := db.Table("customers").writeColumns(&good); err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(good.String()))
	f.Add([]byte(colFileMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		tab := NewTable(def)
		if err := tab.readColumns(strings.NewReader(string(b)), 1000); err != nil {
			if !errors.Is(err, errColFile) {
				t.Fatalf("error not wrapping errColFile: %v", err)
			}
			return
		}
		var back strings.Builder
		if err := tab.writeColumns(&back); err != nil {
			t.Fatal(err)
		}
		if back.String() != string(b) {
			t.Fatalf("read %d bytes, wrote back %d different ones", len(b), back.Len())
		}
	})
}
