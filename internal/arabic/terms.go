package arabic

import (
	"unicode"
	"unicode/utf8"
)

// maxTermBytes is the longest normalised word that is indexed; longer runs
// are junk (URLs without separators, base64, ...).
const maxTermBytes = 64

// Terms analyses text for the index or a query: Tokenize, Normalize each
// token, drop empty words, words longer than 64 bytes and stop words, then
// Stem. The order of the text is kept (phrase queries need it).
//
// NFKC can turn one token into several words (the ligature «ﷺ» becomes
// «صلى الله عليه وسلم») or add a space (the isolated tashkeel forms
// U+FE70–U+FE7F), so a normalised token is split again into words; a word
// with no letter or digit left (only combining marks) is dropped.
func Terms(s string) []string {
	var terms []string
	for i := 0; i < len(s); {
		start, end := nextWord(s, i)
		if start >= end {
			break
		}
		i = end
		terms = appendTerms(terms, s[start:end])
	}
	return terms
}

// Term analyses a single word the same way as Terms: it returns "" when the
// word is empty or a stop word. If word holds more than one word (or NFKC
// makes it several), only the first term is returned.
func Term(word string) string {
	var buf [4]string
	for i := 0; i < len(word); {
		start, end := nextWord(word, i)
		if start >= end {
			break
		}
		i = end
		if t := appendTerms(buf[:0], word[start:end]); len(t) > 0 {
			return t[0]
		}
	}
	return ""
}

// appendTerms appends to dst the terms of one token.
func appendTerms(dst []string, token string) []string {
	n := Normalize(token)
	for i := 0; i < len(n); {
		start, end := nextWord(n, i)
		if start >= end {
			break
		}
		i = end
		w := n[start:end]
		if len(w) > maxTermBytes || !hasLetterOrDigit(w) || IsStopword(w) {
			continue
		}
		dst = append(dst, Stem(w))
	}
	return dst
}

func hasLetterOrDigit(w string) bool {
	for _, r := range w {
		switch {
		case r < utf8.RuneSelf:
			if asciiClass[r] == classWord {
				return true
			}
		case r >= 0x600 && r <= 0x6FF:
			if arabicLetter[r-0x600] {
				return true
			}
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			return true
		}
	}
	return false
}
