package app_test

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"khabar/internal/app"
	"khabar/internal/apptest"
	"khabar/internal/cdn"
	"khabar/internal/cdn/cdnapitest"
	"khabar/internal/config"
	"khabar/internal/news"
	"khabar/internal/store"
)

const phoneUA = "Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"

// reader is a phone's browser: what counting counts.
var reader = map[string]string{"User-Agent": phoneUA}

// flushViews writes what n counted so far.
func flushViews(t *testing.T, n *apptest.Node) {
	t.Helper()
	if err := n.Counter.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls path until its page holds want, for a minute at most.
func waitFor(t *testing.T, n *apptest.Node, path, want, why string) string {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		r := n.Get(t, path)
		if r.Status == http.StatusOK && strings.Contains(r.Body, want) {
			return r.Body
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s never held %q within a minute", why, path, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestMostReadBox: readers' views, counted as pages are served (cache
// hits too) with no cookie set, make «الأكثر قراءة» on the home page,
// article pages and the section's page once it is computed again; the
// cached pages are purged by the event, and the API serves the list.
func TestMostReadBox(t *testing.T) {
	t.Parallel()
	apptest.EachDatabase(t, func(t *testing.T, dbURL string) {
		n := apptest.StartNode(t, dbURL)
		ctx := context.Background()
		list, err := n.Store.ListPublished(ctx, store.ListFilter{Limit: 2})
		if err != nil || len(list) < 2 {
			t.Fatalf("two published demo articles: %v", err)
		}
		top, second := &list[1], &list[0]
		sec, err := n.Store.SectionByID(ctx, top.SectionID)
		if err != nil {
			t.Fatal(err)
		}
		secPath := news.ListPath(news.ListSection, sec.Slug)
		// The pages as cached before anyone read: no box yet.
		for _, p := range []string{"/", news.ArticlePath(second), secPath} {
			if r := n.Get(t, p); r.Status != http.StatusOK || strings.Contains(r.Body, "most-read") {
				t.Fatalf("%s before any view: %d, box shown: %v", p, r.Status, strings.Contains(r.Body, "most-read"))
			}
		}
		// The views may land on both sides of an hour's turn: the hours
		// from the first read's to the check's are read together.
		start := time.Now()
		views := map[*news.Article]int{top: 3, second: 1}
		for a, k := range views {
			for range k {
				r := n.Do(t, "GET", news.ArticlePath(a), nil, reader)
				if r.Status != http.StatusOK {
					t.Fatalf("%s: %d", news.ArticlePath(a), r.Status)
				}
				if c := r.Header.Values("Set-Cookie"); len(c) > 0 {
					t.Errorf("a counted page set cookies %q", c)
				}
			}
		}
		// Crawlers and prefetches count for nothing.
		n.Do(t, "GET", news.ArticlePath(second), nil, map[string]string{"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"})
		n.Do(t, "GET", news.ArticlePath(second), nil, map[string]string{"User-Agent": phoneUA, "Sec-Purpose": "prefetch"})
		n.Do(t, "GET", news.ArticlePath(second), nil, map[string]string{"User-Agent": phoneUA, "Sec-Purpose": "prefetch"})
		flushViews(t, n)
		now := time.Now()
		got, err := n.Store.TopArticles(ctx, store.ByHour, start.Truncate(time.Hour), now.Truncate(time.Hour).Add(time.Hour), 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0] != (store.ArticleViews{ArticleID: top.ID, Views: 3}) || got[1] != (store.ArticleViews{ArticleID: second.ID, Views: 1}) {
			t.Fatalf("counted %+v, want 3 views of %d and 1 of %d", got, top.ID, second.ID)
		}

		// What the minute's job does; its event purges the pages.
		if _, err := n.Store.RefreshMostRead(ctx, now.Add(-app.MostReadWindow), now, app.MostReadLength); err != nil {
			t.Fatal(err)
		}
		box := `<section class="most-read"`
		for _, p := range []string{"/", news.ArticlePath(second), secPath} {
			body := waitFor(t, n, p, box, "after the refresh")
			mr := body[strings.Index(body, box):]
			mr = mr[:strings.Index(mr, "</section>")]
			i, j := strings.Index(mr, news.ArticlePath(top)), strings.Index(mr, news.ArticlePath(second))
			switch {
			case i < 0:
				t.Errorf("%s: the box lacks the most read article %d:\n%s", p, top.ID, mr)
			case p != secPath && (j < 0 || j < i):
				t.Errorf("%s: the box lists %d (1 view) before %d (3), or not at all:\n%s", p, second.ID, top.ID, mr)
			}
		}
		r := n.Get(t, "/api/v1/most-read")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `"mostRead":[{"id":`+apptest.Itoa(top.ID)) {
			t.Errorf("the API's most read: %d %s", r.Status, r.Body)
		}
		r = n.Get(t, "/api/v1/most-read?section="+url.QueryEscape(sec.Slug))
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `"mostRead":[{"id":`+apptest.Itoa(top.ID)) {
			t.Errorf("the API's most read of %s: %d %s", sec.Slug, r.Status, r.Body)
		}
	})
}

// TestBeacon: behind a CDN pages count themselves: the page loads the
// beacon, a served page is not counted by the server, the beacon's
// report of a page the site serves is, and hostile reports get a clear
// 4xx, never a 500 and never a count.
func TestBeacon(t *testing.T) {
	t.Parallel()
	api := cdnapitest.Cloudflare(t)
	n := apptest.StartNode(t, "", func(cfg *config.Config) {
		cfg.CDN, cfg.CDNPurgeURL, cfg.CDNToken, cfg.CDNZone = cdn.Cloudflare, api.Srv.URL+"/client/v4", cdnapitest.Token, cdnapitest.Zone
		cfg.OutboundAllowPrivate = true
	})
	a := apptest.FirstPublished(t, n.Store)
	page := n.Do(t, "GET", apptest.ArticleURL(a), nil, reader)
	if page.Status != http.StatusOK || !strings.Contains(page.Body, "/static/count.") {
		t.Fatalf("article page behind a CDN: %d, beacon script included: %v", page.Status, strings.Contains(page.Body, "/static/count."))
	}
	post := func(body string, hdr map[string]string) apptest.Resp {
		t.Helper()
		h := map[string]string{"User-Agent": phoneUA}
		maps.Copy(h, hdr)
		// What sendBeacon sends a string as.
		r := n.PostBody(t, "/count", "text/plain;charset=UTF-8", []byte(body), h)
		if c := r.Header.Values("Set-Cookie"); len(c) > 0 {
			t.Errorf("the beacon set cookies %q", c)
		}
		return r
	}
	escaped := (&url.URL{Path: news.ArticlePathDecoded(a)}).EscapedPath()
	start := time.Now()
	for _, c := range []struct {
		name, body string
		hdr        map[string]string
		want       int
	}{
		{"the article, from a tweet", `{"p":"` + escaped + `","r":"https://t.co/AbC"}`, nil, http.StatusNoContent},
		{"the home page", `{"p":"/","r":""}`, nil, http.StatusNoContent},
		{"a huge body", `{"p":"/","r":"` + strings.Repeat("x", 64<<10) + `"}`, nil, http.StatusRequestEntityTooLarge},
		{"not JSON", `p=/`, nil, http.StatusBadRequest},
		{"JSON of another shape", `["/"]`, nil, http.StatusBadRequest},
		{"a long referrer", `{"p":"/","r":"https://x.example/` + strings.Repeat("y", 3000) + `"}`, nil, http.StatusBadRequest},
		{"a bad escape", `{"p":"/section/%zz"}`, nil, http.StatusBadRequest},
		{"a page not counted", `{"p":"/search"}`, nil, http.StatusNotFound},
		{"the newsroom", `{"p":"/admin/"}`, nil, http.StatusNotFound},
		{"no page", `{}`, nil, http.StatusNotFound},
		{"a forged article id", `{"p":"/news/999999/x"}`, nil, http.StatusNotFound},
		{"an article id that is none", `{"p":"/news/1e3/x"}`, nil, http.StatusNotFound},
		{"an unknown section", `{"p":"/section/no-such-section"}`, nil, http.StatusNotFound},
		{"another site's page", `{"p":"/"}`, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
	} {
		if r := post(c.body, c.hdr); r.Status != c.want {
			t.Errorf("%s: %d, want %d", c.name, r.Status, c.want)
		}
	}
	flushViews(t, n)
	now := time.Now()
	aud, err := n.Store.AudienceBetween(context.Background(), now.Add(-time.Hour), now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	// A visitor's hash changes with the UTC day: two beacons either side
	// of midnight are two visitors.
	visitors := int64(1)
	if start.UTC().YearDay() != now.UTC().YearDay() {
		visitors = 2
	}
	if aud != (store.Audience{Views: 2, Visitors: visitors}) {
		t.Errorf("counted %+v, want the beacon's 2 views by %d visitor(s) (not the page the server served)", aud, visitors)
	}
	top, err := n.Store.TopArticles(context.Background(), store.ByMinute, now.Add(-time.Hour).Truncate(time.Minute), now.Add(time.Minute), 0, 5)
	if err != nil || len(top) != 1 || top[0].ArticleID != a.ID {
		t.Errorf("articles counted %+v (%v), want one view of %d", top, err, a.ID)
	}
	if r := n.Get(t, "/count"); r.Status != http.StatusNotFound && r.Status != http.StatusMethodNotAllowed {
		t.Errorf("GET /count: %d", r.Status)
	}
}

// TestViewsKeptAtShutdown: a node that stops writes what it counted
// before its database closes.
func TestViewsKeptAtShutdown(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	a := apptest.FirstPublished(t, n.Store)
	if r := n.Do(t, "GET", apptest.ArticleURL(a), nil, reader); r.Status != http.StatusOK {
		t.Fatalf("article: %d", r.Status)
	}
	n.Stop(t)
	s, err := store.OpenSQLite(n.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	aud, err := s.AudienceBetween(context.Background(), now.Add(-time.Hour), now.Add(time.Minute))
	if err != nil || aud.Views != 1 {
		t.Errorf("after the stop: %+v (%v), want the one view", aud, err)
	}
}
