package datasets_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
)

func ExampleFlights() {
	db, err := datasets.Flights()
	if err != nil {
		panic(err)
	}
	for _, t := range db.Tables {
		fmt.Println(t.Def.Name, t.Rows)
	}
	fmt.Println(db.Table("flights").Row(0, nil))
	// Output:
	// flights 20000
	// airports 3376
	// routes 5366
	// [1 978310020 0 1 2 66 1750 "DTW" "LAS"]
}

func ExampleFlightsSchemaSQL() {
	sql := datasets.FlightsSchemaSQL()
	fmt.Println(strings.Count(sql, "CREATE TABLE"), strings.Count(sql, "FOREIGN KEY"))
	// Output:
	// 3 6
}

func ExampleEcommerce() {
	db, err := datasets.Ecommerce(context.Background(), datasets.EcommerceOptions{Scale: 0.1, Seed: 1})
	if err != nil {
		panic(err)
	}
	for _, t := range db.Tables {
		fmt.Println(t.Def.Name, t.Rows)
	}
	// Output:
	// customers 1000
	// products 200
	// orders 10000
	// order_items 31988
}

func ExampleEcommerceSchemaSQL() {
	schema, err := catalog.ParseSchema(datasets.EcommerceSchemaSQL())
	if err != nil {
		panic(err)
	}
	for _, fk := range schema.ForeignKeys {
		fmt.Println(fk.Table, fk.Columns, "->", fk.RefTable, fk.RefColumns)
	}
	// Output:
	// orders [customer_id] -> customers [id]
	// order_items [order_id] -> orders [id]
	// order_items [product_id] -> products [id]
}

func ExampleNewTable() {
	def := &catalog.Table{Name: "t", Columns: []catalog.Column{
		{Name: "id", Type: catalog.TypeInt},
		{Name: "tag", Type: catalog.TypeString, Nullable: true},
	}}
	t := datasets.NewTable(def)
	fmt.Println(t.AppendRow([]catalog.Datum{catalog.Int(1), catalog.String("a")}))
	fmt.Println(t.AppendRow([]catalog.Datum{catalog.Int(2), catalog.Null}))
	fmt.Println(t.AppendRow([]catalog.Datum{catalog.Int(3), catalog.String("a")}))
	err := t.AppendRow([]catalog.Datum{catalog.Null, catalog.String("b")})
	fmt.Println(errors.Is(err, datasets.ErrNullViolation))
	fmt.Println(t.Rows, t.Cols[1].Dict, t.Cols[1].Codes, t.Cols[1].Null)
	// Output:
	// <nil>
	// <nil>
	// <nil>
	// true
	// 3 [a] [0 0 0] [false true false]
}

func ExampleNewDB() {
	db := datasets.NewDB(datasets.FlightsSchema())
	fmt.Println(len(db.Tables), db.Table("airports").Rows)
	// Output:
	// 3 0
}

func ExampleLoadCSVDir() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	files := map[string]string{
		"schema.sql": "CREATE TABLE city (name VARCHAR(40) NOT NULL, pop INT, founded DATE);",
		"city.csv":   "pop,name,founded\n3645000,Berlin,1237-01-01\n,\"Nowhere, Ohio\",\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			panic(err)
		}
	}
	db, err := datasets.LoadCSVDir(context.Background(), dir)
	if err != nil {
		panic(err)
	}
	city := db.Table("city")
	for i := range city.Rows {
		var fields []string
		for j, d := range city.Row(i, nil) {
			fields = append(fields, d.Format(city.Def.Columns[j].Type))
		}
		fmt.Println(strings.Join(fields, " | "))
	}
	// A bad value is reported with file, line and column.
	os.WriteFile(filepath.Join(dir, "city.csv"), []byte("name,pop,founded\nRome,many,\n"), 0o644)
	_, err = datasets.LoadCSVDir(context.Background(), dir)
	var le *datasets.LoadError
	fmt.Println(errors.Is(err, datasets.ErrType), errors.As(err, &le), filepath.Base(le.File), le.Line, le.Column)
	// Output:
	// Berlin | 3645000 | 1237-01-01
	// Nowhere, Ohio | NULL | NULL
	// true true city.csv 2 pop
}

