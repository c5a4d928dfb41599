// Package site serves the public website: home, articles, section, tag and
// author pages, from the page cache whenever it can.
package site

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"khabar/internal/analytics"
	"khabar/internal/comment"
	"khabar/internal/jobs"
	"khabar/internal/live"
	"khabar/internal/locale"
	"khabar/internal/media"
	"khabar/internal/news"
	"khabar/internal/render"
	"khabar/internal/search"
	"khabar/internal/settings"
	"khabar/internal/store"
	"khabar/internal/throttle"
	"khabar/internal/web"
)

//go:embed templates
var templateFS embed.FS

// Options configure a Site.
type Options struct {
	Store    *store.Store
	Settings *settings.Live
	Cache    *render.Cache
	// Live is the hub open pages follow the ticker, comments and live
	// blogs through.
	Live    *live.Hub
	Catalog *locale.Catalog
	BaseURL string // absolute origin used in canonical and share links
	MaxAge  time.Duration
	// EdgeMaxAge, when set, is how long shared caches (a CDN purged by
	// surrogate key, internal/cdn) may keep tagged pages: their s-maxage.
	// Browsers keep MaxAge.
	EdgeMaxAge time.Duration
	// MediaURL, when set, is where /media/ redirects: a CDN or the
	// bucket itself, serving the same keys.
	MediaURL string
	Log      *slog.Logger
	Search   *search.Service
	// SearchLimit is the per-address search budget, shared with the API.
	SearchLimit *throttle.Limiter
	// Comments takes readers' comments; nil closes them everywhere.
	Comments *comment.Service
	Alerts   AlertOptions
	// Newsletters are offered when their Service is set.
	Newsletters NewsletterOptions
	// Jobs fetches the thumbnails of embedded videos when Thumbs is set
	// (the job queue WithYouTube).
	Jobs   *jobs.Queue
	Thumbs bool
	// Files holds the library's originals, the outlet's logo among them.
	Files media.Store
	// Counter counts page views; nil counts none.
	Counter *analytics.Counter
	// Beacon counts views by the pages' beacon instead of as they are
	// served: behind a CDN, whose hits never reach the server.
	Beacon bool
}

// Site is the reader-facing web site.
type Site struct {
	store    *store.Store
	cache    *render.Cache
	eng      *render.Engine
	cat      *locale.Catalog
	base     string
	cc       string // Cache-Control of cacheable pages
	edge     time.Duration
	maxAge   time.Duration
	mediaURL string
	log      *slog.Logger
	assets   *Assets
	search   *search.Service
	comments *comment.Service
	alerts   AlertOptions
	// emailLimit keeps the e-mail alert and newsletter forms from mailing
	// strangers.
	emailLimit *throttle.Limiter
	jobs       *jobs.Queue
	thumbs     bool
	// searchLimit keeps one client from turning search into a load test.
	searchLimit *throttle.Limiter

	settings *settings.Live
	live     *live.Hub

	// newsletters are offered when their Service is set.
	newsletters NewsletterOptions

	// seen is the last outbox event the page cache has handled: what is
	// read after it reflects at least that event (pages tell their live
	// streams, so only later changes are replayed to them).
	seen      atomic.Int64
	chromeMu  sync.Mutex
	chromeV   atomic.Pointer[chrome]
	chromeGen atomic.Uint64 // bumped by every event that changes the chrome
	// chromeLoaded, when set by a test, runs between reading the chrome
	// and keeping it: where an event can land.
	chromeLoaded func()

	// The home-screen icons (webapp.go), made from the logo in files.
	files   media.Store
	iconsMu sync.Mutex
	icons   atomic.Pointer[iconSet]

	counter *analytics.Counter
	beacon  bool
	// beaconLimit keeps one address from inflating the counts.
	beaconLimit *throttle.Limiter
}

