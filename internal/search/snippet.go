package search

import (
	"html"
	"html/template"
	"strings"

	"khabar/internal/arabic"
)

// snippetWords is how many words a snippet shows.
const snippetWords = 32

// Snippet cuts from the original text (diacritics and hamza as the writer
// put them) the window of words with the most query terms, and marks the
// matching words. Everything else is escaped.
func Snippet(text string, terms []string) template.HTML {
	toks := arabic.Tokenize(text)
	if len(toks) == 0 {
		return ""
	}
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
	// Start a little before the first hit so it is not the first word.
	var sb strings.Builder
	if best > 0 {
		sb.WriteString("… ")
	}
	pos := toks[best].Start
	for i := best; i < end; i++ {
		sb.WriteString(html.EscapeString(text[pos:toks[i].Start]))
		if hit[i] {
			sb.WriteString("<mark>" + html.EscapeString(toks[i].Text) + "</mark>")
		} else {
			sb.WriteString(html.EscapeString(toks[i].Text))
		}
		pos = toks[i].End
	}
	if end < len(toks) {
		sb.WriteString(" …")
	}
	return template.HTML(strings.TrimSpace(sb.String()))
}
