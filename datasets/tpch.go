package datasets

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"sync"

	"github.com/pingcap/go-tpc/tpch/dbgen"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/internal/optcheck"
	"github.com/cardinaldb/cardinal/progress"
)

// TPCHOptions configures TPCH. The zero value is scale 1 without comment
// columns, cached on disk.
type TPCHOptions struct {
	// Scale is the TPC-H scale factor; 0 means 1. A whole number >= 1 is
	// dbgen's own scale (SF1: 6,001,215 lineitems, 1.5M orders, 150,000
	// customers, 200,000 parts, 800,000 partsupps, 10,000 suppliers). A
	// value in [MinTPCHSubScale, 1) is a sub-scale: that fraction of SF1
	// taken by key ranges, every foreign key folded into the kept ranges
	// (see TPCH). Anything else (a fraction above 1, NaN, a negative
	// number, more than MaxTPCHScale) is an ErrOptions error.
	Scale float64
	// Comments keeps the free-text *_comment columns (about 40% of the
	// bytes at SF1, nearly one distinct string per row). No join or index
	// experiment reads them, so they are left out by default.
	Comments bool
	// CacheDir is the directory of the on-disk cache of generated tables;
	// "" means DefaultCacheDir(). See NoCache.
	CacheDir string
	// NoCache generates the tables in memory without reading or writing
	// the cache.
	NoCache bool
	// Progress, when non-nil, gets an event (Stage "tpch", Total 0) per
	// step: generating a table, reading or writing the cache.
	Progress progress.Func
}

// Bounds of TPCHOptions.Scale.
const (
	// MaxTPCHScale bounds the scale factor: SF1 takes about 1 GB of
	// memory here, dbgen about a minute per scale factor.
	MaxTPCHScale = 30
	// MinTPCHSubScale is the smallest sub-scale: 0.001 of SF1 keeps 10
	// suppliers, the fewest for which the four suppliers of a part are
	// distinct (see tpchSuppOf).
	MinTPCHSubScale = 0.001
)

// TPC-H sizes at scale factor 1 (TPC-H specification 2.17, clause 4.2.5)
// and dbgen's four suppliers per part.
const (
	tpchSuppliers   = 10000
	tpchCustomers   = 150000
	tpchParts       = 200000
	tpchOrders      = 1500000
	tpchSuppPerPart = 4
)

