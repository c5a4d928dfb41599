package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func parse(t *testing.T, env map[string]string, args ...string) (*Config, error) {
	t.Helper()
	fs, c, validate := FlagSet("serve", func(k string) string { return env[k] })
	fs.SetOutput(&strings.Builder{})
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	return c, validate()
}

func TestDefaultsAndPrecedence(t *testing.T) {
	c, err := parse(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DataDir != "./khabar-data" || c.DatabaseURL != "" || c.Lang != "ar" || c.LogFormat != "text" || c.ReadyOutboxLag != 5*time.Minute {
		t.Errorf("defaults: %+v", c)
	}
	c, err = parse(t, map[string]string{"KHABAR_ADDR": ":9000", "KHABAR_DATA": "/tmp/x", "KHABAR_LOG_FORMAT": "json"}, "--addr", "127.0.0.1:7000")
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:7000" || c.DataDir != "/tmp/x" || c.LogFormat != "json" {
		t.Errorf("flag should beat env, env should beat default: %+v", c)
	}
}

func TestValidationMessages(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"addr", nil, []string{"--addr", "8080"}, "--addr \"8080\": want host:port"},
		{"port", nil, []string{"--addr", ":99999"}, "port \"99999\""},
		{"db scheme", nil, []string{"--db", "mysql://x@y/z"}, "scheme \"mysql\" not supported"},
		{"db host", nil, []string{"--db", "postgres:///x"}, "names no host"},
		{"base url", nil, []string{"--base-url", "news.example"}, "--base-url"},
		{"lang", nil, []string{"--lang", "fr"}, "--lang \"fr\""},
		{"log format", nil, []string{"--log-format", "xml"}, "--log-format \"xml\": want text or json"},
		{"outbox lag", nil, []string{"--ready-outbox-lag", "1s"}, "--ready-outbox-lag 1s: want 10s to 24h"},
		{"env outbox lag", map[string]string{"KHABAR_READY_OUTBOX_LAG": "5"}, nil, "KHABAR_READY_OUTBOX_LAG=\"5\""},
		{"env log format", map[string]string{"KHABAR_LOG_FORMAT": "JSON"}, nil, "--log-format \"JSON\": want text or json"},
		{"youtube thumbs", nil, []string{"--youtube-thumbs", "ftp://x"}, "--youtube-thumbs"},
		{"loopback thumbs", nil, []string{"--youtube-thumbs", "http://127.0.0.1:9000"}, "--youtube-thumbs \"http://127.0.0.1:9000\": host 127.0.0.1: address is not public"},
		{"metadata webhook", map[string]string{"KHABAR_WEBHOOK_SECRET": strings.Repeat("s", 16)}, []string{"--webhooks", "https://hooks.example.com/a https://169.254.169.254/x"}, "--webhooks \"https://169.254.169.254/x\""},
		{"local telegram", nil, []string{"--telegram-api", "https://localhost:8443"}, "--telegram-api \"https://localhost:8443\""},
		{"env bool", map[string]string{"KHABAR_DEMO": "yes please"}, nil, "KHABAR_DEMO"},
		{"env duration", map[string]string{"KHABAR_PAGE_MAX_AGE": "soon"}, nil, "KHABAR_PAGE_MAX_AGE"},
		{"metrics addr", nil, []string{"--metrics-addr", "9090"}, "--metrics-addr \"9090\": want host:port"},
		{"metrics port", nil, []string{"--metrics-addr", "127.0.0.1:70000"}, "--metrics-addr \"127.0.0.1:70000\": port"},
		{"metrics on the public port", nil, []string{"--addr", ":8080", "--metrics-addr", "127.0.0.1:8080"}, "must be another port than --addr"},
		{"metrics token without addr", map[string]string{"KHABAR_METRICS_TOKEN": "0123456789abcdef"}, nil, "--metrics-addr is not"},
		{"short metrics token", map[string]string{"KHABAR_METRICS_ADDR": "127.0.0.1:9090", "KHABAR_METRICS_TOKEN": "short"}, nil, "KHABAR_METRICS_TOKEN: want 16"},
		{"env int", map[string]string{"KHABAR_CACHE_ENTRIES": "many"}, nil, "KHABAR_CACHE_ENTRIES"},
		{"env search burst", map[string]string{"KHABAR_SEARCH_BURST": "lots"}, nil, "KHABAR_SEARCH_BURST=\"lots\": want a whole number"},
		{"wire dir", nil, []string{"--wire-dir", "/nonexistent/wires"}, "--wire-dir \"/nonexistent/wires\": not a folder"},
		{"wire poll", nil, []string{"--wire-poll", "1ms"}, "--wire-poll 1ms: want 100ms to 1h"},
		{"wire keep", nil, []string{"--wire-keep", "10m"}, "--wire-keep 10m0s: want 0 (for ever) or an hour or more"},
		{"no search budget", nil, []string{"--search-burst", "0"}, "--search-burst 0: want 1 to 100000"},
		{"search refill", nil, []string{"--search-refill", "0s"}, "--search-refill 0s: want 1ms to 24h"},
		{"backup every second", nil, []string{"--backup-every", "1s"}, "--backup-every 1s: want 0 (never) or a minute or more"},
		{"backup every negative", nil, []string{"--backup-every", "-6h"}, "--backup-every -6h0m0s"},
		{"backup keep none", nil, []string{"--backup-every", "6h", "--backup-keep", "0"}, "--backup-keep 0: want 1 or more"},
		{"media store scheme", map[string]string{"AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"}, []string{"--media-store", "gs://bucket"}, "--media-store \"gs://bucket\": want s3://bucket"},
		{"media store no bucket", map[string]string{"AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"}, []string{"--media-store", "s3:///prefix"}, "want s3://bucket"},
		{"media store without keys", nil, []string{"--media-store", "s3://bucket"}, "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"},
		{"s3 endpoint without store", nil, []string{"--media-s3-endpoint", "https://s3.example.net"}, "go with --media-store"},
		{"s3 endpoint", map[string]string{"AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"}, []string{"--media-store", "s3://b", "--media-s3-endpoint", "s3.example.net"}, "--media-s3-endpoint \"s3.example.net\""},
		{"media url", nil, []string{"--media-url", "cdn.example.net"}, "--media-url \"cdn.example.net\""},
		{"env backup keep", map[string]string{"KHABAR_BACKUP_KEEP": "all"}, nil, "KHABAR_BACKUP_KEEP"},
		{"shutdown grace", nil, []string{"--shutdown-grace", "0s"}, "--shutdown-grace 0s: want 1s to 10m"},
		{"trusted proxy name", nil, []string{"--trusted-proxies", "10.0.0.0/8,cdn.example"}, `--trusted-proxies/--proxy-header: trusted proxy "cdn.example"`},
		{"proxy header", map[string]string{"KHABAR_TRUSTED_PROXIES": "10.0.0.0/8", "KHABAR_PROXY_HEADER": "X-Real-IP"}, nil, `proxy header "X-Real-IP"`},
		{"cdn kind", nil, []string{"--cdn", "akamai"}, `--cdn "akamai": want varnish, fastly, cloudflare`},
		{"cdn flags without cdn", nil, []string{"--cdn-zone", "023e105f4ecef8ad9ca31a8372d0c353"}, "go with --cdn varnish|fastly|cloudflare"},
		{"cdn token without cdn", map[string]string{"KHABAR_CDN_TOKEN": "0123456789abcdef"}, nil, "KHABAR_CDN_TOKEN go with --cdn"},
		{"varnish without address", nil, []string{"--cdn", "varnish"}, "--cdn varnish: set --cdn-purge-url"},
		{"varnish address", nil, []string{"--cdn", "varnish", "--cdn-purge-url", "http://10.0.0.5:6081,10.0.0.6:6081"}, `--cdn-purge-url: "10.0.0.6:6081": want an http(s) origin`},
		{"varnish with a path", nil, []string{"--cdn", "varnish", "--cdn-purge-url", "http://10.0.0.5/purge"}, `--cdn-purge-url: "http://10.0.0.5/purge"`},
		{"varnish token", map[string]string{"KHABAR_CDN_TOKEN": "0123456789abcdef"}, []string{"--cdn", "varnish", "--cdn-purge-url", "http://10.0.0.5"}, "--cdn varnish: takes no"},
		{"fastly service", map[string]string{"KHABAR_CDN_TOKEN": "0123456789abcdef"}, []string{"--cdn", "fastly", "--cdn-service", "svc/../purge_all"}, `--cdn-service "svc/../purge_all": want the service id`},
		{"fastly token", nil, []string{"--cdn", "fastly", "--cdn-service", "SU1Z0isxPaozGVKXdv0eY"}, "--cdn fastly: set KHABAR_CDN_TOKEN"},
		{"fastly two origins", map[string]string{"KHABAR_CDN_TOKEN": "0123456789abcdef"}, []string{"--cdn", "fastly", "--cdn-service", "SU1Z0isxPaozGVKXdv0eY", "--cdn-purge-url", "https://a.example,https://b.example"}, "fastly has one API origin, not 2"},
		{"cloudflare zone", map[string]string{"KHABAR_CDN_TOKEN": "0123456789abcdef"}, []string{"--cdn", "cloudflare", "--cdn-zone", "example.com"}, `--cdn-zone "example.com": want the zone id (32 hexadecimal digits`},
		{"cloudflare soft", map[string]string{"KHABAR_CDN_TOKEN": "0123456789abcdef"}, []string{"--cdn", "cloudflare", "--cdn-zone", "023e105f4ecef8ad9ca31a8372d0c353", "--cdn-soft-purge"}, "Cloudflare has no soft purge"},
		{"cdn max age", nil, []string{"--cdn", "varnish", "--cdn-purge-url", "http://10.0.0.5", "--cdn-max-age", "10s"}, "--cdn-max-age 10s: want 1m to 168h"},
		{"cdn max age below page's", nil, []string{"--cdn", "varnish", "--cdn-purge-url", "http://10.0.0.5", "--cdn-max-age", "5m", "--page-max-age", "10m"}, "--cdn-max-age 5m0s: want at least --page-max-age 10m0s"},
		{"private fastly api", map[string]string{"KHABAR_CDN_TOKEN": "0123456789abcdef"}, []string{"--cdn", "fastly", "--cdn-service", "SU1Z0isxPaozGVKXdv0eY", "--cdn-purge-url", "http://10.1.2.3"}, `--cdn-purge-url "http://10.1.2.3": host 10.1.2.3: address is not public`},
		{"cdn window", nil, []string{"--cdn", "varnish", "--cdn-purge-url", "http://10.0.0.5", "--cdn-purge-window", "1m"}, "--cdn-purge-window 1m0s: want 0 to 10s"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parse(t, c.env, c.args...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want mention of %q", err, c.want)
			}
		})
	}
}

