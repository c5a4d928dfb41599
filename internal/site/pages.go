package site

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"khabar/internal/analytics"
	"khabar/internal/media"
	"khabar/internal/news"
	"khabar/internal/render"
	"khabar/internal/settings"
	"khabar/internal/store"
	"khabar/internal/web"
)

const (
	perPage         = 20
	homeLatest      = 10
	perSectionBlock = 4
	relatedCount    = 4
	htmlType        = "text/html; charset=utf-8"
)

func (s *Site) newData(ctx context.Context, title string) (*pageData, error) {
	c, err := s.chrome(ctx)
	if err != nil {
		return nil, err
	}
	st := s.settings.Get()
	d := &pageData{Site: st, Chrome: c, Title: title, EmailAlerts: s.alerts.Email != nil}
	d.Feeds = s.feedLinks("", "", st.SiteName)
	if title == "" {
		d.Title = st.SiteName
	} else {
		d.Title = title + " | " + st.SiteName
	}
	return d, nil
}

// page renders a template into a cacheable page tagged with what it shows.
func (s *Site) page(name string, d *pageData, tags ...string) (*render.Page, error) {
	body, err := s.eng.Render(name, d)
	if err != nil {
		return nil, err
	}
	return &render.Page{ContentType: htmlType, Body: body, CacheControl: s.cc,
		Tags: append(tags, tagTicker, tagLatest), Expires: d.Chrome.Expires}, nil
}

