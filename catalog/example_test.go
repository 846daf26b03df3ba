package catalog_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/cardinaldb/cardinal/catalog"
)

const shopSQL = `
-- A tiny shop.
CREATE TABLE customers (
  id INT PRIMARY KEY,
  city VARCHAR(40)
);
CREATE TABLE orders (
  id BIGINT PRIMARY KEY,
  customer INT NOT NULL,
  amount DECIMAL(8,2),
  FOREIGN KEY (customer) REFERENCES customers (id)
) ENGINE=InnoDB;`

// shop is an in-memory catalog.Source with the data of shopSQL.
type shop struct{ cols [][]catalog.ColumnData }

func (s shop) NumRows(t int) int {
	if t == 0 {
		return len(s.cols[0][0].Ints)
	}
	return len(s.cols[1][0].Ints)
}

func (s shop) ColumnData(t, c int) catalog.ColumnData { return s.cols[t][c] }

func shopData() shop {
	return shop{cols: [][]catalog.ColumnData{
		{
			{Ints: []int64{1, 2, 3, 4}},
			{Codes: []uint32{0, 1, 0, 0}, Dict: []string{"Oslo", "Lyon"}, Null: []bool{false, false, false, true}},
		},
		{
			{Ints: []int64{10, 11, 12, 13, 14, 15, 16, 17}},
			{Ints: []int64{1, 1, 1, 1, 2, 3, 3, 4}},
			{Floats: []float64{5, 7.5, 12, 3, 9.25, 20, 1, 4}},
		},
	}}
}

func ExampleParseSchema() {
	s, err := catalog.ParseSchema(shopSQL)
	if err != nil {
		panic(err)
	}
	for _, t := range s.Tables {
		fmt.Println(t.Name, t.Columns, "PK", t.PrimaryKey)
	}
	fmt.Printf("%+v\n", s.ForeignKeys)

	_, err = catalog.ParseSchema("CREATE TABLE t (\n  id INT,\n  photo BLOB\n)")
	fmt.Println(err, errors.Is(err, catalog.ErrUnsupportedType))
	// Output:
	// customers [{id int false} {city string true}] PK [id]
	// orders [{id int false} {customer int false} {amount float true}] PK [id]
	// [{Table:orders Columns:[customer] RefTable:customers RefColumns:[id]}]
	// 3:9: unsupported column type: type BLOB of column "t"."photo" true
}

func ExampleSchema_SQL() {
	s, _ := catalog.ParseSchema("create table t (a int primary key, b text not null, c datetime)")
	fmt.Print(s.SQL())
	// Output:
	// CREATE TABLE `t` (
	//   `a` BIGINT NOT NULL,
	//   `b` VARCHAR(255) NOT NULL,
	//   `c` DATETIME,
	//   PRIMARY KEY (`a`)
	// );
}

func ExampleSchema_Validate() {
	s := &catalog.Schema{Tables: []*catalog.Table{{Name: "t", Columns: []catalog.Column{{Name: "a", Type: catalog.TypeInt}}}}}
	s.ForeignKeys = []catalog.ForeignKey{{Table: "t", Columns: []string{"a"}, RefTable: "u", RefColumns: []string{"b"}}}
	err := s.Validate()
	fmt.Println(err, errors.Is(err, catalog.ErrUnknownTable))
	// Output: unknown table: foreign key of "t" references unknown table "u" true
}

func ExampleBuild() {
	s, _ := catalog.ParseSchema(shopSQL)
	cat, err := catalog.Build(s, shopData(), catalog.StatsOptions{Buckets: 2}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		panic(err)
	}
	orders := cat.TableStats("orders")
	cust := orders.Columns[1]
	fmt.Println("rows", orders.Rows, "sample", orders.SampleSize())
	fmt.Println("customer: distinct", cust.Distinct, "min", cust.Min, "max", cust.Max)
	fmt.Println("MCVs", cust.MCVs, "histogram", cust.Histogram, "covering", cust.HistFrac)
	city := cat.TableStats("customers").Columns[1]
	fmt.Println("city: null", city.NullFrac, "MCVs", city.MCVs, "histogram", city.Histogram)
	// Output:
	// rows 8 sample 8
	// customer: distinct 4 min 1 max 4
	// MCVs [{1 0.5}] histogram [2 3 4] covering 0.5
	// city: null 0.25 MCVs [{"Oslo" 0.5}] histogram ["Lyon" "Lyon"]
}

func ExampleCatalog_Fingerprint() {
	s, _ := catalog.ParseSchema(shopSQL)
	a, _ := catalog.Build(s, shopData(), catalog.StatsOptions{}, rand.New(rand.NewPCG(1, 2)))
	data := shopData()
	data.cols[1][2].Floats[0] = 6 // one changed amount
	b, _ := catalog.Build(s, data, catalog.StatsOptions{}, rand.New(rand.NewPCG(1, 2)))
	fmt.Println(a.Fingerprint())
	fmt.Println(a.Fingerprint() == b.Fingerprint())
	// Output:
	// dc79c4310e798327d1bba8160a722045
	// false
}

