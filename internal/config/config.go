// Package config is Khabar's start-up configuration: flags, with KHABAR_*
// environment variables as defaults, validated before anything starts.
package config

import (
	"errors"
	"flag"
	"fmt"
	"khabar/internal/cdn"
	"khabar/internal/outbound"
	"khabar/internal/web"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Defaults, with their units in the names where they have one.
const (
	DefaultAddr          = ":8080"
	DefaultDataDir       = "./khabar-data"
	DefaultLang          = "ar"
	DefaultPageMaxAge    = 30 * time.Second
	DefaultCacheEntries  = 20000
	DefaultShutdownGrace = 10 * time.Second
	DefaultEventPoll     = time.Second
	DefaultBackupKeep    = 28
	DefaultLogFormat     = LogText
	// DefaultReadyOutboxLag is how long an event may wait for a consumer
	// before /readyz calls the node stuck.
	DefaultReadyOutboxLag = 5 * time.Minute
	// A reader may search 30 times at once, then twice a second: more
	// than a person types, less than a script needs to load a node.
	DefaultSearchBurst  = 30
	DefaultSearchRefill = 500 * time.Millisecond
	// With a CDN purged by events, shared caches keep pages this long:
	// the purge, not the clock, makes them fresh.
	DefaultCDNMaxAge = 4 * time.Hour
	// Events written this close together go to the CDN in one purge.
	DefaultCDNPurgeWindow = 200 * time.Millisecond
	// DefaultWirePoll is how often the wire folder is looked at: agency
	// copy reaches the desk within seconds.
	DefaultWirePoll = 2 * time.Second
	// DefaultWireKeep is how long the wire desk keeps agency copy: a
	// month of a few agencies is tens of thousands of items.
	DefaultWireKeep = 30 * 24 * time.Hour
	// DefaultAnalyticsKeepRaw is how long raw page views are kept: a
	// week is enough to check the roll-ups against and count a week's
	// visitors; the roll-ups stay.
	DefaultAnalyticsKeepRaw = 7 * 24 * time.Hour
)

// Log formats: lines for a person (slog's key=value), or one JSON object
// a line for a log collector.
const (
	LogText = "text"
	LogJSON = "json"
)

// Config is everything decided at start.
type Config struct {
	Addr         string
	DataDir      string
	DatabaseURL  string // empty: embedded SQLite in DataDir
	BaseURL      string // public origin, e.g. https://khabar.example; empty: taken from requests
	Lang         string // interface language: ar or en
	Demo         bool   // load demo content into an empty database
	AccessLog    bool
	LogFormat    string        // LogText or LogJSON
	PageMaxAge   time.Duration // Cache-Control max-age of public pages
	CacheEntries int           // page cache size limit
	EventPoll    time.Duration // how often to look for events from other nodes
	// SearchBurst searches a client address may make at once, then one
	// more each SearchRefill (many readers behind one carrier NAT share
	// an address, so outlets may want more).
	SearchBurst  int
	SearchRefill time.Duration
	// WireDir is the folder agency files are dropped in (NewsML-G2,
	// ninjs), looked at every WirePoll; empty: none.
	WireDir  string
	WirePoll time.Duration
	// WireKeep is how long agency copy stays on the desk (0: for ever);
	// stories articles were made from stay.
	WireKeep time.Duration
	// Analytics counts page views (internal/analytics); AnalyticsKeepRaw
	// is how long raw views are kept.
	Analytics        bool
	AnalyticsKeepRaw time.Duration
	// ShutdownGrace is how long a stop waits for running requests and
	// jobs before it cuts them.
	ShutdownGrace time.Duration
	// ReadyOutboxLag is the oldest an unhandled event may be while
	// /readyz answers ready.
	ReadyOutboxLag time.Duration
	SecureCookie   bool // force Secure on cookies (behind a TLS proxy)
	// TrustedProxies are the addresses and CIDR ranges of the proxies in
	// front (a CDN, Varnish) whose ProxyHeader names the client.
	TrustedProxies string
	ProxyHeader    string
	// YouTubeThumbs is where video thumbnails are fetched from, to serve
	// them ourselves; empty disables thumbnails.
	YouTubeThumbs string

	// Alert channels. Web Push is always on (its keys are made on first
	// start); the others work once configured. Secrets come only from the
	// environment, so they never show in a process list.
	VAPIDSubject  string // mailto: or https: contact for push services
	TelegramToken string // KHABAR_TELEGRAM_TOKEN
	TelegramChat  string // @channel or numeric chat id
	TelegramAPI   string // Bot API origin; tests point it at their server
	SMTPAddr      string // host:port of the mail relay
	SMTPFrom      string // "Name <address>"
	SMTPUser      string
	SMTPPassword  string // KHABAR_SMTP_PASSWORD
	Webhooks      string // space-separated URLs that receive signed alerts
	WebhookSecret string // KHABAR_WEBHOOK_SECRET
	// NewsletterWebhookToken (KHABAR_NEWSLETTER_WEBHOOK_TOKEN) is the
	// bearer token a mail provider's bounce and complaint webhook sends;
	// unset, the webhook is off.
	NewsletterWebhookToken string
	// OutboundAllowPrivate lets the server connect to loopback and
	// private addresses on its own initiative (push endpoints, webhooks,
	// Telegram, WebSub hubs, thumbnails): for tests only, since readers
	// choose push endpoints and admins hubs.
	OutboundAllowPrivate bool

	// Scheduled backups (serve): every BackupEvery (0: none), into
	// BackupDir (empty: DataDir/backups), keeping the newest BackupKeep.
	BackupEvery time.Duration
	BackupKeep  int
	BackupDir   string

	// Media on object storage: MediaStore s3://bucket/prefix (empty: the
	// data directory's media folder) at MediaS3Endpoint (empty: AWS),
	// with the keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY only.
	// MediaURL, when set, is the public origin (a CDN or the bucket) that
	// /media/ redirects to instead of streaming.
	MediaStore       string
	MediaS3Endpoint  string
	MediaS3Region    string
	MediaS3PathStyle bool
	MediaURL         string
	S3AccessKey      string // AWS_ACCESS_KEY_ID
	S3SecretKey      string // AWS_SECRET_ACCESS_KEY
	S3SessionToken   string // AWS_SESSION_TOKEN

	// The CDN (or Varnish) in front, purged by surrogate key as events
	// come (internal/cdn): CDN is varnish, fastly or cloudflare (empty:
	// none); CDNPurgeURL the Varnish addresses, or the API's origin;
	// CDNService Fastly's service id, CDNZone Cloudflare's zone id;
	// CDNToken (KHABAR_CDN_TOKEN only) their API token. CDNMaxAge is
	// the s-maxage of purged pages, CDNPurgeWindow how long events are
	// gathered into one purge.
	CDN            string
	CDNPurgeURL    string
	CDNService     string
	CDNZone        string
	CDNToken       string
	CDNSoftPurge   bool
	CDNMaxAge      time.Duration
	CDNPurgeWindow time.Duration

	// MetricsAddr is the listener of /metrics, apart from the public
	// address so the site never shows it; empty: no metrics.
	MetricsAddr  string
	MetricsToken string // KHABAR_METRICS_TOKEN: a bearer token scrapers must send
}

// Default returns the configuration with every default set.
func Default() Config {
	return Config{Addr: DefaultAddr, DataDir: DefaultDataDir, Lang: DefaultLang, PageMaxAge: DefaultPageMaxAge, BackupKeep: DefaultBackupKeep,
		CacheEntries: DefaultCacheEntries, EventPoll: DefaultEventPoll, ShutdownGrace: DefaultShutdownGrace, LogFormat: DefaultLogFormat,
		ReadyOutboxLag: DefaultReadyOutboxLag, ProxyHeader: web.HeaderXForwardedFor, SearchBurst: DefaultSearchBurst, SearchRefill: DefaultSearchRefill,
		CDNMaxAge: DefaultCDNMaxAge, CDNPurgeWindow: DefaultCDNPurgeWindow, WirePoll: DefaultWirePoll, WireKeep: DefaultWireKeep,
		Analytics: true, AnalyticsKeepRaw: DefaultAnalyticsKeepRaw}
}

// FlagSet declares the flags of a command that serves or touches the
// database, with defaults from the environment (getenv is os.Getenv in
// production and a map in tests). After fs.Parse, call Validate.
func FlagSet(name string, getenv func(string) string) (*flag.FlagSet, *Config, func() error) {
	c := Default()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	var envErrs []error
	str := func(p *string, flagName, env, usage string) {
		if v := getenv(env); v != "" {
			*p = v
		}
		fs.StringVar(p, flagName, *p, usage+" (env "+env+")")
	}
	boolean := func(p *bool, flagName, env, usage string) {
		if v := getenv(env); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				envErrs = append(envErrs, fmt.Errorf("%s=%q: want true or false", env, v))
			}
			*p = b
		}
		fs.BoolVar(p, flagName, *p, usage+" (env "+env+")")
	}
	integer := func(p *int, flagName, env, usage string) {
		if v := getenv(env); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				envErrs = append(envErrs, fmt.Errorf("%s=%q: want a whole number", env, v))
			}
			*p = n
		}
		fs.IntVar(p, flagName, *p, usage+" (env "+env+")")
	}
	dur := func(p *time.Duration, flagName, env, usage string) {
		if v := getenv(env); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				envErrs = append(envErrs, fmt.Errorf("%s=%q: want a duration such as 30s", env, v))
			}
			*p = d
		}
		fs.DurationVar(p, flagName, *p, usage+" (env "+env+")")
	}
	str(&c.Addr, "addr", "KHABAR_ADDR", "address to listen on")
	str(&c.DataDir, "data", "KHABAR_DATA", "data directory (SQLite database, media)")
	str(&c.DatabaseURL, "db", "KHABAR_DATABASE_URL", "PostgreSQL URL; empty for embedded SQLite")
	str(&c.BaseURL, "base-url", "KHABAR_BASE_URL", "public origin of the site, e.g. https://news.example")
	str(&c.MetricsAddr, "metrics-addr", "KHABAR_METRICS_ADDR", "address of a separate listener serving Prometheus metrics at /metrics, e.g. 127.0.0.1:9090; off when empty (a bearer token may be required with KHABAR_METRICS_TOKEN)")
	str(&c.Lang, "lang", "KHABAR_LANG", "interface language: ar or en")
	str(&c.LogFormat, "log-format", "KHABAR_LOG_FORMAT", "log lines as text (key=value) or json (one object a line)")
	str(&c.YouTubeThumbs, "youtube-thumbs", "KHABAR_YOUTUBE_THUMBS", "origin to fetch YouTube thumbnails from, e.g. https://i.ytimg.com (off by default: it is the one outbound request the site makes)")
	str(&c.VAPIDSubject, "vapid-subject", "KHABAR_VAPID_SUBJECT", "contact given to push services: mailto:… or https://… (default: the base URL when https)")
	str(&c.TelegramChat, "telegram-chat", "KHABAR_TELEGRAM_CHAT", "Telegram channel for alerts, @name or chat id (the bot token comes from KHABAR_TELEGRAM_TOKEN)")
	str(&c.TelegramAPI, "telegram-api", "KHABAR_TELEGRAM_API", "Telegram Bot API origin")
	str(&c.SMTPAddr, "smtp-addr", "KHABAR_SMTP_ADDR", "mail relay host:port for e-mail alerts and notices (password from KHABAR_SMTP_PASSWORD)")
	str(&c.SMTPFrom, "smtp-from", "KHABAR_SMTP_FROM", "sender of e-mails, e.g. \"خبر <alerts@news.example>\"")
	str(&c.SMTPUser, "smtp-user", "KHABAR_SMTP_USER", "mail relay user name")
	str(&c.Webhooks, "webhooks", "KHABAR_WEBHOOKS", "space-separated https URLs that receive alerts signed with KHABAR_WEBHOOK_SECRET")
	c.TelegramToken, c.SMTPPassword, c.WebhookSecret = getenv("KHABAR_TELEGRAM_TOKEN"), getenv("KHABAR_SMTP_PASSWORD"), getenv("KHABAR_WEBHOOK_SECRET")
	c.MetricsToken = getenv("KHABAR_METRICS_TOKEN")
	c.NewsletterWebhookToken = getenv("KHABAR_NEWSLETTER_WEBHOOK_TOKEN")
	str(&c.MediaStore, "media-store", "KHABAR_MEDIA_STORE", "where media files live: s3://bucket/prefix on S3-compatible storage (keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY); empty: the data directory")
	str(&c.MediaS3Endpoint, "media-s3-endpoint", "KHABAR_MEDIA_S3_ENDPOINT", "S3 endpoint of --media-store, e.g. https://s3.example.net (empty: AWS)")
	str(&c.MediaS3Region, "media-s3-region", "KHABAR_MEDIA_S3_REGION", "region of --media-store's bucket (default us-east-1)")
	boolean(&c.MediaS3PathStyle, "media-s3-path-style", "KHABAR_MEDIA_S3_PATH_STYLE", "address the bucket in the path (endpoint/bucket/key), as most non-AWS servers want")
	str(&c.MediaURL, "media-url", "KHABAR_MEDIA_URL", "public URL where media files can be fetched (a CDN or the bucket); /media/ then redirects there")
	c.S3AccessKey, c.S3SecretKey, c.S3SessionToken = getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"), getenv("AWS_SESSION_TOKEN")
	str(&c.CDN, "cdn", "KHABAR_CDN", "cache in front to purge by surrogate key as pages change: varnish, fastly or cloudflare (empty: none)")
	str(&c.CDNPurgeURL, "cdn-purge-url", "KHABAR_CDN_PURGE_URL", "varnish: the Varnish addresses to send PURGE to, comma-separated (http://10.0.0.5:80,…); fastly, cloudflare: another API origin (tests)")
	str(&c.CDNService, "cdn-service", "KHABAR_CDN_SERVICE", "Fastly service id (--cdn fastly; the token from KHABAR_CDN_TOKEN)")
	str(&c.CDNZone, "cdn-zone", "KHABAR_CDN_ZONE", "Cloudflare zone id (--cdn cloudflare; the token from KHABAR_CDN_TOKEN)")
	boolean(&c.CDNSoftPurge, "cdn-soft-purge", "KHABAR_CDN_SOFT_PURGE", "mark purged pages stale instead of dropping them (Varnish xkey-softpurge, Fastly-Soft-Purge): readers may get the old page once more while it is fetched again")
	dur(&c.CDNMaxAge, "cdn-max-age", "KHABAR_CDN_MAX_AGE", "with --cdn, how long the CDN keeps public pages (s-maxage); browsers keep --page-max-age")
	dur(&c.CDNPurgeWindow, "cdn-purge-window", "KHABAR_CDN_PURGE_WINDOW", "with --cdn, how long changes are gathered into one purge")
	c.CDNToken = getenv("KHABAR_CDN_TOKEN")
	boolean(&c.OutboundAllowPrivate, "outbound-allow-private", "KHABAR_OUTBOUND_ALLOW_PRIVATE", "let the server's own requests (push, webhooks, Telegram, WebSub hubs, thumbnails) reach loopback and private addresses (tests only)")
	boolean(&c.Demo, "demo", "KHABAR_DEMO", "load demo content into an empty database")
	boolean(&c.AccessLog, "access-log", "KHABAR_ACCESS_LOG", "log every request")
	str(&c.TrustedProxies, "trusted-proxies", "KHABAR_TRUSTED_PROXIES", "addresses and CIDR ranges of the proxies in front (CDN, Varnish, load balancer) whose --proxy-header names the client, e.g. 10.0.0.0/8,2001:db8::/32; none by default: the peer is the client")
	str(&c.ProxyHeader, "proxy-header", "KHABAR_PROXY_HEADER", "header the trusted proxies put the client's address in: X-Forwarded-For or Forwarded")
	boolean(&c.SecureCookie, "secure-cookies", "KHABAR_SECURE_COOKIES", "mark cookies Secure even without TLS (behind a TLS proxy)")
	dur(&c.PageMaxAge, "page-max-age", "KHABAR_PAGE_MAX_AGE", "Cache-Control max-age of public pages")
	dur(&c.BackupEvery, "backup-every", "KHABAR_BACKUP_EVERY", "take a backup this often, on one node, e.g. 6h (0: never; see khabar backup)")
	str(&c.BackupDir, "backup-dir", "KHABAR_BACKUP_DIR", "where scheduled backups go (default: the data directory's backups folder)")
	dur(&c.ReadyOutboxLag, "ready-outbox-lag", "KHABAR_READY_OUTBOX_LAG", "how long an event may wait for a consumer before /readyz answers 503")
	dur(&c.ShutdownGrace, "shutdown-grace", "KHABAR_SHUTDOWN_GRACE", "how long a stop (SIGTERM) waits for running requests, live streams and jobs before it cuts them")
	str(&c.WireDir, "wire-dir", "KHABAR_WIRE_DIR", "folder agencies drop NewsML-G2 and ninjs files in, for the wire desk (taken files move to done/, refused ones to quarantine/); off when empty")
	dur(&c.WirePoll, "wire-poll", "KHABAR_WIRE_POLL", "how often to look in --wire-dir")
	dur(&c.WireKeep, "wire-keep", "KHABAR_WIRE_KEEP", "how long the wire desk keeps agency copy, e.g. 720h (0: for ever; stories articles were made from stay)")
	boolean(&c.Analytics, "analytics", "KHABAR_ANALYTICS", "count page views, without cookies, for «الأكثر قراءة» and the desk (with --cdn, by a beacon the pages send)")
	dur(&c.AnalyticsKeepRaw, "analytics-keep-raw", "KHABAR_ANALYTICS_KEEP_RAW", "how long raw page views are kept, e.g. 168h (the hourly and daily roll-ups stay)")
	dur(&c.EventPoll, "event-poll", "KHABAR_EVENT_POLL", "how often to look for events written by other nodes")
	integer(&c.BackupKeep, "backup-keep", "KHABAR_BACKUP_KEEP", "scheduled backups kept, the newest")
	integer(&c.CacheEntries, "cache-entries", "KHABAR_CACHE_ENTRIES", "most pages kept in the page cache")
	integer(&c.SearchBurst, "search-burst", "KHABAR_SEARCH_BURST", "searches one reader (one address) may make at once, on each node")
	dur(&c.SearchRefill, "search-refill", "KHABAR_SEARCH_REFILL", "how often one more search comes back to a reader who used up --search-burst")
	validate := func() error {
		return errors.Join(append(envErrs, c.Validate())...)
	}
	return fs, &c, validate
}

