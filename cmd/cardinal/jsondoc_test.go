package main

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/indexadvisor"
	"github.com/cardinaldb/cardinal/joinorder/joinbench"
)

// TestJSONDocFields: docs/json.md names (in backquotes, in the command's
// section) every JSON field of the eval-joinorder and eval-indexes
// reports, so that a field added to the code is documented too.
func TestJSONDocFields(t *testing.T) {
	b, err := os.ReadFile("../../docs/json.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	section := func(name string) string {
		i := strings.Index(doc, "## `"+name+"`")
		if i < 0 {
			t.Fatalf("docs/json.md has no section for %s", name)
		}
		s := doc[i+3:]
		if j := strings.Index(s, "\n## "); j >= 0 {
			s = s[:j]
		}
		return s
	}
	for _, c := range []struct {
		section string
		types   []any
	}{
		{"eval-joinorder", []any{evalOut{}, joinbench.ServerReport{}, joinbench.ServerQuery{}, joinbench.Guard{}, joinbench.GuardOutcome{},
			joinbench.OracleReport{}, joinbench.OracleQuery{}, joinbench.OracleCandidate{}}},
		{"eval-indexes", []any{indexadvisor.Evaluation{}, indexadvisor.StrategyResult{}, indexadvisor.GuardScore{}}},
	} {
		s := section(c.section)
		for _, v := range c.types {
			rt := reflect.TypeOf(v)
			for i := 0; i < rt.NumField(); i++ {
				name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
				if name == "" || name == "-" {
					continue
				}
				if !strings.Contains(s, "`"+name+"`") && !strings.Contains(s, `"`+name+`"`) {
					t.Errorf("docs/json.md, %s: %s.%s (%q) is not documented", c.section, rt.Name(), rt.Field(i).Name, name)
				}
			}
		}
	}
}
