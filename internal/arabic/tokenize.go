package arabic

import (
	"unicode"
	"unicode/utf8"
)

// Token is one word of the original text.
type Token struct {
	Text  string // the word as written in the original (not normalised)
	Start int    // byte offset of the word in the original string
	End   int    // byte offset just past the word
}

// Rune classes for the tokenizer.
const (
	classSep    uint8 = iota // separates words
	classWord                // letter, digit, combining mark, tatweel
	classJoiner              // invisible format character (Cf)
)

// Fast class tables for ASCII and the Arabic block U+0600–U+06FF.
var (
	asciiClass  = classTable(0, utf8.RuneSelf)
	arabicClass = classTable(0x600, 0x100)
)

func classTable(base rune, n int) []uint8 {
	t := make([]uint8, n)
	for i := range t {
		t[i] = slowClass(base + rune(i))
	}
	return t
}

func slowClass(r rune) uint8 {
	switch {
	case unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r):
		return classWord
	case unicode.Is(unicode.Cf, r):
		return classJoiner
	}
	return classSep
}

func runeClass(r rune) uint8 {
	switch {
	case r < utf8.RuneSelf:
		return asciiClass[r]
	case r >= 0x600 && r <= 0x6FF:
		return arabicClass[r-0x600]
	}
	return slowClass(r)
}

// nextWord returns the byte bounds of the first word of s at or after byte
// i, or start == end == len(s) when there is none. A word is a maximal run
// of letters (tatweel included), numbers and combining marks. Invisible
// format characters (ZWNJ, ZWJ, soft hyphen, ...) inside such a run do not
// split it, but they never start or end a word.
func nextWord(s string, i int) (start, end int) {
	n := len(s)
	for i < n {
		c := s[i]
		if c < utf8.RuneSelf {
			if asciiClass[c] == classWord {
				break
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if runeClass(r) == classWord {
			break
		}
		i += w
	}
	if i >= n {
		return n, n
	}
	start, end = i, i
	for i < n {
		c := s[i]
		if c < utf8.RuneSelf {
			if asciiClass[c] != classWord {
				break
			}
			i++
			end = i
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		k := runeClass(r)
		if k == classSep {
			break
		}
		i += w
		if k == classWord {
			end = i
		}
	}
	return start, end
}

// Tokenize splits s into words: maximal runs of letters, digits, combining
// marks (so tashkeel stays inside a word) and tatweel. Everything else —
// spaces, all Unicode punctuation and symbols (؟ ، ؛ « » included), invalid
// UTF-8 — separates words; invisible format characters (Cf) are kept when
// they sit inside a word («مح‌مد» with a ZWNJ is one token) and are otherwise
// separators. «الأسد؟» yields the single token «الأسد». Offsets index into s,
// so s[t.Start:t.End] == t.Text.
func Tokenize(s string) []Token {
	var toks []Token
	for i := 0; i < len(s); {
		start, end := nextWord(s, i)
		if start >= end {
			break
		}
		toks = append(toks, Token{Text: s[start:end], Start: start, End: end})
		i = end
	}
	return toks
}
