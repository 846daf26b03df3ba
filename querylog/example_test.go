package querylog_test

import (
	"bytes"
	"fmt"
	"os"

	"github.com/cardinaldb/cardinal/querylog"
)

// Write a query log and read it back.
func ExampleNewWriter() {
	var buf bytes.Buffer
	w := querylog.NewWriter(&buf)
	_ = w.Write(querylog.Record{SQL: "SELECT COUNT(*) FROM flights WHERE delay > 10", Rows: 5962})
	_ = w.Write(querylog.Record{SQL: "SELECT COUNT(*) FROM flights f JOIN airports a ON f.origin = a.iata", Rows: 20000,
		SubPlans: []querylog.SubPlan{{Aliases: []string{"f", "a"}, Rows: 20000}}})
	if err := w.Flush(); err != nil {
		panic(err)
	}
	os.Stdout.Write(buf.Bytes())
	r := querylog.NewReader(&buf)
	for {
		rec, err := r.Next()
		if err != nil {
			break // io.EOF
		}
		fmt.Println(rec.Rows, len(rec.SubPlans))
	}
	// Output:
	// {"sql":"SELECT COUNT(*) FROM flights WHERE delay > 10","rows":5962}
	// {"sql":"SELECT COUNT(*) FROM flights f JOIN airports a ON f.origin = a.iata","rows":20000,"subplans":[{"tables":["f","a"],"rows":20000}]}
	// 5962 0
	// 20000 1
}
