package site

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"khabar/internal/feed"
	"khabar/internal/news"
	"khabar/internal/render"
	"khabar/internal/store"
)

const (
	xmlType = "application/xml; charset=utf-8"
	// newsWindow is how far back Google News sitemaps reach.
	newsWindow = 48 * time.Hour
)

// sitemapIndex is /sitemap.xml: one article sitemap per month (so none
// nears the 50,000-URL limit and old months stay cached), plus the section,
// tag and author sitemaps.
func (s *Site) sitemapIndex(w http.ResponseWriter, r *http.Request) {
	s.serveCached(w, r, "/sitemap.xml", func(ctx context.Context) (*render.Page, error) {
		published, updated, err := s.store.PublicationTimes(ctx)
		if err != nil {
			return nil, err
		}
		months := map[string]time.Time{}
		for i, p := range published {
			key := p.UTC().Format("2006-01")
			if updated[i].After(months[key]) {
				months[key] = updated[i]
			}
		}
		keys := make([]string, 0, len(months))
		for k := range months {
			keys = append(keys, k)
		}
		sort.Sort(sort.Reverse(sort.StringSlice(keys)))
		var refs []feed.SitemapRef
		for _, k := range keys {
			refs = append(refs, feed.SitemapRef{Loc: s.base + "/sitemaps/articles-" + k + ".xml", LastMod: months[k]})
		}
		for _, kind := range []string{"sections", "tags", "authors"} {
			refs = append(refs, feed.SitemapRef{Loc: s.base + "/sitemaps/" + kind + ".xml"})
		}
		var buf bytes.Buffer
		if err := feed.SitemapIndex(&buf, refs); err != nil {
			return nil, err
		}
		return &render.Page{ContentType: xmlType, Body: buf.Bytes(), CacheControl: s.cc, Tags: []string{tagLatest}}, nil
	})
}

// sitemapFile is /sitemaps/{name}: articles-YYYY-MM.xml, sections.xml,
// tags.xml or authors.xml.
func (s *Site) sitemapFile(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	var fill func(ctx context.Context) ([]feed.SitemapURL, error)
	switch name {
	case "sections.xml", "tags.xml", "authors.xml":
		kind := strings.TrimSuffix(strings.TrimSuffix(name, ".xml"), "s")
		fill = func(ctx context.Context) ([]feed.SitemapURL, error) {
			slugs, err := s.store.SlugsInUse(ctx, kind)
			if err != nil {
				return nil, err
			}
			urls := make([]feed.SitemapURL, 0, len(slugs))
			for _, slug := range slugs {
				urls = append(urls, feed.SitemapURL{Loc: s.base + "/" + kind + "/" + url.PathEscape(slug)})
			}
			return urls, nil
		}
	default:
		month, ok := strings.CutPrefix(strings.TrimSuffix(name, ".xml"), "articles-")
		from, err := time.Parse("2006-01", month)
		if !ok || err != nil || !strings.HasSuffix(name, ".xml") {
			s.Error(w, r, http.StatusNotFound)
			return
		}
		fill = func(ctx context.Context) ([]feed.SitemapURL, error) {
			list, err := s.store.ListPublished(ctx, store.ListFilter{From: from, To: from.AddDate(0, 1, 0), Limit: feed.MaxSitemapURLs})
			if err != nil {
				return nil, err
			}
			urls := make([]feed.SitemapURL, 0, len(list))
			for i := range list {
				a := &list[i]
				u := feed.SitemapURL{Loc: s.base + news.ArticlePath(a), LastMod: a.UpdatedAt}
				if a.Featured != nil {
					u.Images = []string{s.base + "/media/" + a.Featured.Path}
				}
				urls = append(urls, u)
			}
			return urls, nil
		}
	}
	s.serveCached(w, r, "/sitemaps/"+name, func(ctx context.Context) (*render.Page, error) {
		urls, err := fill(ctx)
		if err != nil {
			return nil, err
		}
		if len(urls) == 0 {
			return nil, news.ErrNotFound
		}
		return s.urlSetPage(urls, 0)
	})
}

// newsSitemap is /sitemap-news.xml: what Google News may list, articles of
// the last 48 hours, at most 1,000.
func (s *Site) newsSitemap(w http.ResponseWriter, r *http.Request) {
	s.serveCached(w, r, "/sitemap-news.xml", func(ctx context.Context) (*render.Page, error) {
		now := time.Now()
		list, err := s.store.ListPublished(ctx, store.ListFilter{From: now.Add(-newsWindow), To: now.Add(time.Minute), Limit: feed.MaxNewsURLs})
		if err != nil {
			return nil, err
		}
		st := s.settings.Get()
		var urls []feed.SitemapURL
		for i := range list {
			a := &list[i]
			urls = append(urls, feed.SitemapURL{Loc: s.base + news.ArticlePath(a), LastMod: a.UpdatedAt,
				News: &feed.NewsEntry{Publication: st.SiteName, Language: a.Language, Published: a.PublishedAt, Title: a.Headline}})
		}
		if len(urls) == 0 {
			// The schema wants a URL; a quiet news day lists the home page.
			urls = []feed.SitemapURL{{Loc: s.base + "/"}}
		}
		// Articles age out of the window on their own: do not keep the
		// page longer than a few minutes.
		return s.urlSetPage(urls, 5*time.Minute)
	})
}

func (s *Site) urlSetPage(urls []feed.SitemapURL, ttl time.Duration) (*render.Page, error) {
	var buf bytes.Buffer
	if err := feed.URLSet(&buf, urls); err != nil {
		return nil, fmt.Errorf("sitemap: %w", err)
	}
	p := &render.Page{ContentType: xmlType, Body: buf.Bytes(), CacheControl: s.cc, Tags: []string{tagLatest}}
	if ttl > 0 {
		p.Expires = time.Now().Add(ttl)
	}
	return p, nil
}
