// Package app wires Khabar together: it opens the store, builds the site,
// the newsroom and the event dispatcher, and runs the HTTP server.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"khabar/internal/alert"
	"khabar/internal/analytics"
	"khabar/internal/api"
	"khabar/internal/auth"
	"khabar/internal/cdn"
	"khabar/internal/comment"
	"khabar/internal/config"
	"khabar/internal/demo"
	"khabar/internal/intake"
	"khabar/internal/jobs"
	"khabar/internal/live"
	"khabar/internal/locale"
	"khabar/internal/media"
	"khabar/internal/newsletter"
	"khabar/internal/newsroom"
	"khabar/internal/outbound"
	"khabar/internal/outbox"
	"khabar/internal/render"
	"khabar/internal/search"
	"khabar/internal/settings"
	"khabar/internal/site"
	"khabar/internal/store"
	"khabar/internal/throttle"
	"khabar/internal/web"
	"khabar/internal/websub"
)

// App is one running Khabar node.
type App struct {
	cfg      config.Config
	log      *slog.Logger
	Store    *store.Store
	Settings *settings.Live
	Cache    *render.Cache
	Site     *site.Site
	Outbox   *outbox.Dispatcher
	Jobs     *jobs.Queue
	Search   *search.Service
	Live     *live.Hub
	Comments *comment.Service
	Alerts   *alert.Fanout
	// Counter counts page views; nil with --analytics=false.
	Counter  *analytics.Counter
	Demo     demo.Result
	media    MediaStore
	base     string // the site's origin, for links printed on the console
	handler  http.Handler
	listener net.Listener
	// Newsletters is nil unless e-mail is configured.
	Newsletters *newsletter.Service
	// The metrics listener and what it serves; nil when metrics are off.
	metricsLn      net.Listener
	metricsHandler http.Handler
}

// OpenStore checks the data directory, opens the configured database and
// applies pending migrations.
func OpenStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.Store, error) {
	if err := cfg.CheckDataDir(); err != nil {
		return nil, err
	}
	s, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	applied, err := s.Migrate(ctx)
	if err != nil {
		s.Close()
		return nil, err
	}
	for _, m := range applied {
		log.Info("migration applied", "name", m)
	}
	return s, nil
}

// MediaDir is where uploaded and generated files live.
func MediaDir(cfg config.Config) string { return filepath.Join(cfg.DataDir, "media") }

// MediaStore is where a node keeps media files: a folder of the data
// directory, or a bucket every node shares.
type MediaStore interface {
	media.Store
	Close() error
}

// OpenMedia opens the media store cfg names: the bucket of --media-store,
// or by default the data directory's media folder.
func OpenMedia(ctx context.Context, cfg config.Config) (MediaStore, error) {
	if cfg.MediaStore == "" {
		return media.OpenDisk(MediaDir(cfg))
	}
	return media.OpenS3(ctx, S3Options(cfg, cfg.MediaStore))
}

// S3Options are the S3 settings of cfg for the bucket url.
func S3Options(cfg config.Config, url string) media.S3Options {
	return media.S3Options{URL: url, Endpoint: cfg.MediaS3Endpoint, Region: cfg.MediaS3Region, PathStyle: cfg.MediaS3PathStyle,
		AccessKey: cfg.S3AccessKey, SecretKey: cfg.S3SecretKey, Session: cfg.S3SessionToken}
}

// backupMedia is what a backup takes of the media: the folder's files,
// or the list of a bucket's objects.
func backupMedia(cfg config.Config, files media.Store) (dir string, objects media.Store, url string) {
	if cfg.MediaStore == "" {
		return MediaDir(cfg), nil, ""
	}
	return "", files, cfg.MediaStore
}

// BackupDir is where scheduled backups go.
func BackupDir(cfg config.Config) string {
	if cfg.BackupDir != "" {
		return cfg.BackupDir
	}
	return filepath.Join(cfg.DataDir, "backups")
}

