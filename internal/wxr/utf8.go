package wxr

import (
	"bytes"
	"io"
	"unicode/utf8"
)

// maxRepairLines bounds the lines a repairer remembers between two
// records: a file of garbage must not fill the memory with line numbers.
const maxRepairLines = 1000

// repairer passes a UTF-8 stream through with every invalid byte replaced
// by U+FFFD, remembering the lines where it did. Exports are made of what
// editors pasted over the years, through plugins and database moves that
// did not all keep UTF-8 whole; a single bad byte must cost one character,
// not the whole import, which the XML decoder would refuse.
type repairer struct {
	r     io.Reader
	raw   []byte // read, not yet repaired: a sequence cut by the read
	out   []byte // repaired, not yet given
	line  int    // the line of the next byte given
	lines []int  // lines repaired, ascending, not yet taken
	err   error
}

func newRepairer(r io.Reader) *repairer { return &repairer{r: r, line: 1} }

func (p *repairer) Read(b []byte) (int, error) {
	for len(p.out) == 0 {
		if p.err != nil {
			return 0, p.err
		}
		p.fill()
	}
	n := copy(b, p.out)
	p.out = p.out[n:]
	return n, nil
}

// fill reads the next chunk and repairs it, keeping back a sequence the
// chunk cuts short until the next read completes it (or the end shows it
// never will be).
func (p *repairer) fill() {
	chunk := make([]byte, 32<<10)
	n := copy(chunk, p.raw)
	m, err := p.r.Read(chunk[n:])
	chunk, p.err = chunk[:n+m], err
	keep := len(chunk)
	if p.err == nil {
		keep = completeUpTo(chunk)
	}
	p.raw = append(p.raw[:0], chunk[keep:]...)
	chunk = chunk[:keep]
	if utf8.Valid(chunk) {
		p.line += bytes.Count(chunk, []byte{'\n'})
		p.out = chunk
		return
	}
	out := make([]byte, 0, len(chunk)+64)
	for len(chunk) > 0 {
		r, size := utf8.DecodeRune(chunk)
		switch {
		case r == utf8.RuneError && size == 1:
			out = utf8.AppendRune(out, utf8.RuneError)
			if k := len(p.lines); (k == 0 || p.lines[k-1] != p.line) && k < maxRepairLines {
				p.lines = append(p.lines, p.line)
			}
		case r == '\n':
			p.line++
			fallthrough
		default:
			out = append(out, chunk[:size]...)
		}
		chunk = chunk[size:]
	}
	p.out = out
}

// completeUpTo is where a trailing, possibly unfinished, multi-byte
// sequence of b starts (len(b) when there is none).
func completeUpTo(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax+1; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return i
			}
			break
		}
	}
	return len(b)
}

// take gives and forgets the repaired lines up to line.
func (p *repairer) take(line int) []int {
	i := 0
	for i < len(p.lines) && p.lines[i] <= line {
		i++
	}
	taken := append([]int(nil), p.lines[:i]...)
	p.lines = append(p.lines[:0], p.lines[i:]...)
	return taken
}
