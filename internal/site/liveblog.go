package site

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"khabar/internal/live"
	"khabar/internal/news"
	"khabar/internal/render"
	"khabar/internal/web"
)

const (
	// liveEntriesPerPage is how many entries the article page and each
	// /liveblog page show; "load more" brings the next page.
	liveEntriesPerPage = 20
	// liveKeyEvents is how many key events the summary lists.
	liveKeyEvents = 20
	// liveBlogUpdates is how many entries JSON-LD lists as liveBlogUpdate.
	liveBlogUpdates = 10
	// liveSummaryChars cuts an untitled entry's text to name it.
	liveSummaryChars = 110
	// liveUpdateChars cuts an entry's text in JSON-LD, which repeats what
	// the page shows and must not double its weight.
	liveUpdateChars = 500
)

// liveBlogView is the live coverage area of an article, or a page of its
// older entries.
type liveBlogView struct {
	ArticleID   int64
	ArticlePath string
	Headline    string
	Blog        news.LiveBlog
	Entries     []liveEntryView
	Keys        []liveKeyView
	Pager       pager
	// Live marks the area that open pages keep up to date: the newest
	// entries of coverage that goes on.
	Live       bool
	Standalone bool  // a /liveblog page rather than the article
	Since      int64 // as commentsView's
}

type liveEntryView struct {
	E      news.LiveEntry
	Blocks []blockView
	// Edited shows that an entry was corrected after it was posted.
	Edited bool
}

type liveKeyView struct {
	Summary string
	At      time.Time
	Link    string
}

// liveBlogTopic is the live topic of an article's live blog.
func liveBlogTopic(articleID int64) string { return "liveblog/" + strconv.FormatInt(articleID, 10) }

