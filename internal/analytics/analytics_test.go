package analytics_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"khabar/internal/analytics"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

const (
	phone    = "Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
	site     = "https://khabar.example"
	clientIP = "203.0.113.77"
)

// clock is a settable clock for Options.Now.
type clock struct{ t atomic.Pointer[time.Time] }

func (c *clock) set(t time.Time)         { c.t.Store(&t) }
func (c *clock) now() time.Time          { return *c.t.Load() }
func newClock(t time.Time) *clock        { c := &clock{}; c.set(t); return c }
func reader(ip, ua string) *http.Request { return request(ip, ua, nil) }

func request(ip, ua string, h http.Header) *http.Request {
	r, _ := http.NewRequest(http.MethodGet, site+"/news/1/x", nil)
	r.RemoteAddr = ip + ":41234"
	for k, v := range h {
		r.Header[k] = v
	}
	r.Header.Set("User-Agent", ua)
	return r
}

// visitors are the visitor hashes of the raw hits, oldest first.
func visitors(t *testing.T, s *store.Store) []int64 {
	t.Helper()
	rows, err := s.DB().Query("SELECT visitor FROM analytics_hits ORDER BY at, visitor")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func flush(t *testing.T, c *analytics.Counter) {
	t.Helper()
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestVisitorHash: a reader hashes the same all day, on every node (they
// share the day's salt), and to something else the next day; another
// reader hashes otherwise.
func TestVisitorHash(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		day1 := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
		clk := newClock(day1)
		node1 := analytics.New(analytics.Options{Store: s, Site: site, Now: clk.now})
		node2 := analytics.New(analytics.Options{Store: s, Site: site, Now: clk.now})
		page := analytics.Page{Kind: analytics.KindArticle, ArticleID: 1}
		node1.Count(reader(clientIP, phone), page)
		clk.set(day1.Add(time.Hour))
		node2.Count(reader(clientIP, phone), page)
		clk.set(day1.Add(2 * time.Hour))
		node1.Count(reader("198.51.100.9", phone), page)
		flush(t, node1)
		flush(t, node2)
		clk.set(day1.Add(24 * time.Hour))
		node1.Count(reader(clientIP, phone), page)
		clk.set(day1.Add(25 * time.Hour))
		node2.Count(reader(clientIP, phone), page)
		flush(t, node1)
		flush(t, node2)
		v := visitors(t, s)
		if len(v) != 5 {
			t.Fatalf("%d hits, want 5", len(v))
		}
		if v[0] != v[1] {
			t.Errorf("the same reader on two nodes the same day: %d and %d", v[0], v[1])
		}
		if v[2] == v[0] {
			t.Error("another address hashed as the first reader")
		}
		if v[3] == v[0] {
			t.Error("the next day's hash is the day before's: the salt did not rotate")
		}
		if v[3] != v[4] {
			t.Errorf("the same reader on two nodes the next day: %d and %d", v[3], v[4])
		}
	})
}

// TestCountingSkips: bots, prefetches and, when the outlet honours it,
// Do Not Track and GPC are not counted; a full buffer drops views
// rather than wait.
func TestCountingSkips(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		var honour atomic.Bool
		c := analytics.New(analytics.Options{Store: s, Site: site, Buffer: 5, HonourOptOut: honour.Load})
		page := analytics.Page{Kind: analytics.KindHome}
		c.Count(reader(clientIP, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"), page)
		c.Count(request(clientIP, phone, http.Header{"Sec-Purpose": {"prefetch"}}), page)
		c.Count(request(clientIP, phone, http.Header{"Dnt": {"1"}}), page) // counted: not honoured
		honour.Store(true)
		c.Count(request(clientIP, phone, http.Header{"Dnt": {"1"}}), page)
		c.Count(request(clientIP, phone, http.Header{"Sec-Gpc": {"1"}}), page)
		for range 5 {
			c.Count(reader(clientIP, phone), page)
		}
		if c.Dropped() != 2 {
			t.Errorf("dropped %d, want 2 (a buffer of 5, 7 views; the crawler is left out at the flush)", c.Dropped())
		}
		flush(t, c)
		if n := len(visitors(t, s)); n != 4 {
			t.Errorf("%d views kept, want 4", n)
		}
	})
}

// TestNoAddressKept: whatever is counted, no table of the analytics
// holds the reader's address, browser or the referrer's address, in any
// column.
func TestNoAddressKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		const ua = "Mozilla/5.0 (X11; Linux x86_64) PrivacyProbe/9.9 Firefox/133.0"
		c := analytics.New(analytics.Options{Store: s, Site: site})
		r := reader(clientIP, ua)
		r.Header.Set("Referer", "https://t.me/secret_channel_probe/77")
		c.Count(r, analytics.Page{Kind: analytics.KindArticle, ArticleID: 3, SectionID: 1})
		flush(t, c)
		if _, err := s.RefreshMostRead(context.Background(), time.Now().Add(-time.Hour), time.Now(), 5); err != nil {
			t.Fatal(err)
		}
		dump := dumpTables(t, s, "analytics_hits", "analytics_minutes", "analytics_hours", "analytics_days", "analytics_salts", "most_read")
		if !strings.Contains(dump, "telegram") {
			t.Fatalf("the view was not kept: %s", dump)
		}
		for _, secret := range []string{clientIP, "PrivacyProbe", "secret_channel_probe", "t.me"} {
			if strings.Contains(dump, secret) {
				t.Errorf("%q is kept in the analytics tables:\n%s", secret, dump)
			}
		}
	})
}

// dumpTables is every row of tables, every column as text.
func dumpTables(t *testing.T, s *store.Store, tables ...string) string {
	t.Helper()
	var sb strings.Builder
	for _, table := range tables {
		rows, err := s.DB().Query("SELECT * FROM " + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&sb, "%s:", table)
			for _, v := range vals {
				if b, ok := v.([]byte); ok {
					fmt.Fprintf(&sb, " %s", b)
				} else {
					fmt.Fprintf(&sb, " %v", v)
				}
			}
			sb.WriteByte('\n')
		}
		rows.Close()
	}
	return sb.String()
}
