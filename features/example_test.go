package features_test

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// exampleSchema: title(id, kind_id, production_year), kind_type(id, kind),
// movie_info(movie_id, info).
func exampleSchema() *catalog.Schema {
	s, err := catalog.ParseSchema(`
		CREATE TABLE title (id INT PRIMARY KEY, kind_id INT NOT NULL, production_year INT);
		CREATE TABLE kind_type (id INT PRIMARY KEY, kind VARCHAR(15) NOT NULL);
		CREATE TABLE movie_info (movie_id INT NOT NULL, info TEXT);`)
	if err != nil {
		panic(err)
	}
	return s
}

func ExampleParse() {
	q, err := features.Parse(exampleSchema(), `
		SELECT MIN(t.production_year) FROM title t, kind_type kt, movie_info mi
		WHERE kt.id = t.kind_id AND t.id = mi.movie_id
		  AND kt.kind IN ('movie', 'episode') AND t.production_year BETWEEN 2000 AND 2010`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(q.Tables), "tables,", len(q.Joins), "joins,", q.NumPreds(), "predicates")

	_, err = features.Parse(exampleSchema(), "SELECT * FROM title t WHERE t.id > ANY (SELECT movie_id FROM movie_info)")
	fmt.Println(err)
	// Output:
	// 3 tables, 2 joins, 2 predicates
	// line 1:29: unsupported ANY/ALL subquery: comparisons with ANY, SOME or ALL of a subquery are not modelled; write EXISTS
}

func ExampleQuery_SQL() {
	q, _ := features.Parse(exampleSchema(), "SELECT * FROM title t, kind_type kt WHERE t.kind_id = kt.id AND kt.kind = 'tv' AND 1990 <= t.production_year")
	fmt.Println(q.SQL())
	// Output:
	// SELECT COUNT(*) FROM `title` AS `t` JOIN `kind_type` AS `kt` ON `t`.`kind_id` = `kt`.`id` WHERE `t`.`production_year` >= 1990 AND `kt`.`kind` = 'tv'
}

func ExampleQuery_Digest() {
	s := exampleSchema()
	a, _ := features.Parse(s, "SELECT * FROM title t WHERE t.kind_id IN (1, 2) AND t.production_year > 2000")
	b, _ := features.Parse(s, "SELECT * FROM title t WHERE t.kind_id IN (7) AND t.production_year > 1950")
	c, _ := features.Parse(s, "SELECT * FROM title t WHERE t.kind_id IN (7) AND t.production_year < 1950")
	fmt.Println(a.Digest() == b.Digest(), a.Digest() == c.Digest())
	// Output:
	// true false
}

func ExampleQuery_ConnectedSubsets() {
	// A chain title - movie_info, title - kind_type: kind_type and
	// movie_info are not connected without title.
	q, _ := features.Parse(exampleSchema(), "SELECT * FROM title t, kind_type kt, movie_info mi WHERE t.kind_id = kt.id AND t.id = mi.movie_id")
	masks, err := q.ConnectedSubsets(0)
	if err != nil {
		panic(err)
	}
	for i, m := range masks {
		if i > 0 {
			fmt.Print(" ")
		}
		fmt.Printf("%03b", m)
	}
	fmt.Println()
	fmt.Println(q.Sub(0b101).SQL())
	// Output:
	// 001 010 100 011 101 111
	// SELECT COUNT(*) FROM `title` AS `t` JOIN `movie_info` AS `mi` ON `t`.`id` = `mi`.`movie_id`
}

func ExampleQuery_Describe() {
	q, _ := features.Parse(exampleSchema(), "SELECT * FROM title t JOIN kind_type kt ON kt.id = t.kind_id WHERE (t.production_year < 1950 OR t.production_year IS NULL) AND kt.kind <> 'episode' ORDER BY t.production_year")
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(q.Describe())
	// Output:
	// {
	//   "tables": [
	//     {
	//       "name": "title",
	//       "alias": "t"
	//     },
	//     {
	//       "name": "kind_type",
	//       "alias": "kt"
	//     }
	//   ],
	//   "joins": [
	//     "t.kind_id = kt.id"
	//   ],
	//   "filters": [
	//     {
	//       "alias": "t",
	//       "expr": "t.production_year < 1950 OR t.production_year IS NULL"
	//     },
	//     {
	//       "alias": "kt",
	//       "expr": "kt.kind <> 'episode'"
	//     }
	//   ],
	//   "order_by": [
	//     "t.production_year"
	//   ]
	// }
}

func ExampleExpr_Eval() {
	s := exampleSchema()
	q, _ := features.Parse(s, "SELECT * FROM title WHERE production_year NOT IN (2000, NULL) OR kind_id = 1")
	year := s.Table("title").ColumnIndex("production_year")
	row := func(kind, y catalog.Datum) func(int) catalog.Datum {
		return func(c int) catalog.Datum {
			if c == year {
				return y
			}
			return kind
		}
	}
	f := q.Tables[0].Filter
	fmt.Println(f.Eval(row(catalog.Int(1), catalog.Int(1999))))
	fmt.Println(f.Eval(row(catalog.Int(2), catalog.Int(1999))))
	fmt.Println(f.Eval(row(catalog.Int(2), catalog.Int(2000))))
	// Output:
	// TRUE
	// UNKNOWN
	// FALSE
}

func ExampleCompileLike() {
	m := features.CompileLike(`%50\%_off%`)
	fmt.Println(m.Match("save 50%!off today"), m.Match("save 50 off"))
	// Output:
	// true false
}

func ExampleSplitStatements() {
	for _, s := range features.SplitStatements("SELECT 1;\n-- note\nSELECT ';'\n  FROM t;") {
		fmt.Printf("%d:%d %q\n", s.Line, s.Col, s.SQL)
	}
	// Output:
	// 1:1 "SELECT 1"
	// 3:1 "SELECT ';'\n  FROM t"
}

func ExampleUnsatisfiable() {
	s := exampleSchema()
	for _, where := range []string{
		"t.production_year = 2000 AND t.production_year < 2000",
		"t.kind_id IN (1, 2) AND NOT (t.kind_id BETWEEN 0 AND 5)",
		"t.id > 5 AND t.id < 6",
		"t.production_year BETWEEN 1990 AND 2000 AND t.production_year <> 1995",
	} {
		q, _ := features.Parse(s, "SELECT COUNT(*) FROM title t WHERE "+where)
		fmt.Println(features.Unsatisfiable(s.Tables[q.Tables[0].Table], q.Tables[0].Filter), where)
	}
	// Output:
	// true t.production_year = 2000 AND t.production_year < 2000
	// true t.kind_id IN (1, 2) AND NOT (t.kind_id BETWEEN 0 AND 5)
	// true t.id > 5 AND t.id < 6
	// false t.production_year BETWEEN 1990 AND 2000 AND t.production_year <> 1995
}

func ExampleQuery_Aliases() {
	q, _ := features.Parse(exampleSchema(), "SELECT * FROM title t, kind_type kt, movie_info mi WHERE t.kind_id = kt.id AND t.id = mi.movie_id")
	fmt.Println(q.Aliases(0b101), q.Aliases(q.FullMask()))
	// Output: [t mi] [t kt mi]
}
