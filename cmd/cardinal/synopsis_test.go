package main

import (
	"regexp"
	"strings"
	"testing"
)

// TestSynopsisListsEveryValue checks that each command's usage line lists
// every value its --format, --dataset and --cost flags accept: the help of
// joinorder once said --cost cout|mysql and --format text|json, and gen's
// --dataset flights|ecommerce|tpch, while mariadb, jsonl and ontime were
// accepted too.
func TestSynopsisListsEveryValue(t *testing.T) {
	want := map[string]string{
		"--format":  "text|json|jsonl",
		"--dataset": "flights|ecommerce|tpch|ontime",
		"--cost":    "cout|mysql|mariadb",
	}
	// A flag followed by a list of values (a|b...), not by a placeholder.
	list := regexp.MustCompile(`(--format|--dataset|--cost) ([a-z]+(?:\|[a-z]+)+)`)
	for _, c := range commands() {
		for _, m := range list.FindAllStringSubmatch(c.synopsis, -1) {
			if c.name == "recommend" && m[1] == "--format" {
				continue // its own output formats, checked by its flag
			}
			if m[2] != want[m[1]] {
				t.Errorf("cardinal %s: synopsis says %s %s, the flag accepts %s", c.name, m[1], m[2], want[m[1]])
			}
		}
	}
	if !strings.Contains(errNoSource.Error(), want["--dataset"]) {
		t.Errorf("errNoSource %q does not list every data set (%s)", errNoSource.Error(), want["--dataset"])
	}
}