// New builds a node and binds its listening socket, so a busy port is
// reported before anything else starts.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	ln, err := listen(cfg.Addr, "--addr")
	if err != nil {
		return nil, err
	}
	var metricsLn net.Listener
	if cfg.MetricsAddr != "" {
		if metricsLn, err = listen(cfg.MetricsAddr, "--metrics-addr"); err != nil {
			ln.Close()
			return nil, err
		}
	}
	a, err := build(ctx, cfg, log, ln)
	if err != nil {
		ln.Close()
		if metricsLn != nil {
			metricsLn.Close()
		}
		return nil, err
	}
	a.metricsLn = metricsLn
	return a, nil
}

// listen binds addr, given with flag, saying what to do when it is taken.
func listen(addr, flag string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("cannot listen on %s: the address is already in use (another khabar or program is running there; choose another with %s)", addr, flag)
		}
		return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	return ln, nil
}

// build makes a node's parts in the order they need each other: the
// store, the settings, the services, the job queue, the surfaces, then the
// event consumers and the routes.
func build(ctx context.Context, cfg config.Config, log *slog.Logger, ln net.Listener) (_ *App, err error) {
	s, err := OpenStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, log: log, Store: s, listener: ln}
	defer func() {
		if err != nil {
			a.closeParts()
		}
	}()
	base := cfg.BaseURL
	if base == "" {
		// Never take the origin from the Host header: cached pages would
		// carry whatever a client sent.
		base = "http://localhost:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
		log.Warn("no --base-url set; canonical and share links use " + base)
	}
	a.base = base
	cat := locale.For(cfg.Lang)
	// Every request the server makes on its own goes through guarded
	// clients: none reaches this machine or its network.
	guard := outbound.Guard{AllowPrivate: cfg.OutboundAllowPrivate}
	// Whatever can refuse the configuration (the alert channels' keys and
	// tokens, the media directory) comes before the demo loads: a demo
	// whose one-time login was never printed would lock its owner out.
	al, err := newAlerting(ctx, cfg, s, base, cat, guard, log)
	if err != nil {
		return nil, err
	}
	if a.media, err = OpenMedia(ctx, cfg); err != nil {
		return nil, err
	}
	if cfg.Demo {
		if a.Demo, err = demo.Load(ctx, s, a.media); err != nil {
			return nil, err
		}
	}
	// Every part below starts from what the database holds now; events
	// from this point on must all reach them.
	startAt, err := s.LastEventID(ctx)
	if err != nil {
		return nil, err
	}
	a.Settings, err = settings.Load(ctx, s)
	if err != nil {
		return nil, err
	}
	a.Settings.Drive(cat, cfg.Lang)

	// Services.
	a.Cache = render.NewCache(cfg.CacheEntries)
	// Cloudflare purges by the tags it reads in Cache-Tag.
	a.Cache.CacheTags = cfg.CDN == cdn.Cloudflare
	a.Search = search.New(s)
	if err := a.Search.EnsureIndex(ctx); err != nil {
		return nil, fmt.Errorf("build the search index: %w", err)
	}
	// One budget for the search page and the API: 30 searches at once,
	// then two a second, per address.
	searchLimit := throttle.NewLimiter(cfg.SearchBurst, cfg.SearchRefill)
	if a.Comments, err = comment.New(ctx, s, a.Settings); err != nil {
		return nil, err
	}
	a.Alerts = al.fanout
	library := media.NewLibrary(s, a.media, log)
	signIn := auth.NewService(s, log)
	if err := shareLimits(ctx, s, log, signIn, a.Comments); err != nil {
		return nil, err
	}
	a.Live = live.NewHub()

	// Background work.
	jobOpts := []jobs.Option{jobs.WithAlerts(al.fanout), jobs.WithMedia(library), jobs.WithStopGrace(cfg.ShutdownGrace), jobs.WithWireKeep(cfg.WireKeep)}
	if al.fanout.Email != nil {
		// Newsletters go through the e-mail alerts' relay, links and
		// confirmations.
		a.Newsletters = &newsletter.Service{Store: s, Email: al.fanout.Email, Tokens: al.tokens, Base: base, Cat: cat, Log: log,
			Dates: func() locale.DateFormat { return a.Settings.Get().DateFormat() }, SiteName: func() string { return a.Settings.Get().SiteName }}
		jobOpts = append(jobOpts, jobs.WithNewsletters(a.Newsletters))
	}
	if cfg.YouTubeThumbs != "" {
		jobOpts = append(jobOpts, jobs.WithYouTube(media.NewYouTube(a.media, cfg.YouTubeThumbs, guard.Client(nil))))
	}
	if cfg.Analytics {
		a.Counter = analytics.New(analytics.Options{Store: s, Site: base, Log: log,
			HonourOptOut: func() bool { return a.Settings.Get().HonourDoNotTrack }})
		jobOpts = append(jobOpts, jobs.WithAnalytics(jobs.Analytics{KeepRaw: cfg.AnalyticsKeepRaw, MostRead: MostReadWindow, MostReadLength: MostReadLength}))
	}
	if cfg.BackupEvery > 0 {
		b := jobs.Backups{Every: cfg.BackupEvery, Keep: cfg.BackupKeep, Dir: BackupDir(cfg), Version: version()}
		b.MediaDir, b.Objects, b.ObjectsURL = backupMedia(cfg, a.media)
		jobOpts = append(jobOpts, jobs.WithBackups(b))
	}
	if a.Jobs, err = jobs.New(ctx, s, log, jobOpts...); err != nil {
		return nil, err
	}

	// Surfaces.
	var edgeMaxAge time.Duration
	if cfg.CDN != "" {
		edgeMaxAge = cfg.CDNMaxAge
	}
	a.Site, err = site.New(ctx, site.Options{EdgeMaxAge: edgeMaxAge, Store: s, Settings: a.Settings, Cache: a.Cache, Live: a.Live, Catalog: cat, BaseURL: base,
		MaxAge: cfg.PageMaxAge, MediaURL: cfg.MediaURL, Log: log, Search: a.Search, SearchLimit: searchLimit, Jobs: a.Jobs,
		Thumbs: cfg.YouTubeThumbs != "", Comments: a.Comments, Alerts: site.AlertOptions{Email: al.fanout.Email, Tokens: al.tokens}, Files: a.media,
		Newsletters: site.NewsletterOptions{Service: a.Newsletters, WebhookToken: cfg.NewsletterWebhookToken},
		// Behind a CDN the pages count themselves: its hits never reach
		// a node, and counting the misses too would count twice.
		Counter: a.Counter, Beacon: cfg.CDN != ""})
	if err != nil {
		return nil, err
	}
	nr, err := newsroom.New(newsroom.Options{Store: s, Settings: a.Settings, Auth: signIn, Media: library, Catalog: cat, Preview: a.Site,
		Search: a.Search, SecureCookie: cfg.SecureCookie, Log: log, Alerts: al.fanout, BaseURL: base, Status: newSystem(a), Live: a.Live, Newsletters: a.Newsletters})
	if err != nil {
		return nil, err
	}
	v1 := api.New(api.Options{Search: a.Search, Store: s, Settings: a.Settings, Auth: signIn, Comments: a.Comments, Catalog: cat, Base: base, BodyHTML: a.Site.SyndicatedHTML,
		SearchLimit: searchLimit, Log: log, Fanout: al.fanout, PushPublicKey: al.pubKey, Guard: guard, Media: library})

	// The event spine: every consumer of this node, from startAt on.
	a.Outbox = outbox.New(s, cfg.EventPoll, log)
	a.Outbox.StartFrom(startAt)
	a.Outbox.Subscribe(outbox.Consumer{Name: outbox.Settings, Handle: a.Settings.HandleEvent})
	for _, c := range a.Site.Consumers() {
		a.Outbox.Subscribe(c)
	}
	for _, c := range nr.Consumers() {
		a.Outbox.Subscribe(c)
	}
	a.Outbox.Subscribe(outbox.Consumer{Name: outbox.Search, Durable: true, Handle: a.Search.HandleEvent})
	pinger := &websub.Pinger{Store: s, Settings: a.Settings, Base: base, Guard: guard, Log: log,
		Backoff: []time.Duration{time.Second, 5 * time.Second}}
	a.Outbox.Subscribe(outbox.Consumer{Name: outbox.WebSub, Durable: true, Handle: pinger.HandleEvent})
	// Plans and uploads reach the job queue through the outbox, so what
	// any node did gets its job; the queue also looks at start.
	a.Outbox.Subscribe(outbox.Consumer{Name: outbox.Jobs, Handle: a.Jobs.HandleEvent})
	a.Outbox.Subscribe(outbox.Consumer{Name: outbox.Alerts, Durable: true, Handle: a.Jobs.PlanAlerts(al.fanout)})
	purges, err := cdnPurges(cfg, s, a.Outbox, guard, log)
	if err != nil {
		return nil, err
	}
	if purges != nil {
		a.Outbox.Subscribe(outbox.Consumer{Name: outbox.CDN, Durable: true, External: true, Gather: cfg.CDNPurgeWindow, HandleBatch: purges.HandleBatch})
	}
	if al.fanout.Email != nil {
		notices := &comment.Notifier{Store: s, Email: al.fanout.Email, Tokens: al.tokens, Base: base, Cat: cat, Log: log}
		a.Outbox.Subscribe(outbox.Consumer{Name: outbox.CommentNotices, Durable: true, Handle: notices.HandleEvent})
	}

	// Routes and middleware.
	mux := http.NewServeMux()
	a.Site.Routes(mux)
	mux.Handle("/admin/", nr.Handler())
	v1.Routes(mux)
	var h http.Handler = a.Site.Fast(mux)
	h = uploadsPastLimit(h, web.Limit(a.Site.Error, h))
	h = web.SecurityHeaders(h)
	h = web.Recover(log, a.Site.Error, h)
	if cfg.AccessLog {
		h = web.AccessLog(log, h)
	}
	if cfg.MetricsAddr != "" {
		// Outermost, so a panic's 500 is counted too.
		requests := web.NewHTTPMetrics()
		h = requests.Handler(h)
		reg, err := newRegistry(requests.Collectors(), a.Cache.Collectors(), a.Outbox.Collectors(), a.Jobs.Collectors(), a.Live.Collectors(),
			a.Alerts.Metrics.Collectors(), a.Comments.Collectors(), a.Search.Collectors(), purges.Collectors(), a.Counter.Collectors(),
			[]prometheus.Collector{collectors.NewDBStatsCollector(s.DB(), string(s.Dialect()))})
		if err != nil {
			return nil, err
		}
		a.metricsHandler = metricsHandler(reg, cfg.MetricsToken, log)
	}
	proxies, err := web.ParseProxies(cfg.TrustedProxies, cfg.ProxyHeader)
	if err != nil {
		return nil, err
	}
	// First of all, so the request id, the access log, the limits and
	// bans all see the reader behind a trusted proxy.
	a.handler = proxies.Handler(web.RequestID(a.health(h)))
	return a, nil
}

