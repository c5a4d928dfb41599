package audience_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"khabar/internal/apptest"
	"khabar/internal/config"
	"khabar/internal/news"
)

// hub is an in-process WebSub hub recording publish notifications; it
// fails the first request to prove the pinger retries.
type hub struct {
	mu    sync.Mutex
	pings []url.Values
	calls int
}

func (h *hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls++
	if h.calls == 1 {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || r.ParseForm() != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	h.pings = append(h.pings, r.PostForm)
	w.WriteHeader(http.StatusNoContent)
}

// TestWebSubPingsHubsOnPublish: hubs set in the settings are declared in
// the feeds, and a publication on a running node reaches them through the
// outbox, with the node's feed URLs. What a ping names, its retries, dead
// hubs and which events ping are tested in internal/websub.
func TestWebSubPingsHubsOnPublish(t *testing.T) {
	t.Parallel()
	h := &hub{}
	srv := httptest.NewServer(h)
	defer srv.Close()
	n := apptest.StartNode(t, "", func(cfg *config.Config) { cfg.OutboundAllowPrivate = true })
	ctx := context.Background()
	if err := n.Store.SaveSettings(ctx, map[string]string{"websub_hubs": srv.URL + "/hub"}); err != nil {
		t.Fatal(err)
	}
	n.WaitEvents(t)
	rss := n.Get(t, "/feeds/rss.xml").Body
	if !strings.Contains(rss, `href="`+srv.URL+`/hub" rel="hub"`) {
		t.Errorf("feed does not declare the hub:\n%.600s", rss)
	}
	a := apptest.FirstPublished(t, n.Store)
	if err := n.Store.CreateArticle(ctx, &news.Article{Headline: "خبر يُبلَّغ به المحور", SectionID: a.SectionID, Status: news.StatusPublished}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		h.mu.Lock()
		got := append([]url.Values(nil), h.pings...)
		h.mu.Unlock()
		if len(got) > 0 {
			p := got[0]
			if p.Get("hub.mode") != "publish" || !strings.Contains(strings.Join(p["hub.url"], " "), "http://khabar.test/feeds/rss.xml") {
				t.Errorf("ping: %v", p)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hub was never pinged (%d calls)", h.calls)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
