package sqllex

import (
	"reflect"
	"strings"
	"testing"
)

func TestSplitNamed(t *testing.T) {
	text := "-- header, not a name\nSELECT 0;\n-- q1\nSELECT 1\nFROM t;\n\n-- note inside\n-- q2\r\nSELECT 2;\n"
	got := SplitNamed(text, func(s string) bool { return strings.HasPrefix(s, "q") })
	// A comment line that is not a name stays in the statement before it.
	want := []Named{{"q1", "SELECT 1\nFROM t;\n\n-- note inside"}, {"q2", "SELECT 2"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}
