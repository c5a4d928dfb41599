package audience_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"khabar/internal/apptest"
	"khabar/internal/config"
	"khabar/internal/metricstest"
	"khabar/internal/outbox"
	"khabar/internal/storetest"
)

const metricsToken = "scrape-0123456789abcdef"

// scrape reads the node's metrics listener into series → value, the series
// as the text format prints it: name{label="value",…}, labels sorted.
func scrape(t *testing.T, n *apptest.Node) map[string]float64 {
	t.Helper()
	m := *n
	m.Base = "http://" + n.MetricsAddr()
	r := m.Do(t, "GET", "/metrics", nil, map[string]string{"Authorization": "Bearer " + metricsToken})
	if r.Status != http.StatusOK {
		t.Fatalf("scrape: %d %s", r.Status, r.Body)
	}
	return metricstest.Parse(t, r.Body)
}

// TestMetrics: the metrics listener shows what the node did, by route
// pattern and never by path, to the holder of the token only; the public
// address has no /metrics.
func TestMetrics(t *testing.T) {
	t.Parallel()
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			dbURL := ""
			if db == "postgres" {
				dbURL = storetest.PostgresURL(t)
			}
			n := apptest.StartNode(t, dbURL, func(c *config.Config) {
				c.MetricsAddr, c.MetricsToken = "127.0.0.1:0", metricsToken
			})
			if r := n.Get(t, "/metrics"); r.Status != http.StatusNotFound {
				t.Errorf("/metrics on the public address: %d, want 404", r.Status)
			}
			first := apptest.FirstPublished(t, n.Store)
			article := apptest.ArticleURL(first)
			for range 3 {
				if r := n.Get(t, article); r.Status != http.StatusOK {
					t.Fatalf("%s: %d", article, r.Status)
				}
			}
			n.Get(t, "/no/such/page-3f9a")
			n.Get(t, "/search?q="+url.QueryEscape("الأخبار"))
			apptest.CommentReady(n)
			postForm(t, n, first.ID, url.Values{"name": {"ريم"}, "body": {"تحليل دقيق، شكرًا للكاتب."}}, nil)
			postForm(t, n, first.ID, url.Values{"name": {"بوت"}, "body": {"اربح الآن"}, "website": {"https://spam.example"}}, nil)

			m := *n
			m.Base = "http://" + n.MetricsAddr()
			for _, auth := range []string{"", "Bearer wrong-0123456789abcdef", metricsToken} {
				if r := m.Do(t, "GET", "/metrics", nil, map[string]string{"Authorization": auth}); r.Status != http.StatusUnauthorized {
					t.Errorf("scrape with Authorization %q: %d, want 401", auth, r.Status)
				}
			}
			if r := m.Do(t, "GET", "/", nil, nil); r.Status != http.StatusNotFound {
				t.Errorf("metrics listener /: %d, want 404", r.Status)
			}

			series := scrape(t, n)
			for _, c := range []struct {
				series string
				min    float64
			}{
				{`khabar_http_requests_total{code="200",route="GET /news/{id}/{slug}"}`, 3},
				{`khabar_http_requests_total{code="404",route="/"}`, 1},
				{`khabar_http_request_duration_seconds_count{class="2xx",route="GET /news/{id}/{slug}"}`, 3},
				{`khabar_page_cache_hits_total`, 2},
				{`khabar_page_cache_misses_total`, 1},
				{`khabar_page_cache_bytes`, 1},
				{`go_sql_max_open_connections{db_name="` + string(n.Store.Dialect()) + `"}`, 1},
				{`khabar_outbox_lag_events{consumer="` + outbox.Search + `"}`, 0},
				{`khabar_search_duration_seconds_count`, 1},
				{`khabar_comment_decisions_total{decision="spam"}`, 1},
				{`go_goroutines`, 1},
				{`process_resident_memory_bytes`, 1},
			} {
				if v, ok := series[c.series]; !ok || v < c.min {
					t.Errorf("%s = %v (present %v), want at least %v", c.series, v, ok, c.min)
				}
			}
			if series[`khabar_comment_decisions_total{decision="approved"}`]+series[`khabar_comment_decisions_total{decision="held"}`] != 1 {
				t.Errorf("the reader's comment was neither approved nor held once: %v", series)
			}
			for s := range series {
				if strings.Contains(s, "page-3f9a") {
					t.Errorf("a raw path became a label: %s", s)
				}
				if strings.HasPrefix(s, "khabar_jobs{") && strings.Contains(s, `state="completed"`) {
					t.Errorf("completed jobs counted: %s", s)
				}
			}
		})
	}
}