func ExampleLoadCSV() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "routes.csv"), []byte("origin,destination,num_flights\nSFO,LAX,120\n"), 0o644)
	schema := &catalog.Schema{Tables: []*catalog.Table{datasets.FlightsSchema().Table("routes")}}
	db, err := datasets.LoadCSV(context.Background(), schema, dir)
	if err != nil {
		panic(err)
	}
	fmt.Println(db.Table("routes").Row(0, nil))
	// Output:
	// ["SFO" "LAX" 120]
}

func ExampleDB_WriteCSVDir() {
	db, err := datasets.Flights()
	if err != nil {
		panic(err)
	}
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	if err := db.WriteCSVDir(dir); err != nil {
		panic(err)
	}
	back, err := datasets.LoadCSVDir(context.Background(), dir)
	if err != nil {
		panic(err)
	}
	fmt.Println(db.Diff(back))
	// Output:
	// <nil>
}

func ExampleLoadJSON() {
	db := datasets.NewDB(datasets.FlightsSchema())
	input := `[{"iata": "XYZ", "name": "Example Field", "latitude": 40.5, "longitude": -73.25},
	           {"iata": "ABC", "city": null}]`
	if err := datasets.LoadJSON(context.Background(), db, "airports", strings.NewReader(input)); err != nil {
		panic(err)
	}
	airports := db.Table("airports")
	fmt.Println(airports.Row(0, nil))
	fmt.Println(airports.Row(1, nil))
	err := datasets.LoadJSON(context.Background(), db, "airports", strings.NewReader(`[{"iata": "Q", "elevation": 3}]`))
	fmt.Println(err)
	// Output:
	// ["XYZ" "Example Field" NULL NULL NULL 40.5 -73.25]
	// ["ABC" NULL NULL NULL NULL NULL NULL]
	// datasets: airports:1: element 0: column "elevation": unknown column in table airports
}

func ExampleTable_WriteCSV() {
	t := datasets.NewTable(&catalog.Table{Name: "t", Columns: []catalog.Column{
		{Name: "s", Type: catalog.TypeString, Nullable: true},
		{Name: "at", Type: catalog.TypeDateTime},
	}})
	t.AppendRow([]catalog.Datum{catalog.String(""), catalog.Int(0)})
	t.AppendRow([]catalog.Datum{catalog.Null, catalog.Int(90061)})
	t.AppendRow([]catalog.Datum{catalog.String(`a "b", c`), catalog.Int(-1)})
	t.WriteCSV(os.Stdout)
	// Output:
	// s,at
	// "",1970-01-01 00:00:00
	// ,1970-01-02 01:01:01
	// "a ""b"", c",1969-12-31 23:59:59
}

func ExampleFlightsSchema() {
	s := datasets.FlightsSchema()
	for _, t := range s.Tables {
		fmt.Println(t.Name, len(t.Columns), t.PrimaryKey)
	}
	fmt.Println(s.ForeignKeys[5].Table, s.ForeignKeys[5].Columns, "->", s.ForeignKeys[5].RefTable, s.ForeignKeys[5].RefColumns)
	// Output:
	// flights 9 [id]
	// airports 7 [iata]
	// routes 3 [origin destination]
	// airports [city state] -> airports [city state]
}

func ExampleEcommerceSchema() {
	for _, t := range datasets.EcommerceSchema().Tables {
		var cols []string
		for _, c := range t.Columns {
			if c.Nullable {
				cols = append(cols, c.Name+"?")
			} else {
				cols = append(cols, c.Name)
			}
		}
		fmt.Println(t.Name, strings.Join(cols, " "))
	}
	// Output:
	// customers id name region segment signup_date age?
	// products id category brand price discount?
	// orders id customer_id order_date status total shipped_date?
	// order_items id order_id product_id quantity unit_price
}

func ExampleColumn_Intern() {
	c := &datasets.Column{Type: catalog.TypeString}
	fmt.Println(c.Intern("b"), c.Intern("a"), c.Intern("b"), c.Dict)
	// Output:
	// 0 1 0 [b a]
}

func ExampleTable_Row() {
	db, err := datasets.Flights()
	if err != nil {
		panic(err)
	}
	routes := db.Table("routes")
	var row []catalog.Datum // reused between calls
	for i := range 3 {
		row = routes.Row(i, row)
		fmt.Println(row)
	}
	// Output:
	// ["ABE" "ATL" 853]
	// ["ABE" "BHM" 1]
	// ["ABE" "CLE" 805]
}

