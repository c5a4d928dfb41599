package search

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"khabar/internal/arabic"
	"khabar/internal/news"
	"khabar/internal/outbox"
	"khabar/internal/store"
)

// rerankWindow is how many top BM25 hits the freshness boost re-orders;
// pages beyond it keep plain BM25 order.
const rerankWindow = 200

// Service indexes articles and answers queries.
type Service struct {
	store *store.Store
	now   func() time.Time
	// took times searches, for the metrics.
	took prometheus.Histogram
	// names are the public names typeahead matches (publicNames);
	// namesMu is held by the one request reading them again.
	names   atomic.Pointer[nameList]
	namesMu sync.Mutex
}

// New makes a search service over s.
func New(s *store.Store) *Service {
	return &Service{store: s, now: time.Now, took: prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "khabar_search_duration_seconds",
		Help:    "Time to answer a search (the site's, the API's and the newsroom's), ranking included.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	})}
}

// Collectors are the search service's metrics.
func (s *Service) Collectors() []prometheus.Collector { return []prometheus.Collector{s.took} }

// Options narrow and order a search.
type Options struct {
	Statuses  []news.Status // empty: any state (newsroom); readers get published only
	SectionID int64
	AuthorID  int64
	TagID     int64
	From, To  time.Time
	Live      bool // live blogs still running only
	ByDate    bool
	Offset    int
	Limit     int
}

// filtered reports whether o narrows the search to some articles (a
// section, author, tag, dates, live blogs or their order), which pages
// are not.
func (o Options) filtered() bool {
	return o.SectionID != 0 || o.AuthorID != 0 || o.TagID != 0 || !o.From.IsZero() || !o.To.IsZero() || o.Live || o.ByDate
}

// Result is one hit, ready to show.
type Result struct {
	Article *news.Article
	Score   float64
	Snippet template.HTML
	// Headline is the article's headline with the matched words marked;
	// Tags are its tags that matched, marked: a hit only there shows why
	// the article came up.
	Headline template.HTML
	Tags     []template.HTML
	Partial  bool // holds only some of the query's words
	// Entry is the live-blog entry that matched, when the article's own
	// text did not (Entry.Newer places it among the blog's pages).
	Entry *news.LiveEntry
}

// Results is one page of hits.
type Results struct {
	Total int // every match, full and partial
	Full  int // the articles holding every word
	Hits  []Result
	// Partial: the page shows articles holding only some of the query's
	// words, after every article holding them all (fewer than a page).
	Partial bool
	// Suggestion is «هل تقصد»: the query with its words no article holds
	// spelled as held ones, when no article holds every word.
	Suggestion string
	// Pages are the outlet's own pages holding the query, on the first
	// page of results when no filter narrows them to articles.
	Pages []PageHit
}

// Search runs q. An empty query returns no results and no error.
func (s *Service) Search(ctx context.Context, q Query, o Options) (*Results, error) {
	if q.Empty() {
		return &Results{}, nil
	}
	start := time.Now()
	defer func() { s.took.Observe(time.Since(start).Seconds()) }()
	if o.Limit <= 0 || o.Limit > 100 {
		o.Limit = 10
	}
	o.Offset = max(o.Offset, 0)
	sq := store.SearchQuery{Phrases: q.Phrases, Not: q.Not, Statuses: o.Statuses, SectionID: o.SectionID, AuthorID: o.AuthorID,
		TagID: o.TagID, From: o.From, To: o.To, Live: o.Live, ByDate: o.ByDate, Limit: o.Limit, Offset: o.Offset}
	rerank := !o.ByDate && sq.Offset+sq.Limit <= rerankWindow
	if rerank {
		sq.Limit, sq.Offset = rerankWindow, 0
	}
	hits, total, err := s.store.Search(ctx, sq)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q.Raw, err)
	}
	if rerank {
		if err := s.boostNear(ctx, hits, q); err != nil {
			return nil, fmt.Errorf("search %q: %w", q.Raw, err)
		}
		s.boostFresh(hits)
		from := min(o.Offset, len(hits))
		hits = hits[from:min(from+o.Limit, len(hits))]
	}
	res := &Results{Total: total, Full: total}
	full := len(hits) // the hits before full holds every word
	if total < o.Limit && !o.ByDate && partialMatches(q) {
		// Fewer than a page hold every word: those that hold some follow,
		// best first, on this page and the next ones.
		sq.Partial, sq.Offset, sq.Limit = true, max(o.Offset-total, 0), o.Limit-len(hits)
		more, n, err := s.store.Search(ctx, sq)
		if err != nil {
			return nil, fmt.Errorf("search %q, some words: %w", q.Raw, err)
		}
		full = len(hits)
		hits, res.Total, res.Partial = append(hits, more...), total+n, len(more) > 0
	}
	if res.Full == 0 {
		if res.Suggestion, err = s.Suggest(ctx, q, o.Statuses); err != nil {
			return nil, err
		}
	}
	if o.Offset == 0 && !o.filtered() {
		if res.Pages, err = s.Pages(ctx, q); err != nil {
			return nil, err
		}
	}
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.ArticleID
	}
	articles, err := s.store.ArticlesByIDs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q.Raw, err)
	}
	for i, h := range hits {
		a, ok := articles[h.ArticleID]
		if !ok {
			continue // deleted since the query ran
		}
		r := Result{Article: a, Score: h.Score, Snippet: Snippet(snippetSource(a), q.Highlight), Partial: i >= full}
		if a.Live && !strings.Contains(string(r.Snippet), "<mark>") {
			if r.Entry, err = s.matchedEntry(ctx, a.ID, q.Highlight); err != nil {
				return nil, fmt.Errorf("search %q: %w", q.Raw, err)
			}
			if r.Entry != nil {
				r.Snippet = Snippet(r.Entry.Text(), q.Highlight)
			}
		}
		r.Headline, _ = Mark(a.Headline, q.Highlight)
		for _, tag := range a.Tags {
			if m, ok := Mark(tag.Name, q.Highlight); ok {
				r.Tags = append(r.Tags, m)
			}
		}
		res.Hits = append(res.Hits, r)
	}
	return res, nil
}

