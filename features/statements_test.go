package features

import (
	"reflect"
	"testing"
)

func TestSplitStatements(t *testing.T) {
	cases := []struct {
		in   string
		want []Statement
	}{
		{"SELECT 1\n\nSELECT 2 -- two\n  # comment only\nSELECT 'a\nb'\nSELECT 4",
			[]Statement{{"SELECT 1", 1, 1}, {"SELECT 2", 3, 1}, {"SELECT 'a\nb'", 5, 1}, {"SELECT 4", 7, 1}}},
		{"SELECT 1;\nSELECT\n  2 ; ; SELECT ';' /* ; */;",
			[]Statement{{"SELECT 1", 1, 1}, {"SELECT\n  2", 2, 1}, {"SELECT ';'", 3, 9}}},
		{"", nil},
		{"-- nothing\n", nil},
	}
	for _, c := range cases {
		if got := SplitStatements(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("SplitStatements(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}
