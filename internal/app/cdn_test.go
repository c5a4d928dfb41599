package app_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"khabar/internal/apptest"
	"khabar/internal/cdn"
	"khabar/internal/cdn/cdnapitest"
	"khabar/internal/config"
)

// TestCDNPurgeByAPI: a node with --cdn fastly or cloudflare, the API
// being cdnapitest's stand-in that holds each request to the documented
// shape. Pages carry their keys (in Cache-Tag too for Cloudflare) and
// s-maxage; a headline correction purges the article's keys, a change
// of the settings the key every page carries.
func TestCDNPurgeByAPI(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		kind     string
		api      func(*testing.T) *cdnapitest.API
		path     string
		cacheTag bool
		tweak    func(*config.Config)
	}{
		{cdn.Fastly, func(t *testing.T) *cdnapitest.API { return cdnapitest.Fastly(t, true) }, "", false,
			func(c *config.Config) { c.CDNService, c.CDNSoftPurge = cdnapitest.Service, true }},
		{cdn.Cloudflare, cdnapitest.Cloudflare, "/client/v4", true,
			func(c *config.Config) { c.CDNZone = cdnapitest.Zone }},
	} {
		t.Run(c.kind, func(t *testing.T) {
			t.Parallel()
			api := c.api(t)
			n := apptest.StartNode(t, "", func(cfg *config.Config) {
				cfg.CDN, cfg.CDNPurgeURL, cfg.CDNToken = c.kind, api.Srv.URL+c.path, cdnapitest.Token
				// The stand-in listens on loopback.
				cfg.OutboundAllowPrivate = true
				c.tweak(cfg)
			})
			a := apptest.FirstPublished(t, n.Store)
			key := "article:" + apptest.ID(a)
			r := n.Get(t, apptest.ArticleURL(a))
			keys := strings.Fields(r.Header.Get("Surrogate-Key"))
			if r.Status != http.StatusOK || !slices.Contains(keys, key) || !slices.Contains(keys, "all") {
				t.Fatalf("article page: %d, Surrogate-Key %q; want %s and all", r.Status, keys, key)
			}
			if tags := r.Header.Get("Cache-Tag"); (tags == strings.Join(keys, ",")) != c.cacheTag || !c.cacheTag && tags != "" {
				t.Errorf("Cache-Tag %q with Surrogate-Key %q; want the same keys comma-separated: %v", tags, keys, c.cacheTag)
			}
			if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=30,") || !strings.Contains(cc, "s-maxage=14400") {
				t.Errorf("Cache-Control %q: want max-age=30 for browsers and s-maxage=14400 (--cdn-max-age 4h) for the CDN", cc)
			}

			cur := n.Article(t, a.ID)
			cur.Headline = "عنوان مصحّح تراه الشبكة"
			if err := n.Store.UpdateArticle(context.Background(), cur); err != nil {
				t.Fatal(err)
			}
			got := api.Wait(t, 1)
			if !slices.Contains(got[0], key) || !slices.Contains(got[0], "home") {
				t.Errorf("purged %q after a headline correction, want %s and home among them", got[0], key)
			}
			if err := n.Store.SaveSettings(context.Background(), map[string]string{"site_name": "خبر الجديد"}); err != nil {
				t.Fatal(err)
			}
			if got = api.Wait(t, 2); !slices.Equal(got[1], []string{"all"}) {
				t.Errorf("purged %q after a settings change, want all", got[1])
			}
		})
	}
}
