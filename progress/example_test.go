package progress_test

import (
	"fmt"

	"github.com/cardinaldb/cardinal/progress"
)

// A caller prints what a library call reports; a nil Func ignores reports.
func ExampleFunc() {
	report := progress.Func(func(r progress.Report) {
		if r.Total == 0 {
			fmt.Printf("%s: %s\n", r.Stage, r.Detail)
			return
		}
		fmt.Printf("%s %d/%d\n", r.Stage, r.Done, r.Total)
	})
	report.Send(progress.Report{Stage: "labelling", Done: 1, Total: 2})
	report.Send(progress.Report{Stage: "labelling", Done: 2, Total: 2})
	report.Send(progress.Report{Stage: "statistics", Detail: "built in 0.80s"})
	var none progress.Func
	none.Send(progress.Report{Stage: "ignored"})
	// Output:
	// labelling 1/2
	// labelling 2/2
	// statistics: built in 0.80s
}