// tpchTable lists the tables in schema order, the order dbgen generates
// them in below, and their columns; comment columns are last so that
// dropping them keeps the others' positions.
var tpchTables = []struct {
	name    string
	pk      []string
	cols    []catalog.Column
	comment string
}{
	{"region", []string{"r_regionkey"}, []catalog.Column{
		tpchCol("r_regionkey", catalog.TypeInt), tpchCol("r_name", catalog.TypeString)}, "r_comment"},
	{"nation", []string{"n_nationkey"}, []catalog.Column{
		tpchCol("n_nationkey", catalog.TypeInt), tpchCol("n_name", catalog.TypeString),
		tpchCol("n_regionkey", catalog.TypeInt)}, "n_comment"},
	{"supplier", []string{"s_suppkey"}, []catalog.Column{
		tpchCol("s_suppkey", catalog.TypeInt), tpchCol("s_name", catalog.TypeString),
		tpchCol("s_address", catalog.TypeString), tpchCol("s_nationkey", catalog.TypeInt),
		tpchCol("s_phone", catalog.TypeString), tpchCol("s_acctbal", catalog.TypeFloat)}, "s_comment"},
	{"customer", []string{"c_custkey"}, []catalog.Column{
		tpchCol("c_custkey", catalog.TypeInt), tpchCol("c_name", catalog.TypeString),
		tpchCol("c_address", catalog.TypeString), tpchCol("c_nationkey", catalog.TypeInt),
		tpchCol("c_phone", catalog.TypeString), tpchCol("c_acctbal", catalog.TypeFloat),
		tpchCol("c_mktsegment", catalog.TypeString)}, "c_comment"},
	{"part", []string{"p_partkey"}, []catalog.Column{
		tpchCol("p_partkey", catalog.TypeInt), tpchCol("p_name", catalog.TypeString),
		tpchCol("p_mfgr", catalog.TypeString), tpchCol("p_brand", catalog.TypeString),
		tpchCol("p_type", catalog.TypeString), tpchCol("p_size", catalog.TypeInt),
		tpchCol("p_container", catalog.TypeString), tpchCol("p_retailprice", catalog.TypeFloat)}, "p_comment"},
	{"partsupp", []string{"ps_partkey", "ps_suppkey"}, []catalog.Column{
		tpchCol("ps_partkey", catalog.TypeInt), tpchCol("ps_suppkey", catalog.TypeInt),
		tpchCol("ps_availqty", catalog.TypeInt), tpchCol("ps_supplycost", catalog.TypeFloat)}, "ps_comment"},
	{"orders", []string{"o_orderkey"}, []catalog.Column{
		tpchCol("o_orderkey", catalog.TypeInt), tpchCol("o_custkey", catalog.TypeInt),
		tpchCol("o_orderstatus", catalog.TypeString), tpchCol("o_totalprice", catalog.TypeFloat),
		tpchCol("o_orderdate", catalog.TypeDate), tpchCol("o_orderpriority", catalog.TypeString),
		tpchCol("o_clerk", catalog.TypeString), tpchCol("o_shippriority", catalog.TypeInt)}, "o_comment"},
	{"lineitem", []string{"l_orderkey", "l_linenumber"}, []catalog.Column{
		tpchCol("l_orderkey", catalog.TypeInt), tpchCol("l_partkey", catalog.TypeInt),
		tpchCol("l_suppkey", catalog.TypeInt), tpchCol("l_linenumber", catalog.TypeInt),
		tpchCol("l_quantity", catalog.TypeInt), tpchCol("l_extendedprice", catalog.TypeFloat),
		tpchCol("l_discount", catalog.TypeFloat), tpchCol("l_tax", catalog.TypeFloat),
		tpchCol("l_returnflag", catalog.TypeString), tpchCol("l_linestatus", catalog.TypeString),
		tpchCol("l_shipdate", catalog.TypeDate), tpchCol("l_commitdate", catalog.TypeDate),
		tpchCol("l_receiptdate", catalog.TypeDate), tpchCol("l_shipinstruct", catalog.TypeString),
		tpchCol("l_shipmode", catalog.TypeString)}, "l_comment"},
}

func tpchCol(name string, t catalog.Type) catalog.Column { return catalog.Column{Name: name, Type: t} }

// TPCHSchema returns the TPC-H schema: region, nation, supplier, customer,
// part, partsupp, orders and lineitem with the specification's column
// names, primary keys (composite for partsupp and lineitem) and foreign
// keys (clause 1.4.2):
//
//	nation(n_regionkey)             -> region(r_regionkey)
//	supplier(s_nationkey)           -> nation(n_nationkey)
//	customer(c_nationkey)           -> nation(n_nationkey)
//	partsupp(ps_partkey)            -> part(p_partkey)
//	partsupp(ps_suppkey)            -> supplier(s_suppkey)
//	orders(o_custkey)               -> customer(c_custkey)
//	lineitem(l_orderkey)            -> orders(o_orderkey)
//	lineitem(l_partkey, l_suppkey)  -> partsupp(ps_partkey, ps_suppkey)
//	lineitem(l_partkey)             -> part(p_partkey)
//	lineitem(l_suppkey)             -> supplier(s_suppkey)
//
// Keys, counts and sizes are INT; money, discount and tax DOUBLE (the
// specification's DECIMAL(15,2)); dates DATE; text VARCHAR. With comments
// every table ends with its *_comment column. No column is nullable.
func TPCHSchema(comments bool) *catalog.Schema {
	s := &catalog.Schema{}
	for _, t := range tpchTables {
		def := &catalog.Table{Name: t.name, PrimaryKey: t.pk, Columns: append([]catalog.Column(nil), t.cols...)}
		if comments {
			def.Columns = append(def.Columns, tpchCol(t.comment, catalog.TypeString))
		}
		s.Tables = append(s.Tables, def)
	}
	fk := func(table string, cols []string, ref string, refCols []string) {
		s.ForeignKeys = append(s.ForeignKeys, catalog.ForeignKey{Table: table, Columns: cols, RefTable: ref, RefColumns: refCols})
	}
	fk("nation", []string{"n_regionkey"}, "region", []string{"r_regionkey"})
	fk("supplier", []string{"s_nationkey"}, "nation", []string{"n_nationkey"})
	fk("customer", []string{"c_nationkey"}, "nation", []string{"n_nationkey"})
	fk("partsupp", []string{"ps_partkey"}, "part", []string{"p_partkey"})
	fk("partsupp", []string{"ps_suppkey"}, "supplier", []string{"s_suppkey"})
	fk("orders", []string{"o_custkey"}, "customer", []string{"c_custkey"})
	fk("lineitem", []string{"l_orderkey"}, "orders", []string{"o_orderkey"})
	fk("lineitem", []string{"l_partkey", "l_suppkey"}, "partsupp", []string{"ps_partkey", "ps_suppkey"})
	fk("lineitem", []string{"l_partkey"}, "part", []string{"p_partkey"})
	fk("lineitem", []string{"l_suppkey"}, "supplier", []string{"s_suppkey"})
	return s
}