// liveBlogView loads page of an article's live blog; nil for an article
// that is not live.
func (s *Site) liveBlogView(ctx context.Context, a *news.Article, page int) (*liveBlogView, error) {
	if !a.Live {
		return nil, nil
	}
	since := s.seen.Load() // before what the page shows is read
	blog, err := s.store.LiveBlog(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	entries, total, err := s.store.LiveEntries(ctx, a.ID, liveEntriesPerPage, (page-1)*liveEntriesPerPage)
	if err != nil {
		return nil, err
	}
	path := news.ArticlePath(a)
	v := &liveBlogView{Since: since, ArticleID: a.ID, ArticlePath: path, Headline: a.Headline, Blog: blog, Live: page == 1 && !blog.Ended(),
		Pager: pager{Page: page, Pages: max(1, (total+liveEntriesPerPage-1)/liveEntriesPerPage)}}
	for i := range entries {
		ev, err := s.liveEntryView(ctx, &entries[i])
		if err != nil {
			return nil, err
		}
		v.Entries = append(v.Entries, ev)
	}
	if v.Keys, err = s.liveKeys(ctx, a.ID, path); err != nil {
		return nil, err
	}
	switch {
	case page == 2:
		v.Pager.Prev = path + "#liveblog"
	case page > 2:
		v.Pager.Prev = news.LiveBlogPath(a.ID, page-1)
	}
	if page < v.Pager.Pages {
		v.Pager.Next = news.LiveBlogPath(a.ID, page+1)
	}
	return v, nil
}

func (s *Site) liveEntryView(ctx context.Context, e *news.LiveEntry) (liveEntryView, error) {
	blocks, err := s.resolveBlocks(ctx, e.Body)
	if err != nil {
		return liveEntryView{}, err
	}
	return liveEntryView{E: *e, Blocks: blocks, Edited: e.UpdatedAt.Sub(e.CreatedAt) > time.Minute}, nil
}

// liveKeys lists the key events, each linked where it is shown: on the
// article page for the newest entries, else on the page of older ones.
func (s *Site) liveKeys(ctx context.Context, articleID int64, articlePath string) ([]liveKeyView, error) {
	keys, err := s.store.KeyLiveEntries(ctx, articleID, liveKeyEvents)
	if err != nil {
		return nil, err
	}
	out := make([]liveKeyView, 0, len(keys))
	for i := range keys {
		k := &keys[i]
		out = append(out, liveKeyView{Summary: k.Summary(liveSummaryChars), At: k.CreatedAt, Link: entryLink(articleID, articlePath, k)})
	}
	return out, nil
}

// entryLink leads to entry e where it is shown: on the article page for
// the newest entries, else on the page of older ones (e.Newer places it).
func entryLink(articleID int64, articlePath string, e *news.LiveEntry) string {
	link := articlePath
	if page := e.Newer/liveEntriesPerPage + 1; page > 1 {
		link = news.LiveBlogPath(articleID, page)
	}
	return link + "#e" + strconv.FormatInt(e.ID, 10)
}

// liveBlogPage is GET /liveblog/{id}?page=N: the older entries of a live
// blog, what "load more" links to (and fetches, with JavaScript).
func (s *Site) liveBlogPage(w http.ResponseWriter, r *http.Request) {
	id, ok := web.PositiveID(r.PathValue("id"))
	page, pok := web.PageNumber(r)
	if !ok {
		s.Error(w, r, http.StatusNotFound)
		return
	}
	if !pok {
		s.Error(w, r, http.StatusBadRequest)
		return
	}
	s.serveCached(w, r, news.LiveBlogPath(id, page), func(ctx context.Context) (*render.Page, error) {
		a, err := s.store.GetArticle(ctx, id)
		switch {
		case err != nil:
			return nil, err
		case a.Status == news.StatusUnpublished:
			return nil, news.ErrGone
		case a.Status != news.StatusPublished || !a.Live:
			return nil, news.ErrNotFound
		}
		v, err := s.liveBlogView(ctx, a, page)
		if err != nil {
			return nil, err
		}
		if page > v.Pager.Pages {
			return nil, news.ErrNotFound
		}
		title := s.cat.T("liveblog_title") + ": " + a.Headline
		if page > 1 {
			title += " – " + s.cat.T("page_n", s.settings.Get().Digits.Int(page))
		}
		d, err := s.newData(ctx, title)
		if err != nil {
			return nil, err
		}
		d.Robots = "noindex, follow" // the article page is the one to index
		d.Canonical = s.base + v.ArticlePath
		if a.Section != nil {
			d.Active = a.Section.Slug
		}
		v.Standalone, v.Live = true, false
		d.LiveBlog = v
		return s.page("liveblog", d, articleTag(a.ID))
	})
}

// liveBlogStructured adds LiveBlogPosting's own fields to an article's
// JSON-LD: the coverage period and the latest entries.
func (s *Site) liveBlogStructured(art map[string]any, v *liveBlogView, articleURL string) {
	if v == nil {
		return
	}
	f := s.eng.DateFormat()
	art["coverageStartTime"] = f.ISO(v.Blog.Start)
	if v.Blog.Ended() {
		art["coverageEndTime"] = f.ISO(v.Blog.End)
	}
	var updates []map[string]any
	for _, ev := range v.Entries[:min(len(v.Entries), liveBlogUpdates)] {
		e := &ev.E
		u := map[string]any{"@type": "BlogPosting", "headline": e.Summary(liveSummaryChars),
			"datePublished": f.ISO(e.CreatedAt), "dateModified": f.ISO(e.UpdatedAt),
			"url": articleURL + "#e" + strconv.FormatInt(e.ID, 10)}
		if body := e.Text(); body != "" {
			u["articleBody"] = news.Excerpt(body, liveUpdateChars)
		}
		if e.Author != nil {
			u["author"] = map[string]any{"@type": "Person", "name": e.Author.Name}
		}
		updates = append(updates, u)
	}
	if len(updates) > 0 {
		art["liveBlogUpdate"] = updates
	}
}

// liveEntryMessage is what open pages receive when an entry changes: the
// entry as the page renders it (or that it was removed), and the key
// events summary, which any change may alter.
type liveEntryMessage struct {
	ID      int64  `json:"id"`
	HTML    string `json:"html,omitempty"`
	Removed bool   `json:"removed,omitempty"`
	Keys    string `json:"keys"`
}

// liveCoverageMessage tells open pages the coverage ended (or resumed).
type liveCoverageMessage struct {
	Ended bool   `json:"ended"`
	HTML  string `json:"html"`
}

// LiveBlog is the live consumer's part for live blogs: it publishes every
// entry change of a published live blog whose coverage goes on, and the
// coverage's end, to the blog's topic. Drafts publish nothing: anyone may
// subscribe to any topic.
func (s *Site) liveBlogChanged(ctx context.Context, ev news.Event) error {
	a, blog, err := s.store.LiveBlogOf(ctx, ev.ArticleID)
	if errors.Is(err, news.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !a.IsPublic() || !a.Live {
		return nil
	}
	var (
		event = "coverage"
		msg   any
	)
	if ev.Kind == news.EventLiveCoverageChanged {
		html, err := s.fragment("live_status", blog)
		if err != nil {
			return err
		}
		msg = liveCoverageMessage{Ended: blog.Ended(), HTML: html}
	} else {
		if blog.Ended() {
			return nil // closed coverage: pages stopped listening
		}
		if msg, err = s.liveEntryMessage(ctx, a, ev.Entry); err != nil {
			return err
		}
		event = "entry"
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	s.live.Append(liveBlogTopic(a.ID), live.Message{ID: ev.ID, Event: event, Data: data})
	return nil
}

func (s *Site) liveEntryMessage(ctx context.Context, a *news.Article, entryID int64) (liveEntryMessage, error) {
	msg := liveEntryMessage{ID: entryID}
	e, err := s.store.LiveEntry(ctx, entryID)
	switch {
	case errors.Is(err, news.ErrNotFound):
		msg.Removed = true
	case err != nil:
		return msg, err
	default:
		v, err := s.liveEntryView(ctx, e)
		if err == nil {
			msg.HTML, err = s.fragment("live_entry", v)
		}
		if err != nil {
			return msg, err
		}
	}
	keys, err := s.liveKeys(ctx, a.ID, news.ArticlePath(a))
	if err == nil {
		msg.Keys, err = s.fragment("live_keys", keys)
	}
	return msg, err
}

// fragment renders a partial template as a string, for live messages.
func (s *Site) fragment(name string, data any) (string, error) {
	b, err := s.eng.RenderFragment(name, data)
	return string(b), err
}
