package cdntest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/cdn"
	"khabar/internal/config"
	"khabar/internal/news"
	"khabar/internal/s3test"
	"khabar/internal/storetest"
)

// TestVarnishPurgeAdapter: internal/cdn's Varnish purger against the
// shipped VCL in a real varnishd: a hard purge of an article's key drops
// its page in every encoding, a soft purge is accepted, and a Varnish
// that refuses the purger (not in its ACL) is an error.
func TestVarnishPurgeAdapter(t *testing.T) {
	t.Parallel()
	bin := varnishd(t)
	node := apptest.StartNode(t, "", behindProxy)
	v := startVarnish(t, bin, node.App.Addr(), node.App.Addr())
	reader := client(t, "127.0.0.2")
	a := apptest.FirstPublished(t, node.Store)
	page := apptest.ArticleURL(a)
	key := "article:" + apptest.ID(a)
	cache := func(t *testing.T) {
		t.Helper()
		for _, enc := range []string{"gzip", "br", "identity"} {
			v.get(t, reader, page, enc)
			if r := v.get(t, reader, page, enc); r.cache != "HIT" {
				t.Fatalf("%s: X-Cache %q, want the page cached", enc, r.cache)
			}
		}
	}
	purge := func(t *testing.T, soft bool) error {
		p, err := cdn.New(cdn.Options{Kind: cdn.Varnish, URLs: []string{v.base}, Soft: soft})
		if err != nil {
			t.Fatal(err)
		}
		return p.Purge(context.Background(), []string{"no-such-key", key})
	}

	cache(t)
	if err := purge(t, false); err != nil {
		t.Fatalf("purge %s: %v", key, err)
	}
	for _, enc := range []string{"gzip", "br", "identity"} {
		if r := v.get(t, reader, page, enc); r.cache != "MISS" || !strings.Contains(r.body, a.Headline) {
			t.Errorf("%s after the purge: X-Cache %q; want a MISS showing the article", enc, r.cache)
		}
	}
	cache(t)
	if err := purge(t, true); err != nil {
		t.Errorf("soft purge %s: %v", key, err)
	}

	// The purger's address is not in the ACL: 403, an error.
	refused := &http.Client{Transport: reader.Transport, Timeout: 10 * time.Second}
	p, err := cdn.New(cdn.Options{Kind: cdn.Varnish, URLs: []string{v.base}, Client: refused})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Purge(context.Background(), []string{key}); err == nil || !strings.Contains(err.Error(), "answered 403") {
		t.Errorf("purge from 127.0.0.2: %v, want the ACL's 403", err)
	}
}

