// Package progress draws a one-line progress bar for long CLI work.
package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Bar is a progress bar writing to an io.Writer (usually stderr). It is safe
// for concurrent use. A nil *Bar is a no-op.
type Bar struct {
	mu    sync.Mutex
	w     io.Writer
	label string
	total int64
	done  int64
	start time.Time
	last  time.Time
}

const (
	// barWidth is the number of cells in the drawn bar.
	barWidth = 30
	// redrawEvery spaces redraws: five a second.
	redrawEvery = 200 * time.Millisecond
)

// New returns a bar for total units of work.
func New(w io.Writer, label string, total int64) *Bar {
	return &Bar{w: w, label: label, total: total, start: time.Now()}
}

// Add records n more units done and redraws at most five times a second.
func (b *Bar) Add(n int64) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done += n
	if now := time.Now(); now.Sub(b.last) >= redrawEvery || b.done >= b.total {
		b.last = now
		b.draw(now)
	}
}

// Finish draws the final state and ends the line.
func (b *Bar) Finish() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.draw(time.Now())
	fmt.Fprintln(b.w)
}

func (b *Bar) draw(now time.Time) {
	frac := 1.0
	if b.total > 0 {
		frac = float64(b.done) / float64(b.total)
	}
	if frac > 1 {
		frac = 1
	}
	cells := int(frac * barWidth)
	elapsed := now.Sub(b.start)
	rate := float64(b.done) / elapsed.Seconds()
	eta := ""
	if rate > 0 && b.done < b.total {
		eta = " eta " + (time.Duration(float64(b.total-b.done)/rate) * time.Second).String()
	}
	fmt.Fprintf(b.w, "\r%s [%s%s] %d/%d %.0f/s%s   ", b.label,
		strings.Repeat("#", cells), strings.Repeat(".", barWidth-cells), b.done, b.total, rate, eta)
}