// New builds the site and reads the settings.
func New(ctx context.Context, o Options) (*Site, error) {
	assets, err := NewAssets()
	if err != nil {
		return nil, err
	}
	tfs, _ := fs.Sub(templateFS, "templates")
	s := &Site{store: o.Store, settings: o.Settings, live: o.Live, cache: o.Cache, cat: o.Catalog, base: o.BaseURL, mediaURL: o.MediaURL, log: o.Log, assets: assets,
		search: o.Search, searchLimit: o.SearchLimit, comments: o.Comments, alerts: o.Alerts, newsletters: o.Newsletters, emailLimit: throttle.NewLimiter(3, 10*time.Minute),
		cc:   fmt.Sprintf("public, max-age=%d, stale-while-revalidate=60, stale-if-error=86400", int(o.MaxAge.Seconds())),
		edge: o.EdgeMaxAge, maxAge: o.MaxAge}
	assets.notFound = func(w http.ResponseWriter, r *http.Request) { s.Error(w, r, http.StatusNotFound) }
	s.jobs, s.thumbs = o.Jobs, o.Thumbs && o.Jobs != nil
	s.files = o.Files
	s.counter, s.beacon = o.Counter, o.Beacon && o.Counter != nil
	s.beaconLimit = throttle.NewLimiter(beaconBurst, beaconEvery)
	s.eng, err = render.NewEngine(tfs, o.Catalog, assets.Funcs())
	if err != nil {
		return nil, err
	}
	s.eng.SetDateFormat(s.settings.Get().DateFormat())
	return s, nil
}

// Engine exposes the site's template engine, so the newsroom preview can
// render exactly the reader page.
func (s *Site) Engine() *render.Engine { return s.eng }

// Routes registers the public pages on mux.
func (s *Site) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /section/{slug}", s.section)
	mux.HandleFunc("GET /tag/{slug}", s.tag)
	mux.HandleFunc("GET /author/{slug}", s.author)
	mux.HandleFunc("GET /page/{slug}", s.staticPage)
	mux.HandleFunc("GET /search", s.searchPage)
	mux.HandleFunc("GET /search/suggest", s.suggest)
	// Browsers mark cross-site form posts; refusing them keeps other sites
	// from posting in a reader's name (CSRF).
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.Error(w, r, http.StatusForbidden) }))
	mux.Handle("GET /sw.js", s.serviceWorker())
	if s.alerts.Email != nil {
		// The form is ours; the one-click unsubscribe POST comes from
		// mail providers, and the signed link is its authority.
		mux.Handle("POST /alerts/email", cop.Handler(http.HandlerFunc(s.subscribeEmail)))
		mux.HandleFunc("GET /alerts/confirm", s.confirmEmail)
		mux.HandleFunc("GET /alerts/unsubscribe", s.unsubscribeEmail)
		mux.HandleFunc("POST /alerts/unsubscribe", s.unsubscribeEmail)
		mux.HandleFunc("GET /comments/notices/stop", s.stopReplyNotices)
		mux.HandleFunc("POST /comments/notices/stop", s.stopReplyNotices)
	}
	s.newsletterRoutes(mux, cop)
	mux.HandleFunc("GET /comments/{id}", s.commentsPage)
	mux.HandleFunc("GET /comments/{id}/sent", s.commentSent)
	if s.comments != nil {
		// Browsers mark cross-site form posts; refusing them keeps other
		// sites from posting comments in a reader's name (CSRF).
		mux.Handle("POST /comments/{id}", cop.Handler(http.HandlerFunc(s.postComment)))
		mux.Handle("POST /comment/{id}/report", cop.Handler(http.HandlerFunc(s.reportComment)))
		mux.Handle("POST /comment/{id}/report/undo", cop.Handler(http.HandlerFunc(s.unreportComment)))
	}
	if s.beacon {
		// A report from one of our pages; another site's is refused.
		mux.Handle("POST "+BeaconPath, cop.Handler(http.HandlerFunc(s.countBeacon)))
	}
	mux.HandleFunc("GET /liveblog/{id}", s.liveBlogPage)
	mux.HandleFunc("GET "+news.CorrectionsPath, s.correctionsPage)
	mux.HandleFunc("GET /live/ticker", func(w http.ResponseWriter, r *http.Request) { live.Serve(w, r, s.live, tickerTopic, web.ClientIP(r)) })
	mux.HandleFunc("GET /live", s.liveTopic)
	mux.HandleFunc("GET /oembed", s.oembed)
	mux.HandleFunc("GET /sitemap.xml", s.sitemapIndex)
	mux.HandleFunc("GET /sitemap-news.xml", s.newsSitemap)
	mux.HandleFunc("GET /sitemaps/{name}", s.sitemapFile)
	mux.HandleFunc("GET /feeds/{file}", s.siteFeed)
	mux.HandleFunc("GET /feeds/{kind}/{slug}/{file}", s.listFeed)
	mux.HandleFunc("GET /robots.txt", s.robots)
	s.appRoutes(mux)
	mux.Handle("GET /static/", s.assets)
	mux.Handle("GET /media/", s.media())
	mux.HandleFunc("GET /media/youtube/{file}", s.serveThumb)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { s.Error(w, r, http.StatusNotFound) })
}

