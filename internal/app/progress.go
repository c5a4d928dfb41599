package app

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// progress draws a bar on a terminal and prints a line every few seconds
// otherwise (logs, CI), so long imports and rebuilds show they are alive.
type progress struct {
	w     io.Writer
	tty   bool
	label string
	start time.Time
	last  time.Time
}

func newProgress(w io.Writer, label string) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, tty: ok && term.IsTerminal(int(f.Fd())), label: label, start: time.Now()}
}

// update reports done of total (total 0: unknown).
func (p *progress) update(done, total int) {
	now := time.Now()
	if !p.tty && now.Sub(p.last) < 2*time.Second && done != total {
		return
	}
	p.last = now
	rate := float64(done) / max(now.Sub(p.start).Seconds(), 0.001)
	if total <= 0 {
		fmt.Fprintf(p.w, "\r%s %d (%.0f/s)", p.label, done, rate)
	} else {
		const width = 30
		filled := min(width, done*width/total)
		fmt.Fprintf(p.w, "\r%s [%s%s] %d/%d (%.0f/s)", p.label, strings.Repeat("=", filled), strings.Repeat(" ", width-filled), done, total, rate)
	}
	if !p.tty {
		fmt.Fprintln(p.w)
	}
}

// done ends the bar's line.
func (p *progress) done() {
	if p.tty {
		fmt.Fprintln(p.w)
	}
}
