package search

import (
	"html"
	"html/template"
	"slices"
	"strings"

	"khabar/internal/arabic"
)

// snippetWords is how many words a snippet shows.
const snippetWords = 32

// Snippet cuts from the original text (diacritics and hamza as the writer
// put them) the window of words with the most query terms, and marks the
// matching words. Everything else is escaped.
func Snippet(text string, terms []string) template.HTML {
	toks, hit := hits(text, terms)
	if len(toks) == 0 {
		return ""
	}
	// Slide a window over the tokens; keep the first with the most hits.
	best, bestHits, cur := 0, -1, 0
	for i := range toks {
		if hit[i] {
			cur++
		}
		if i >= snippetWords && hit[i-snippetWords] {
			cur--
		}
		if start := i - snippetWords + 1; start >= 0 || i == len(toks)-1 {
			if cur > bestHits {
				best, bestHits = max(start, 0), cur
			}
		}
	}
	end := min(best+snippetWords, len(toks))
	var sb strings.Builder
	if best > 0 {
		sb.WriteString("… ")
	}
	sb.WriteString(marked(text, toks[best:end], hit[best:end]))
	if end < len(toks) {
		sb.WriteString(" …")
	}
	return template.HTML(strings.TrimSpace(sb.String()))
}

// Mark is text, escaped, with the words matching terms marked: a
// headline or a tag, which matched when the body did not.
func Mark(text string, terms []string) (out template.HTML, matched bool) {
	toks, hit := hits(text, terms)
	if len(toks) == 0 {
		return template.HTML(html.EscapeString(text)), false
	}
	s := html.EscapeString(text[:toks[0].Start]) + marked(text, toks, hit) + html.EscapeString(text[toks[len(toks)-1].End:])
	return template.HTML(s), slices.Contains(hit, true)
}

// hits tokenises text and says which tokens analyse to one of terms.
func hits(text string, terms []string) ([]arabic.Token, []bool) {
	toks := arabic.Tokenize(text)
	want := make(map[string]bool, len(terms))
	for _, t := range terms {
		want[t] = true
	}
	hit := make([]bool, len(toks))
	for i, t := range toks {
		if term := arabic.Term(t.Text); term != "" && want[term] {
			hit[i] = true
		}
	}
	return toks, hit
}

// marked is the text from the first of toks to the end of the last,
// escaped, with the tokens hit marked.
func marked(text string, toks []arabic.Token, hit []bool) string {
	var sb strings.Builder
	pos := toks[0].Start
	for i, t := range toks {
		sb.WriteString(html.EscapeString(text[pos:t.Start]))
		if hit[i] {
			sb.WriteString("<mark>" + html.EscapeString(t.Text) + "</mark>")
		} else {
			sb.WriteString(html.EscapeString(t.Text))
		}
		pos = t.End
	}
	return sb.String()
}
