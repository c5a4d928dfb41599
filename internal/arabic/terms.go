package arabic

import (
	"strings"
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
	// «رقماً قياسياً»: the alef that carries tanween fath is spelling, not
	// part of the word; without it they meet «رقم قياسي».
	// A stop word written with it («أيضاً», «جداً») is still the stop word.
	for _, suf := range [...]string{"اً", "ًا"} {
		if rest, ok := strings.CutSuffix(token, suf); ok && utf8.RuneCountInString(rest) >= 2 {
			if IsStopword(lightNormalize(token)) {
				return dst
			}
			token = rest
			break
		}
	}
	// «آلات», «آلية»: after آ → ا these look like «ال» + word.
	article := !strings.HasPrefix(token, "آل")
	// Stop words are recognised as typed (see lightNormalize), the rest
	// is folded for matching.
	light := lightNormalize(token)
	for i := 0; i < len(light); {
		start, end := nextWord(light, i)
		if start >= end {
			break
		}
		i = end
		lw := light[start:end]
		if len(lw) > maxTermBytes || !hasLetterOrDigit(lw) || IsStopword(lw) {
			continue
		}
		parts := splitScripts(lw)
		if len(parts) == 1 {
			dst = appendWord(dst, foldLetters(lw), article)
			continue
		}
		for _, p := range parts {
			// A lone Arabic letter split off a number or a Latin word
			// («2019م», «بـZarkov») is a particle or an abbreviation.
			if utf8.RuneCountInString(p) < 2 && !isDigits(p) || IsStopword(p) {
				continue
			}
			dst = append(dst, stem(foldLetters(p), article))
		}
	}
	return dst
}

// appendWord appends the term of a normalised word, or the two terms of a
// compound name written as one word («عبدالله», «أبوظبي»), so that it
// meets its two-word spelling («عبد الله», «أبو ظبي»), phrases included.
func appendWord(dst []string, w string, article bool) []string {
	if isArabicWord(w) {
		if head, rest, ok := compound(stripConjunction(w)); ok {
			return append(dst, stem(head, true), stem(rest, true))
		}
	}
	return append(dst, stem(w, article))
}

// joinedNames are compound names written as one word whose first part
// alone does not tell them apart from ordinary words (أبو + اب is
// «أبواب»), normalised.
var joinedNames = map[string][2]string{
	"ابوظبي": {"ابو", "ظبي"},
}

// compound cuts a normalised name written as one word: «عبد» followed by
// a name with its article («عبدالله», «عبدالرحمن», «عبدالعزيز»), or one of
// joinedNames.
func compound(w string) (head, rest string, ok bool) {
	if parts, ok := joinedNames[w]; ok {
		return parts[0], parts[1], true
	}
	if rest, ok := strings.CutPrefix(w, "عبد"); ok && strings.HasPrefix(rest, "ال") && letters(rest) >= 4 {
		return "عبد", rest, true
	}
	return "", "", false
}

// splitScripts cuts a word where it passes between digits, Arabic letters
// and other letters: «2019م» → 2019, م; «بzarkov» → ب, zarkov; so the
// number and the Latin name are found on their own.
func splitScripts(w string) []string {
	var parts []string
	start, prev := 0, -1
	for i, r := range w {
		k := scriptOf(r)
		if prev >= 0 && k != prev {
			parts = append(parts, w[start:i])
			start = i
		}
		prev = k
	}
	return append(parts, w[start:])
}

func scriptOf(r rune) int {
	switch {
	case r >= '0' && r <= '9':
		return 0
	case r >= 0x600 && r <= 0x6FF:
		return 1
	}
	return 2
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
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
