// Package search answers readers' and editors' queries over the store's
// full-text index, with the same Arabic analysis at index and query time.
package search

import (
	"strings"
	"unicode/utf8"

	"khabar/internal/arabic"
)

// MaxQueryRunes caps what a query may hold; longer input is cut.
const MaxQueryRunes = 200

// maxParts bounds the words and phrases a query may combine.
const maxParts = 12

// Query is a parsed search: every phrase must match (a one-term phrase is
// a word), no Not term may. Highlight lists the terms snippets mark.
type Query struct {
	Raw       string
	Phrases   [][]string
	Not       []string
	Highlight []string
	// OnlyStopwords is set when the query had words, all of them too common
	// to search for («في», «من»).
	OnlyStopwords bool
}

// Empty reports whether there is nothing to search for.
func (q Query) Empty() bool { return len(q.Phrases) == 0 }

// Parse reads a reader's query: words, "exact phrases" (Arabic «» quotes
// too) and -excluded words. It never fails: syntax it does not know is
// just text, an unbalanced quote runs to the end.
func Parse(raw string) Query {
	raw = strings.ToValidUTF8(raw, "")
	if utf8.RuneCountInString(raw) > MaxQueryRunes {
		raw = string([]rune(raw)[:MaxQueryRunes])
	}
	q := Query{Raw: strings.TrimSpace(raw)}
	words := 0
	seen := map[string]bool{}
	addPhrase := func(terms []string) {
		if len(terms) == 0 || len(q.Phrases) >= maxParts {
			return
		}
		key := strings.Join(terms, " ")
		if seen[key] {
			return
		}
		seen[key] = true
		q.Phrases = append(q.Phrases, terms)
		q.Highlight = append(q.Highlight, terms...)
	}
	rest := raw
	for rest != "" {
		r, size := utf8.DecodeRuneInString(rest)
		switch {
		case r == '"' || r == '«' || r == '“':
			closer := map[rune]string{'"': `"`, '«': "»", '“': "”"}[r]
			body := rest[size:]
			end := strings.Index(body, closer)
			phrase := body
			if end >= 0 {
				phrase, rest = body[:end], body[end+len(closer):]
			} else {
				rest = ""
			}
			if strings.TrimSpace(phrase) != "" {
				words++
			}
			addPhrase(arabic.Terms(phrase))
		case r == '-' || r == '−':
			word, after := nextWord(rest[size:])
			rest = after
			if t := arabic.Terms(word); len(t) > 0 && len(q.Not) < maxParts {
				q.Not = append(q.Not, t...)
			}
		case isSpace(r):
			rest = rest[size:]
		default:
			word, after := nextWord(rest)
			rest = after
			words++
			// A word can analyse to several terms ("co-operation", "2024/25"):
			// each must match, but not as a phrase.
			for _, t := range arabic.Terms(word) {
				addPhrase([]string{t})
			}
		}
	}
	q.OnlyStopwords = words > 0 && len(q.Phrases) == 0
	return q
}

func nextWord(s string) (word, rest string) {
	for i, r := range s {
		if isSpace(r) || r == '"' || r == '«' || r == '“' {
			return s[:i], s[i:]
		}
	}
	return s, ""
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u00a0' || r == '\u3000' || (r >= '\u2000' && r <= '\u200a')
}