// maxIndexedEntries bounds the live-blog entries an article's index entry
// holds (and a search looks through): a day's coverage is a few hundred.
const maxIndexedEntries = 2000

// matchedEntry is the newest entry of article id's live blog holding one
// of terms, with its place among the entries (Newer); nil for none.
func (s *Service) matchedEntry(ctx context.Context, id int64, terms []string) (*news.LiveEntry, error) {
	entries, _, err := s.store.LiveEntries(ctx, id, maxIndexedEntries, 0)
	if err != nil {
		return nil, err
	}
	for i := range entries {
		if _, hit := hits(entries[i].Text(), terms); slices.Contains(hit, true) {
			e := entries[i]
			e.Newer = i // newest first
			return &e, nil
		}
	}
	return nil, nil
}

// partialMatches reports whether q can match in part: it has a word of
// its own (not only phrases, which stay strict) and more than one term.
func partialMatches(q Query) bool {
	terms, word := map[string]bool{}, false
	for _, p := range q.Phrases {
		word = word || len(p) == 1
		for _, t := range p {
			terms[t] = true
		}
	}
	return word && len(terms) > 1
}

// Proximity: words typed together that stand together in an article
// («البنك المركزي», «رفع الفائدة») make it a better answer than the same
// words pages apart.
const (
	nearWithin   = 5   // terms allowed between two words for them to be near
	nearBoost    = 0.3 // what every pair being near adds to the score, as a share
	maxNearPairs = 6   // pairs checked, from the start of a long question
)

// queryPairs are the pairs of terms typed one after the other in q,
// except inside a phrase, which holds its words together already.
func queryPairs(q Query) [][2]string {
	var pairs [][2]string
	seen := map[[2]string]bool{}
	for i := 1; i < len(q.Phrases) && len(pairs) < maxNearPairs; i++ {
		prev, next := q.Phrases[i-1], q.Phrases[i]
		p := [2]string{prev[len(prev)-1], next[0]}
		if p[0] != p[1] && !seen[p] {
			seen[p] = true
			pairs = append(pairs, p)
		}
	}
	return pairs
}

// boostNear multiplies each hit's score by up to 1 + nearBoost, by the
// share of the query's pairs of words it holds near each other.
func (s *Service) boostNear(ctx context.Context, hits []store.SearchHit, q Query) error {
	pairs := queryPairs(q)
	if len(pairs) == 0 || len(hits) == 0 {
		return nil
	}
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.ArticleID
	}
	near, err := s.store.NearPairs(ctx, ids, pairs, nearWithin)
	if err != nil {
		return err
	}
	for i := range hits {
		hits[i].Score *= 1 + nearBoost*float64(near[hits[i].ArticleID])/float64(len(pairs))
	}
	return nil
}

