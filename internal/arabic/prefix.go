package arabic

import "strings"

// PrefixWords are the words of s a reader may start typing to find s
// (search as you type): each word normalised, and, when it carries a
// definite article (ال، وال، بال، كال، فال، لل), normalised again without
// it, so «اسد» finds «الأسد» as «الاسد» does. Stop words are left out:
// nobody looks for a headline by its «في». Unlike Terms, words are not
// stemmed: a reader types the start of a word as written, which a
// stemmer's cuts would no longer begin with.
func PrefixWords(s string) []string {
	var out []string
	for _, tok := range Tokenize(s) {
		if IsStopword(lightNormalize(tok.Text)) {
			continue
		}
		for _, w := range strings.Fields(Normalize(tok.Text)) {
			if len(w) > maxTermBytes || !hasLetterOrDigit(w) {
				continue
			}
			out = append(out, w)
			if isArabicWord(w) {
				if bare, ok := stripArticle(w); ok {
					out = append(out, bare)
				}
			}
		}
	}
	return out
}