// Validate checks every field and reports all problems at once.
func (c *Config) Validate() error {
	var errs []error
	if err := checkAddr("--addr", c.Addr, ":8080 or 127.0.0.1:8080"); err != nil {
		errs = append(errs, err)
	}
	if c.MetricsAddr != "" {
		if err := checkAddr("--metrics-addr", c.MetricsAddr, "127.0.0.1:9090"); err != nil {
			errs = append(errs, err)
		} else if _, mp, _ := net.SplitHostPort(c.MetricsAddr); mp != "0" && mp == port(c.Addr) {
			// Both listeners on one port: the metrics would be either
			// unreachable or on the public address.
			errs = append(errs, fmt.Errorf("--metrics-addr %q: must be another port than --addr %q", c.MetricsAddr, c.Addr))
		}
	}
	if c.MetricsToken != "" {
		if c.MetricsAddr == "" {
			errs = append(errs, errors.New("KHABAR_METRICS_TOKEN is set but --metrics-addr is not: metrics are off"))
		}
		if len(c.MetricsToken) < 16 || strings.ContainsAny(c.MetricsToken, " \t\r\n") {
			errs = append(errs, errors.New("KHABAR_METRICS_TOKEN: want 16 characters or more, without spaces"))
		}
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("--data: must not be empty"))
	}
	if c.DatabaseURL != "" {
		u, err := url.Parse(c.DatabaseURL)
		switch {
		case err != nil:
			errs = append(errs, errors.New("--db: not a URL (want postgres://user:password@host:5432/dbname)"))
		case u.Scheme != "postgres" && u.Scheme != "postgresql":
			errs = append(errs, fmt.Errorf("--db: scheme %q not supported: want postgres:// (leave --db empty for embedded SQLite)", u.Scheme))
		case u.Host == "":
			errs = append(errs, errors.New("--db: the URL names no host"))
		}
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			errs = append(errs, fmt.Errorf("--base-url %q: want an origin such as https://news.example (no path)", c.BaseURL))
		}
		c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	}
	if c.YouTubeThumbs == "off" {
		c.YouTubeThumbs = ""
	}
	if c.YouTubeThumbs != "" {
		if u, err := url.Parse(c.YouTubeThumbs); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("--youtube-thumbs %q: want an origin such as https://i.ytimg.com, or off", c.YouTubeThumbs))
		}
		c.YouTubeThumbs = strings.TrimSuffix(c.YouTubeThumbs, "/")
	}
	errs = append(errs, c.validateMedia()...)
	errs = append(errs, c.validateCDN()...)
	if c.VAPIDSubject != "" && !strings.HasPrefix(c.VAPIDSubject, "mailto:") && !strings.HasPrefix(c.VAPIDSubject, "https://") {
		errs = append(errs, fmt.Errorf("--vapid-subject %q: want mailto:address or an https:// URL", c.VAPIDSubject))
	}
	if (c.TelegramToken == "") != (c.TelegramChat == "") {
		errs = append(errs, errors.New("--telegram-chat and KHABAR_TELEGRAM_TOKEN go together: set both or neither"))
	}
	if c.SMTPAddr != "" {
		if _, _, err := net.SplitHostPort(c.SMTPAddr); err != nil {
			errs = append(errs, fmt.Errorf("--smtp-addr %q: want host:port, e.g. mail.example:587", c.SMTPAddr))
		}
		if c.SMTPFrom == "" {
			errs = append(errs, errors.New("--smtp-from: required with --smtp-addr"))
		}
	}
	for _, h := range strings.Fields(c.Webhooks) {
		if u, err := url.Parse(h); err != nil || u.Host == "" || u.Scheme != "https" {
			errs = append(errs, fmt.Errorf("--webhooks: %q is not an https URL", h))
		}
	}
	// Peers named here are held to the rule every outbound request is
	// held to when it connects; saying so at start beats failed deliveries.
	for _, peer := range []struct{ flag, urls string }{
		{"--youtube-thumbs", c.YouTubeThumbs}, {"--telegram-api", c.TelegramAPI}, {"--webhooks", c.Webhooks}, {"--cdn-purge-url", c.cdnAPI()},
	} {
		for _, raw := range strings.Fields(peer.urls) {
			if u, err := url.Parse(raw); err == nil && !c.OutboundAllowPrivate {
				if err := outbound.CheckHost(u.Hostname()); err != nil {
					errs = append(errs, fmt.Errorf("%s %q: %w: the server makes no requests into its own machine or network (--outbound-allow-private is for tests)", peer.flag, raw, err))
				}
			}
		}
	}
	if c.Webhooks != "" && len(c.WebhookSecret) < 16 {
		errs = append(errs, errors.New("--webhooks: set KHABAR_WEBHOOK_SECRET to a secret of 16 characters or more"))
	}
	if c.NewsletterWebhookToken != "" && (len(c.NewsletterWebhookToken) < 16 || c.SMTPAddr == "") {
		errs = append(errs, errors.New("KHABAR_NEWSLETTER_WEBHOOK_TOKEN: want 16 characters or more, and --smtp-addr (newsletters need e-mail)"))
	}
	if c.Lang != "ar" && c.Lang != "en" {
		errs = append(errs, fmt.Errorf("--lang %q: want ar or en", c.Lang))
	}
	if c.LogFormat != LogText && c.LogFormat != LogJSON {
		errs = append(errs, fmt.Errorf("--log-format %q: want text or json", c.LogFormat))
	}
	if c.PageMaxAge < 0 || c.PageMaxAge > 24*time.Hour {
		errs = append(errs, fmt.Errorf("--page-max-age %s: want 0 to 24h", c.PageMaxAge))
	}
	if c.ShutdownGrace < time.Second || c.ShutdownGrace > 10*time.Minute {
		errs = append(errs, fmt.Errorf("--shutdown-grace %s: want 1s to 10m", c.ShutdownGrace))
	}
	if c.EventPoll < 10*time.Millisecond || c.EventPoll > time.Minute {
		errs = append(errs, fmt.Errorf("--event-poll %s: want 10ms to 1m", c.EventPoll))
	}
	if c.ReadyOutboxLag < 10*time.Second || c.ReadyOutboxLag > 24*time.Hour {
		errs = append(errs, fmt.Errorf("--ready-outbox-lag %s: want 10s to 24h", c.ReadyOutboxLag))
	}
	if c.CacheEntries < 0 || c.CacheEntries > 10_000_000 {
		errs = append(errs, fmt.Errorf("--cache-entries %d: want 0 to 10000000", c.CacheEntries))
	}
	if c.BackupEvery < 0 || c.BackupEvery > 0 && c.BackupEvery < time.Minute {
		errs = append(errs, fmt.Errorf("--backup-every %s: want 0 (never) or a minute or more, e.g. 6h", c.BackupEvery))
	}
	if _, err := web.ParseProxies(c.TrustedProxies, c.ProxyHeader); err != nil {
		errs = append(errs, fmt.Errorf("--trusted-proxies/--proxy-header: %w", err))
	}
	if c.WirePoll < 100*time.Millisecond || c.WirePoll > time.Hour {
		errs = append(errs, fmt.Errorf("--wire-poll %s: want 100ms to 1h", c.WirePoll))
	}
	if c.WireKeep != 0 && c.WireKeep < time.Hour {
		errs = append(errs, fmt.Errorf("--wire-keep %s: want 0 (for ever) or an hour or more", c.WireKeep))
	}
	if c.AnalyticsKeepRaw < time.Hour {
		errs = append(errs, fmt.Errorf("--analytics-keep-raw %s: want an hour or more, e.g. 168h", c.AnalyticsKeepRaw))
	}
	if c.WireDir != "" {
		if info, err := os.Stat(c.WireDir); err != nil || !info.IsDir() {
			errs = append(errs, fmt.Errorf("--wire-dir %q: not a folder (create it, and let agencies write to it)", c.WireDir))
		}
	}
	if c.SearchBurst < 1 || c.SearchBurst > 100_000 {
		errs = append(errs, fmt.Errorf("--search-burst %d: want 1 to 100000", c.SearchBurst))
	}
	if c.SearchRefill < time.Millisecond || c.SearchRefill > 24*time.Hour {
		errs = append(errs, fmt.Errorf("--search-refill %s: want 1ms to 24h", c.SearchRefill))
	}
	if c.BackupKeep < 1 {
		errs = append(errs, fmt.Errorf("--backup-keep %d: want 1 or more", c.BackupKeep))
	}
	return errors.Join(errs...)
}