func (s *Site) home(w http.ResponseWriter, r *http.Request) {
	if wpQuery(r) {
		// WordPress's links to one item by id: the item's new address,
		// or not found, as WordPress answers (a private post's too).
		if !s.redirectOld(w, r) {
			s.Error(w, r, http.StatusNotFound)
		}
		return
	}
	s.serveCached(w, r, "/", func(ctx context.Context) (*render.Page, error) {
		d, err := s.newData(ctx, "")
		if err != nil {
			return nil, err
		}
		d.Description = d.Site.Tagline
		d.Canonical = s.base + "/"
		d.Beacon = s.beacon
		latest, err := s.store.ListPublished(ctx, store.ListFilter{Limit: homeLatest + 1})
		if err != nil {
			return nil, err
		}
		hv := &homeView{}
		// The lead story is the newest the desk pinned, else the newest
		// breaking article, else the newest.
		pinned, err := s.store.ListPublished(ctx, store.ListFilter{Pinned: true, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(pinned) > 0 {
			hv.Lead = &pinned[0]
		}
		for i := 0; i < len(latest) && hv.Lead == nil; i++ {
			if latest[i].Breaking {
				hv.Lead = &latest[i]
			}
		}
		if hv.Lead == nil && len(latest) > 0 {
			hv.Lead = &latest[0]
		}
		for i := range latest {
			if hv.Lead != nil && latest[i].ID == hv.Lead.ID || len(hv.Latest) == homeLatest {
				continue
			}
			hv.Latest = append(hv.Latest, latest[i])
		}
		tags := []string{tagHome, tagMostRead}
		if d.MostRead, err = s.store.MostRead(ctx, 0); err != nil {
			return nil, err
		}
		// The menu's sections, each with its subsections' articles.
		for _, sec := range d.Chrome.Nav {
			items, err := s.store.ListPublished(ctx, store.ListFilter{SectionID: sec.ID, Limit: perSectionBlock})
			if err != nil {
				return nil, err
			}
			if len(items) > 0 {
				hv.Sections = append(hv.Sections, sectionBlock{Section: sec, Items: items})
			}
		}
		d.Home = hv
		s.homeStructured(d)
		p, err := s.page("home", d, tags...)
		if p != nil {
			p.Meta = analytics.Page{Kind: analytics.KindHome}
			// The latest list says "منذ ٣ دقائق": keep it true to the minute.
			if soon := time.Now().Add(time.Minute); p.Expires.IsZero() || soon.Before(p.Expires) {
				p.Expires = soon
			}
		}
		return p, err
	})
}

func (s *Site) article(w http.ResponseWriter, r *http.Request, idPart string) {
	id, ok := web.PositiveID(idPart)
	if !ok {
		s.Error(w, r, http.StatusNotFound)
		return
	}
	s.serveCached(w, r, "/news/"+strconv.FormatInt(id, 10), func(ctx context.Context) (*render.Page, error) {
		a, err := s.store.GetArticle(ctx, id)
		if err != nil {
			return nil, err
		}
		switch a.Status {
		case news.StatusPublished:
		case news.StatusUnpublished:
			return nil, news.ErrGone
		default:
			return nil, news.ErrNotFound
		}
		title := a.SEOTitle
		if title == "" {
			title = a.Headline
		}
		d, err := s.newData(ctx, title)
		if err != nil {
			return nil, err
		}
		if err := s.fillArticle(ctx, d, a); err != nil {
			return nil, err
		}
		d.Beacon = s.beacon
		tags := []string{articleTag(a.ID), "section:" + strconv.FormatInt(a.SectionID, 10), tagMostRead}
		// A story linked from the body shows its headline, and a live
		// blog whether it still runs: the page follows their changes.
		for _, b := range a.Body {
			if b.Type == news.BlockRelated {
				tags = append(tags, articleTag(b.ArticleID))
			}
		}
		p, err := s.page("article", d, tags...)
		s.expireWithComments(p, d.Comments)
		if p != nil {
			p.Path, p.Location = news.ArticlePathDecoded(a), news.ArticlePath(a)
			p.Meta = analytics.Page{Kind: analytics.KindArticle, ArticleID: a.ID, SectionID: a.SectionID}
			if a.Live {
				p.Meta = analytics.Page{Kind: analytics.KindLive, ArticleID: a.ID, SectionID: a.SectionID}
			}
		}
		return p, err
	})
}

// fillArticle builds the article view; the newsroom preview uses it too.
func (s *Site) fillArticle(ctx context.Context, d *pageData, a *news.Article) error {
	blocks, err := s.resolveBlocks(ctx, a.Body)
	if err != nil {
		return err
	}
	related, err := s.store.Related(ctx, a, relatedCount)
	if err != nil {
		return err
	}
	d.Description = a.SEODescription
	if d.Description == "" {
		d.Description = a.Lead
	}
	u := s.base + news.ArticlePath(a)
	d.Canonical = u
	if a.Section != nil {
		// A subsection's article lights its parent in the menu.
		sec := *a.Section
		if full := news.SectionByID(d.Chrome.Sections, sec.ID); full != nil {
			sec = *full
		}
		d.Crumbs = news.Trail(d.Chrome.Sections, sec)
		d.Active = d.Crumbs[0].Slug
	}
	d.Article = &articleView{A: a, Blocks: blocks, Related: related, URL: u, Share: shareLinks(u, a.Headline), ShowUpdated: showUpdated(a)}
	corrections, err := s.store.ArticleCorrections(ctx, a.ID)
	if err != nil {
		return err
	}
	d.Article.Notes, d.Article.Corrections = correctionBoxes(corrections)
	if d.MostRead, err = s.store.MostRead(ctx, 0); err != nil {
		return err
	}
	if d.Comments, err = s.fillComments(ctx, a, false, 1); err != nil {
		return err
	}
	if d.LiveBlog, err = s.liveBlogView(ctx, a, 1); err != nil {
		return err
	}
	s.articleStructured(d, a)
	d.Feeds = append(d.Feeds, feedLink{Type: "application/json+oembed", Title: a.Headline, URL: "/oembed?format=json&url=" + url.QueryEscape(u)})
	return nil
}

// RenderPreview renders an article in any state exactly as readers would
// see it once published, for the newsroom. It is never cached.
func (s *Site) RenderPreview(ctx context.Context, a *news.Article) ([]byte, error) {
	d, err := s.newData(ctx, a.Headline)
	if err != nil {
		return nil, err
	}
	if err := s.fillArticle(ctx, d, a); err != nil {
		return nil, err
	}
	d.Article.Preview = true
	d.Robots = "noindex, nofollow"
	return s.eng.Render("article", d)
}

// staticPage is /page/{slug}: one of the outlet's own pages.
func (s *Site) staticPage(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	s.serveCached(w, r, "/page/"+slug, func(ctx context.Context) (*render.Page, error) {
		pg, err := s.store.PageBySlug(ctx, slug)
		if err != nil {
			return nil, err
		}
		d, err := s.newData(ctx, pg.Title)
		if err != nil {
			return nil, err
		}
		blocks, err := s.resolveBlocks(ctx, pg.Body)
		if err != nil {
			return nil, err
		}
		d.Description, d.Canonical = pg.Summary(), s.base+news.ListPath("page", pg.Slug)
		d.StaticPage = &staticPageView{P: pg, Blocks: blocks}
		s.staticPageStructured(d, pg)
		return s.page("page", d)
	})
}

// listing serves section, tag and author pages.
type listing struct {
	kind   string
	lookup func(ctx context.Context, slug string) (*listHead, error)
}

// listHead is what a list page says about what it lists, and what it
// lists.
type listHead struct {
	heading, intro string
	description    string // the meta description; intro when empty
	tags           []string
	filter         store.ListFilter
	crumbs         []news.Section
	author         *authorView // an author page's profile
	// count is what a view of the page counts as.
	count analytics.Page
	// mostRead, when set, is the section whose «الأكثر قراءة» the page
	// shows.
	mostRead int64
}

func (s *Site) section(w http.ResponseWriter, r *http.Request) {
	s.list(w, r, listing{kind: "section", lookup: s.sectionHead})
}

// sectionHead heads a section's page: its description, its trail, and
// the cache tags of its subsections, whose articles it lists too. A slug
// the section had before answers with a redirect to its page now.
func (s *Site) sectionHead(ctx context.Context, slug string) (*listHead, error) {
	sec, err := s.sectionBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	c, err := s.chrome(ctx)
	if err != nil {
		return nil, err
	}
	h := &listHead{heading: sec.Name, intro: sec.Description, filter: store.ListFilter{SectionID: sec.ID},
		tags: []string{sectionTag(sec.ID)}, crumbs: news.Trail(c.Sections, *sec),
		count: analytics.Page{Kind: analytics.KindSection, SectionID: sec.ID}, mostRead: sec.ID}
	if h.intro == "" {
		h.description = s.cat.T("section_meta_description", sec.Name, s.settings.Get().SiteName)
	}
	h.tags = append(h.tags, subsectionTags(c.Sections, sec.ID)...)
	return h, nil
}

// subsectionTags are the cache tags of the sections under id, whose
// articles its page and feed carry.
func subsectionTags(list []news.Section, id int64) []string {
	var tags []string
	for _, sub := range list {
		if sub.ParentID == id {
			tags = append(tags, sectionTag(sub.ID))
		}
	}
	return tags
}

// sectionBySlug finds a section by its slug now, or by one it had (a
// movedError to its page now).
func (s *Site) sectionBySlug(ctx context.Context, slug string) (*news.Section, error) {
	sec, err := s.store.SectionBySlug(ctx, slug)
	if !errors.Is(err, news.ErrNotFound) {
		return sec, err
	}
	if now, err2 := s.store.SectionByOldSlug(ctx, slug); err2 == nil {
		return nil, &movedError{slug: now.Slug}
	}
	return nil, err
}

// movedError sends a reader from a section's old slug to its slug now.
type movedError struct{ slug string }

func (e *movedError) Error() string { return "section moved to " + e.slug }

func sectionTag(id int64) string { return "section:" + strconv.FormatInt(id, 10) }

func (s *Site) tag(w http.ResponseWriter, r *http.Request) {
	s.list(w, r, listing{kind: "tag", lookup: func(ctx context.Context, slug string) (*listHead, error) {
		t, err := s.store.PublicTag(ctx, slug)
		if err != nil {
			return nil, err
		}
		return &listHead{heading: t.Name, tags: []string{"tag:" + strconv.FormatInt(t.ID, 10)}, filter: store.ListFilter{TagID: t.ID},
			count: analytics.Page{Kind: analytics.KindTag}}, nil
	}})
}

func (s *Site) author(w http.ResponseWriter, r *http.Request) {
	s.list(w, r, listing{kind: "author", lookup: func(ctx context.Context, slug string) (*listHead, error) {
		a, err := s.store.PublicAuthor(ctx, slug)
		if err != nil {
			return nil, err
		}
		v := &authorView{A: a}
		if a.PhotoID > 0 {
			if v.Photo, err = s.store.GetMedia(ctx, a.PhotoID); err != nil && !errors.Is(err, news.ErrNotFound) {
				return nil, err
			}
		}
		for _, l := range []settings.Link{{Key: "x", URL: a.X}, {Key: "facebook", URL: a.Facebook}, {Key: "telegram", URL: a.Telegram}, {Key: "website", URL: a.Website}} {
			if l.URL != "" {
				l.Label = s.cat.T("author_link_" + l.Key)
				v.Links = append(v.Links, l)
			}
		}
		return &listHead{heading: a.Name, intro: a.Bio, tags: []string{"author:" + strconv.FormatInt(a.ID, 10)},
			filter: store.ListFilter{AuthorID: a.ID}, author: v, count: analytics.Page{Kind: analytics.KindAuthor}}, nil
	}})
}

func (s *Site) list(w http.ResponseWriter, r *http.Request, l listing) {
	slug := r.PathValue("slug")
	pageNo, ok := web.PageNumber(r)
	if !ok {
		s.Error(w, r, http.StatusBadRequest)
		return
	}
	pageQuery := ""
	if pageNo > 1 {
		pageQuery = "?page=" + strconv.Itoa(pageNo)
	}
	// Every stored slug is its own Slugify; anything else (capitals, a
	// stray space, invalid UTF-8, an escaped "?") is sent to that form, so
	// no two URLs can share a cache entry or reach the database unchecked.
	if canon := news.Slugify(slug); canon != slug {
		if canon == "" || len(slug) > news.MaxSlug*4 {
			s.Error(w, r, http.StatusNotFound)
			return
		}
		http.Redirect(w, r, news.ListPath(l.kind, canon)+pageQuery, http.StatusMovedPermanently)
		return
	}
	key := news.ListPath(l.kind, slug) + pageQuery
	s.serveCached(w, r, key, func(ctx context.Context) (*render.Page, error) {
		h, err := l.lookup(ctx, slug)
		if err != nil {
			return nil, err
		}
		heading, intro, f := h.heading, h.intro, h.filter
		total, err := s.store.CountPublished(ctx, f)
		if err != nil {
			return nil, err
		}
		pages := max(1, (total+perPage-1)/perPage)
		if pageNo > pages {
			return nil, news.ErrNotFound
		}
		f.Limit, f.Offset = perPage, (pageNo-1)*perPage
		items, err := s.store.ListPublished(ctx, f)
		if err != nil {
			return nil, err
		}
		title := heading
		if pageNo > 1 {
			title += " – " + s.cat.T("page_n", s.settings.Get().Digits.Int(pageNo))
		}
		d, err := s.newData(ctx, title)
		if err != nil {
			return nil, err
		}
		escaped := "/" + l.kind + "/" + url.PathEscape(slug)
		d.Canonical = s.base + escaped
		d.Beacon = s.beacon
		if pageNo > 1 {
			d.Canonical += "?page=" + strconv.Itoa(pageNo)
		}
		if d.Crumbs = h.crumbs; len(d.Crumbs) > 0 {
			d.Active = d.Crumbs[0].Slug
		}
		if d.Description = h.description; d.Description == "" {
			d.Description = intro
		}
		if pageNo > 1 {
			d.Robots = "noindex, follow" // page 2+ repeats what page 1 leads to
		}
		s.socialBasics(d, "")
		if len(d.Crumbs) > 0 {
			d.JSONLD = ldJSON([]any{s.breadcrumbs(d.Crumbs, "", "")})
		}
		d.List = &listView{Kind: l.kind, Heading: heading, Intro: intro, Items: items, Pager: pagerAt(escaped, pageNo, pages), Author: h.author}
		if h.author != nil {
			p := s.person(h.author)
			p["@context"] = "https://schema.org"
			d.JSONLD = ldJSON([]any{p})
		}
		d.Feeds = append(d.Feeds, s.feedLinks(l.kind, slug, d.Site.SiteName+" – "+heading)...)
		// "cards:" lets a comment refresh the counts on the list's cards
		// without dropping every article page of the section too (article
		// pages carry the section's tag for their related stories).
		tags := slices.Clone(h.tags)
		for _, t := range h.tags {
			tags = append(tags, cardsTag(t))
		}
		if h.mostRead != 0 {
			tags = append(tags, mostReadTag(h.mostRead))
			if d.MostRead, err = s.store.MostRead(ctx, h.mostRead); err != nil {
				return nil, err
			}
		}
		p, err := s.page("list", d, tags...)
		if p != nil {
			p.Meta = h.count
		}
		return p, err
	})
}

func (s *Site) robots(w http.ResponseWriter, r *http.Request) {
	body := "User-agent: *\nDisallow: /admin/\nDisallow: /api/\nDisallow: /search\nAllow: /\n\n" +
		"Sitemap: " + s.base + "/sitemap.xml\nSitemap: " + s.base + "/sitemap-news.xml\n"
	render.NewPage(http.StatusOK, "text/plain; charset=utf-8", []byte(body), "public, max-age=3600").Serve(w, r)
}

// media serves stored files from the media store, so any node serves any
// file, streamed or, with a media URL, redirected there. Uploaded files
// are hostile until proven otherwise: no directory listings, no sniffing,
// and a sandboxing CSP so an SVG cannot run script on our origin.
func (s *Site) media() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/media/")
		if media.ValidKey(name) != nil {
			s.Error(w, r, http.StatusNotFound)
			return
		}
		if s.mediaURL != "" {
			// Library names are content hashes, so the answer never
			// changes; a day's caching keeps an edited demo or logo
			// from sticking for a year.
			w.Header().Set("Cache-Control", "public, max-age=86400")
			http.Redirect(w, r, s.mediaURL+"/"+name, http.StatusFound)
			return
		}
		s.serveFile(w, r, name, media.ImmutableCache)
	})
}

