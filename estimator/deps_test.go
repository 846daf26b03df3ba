package estimator_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// module is the Cardinal module path.
const module = "github.com/cardinaldb/cardinal"

// deps lists the packages outside the standard library that pkg depends
// on (itself included), per `go list -deps`; test files do not count.
// Packages of this module are named relative to it ("catalog").
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list imports: %v", err)
	}
	out, err := exec.Command(gocmd, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, ee.Stderr)
		}
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	var list []string
	for _, p := range strings.Fields(string(out)) {
		if rel, ok := strings.CutPrefix(p, module+"/"); ok {
			p = rel
		}
		list = append(list, p)
	}
	slices.Sort(list)
	return list
}

// TestEstimatorStandsAlone: the estimator (and so every planner that uses
// it at plan time) depends only on the catalog, the query model and the
// labelled query log of this module, never on the in-memory database,
// its engine or the live collector in datasets (issue 8, item 1); and the
// query log is a leaf that imports nothing but the standard library.
func TestEstimatorStandsAlone(t *testing.T) {
	allowed := []string{"catalog", "estimator", "features", "internal/bincodec", "internal/optcheck", "internal/sqllex", "progress", "querylog"}
	for _, p := range deps(t, module+"/estimator") {
		if strings.Contains(p, ".") { // another module: gonum
			continue
		}
		if strings.HasPrefix(p, "datasets") {
			t.Errorf("estimator depends on %s", p)
		} else if !slices.Contains(allowed, p) {
			t.Errorf("estimator depends on %s, outside %v", p, allowed)
		}
	}
	if got := deps(t, module+"/querylog"); !slices.Equal(got, []string{"querylog"}) {
		t.Errorf("querylog depends on %v, want the standard library only", got)
	}
}