func (c *Config) validateMedia() []error {
	var errs []error
	if c.MediaStore != "" {
		if u, err := url.Parse(c.MediaStore); err != nil || u.Scheme != "s3" || u.Host == "" || u.RawQuery != "" || u.User != nil {
			errs = append(errs, fmt.Errorf("--media-store %q: want s3://bucket or s3://bucket/prefix (leave it empty for the data directory)", c.MediaStore))
		}
		if c.S3AccessKey == "" || c.S3SecretKey == "" {
			errs = append(errs, errors.New("--media-store: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment"))
		}
	} else if c.MediaS3Endpoint != "" || c.MediaS3Region != "" || c.MediaS3PathStyle {
		errs = append(errs, errors.New("--media-s3-endpoint, --media-s3-region and --media-s3-path-style go with --media-store s3://…"))
	}
	if c.MediaS3Endpoint != "" {
		if u, err := url.Parse(c.MediaS3Endpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" {
			errs = append(errs, fmt.Errorf("--media-s3-endpoint %q: want a URL such as https://s3.example.net", c.MediaS3Endpoint))
		}
	}
	if c.MediaURL != "" {
		if u, err := url.Parse(c.MediaURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			errs = append(errs, fmt.Errorf("--media-url %q: want a URL such as https://cdn.example.net/media", c.MediaURL))
		}
		c.MediaURL = strings.TrimSuffix(c.MediaURL, "/")
	}
	return errs
}

