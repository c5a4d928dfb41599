package search

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"khabar/internal/arabic"
	"khabar/internal/news"
	"khabar/internal/store"
)

// Search as you type: a reader's partial words are matched against the
// starts of the words of published headlines and of the names of
// sections, tags and authors, folded as internal/arabic folds them.
const (
	// minPrefixRunes: one letter says nothing about what is looked for.
	minPrefixRunes = 2
	// maxPrefixRunes is the longest prefix indexed; a longer typed word
	// is looked up by its first maxPrefixRunes letters (two words sharing
	// as many are the same word in practice).
	maxPrefixRunes = 15
	// maxTypeaheadRunes is the search field's maxlength.
	maxTypeaheadRunes = 200
	// maxTypeaheadWords: the last words typed are those looked up.
	maxTypeaheadWords = 6
	// TypeaheadLimit is how many suggestions an answer holds, of which
	// at most typeaheadNames are sections, tags or authors.
	TypeaheadLimit = 8
	typeaheadNames = 3
	// namesTTL is how long the list of names is used before it is read
	// again: a new tag shows up in suggestions within it.
	namesTTL = time.Minute
)

// Suggestion is one thing a reader typing may be looking for.
type Suggestion struct {
	Kind  string `json:"kind"`  // "article", or news.ListSection, ListTag, ListAuthor
	Label string `json:"label"` // the headline or the name
	URL   string `json:"url"`   // where it leads, site-relative
}

// TypeaheadAnswer is the JSON the site and the API answer with.
type TypeaheadAnswer struct {
	Q           string       `json:"q"`
	Suggestions []Suggestion `json:"suggestions"`
}

// TypeaheadMaxAge is how long an answer may be kept (by the browser and
// any cache in front): a reader typing back over a word asks again, and a
// new headline may wait that long to be suggested.
const TypeaheadMaxAge = "public, max-age=60"

// Answer is Typeahead as the site and the API answer it, with base (the
// outlet's origin, or "" for site-relative URLs) before each URL.
func (s *Service) Answer(ctx context.Context, q, base string) (TypeaheadAnswer, error) {
	list, err := s.Typeahead(ctx, q)
	for i := range list {
		list[i].URL = base + list[i].URL
	}
	return TypeaheadAnswer{Q: q, Suggestions: append([]Suggestion{}, list...)}, err
}

// KindArticle is the Kind of a headline's suggestion.
const KindArticle = "article"

// prefixes are the prefixes of text's words (see arabic.PrefixWords) the
// typeahead table holds, from minPrefixRunes to maxPrefixRunes letters.
func prefixes(text string) []string {
	var out []string
	for _, w := range arabic.PrefixWords(text) {
		out = wordPrefixes(out, w)
	}
	return out
}

// wordPrefixes appends w's prefixes the typeahead table holds to out.
func wordPrefixes(out []string, w string) []string {
	n := 0
	for i := range w {
		if n >= minPrefixRunes {
			out = append(out, w[:i])
		}
		if n++; n > maxPrefixRunes {
			break
		}
	}
	if n >= minPrefixRunes && n <= maxPrefixRunes {
		out = append(out, w)
	}
	return out
}

// rebuildTypeahead writes the typeahead keys of every published article
// after a rebuild of the index has cleared them. All the keys of 100,000
// articles (some 4 million) would take hundreds of megabytes, so they
// are made and written one initial letter at a time, in key order, from
// the headlines' words kept between the passes.
func (s *Service) rebuildTypeahead(ctx context.Context) error {
	heads, err := s.store.PublishedHeadlines(ctx)
	if err != nil {
		return err
	}
	words := make([][]string, len(heads))
	initials := map[rune]bool{}
	for i, h := range heads {
		if h.Published.IsZero() {
			continue // as the index leaves it: no time, no keys
		}
		words[i] = arabic.PrefixWords(h.Headline)
		for _, w := range words[i] {
			r, _ := utf8.DecodeRuneInString(w)
			initials[r] = true
		}
	}
	initial := slices.Sorted(maps.Keys(initials))
	keys := make([]store.TypeaheadKey, 0, 1<<16) // never nil: nil ends the parts
	var buf []string
	return s.store.RebuildTypeahead(ctx, func() []store.TypeaheadKey {
		if len(initial) == 0 {
			return nil
		}
		first := initial[0]
		initial = initial[1:]
		keys = keys[:0]
		for i, h := range heads {
			buf = buf[:0]
			for _, w := range words[i] {
				if r, _ := utf8.DecodeRuneInString(w); r == first {
					buf = wordPrefixes(buf, w)
				}
			}
			for _, p := range buf {
				keys = append(keys, store.TypeaheadKey{Prefix: p, Published: h.Published.Unix(), Article: h.ID})
			}
		}
		slices.SortFunc(keys, store.CompareTypeaheadKeys)
		return slices.Compact(keys)
	})
}

