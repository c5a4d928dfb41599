// Package newsroom is the editors' interface under /admin: login, the
// article list, the article form with its blocks, publishing and the
// ticker. Every state-changing request is a POST behind cross-origin
// protection, and every handler checks the user's role on the server.
package newsroom

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"khabar/internal/alert"
	"khabar/internal/auth"
	"khabar/internal/live"
	"khabar/internal/locale"
	"khabar/internal/media"
	"khabar/internal/news"
	"khabar/internal/newsletter"
	"khabar/internal/render"
	"khabar/internal/search"
	"khabar/internal/settings"
	"khabar/internal/store"
	"khabar/internal/web"
)

//go:embed templates static
var files embed.FS

const cookieName = "khabar_session"

// Previewer renders an article exactly as the reader site would.
type Previewer interface {
	RenderPreview(ctx context.Context, a *news.Article) ([]byte, error)
}

// Options configure the newsroom.
type Options struct {
	Store *store.Store
	// Auth signs editors in and reads their sessions.
	Auth         *auth.Service
	Catalog      *locale.Catalog
	Preview      Previewer
	Search       *search.Service
	SecureCookie bool
	Log          *slog.Logger
	// Settings are read for every render so changes show at once.
	Settings *settings.Live
	// Media is the picture library uploads go into.
	Media *media.Library
	// Alerts sends breaking-news alerts.
	Alerts *alert.Fanout
	// BaseURL is the site's public origin; with news.ArticlePath it makes
	// the links alerts carry and the permanent link the form shows.
	BaseURL string
	// Status reports on the running system for /admin/status.
	Status Status
	// Live carries the wire desk's arrivals to its open pages; nil: the
	// desk does not follow them.
	Live *live.Hub
	// Newsletters are managed at /admin/newsletters when set.
	Newsletters *newsletter.Service

	// Now is the readership figures' clock; time.Now when nil.
	Now func() time.Time
}

// Newsroom serves /admin.
type Newsroom struct {
	store    *store.Store
	eng      *render.Engine
	cat      *locale.Catalog
	preview  Previewer
	search   *search.Service
	secure   bool
	log      *slog.Logger
	settings *settings.Live
	media    *media.Library
	fanout   *alert.Fanout
	base     string
	// static holds the stylesheet and scripts by file name.
	static map[string]*render.Page
	auth   *auth.Service
	system Status
	live   *live.Hub
	// newsletters is nil when e-mail is not configured.
	newsletters *newsletter.Service

	now func() time.Time
}

// New parses the newsroom templates.
func New(o Options) (*Newsroom, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	tfs, _ := fs.Sub(files, "templates")
	eng, err := render.NewEngine(tfs, o.Catalog, template.FuncMap{
		"join": func(items []string) string { return strings.Join(items, "\n") },
		"list": func(items ...string) []string { return items },
		// listPath links a section's or author's public page.
		"listPath": news.ListPath,
		// plain is sanitised inline HTML as text, for a page that shows
		// agency copy without its markup.
		"plain": news.StripTags,
	})
	if err != nil {
		return nil, err
	}
	static := map[string]*render.Page{}
	for _, name := range []string{"admin.css", "moderation.js", "alerts.js", "editor.js", "media.js", "wires.js", "desk.js", "stats.js", "writer.js", "writer.css", "vendor/prosemirror.js"} {
		b, err := files.ReadFile("static/" + name)
		if err != nil {
			return nil, err
		}
		ct := "text/javascript; charset=utf-8"
		if path.Ext(name) == ".css" {
			ct = "text/css; charset=utf-8"
		}
		static[name] = render.NewPage(http.StatusOK, ct, b, "private, max-age=300")
	}
	return &Newsroom{store: o.Store, media: o.Media, eng: eng, cat: o.Catalog, preview: o.Preview, search: o.Search, secure: o.SecureCookie, log: o.Log,
		settings: o.Settings, fanout: o.Alerts, base: o.BaseURL, auth: o.Auth, static: static, system: o.Status, live: o.Live, newsletters: o.Newsletters,
		now: o.Now}, nil
}

// serveStatic answers GET /admin/{name} with one of the static files.
func (n *Newsroom) serveStatic(mux *http.ServeMux, name string) {
	p := n.static[name]
	mux.HandleFunc("GET /admin/"+name, func(w http.ResponseWriter, r *http.Request) { p.Serve(w, r) })
}