func ExampleLoad() {
	s, _ := catalog.ParseSchema(shopSQL)
	cat, _ := catalog.Build(s, shopData(), catalog.StatsOptions{}, rand.New(rand.NewPCG(1, 2)))
	var buf bytes.Buffer
	if err := cat.Save(&buf); err != nil {
		panic(err)
	}
	back, err := catalog.Load(&buf)
	if err != nil {
		panic(err)
	}
	fmt.Println(back.Fingerprint() == cat.Fingerprint(), back.TableStats("orders").Rows)
	_, err = catalog.Load(bytes.NewReader([]byte("not a catalog")))
	fmt.Println(errors.Is(err, catalog.ErrBadMagic))
	// Output:
	// true 8
	// true
}

func ExampleCatalog_Save() {
	s, _ := catalog.ParseSchema(shopSQL)
	cat, _ := catalog.Build(s, shopData(), catalog.StatsOptions{}, rand.New(rand.NewPCG(1, 2)))
	var buf bytes.Buffer
	if err := cat.Save(&buf); err != nil {
		panic(err)
	}
	fmt.Printf("%q version %d\n", buf.Bytes()[:8], buf.Bytes()[8])
	// Output: "CARDCAT\x00" version 8
}

func ExampleQuoteIdent() {
	fmt.Println(catalog.QuoteIdent("order"), catalog.QuoteIdent("we`ird"))
	// Output: `order` `we``ird`
}

// Build joins each sampled order to its customer (a join synopsis), so the
// join's filters can be evaluated on one row.
func ExampleJoinSample() {
	s, _ := catalog.ParseSchema(shopSQL)
	cat, _ := catalog.Build(s, shopData(), catalog.StatsOptions{}, rand.New(rand.NewPCG(1, 2)))
	orders := cat.TableStats("orders")
	j := orders.Joins[0]
	fmt.Println("path to", s.Tables[j.EndTable(s)].Name, "via", s.ForeignKeys[j.Path[0]].Columns)
	for i := range 3 {
		fmt.Println("order", orders.Sample[0][i], "customer", orders.Sample[1][i], "->", j.Sample[0][i], j.Sample[1][i])
	}
	// Output:
	// path to customers via [customer]
	// order 10 customer 1 -> 1 "Oslo"
	// order 11 customer 1 -> 1 "Oslo"
	// order 12 customer 1 -> 1 "Oslo"
}

// AddJoinSynopses can take the referenced rows from anywhere: here from
// the data itself, as Build does (datasets/live asks a server by key).
func ExampleAddJoinSynopses() {
	s, _ := catalog.ParseSchema(shopSQL)
	cat, _ := catalog.Build(s, shopData(), catalog.StatsOptions{NoJoinSynopses: true}, rand.New(rand.NewPCG(1, 2)))
	fmt.Println(len(cat.TableStats("orders").Joins))
	err := catalog.AddJoinSynopses(context.Background(), cat, catalog.DefaultJoinDepth, catalog.NewSourceLookup(s, shopData()))
	j := cat.TableStats("orders").Joins[0]
	fmt.Println(err, len(cat.TableStats("orders").Joins), j.Sample[1][7], j.Missing == nil)
	// Output:
	// 0
	// <nil> 1 NULL true
}

func ExampleSchema_ResolveForeignKeys() {
	s, _ := catalog.ParseSchema(shopSQL)
	fmt.Printf("%+v\n", s.ResolveForeignKeys())
	// Output: [{From:1 To:0 FromCols:[1] ToCols:[0]}]
}

func ExampleAppendKey() {
	a := catalog.AppendKey(nil, catalog.Int(7), catalog.String("x"))
	b := catalog.AppendKey(nil, catalog.Float(7), catalog.String("x"))
	fmt.Println(bytes.Equal(a, b))
	// Output: true
}

// BuildContext stops with the context's error once it is done (Build is
// BuildContext with context.Background()).
func ExampleBuildContext() {
	s, _ := catalog.ParseSchema(shopSQL)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // e.g. the user pressed Ctrl-C
	_, err := catalog.BuildContext(ctx, s, shopData(), catalog.StatsOptions{}, rand.New(rand.NewPCG(1, 2)))
	fmt.Println(err, errors.Is(err, context.Canceled))
	// Output: context canceled true
}

// SampleSizes says how many rows Build samples of each table: orders and
// reviews both reference customers and neither reaches the other, so both
// are sampled at the shared-key size.
func ExampleSampleSizes() {
	s, err := catalog.ParseSchema(`
CREATE TABLE customers (id INT PRIMARY KEY);
CREATE TABLE orders (id INT PRIMARY KEY, customer INT REFERENCES customers (id));
CREATE TABLE reviews (id INT PRIMARY KEY, customer INT REFERENCES customers (id));`)
	if err != nil {
		panic(err)
	}
	sizes, err := catalog.SampleSizes(s, []int64{50_000, 1_000_000, 200_000}, catalog.StatsOptions{})
	fmt.Println(sizes, err)
	// Output:
	// [10000 30000 30000] <nil>
}