// Ids as Fastly and Cloudflare spell them; they go into the API's path.
var (
	fastlyService   = regexp.MustCompile(`^[A-Za-z0-9]{1,64}$`)
	cloudflareZone  = regexp.MustCompile(`^[0-9a-f]{32}$`)
	apiTokenPattern = regexp.MustCompile(`^[\x21-\x7e]{16,}$`)
)

func (c *Config) validateCDN() []error {
	var errs []error
	if c.CDN == "" {
		if c.CDNPurgeURL != "" || c.CDNService != "" || c.CDNZone != "" || c.CDNToken != "" || c.CDNSoftPurge {
			errs = append(errs, errors.New("--cdn-purge-url, --cdn-service, --cdn-zone, --cdn-soft-purge and KHABAR_CDN_TOKEN go with --cdn varnish|fastly|cloudflare"))
		}
		return errs
	}
	if !slices.Contains(cdn.Kinds, c.CDN) {
		return append(errs, fmt.Errorf("--cdn %q: want %s, or empty for none", c.CDN, strings.Join(cdn.Kinds, ", ")))
	}
	for _, u := range c.CDNPurgeURLs() {
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.RawQuery != "" || p.Fragment != "" || p.User != nil ||
			c.CDN == cdn.Varnish && p.Path != "" && p.Path != "/" {
			want := "an http(s) origin such as http://10.0.0.5:6081"
			if c.CDN != cdn.Varnish {
				want = "the API's https origin (default " + map[string]string{cdn.Fastly: cdn.FastlyAPI, cdn.Cloudflare: cdn.CloudflareAPI}[c.CDN] + ")"
			}
			errs = append(errs, fmt.Errorf("--cdn-purge-url: %q: want %s", u, want))
		}
	}
	if c.CDN != cdn.Varnish && len(c.CDNPurgeURLs()) > 1 {
		errs = append(errs, fmt.Errorf("--cdn-purge-url: %s has one API origin, not %d", c.CDN, len(c.CDNPurgeURLs())))
	}
	need := func(ok bool, msg string) {
		if !ok {
			errs = append(errs, errors.New(msg))
		}
	}
	switch c.CDN {
	case cdn.Varnish:
		need(len(c.CDNPurgeURLs()) > 0, "--cdn varnish: set --cdn-purge-url to the address of every Varnish (http://host:port, comma-separated)")
		need(c.CDNService == "" && c.CDNZone == "" && c.CDNToken == "", "--cdn varnish: takes no --cdn-service, --cdn-zone or KHABAR_CDN_TOKEN (Varnish trusts the purger's address: its purge ACL)")
	case cdn.Fastly:
		need(fastlyService.MatchString(c.CDNService), fmt.Sprintf("--cdn fastly: --cdn-service %q: want the service id (letters and digits, as in manage.fastly.com)", c.CDNService))
		need(c.CDNZone == "", "--cdn fastly: --cdn-zone is Cloudflare's")
		need(apiTokenPattern.MatchString(c.CDNToken), "--cdn fastly: set KHABAR_CDN_TOKEN to a Fastly API token with purge_select scope (16 characters or more, no spaces)")
	case cdn.Cloudflare:
		need(cloudflareZone.MatchString(c.CDNZone), fmt.Sprintf("--cdn cloudflare: --cdn-zone %q: want the zone id (32 hexadecimal digits, on the zone's overview page)", c.CDNZone))
		need(c.CDNService == "", "--cdn cloudflare: --cdn-service is Fastly's")
		need(apiTokenPattern.MatchString(c.CDNToken), "--cdn cloudflare: set KHABAR_CDN_TOKEN to an API token with the Cache Purge permission (16 characters or more, no spaces)")
		need(!c.CDNSoftPurge, "--cdn cloudflare: Cloudflare has no soft purge; drop --cdn-soft-purge")
	}
	if c.CDNMaxAge < time.Minute || c.CDNMaxAge > 7*24*time.Hour {
		errs = append(errs, fmt.Errorf("--cdn-max-age %s: want 1m to 168h (a few hours: purges keep pages fresh)", c.CDNMaxAge))
	} else if c.CDNMaxAge < c.PageMaxAge {
		errs = append(errs, fmt.Errorf("--cdn-max-age %s: want at least --page-max-age %s", c.CDNMaxAge, c.PageMaxAge))
	}
	if c.CDNPurgeWindow < 0 || c.CDNPurgeWindow > 10*time.Second {
		errs = append(errs, fmt.Errorf("--cdn-purge-window %s: want 0 to 10s", c.CDNPurgeWindow))
	}
	return errs
}

