package joinbench

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/internal/server"
)

// fakeTimer serves scripted durations per statement, in order, and
// records the order of the calls: the re-timing rule without a server.
type fakeTimer struct {
	script map[string][]time.Duration
	calls  []string
}

func (f *fakeTimer) time(_ context.Context, sql string, o server.TimeOptions) (server.Timing, error) {
	f.calls = append(f.calls, sql)
	ds := f.script[sql]
	if len(ds) == 0 {
		return server.Timing{}, fmt.Errorf("fake timer: no more timings of %q", sql)
	}
	d := ds[0]
	f.script[sql] = ds[1:]
	tm := server.Timing{SQL: sql, Runs: []time.Duration{min(d, o.Limit)}, Median: min(d, o.Limit), Min: min(d, o.Limit), Count: 7, HasCount: true}
	if d >= o.Limit {
		tm.TimedOut = true
		return tm, server.ErrTimeout
	}
	return tm, nil
}

func TestTimeBothRetime(t *testing.T) {
	s := time.Second
	ms := time.Millisecond
	const limit = 60 * time.Second
	for _, c := range []struct {
		name          string
		orig, hinted  []time.Duration
		useHint       bool
		ratio         float64
		wantCalls     string // o: original, h: hinted
		wantA, wantB  time.Duration
		wantWhy       string
		wantBTimedOut bool
	}{
		// Seed 13's TPC-H query 19 as measured once each under load,
		// then as re-timed at load 3: ours 2.17x slower on one sample,
		// even on the medians.
		{name: "ours slower once", orig: []time.Duration{1780 * ms, 860 * ms, 610 * ms}, hinted: []time.Duration{3870 * ms, 560 * ms, 630 * ms},
			useHint: true, ratio: 1.5, wantCalls: "ohhoo h", wantA: 860 * ms, wantB: 630 * ms, wantWhy: RetimedApart},
		// Symmetric: a single timing in our favour is re-timed too.
		{name: "ours faster once", orig: []time.Duration{4 * s, 900 * ms, 950 * ms}, hinted: []time.Duration{2 * s, 1000 * ms, 980 * ms},
			useHint: true, ratio: 1.5, wantCalls: "ohhoo h", wantA: 950 * ms, wantB: 1000 * ms, wantWhy: RetimedApart},
		{name: "within ratio", orig: []time.Duration{4 * s}, hinted: []time.Duration{3 * s},
			useHint: true, ratio: 1.5, wantCalls: "oh", wantA: 4 * s, wantB: 3 * s},
		{name: "rule off", orig: []time.Duration{4 * s}, hinted: []time.Duration{12 * s},
			useHint: true, ratio: -1, wantCalls: "oh", wantA: 4 * s, wantB: 12 * s},
		// A timing at the limit is censored: nothing to re-time.
		{name: "one past the limit", orig: []time.Duration{90 * s}, hinted: []time.Duration{3 * s},
			useHint: true, ratio: 1.5, wantCalls: "oh", wantA: limit, wantB: 3 * s},
		{name: "short", orig: []time.Duration{100 * ms, 300 * ms, 120 * ms}, hinted: []time.Duration{110 * ms, 90 * ms, 95 * ms},
			useHint: true, ratio: 1.5, wantCalls: "ohhoo h", wantA: 120 * ms, wantB: 95 * ms, wantWhy: RetimedShort},
		{name: "not hinted", orig: []time.Duration{5 * s}, useHint: false, ratio: 1.5, wantCalls: "o", wantA: 5 * s, wantB: 5 * s},
		// A re-timing past the limit counts at the limit in the median.
		{name: "re-timed past the limit", orig: []time.Duration{3 * s, 3 * s, 3 * s}, hinted: []time.Duration{10 * s, 70 * s, 80 * s},
			useHint: true, ratio: 1.5, wantCalls: "ohhoo h", wantA: 3 * s, wantB: limit, wantWhy: RetimedApart, wantBTimedOut: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeTimer{script: map[string][]time.Duration{"o": c.orig, "h": c.hinted}}
			a, b, why, err := timeBoth(context.Background(), f.time, "o", "h", c.useHint, server.TimeOptions{Runs: 1, Warmups: -1, Limit: limit}, 2*s, c.ratio)
			if err != nil {
				t.Fatal(err)
			}
			want := slices.DeleteFunc([]byte(c.wantCalls), func(x byte) bool { return x == ' ' })
			if got := fmt.Sprint(f.calls); got != fmt.Sprint(splitCalls(want)) {
				t.Errorf("calls %v, want %v", got, splitCalls(want))
			}
			if a.Median != c.wantA || b.Median != c.wantB || why != c.wantWhy || b.TimedOut != c.wantBTimedOut {
				t.Errorf("medians %v, %v (why %q, ours timed out %v), want %v, %v (%q, %v)", a.Median, b.Median, why, b.TimedOut, c.wantA, c.wantB, c.wantWhy, c.wantBTimedOut)
			}
			if why != "" && (len(a.Runs) != 1+DefaultRepeats || c.useHint && len(b.Runs) != 1+DefaultRepeats) {
				t.Errorf("runs %v, %v: want %d each", a.Runs, b.Runs, 1+DefaultRepeats)
			}
		})
	}
}

func splitCalls(b []byte) []string {
	out := make([]string, len(b))
	for i, x := range b {
		out[i] = string(x)
	}
	return out
}

func TestApart(t *testing.T) {
	for _, c := range []struct {
		x, y time.Duration
		want bool
	}{
		{100, 150, false}, {100, 151, true}, {151, 100, true}, {0, 0, false}, {0, 2, true},
	} {
		if got := apart(c.x, c.y, 1.5); got != c.want {
			t.Errorf("apart(%v, %v) = %v, want %v", c.x, c.y, got, c.want)
		}
	}
}

// TestFormatServerRetimed: the re-timing line names the rules in use,
// the defaults for a report put together by hand.
func TestFormatServerRetimed(t *testing.T) {
	r := ServerReport{Database: "d", Queries: []ServerQuery{{Retimed: RetimedApart}, {Retimed: RetimedShort}, {Retimed: RetimedShort}, {}}}
	want := "Re-timed, medians of 3 runs each way (raw runs in the JSON): 1 queries whose single timings were more than 1.5x apart either way, 2 under 2s every way."
	if got := FormatServer(r); !strings.Contains(got, want) {
		t.Errorf("FormatServer:\n%s\nwant a line %q", got, want)
	}
	r.RetimeRatio, r.RepeatUnder = 3, time.Second
	if got := FormatServer(r); !strings.Contains(got, "more than 3.0x apart either way, 2 under 1s every way") {
		t.Errorf("FormatServer:\n%s\nwant the report's own rules", got)
	}
}