// serveFile streams the stored file key with Cache-Control cc, answering
// ranges and conditional requests; a missing file is the 404 page.
func (s *Site) serveFile(w http.ResponseWriter, r *http.Request, key, cc string) {
	rc, err := s.files.Open(r.Context(), key)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, media.ErrBadKey) && r.Context().Err() == nil {
			s.log.ErrorContext(r.Context(), "serve media", "key", key, "err", err)
			s.Error(w, r, http.StatusServiceUnavailable)
			return
		}
		s.Error(w, r, http.StatusNotFound)
		return
	}
	defer rc.Close()
	rs, info, err := media.ReadSeeker(rc)
	if err != nil {
		s.log.ErrorContext(r.Context(), "serve media", "key", key, "err", err)
		s.Error(w, r, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", cc)
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, path.Base(key), info.ModTime, rs)
}

// fail answers err with the error page of its kind (web.Status), and logs
// it when it is the server's fault.
func (s *Site) fail(w http.ResponseWriter, r *http.Request, err error) {
	if mv := (*movedError)(nil); errors.As(err, &mv) {
		to := news.ListPath(news.ListSection, mv.slug)
		if file := r.PathValue("file"); file != "" {
			to = news.FeedPath("section", mv.slug, file)
		}
		if r.URL.RawQuery != "" {
			to += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, to, http.StatusMovedPermanently)
		return
	}
	status := web.Status(err)
	if web.ServerFault(r, status) {
		s.log.ErrorContext(r.Context(), "serve page", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	s.Error(w, r, status)
}

// Error writes an Arabic (catalogue) error page with the site's chrome,
// falling back to a bare page when even the chrome cannot be read.
func (s *Site) Error(w http.ResponseWriter, r *http.Request, status int) {
	if !knownError(status) {
		status = http.StatusInternalServerError
	}
	if status == http.StatusNotFound && s.redirectOld(w, r) {
		return
	}
	var ref string
	if status == http.StatusInternalServerError {
		ref = web.RequestIDFrom(r.Context())
	}
	var body []byte
	if d, err := s.newData(r.Context(), s.cat.T("error_title_"+strconv.Itoa(status))); err == nil {
		d.Error = &errorView{Status: status, Ref: ref}
		d.Robots = "noindex"
		body, _ = s.eng.Render("error", d)
	}
	if body == nil {
		body = []byte("<!doctype html><html lang=\"" + s.cat.Lang() + "\" dir=\"" + s.cat.Dir() + "\"><meta charset=utf-8><title>" +
			s.cat.T("error_title_"+strconv.Itoa(status)) + "</title><h1>" + s.cat.T("error_title_"+strconv.Itoa(status)) + "</h1><p>" +
			s.cat.T("error_text_"+strconv.Itoa(status)) + "</p>")
		if ref != "" {
			body = append(body, "<p>"+s.cat.T("error_reference")+" <code dir=\"ltr\">"+ref+"</code></p>"...)
		}
	}
	cc := "no-store"
	if status == http.StatusNotFound || status == http.StatusGone {
		cc = "public, max-age=60"
	}
	render.NewPage(status, htmlType, body, cc).Serve(w, r)
}

func knownError(status int) bool {
	switch status {
	case http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusConflict,
		http.StatusGone, http.StatusRequestEntityTooLarge, http.StatusRequestURITooLong, http.StatusTooManyRequests,
		http.StatusServiceUnavailable:
		return true
	}
	return false
}
