package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/cardinaldb/cardinal/progress"
)

// How progress is shown on stderr:
//
//	stderr is a terminal  one bar per stage (schollz/progressbar), redrawn
//	                      in place at most every barThrottle
//	otherwise (a log)     a plain line per stage every plainEvery, and one
//	                      when the stage ends; never a '\r' frame, and no
//	                      rate until a stage has run for plainEvery
//	events (Total 0)      one line each, with the elapsed time
const (
	// plainEvery spaces the plain lines of a long stage: frequent enough
	// to show life in a log, rare enough to keep it short.
	plainEvery = 5 * time.Second
	// barThrottle bounds terminal redraws (ten a second).
	barThrottle = 100 * time.Millisecond
	// barWidth is the number of cells of a terminal bar.
	barWidth = 30
)

// progressUI renders progress.Reports on stderr. Its report method is the
// progress.Func given to library calls; finish ends the stage still open.
// Safe for concurrent use.
type progressUI struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	start time.Time
	// the open stage
	stage      string
	stageStart time.Time
	lastLine   time.Time
	done       int
	total      int
	detail     string
	bar        *progressbar.ProgressBar
	now        func() time.Time // time.Now; tests step a clock
}

// newProgress returns a renderer on w, drawing bars only when w is a
// terminal.
func newProgress(w io.Writer) *progressUI {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	return &progressUI{w: w, tty: tty, start: time.Now(), now: time.Now}
}

// report is the progress.Func.
func (p *progressUI) report(r progress.Report) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if r.Total <= 0 {
		p.endStage(now)
		fmt.Fprintf(p.w, "[%5.1fs] %s %s\n", now.Sub(p.start).Seconds(), r.Stage, r.Detail)
		return
	}
	if r.Stage != p.stage || r.Done < p.done {
		p.endStage(now)
		p.stage, p.stageStart, p.lastLine = r.Stage, now, now
		if p.tty {
			p.bar = progressbar.NewOptions(r.Total,
				progressbar.OptionSetWriter(p.w),
				progressbar.OptionSetDescription(r.Stage),
				progressbar.OptionSetWidth(barWidth),
				progressbar.OptionShowCount(),
				progressbar.OptionShowIts(),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionThrottle(barThrottle),
				progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }))
		}
	}
	p.done, p.total, p.detail = r.Done, r.Total, r.Detail
	if p.bar != nil {
		if r.Detail != "" {
			p.bar.Describe(r.Stage + " " + r.Detail)
		}
		p.bar.Set(r.Done)
		if r.Done >= r.Total {
			p.bar = nil // completed: the bar ended its line
			p.stage = ""
		}
		return
	}
	if r.Done >= r.Total {
		p.endStage(now)
		return
	}
	if now.Sub(p.lastLine) >= plainEvery {
		p.lastLine = now
		p.line(now, "")
	}
}

// line writes the open stage's state as one plain line.
func (p *progressUI) line(now time.Time, suffix string) {
	el := now.Sub(p.stageStart)
	fmt.Fprintf(p.w, "[%5.1fs] %s %d/%d (%.0f%%)", now.Sub(p.start).Seconds(), p.stage, p.done, p.total, 100*float64(p.done)/float64(p.total))
	if el >= time.Second {
		fmt.Fprintf(p.w, " in %v, %.0f/s", el.Round(100*time.Millisecond), float64(p.done)/el.Seconds())
	}
	if p.detail != "" {
		fmt.Fprintf(p.w, "  %s", p.detail)
	}
	fmt.Fprintf(p.w, "%s\n", suffix)
}

// endStage closes the open stage: a terminal bar ends its line, a log
// gets the stage's last state.
func (p *progressUI) endStage(now time.Time) {
	if p.stage == "" {
		return
	}
	if p.bar != nil {
		p.bar.Exit() // stopped before its total (early stopping, an error)
		fmt.Fprintln(p.w)
		p.bar = nil
	} else {
		suffix := ""
		if p.done < p.total {
			suffix = " (stopped)"
		}
		p.line(now, suffix)
	}
	p.stage = ""
}

// finish ends the stage still open (call when the library call returns).
func (p *progressUI) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endStage(p.now())
}