// TPCHSchemaSQL returns TPCHSchema(comments) as MySQL CREATE TABLE
// statements.
func TPCHSchemaSQL(comments bool) string { return TPCHSchema(comments).SQL() }

// tpchScale checks a scale and returns it with its default applied.
func tpchScale(scale float64) (float64, error) {
	if scale == 0 {
		scale = 1
	}
	switch {
	case math.IsNaN(scale) || scale < MinTPCHSubScale || scale > MaxTPCHScale:
		return 0, fmt.Errorf("datasets: %w: TPC-H Scale %v not in [%g, %d]", ErrOptions, scale, MinTPCHSubScale, MaxTPCHScale)
	case scale > 1 && scale != math.Trunc(scale):
		return 0, fmt.Errorf("datasets: %w: TPC-H Scale %v above 1 must be a whole number (dbgen's scale factor is an integer)", ErrOptions, scale)
	}
	return scale, nil
}

// TPCH returns the TPC-H database (schema TPCHSchema(opts.Comments)) at
// opts.Scale, generated by go-tpc's port of the TPC-H dbgen
// (github.com/pingcap/go-tpc/tpch/dbgen): the same rows as the reference
// dbgen at that scale.
//
// A sub-scale f in [MinTPCHSubScale, 1) keeps the first round(f*n) keys of
// SF1's supplier, customer, part and orders (with all their partsupps and
// lineitems) and folds every foreign key into the kept ranges, so that
// every key is valid and the table ratios are those of SF1:
//
//	o_custkey   -> (o_custkey-1) mod C + 1
//	l_partkey   -> (l_partkey-1) mod P + 1
//	supplier i of part p (i = 0..3, in partsupp and lineitem)
//	            -> (p - 1 + i*floor(S/4)) mod S + 1
//
// with C, P and S the kept customers, parts and suppliers;
// l_extendedprice and o_totalprice are recomputed from the folded part
// keys as dbgen computes them. Dates, quantities, flags and all other
// values are SF1's.
//
// dbgen keeps its state in package variables and prints to standard
// output, so generation is serialised by a process-wide mutex and
// standard output is pointed at the null device while dbgen runs
// (concurrent writes to os.Stdout by other goroutines are lost for that
// time). Its set-up alone builds a 300 MB text pool (about 30 s here),
// whatever the scale, so generated tables are cached on disk (see
// CacheDir; schema.sql and one binary column file per table, colfile.go,
// with a manifest of format version, options and SHA-256 per file),
// guarded by a lock file across processes: the first call generates,
// later calls and other processes read the cache.
func TPCH(ctx context.Context, opts TPCHOptions) (*DB, error) {
	if err := optcheck.Struct(ErrOptions, "TPCHOptions", opts); err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	scale, err := tpchScale(opts.Scale)
	if err != nil {
		return nil, err
	}
	opts.Scale = scale
	if opts.NoCache {
		return generateTPCH(ctx, opts)
	}
	return cachedTPCH(ctx, opts)
}

// dbgenMu serialises use of dbgen's package state.
var dbgenMu sync.Mutex

