package features_test

import (
	"fmt"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

func exampleOrders() *catalog.Schema {
	s, err := catalog.ParseSchema(`CREATE TABLE orders (id INT PRIMARY KEY, placed DATETIME, shipped DATE, total DOUBLE, phone VARCHAR(15));`)
	if err != nil {
		panic(err)
	}
	return s
}

// ParseOptions evaluates NOW() and CURDATE() against Options.Now; the zero
// Options use DefaultNowUnix so that every run reads the same rows.
func ExampleParseOptions() {
	const sql = "SELECT * FROM orders WHERE placed > NOW() - INTERVAL 1 DAY AND shipped < DATE_ADD('1995-01-31', INTERVAL 1 MONTH)"
	q, _ := features.Parse(exampleOrders(), sql)
	fmt.Println(q.SQL())
	now := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	q, _ = features.ParseOptions(exampleOrders(), sql, features.Options{Now: now})
	fmt.Println(q.SQL())
	// Output:
	// SELECT COUNT(*) FROM `orders` AS `orders` WHERE `orders`.`placed` > '2024-12-31 00:00:00' AND `orders`.`shipped` < '1995-02-28'
	// SELECT COUNT(*) FROM `orders` AS `orders` WHERE `orders`.`placed` > '2024-02-29 12:00:00' AND `orders`.`shipped` < '1995-02-28'
}

// Functions of a column become exact ranges where one exists (YEAR,
// DATE, DATE_FORMAT prefixes, LEFT prefixes, x + k, COALESCE, IS TRUE);
// the others stay functions (ExprFunc), and two columns of one table
// compared are an ExprCols.
func ExampleParse_expressions() {
	q, _ := features.Parse(exampleOrders(), `SELECT * FROM orders
		WHERE YEAR(placed) = 1995 AND SUBSTRING(phone FROM 1 FOR 2) IN ('13', '31')
		  AND MONTH(shipped) = 5 AND shipped > placed`)
	fmt.Println(q.SQL())
	f := q.Tables[0].Filter
	fmt.Println(f.Args[2].Kind == features.ExprFunc, f.Args[2].Pred.Fn, f.Args[3].Kind == features.ExprCols)
	// Output:
	// SELECT COUNT(*) FROM `orders` AS `orders` WHERE `orders`.`placed` BETWEEN '1995-01-01 00:00:00' AND '1995-12-31 23:59:59' AND (`orders`.`phone` LIKE '13%' OR `orders`.`phone` LIKE '31%') AND MONTH(`orders`.`shipped`) = 5 AND `orders`.`shipped` > `orders`.`placed`
	// true MONTH true
}

func ExampleFunc_Apply() {
	d := catalog.Int(time.Date(1995, 3, 15, 10, 30, 0, 0, time.UTC).Unix())
	fmt.Println(features.FuncMonth.Apply(d, catalog.Null), features.FuncDayOfWeek.Apply(d, catalog.Null),
		features.FuncDateFormat.Apply(d, catalog.String("%Y/%m")).S, features.FuncLeft.Apply(catalog.String("13-555"), catalog.Int(2)).S)
	// Output:
	// 3 4 1995/03 13
}

// A condition mixing tables under OR is a residual filter; its count is
// the inclusion-exclusion over the queries Expansion lists.
func ExampleQuery_Expansion() {
	q, _ := features.Parse(exampleSchema(), `SELECT * FROM title t, kind_type kt WHERE t.kind_id = kt.id
		AND ((kt.kind = 'movie' AND t.production_year > 2000) OR (kt.kind = 'episode' AND t.production_year > 2010))`)
	fmt.Println(len(q.Residuals), "residual,", len(q.Residuals[0].Terms), "terms")
	qs, sizes, _ := q.Expansion()
	for i, x := range qs {
		sign := "+"
		if sizes[i]%2 == 0 {
			sign = "-"
		}
		fmt.Println(sign, x.SQL())
	}
	// Output:
	// 1 residual, 2 terms
	// + SELECT COUNT(*) FROM `title` AS `t` JOIN `kind_type` AS `kt` ON `t`.`kind_id` = `kt`.`id` WHERE `t`.`production_year` > 2000 AND `kt`.`kind` = 'movie'
	// + SELECT COUNT(*) FROM `title` AS `t` JOIN `kind_type` AS `kt` ON `t`.`kind_id` = `kt`.`id` WHERE `t`.`production_year` > 2010 AND `kt`.`kind` = 'episode'
	// - SELECT COUNT(*) FROM `title` AS `t` JOIN `kind_type` AS `kt` ON `t`.`kind_id` = `kt`.`id` WHERE `t`.`production_year` > 2000 AND `t`.`production_year` > 2010 AND `kt`.`kind` = 'movie' AND `kt`.`kind` = 'episode'
}