// ArticlePattern names the article page's route, which Fast serves
// without the ServeMux.
const ArticlePattern = "GET /news/{id}/{slug}"

// Fast answers article requests, the hottest path, before the router: for
// a path with Arabic letters http.ServeMux re-escapes the whole path on
// every request, an allocation a cache hit does not need.
func (s *Site) Fast(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, "/news/")
		if !ok || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			next.ServeHTTP(w, r)
			return
		}
		// Anything after the id (a wrong slug, a trailing slash) is
		// answered with a redirect to the canonical URL.
		idPart, _, _ := strings.Cut(rest, "/")
		// Named for the metrics, as ServeMux names what it routes.
		r.Pattern = ArticlePattern
		s.article(w, r, idPart)
	})
}

// HandleEvent is the page cache's outbox consumer (see Consumers): it drops
// the cached pages that show what the event changed (see Invalidates).
func (s *Site) HandleEvent(ctx context.Context, ev news.Event) (err error) {
	defer func() {
		if err == nil && ev.ID > s.seen.Load() {
			s.seen.Store(ev.ID)
		}
	}()
	inv := Invalidates(ev)
	if inv.Settings {
		// Not one page may be rendered again with the old settings.
		if err := s.settings.Reload(ctx); err != nil {
			return err
		}
		s.eng.SetDateFormat(s.settings.Get().DateFormat())
	}
	if inv.Chrome {
		s.dropChrome()
	}
	if inv.Everything {
		s.cache.Purge()
	} else if len(inv.Tags) > 0 {
		s.cache.Invalidate(inv.Tags...)
	}
	return nil
}

// Invalidation is what an event makes stale: the cache tags of the pages
// that show what changed, or every page; Chrome when the navigation or
// ticker every page carries changed, Settings when the settings did. A
// cache in front (a CDN purged by surrogate key) drops the same tags.
type Invalidation struct {
	Tags                         []string
	Everything, Chrome, Settings bool
}

// Invalidates is the Invalidation of ev.
func Invalidates(ev news.Event) Invalidation {
	switch ev.Kind {
	case news.EventSettingsChanged, news.EventTaxonomyChanged:
		return Invalidation{Everything: true, Chrome: true, Settings: true}
	case news.EventPageChanged, news.EventNewsletterChanged:
		// Every page's footer may link it; the box offers the lists.
		return Invalidation{Everything: true, Chrome: true}
	case news.EventTickerChanged:
		return Invalidation{Tags: []string{tagTicker}, Chrome: true}
	case news.EventArticleSaved, news.EventAlertCreated, news.EventMediaAdded, news.EventWireArrived:
		return Invalidation{} // not public, or not on any page
	case news.EventLiveEntryChanged, news.EventLiveCoverageChanged:
		// The article page, its /liveblog pages and the feeds carrying
		// it (its updated time moved); no list shows an entry.
		return Invalidation{Tags: []string{articleTag(ev.ArticleID)}}
	case news.EventMostReadChanged:
		// Only the pages showing a list that changed.
		var tags []string
		if ev.Site {
			tags = append(tags, tagMostRead)
		}
		for _, id := range ev.Sections {
			tags = append(tags, mostReadTag(id))
		}
		return Invalidation{Tags: tags}
	case news.EventCorrectionChanged:
		// The article page and the feeds carrying it (its text and
		// updated time changed), and /corrections; no card shows one.
		return Invalidation{Tags: []string{articleTag(ev.ArticleID), tagCorrections}}
	case news.EventCommentChanged:
		// The article page and its comment pages, and the lists whose
		// cards show the count; not the ticker or navigation every page
		// carries, which a comment does not change.
		tags := []string{articleTag(ev.ArticleID), tagHome}
		for _, t := range listTags(ev) {
			tags = append(tags, cardsTag(t))
		}
		return Invalidation{Tags: tags}
	}
	inv := Invalidation{Tags: []string{articleTag(ev.ArticleID)}}
	if ev.Kind != news.EventArticleUpdated || ev.Listing {
		inv.Chrome = true
		inv.Tags = append(inv.Tags, tagHome, tagLatest)
		inv.Tags = append(inv.Tags, listTags(ev)...)
	}
	return inv
}