// «الأكثر قراءة»: the most read of the last day, five of them.
const (
	MostReadWindow = 24 * time.Hour
	MostReadLength = 5
)

// cdnPurges is the outbox consumer purging the CDN cfg names, or nil
// without one.
func cdnPurges(cfg config.Config, s *store.Store, d *outbox.Dispatcher, guard outbound.Guard, log *slog.Logger) (*cdn.Consumer, error) {
	if cfg.CDN == "" {
		return nil, nil
	}
	o := cdn.Options{Kind: cfg.CDN, URLs: cfg.CDNPurgeURLs(), Soft: cfg.CDNSoftPurge,
		Service: cfg.CDNService, Zone: cfg.CDNZone, Token: cfg.CDNToken}
	if cfg.CDN != cdn.Varnish {
		// A public API: the guarded client, as every request to the
		// outside. Varnish is the operator's own machine on their
		// network, like the database (docs/SECURITY.md).
		o.Client = guard.Client(nil)
	}
	p, err := cdn.New(o)
	if err != nil {
		return nil, err
	}
	return &cdn.Consumer{Purger: p, Keys: site.PurgeKeys, Log: log,
		Seen: func() int64 { return d.Position(outbox.PageCache) },
		// Woken with the others by PostgreSQL's notification, a node
		// handles an event well within the gathering window and a
		// quarter second more; one that finds it later, by the poll, may
		// have fed the CDN the old page after the claimer's purge.
		Late: cfg.CDNPurgeWindow + 250*time.Millisecond,
		Claim: func(ctx context.Context, id int64) (int64, bool, error) {
			return s.ClaimEvents(ctx, outbox.CDNClaims, id)
		}}, nil
}

