// Package arabic is Khabar's text analyser for search. It is pure (no I/O,
// no state besides tables built at start-up) and is used identically on the
// index side and the query side: Terms(text) for documents and queries,
// Term(word) for a single word, Tokenize for snippet highlighting.
//
// The pipeline is Tokenize → Normalize → stop-word removal → Stem, where Stem
// is a light stemmer in the spirit of Larkey's light10 (Larkey, Ballesteros &
// Connell, "Light Stemming for Arabic Information Retrieval", 2007), the same
// family as Lucene's ArabicNormalizer/ArabicStemmer.
package arabic

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// drop marks a rune that Normalize removes.
const drop rune = -1

// arabicBlock maps every rune of the Arabic block U+0600–U+06FF to what
// Normalize turns it into (drop: removed); arabicMarks only removes
// (marks, tatweel, format characters) and maps digits, keeping letters as
// typed, for the stop-word check (see lightNormalize). Built at start-up.
var arabicBlock, arabicMarks = buildArabicBlock(true), buildArabicBlock(false)

func buildArabicBlock(letters bool) *[0x100]rune {
	var t [0x100]rune
	for i := range t {
		r := rune(0x600 + i)
		switch {
		case unicode.Is(unicode.Mn, r):
			// Tashkeel U+064B–U+065F, superscript alef U+0670, the
			// honorific signs U+0610–U+061A and the Quranic annotation
			// marks U+06D6–U+06ED.
			t[i] = drop
		case unicode.Is(unicode.Cf, r):
			// Arabic number signs U+0600–U+0605, ALM U+061C, end of
			// ayah U+06DD.
			t[i] = drop
		default:
			t[i] = r
		}
	}
	set := func(to rune, from ...rune) {
		for _, r := range from {
			t[r-0x600] = to
		}
	}
	set(drop, 'ـ') // tatweel U+0640
	for d := rune(0); d < 10; d++ {
		set('0'+d, 0x660+d, 0x6F0+d) // Arabic-Indic and Persian digits
	}
	if !letters {
		return &t
	}
	// Alef with hamza above/below, madda, wasla, wavy hamza → bare alef.
	set('ا', 'أ', 'إ', 'آ', 'ٱ', 'ٲ', 'ٳ')
	// Alef maksura and Persian/Urdu yeh → yeh.
	set('ي', 'ى', 'ی')
	// Keheh and swash kaf → kaf.
	set('ك', 'ک', 'ڪ')
	// Teh marbuta, Kurdish ae, heh with yeh, heh goal (with hamza),
	// heh doachashmee, teh marbuta goal → heh.
	set('ه', 'ة', 'ە', 'ۀ', 'ہ', 'ۂ', 'ھ', 'ۃ')
	// Hamza on waw or yeh → the hamza itself: the carrier is spelling
	// that writers disagree on («مسئول»/«مسؤول», «شئون»/«شؤون»).
	set('ء', 'ؤ', 'ئ')
	return &t
}

// foldRune returns what table t makes of r (already NFKC), or drop.
func foldRune(t *[0x100]rune, r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	case r >= 0x600 && r <= 0x6FF:
		return t[r-0x600]
	case r >= 0x8CA && r <= 0x8FF && unicode.Is(unicode.Mn, r):
		return drop // Arabic Extended-A Quranic marks
	case unicode.Is(unicode.Cf, r):
		// ZWJ/ZWNJ, LRM/RLM, bidi embeddings/overrides/isolates, BOM,
		// soft hyphen, tags...
		return drop
	}
	return unicode.ToLower(r)
}