// errTPCHEnough stops dbgen once a sub-scale has all its rows.
var errTPCHEnough = errors.New("enough rows")

// generateTPCH runs dbgen (holding dbgenMu) into a new DB.
func generateTPCH(ctx context.Context, opts TPCHOptions) (*DB, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	db := NewDB(TPCHSchema(opts.Comments))
	g := &tpchGen{ctx: ctx, db: db, comments: opts.Comments, sf: int64(math.Max(1, opts.Scale))}
	if opts.Scale < 1 {
		f := opts.Scale
		g.sub = true
		g.nSupp = int64(math.Round(f * tpchSuppliers))
		g.nCust = int64(math.Round(f * tpchCustomers))
		g.nPart = int64(math.Round(f * tpchParts))
		g.nOrd = int64(math.Round(f * tpchOrders))
	}
	report := func(format string, args ...any) {
		if opts.Progress != nil {
			opts.Progress(progress.Report{Stage: "tpch", Detail: fmt.Sprintf(format, args...)})
		}
	}

	dbgenMu.Lock()
	defer dbgenMu.Unlock()
	restore, err := silenceStdout()
	if err != nil {
		return nil, err
	}
	defer restore()
	report("dbgen set-up (scale factor %d; builds a 300 MB text pool)", g.sf)
	dbgen.InitDbGen(g.sf)
	loaders := map[dbgen.Table]dbgen.Loader{
		dbgen.TRegion: tpchLoader(g.region), dbgen.TNation: tpchLoader(g.nation),
		dbgen.TSupp: tpchLoader(g.supplier), dbgen.TCust: tpchLoader(g.customer),
		dbgen.TPart: tpchLoader(g.part), dbgen.TPsupp: tpchLoader(g.partsupp),
		dbgen.TOrder: tpchLoader(g.order), dbgen.TLine: tpchLoader(g.lineitems),
	}
	// The reference order of dbgen (driver.c): dimension tables first,
	// part with partsupp, orders with lineitem.
	steps := []struct {
		table dbgen.Table
		name  string
	}{
		{dbgen.TRegion, "region"}, {dbgen.TNation, "nation"}, {dbgen.TSupp, "supplier"},
		{dbgen.TCust, "customer"}, {dbgen.TPartPsupp, "part, partsupp"}, {dbgen.TOrderLine, "orders, lineitem"},
	}
	for _, st := range steps {
		report("generating %s", st.name)
		g.stopped = false
		err := dbgen.DbGen(loaders, []dbgen.Table{st.table})
		if g.err != nil {
			return nil, g.err
		}
		if err != nil && !g.stopped {
			return nil, fmt.Errorf("datasets: dbgen: %w", err)
		}
	}
	return db, nil
}

// silenceStdout points os.Stdout at the null device until restore is
// called.
func silenceStdout() (restore func(), err error) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	saved := os.Stdout
	os.Stdout = null
	return func() {
		os.Stdout = saved
		null.Close()
	}, nil
}

// tpchLoader adapts a function to dbgen.Loader.
type tpchLoader func(item any) error

func (l tpchLoader) Load(item any) error { return l(item) }
func (l tpchLoader) Flush() error        { return nil }

// tpchGen appends dbgen's rows to a DB, folding keys for sub-scales.
type tpchGen struct {
	ctx      context.Context
	db       *DB
	comments bool
	sf       int64
	// sub is set for a sub-scale keeping nSupp suppliers, nCust
	// customers, nPart parts and nOrd orders.
	sub                         bool
	nSupp, nCust, nPart, nOrd   int64
	orders, parts, supps, custs int64 // rows appended so far
	// stopped reports that a loader ended a table early (sub-scale);
	// err is a real failure (context, bad value).
	stopped bool
	err     error
	row     []catalog.Datum
	lines   []tpchLine // the current order's folded lines (sub-scale)
}

// enough stops the current table when a sub-scale has n rows of it.
func (g *tpchGen) enough(have, want int64) bool {
	if g.sub && have >= want {
		g.stopped = true
		return true
	}
	return false
}

// fail records err and returns it to dbgen, which stops.
func (g *tpchGen) fail(err error) error {
	g.err = err
	return err
}