// SetupLink is the one-time address of the set-up page while the
// newsroom has no admin, and "" once it has one.
func (a *App) SetupLink(ctx context.Context) (string, error) {
	token, open, err := a.Store.SetupToken(ctx)
	if err != nil || !open {
		return "", err
	}
	return a.base + "/admin/setup?token=" + url.QueryEscape(token), nil
}

// Handler is the whole site, for tests that skip the network.
func (a *App) Handler() http.Handler { return a.handler }

// Addr is the address actually listened on (useful with port 0).
func (a *App) Addr() string { return a.listener.Addr().String() }

// MetricsAddr is the address the metrics listener got, or "" when
// metrics are off.
func (a *App) MetricsAddr() string {
	if a.metricsLn == nil {
		return ""
	}
	return a.metricsLn.Addr().String()
}

// Run serves until ctx ends, then shuts down gracefully.
func (a *App) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// A node told to stop while it starts has nothing to report.
	stopping := func(err error) error {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	if err := a.Outbox.Start(ctx); err != nil {
		return stopping(err)
	}
	defer a.Outbox.Wait()
	if err := a.Jobs.Start(ctx); err != nil {
		return stopping(err)
	}
	defer func() {
		stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.ShutdownGrace)
		defer cancel()
		if err := a.Jobs.Stop(stop); err != nil {
			a.log.Error("stop the job queue", "err", err)
		}
	}()
	if a.cfg.WireDir != "" {
		in := &intake.Service{Store: a.Store, Log: a.log}
		watching := make(chan struct{})
		go func() {
			defer close(watching)
			in.Watch(ctx, a.cfg.WireDir, a.cfg.WirePoll)
		}()
		// The file in hand is filed before the database closes.
		defer func() {
			cancel()
			<-watching
		}()
		a.log.Info("watching the wire folder", "dir", a.cfg.WireDir, "every", a.cfg.WirePoll)
	}
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	if a.Counter != nil {
		// Flushed once more after the server stopped, before the
		// database closes: what was counted is kept.
		counting, stopCounting := context.WithCancel(context.WithoutCancel(ctx))
		counted := make(chan struct{})
		go func() {
			defer close(counted)
			a.Counter.Run(counting)
		}()
		defer func() {
			stopCounting()
			<-counted
		}()
	}
	srv.RegisterOnShutdown(a.Live.Close)
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(a.listener) }()
	a.log.Info("khabar serving", "addr", a.Addr(), "database", string(a.Store.Dialect()))
	if a.metricsLn != nil {
		msrv := &http.Server{Handler: a.metricsHandler, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: time.Minute,
			ErrorLog: srv.ErrorLog}
		go func() { errc <- msrv.Serve(a.metricsLn) }()
		defer msrv.Close()
		a.log.Info("metrics serving", "addr", a.MetricsAddr(), "path", MetricsPath)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, stop := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.ShutdownGrace)
	defer stop()
	if err := srv.Shutdown(shutdown); err != nil {
		// A stop must end: what still runs after the grace period (a
		// render on a starved machine, a client that will not let go) is
		// cut, and said so, rather than failing the stop.
		a.log.Warn("stopping: requests still running after the grace period were cut", "grace", a.cfg.ShutdownGrace, "err", err)
		return srv.Close()
	}
	return nil
}

// Close releases the listener and the database.
func (a *App) Close() error {
	a.listener.Close()
	if a.metricsLn != nil {
		a.metricsLn.Close()
	}
	return a.closeParts()
}

// closeParts releases what build opened, so far as it got.
func (a *App) closeParts() error {
	if a.Jobs != nil {
		a.Jobs.Close()
	}
	if a.media != nil {
		a.media.Close()
	}
	return a.Store.Close()
}

// uploadsPastLimit sends media uploads around the general body limit: the
// newsroom and the API cap them themselves, at a size no other form needs.
func uploadsPastLimit(next, limited http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && (r.URL.Path == newsroom.UploadPath || r.URL.Path == api.MediaPath) {
			next.ServeHTTP(w, r)
			return
		}
		limited.ServeHTTP(w, r)
	})
}