// TestCDNAccepted: each CDN's usual settings pass, addresses are split.
func TestCDNAccepted(t *testing.T) {
	token := map[string]string{"KHABAR_CDN_TOKEN": "0123456789abcdef"}
	for _, c := range []struct {
		env  map[string]string
		args []string
		urls []string
	}{
		{nil, []string{"--cdn", "varnish", "--cdn-purge-url", "http://10.0.0.5:6081, http://10.0.0.6/", "--cdn-soft-purge"}, []string{"http://10.0.0.5:6081", "http://10.0.0.6"}},
		{token, []string{"--cdn", "fastly", "--cdn-service", "SU1Z0isxPaozGVKXdv0eY"}, nil},
		{token, []string{"--cdn", "cloudflare", "--cdn-zone", "023e105f4ecef8ad9ca31a8372d0c353", "--cdn-max-age", "12h"}, nil},
	} {
		cfg, err := parse(t, c.env, c.args...)
		if err != nil {
			t.Errorf("%q: %v", c.args, err)
			continue
		}
		if got := cfg.CDNPurgeURLs(); !slices.Equal(got, c.urls) {
			t.Errorf("%q: purge URLs %q, want %q", c.args, got, c.urls)
		}
	}
}

// TestOutboundAllowPrivate: the tests' escape hatch lets local peers
// through, and is off unless set.
func TestOutboundAllowPrivate(t *testing.T) {
	args := []string{"--youtube-thumbs", "http://127.0.0.1:9000", "--telegram-api", "http://localhost:8081"}
	if _, err := parse(t, nil, args...); err == nil {
		t.Error("local peers accepted without --outbound-allow-private")
	}
	c, err := parse(t, nil, append(args, "--outbound-allow-private")...)
	if err != nil || !c.OutboundAllowPrivate {
		t.Errorf("with --outbound-allow-private: %v, %+v", err, c)
	}
}