// Handler returns the /admin routes wrapped in cross-origin protection
// (CSRF: browsers mark cross-site requests with Sec-Fetch-Site/Origin and
// http.CrossOriginProtection refuses unsafe ones).
func (n *Newsroom) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /admin/login", n.loginForm)
	mux.HandleFunc("POST /admin/login", n.login)
	mux.HandleFunc("GET "+codePath, n.loginCodeForm)
	mux.HandleFunc("POST "+codePath, n.loginCode)
	mux.HandleFunc("POST /admin/logout", n.logout)
	mux.Handle("GET /admin/sections", n.require(auth.PermManageSections, n.sections))
	mux.Handle("POST /admin/sections", n.require(auth.PermManageSections, n.createSection))
	mux.Handle("GET /admin/sections/{id}", n.require(auth.PermManageSections, n.editSection))
	mux.Handle("POST /admin/sections/{id}", n.require(auth.PermManageSections, n.updateSection))
	mux.Handle("POST /admin/sections/{id}/move", n.require(auth.PermManageSections, n.moveSection))
	mux.Handle("POST /admin/sections/{id}/delete", n.require(auth.PermManageSections, n.deleteSection))
	mux.Handle("GET /admin/authors", n.require(auth.PermManageAuthors, n.authors))
	mux.Handle("POST /admin/authors", n.require(auth.PermManageAuthors, n.createAuthor))
	mux.Handle("GET /admin/authors/{id}", n.require(auth.PermManageAuthors, n.editAuthor))
	mux.Handle("POST /admin/authors/{id}", n.require(auth.PermManageAuthors, n.updateAuthor))
	mux.Handle("GET /admin/pages", n.require(auth.PermManagePages, n.staticPages))
	mux.Handle("GET /admin/pages/new", n.require(auth.PermManagePages, n.newStaticPage))
	mux.Handle("POST /admin/pages/new", n.require(auth.PermManagePages, n.saveStaticPage))
	mux.Handle("GET /admin/pages/{id}", n.require(auth.PermManagePages, n.editStaticPage))
	mux.Handle("POST /admin/pages/{id}", n.require(auth.PermManagePages, n.saveStaticPage))
	mux.Handle("POST /admin/pages/{id}/move", n.require(auth.PermManagePages, n.moveStaticPage))
	mux.Handle("POST /admin/pages/{id}/delete", n.require(auth.PermManagePages, n.deleteStaticPage))
	mux.Handle("GET /admin/redirects", n.require(auth.PermManageRedirects, n.redirects))
	mux.Handle("POST /admin/redirects", n.require(auth.PermManageRedirects, n.addRedirect))
	mux.Handle("POST /admin/redirects/import", n.require(auth.PermManageRedirects, n.importRedirects))
	mux.Handle("GET /admin/redirects/{id}", n.require(auth.PermManageRedirects, n.editRedirect))
	mux.Handle("POST /admin/redirects/{id}", n.require(auth.PermManageRedirects, n.saveRedirect))
	mux.Handle("POST /admin/redirects/{id}/delete", n.require(auth.PermManageRedirects, n.deleteRedirect))
	mux.HandleFunc("GET /admin/setup", n.setupForm)
	mux.HandleFunc("POST /admin/setup", n.completeSetup)
	n.serveStatic(mux, "admin.css")
	n.serveStatic(mux, "desk.js")
	mux.Handle("GET /admin/{$}", n.require(auth.PermViewNewsroom, n.dashboard))
	mux.Handle("GET /admin/articles/new", n.require(auth.PermWrite, n.newArticle))
	mux.Handle("POST /admin/articles/new", n.require(auth.PermWrite, n.saveArticle))
	mux.Handle("GET /admin/articles/{id}", n.require(auth.PermWrite, n.editArticle))
	mux.Handle("POST /admin/articles/{id}", n.require(auth.PermWrite, n.saveArticle))
	mux.Handle("POST /admin/articles/new/autosave", n.require(auth.PermWrite, n.autosave))
	mux.Handle("POST /admin/articles/{id}/autosave", n.require(auth.PermWrite, n.autosave))
	mux.Handle("POST /admin/articles/{id}/presence", n.require(auth.PermWrite, n.presence))
	mux.Handle("POST /admin/articles/{id}/leave", n.require(auth.PermWrite, n.leave))
	mux.Handle("POST /admin/articles/{id}/lock", n.require(auth.PermPublish, n.takeOver))
	mux.Handle("POST /admin/articles/{id}/delete", n.require(auth.PermWrite, n.deleteArticle))
	mux.Handle("POST /admin/paste", n.require(auth.PermWrite, n.pasteBlocks))
	mux.Handle("GET /admin/wires", n.require(auth.PermWrite, n.wires))
	mux.Handle("GET /admin/wires/stream", n.require(auth.PermWrite, n.wireStream))
	n.serveStatic(mux, "wires.js")
	mux.Handle("GET /admin/wires/agencies", n.require(auth.PermManageSettings, n.agencies))
	mux.Handle("POST /admin/wires/agencies", n.require(auth.PermManageSettings, n.addAgency))
	mux.Handle("POST /admin/wires/agencies/{id}/revoke", n.require(auth.PermManageSettings, n.revokeAgency))
	mux.Handle("GET /admin/wires/{id}", n.require(auth.PermWrite, n.wireItem))
	mux.Handle("POST /admin/wires/{id}/draft", n.require(auth.PermWrite, n.wireDraft))
	mux.Handle("POST /admin/articles/{id}/wire-seen", n.require(auth.PermWrite, n.wireSeen))
	mux.Handle("GET /admin/tags", n.require(auth.PermWrite, n.suggestTags))
	mux.Handle("GET /admin/articles/find", n.require(auth.PermWrite, n.findArticles))
	n.serveStatic(mux, "editor.js")
	n.serveStatic(mux, "writer.js")
	n.serveStatic(mux, "writer.css")
	n.serveStatic(mux, "vendor/prosemirror.js")
	mux.Handle("GET /admin/articles/{id}/preview", n.require(auth.PermWrite, n.previewArticle))
	mux.Handle("POST /admin/articles/{id}/status", n.require(auth.PermPublish, n.setStatus))
	mux.Handle("GET /admin/articles/{id}/revisions", n.require(auth.PermWrite, n.revisions))
	mux.Handle("GET /admin/articles/{id}/revisions/diff", n.require(auth.PermWrite, n.revisionDiff))
	mux.Handle("POST /admin/articles/{id}/revisions/{rev}/restore", n.require(auth.PermWrite, n.restoreRevision))
	mux.Handle("GET /admin/articles/{id}/liveblog", n.require(auth.PermWrite, n.liveBlog))
	mux.Handle("POST /admin/articles/{id}/liveblog", n.require(auth.PermWrite, n.addLiveEntry))
	mux.Handle("POST /admin/articles/{id}/liveblog/coverage", n.require(auth.PermWrite, n.liveCoverage))
	mux.Handle("GET /admin/articles/{id}/liveblog/{entry}", n.require(auth.PermWrite, n.editLiveEntry))
	mux.Handle("POST /admin/articles/{id}/liveblog/{entry}", n.require(auth.PermWrite, n.saveLiveEntry))
	mux.Handle("POST /admin/articles/{id}/liveblog/{entry}/delete", n.require(auth.PermWrite, n.deleteLiveEntry))
	mux.Handle("POST /admin/articles/{id}/corrections", n.require(auth.PermCorrect, n.addCorrection))
	mux.Handle("POST /admin/articles/{id}/corrections/{cid}/delete", n.require(auth.PermCorrect, n.deleteCorrection))
	mux.Handle("GET /admin/ticker", n.require(auth.PermManageTicker, n.ticker))
	mux.Handle("POST /admin/ticker", n.require(auth.PermManageTicker, n.addTicker))
	mux.Handle("GET /admin/ticker/{id}", n.require(auth.PermManageTicker, n.editTicker))
	mux.Handle("POST /admin/ticker/{id}", n.require(auth.PermManageTicker, n.saveTicker))
	mux.Handle("POST /admin/ticker/{id}/move", n.require(auth.PermManageTicker, n.moveTicker))
	mux.Handle("POST /admin/ticker/{id}/expire", n.require(auth.PermManageTicker, n.expireTicker))
	mux.Handle("POST /admin/ticker/{id}/restore", n.require(auth.PermManageTicker, n.restoreTicker))
	mux.Handle("POST /admin/ticker/{id}/delete", n.require(auth.PermManageTicker, n.deleteTicker))
	mux.Handle("POST /admin/articles/{id}/ticker", n.require(auth.PermManageTicker, n.sendToTicker))
	mux.Handle("GET /admin/settings", n.require(auth.PermManageSettings, n.settingsForm))
	mux.Handle("POST /admin/settings", n.require(auth.PermManageSettings, n.saveSettings))
	n.serveStatic(mux, "moderation.js")
	mux.Handle("GET /admin/comments", n.require(auth.PermModerate, n.moderation))
	mux.Handle("POST /admin/comments/moderate", n.require(auth.PermModerate, n.moderate))
	mux.Handle("GET /admin/comments/{id}/edit", n.require(auth.PermModerate, n.editComment))
	mux.Handle("POST /admin/comments/{id}/edit", n.require(auth.PermModerate, n.editComment))
	mux.Handle("POST /admin/comments/ban", n.require(auth.PermModerate, n.ban))
	mux.Handle("GET /admin/comments/bans", n.require(auth.PermModerate, n.bans))
	mux.Handle("POST /admin/comments/bans/{id}/delete", n.require(auth.PermModerate, n.unban))
	mux.Handle("GET /admin/audit", n.require(auth.PermManageSettings, n.audit))
	mux.Handle("GET /admin/status", n.require(auth.PermManageSettings, n.status))
	mux.Handle("GET /admin/stats", n.require(auth.PermWrite, n.stats))
	mux.Handle("GET "+StatsNowPath, n.require(auth.PermWrite, n.statsNowFragment))
	mux.Handle("GET /admin/stats/articles/{id}", n.require(auth.PermWrite, n.statsOfArticle))
	n.serveStatic(mux, "stats.js")
	mux.Handle("POST /admin/status/jobs/{id}/retry", n.require(auth.PermManageSettings, n.retryJob))
	mux.Handle("GET /admin/media", n.require(auth.PermWrite, n.mediaLibrary))
	mux.Handle("POST "+UploadPath, n.require(auth.PermWrite, n.uploadMedia))
	mux.Handle("GET /admin/media/{id}", n.require(auth.PermWrite, n.editMedia))
	mux.Handle("POST /admin/media/{id}", n.require(auth.PermWrite, n.saveMedia))
	n.serveStatic(mux, "media.js")
	if n.fanout != nil {
		mux.Handle("GET /admin/alerts", n.require(auth.PermPublish, n.alerts))
		mux.Handle("POST /admin/alerts", n.require(auth.PermPublish, n.sendAlert))
		mux.Handle("GET /admin/alerts/{id}", n.require(auth.PermPublish, n.alertDetail))
		mux.Handle("GET /admin/alerts/{id}/progress", n.require(auth.PermPublish, n.alertProgress))
		n.serveStatic(mux, "alerts.js")
	}
	mux.Handle("GET /admin/users", n.require(auth.PermManageSettings, n.users))
	mux.Handle("POST /admin/users", n.require(auth.PermManageSettings, n.createUser))
	mux.Handle("POST /admin/users/{id}/role", n.require(auth.PermManageSettings, n.setRole))
	mux.Handle("POST /admin/users/{id}/reset", n.require(auth.PermManageSettings, n.resetPassword))
	mux.Handle("POST /admin/users/{id}/disable", n.require(auth.PermManageSettings, n.setDisabled(true)))
	mux.Handle("POST /admin/users/{id}/enable", n.require(auth.PermManageSettings, n.setDisabled(false)))
	mux.Handle("GET /admin/users/{id}/sessions", n.require(auth.PermManageSettings, n.userSessions))
	mux.Handle("POST /admin/users/{id}/sessions/{sid}/end", n.require(auth.PermManageSettings, n.endSession))
	mux.Handle("GET /admin/account", n.enrolment(n.account))
	mux.Handle("POST /admin/account/two-factor", n.enrolment(n.beginTwoFactor))
	mux.Handle("POST /admin/account/two-factor/confirm", n.enrolment(n.confirmTwoFactor))
	mux.Handle("POST /admin/account/two-factor/off", n.require(auth.PermViewNewsroom, n.disableTwoFactor))
	mux.Handle("POST /admin/account/login-notice", n.enrolment(n.dismissLoginNotice))
	mux.Handle("POST /admin/users/{id}/two-factor/off", n.require(auth.PermManageSettings, n.resetTwoFactor))
	mux.Handle("POST /admin/account/password", n.require(auth.PermViewNewsroom, n.changePassword))
	mux.Handle("POST /admin/account/profile", n.require(auth.PermViewNewsroom, n.saveOwnProfile))
	mux.Handle("POST /admin/account/sessions/{sid}/end", n.require(auth.PermViewNewsroom, n.endSession))
	mux.Handle("GET /admin/tokens", n.require(auth.PermTokens, n.tokens))
	mux.Handle("POST /admin/tokens", n.require(auth.PermTokens, n.createToken))
	mux.Handle("POST /admin/tokens/{id}/revoke", n.require(auth.PermTokens, n.revokeToken))
	if n.newsletters != nil {
		mux.Handle("GET /admin/newsletters", n.require(auth.PermNewsletters, n.newslettersIndex))
		mux.Handle("POST /admin/newsletters", n.require(auth.PermNewsletters, n.createNewsletter))
		mux.Handle("GET /admin/newsletters/{id}", n.require(auth.PermNewsletters, n.newsletterList))
		mux.Handle("POST /admin/newsletters/{id}", n.require(auth.PermNewsletters, n.saveNewsletter))
		mux.Handle("POST /admin/newsletters/{id}/draft", n.require(auth.PermNewsletters, n.draftNewsletter))
		mux.Handle("GET /admin/newsletter-issues/{id}", n.require(auth.PermNewsletters, n.newsletterIssue))
		mux.Handle("GET /admin/newsletter-issues/{id}/preview", n.require(auth.PermNewsletters, n.newsletterPreview))
		mux.Handle("POST /admin/newsletter-issues/{id}", n.require(auth.PermNewsletters, n.editNewsletterIssue))
		mux.Handle("POST /admin/newsletter-issues/{id}/send", n.require(auth.PermNewsletters, n.sendNewsletterIssue))
	}
	mux.HandleFunc("/admin/", func(w http.ResponseWriter, r *http.Request) { n.Error(w, r, http.StatusNotFound) })

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Error(w, r, http.StatusForbidden) }))
	return noStore(cop.Handler(mux))
}

