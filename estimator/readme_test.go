package estimator_test

import (
	"os"
	"strings"
	"testing"
)

// TestREADMESnippetIsExample: the README's library snippet is the body of
// Example (readme_example_test.go), so it compiles and runs.
func TestREADMESnippetIsExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("readme_example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "### As a library\n\n```go\n")
	snippet, _, ok2 := strings.Cut(after, "```\n")
	if !ok || !ok2 {
		t.Fatal("README has no Go block under '### As a library'")
	}
	_, after, ok = strings.Cut(string(src), "func Example() {\n")
	body, _, ok2 := strings.Cut(after, "\t// Output:")
	if !ok || !ok2 {
		t.Fatal("readme_example_test.go has no Example with an Output")
	}
	lines := strings.Split(strings.TrimRight(body, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, "\t")
	}
	if want := strings.Join(lines, "\n") + "\n"; snippet != want {
		t.Errorf("README snippet differs from Example's body:\n--- README\n%s--- Example\n%s", snippet, want)
	}
}