// cardsTag is the tag of a list page's cards (see list).
func cardsTag(listTag string) string { return "cards:" + listTag }

// listTags are the cache tags of the section, tag and author lists an
// event's article appears in.
func listTags(ev news.Event) []string {
	var tags []string
	for _, id := range ev.Sections {
		tags = append(tags, "section:"+strconv.FormatInt(id, 10))
	}
	for _, id := range ev.Tags {
		tags = append(tags, "tag:"+strconv.FormatInt(id, 10))
	}
	for _, id := range ev.Authors {
		tags = append(tags, "author:"+strconv.FormatInt(id, 10))
	}
	return tags
}

// Cache tags. Every page carries tagTicker and tagLatest because the
// ticker and its latest headlines are on every page; every cached
// answer (pages, feeds, sitemaps, the manifest) carries tagAll, for a
// cache in front to drop everything by one key.
const (
	tagHome   = "home"
	tagTicker = "ticker"
	tagLatest = "latest"
	tagAll    = "all"
	// tagMostRead is on the pages showing the site's «الأكثر قراءة».
	tagMostRead = "mostread"
)

// mostReadTag is on a section's page, which shows its own «الأكثر قراءة».
func mostReadTag(section int64) string { return "mostread:section:" + strconv.FormatInt(section, 10) }

func articleTag(id int64) string { return "article:" + strconv.FormatInt(id, 10) }

// chrome is what every page shows around its content: navigation and the
// ticker. It is kept in memory so that even uncached pages (404s) cost no
// query for it.
type chrome struct {
	Sections []news.Section // every section, in order
	Nav      []news.Section // the header's menu (news.Navigation)
	Ticker   []tickerLine
	Expires  time.Time // when the next ticker item runs out; zero if never
	// Footer are the outlet's pages its footer links, in order;
	// Policies the address of the page of each purpose.
	Footer   []news.Page
	Policies map[news.PagePurpose]string
	// Newsletters are the lists readers may subscribe to.
	Newsletters []news.NewsletterList
}

type tickerLine struct {
	Text     string `json:"text"`
	URL      string `json:"url,omitempty"`
	Breaking bool   `json:"breaking,omitempty"`
}

// TickerLines reads the ticker fresh from the database: the active
// breaking items, then the latest headlines.
func (s *Site) TickerLines(ctx context.Context) ([]tickerLine, error) {
	items, err := s.store.ListTicker(ctx, store.OnShow, time.Now())
	if err != nil {
		return nil, err
	}
	latest, err := s.store.ListPublished(ctx, store.ListFilter{Limit: tickerHeadlines})
	if err != nil {
		return nil, err
	}
	var lines []tickerLine
	for _, it := range items {
		lines = append(lines, tickerLine{Text: it.Text, URL: it.URL, Breaking: true})
	}
	for _, a := range latest {
		lines = append(lines, tickerLine{Text: a.Headline, URL: news.ArticlePath(&a), Breaking: a.Breaking})
	}
	return lines, nil
}

// tickerChanged sends open pages the new ticker when it changes, read
// from the database (not from the chrome cache, which the page cache's
// consumer may not have dropped yet).
func (s *Site) tickerChanged(ctx context.Context, ev news.Event) error {
	lines, err := s.TickerLines(ctx)
	if err != nil {
		return err
	}
	data, err := json.Marshal(lines)
	if err != nil {
		return err
	}
	s.live.Publish(tickerTopic, live.Message{ID: ev.ID, Event: "ticker", Data: data})
	return nil
}