// fold applies foldRune with table t to every rune of s. It returns s
// itself (and false) when nothing changes, which is the common case for
// Arabic text without hamza, tashkeel or teh marbuta in it. With the
// letter folds, yeh before a bare hamza is dropped («طوارىء», «طوارئ» and
// «طوارء» meet), since ىء is how some keyboards write ئ.
func fold(t *[0x100]rune, s string) (string, bool) {
	i := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				break
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if foldRune(t, r) != r || t == arabicBlock && r == 'ء' && strings.HasSuffix(s[:i], "ي") {
			break
		}
		i += w
	}
	if i == len(s) {
		return s, false
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		f := foldRune(t, r)
		if f == 'ء' && t == arabicBlock && strings.HasSuffix(b.String(), "ي") {
			// ىء (or يء) → ء: the yeh was the hamza's seat.
			out := b.String()
			b.Reset()
			b.WriteString(out[:len(out)-len("ي")])
		}
		if f != drop {
			b.WriteRune(f)
		}
	}
	return b.String(), true
}

// Normalize folds text for matching:
//
//   - NFKC, so presentation forms become plain letters («ﻻ» → «لا»);
//   - removes tashkeel (U+064B–U+065F), the superscript alef U+0670, the
//     other Arabic combining marks (honorifics, Quranic marks) and tatweel
//     U+0640;
//   - folds أ إ آ ٱ ٲ ٳ → ا, ى ی → ي, ک ڪ → ك, ة ە ۀ ہ ۂ ھ ۃ → ه;
//   - maps Arabic-Indic (٠–٩) and Persian (۰–۹) digits to ASCII digits;
//   - lower-cases with unicode.ToLower;
//   - drops invisible format characters (category Cf: ZWJ/ZWNJ, LRM/RLM,
//     U+202A–U+202E, U+2066–U+2069, BOM, soft hyphen, ...).
//
// Invalid UTF-8 is replaced by U+FFFD first. Normalize is idempotent:
// removing a character can make its neighbours compose under NFKC, so the
// NFKC+fold pass is repeated until the result is NFKC-normal (in practice at
// most once more).
func Normalize(s string) string { return normalizeWith(arabicBlock, s) }

// lightNormalize is Normalize without the letter folds: marks, tatweel
// and invisible characters go, digits become ASCII, letters stay as typed.
// Stop words are checked on this form, as Lucene and Bleve check them
// before normalising: folded, the name «علي» would be the stop word «على».
func lightNormalize(s string) string { return normalizeWith(arabicMarks, s) }

// foldLetters is Normalize of a word lightNormalize has made: that word
// is NFKC-normal and without marks already, so only the letter folds are
// left to do (and they keep it NFKC-normal).
func foldLetters(w string) string {
	out, _ := fold(arabicBlock, w)
	return out
}

func normalizeWith(t *[0x100]rune, s string) string {
	if nfkcTrivial(s) {
		out, _ := fold(t, s)
		return out
	}
	return normalizeSlow(t, s)
}

// normalizeSlow is normalizeWith without the nfkcTrivial shortcut.
func normalizeSlow(t *[0x100]rune, s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	out, changed := fold(t, norm.NFKC.String(s))
	for i := 0; changed && i < 8 && !norm.NFKC.IsNormalString(out); i++ {
		out, changed = fold(t, norm.NFKC.String(out))
	}
	return out
}

// nfkcTrivial reports whether s is made only of runes that are their own
// NFKC form and cannot compose with or reorder around their neighbours:
// ASCII, and the Arabic letters, digits and punctuation U+0600–U+060F,
// U+061B–U+064A, U+0660–U+066D (no combining marks). Such a string is
// NFKC-normal, and stays so after fold (which only maps these runes to
// others of the same kind or removes them), so Normalize can skip NFKC.
// Most words of Arabic news text take this path.
func nfkcTrivial(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < utf8.RuneSelf {
			continue
		}
		// U+0600–U+06FF is encoded as 0xD8 0x80–0xBF, 0xD9 0x80–0xBF,
		// 0xDA ..., 0xDB ...
		if i+1 >= len(s) {
			return false
		}
		c2 := s[i+1]
		if c2 < 0x80 || c2 > 0xBF {
			return false
		}
		switch r := rune(c&0x1F)<<6 | rune(c2&0x3F); {
		case c != 0xD8 && c != 0xD9:
			return false
		case r <= 0x60F, r >= 0x61B && r <= 0x64A, r >= 0x660 && r <= 0x66D:
		default:
			return false
		}
		i++
	}
	return true
}