func ExampleDB_Diff() {
	a, _ := datasets.Ecommerce(context.Background(), datasets.EcommerceOptions{Scale: 0.01, Seed: 1})
	b, _ := datasets.Ecommerce(context.Background(), datasets.EcommerceOptions{Scale: 0.01, Seed: 1})
	c, _ := datasets.Ecommerce(context.Background(), datasets.EcommerceOptions{Scale: 0.01, Seed: 2})
	fmt.Println(a.Diff(b))
	fmt.Println(a.Diff(c) != nil)
	// Output:
	// <nil>
	// true
}

func ExampleLoadError() {
	db := datasets.NewDB(datasets.FlightsSchema())
	err := datasets.LoadJSON(context.Background(), db, "routes", strings.NewReader(`[
  {"origin": "SFO", "destination": "LAX", "num_flights": 12},
  {"origin": "SFO", "destination": "SEA", "num_flights": "many"}
]`))
	var le *datasets.LoadError
	if errors.As(err, &le) {
		fmt.Println(le.Line, le.Index, le.Column, errors.Is(err, datasets.ErrType))
	}
	fmt.Println(db.Table("routes").Rows) // a failed load appends nothing
	// Output:
	// 3 1 num_flights true
	// 0
}

// TPCH at a sub-scale: 1% of SF1 by key ranges, foreign keys folded into
// them. The first call on a machine generates it (dbgen's set-up takes
// about half a minute); later calls read the on-disk cache.
func ExampleTPCH() {
	db, err := datasets.TPCH(context.Background(), datasets.TPCHOptions{Scale: 0.01})
	if err != nil {
		panic(err)
	}
	for _, t := range db.Tables {
		fmt.Println(t.Def.Name, t.Rows)
	}
	// Output:
	// region 5
	// nation 25
	// supplier 100
	// customer 1500
	// part 2000
	// partsupp 8000
	// orders 15000
	// lineitem 60175
}

func ExampleTPCHSchema() {
	s := datasets.TPCHSchema(false)
	for _, fk := range s.ForeignKeys {
		fmt.Println(fk.Table, fk.Columns, "->", fk.RefTable, fk.RefColumns)
	}
	// Output:
	// nation [n_regionkey] -> region [r_regionkey]
	// supplier [s_nationkey] -> nation [n_nationkey]
	// customer [c_nationkey] -> nation [n_nationkey]
	// partsupp [ps_partkey] -> part [p_partkey]
	// partsupp [ps_suppkey] -> supplier [s_suppkey]
	// orders [o_custkey] -> customer [c_custkey]
	// lineitem [l_orderkey] -> orders [o_orderkey]
	// lineitem [l_partkey l_suppkey] -> partsupp [ps_partkey ps_suppkey]
	// lineitem [l_partkey] -> part [p_partkey]
	// lineitem [l_suppkey] -> supplier [s_suppkey]
}

// Dates and datetimes are Unix seconds in a column; AppendDate writes them
// as MySQL and LoadCSV read them.
func ExampleAppendDate() {
	sec := int64(981173400) // 2001-02-03 04:10:00 UTC
	fmt.Println(string(datasets.AppendDate(nil, sec, false)))
	fmt.Println(string(datasets.AppendDate(nil, sec, true)))
	// Output:
	// 2001-02-03
	// 2001-02-03 04:10:00
}

// CatalogContext builds the statistics of a database, stopping with the
// context's error once it is done.
func ExampleDB_CatalogContext() {
	db, err := datasets.Flights()
	if err != nil {
		panic(err)
	}
	cat, err := db.CatalogContext(context.Background(), catalog.StatsOptions{}, 1)
	if err != nil {
		panic(err)
	}
	fmt.Println(cat.TableStats("flights").Rows, "flights,", cat.TableStats("flights").SampleSize(), "sampled")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = db.CatalogContext(ctx, catalog.StatsOptions{}, 1)
	fmt.Println(errors.Is(err, context.Canceled))
	// Output:
	// 20000 flights, 10000 sampled
	// true
}
