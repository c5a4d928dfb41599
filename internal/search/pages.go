package search

import (
	"context"
	"fmt"
	"html/template"
	"slices"
	"sort"
	"strings"

	"khabar/internal/arabic"
	"khabar/internal/news"
)

// PageHit is one of the outlet's own pages (about, contact, ethics…)
// holding the query, ready to show.
type PageHit struct {
	Page    *news.Page
	Title   template.HTML // marked where it matched
	Snippet template.HTML
}

// maxPageHits is how many pages a result page shows above the articles.
const maxPageHits = 3

// titleWeight counts a word in a page's title as it counts in an
// article's headline.
const titleWeight = 3

// Pages finds the pages holding every word of q (phrases in order, no
// excluded word), best first. An outlet has a handful of pages, so they
// are analysed on each search rather than kept in the article index,
// whose entries are articles.
func (s *Service) Pages(ctx context.Context, q Query) ([]PageHit, error) {
	if q.Empty() {
		return nil, nil
	}
	pages, err := s.store.ListPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("search pages: %w", err)
	}
	type scored struct {
		page  *news.Page
		text  string
		score int
	}
	var found []scored
	for i := range pages {
		p := &pages[i]
		text := pageText(p)
		title := arabic.Terms(p.Title)
		body := arabic.Terms(text)
		if !holds(q, title, body) {
			continue
		}
		score := 0
		for _, t := range q.Highlight {
			score += titleWeight*count(title, t) + count(body, t)
		}
		found = append(found, scored{p, text, score})
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].score > found[j].score })
	var out []PageHit
	for _, f := range found[:min(len(found), maxPageHits)] {
		title, _ := Mark(f.page.Title, q.Highlight)
		out = append(out, PageHit{Page: f.page, Title: title, Snippet: Snippet(f.text, q.Highlight)})
	}
	return out, nil
}

// pageText is what a page says besides its title.
func pageText(p *news.Page) string {
	var sb strings.Builder
	sb.WriteString(p.Description)
	for i := range p.Body {
		sb.WriteString("\n")
		sb.WriteString(p.Body[i].PlainText())
	}
	return sb.String()
}

// holds reports whether a page with these title and text terms matches q
// in full: every phrase in order within one field, no excluded word.
func holds(q Query, fields ...[]string) bool {
	for _, t := range q.Not {
		for _, f := range fields {
			if slices.Contains(f, t) {
				return false
			}
		}
	}
	for _, p := range q.Phrases {
		if !slices.ContainsFunc(fields, func(f []string) bool { return phraseAt(f, p) }) {
			return false
		}
	}
	return true
}

// phraseAt reports whether terms holds phrase as consecutive terms.
func phraseAt(terms, phrase []string) bool {
	for i := 0; i+len(phrase) <= len(terms); i++ {
		if slices.Equal(terms[i:i+len(phrase)], phrase) {
			return true
		}
	}
	return false
}

func count(terms []string, t string) int {
	n := 0
	for _, x := range terms {
		if x == t {
			n++
		}
	}
	return n
}
