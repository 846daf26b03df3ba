package progress

import (
	"bytes"
	"strings"
	"testing"
)

func TestBarDrawsProgressAndFinishes(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, "label", 4)
	b.Add(2) // first Add always draws (no previous draw)
	if !strings.Contains(buf.String(), "label [###############...............] 2/4") {
		t.Fatalf("half-way bar: %q", buf.String())
	}
	b.Add(2) // reaching the total always draws
	b.Finish()
	out := buf.String()
	if !strings.Contains(out, "[##############################] 4/4") || !strings.HasSuffix(out, "\n") {
		t.Fatalf("finished bar: %q", out)
	}
	if strings.Contains(out, "eta") && strings.LastIndex(out, "eta") > strings.LastIndex(out, "4/4") {
		t.Fatalf("finished bar still shows an ETA: %q", out)
	}
}

func TestBarOverflowAndNil(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, "x", 1)
	b.Add(5) // more than the total: the bar is full, not past it
	if !strings.Contains(buf.String(), "[##############################] 5/1") {
		t.Fatalf("overflowing bar: %q", buf.String())
	}
	var nb *Bar
	nb.Add(1) // a nil bar is a no-op
	nb.Finish()
}
