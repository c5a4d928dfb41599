// Package textdiff compares two texts word by word, for the newsroom's
// revision history. Words are kept whole whatever their script (Arabic
// with its diacritics, Latin, digits), so a change reads as the words an
// editor changed, never as letters cut out of them.
package textdiff

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind says what an Op does to the old text.
type Kind int

const (
	Equal Kind = iota
	Insert
	Delete
)

// Op is a run of text kept, inserted or deleted.
type Op struct {
	Kind Kind
	Text string
}

// maxCells bounds the comparison table: two texts whose differing middles
// would need more are shown as one deletion and one insertion, which is
// true if coarse, instead of using memory a hostile body could inflate.
const maxCells = 4 << 20

// Words compares old and new as sequences of tokens (see Tokens) and
// returns the shortest edit from one to the other, adjacent ops of one
// kind merged. Deletions come before insertions where both replace the
// same place.
func Words(old, new string) []Op {
	a, b := Tokens(old), Tokens(new)
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var ops []Op
	ops = appendOp(ops, Equal, a[:pre]...)
	ops = append(ops, middle(a[pre:len(a)-suf], b[pre:len(b)-suf])...)
	ops = appendOp(ops, Equal, a[len(a)-suf:]...)
	return merge(ops)
}

// middle is the edit between a and b, which differ at both ends, by the
// longest common subsequence.
func middle(a, b []string) []Op {
	n, m := len(a), len(b)
	if n == 0 || m == 0 || (n+1)*(m+1) > maxCells {
		return appendOp(appendOp(nil, Delete, a...), Insert, b...)
	}
	// lcs[i*(m+1)+j] is the length of the LCS of a[i:] and b[j:].
	w := m + 1
	lcs := make([]int32, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	var ops []Op
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			ops = appendOp(ops, Equal, a[i])
			i, j = i+1, j+1
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			ops = appendOp(ops, Delete, a[i])
			i++
		default:
			ops = appendOp(ops, Insert, b[j])
			j++
		}
	}
	ops = appendOp(ops, Delete, a[i:]...)
	return appendOp(ops, Insert, b[j:]...)
}

func appendOp(ops []Op, k Kind, toks ...string) []Op {
	for _, t := range toks {
		ops = append(ops, Op{Kind: k, Text: t})
	}
	return ops
}

// merge joins adjacent ops of one kind and, within each changed stretch
// (between two kept runs), puts every deletion before every insertion,
// so "old words" then "new words" read as one replacement.
func merge(ops []Op) []Op {
	var out []Op
	var del, ins strings.Builder
	flush := func() {
		if del.Len() > 0 {
			out = append(out, Op{Kind: Delete, Text: del.String()})
		}
		if ins.Len() > 0 {
			out = append(out, Op{Kind: Insert, Text: ins.String()})
		}
		del.Reset()
		ins.Reset()
	}
	for _, op := range ops {
		switch op.Kind {
		case Delete:
			del.WriteString(op.Text)
		case Insert:
			ins.WriteString(op.Text)
		default:
			flush()
			if len(out) > 0 && out[len(out)-1].Kind == Equal {
				out[len(out)-1].Text += op.Text
			} else {
				out = append(out, op)
			}
		}
	}
	flush()
	return out
}

// Tokens cuts s into words, runs of spaces, and single other characters
// (punctuation, symbols). A word is letters, combining marks (tashkeel),
// digits and zero-width joiners, with the apostrophes and separators
// that sit inside words and numbers (see joins). Concatenated,
// the tokens are s.
func Tokens(s string) []string {
	var out []string
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		end := size
		switch {
		case isWord(r):
			prev := r
			for end < len(s) {
				r, n := utf8.DecodeRuneInString(s[end:])
				next, _ := utf8.DecodeRuneInString(s[end+n:])
				if !isWord(r) && !joins(prev, r, next) {
					break
				}
				prev = r
				end += n
			}
		case unicode.IsSpace(r):
			for end < len(s) {
				r, n := utf8.DecodeRuneInString(s[end:])
				if !unicode.IsSpace(r) {
					break
				}
				end += n
			}
		}
		out = append(out, s[:end])
		s = s[end:]
	}
	return out
}

func isWord(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || unicode.IsNumber(r) ||
		r == '\u200c' || r == '\u200d' // zero-width non-joiner and joiner: part of Persian and Urdu words
}

// joins reports whether r, between prev and next, belongs to their word:
// an apostrophe between letters (don't), a decimal or thousands separator
// between digits (3.5, ٣٫٥, 1,000). Elsewhere they are punctuation.
func joins(prev, r, next rune) bool {
	switch r {
	case '\'', '’':
		return unicode.IsLetter(prev) && unicode.IsLetter(next)
	case '.', ',', '\u066b', '\u066c':
		return unicode.IsDigit(prev) && unicode.IsDigit(next)
	}
	return false
}