// add appends one row to table t, plus the comment when kept.
func (g *tpchGen) add(t int, comment string, vals ...catalog.Datum) error {
	g.row = append(g.row[:0], vals...)
	if g.comments {
		g.row = append(g.row, catalog.String(comment))
	}
	if err := g.db.Tables[t].AppendRow(g.row); err != nil {
		return g.fail(err)
	}
	return nil
}

// Table indexes in TPCHSchema.
const (
	tiRegion = iota
	tiNation
	tiSupplier
	tiCustomer
	tiPart
	tiPartsupp
	tiOrders
	tiLineitem
)

// money converts dbgen's pennies to a float (FmtMoney's value).
func money(p int64) catalog.Datum { return catalog.Float(float64(p) / 100) }

// tpchDate converts dbgen's "YYYY-MM-DD" to a DATE datum.
func (g *tpchGen) date(s string) (catalog.Datum, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return catalog.Null, g.fail(fmt.Errorf("datasets: dbgen: %w: date %q", ErrType, s))
	}
	num := func(b string) int {
		n := 0
		for i := 0; i < len(b); i++ {
			n = n*10 + int(b[i]-'0')
		}
		return n
	}
	return catalog.Int(daysFromCivil(num(s[:4]), num(s[5:7]), num(s[8:])) * secondsPerDay), nil
}

func (g *tpchGen) region(item any) error {
	r := item.(*dbgen.Region)
	return g.add(tiRegion, r.Comment, catalog.Int(int64(r.Code)), catalog.String(r.Text))
}

func (g *tpchGen) nation(item any) error {
	n := item.(*dbgen.Nation)
	return g.add(tiNation, n.Comment, catalog.Int(int64(n.Code)), catalog.String(n.Text), catalog.Int(int64(n.Join)))
}

func (g *tpchGen) supplier(item any) error {
	if g.enough(g.supps, g.nSupp) {
		return errTPCHEnough
	}
	g.supps++
	s := item.(*dbgen.Supp)
	return g.add(tiSupplier, s.Comment, catalog.Int(int64(s.SuppKey)), catalog.String(s.Name), catalog.String(s.Address),
		catalog.Int(int64(s.NationCode)), catalog.String(s.Phone), money(int64(s.Acctbal)))
}

func (g *tpchGen) customer(item any) error {
	if g.enough(g.custs, g.nCust) {
		return errTPCHEnough
	}
	g.custs++
	c := item.(*dbgen.Cust)
	return g.add(tiCustomer, c.Comment, catalog.Int(int64(c.CustKey)), catalog.String(c.Name), catalog.String(c.Address),
		catalog.Int(int64(c.NationCode)), catalog.String(c.Phone), money(int64(c.Acctbal)), catalog.String(c.MktSegment))
}

// part is called before partsupp for each part (dbgen's part/partsupp
// loader); it alone counts and stops.
func (g *tpchGen) part(item any) error {
	if g.enough(g.parts, g.nPart) {
		return errTPCHEnough
	}
	if g.parts%csvCheckEvery == 0 {
		if err := g.ctx.Err(); err != nil {
			return g.fail(err)
		}
	}
	g.parts++
	p := item.(*dbgen.Part)
	return g.add(tiPart, p.Comment, catalog.Int(int64(p.PartKey)), catalog.String(p.Name), catalog.String(p.Mfgr),
		catalog.String(p.Brand), catalog.String(p.Type), catalog.Int(int64(p.Size)), catalog.String(p.Container),
		money(int64(p.RetailPrice)))
}

func (g *tpchGen) partsupp(item any) error {
	p := item.(*dbgen.Part)
	for i, ps := range p.S {
		supp := int64(ps.SuppKey)
		if g.sub {
			supp = tpchSuppOf(int64(p.PartKey), int64(i), g.nSupp)
		}
		err := g.add(tiPartsupp, ps.Comment, catalog.Int(int64(ps.PartKey)), catalog.Int(supp),
			catalog.Int(int64(ps.Qty)), money(int64(ps.SCost)))
		if err != nil {
			return err
		}
	}
	return nil
}