// cdnAPI is --cdn-purge-url when it names a CDN's API (held to the
// outbound rule), "" for Varnish (the operator's own network).
func (c *Config) cdnAPI() string {
	if c.CDN == cdn.Varnish {
		return ""
	}
	return c.CDNPurgeURL
}

// CDNPurgeURLs are the addresses in --cdn-purge-url.
func (c *Config) CDNPurgeURLs() []string {
	var out []string
	for _, u := range strings.FieldsFunc(c.CDNPurgeURL, func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, strings.TrimSuffix(u, "/"))
	}
	return out
}

// port is addr's port, or "" when addr is not host:port.
func port(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

// checkAddr checks a listening address given with flag.
func checkAddr(flag, addr, example string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%s %q: want host:port, e.g. %s", flag, addr, example)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("%s %q: port %q is not a number from 0 to 65535", flag, addr, port)
	}
	if host != "" && net.ParseIP(host) == nil && strings.ContainsAny(host, "/ ") {
		return fmt.Errorf("%s %q: bad host %q", flag, addr, host)
	}
	return nil
}

// CheckDataDir makes sure the data directory exists and is writable, with
// a message an operator can act on.
func (c *Config) CheckDataDir() error {
	if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
		return fmt.Errorf("data directory %s cannot be created: %w", c.DataDir, err)
	}
	probe, err := os.CreateTemp(c.DataDir, ".write-test-*")
	if err != nil {
		abs, _ := filepath.Abs(c.DataDir)
		return fmt.Errorf("data directory %s is not writable (check its owner and permissions, or choose another with --data): %w", abs, err)
	}
	probe.Close()
	return os.Remove(probe.Name())
}