// TypeaheadWords are the folded word starts q is looked up by: every word
// of at least minPrefixRunes letters, cut to maxPrefixRunes, except a
// finished stop word (one a space follows), which no index holds. None
// when q has no such word. A q no search field sends (too long, not
// UTF-8, control characters) is a *news.InvalidError saying why.
func TypeaheadWords(q string) ([]string, error) {
	bad := ""
	switch {
	case !utf8.ValidString(q):
		bad = "not UTF-8"
	case utf8.RuneCountInString(q) > maxTypeaheadRunes:
		bad = fmt.Sprintf("longer than %d characters", maxTypeaheadRunes)
	case strings.ContainsFunc(q, unicode.IsControl):
		bad = "holds control characters"
	}
	if bad != "" {
		return nil, &news.InvalidError{Fields: map[string]string{"q": bad}}
	}
	toks := arabic.Tokenize(q)
	var words []string
	for i, t := range toks {
		open := i == len(toks)-1 && t.End == len(q)
		if !open && len(arabic.PrefixWords(t.Text)) == 0 {
			continue // a stop word, finished
		}
		for _, w := range strings.Fields(arabic.Normalize(t.Text)) {
			r := []rune(w)
			if len(r) >= minPrefixRunes {
				words = append(words, string(r[:min(len(r), maxPrefixRunes)]))
			}
		}
	}
	return words[max(0, len(words)-maxTypeaheadWords):], nil
}

// Typeahead suggests what a reader typing q may be looking for: up to
// typeaheadNames sections, tags and authors, then the newest published
// headlines, TypeaheadLimit in all, each holding a word starting with
// every word of q. Nothing, and no error, for fewer than two letters.
func (s *Service) Typeahead(ctx context.Context, q string) ([]Suggestion, error) {
	words, err := TypeaheadWords(q)
	if err != nil || len(words) == 0 {
		return nil, err
	}
	names, err := s.publicNames(ctx)
	if err != nil {
		return nil, fmt.Errorf("typeahead %q: %w", q, err)
	}
	var out []Suggestion
	for _, n := range names {
		if len(out) == typeaheadNames {
			break
		}
		if matchesAll(n.words, words) {
			out = append(out, Suggestion{Kind: n.Kind, Label: n.Name, URL: news.ListPath(n.Kind, n.Slug)})
		}
	}
	articles, err := s.store.TypeaheadArticles(ctx, words, TypeaheadLimit-len(out))
	if err != nil {
		return nil, fmt.Errorf("typeahead %q: %w", q, err)
	}
	for i := range articles {
		out = append(out, Suggestion{Kind: KindArticle, Label: articles[i].Headline, URL: news.ArticlePath(&articles[i])})
	}
	return out, nil
}

// matchesAll reports whether each of typed starts one of words.
func matchesAll(words, typed []string) bool {
	for _, t := range typed {
		if !slices.ContainsFunc(words, func(w string) bool { return strings.HasPrefix(w, t) }) {
			return false
		}
	}
	return true
}

// namedEntry is a public name with its words as PrefixWords folds them.
type namedEntry struct {
	store.PublicName
	words []string
}

// nameList is the public names as read at a time, in suggestion order.
type nameList struct {
	read  time.Time
	names []namedEntry
}

// kindOrder puts sections before tags before authors.
var kindOrder = map[string]int{news.ListSection: 0, news.ListTag: 1, news.ListAuthor: 2}

// publicNames are the sections, tags and authors readers may be led to,
// read at most every namesTTL. They are few (hundreds to some thousands)
// and kept whole in memory: matched here, a rename or a tag's first
// article needs no upkeep of a table. While one request reads them
// again the others use the list they have.
func (s *Service) publicNames(ctx context.Context) ([]namedEntry, error) {
	cur := s.names.Load()
	if cur != nil && s.now().Sub(cur.read) < namesTTL {
		return cur.names, nil
	}
	if cur != nil && !s.namesMu.TryLock() {
		return cur.names, nil
	}
	if cur == nil {
		s.namesMu.Lock()
	}
	defer s.namesMu.Unlock()
	if again := s.names.Load(); again != cur {
		return again.names, nil // read meanwhile
	}
	list, err := s.store.PublicNames(ctx)
	if err != nil {
		return nil, err
	}
	names := make([]namedEntry, len(list))
	for i, n := range list {
		names[i] = namedEntry{PublicName: n, words: arabic.PrefixWords(n.Name)}
	}
	slices.SortStableFunc(names, func(a, b namedEntry) int {
		if d := kindOrder[a.Kind] - kindOrder[b.Kind]; d != 0 {
			return d
		}
		return utf8.RuneCountInString(a.Name) - utf8.RuneCountInString(b.Name)
	})
	s.names.Store(&nameList{read: s.now(), names: names})
	return names, nil
}