// order is called before lineitems for each order; it alone counts,
// stops and folds the order's keys (so lineitems see the folded ones).
func (g *tpchGen) order(item any) error {
	if g.enough(g.orders, g.nOrd) {
		return errTPCHEnough
	}
	if g.orders%csvCheckEvery == 0 {
		if err := g.ctx.Err(); err != nil {
			return g.fail(err)
		}
	}
	g.orders++
	o := item.(*dbgen.Order)
	cust, total := int64(o.CustKey), int64(o.TotalPrice)
	if g.sub {
		cust, total = g.fold(o)
	}
	d, err := g.date(o.Date)
	if err != nil {
		return err
	}
	return g.add(tiOrders, o.Comment, catalog.Int(int64(o.OKey)), catalog.Int(cust),
		catalog.String(string(o.Status)), money(total), d, catalog.String(o.OrderPriority),
		catalog.String(o.Clerk), catalog.Int(o.ShipPriority))
}

// tpchLine is a lineitem's part, supplier and extended price (pennies)
// after folding.
type tpchLine struct{ part, supp, eprice int64 }

// fold maps an SF1 order's customer, parts and suppliers into a
// sub-scale's key ranges, recomputing the prices that depend on the part
// (dbgen's rpbRoutine and makeOrder). It returns the folded customer and
// total price and leaves the lines in g.lines.
func (g *tpchGen) fold(o *dbgen.Order) (cust, total int64) {
	cust = (int64(o.CustKey)-1)%g.nCust + 1
	g.lines = g.lines[:0]
	for _, l := range o.Lines {
		p, s := int64(l.PartKey), int64(l.SuppKey)
		which := int64(0)
		for i := range int64(tpchSuppPerPart) {
			if tpchBridge(p, i, tpchSuppliers) == s {
				which = i
				break
			}
		}
		p = (p-1)%g.nPart + 1
		f := tpchLine{part: p, supp: tpchSuppOf(p, which, g.nSupp), eprice: tpchRetailPrice(p) * int64(l.Quantity)}
		total += ((f.eprice * (100 - int64(l.Discount))) / 100) * (100 + int64(l.Tax)) / 100
		g.lines = append(g.lines, f)
	}
	return cust, total
}

func (g *tpchGen) lineitems(item any) error {
	o := item.(*dbgen.Order)
	for i, l := range o.Lines {
		part, supp, eprice := int64(l.PartKey), int64(l.SuppKey), int64(l.EPrice)
		if g.sub {
			part, supp, eprice = g.lines[i].part, g.lines[i].supp, g.lines[i].eprice
		}
		sd, err := g.date(l.SDate)
		if err != nil {
			return err
		}
		cd, err := g.date(l.CDate)
		if err != nil {
			return err
		}
		rd, err := g.date(l.RDate)
		if err != nil {
			return err
		}
		err = g.add(tiLineitem, l.Comment, catalog.Int(int64(l.OKey)), catalog.Int(part),
			catalog.Int(supp), catalog.Int(int64(l.LCnt)), catalog.Int(int64(l.Quantity)),
			money(eprice), money(int64(l.Discount)), money(int64(l.Tax)),
			catalog.String(string(l.RFlag)), catalog.String(string(l.LStatus)), sd, cd, rd,
			catalog.String(l.ShipInstruct), catalog.String(l.ShipMode))
		if err != nil {
			return err
		}
	}
	return nil
}

// tpchBridge is dbgen's PART_SUPP_BRIDGE: supplier i (0..3) of part p
// among n suppliers.
func tpchBridge(p, i, n int64) int64 {
	return (p+i*(n/tpchSuppPerPart+(p-1)/n))%n + 1
}

// tpchSuppOf is supplier i (0..3) of part p in a sub-scale of n >= 4
// suppliers: (p - 1 + i*floor(n/4)) mod n + 1, four distinct suppliers.
// (dbgen's bridge can repeat a supplier when n is small.)
func tpchSuppOf(p, i, n int64) int64 {
	return (p-1+i*(n/tpchSuppPerPart))%n + 1
}

// tpchRetailPrice is dbgen's rpbRoutine: part p's retail price in pennies.
func tpchRetailPrice(p int64) int64 {
	return 90000 + (p/10)%20001 + (p%1000)*100
}