const tickerHeadlines = 6

// dropChrome forgets the chrome; a load that was running meanwhile will
// not store its (possibly stale) result.
func (s *Site) dropChrome() {
	s.chromeGen.Add(1)
	s.chromeV.Store(nil)
}

func (s *Site) chrome(ctx context.Context) (*chrome, error) {
	if c := s.chromeV.Load(); c != nil && (c.Expires.IsZero() || time.Now().Before(c.Expires)) {
		return c, nil
	}
	s.chromeMu.Lock()
	defer s.chromeMu.Unlock()
	if c := s.chromeV.Load(); c != nil && (c.Expires.IsZero() || time.Now().Before(c.Expires)) {
		return c, nil
	}
	gen := s.chromeGen.Load()
	now := time.Now()
	secs, err := s.store.ListSections(ctx)
	if err != nil {
		return nil, err
	}
	lines, err := s.TickerLines(ctx)
	if err != nil {
		return nil, err
	}
	next, err := s.store.NextTickerExpiry(ctx, now)
	if err != nil {
		return nil, err
	}
	pages, err := s.store.ListPages(ctx)
	if err != nil {
		return nil, err
	}
	c := &chrome{Sections: secs, Nav: news.Navigation(secs), Expires: next, Ticker: lines, Policies: map[news.PagePurpose]string{}}
	if s.newsletters.Service != nil {
		if c.Newsletters, err = s.store.NewsletterLists(ctx, true); err != nil {
			return nil, err
		}
	}
	for _, p := range pages {
		if p.Footer {
			c.Footer = append(c.Footer, p)
		}
		if p.Purpose != "" {
			c.Policies[p.Purpose] = news.ListPath("page", p.Slug)
		}
	}
	if s.chromeLoaded != nil {
		s.chromeLoaded()
	}
	if s.chromeGen.Load() == gen {
		s.chromeV.Store(c)
	}
	return c, nil
}

// serveCached answers from the cache, rendering on a miss. fill returns the
// page or an error, whose kind picks the error page (news.ErrNotFound for
// a 404); every waiter on the same miss gets the same answer.
func (s *Site) serveCached(w http.ResponseWriter, r *http.Request, key string, fill func(ctx context.Context) (*render.Page, error)) {
	p, err := s.cache.Fill(key, func() (*render.Page, error) {
		// Other readers may be waiting on this render: it must not fail
		// because the reader who started it went away.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), renderTimeout)
		defer cancel()
		p, err := fill(ctx)
		if err == nil {
			s.forEdge(p)
		}
		return p, err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Path != "" && p.Path != r.URL.Path {
		http.Redirect(w, r, p.Location, http.StatusMovedPermanently)
		return
	}
	p.Serve(w, r)
	s.count(r, p)
}

// forEdge readies a public page for the caches in front: it carries
// tagAll, which a change of everything purges, and, with a CDN purged
// by key, a long s-maxage; a page that runs out at a time no event
// marks (a ticker line's expiry) is kept no longer than that.
func (s *Site) forEdge(p *render.Page) {
	if p.CacheControl != s.cc {
		return
	}
	p.Tags = append(p.Tags, tagAll)
	if s.edge <= 0 {
		return
	}
	edge := s.edge
	if !p.Expires.IsZero() {
		edge = min(edge, max(time.Until(p.Expires), 0))
	}
	if edge <= s.maxAge {
		return
	}
	p.CacheControl = fmt.Sprintf("public, max-age=%d, s-maxage=%d, stale-while-revalidate=60, stale-if-error=86400",
		int(s.maxAge.Seconds()), int(edge.Seconds()))
}

// PurgeKeys are the surrogate keys a cache in front must purge for ev:
// the tags of Invalidates, or tagAll, which every cached page carries,
// when everything changed.
func PurgeKeys(ev news.Event) []string {
	inv := Invalidates(ev)
	if inv.Everything {
		return []string{tagAll}
	}
	return inv.Tags
}

// renderTimeout bounds a page render, which no reader can cancel.
const renderTimeout = 15 * time.Second
