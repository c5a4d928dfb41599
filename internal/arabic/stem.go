package arabic

import (
	"strings"
	"unicode"
)

// Every rune of U+0600–U+06FF takes two bytes in UTF-8, so on a word made
// only of Arabic letters byte lengths are twice the letter counts.
const arabicRuneBytes = 2

// arabicLetter reports, for U+0600–U+06FF, which runes are letters (tatweel
// excluded).
var arabicLetter = func() (t [0x100]bool) {
	for i := range t {
		r := rune(0x600 + i)
		t[i] = unicode.IsLetter(r) && r != 'ـ'
	}
	return t
}()

// conjunction is the prefix "and".
const conjunction = "و"

// articles are the definite-article prefixes of light10, longest first.
// "لل" is لِـ + الـ with the alef elided.
var articles = [...]string{"وال", "بال", "كال", "فال", "لل", "ال"}

// suffixes are light10's suffixes ها ان ات ون ين يه ية ه ة ي in light10's
// order, after Normalize has folded ة → ه (so ية = يه and ة = ه).
var suffixes = [...]string{"ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي"}

// isArabicWord reports whether w is non-empty and made only of Arabic
// letters of the U+0600–U+06FF block.
func isArabicWord(w string) bool {
	if w == "" {
		return false
	}
	for _, r := range w {
		if r < 0x600 || r > 0x6FF || !arabicLetter[r-0x600] {
			return false
		}
	}
	return true
}

// letters is the letter count of an Arabic word (see arabicRuneBytes).
func letters(w string) int { return len(w) / arabicRuneBytes }

// stripConjunction removes a leading و when at least 3 letters remain.
func stripConjunction(w string) string {
	if strings.HasPrefix(w, conjunction) && letters(w)-1 >= 3 {
		return w[len(conjunction):]
	}
	return w
}

// stripArticle removes the first (longest) of articles w begins with,
// when at least 2 letters remain; ok reports whether it did.
func stripArticle(w string) (bare string, ok bool) {
	for _, p := range articles {
		if strings.HasPrefix(w, p) && letters(w[len(p):]) >= 2 {
			return w[len(p):], true
		}
	}
	return w, false
}

// machine is the stem of «آلة» and its family (آلة، آلات، آلية، آليات),
// whose «آل» is no article: typed without the madda («الات», «الة») they
// would lose it to the article rule and their two letters to nothing.
const machine = "ال"

// isMachine reports whether w is «آلة» or one of its family, normalised,
// with or without the madda; «آلية» only with it (madda), since «اليه»
// is «إليه» too.
func isMachine(w string, madda bool) bool {
	switch w {
	case "اله", "الات", "اليات":
		return true
	case "اليه":
		return madda
	}
	return false
}

// Stem applies light stemming in the spirit of Larkey's light10 to an
// already normalised word (see Normalize). Only words made entirely of
// Arabic letters are stemmed; Latin words, numbers and mixed words are
// returned unchanged. The rules, in order:
//
//  1. Conjunction: strip a leading و if at least 3 letters remain.
//  2. Article: strip the first (longest) matching prefix of
//     وال بال كال فال لل ال if at least 2 letters remain. Only these
//     exact prefixes: a bare ب, ك, ف or ل is never stripped
//     («بشار» stays «بشار»).
//  3. Conjunction again, only when step 2 stripped an article: a word that
//     begins with و after its article («الوزارة» → «وزاره») is treated like
//     the bare word, which step 1 already cuts («وزارة» → «زاره»), so the
//     two spellings meet. (Not in light10; it only ever makes stems of the
//     same surface word agree.)
//  4. Suffixes: go once through ها ان ات ون ين يه ه ي in that order
//     (light10's list and order once ة has become ه), stripping each one
//     the word ends with, as long as the word still has at least 4 letters
//     before the cut. So a word of 3 letters or fewer is never cut, and no
//     cut leaves fewer than 2 letters («المعلمات»: ات, «العربيات»: ات then ي).
//
// Broken plurals («مدارس») and infixes are not handled; that is what makes
// the stemmer light.
func Stem(word string) string { return stem(word, true) }

// stem is Stem; article false skips step 2, for words whose leading «ال»
// was «آل» before alef folding («آلات», «آلية»): a root, not an article.
func stem(word string, article bool) string {
	if !isArabicWord(word) {
		return word
	}
	w := stripConjunction(word)
	if isMachine(w, !article) {
		return machine
	}
	if article {
		if bare, ok := stripArticle(w); ok {
			w = stripConjunction(bare)
		}
	}
	if isMachine(w, !article) {
		return machine
	}
	for _, suf := range suffixes {
		if letters(w) >= 4 && strings.HasSuffix(w, suf) {
			w = w[:len(w)-len(suf)]
		}
	}
	return w
}