// TestMetricsOff: no listener unless asked for; the env names one.
func TestMetricsOff(t *testing.T) {
	c, err := parse(t, nil)
	if err != nil || c.MetricsAddr != "" {
		t.Errorf("default: %v, metrics addr %q", err, c.MetricsAddr)
	}
	env := map[string]string{"KHABAR_METRICS_ADDR": "127.0.0.1:9090", "KHABAR_METRICS_TOKEN": "0123456789abcdef"}
	c, err = parse(t, env)
	if err != nil || c.MetricsAddr != "127.0.0.1:9090" || c.MetricsToken != "0123456789abcdef" {
		t.Errorf("from env: %v, %+v", err, c)
	}
}

func TestCheckDataDir(t *testing.T) {
	dir := t.TempDir()
	c := Default()
	c.DataDir = filepath.Join(dir, "new", "nested")
	if err := c.CheckDataDir(); err != nil {
		t.Fatalf("creatable dir: %v", err)
	}
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o600)
	c.DataDir = filepath.Join(file, "sub")
	if err := c.CheckDataDir(); err == nil || !strings.Contains(err.Error(), "cannot be created") {
		t.Errorf("dir under a file: %v", err)
	}
	if os.Geteuid() != 0 { // root writes anywhere
		ro := filepath.Join(dir, "ro")
		os.Mkdir(ro, 0o500)
		c.DataDir = ro
		if err := c.CheckDataDir(); err == nil || !strings.Contains(err.Error(), "not writable") {
			t.Errorf("read-only dir: %v", err)
		}
	}
}