// boostFresh multiplies relevance by up to 1.5 for news of the last days:
// readers searching a name want this week's story before last year's.
func (s *Service) boostFresh(hits []store.SearchHit) {
	now := s.now()
	for i := range hits {
		age := now.Sub(hits[i].PublishedAt).Hours()
		if hits[i].PublishedAt.IsZero() || age < 0 {
			age = 0
		}
		hits[i].Score *= 1 + 0.5*math.Exp(-age/72)
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
}

func snippetSource(a *news.Article) string {
	var sb strings.Builder
	sb.WriteString(a.Lead)
	for i := range a.Body {
		sb.WriteString("\n")
		sb.WriteString(a.Body[i].PlainText())
	}
	return sb.String()
}

// doc is Doc with the entries of the article's live blog in its body:
// readers search what the live page says too.
func (s *Service) doc(ctx context.Context, a *news.Article) (store.SearchDoc, error) {
	d := Doc(a)
	if !a.Live {
		return d, nil
	}
	entries, _, err := s.store.LiveEntries(ctx, a.ID, maxIndexedEntries, 0)
	if err != nil {
		return d, fmt.Errorf("index article %d: %w", a.ID, err)
	}
	var sb strings.Builder
	for i := range entries {
		sb.WriteString(entries[i].Text())
		sb.WriteString("\n")
	}
	d.Body = append(d.Body, arabic.Terms(sb.String())...)
	return d, nil
}

// Doc analyses an article for the index.
func Doc(a *news.Article) store.SearchDoc {
	d := store.SearchDoc{ArticleID: a.ID, Headline: arabic.Terms(a.Headline), Lead: arabic.Terms(a.Lead)}
	var body strings.Builder
	for i := range a.Body {
		body.WriteString(a.Body[i].PlainText())
		body.WriteString("\n")
	}
	d.Body = arabic.Terms(body.String())
	meta := []string{a.Kicker, a.Source}
	for _, t := range a.Tags {
		meta = append(meta, t.Name)
	}
	for _, au := range a.Authors {
		meta = append(meta, au.Name)
	}
	d.Meta = arabic.Terms(strings.Join(meta, "\n"))
	if a.Status == news.StatusPublished {
		d.Prefixes, d.Published = prefixes(a.Headline), a.PublishedAt
	}
	return d
}

// HandleEvent keeps the index in step with the articles: it is the
// durable outbox.Search consumer of the outbox.
func (s *Service) HandleEvent(ctx context.Context, ev news.Event) error {
	switch ev.Kind {
	case news.EventArticlePublished, news.EventArticleUpdated, news.EventArticleUnpublished, news.EventArticleSaved, news.EventLiveEntryChanged:
	default:
		return nil // ticker and settings changes do not touch what articles say
	}
	a, err := s.store.GetArticle(ctx, ev.ArticleID)
	if errors.Is(err, news.ErrNotFound) {
		return s.store.UnindexArticle(ctx, ev.ArticleID)
	}
	if err != nil {
		return err
	}
	d, err := s.doc(ctx, a)
	if err != nil {
		return err
	}
	return s.store.IndexArticles(ctx, []store.SearchDoc{d})
}

// reindexBatch articles are indexed per transaction.
const reindexBatch = 2000

// Reindex rebuilds the whole index, calling progress after each batch.
// Reading and analysing the next batch overlaps writing this one: the
// analysis is this process's work, the writing mostly the database's.
func (s *Service) Reindex(ctx context.Context, progress func(done, total int)) error {
	total, err := s.store.CountArticles(ctx)
	if err != nil {
		return err
	}
	if err := s.store.ClearSearchIndex(ctx); err != nil {
		return err
	}
	type batch struct {
		docs []store.SearchDoc
		err  error
	}
	read, stop := context.WithCancel(ctx)
	defer stop()
	next := make(chan batch, 1)
	go func() {
		defer close(next)
		var after int64
		for {
			list, err := s.store.ArticlesAfter(read, after, reindexBatch)
			if err == nil && len(list) == 0 {
				return
			}
			b := batch{err: err}
			for _, a := range list {
				d, err := s.doc(read, a)
				if err != nil {
					b.err = err
					break
				}
				d.Prefixes = nil // written in key order at the end (rebuildTypeahead)
				b.docs = append(b.docs, d)
			}
			select {
			case next <- b:
			case <-read.Done():
				return
			}
			if b.err != nil {
				return
			}
			after = list[len(list)-1].ID
		}
	}()
	done := 0
	for b := range next {
		if b.err != nil {
			return fmt.Errorf("reindex: %w", b.err)
		}
		if err := s.store.IndexArticles(ctx, b.docs); err != nil {
			return fmt.Errorf("reindex: %w", err)
		}
		done += len(b.docs)
		if progress != nil {
			progress(done, total)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.rebuildTypeahead(ctx); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	return nil
}

// EnsureIndex builds the index when this database has never had one (a
// new install, or an upgrade from before search), then records the event
// position it covers so the outbox consumer resumes from there.
func (s *Service) EnsureIndex(ctx context.Context) error {
	if _, ok, err := s.store.Cursor(ctx, outbox.Search); err != nil || ok {
		return err
	}
	last, err := s.store.LastEventID(ctx)
	if err != nil {
		return err
	}
	if err := s.Reindex(ctx, nil); err != nil {
		return err
	}
	return s.store.SaveCursor(ctx, outbox.Search, last)
}