// noStore keeps newsroom pages out of every cache.
func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

type userKey struct{}

// require lets the request through only for a logged-in user holding
// perm, who has two-factor on if the outlet requires it of them.
func (n *Newsroom) require(perm auth.Permission, h http.HandlerFunc) http.Handler {
	return n.gate(perm, false, h)
}

// enrolment lets any logged-in user through, two-factor or not: the
// pages that turn it on.
func (n *Newsroom) enrolment(h http.HandlerFunc) http.Handler {
	return n.gate(auth.PermViewNewsroom, true, h)
}

func (n *Newsroom) gate(perm auth.Permission, enrolling bool, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := n.currentUser(r)
		if u == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/admin/login?next="+urlQueryEscape(r.URL.Path), http.StatusSeeOther)
				return
			}
			n.Error(w, r, http.StatusForbidden)
			return
		}
		if !u.Can(perm) {
			n.Error(w, r, http.StatusForbidden)
			return
		}
		if !enrolling && n.mustEnrol(u) {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, accountTwoFactor, http.StatusSeeOther)
				return
			}
			n.Error(w, r, http.StatusForbidden)
			return
		}
		ctx := store.WithActor(context.WithValue(r.Context(), userKey{}, u), u.Actor())
		h(w, r.WithContext(ctx))
	})
}

func (n *Newsroom) currentUser(r *http.Request) *auth.User {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil
	}
	u, err := n.auth.Session(r.Context(), c.Value)
	if err != nil {
		if !errors.Is(err, news.ErrNotFound) {
			n.log.ErrorContext(r.Context(), "read session", "err", err)
		}
		return nil
	}
	return u
}

func userFrom(ctx context.Context) *auth.User {
	u, _ := ctx.Value(userKey{}).(*auth.User)
	return u
}

// articleURL is a's address on the site.
func (n *Newsroom) articleURL(a *news.Article) string { return n.base + news.ArticlePath(a) }

func parseID(r *http.Request) (int64, bool) { return web.PositiveID(r.PathValue("id")) }

// postedID is the {id} of a POST whose form parses; false when it has
// answered already (404 for a bad id, 400 or 413 for the form).
func (n *Newsroom) postedID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, ok := parseID(r)
	if !ok {
		n.Error(w, r, http.StatusNotFound)
		return 0, false
	}
	return id, n.parseForm(w, r)
}