// TestScaleOutBehindVarnish is issue 18's end-to-end test: PostgreSQL,
// SeaweedFS, the shipped VCL in a real Varnish and two Khabar nodes
// purging it by surrogate key (--cdn varnish). A picture uploaded on node
// 1 is served with its sizes by node 2 and through Varnish; an article is
// a HIT on its second request, and each of 50 headline corrections made
// on node 2 shows through Varnish soon after (the time is logged; the
// test holds it to a generous deadline); with node 1 stopped mid-test,
// node 2 serves everything through Varnish without one 5xx, purges alone,
// and publishes an article scheduled on node 1 for a time it is down.
func TestScaleOutBehindVarnish(t *testing.T) {
	t.Parallel()
	bin := varnishd(t)
	srv := s3test.Start(t)
	bucket := "s3://" + srv.Bucket(t) + "/site"
	db := storetest.PostgresURL(t)
	// The nodes purge Varnish, so they know its address before it starts.
	vaddr := freeAddr(t)
	const edgeMaxAge = time.Hour
	scaled := func(c *config.Config) {
		c.TrustedProxies = "127.0.0.1"
		apptest.MediaStore(srv, bucket)(c)
		c.CDN, c.CDNPurgeURL, c.CDNMaxAge = cdn.Varnish, "http://"+vaddr, edgeMaxAge
	}
	// Node 1's stop cuts what it is doing at once, as a crash would,
	// rather than finishing its requests first.
	node1 := apptest.StartNode(t, db, scaled, func(c *config.Config) { c.ShutdownGrace = time.Millisecond })
	node2 := apptest.StartNode(t, db, scaled, func(c *config.Config) { c.MetricsAddr = "127.0.0.1:0" })
	v := startVarnishOn(t, bin, vaddr, node1.App.Addr(), node2.App.Addr())
	reader := client(t, "127.0.0.2")

	t.Run("picture uploaded on node 1", func(t *testing.T) {
		writer := apptest.As(t, node1, auth.RoleWriter)
		status, res := writer.Upload(t, nil, apptest.UpFile{Name: "photo.jpg", Data: apptest.JPEGOf(t, apptest.Photo(1600, 900, 18))})
		if status != http.StatusOK || len(res) != 1 || res[0].Failed {
			t.Fatalf("upload on node 1: %d %+v", status, res)
		}
		var m *news.Media
		apptest.WaitWithin(t, time.Minute, "the upload's sizes", func() bool {
			m = node1.MustMedia(t, res[0].ID)
			return m.SizesState != news.SizesPending
		})
		if m.SizesState != news.SizesReady || len(m.Sizes) == 0 {
			t.Fatalf("sizes: %q, %d", m.SizesState, len(m.Sizes))
		}
		keys := []string{m.Path}
		for _, z := range m.Sizes {
			keys = append(keys, z.Path)
		}
		for _, key := range keys {
			want := node1.Get(t, "/media/"+key)
			if want.Status != http.StatusOK || len(want.Body) == 0 {
				t.Fatalf("/media/%s on node 1: %d", key, want.Status)
			}
			if got := node2.Get(t, "/media/"+key); got.Status != http.StatusOK || got.Body != want.Body {
				t.Errorf("/media/%s on node 2: %d, %d bytes; want node 1's %d", key, got.Status, len(got.Body), len(want.Body))
			}
			first, second := v.get(t, reader, "/media/"+key, "gzip"), v.get(t, reader, "/media/"+key, "gzip")
			if first.status != http.StatusOK || first.body != want.Body || second.cache != "HIT" || second.body != want.Body {
				t.Errorf("/media/%s through Varnish: %d %s then %s, %d bytes; want node 1's %d bytes, then a HIT",
					key, first.status, first.cache, second.cache, len(first.body), len(want.Body))
			}
		}
	})

	// An article of its own, so the edits touch no other test's page.
	a := apptest.ArticleIn(t, node2, news.StatusPublished, 0)
	page := apptest.ArticleURL(a)
	editor := apptest.As(t, node2, auth.RoleEditor)
	// correct sets a's headline through node 2's newsroom and returns
	// when the edit is saved and published.
	correct := func(t *testing.T, headline string) {
		t.Helper()
		cur := node2.Article(t, a.ID)
		form := apptest.ArticleForm(cur, "publish")
		form.Set("headline", headline)
		form.Set("slug", cur.Slug)
		r := editor.Do(t, "POST", "/admin/articles/"+apptest.ID(a), form, nil)
		if r.Status != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "done=step_publish_update") {
			t.Fatalf("correct the headline: %d %s", r.Status, r.Header.Get("Location"))
		}
	}
	// shows waits until a reader through Varnish sees headline on path,
	// and tells how long that took.
	shows := func(t *testing.T, path, headline string) time.Duration {
		t.Helper()
		start := time.Now()
		apptest.WaitWithin(t, 30*time.Second, fmt.Sprintf("%q on %s through Varnish", headline, path), func() bool {
			return strings.Contains(v.get(t, reader, path, "gzip").body, headline)
		})
		return time.Since(start)
	}

	t.Run("cached, then purged by each correction", func(t *testing.T) {
		first := v.get(t, reader, page, "gzip")
		second := v.get(t, reader, page, "gzip")
		if first.status != http.StatusOK || second.cache != "HIT" || !strings.Contains(second.body, a.Headline) {
			t.Fatalf("article through Varnish: %d %s, then %s; want 200, then a HIT", first.status, first.cache, second.cache)
		}

		// Shared caches keep it an hour, browsers 30 s.
		if cc := second.hdr.Get("Cache-Control"); !strings.Contains(cc, "s-maxage=3600") || !strings.Contains(cc, "max-age=30,") {
			t.Errorf("Cache-Control %q: want max-age=30 and s-maxage=3600", cc)
		}
		var took []time.Duration
		for i := range 50 {
			headline := fmt.Sprintf("عنوان مصحّح رقم %d", i+1)
			correct(t, headline)
			took = append(took, shows(t, page, headline))
			// Cached again before the next correction, as readers would.
			if r := v.get(t, reader, page, "gzip"); r.cache != "HIT" {
				t.Fatalf("correction %d: the new page is not cached (X-Cache %q)", i+1, r.cache)
			}
		}
		slices.Sort(took)
		t.Logf("a corrected headline through Varnish, 50 corrections on node 2: p50 %s, p99 %s, max %s",
			took[len(took)/2].Round(time.Millisecond), took[len(took)*99/100-1].Round(time.Millisecond), took[len(took)-1].Round(time.Millisecond))
	})

	t.Run("node 1 stops", func(t *testing.T) {
		// An article node 1 schedules for a time it will be down.
		planner := apptest.As(t, node1, auth.RoleEditor)
		planned := apptest.ArticleIn(t, node1, news.StatusReview, 0)
		at := node1.Soon(t, 10*time.Second)
		if r := planner.Step(t, planned, news.ActionSchedule, node1.TimeField(at)); r.Status != http.StatusSeeOther {
			t.Fatalf("schedule on node 1: %d", r.Status)
		}
		node1.WaitEvents(t) // its job is planned
		// Cached before: the publication must purge it.
		v.get(t, reader, "/", "gzip")
		if r := v.get(t, reader, "/", "gzip"); r.cache != "HIT" {
			t.Fatalf("home through Varnish: X-Cache %q, want a HIT", r.cache)
		}

		// Readers through Varnish all along: cached pages, a picture, a
		// feed, and what passes to a node every time.
		paths := []string{"/", page, "/feeds/rss.xml", "/healthz", "/api/v1/articles", "/search?q=" + "خبر"}
		var served, failed atomic.Int64
		var mu sync.Mutex
		var bad []string
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; ; i++ {
					select {
					case <-stop:
						return
					case <-time.After(5 * time.Millisecond):
					}
					path := paths[i%len(paths)]
					code, err := v.try(reader, path, map[string]string{"Accept-Encoding": "gzip"})
					served.Add(1)
					if err != nil || code >= 500 {
						failed.Add(1)
						mu.Lock()
						bad = append(bad, fmt.Sprintf("%s: %d %v", path, code, err))
						mu.Unlock()
					}
				}
			}()
		}
		halt := sync.OnceFunc(func() {
			close(stop)
			wg.Wait()
		})
		defer halt()

		stopped := time.Now()
		node1.Stop(t)
		t.Logf("node 1 stopped in %s", time.Since(stopped).Round(time.Millisecond))
		if time.Now().After(at) {
			t.Fatalf("node 1 stopped %s after the planned time: the publication while it is down is not tested", time.Since(at))
		}

		// Node 2 alone purges: a correction shows through Varnish.
		correct(t, "تصحيح بعد توقف العقدة الأولى")
		t.Logf("correction through Varnish with node 1 down: %s", shows(t, page, "تصحيح بعد توقف العقدة الأولى").Round(time.Millisecond))

		// The planned article is published by node 2 and its page and the
		// home page through Varnish show it.
		var published *news.Article
		apptest.WaitWithin(t, 90*time.Second, "node 2 to publish the article node 1 planned", func() bool {
			published = node2.Article(t, planned.ID)
			return published.Status == news.StatusPublished
		})
		t.Logf("the planned article published %s after its time", time.Since(node1.FieldTime(at)).Round(time.Millisecond))
		if r := v.get(t, reader, apptest.ArticleURL(published), "gzip"); r.status != http.StatusOK || !strings.Contains(r.body, published.Headline) {
			t.Errorf("the planned article through Varnish: %d", r.status)
		}
		shows(t, "/", published.Headline)

		// Long enough for Varnish's probe (every second in this test,
		// sick after 3 failures of 5) to take node 1 out, and past it.
		apptest.WaitWithin(t, time.Minute, "readers' requests past the probe's verdict", func() bool {
			return time.Since(stopped) > 8*time.Second
		})
		halt()
		if n := served.Load(); n < 100 {
			t.Errorf("only %d requests through Varnish while node 1 was down", n)
		}
		if failed.Load() > 0 {
			t.Errorf("%d of %d requests through Varnish failed or answered 5xx with node 1 down: %q", failed.Load(), served.Load(), bad[:min(len(bad), 10)])
		}
		t.Logf("%d requests through Varnish with node 1 down, none failed", served.Load())
	})

	t.Run("browsers count max-age from their visit", func(t *testing.T) {
		// A page Varnish has held for seconds is fresh by purges: its Age
		// to readers is 0, or browsers would count their 30 s from when
		// Varnish fetched it and ask again on every visit.
		v.get(t, reader, page, "gzip")
		since := time.Now()
		apptest.WaitWithin(t, 10*time.Second, "two seconds in Varnish", func() bool { return time.Since(since) > 2*time.Second })
		r := v.get(t, reader, page, "gzip")
		if r.cache != "HIT" || r.hdr.Get("Age") != "0" {
			t.Errorf("a page held two seconds: X-Cache %q, Age %q; want a HIT with Age 0", r.cache, r.hdr.Get("Age"))
		}
	})

	t.Run("purges in node 2's metrics", func(t *testing.T) {
		res, err := http.Get("http://" + node2.MetricsAddr() + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		text := string(b)
		for _, want := range []string{`khabar_cdn_purge_requests_total{cdn="varnish",outcome="ok"} `, `khabar_cdn_purge_delay_seconds_count{cdn="varnish"} `,
			`khabar_cdn_purged_keys_total{cdn="varnish"} `} {
			i := strings.Index(text, want)
			if i < 0 || strings.HasPrefix(text[i+len(want):], "0\n") {
				t.Errorf("metrics: no %s above 0", want)
			}
		}
	})
}
