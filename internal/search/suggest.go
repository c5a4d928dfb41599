package search

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"khabar/internal/arabic"
	"khabar/internal/news"
	"khabar/internal/store"
)

// suggestLetters are what a slip may have left out, added or typed for
// another letter, as Normalize leaves Arabic (ة → ه, ى → ي, أ → ا, ؤ ئ → ء).
var suggestLetters = []rune("ءابتثجحخدذرزسشصضطظعغفقكلمنهوي")

// maxSuggestRunes bounds the words a suggestion is looked for: the edits
// of a longer one are many, and such a word is rarely a slip.
const maxSuggestRunes = 15

// Suggest is «هل تقصد»: q.Raw with each word that no article holds
// replaced by the word, one edit away (a letter left out, added, doubled,
// typed for another or two swapped), that the most articles hold, as an
// article writes it. Only articles in statuses (any when empty) lend
// their words: readers are never suggested a word only a draft holds. ""
// when every word is held or no edit is.
func (s *Service) Suggest(ctx context.Context, q Query, statuses []news.Status) (string, error) {
	toks := arabic.Tokenize(q.Raw)
	terms := make([]string, len(toks))
	for i, t := range toks {
		terms[i] = arabic.Term(t.Text)
	}
	held, err := s.store.TermCounts(ctx, nonEmpty(terms))
	if err != nil {
		return "", fmt.Errorf("suggest for %q: %w", q.Raw, err)
	}
	var sb strings.Builder
	pos, changed := 0, false
	for i, t := range toks {
		if terms[i] == "" || held[terms[i]] > 0 {
			continue
		}
		best, err := s.bestEdit(ctx, arabic.Normalize(t.Text), statuses)
		if err != nil || best == "" {
			if err != nil {
				return "", fmt.Errorf("suggest for %q: %w", q.Raw, err)
			}
			continue
		}
		sb.WriteString(q.Raw[pos:t.Start])
		sb.WriteString(best)
		pos, changed = t.End, true
	}
	if !changed {
		return "", nil
	}
	sb.WriteString(q.Raw[pos:])
	return sb.String(), nil
}

// bestEdit is the word as an article writes it whose term, one edit from
// word (normalised), the most articles hold; "" for none.
func (s *Service) bestEdit(ctx context.Context, word string, statuses []news.Status) (string, error) {
	r := []rune(word)
	if len(r) < 2 || len(r) > maxSuggestRunes {
		return "", nil
	}
	var cands []string
	seen := map[string]bool{}
	add := func(w []rune) {
		if t := arabic.Term(string(w)); t != "" && !seen[t] {
			seen[t] = true
			cands = append(cands, t)
		}
	}
	for i := range len(r) + 1 {
		for _, l := range suggestLetters {
			add(concat(r[:i], []rune{l}, r[i:])) // a letter left out
			if i < len(r) && r[i] != l {
				add(concat(r[:i], []rune{l}, r[i+1:])) // typed for another
			}
		}
		if i < len(r) {
			add(concat(r[:i], r[i+1:])) // one too many, or doubled
		}
		if i+1 < len(r) {
			add(concat(r[:i], []rune{r[i+1], r[i]}, r[i+2:])) // swapped
		}
	}
	counts, err := s.store.TermCounts(ctx, cands)
	if err != nil {
		return "", err
	}
	// Most held first; ties in edit order. The counts include drafts, so
	// the first few are tried until an article in statuses shows one.
	var held []string
	for _, c := range cands {
		if counts[c] > 0 {
			held = append(held, c)
		}
	}
	slices.SortStableFunc(held, func(a, b string) int { return counts[b] - counts[a] })
	for _, c := range held[:min(len(held), suggestTries)] {
		if w, err := s.writtenAs(ctx, c, word, statuses); err != nil || w != "" {
			return w, err
		}
	}
	return "", nil
}

// suggestTries is how many held edits are looked up in the articles.
const suggestTries = 3

// writtenAs finds term as articles write it («مسؤول», not the folded
// «مسءول» the index holds), in the form nearest to what the reader typed
// (normalised: typed) among a few articles, so «مسول» gets «مسؤول»
// rather than «للمسؤولية»; "" if no article shows it.
func (s *Service) writtenAs(ctx context.Context, term, typed string, statuses []news.Status) (string, error) {
	hits, _, err := s.store.Search(ctx, store.SearchQuery{Phrases: [][]string{{term}}, Statuses: statuses, Limit: writtenAsArticles})
	if err != nil || len(hits) == 0 {
		return "", err
	}
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.ArticleID
	}
	articles, err := s.store.ArticlesByIDs(ctx, ids)
	if err != nil {
		return "", err
	}
	best, bestDist := "", 0
	for _, id := range ids {
		a, ok := articles[id]
		if !ok {
			continue
		}
		var tags []string
		for _, t := range a.Tags {
			tags = append(tags, t.Name)
		}
		for _, text := range []string{a.Headline, a.Lead, snippetSource(a), a.Kicker, strings.Join(tags, " ")} {
			for _, tok := range arabic.Tokenize(text) {
				if arabic.Term(tok.Text) != term {
					continue
				}
				d := distance([]rune(typed), []rune(arabic.Normalize(tok.Text)))
				if best == "" || d < bestDist || d == bestDist && utf8.RuneCountInString(tok.Text) < utf8.RuneCountInString(best) {
					best, bestDist = tok.Text, d
				}
			}
		}
	}
	return best, nil
}

// writtenAsArticles is how many articles writtenAs reads.
const writtenAsArticles = 5

// distance is the Levenshtein distance between a and b.
func distance(a, b []rune) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := range a {
		cur := make([]int, len(b)+1)
		cur[0] = i + 1
		for j := range b {
			cost := 1
			if a[i] == b[j] {
				cost = 0
			}
			cur[j+1] = min(prev[j+1]+1, cur[j]+1, prev[j]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func concat(parts ...[]rune) []rune {
	var out []rune
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func nonEmpty(list []string) []string {
	var out []string
	for _, s := range list {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
